"""The staff side. Deny by default: every route needs a logged-in user,
except those listed in PUBLIC_ENDPOINTS (the login page)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from disclosure.extensions import db, login_manager

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


def _error_page(status: int, title: str, message: str):
    db.session.rollback()
    return render_template("admin/error.html", title=title, message=message, status=status), status


@bp.errorhandler(413)
def too_large(error):  # noqa: ANN001, ANN201 - the body is refused before any view runs
    limit = (request.max_content_length or 0) // (1024 * 1024)
    return _error_page(413, "文件太大", f"上传的文件超过了{limit}MB的限制。请删去多余的工作表或图片，或分成几个文件上传。")


@bp.errorhandler(403)
def forbidden(error):  # noqa: ANN001, ANN201
    return _error_page(403, "无权访问", "您的账号无权查看或操作此内容。")


@bp.errorhandler(404)
def not_found(error):  # noqa: ANN001, ANN201
    return _error_page(404, "找不到页面", "没有找到您要的内容，或者它不属于您负责的村。")


@bp.errorhandler(CSRFError)
def csrf_failed(error):  # noqa: ANN001, ANN201
    return _error_page(400, "页面已过期", "表单已过期或来源不明，请返回上一页刷新后重新提交。")


from . import (  # noqa: E402,F401
    audit, feedback, imports, lookups, notices, oversight, printing, users, views, vouchers,
)
