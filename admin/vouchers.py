"""Voucher photos (凭证照片) on ledger lines: upload to a draft's line, show
to staff, and let the village's supervisor keep one off the public side.
Public serving is the kiosk's (through disclosure.vouchers.photo)."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user

from disclosure import vouchers
from disclosure.extensions import db
from disclosure.models import LedgerLine, VoucherImage
from disclosure.services import ServiceError, access

from . import bp
from .common import notice_in_scope, refuse
from .forms import ActionForm, VoucherForm


def _line(notice_id: int, line_id: int) -> LedgerLine:
    notice = notice_in_scope(notice_id)
    line = db.session.get(LedgerLine, line_id)
    if line is None or line.notice_id != notice.id:
        abort(404)
    return line


def _voucher(voucher_id: int) -> VoucherImage:
    voucher = db.session.get(VoucherImage, voucher_id)
    if voucher is None or not access.can_see_village(current_user, voucher.line.notice.village):
        abort(404)
    return voucher


@bp.post("/notices/<int:notice_id>/ledger/<int:line_id>/vouchers")
def voucher_upload(notice_id: int, line_id: int):
    line = _line(notice_id, line_id)
    form = VoucherForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    try:
        if not upload or not getattr(upload, "filename", ""):
            raise ServiceError("请选择要上传的照片", "file")
        vouchers.attach(line, current_user, upload.read(vouchers.MAX_BYTES + 1))
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("凭证照片已上传（已去除拍摄位置等隐藏信息），暂不公开，由村务监督委员会成员决定是否公开。", "success")
    return redirect(url_for("admin.notice_detail", notice_id=line.notice_id, _anchor=f"line-{line.id}"))


@bp.get("/vouchers/<int:voucher_id>.jpg")
def voucher_image(voucher_id: int):
    voucher = _voucher(voucher_id)
    return _send(voucher, thumb=False)


@bp.get("/vouchers/<int:voucher_id>.thumb.jpg")
def voucher_thumb(voucher_id: int):
    voucher = _voucher(voucher_id)
    return _send(voucher, thumb=True)


def _send(voucher: VoucherImage, thumb: bool):  # noqa: ANN202
    data = vouchers.photo(voucher.sha256, thumb)
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/vouchers/<int:voucher_id>/visibility")
def voucher_visibility(voucher_id: int):
    voucher = _voucher(voucher_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        vouchers.set_public(voucher, current_user, not voucher.is_public)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("该照片已设为公开。" if voucher.is_public else "该照片已设为不公开，村民看不到。", "success")
    return redirect(url_for("admin.notice_detail", notice_id=voucher.line.notice_id, _anchor=f"line-{voucher.line_id}"))


@bp.post("/vouchers/<int:voucher_id>/delete")
def voucher_delete(voucher_id: int):
    voucher = _voucher(voucher_id)
    notice_id = voucher.line.notice_id
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        vouchers.remove(voucher, current_user)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("照片已删除。", "success")
    return redirect(url_for("admin.notice_detail", notice_id=notice_id))
