"""A clerk enters a decision notice's matter (四议两公开, 一事一议) and its
four meetings on the notice's page; the supervisor reviews it there like any
other notice. Each view parses the form, calls services.decisions, commits once."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_login import current_user
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from disclosure.extensions import db
from disclosure.models import MEETING_ORDER, DecisionMeeting, DecisionStage, Notice
from disclosure.services import ServiceError, rules
from disclosure.services import decisions as service

from . import bp
from .common import notice_in_scope, refuse
from .forms import ActionForm, ChineseDate, Form, MoneyField, options, required

_COUNT = [Optional(), NumberRange(0, 100_000, message="人数或票数不正确")]


class DecisionForm(Form):
    subject = StringField("议题", [required("议题"), Length(max=200)])
    stage = SelectField("公开阶段", choices=options([(s.value, s.label) for s in DecisionStage]))
    decision_key = StringField("事项编号（同一事项各阶段相同，可留空）", [Length(max=32)])
    proposal = TextAreaField("提议内容（方案）")
    comment_closes_on = ChineseDate("意见征集截止日期", [Optional()])
    adopted = TextAreaField("采纳的意见")
    not_adopted = TextAreaField("未采纳的意见及理由")
    result = TextAreaField("实施结果")
    is_yishi = BooleanField("一事一议（筹资筹劳）")
    levy_per_person = MoneyField("筹资标准（元/人·年）", [Optional()], allow_zero=True)
    labour_days_per_worker = IntegerField("筹劳标准（天/劳动力·年）", [Optional(), NumberRange(0, 365, message="天数不正确")])
    households = IntegerField("参与户数", _COUNT)
    raised = MoneyField("实际筹资总额（元）", [Optional()], allow_zero=True)
    spent = MoneyField("已支出（元）", [Optional()], allow_zero=True)


class MeetingForm(Form):
    step = SelectField("会议环节", choices=options([(s.value, s.label) for s in MEETING_ORDER]))
    held_on = ChineseDate("会议日期", [required("会议日期")])
    expected = IntegerField("应到人数", _COUNT)
    attendance = IntegerField("实到人数", [required("实到人数"), *_COUNT[1:]])
    votes_for = IntegerField("赞成", _COUNT)
    votes_against = IntegerField("反对", _COUNT)
    votes_abstain = IntegerField("弃权", _COUNT)
    outcome = TextAreaField("会议意见", [Length(max=2000)])


def decision_form(notice: Notice) -> DecisionForm:
    """The form filled with what the notice's decision says now."""
    form = DecisionForm(formdata=None, obj=notice.decision)
    d = notice.decision
    if d is not None:
        form.levy_per_person.data, form.raised.data, form.spent.data = d.levy_per_person_fen, d.raised_fen, d.spent_fen
    return form


def forms_for(notice: Notice) -> dict:
    """The decision forms the notice page shows and the day its resolution is
    due (empty unless it is a decision notice)."""
    if notice.category != service.DECISION_CATEGORY:
        return {}
    return {"decision_form": decision_form(notice), "meeting_form": MeetingForm(formdata=None),
            "decision_due": service.publish_due(notice.decision) if notice.decision else None,
            "decision_days": rules.decision_publish_days(notice.village.township)}


def _render(notice: Notice, **forms):  # noqa: ANN003, ANN202
    from .notices import _render_detail

    return _render_detail(notice, 400, **{**forms_for(notice), **forms})


@bp.post("/notices/<int:notice_id>/decision")
def decision_save(notice_id: int):
    from .notices import _done

    notice = notice_in_scope(notice_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.set_decision(
                notice, current_user, subject=form.subject.data, stage=form.stage.data,
                decision_key=form.decision_key.data or "", proposal=form.proposal.data or "",
                comment_closes_on=form.comment_closes_on.data, adopted=form.adopted.data or "",
                not_adopted=form.not_adopted.data or "", result=form.result.data or "", is_yishi=form.is_yishi.data,
                levy_per_person_fen=form.levy_per_person.data, labour_days_per_worker=form.labour_days_per_worker.data,
                households=form.households.data, raised_fen=form.raised.data, spent_fen=form.spent.data,
            )
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("决策信息已保存。", notice, "decision")
    return _render(notice, decision_form=form)


@bp.post("/notices/<int:notice_id>/meetings")
def meeting_add(notice_id: int):
    from .notices import _done

    notice = notice_in_scope(notice_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = service.MeetingInput(
            step=form.step.data, held_on=form.held_on.data, expected=form.expected.data,
            attendance=form.attendance.data, votes_for=form.votes_for.data or 0,
            votes_against=form.votes_against.data or 0, votes_abstain=form.votes_abstain.data or 0,
            outcome=form.outcome.data or "",
        )
        try:
            service.add_meeting(notice, current_user, meeting)
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done(f"已录入{meeting_label(meeting.step)}。", notice, "decision")
    return _render(notice, meeting_form=form)


def meeting_label(step: str) -> str:
    return next((s.label for s in MEETING_ORDER if s.value == step), step)


@bp.post("/notices/<int:notice_id>/meetings/<int:meeting_id>/delete")
def meeting_delete(notice_id: int, meeting_id: int):
    from .notices import _done

    notice = notice_in_scope(notice_id)
    meeting = db.session.get(DecisionMeeting, meeting_id)
    if meeting is None or notice.decision is None or meeting.decision_id != notice.decision.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.remove_meeting(notice, current_user, meeting)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.notice_detail", notice_id=notice.id, _anchor="decision"))
    return _done("已删除该会议记录。", notice, "decision")
