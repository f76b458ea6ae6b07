"""The staff side. Deny by default: every route needs a logged-in user,
except those listed in PUBLIC_ENDPOINTS (the login page)."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from disclosure.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}

login_manager.login_view = "admin.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.login", next=request.full_path))
    return None


# Errors (403, 404, 413, CSRF...) are answered by the one error edge,
# disclosure/errors.py, in admin/error.html for every /admin path.


from . import (  # noqa: E402,F401
    attachments, audit, calendar, catalogue, decisions, feedback, imports, library, lookups, notices, oversight, printing, users, views, vouchers,
)
