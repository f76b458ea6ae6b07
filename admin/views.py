"""Accounts: log in, log out, change one's own password; the staff home."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from disclosure import security
from disclosure.extensions import db, limiter
from disclosure.services import ServiceError
from disclosure.services import audit as audit_service
from disclosure.services import users as user_service

from . import bp
from .common import refuse
from .forms import ActionForm, LoginForm, PasswordForm


def _safe_next(target: str | None) -> str:
    """Only a path on the staff side: never another host (open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/admin") and "\\" not in target:
            return target.rstrip("?")
    return url_for("admin.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
# Failed attempts from one address: a login that works (a redirect) does not count.
@limiter.limit("10 per 10 minutes", methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = user_service.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except ServiceError as err:
            db.session.commit()  # keep the failure count and the lock
            form.password.errors = [err.message]
        else:
            audit_service.record(user, "user.login", "user", user.id)
            db.session.commit()
            session.clear()  # no session fixation: a fresh session from here on
            login_user(user)
            security.start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:  # every session of the account ends, not only this one
            user_service.end_sessions(current_user)
            db.session.commit()
        logout_user()
        session.clear()
        flash("您已退出登录。", "info")
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def home():
    return redirect(url_for("admin.dashboard" if current_user.is_county_admin else "admin.notice_list"))


@bp.route("/password", methods=["GET", "POST"])
def password_change():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user_service.change_password(current_user, form.current.data, form.new.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            security.start_session(current_user)  # this session goes on; every other one has ended
            flash("密码已修改，其他设备上的登录已全部退出。", "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/password.html", form=form)
