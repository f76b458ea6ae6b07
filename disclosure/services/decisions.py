"""Structured decisions (四议两公开, 一事一议): enter a decision notice's
matter and its four meetings, check them, and find decisions published late.

A decision notice is a notice of category ``major`` with a
:class:`DecisionDetail`. Its stage says which public step it is: 意见征集 (for
comment, with a closing date), 决议公开 (the resolution, within a few working
days of the villagers' representatives' meeting) or 实施结果公开 (the result,
linked to the resolution by ``decision_key``). Like the rest of the services:
never reads ``request``, never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .. import periods, privacy
from ..clock import china_today
from ..extensions import db
from ..money import format_yuan
from ..models import (
    MEETING_ORDER, DecisionDetail, DecisionMeeting, DecisionStage, MeetingStep, Notice, PUBLIC_STATUSES, Status,
    User, Village,
)
from . import ServiceError, access, audit, notices, rules

#: The catalogue category whose notices carry decisions.
DECISION_CATEGORY = "major"


def _is_decision_notice(notice: Notice) -> bool:
    return notice.category == DECISION_CATEGORY


def _record(user: User, action: str, notice: Notice, **after: object) -> None:
    audit.record(user, action, "notice", notice.id, township_id=notice.village.township_id, after=dict(after))


# The matter ------------------------------------------------------------------

def set_decision(notice: Notice, user: User, *, subject: str, stage: str, decision_key: str = "",
                 proposal: str = "", comment_closes_on: dt.date | None = None, adopted: str = "",
                 not_adopted: str = "", result: str = "", is_yishi: bool = False,
                 levy_per_person_fen: int | None = None, labour_days_per_worker: int | None = None,
                 households: int | None = None, raised_fen: int | None = None,
                 spent_fen: int | None = None) -> DecisionDetail:
    """Create or update the decision of a draft of category 重大事项."""
    notices.ensure_editable(notice, user)
    if not _is_decision_notice(notice):
        raise ServiceError("只有重大事项公示可以填写决策信息（四议两公开）")
    subject = privacy.scrub_text(subject, 200)
    if not subject:
        raise ServiceError("请填写议题", "subject")
    if stage not in {s.value for s in DecisionStage}:
        raise ServiceError("未知的公开阶段", "stage")
    if stage == DecisionStage.CONSULTATION and comment_closes_on is None:
        raise ServiceError("意见征集须写明截止日期", "comment_closes_on")
    for name, value, label in (("levy_per_person_fen", levy_per_person_fen, "筹资标准"),
                               ("labour_days_per_worker", labour_days_per_worker, "筹劳标准"),
                               ("households", households, "参与户数"), ("raised_fen", raised_fen, "筹资总额"),
                               ("spent_fen", spent_fen, "已支出")):
        if value is not None and value < 0:
            raise ServiceError(f"{label}不能为负数", name)
    if is_yishi and levy_per_person_fen is None and labour_days_per_worker is None:
        raise ServiceError("一事一议请填写筹资标准（元/人）或筹劳标准（天/劳动力）", "levy_per_person")
    cap = rules.yishi_levy_cap_fen(notice.village.township)
    if is_yishi and cap is not None and (levy_per_person_fen or 0) > cap:
        raise ServiceError(f"筹资标准超过本地上限（每人每年不超过{format_yuan(cap)}元）", "levy_per_person")
    detail = notice.decision
    if detail is None:
        detail = DecisionDetail(decision_key=(decision_key or "").strip()[:32] or f"{notice.village.code}-{notice.id}")
        notice.decision = detail
    elif decision_key.strip():
        detail.decision_key = decision_key.strip()[:32]
    detail.subject, detail.stage = subject, stage
    detail.proposal = privacy.scrub_text(proposal)
    detail.comment_closes_on = comment_closes_on if stage == DecisionStage.CONSULTATION else None
    detail.adopted, detail.not_adopted = privacy.scrub_text(adopted), privacy.scrub_text(not_adopted)
    detail.result = privacy.scrub_text(result)
    detail.is_yishi = bool(is_yishi)
    yishi = dict(levy_per_person_fen=levy_per_person_fen, labour_days_per_worker=labour_days_per_worker,
                 households=households, raised_fen=raised_fen, spent_fen=spent_fen)
    for name, value in yishi.items():
        setattr(detail, name, value if is_yishi else None)
    db.session.flush()
    _record(user, "decision.set", notice, subject=detail.subject, stage=detail.stage, key=detail.decision_key)
    return detail


# The four meetings -----------------------------------------------------------

@dataclass(frozen=True)
class MeetingInput:
    step: str
    held_on: dt.date | None
    expected: int | None  # 应到
    attendance: int | None  # 实到
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    outcome: str = ""


def meeting_problem(meeting: MeetingInput, others: list[DecisionMeeting], today: dt.date) -> tuple[str, str] | None:
    """Why a meeting cannot be recorded beside ``others`` (the decision's
    other meetings): (Chinese message, field), or None."""
    if meeting.step not in {s.value for s in MeetingStep}:
        return "未知的会议环节", "step"
    label = MeetingStep(meeting.step).label
    if any(m.step == meeting.step for m in others):
        return f"{label}已经录入；如需修改，请先删除原记录", "step"
    if meeting.held_on is None:
        return f"请填写{label}的日期", "held_on"
    if meeting.held_on > today:
        return f"{label}的日期（{periods.format_date(meeting.held_on)}）晚于今天：只能录入已经召开的会议", "held_on"
    if meeting.attendance is None:
        return "请填写实到人数", "attendance"
    counts = (meeting.expected, meeting.attendance, meeting.votes_for, meeting.votes_against, meeting.votes_abstain)
    if any(n is not None and n < 0 for n in counts):
        return "人数和票数不能为负数", "attendance"
    if meeting.expected is not None and meeting.attendance > meeting.expected:
        return f"实到人数（{meeting.attendance}）超过应到人数（{meeting.expected}）", "attendance"
    votes = meeting.votes_for + meeting.votes_against + meeting.votes_abstain
    if votes > meeting.attendance:
        return (f"赞成、反对、弃权票合计{votes}票，超过实到人数{meeting.attendance}人：每位到会人员只能投一票",
                "votes_for")
    position = MEETING_ORDER.index(MeetingStep(meeting.step))
    for other in others:
        other_position = MEETING_ORDER.index(MeetingStep(other.step))
        earlier_step = other_position < position
        if (earlier_step and other.held_on > meeting.held_on) or (not earlier_step and other.held_on < meeting.held_on):
            first, second = (other, meeting) if earlier_step else (meeting, other)
            return (f"{MeetingStep(second.step).label}（{periods.format_date(second.held_on)}）早于"
                    f"{MeetingStep(first.step).label}（{periods.format_date(first.held_on)}）：四议须按 "
                    "村党组织提议→两委会议商议→党员大会审议→村民代表会议决议 的顺序进行", "held_on")
    return None


def add_meeting(notice: Notice, user: User, meeting: MeetingInput, today: dt.date | None = None) -> DecisionMeeting:
    notices.ensure_editable(notice, user)
    detail = notice.decision
    if detail is None:
        raise ServiceError("请先填写议题，再录入会议")
    problem = meeting_problem(meeting, list(detail.meetings), today or china_today())
    if problem:
        raise ServiceError(*problem)
    row = DecisionMeeting(
        step=meeting.step, held_on=meeting.held_on, expected=meeting.expected, attendance=meeting.attendance,
        votes_for=meeting.votes_for, votes_against=meeting.votes_against, votes_abstain=meeting.votes_abstain,
        outcome=privacy.scrub_text(meeting.outcome),
    )
    detail.meetings.append(row)
    db.session.flush()
    _record(user, "decision.meeting_add", notice, step=row.step, held_on=str(row.held_on),
            attendance=row.attendance, votes=[row.votes_for, row.votes_against, row.votes_abstain])
    return row


def remove_meeting(notice: Notice, user: User, meeting: DecisionMeeting) -> None:
    notices.ensure_editable(notice, user)
    if notice.decision is None or meeting.decision_id != notice.decision.id:
        raise ServiceError("该会议记录不属于此公示")
    _record(user, "decision.meeting_delete", notice, step=meeting.step, held_on=str(meeting.held_on))
    notice.decision.meetings.remove(meeting)
    db.session.flush()


# Before review -----------------------------------------------------------------

def earlier_consultation(detail: DecisionDetail) -> Notice | None:
    """The published 意见征集 of the same decision, if there was one."""
    return db.session.execute(
        select(Notice).join(DecisionDetail, DecisionDetail.notice_id == Notice.id)
        .where(DecisionDetail.decision_key == detail.decision_key, DecisionDetail.stage == DecisionStage.CONSULTATION,
               Notice.village_id == detail.notice.village_id, Notice.status.in_(PUBLIC_STATUSES))
        .order_by(Notice.published_at.desc()).limit(1)
    ).scalar_one_or_none()


def submit_problem(notice: Notice) -> str | None:
    """What a decision notice lacks before it can go to review, in Chinese."""
    detail = notice.decision
    if detail is None:  # a major matter told in plain text only
        return None
    steps = {m.step for m in detail.meetings}
    if detail.stage == DecisionStage.CONSULTATION:
        return None if MeetingStep.PROPOSAL in steps else "意见征集前须先录入村党组织提议"
    missing = [s.label for s in MEETING_ORDER if s not in steps]
    if missing:
        return f"四议尚未录全，缺少：{'、'.join(missing)}"
    if detail.stage == DecisionStage.RESOLUTION and earlier_consultation(detail) is not None \
            and not (detail.adopted.strip() or detail.not_adopted.strip()):
        return "该事项已征求过意见：请写明采纳了哪些意见，未采纳的意见及理由"
    if detail.stage == DecisionStage.RESULT and not detail.result.strip():
        return "实施结果公开须填写实施结果"
    return None


# Late publication ----------------------------------------------------------------

def publish_due(detail: DecisionDetail) -> dt.date | None:
    """The last day a resolution may be published: N working days (a township
    setting, 5 by default) after the villagers' representatives' meeting."""
    meeting = detail.meeting(MeetingStep.RESOLUTION)
    if meeting is None or detail.stage != DecisionStage.RESOLUTION:
        return None
    return periods.add_working_days(meeting.held_on, rules.decision_publish_days(detail.notice.village.township))


@dataclass(frozen=True)
class LateDecision:
    notice_id: int
    village_id: int
    village: str
    subject: str
    met_on: dt.date
    due_on: dt.date
    published_on: dt.date | None  # None: not published yet
    late_days: int  # working days past the due day

    @property
    def state(self) -> str:
        return "逾期发布" if self.published_on else "逾期未公开"


def late_decisions(user: User, today: dt.date | None = None) -> list[LateDecision]:
    """Resolutions (决议公开) in the villages on ``user``'s dashboard that were published
    after their due day, or are still unpublished past it (the current version
    of each; a corrected version keeps its first publication date)."""
    today = today or china_today()
    villages = access.dashboard_villages(user)
    ids = [v.id for v in villages]
    rows = db.session.execute(
        select(Notice).join(DecisionDetail, DecisionDetail.notice_id == Notice.id)
        .where(Notice.village_id.in_(ids), DecisionDetail.stage == DecisionStage.RESOLUTION,
               Notice.status.not_in([Status.SUPERSEDED, Status.WITHDRAWN]))
        .order_by(Notice.id)
    ).scalars() if ids else []
    found = []
    for notice in rows:
        due = publish_due(notice.decision)
        if due is None:
            continue
        published = _first_publication(notice)
        if published is None and today <= due:
            continue
        if published is not None and published <= due:
            continue
        late = periods.working_days_between(due, published or today)
        found.append(LateDecision(notice.id, notice.village_id, notice.village.name, notice.decision.subject,
                                  notice.decision.meeting(MeetingStep.RESOLUTION).held_on, due, published, late))
    return sorted(found, key=lambda d: (-d.late_days, d.due_on))


def _first_publication(notice: Notice) -> dt.date | None:
    """The day the decision was first disclosed: the start of the notice
    period of the first version of its series (publishing never starts one
    before the China date of publication)."""
    first = notice
    for _ in range(100):
        if first.supersedes is None:
            break
        first = first.supersedes
    return first.notice_start if first.published_at else None


def late_count_by_village(user: User, today: dt.date) -> dict[int, int]:
    counts: dict[int, int] = {}
    for late in late_decisions(user, today):
        counts[late.village_id] = counts.get(late.village_id, 0) + 1
    return counts


# Corrections ---------------------------------------------------------------------

_DETAIL_COPY = ("decision_key", "stage", "subject", "proposal", "comment_closes_on", "adopted", "not_adopted",
                "result", "is_yishi", "levy_per_person_fen", "labour_days_per_worker", "households", "raised_fen",
                "spent_fen")
_MEETING_COPY = ("step", "held_on", "expected", "attendance", "votes_for", "votes_against", "votes_abstain",
                 "outcome")


def copy_decision(old: Notice, new: Notice) -> None:
    """A correction carries the decision and its meetings over."""
    if old.decision is None:
        return
    new.decision = DecisionDetail(**{c: getattr(old.decision, c) for c in _DETAIL_COPY})
    new.decision.meetings = [DecisionMeeting(**{c: getattr(m, c) for c in _MEETING_COPY})
                             for m in old.decision.meetings]


def village_decisions(village: Village, key: str) -> list[Notice]:
    """Public notices of one decision (by key), in the order they were published."""
    return list(db.session.execute(
        select(Notice).join(DecisionDetail, DecisionDetail.notice_id == Notice.id)
        .where(Notice.village_id == village.id, DecisionDetail.decision_key == key,
               Notice.status.in_(PUBLIC_STATUSES))
        .order_by(Notice.published_at, Notice.id)
    ).scalars())
