"""The document library (文件库) on the staff side: list, enter a document
(or the revision of one), repeal one. Clerks keep their village's documents,
township staff the township's and every village's; supervisors read."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from disclosure import attachments
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import DOCUMENT_KINDS, Document
from disclosure.services import ServiceError
from disclosure.services import library as service

from . import bp
from .common import drafting_villages, refuse
from .forms import Form, options, required

TOWNSHIP_SCOPE = "0"


class DocumentForm(Form):
    scope = SelectField("属于", description="乡镇的文件在每个村的文件库里都能看到。")
    kind = SelectField("类别", choices=options((k, k) for k in DOCUMENT_KINDS))
    title = StringField("文件名称", [required("文件名称"), Length(max=service.TITLE_MAX)])
    doc_no = StringField("文号", [Optional(), Length(max=64)], description="没有文号可不填。")
    effective_on = DateField("生效日期", [InputRequired(message="请填写生效日期")], default=china_today)
    replaces = SelectField("修订哪份文件", [Optional()],
                           description="这是对一份现行文件的修订时选择它：原文件将显示“已修订”，并指向这份新文件。")
    body = TextAreaField("正文", [Optional(), Length(max=service.BODY_MAX)],
                         description="村民在触摸屏和手机上看到的文字。也可以只上传PDF。")
    attachment = FileField("PDF原件（可选）", description=(
        f"只收普通PDF：不超过{attachments.MAX_BYTES // (1024 * 1024)}MB、{attachments.MAX_PAGES}页，"
        "不能含脚本、自动动作或嵌入文件。触摸屏和手机上按页显示为图片。"))


class RepealForm(Form):
    ended_on = DateField("废止日期", [InputRequired(message="请填写废止日期")], default=china_today)
    reason = TextAreaField("废止原因", [required("废止原因"), Length(max=500)],
                           description="会显示给村民，例如：由县里统一的标准取代。")


def _user():
    return current_user._get_current_object()


def _document_in_scope(doc_id: int) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None or not service.can_see(_user(), doc):
        abort(404)
    return doc


@bp.get("/library")
def library_list():
    user = _user()
    return render_template("admin/library_list.html", documents=service.documents_for(user),
                           can_add=bool(drafting_villages(user)) or user.is_township_admin)


@bp.route("/library/new", methods=["GET", "POST"])
def library_new():
    user = _user()
    villages = drafting_villages(user)
    if not villages and not user.is_township_admin:
        abort(403)
    form = DocumentForm()
    form.scope.choices = options(([(TOWNSHIP_SCOPE, user.township.name + "（全乡镇）")] if user.is_township_admin else [])
                                 + [(v.id, v.name) for v in villages])
    replaceable = service.replaceable(user)
    form.replaces.choices = options([("", "不是修订，是新文件")]
                                    + [(d.id, f"{d.village.name if d.village else d.township.name} · {d.title}")
                                       for d in replaceable])
    if form.validate_on_submit():
        village = next((v for v in villages if str(v.id) == form.scope.data), None)
        replaces = next((d for d in replaceable if str(d.id) == form.replaces.data), None)
        upload = form.attachment.data
        try:
            doc = service.create(user, user.township, village, kind=form.kind.data, title=form.title.data,
                                 doc_no=form.doc_no.data or "", body=form.body.data or "",
                                 effective_on=form.effective_on.data, replaces=replaces,
                                 pdf=upload.read(attachments.MAX_BYTES + 1) if upload else None)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已录入《{doc.title}》，村民在触摸屏和手机的“村规民约和制度”里可以看到。", "success")
            return redirect(url_for("admin.library_detail", doc_id=doc.id))
    return render_template("admin/library_form.html", form=form)


@bp.get("/library/<int:doc_id>")
def library_detail(doc_id: int, repeal_form: RepealForm | None = None):
    doc = _document_in_scope(doc_id)
    can_edit = service.can_edit(_user(), doc.township, doc.village)
    return render_template("admin/library_detail.html", doc=doc, can_edit=can_edit,
                           repeal_form=repeal_form or RepealForm())


@bp.post("/library/<int:doc_id>/repeal")
def library_repeal(doc_id: int):
    doc = _document_in_scope(doc_id)
    form = RepealForm()
    if form.validate_on_submit():
        try:
            service.repeal(doc, _user(), ended_on=form.ended_on.data, reason=form.reason.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"《{doc.title}》已废止。", "success")
            return redirect(url_for("admin.library_detail", doc_id=doc.id))
    return library_detail(doc_id, repeal_form=form), 400
