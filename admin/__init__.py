"""The staff side. Deny by default: every route needs a logged-in user,
except those listed in PUBLIC_ENDPOINTS (the login page)."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.login", next=request.full_path))
    return None


from . import feedback, oversight, printing, views  # noqa: E402,F401
