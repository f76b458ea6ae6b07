"""Villagers' questions and objections (answer, hide, 暂停公示) and the
依申请公开 register. Staff see the villages services.access lets them see;
each view calls one service and commits once."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from disclosure.extensions import db
from disclosure.models import InfoRequest, Question
from disclosure.services import ServiceError, access
from disclosure.services import feedback as service

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
    reply = TextAreaField("答复内容", [required("答复内容"), Length(max=4000)])
    replied_on = DateField("答复日期", [InputRequired(message="请填写答复日期")], default=dt.date.today)


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
    today = dt.date.today()
    questions = service.questions_for(_user(), village=village, state=state, today=today)
    return render_template("admin/feedback_list.html", questions=questions, state=state, states=QUESTION_STATES,
                           villages=visible_villages(), selected_village=village_id, today=today,
                           is_overdue=service.is_overdue)


@bp.get("/questions/<int:question_id>")
def question_detail(question_id: int, answer_form: AnswerForm | None = None, hide_form: HideForm | None = None):
    question = _question_in_scope(question_id)
    today = dt.date.today()
    return render_template(
        "admin/feedback_detail.html", q=question, notice=question.notice, today=today,
        answer_form=answer_form or AnswerForm(answer=question.answer), hide_form=hide_form or HideForm(),
        action_form=ActionForm(), is_overdue=service.is_overdue(question, today),
        in_notice_period=service.in_notice_period(question.notice, today),
        open_objections=service.open_objections(question.notice),
    )


@bp.post("/questions/<int:question_id>/answer")
def question_answer(question_id: int):
    question = _question_in_scope(question_id)
    form = AnswerForm()
    if not form.validate():
        return question_detail(question_id, answer_form=form), 400
    was_held = question.notice.on_hold_since is not None
    try:
        service.answer(question, _user(), form.answer.data)
    except ServiceError as err:
        refuse(err, form)
        return question_detail(question_id, answer_form=form), 400
    db.session.commit()
    message = f"已答复 {question.ticket_no}，答复已公开显示在公示下方。"
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
    today = dt.date.today()
    rows = service.requests_for(_user())
    return render_template("admin/requests_list.html", requests=rows, today=today, status=service.request_status,
                           labels=service.REQUEST_STATUS_LABELS)


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
def request_detail(request_id: int, extend_form: ExtendForm | None = None, reply_form: ReplyForm | None = None):
    req = _request_in_scope(request_id)
    today = dt.date.today()
    return render_template("admin/requests_detail.html", req=req, today=today,
                           state=service.request_status(req, today), labels=service.REQUEST_STATUS_LABELS,
                           extend_form=extend_form or ExtendForm(),
                           reply_form=reply_form or ReplyForm(reply=req.reply, replied_on=req.replied_on or today))


@bp.post("/requests/<int:request_id>/extend")
def request_extend(request_id: int):
    req = _request_in_scope(request_id)
    form = ExtendForm()
    if not form.validate():
        return request_detail(request_id, extend_form=form), 400
    try:
        service.extend_request(req, _user(), form.days.data, form.reason.data)
    except ServiceError as err:
        refuse(err, form)
        return request_detail(request_id, extend_form=form), 400
    db.session.commit()
    flash(f"已延期至{req.extended_due_on:%Y年%m月%d日}。", "success")
    return redirect(url_for("admin.request_detail", request_id=req.id))


@bp.post("/requests/<int:request_id>/reply")
def request_reply(request_id: int):
    req = _request_in_scope(request_id)
    form = ReplyForm()
    if not form.validate():
        return request_detail(request_id, reply_form=form), 400
    try:
        service.reply_request(req, _user(), form.reply.data, form.replied_on.data)
    except ServiceError as err:
        refuse(err, form)
        return request_detail(request_id, reply_form=form), 400
    db.session.commit()
    flash("已记录答复。", "success")
    return redirect(url_for("admin.request_detail", request_id=req.id))
