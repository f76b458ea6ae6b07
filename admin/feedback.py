"""Villagers' questions and objections (answer, hide, 暂停公示) and the
依申请公开 register. Staff see the villages services.access lets them see;
each view calls one service and commits once."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from disclosure import render
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import InfoRequest, Question
from disclosure.services import ServiceError, access
from disclosure.services import feedback as service
from disclosure.services import requests as requests_service
from disclosure.services import voice_print

from . import bp
from .common import refuse, visible_villages, village_in_scope
from .forms import ActionForm, Form, options, required


class AnswerForm(Form):
    answer = TextAreaField("答复内容", [required("答复内容"), Length(max=service.ANSWER_MAX)],
                           description="答复将公开显示在公示下方（不显示提问人的联系方式）。")


class HideForm(Form):
    reason = TextAreaField("隐藏原因", [required("隐藏原因"), Length(max=500)],
                           description="例如：广告、辱骂、重复提交。原因会保留在记录中。")


class RequestForm(Form):
    village_id = SelectField("村", coerce=int)
    requester = StringField("申请人", [required("申请人"), Length(max=64)])
    contact = StringField("联系方式", [Optional(), Length(max=64)], description="只有工作人员可见。")
    subject = TextAreaField("申请公开的内容", [required("申请公开的内容"), Length(max=2000)])
    received_on = DateField("收到日期", [InputRequired(message="请填写收到日期")], default=dt.date.today)


class ExtendForm(Form):
    days = IntegerField("延长工作日数", [InputRequired(message="请填写延长的工作日数"),
                                         NumberRange(1, service.MAX_EXTENSION_DAYS, message="延期为1至20个工作日")],
                        default=service.MAX_EXTENSION_DAYS)
    reason = TextAreaField("延期理由", [required("延期理由"), Length(max=1000)])


class ReplyForm(Form):
    reply_type = RadioField("答复类型", choices=[SelectChoice(t) for t in requests_service.REPLY_TYPES],
                            validators=[InputRequired(message="请选择答复类型")])
    ground = RadioField("不予公开的法定理由", choices=[SelectChoice(g) for g in requests_service.GROUNDS],
                        validators=[Optional()], description="不予公开、部分公开时必选。")
    refer_to = StringField("应向哪个机关申请", [Optional(), Length(max=200)], description="非本机关负责时填写。")
    reply = TextAreaField("说明", [Optional(), Length(max=4000)],
                          description="将印在告知书上并公开显示在编号查询页（不显示申请人姓名和联系方式）。需补正时写明补正要求。")
    replied_on = DateField("答复日期", [InputRequired(message="请填写答复日期")], default=china_today)


class AttachForm(Form):
    attachment = FileField("公开的文件（PDF）", description="只收普通PDF：不超过10MB、200页，不能含脚本或嵌入文件。")


class CorrectionForm(Form):
    corrected_on = DateField("收到补正的日期", [InputRequired(message="请填写收到补正的日期")], default=china_today)
    subject = TextAreaField("补正后的申请内容", [Optional(), Length(max=2000)])


def _user():
    return current_user._get_current_object()


def _question_in_scope(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not access.can_see_village(current_user, question.village):
        abort(404)
    return question


def _request_in_scope(request_id: int) -> InfoRequest:
    req = db.session.get(InfoRequest, request_id)
    if req is None or not access.can_see_village(current_user, req.village):
        abort(404)
    return req


# Questions and objections -------------------------------------------------------

QUESTION_STATES = {"open": "待答复", "overdue": "已超期", "answered": "已答复", "all": "全部"}


@bp.get("/questions")
def question_list():
    state = request.args.get("state", "open")
    state = state if state in QUESTION_STATES else "open"
    village_id = request.args.get("village", type=int)
    village = village_in_scope(village_id) if village_id else None
    today = china_today()
    questions = service.questions_for(_user(), village=village, state=state, today=today)
    return render_template("admin/feedback_list.html", questions=questions, state=state, states=QUESTION_STATES,
                           villages=visible_villages(), selected_village=village_id, today=today,
                           is_overdue=service.is_overdue)


@bp.get("/questions/<int:question_id>")
def question_detail(question_id: int, answer_form: AnswerForm | None = None, hide_form: HideForm | None = None):
    question = _question_in_scope(question_id)
    today = china_today()
    return render_template(
        "admin/feedback_detail.html", q=question, notice=question.notice, today=today,
        answer_form=answer_form or AnswerForm(answer=question.answer), hide_form=hide_form or HideForm(),
        action_form=ActionForm(), is_overdue=service.is_overdue(question, today),
        in_notice_period=question.notice is not None and service.in_notice_period(question.notice, today),
        open_objections=service.open_objections(question.notice) if question.notice is not None else 0,
    )


@bp.post("/questions/<int:question_id>/answer")
def question_answer(question_id: int):
    question = _question_in_scope(question_id)
    form = AnswerForm()
    if not form.validate():
        return question_detail(question_id, answer_form=form), 400
    was_held = question.notice is not None and question.notice.on_hold_since is not None
    try:
        service.answer(question, _user(), form.answer.data)
    except ServiceError as err:
        refuse(err, form)
        return question_detail(question_id, answer_form=form), 400
    db.session.commit()
    message = f"已答复 {question.ticket_no}，答复已公开显示在公示下方。"
    if question.notice is None:
        message = f"已答复 {question.ticket_no}。" + ("答复已公开显示在村务信箱。" if question.is_public else "提问人凭编号可查看答复。")
    if was_held and question.notice.on_hold_since is None:
        message += "异议已全部答复，公示已恢复。"
    flash(message, "success")
    return redirect(url_for("admin.question_detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/hide")
def question_hide(question_id: int):
    question = _question_in_scope(question_id)
    form = HideForm()
    if not form.validate():
        return question_detail(question_id, hide_form=form), 400
    try:
        service.hide(question, _user(), form.reason.data)
    except ServiceError as err:
        refuse(err, form)
        return question_detail(question_id, hide_form=form), 400
    db.session.commit()
    flash(f"已隐藏 {question.ticket_no}。", "success")
    return redirect(url_for("admin.question_detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/hold")
def question_hold(question_id: int):
    """暂停公示 of the question's notice, by staff decision."""
    question = _question_in_scope(question_id)
    if not ActionForm().validate():
        abort(400)
    try:
        service.hold(question.notice, _user())
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("已暂停公示。答复全部异议后将自动恢复。", "success")
    return redirect(url_for("admin.question_detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/release")
def question_release(question_id: int):
    question = _question_in_scope(question_id)
    if not ActionForm().validate():
        abort(400)
    try:
        service.release(question.notice, _user())
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("已恢复公示。", "success")
    return redirect(url_for("admin.question_detail", question_id=question.id))


# 依申请公开 ------------------------------------------------------------------------

@bp.get("/requests")
def request_list():
    today = china_today()
    rows = service.requests_for(_user())
    return render_template("admin/requests_list.html", requests=rows, today=today, status=requests_service.status,
                           labels=requests_service.STATUS_LABELS)


@bp.route("/requests/new", methods=["GET", "POST"])
def request_new():
    villages = visible_villages()
    form = RequestForm()
    form.village_id.choices = options((v.id, v.name) for v in villages)
    if form.validate_on_submit():
        village = village_in_scope(form.village_id.data)
        try:
            req = service.register_request(village, _user(), requester=form.requester.data,
                                           contact=form.contact.data or "", subject=form.subject.data,
                                           received_on=form.received_on.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已登记 {req.ticket_no}，法定答复期限为{req.due_on:%Y年%m月%d日}。", "success")
            return redirect(url_for("admin.request_detail", request_id=req.id))
    return render_template("admin/requests_form.html", form=form), 400 if form.errors else 200


@bp.get("/requests/<int:request_id>")
def request_detail(request_id: int, extend_form: ExtendForm | None = None, reply_form: ReplyForm | None = None,
                   attach_form: AttachForm | None = None, correction_form: CorrectionForm | None = None):
    req = _request_in_scope(request_id)
    today = china_today()
    return render_template("admin/requests_detail.html", req=req, today=today,
                           state=requests_service.status(req, today), labels=requests_service.STATUS_LABELS,
                           extend_form=extend_form or ExtendForm(),
                           reply_form=reply_form or ReplyForm(reply_type=req.reply_type or None,
                                                              ground=req.reply_ground or None,
                                                              refer_to=req.refer_to, reply=req.reply,
                                                              replied_on=req.replied_on or today),
                           attach_form=attach_form or AttachForm(), correction_form=correction_form or CorrectionForm(),
                           waiting=requests_service.is_waiting_for_correction(req),
                           can_attach=req.reply_type in (requests_service.GRANTED, requests_service.PARTIAL))


def _request_action(request_id: int, form: Form, slot: str, act, message):  # noqa: ANN001, ANN202
    """One POST on a request: validate the form, call the service, commit once,
    flash ``message(req)``; a refusal shows the detail page with the form's errors."""
    req = _request_in_scope(request_id)
    if form.validate():
        try:
            act(req)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(message(req), "success")
            return redirect(url_for("admin.request_detail", request_id=req.id))
    return request_detail(request_id, **{slot: form}), 400


@bp.post("/requests/<int:request_id>/extend")
def request_extend(request_id: int):
    form = ExtendForm()
    return _request_action(
        request_id, form, "extend_form", lambda req: service.extend_request(req, _user(), form.days.data, form.reason.data),
        lambda req: f"已延期至{req.extended_due_on:%Y年%m月%d日}。")


@bp.post("/requests/<int:request_id>/reply")
def request_reply(request_id: int):
    form = ReplyForm()
    return _request_action(
        request_id, form, "reply_form",
        lambda req: requests_service.reply(req, _user(), reply_type=form.reply_type.data, text=form.reply.data or "",
                                           ground=form.ground.data or "", refer_to=form.refer_to.data or "",
                                           replied_on=form.replied_on.data),
        lambda req: f"已记录答复（{req.reply_type}），告知书可以打印，申请人凭编号可查看。")


@bp.post("/requests/<int:request_id>/attach")
def request_attach(request_id: int):
    form = AttachForm()
    upload = form.attachment.data
    return _request_action(
        request_id, form, "attach_form",
        lambda req: requests_service.attach(
            req, _user(), upload.read(requests_service.PDF_MAX_BYTES + 1) if upload else b""),
        lambda req: f"已附上公开的文件（{req.attachment_pages}页）。")


@bp.post("/requests/<int:request_id>/corrected")
def request_corrected(request_id: int):
    form = CorrectionForm()
    return _request_action(
        request_id, form, "correction_form",
        lambda req: requests_service.record_correction(req, _user(), form.corrected_on.data, form.subject.data or ""),
        lambda req: f"已收到补正，答复期限重新计算至{req.due_on:%Y年%m月%d日}。")


@bp.get("/requests/<int:request_id>/letter.pdf")
def request_letter(request_id: int):
    req = _request_in_scope(request_id)
    if not req.reply_type:
        flash("尚未答复，还没有告知书。", "error")
        return redirect(url_for("admin.request_detail", request_id=req.id))
    data = render.render_isolated(voice_print.letter_html(req, request.host_url), request.host_url)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"告知书-{req.ticket_no}.pdf")
