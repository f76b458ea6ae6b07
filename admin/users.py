"""Staff accounts: a township admin manages its township's staff, a county
admin the township admins of its county (services/access.can_manage_account)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from disclosure.extensions import db
from disclosure.models import Role, User
from disclosure.services import ServiceError, access
from disclosure.services import users as user_service

from . import bp
from .common import admin_required, refuse, visible_villages
from .forms import ActionForm, ResetPasswordForm, UserForm, options


def _user_in_scope(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not access.can_manage_account(current_user, user):
        abort(404)
    return user


@bp.get("/users")
@admin_required
def user_list():
    return render_template("admin/user_list.html", staff=user_service.managed_accounts(current_user),
                           action_form=ActionForm(formdata=None))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    county = current_user.is_county_admin
    villages = [] if county else visible_villages()
    townships = access.county_townships(current_user) if county else [current_user.township]
    form = UserForm()
    if county:
        form.role.choices = options([(Role.TOWNSHIP_ADMIN.value, Role.TOWNSHIP_ADMIN.label)])
        form.township.choices = options([(t.id, t.name) for t in townships])
    else:
        form.role.choices = options([(r.value, r.label) for r in Role if r != Role.COUNTY_ADMIN])
    form.village.choices = options([("", "（乡镇管理员不需要）")] + [(v.id, v.name) for v in villages])
    if form.validate_on_submit():
        village = next((v for v in villages if str(v.id) == form.village.data), None)
        township = next((t for t in townships if not county or str(t.id) == form.township.data), None)
        try:
            if township is None:
                raise ServiceError("请选择乡镇", "township")
            user = user_service.create_user(
                username=form.username.data, display_name=form.display_name.data, password=form.password.data,
                role=Role(form.role.data), township=township, village=village, actor=current_user,
            )
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已创建账号 {user.username}（{user.role.label}）。请把初始密码当面告知本人，并提醒其登录后修改。", "success")
            return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, county=county), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/active")
@admin_required
def user_toggle_active(user_id: int):
    user = _user_in_scope(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user_service.set_active(user, current_user, not user.is_active_account)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash(f"账号 {user.username} 已{'启用' if user.is_active_account else '停用'}。", "success")
    return redirect(url_for("admin.user_list"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def user_reset_password(user_id: int):
    user = _user_in_scope(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user_service.reset_password(user, current_user, form.password.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已为 {user.username} 重设密码，并解除登录锁定。", "success")
            return redirect(url_for("admin.user_list"))
    return render_template("admin/user_password.html", form=form, user=user), 400 if form.errors else 200
