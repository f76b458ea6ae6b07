"""Attachments (附件) of a notice on its staff page: a clerk adds them to a
draft, the reviewing supervisor marks each public or not. Public serving is
the kiosk's (disclosure.public.public_attachment)."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user

from disclosure import attachments
from disclosure.extensions import db
from disclosure.models import NoticeAttachment
from disclosure.services import ServiceError, access

from . import bp
from .common import notice_in_scope, refuse
from .forms import ActionForm, AttachmentForm


def _attachment(attachment_id: int) -> NoticeAttachment:
    attachment = db.session.get(NoticeAttachment, attachment_id)
    if attachment is None or not access.can_see_village(current_user, attachment.notice.village):
        abort(404)
    return attachment


def _back(notice_id: int):  # noqa: ANN202
    return redirect(url_for("admin.notice_detail", notice_id=notice_id, _anchor="attachments"))


@bp.post("/notices/<int:notice_id>/attachments")
def attachment_upload(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash("附件名称不能超过100个字。" if form.attachment_title.errors else "请重新提交。", "error")
        return _back(notice.id)
    upload = form.file.data
    try:
        if not upload or not getattr(upload, "filename", ""):
            raise ServiceError("请选择要上传的文件", "file")
        attachment = attachments.add(notice, current_user, upload.read(attachments.MAX_BYTES + 1),
                                     filename=upload.filename, title=form.attachment_title.data or "")
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        what = f"PDF，{attachment.page_count}页" if attachment.kind == "pdf" else "图片已去除拍摄位置等隐藏信息"
        flash(f"附件《{attachment.title}》已上传（{what}），暂不公开，由村务监督委员会成员审核时决定是否公开。",
              "success")
    return _back(notice.id)


@bp.get("/attachments/<int:attachment_id>/file")
def attachment_file(attachment_id: int):
    """The stored file for staff: a PDF is downloaded, never opened inline."""
    attachment = _attachment(attachment_id)
    data = attachments.open_file(attachments.original_name(attachment.sha256, attachment.kind))
    if data is None:
        abort(404)
    is_pdf = attachment.kind == "pdf"
    response = send_file(io.BytesIO(data), mimetype="application/pdf" if is_pdf else "image/jpeg",
                         as_attachment=is_pdf, download_name=f"{attachment.title}.{'pdf' if is_pdf else 'jpg'}")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/attachments/<int:attachment_id>/page/<int:page_no>.jpg")
def attachment_page(attachment_id: int, page_no: int):
    attachment = _attachment(attachment_id)
    if not 1 <= page_no <= attachment.page_count:
        abort(404)
    data = attachments.open_file(attachments.page_name(attachment.sha256, attachment.kind, page_no))
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/attachments/<int:attachment_id>/visibility")
def attachment_visibility(attachment_id: int):
    attachment = _attachment(attachment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attachments.set_public(attachment, current_user, not attachment.is_public)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash(f"附件《{attachment.title}》已设为公开。" if attachment.is_public
              else f"附件《{attachment.title}》已设为不公开，村民看不到。", "success")
    return _back(attachment.notice_id)


@bp.post("/attachments/<int:attachment_id>/delete")
def attachment_delete(attachment_id: int):
    attachment = _attachment(attachment_id)
    notice_id = attachment.notice_id
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attachments.remove(attachment, current_user)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("附件已删除。", "success")
    return _back(notice_id)
