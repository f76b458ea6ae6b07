"""What a villager sees of a decision (四议两公开, 一事一议): its matter, the
four meetings with their votes in plain words, the 一事一议 money, and the
other public notices of the same decision (意见征集 → 决议公开 → 实施结果公开).
Every face (kiosk, phone, PDF, downloads) renders these objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import china_today
from ..models import MEETING_ORDER, MeetingStep, Notice
from ..money import format_yuan
from ..periods import format_date
from ..services import decisions as _decisions


@dataclass(frozen=True)
class PublicMeeting:
    step: str
    label: str  # 村党组织提议 …
    held_on: dt.date
    expected: int | None
    attendance: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    outcome: str

    @property
    def has_votes(self) -> bool:
        return bool(self.votes_for or self.votes_against or self.votes_abstain)

    @property
    def people(self) -> str:
        """2025年7月3日召开，应到45人，实到40人"""
        people = f"应到{self.expected}人，实到{self.attendance}人" if self.expected is not None \
            else f"到会{self.attendance}人"
        return f"{format_date(self.held_on)}召开，{people}"

    @property
    def sentence(self) -> str:
        """One plain line: 2025年7月3日召开，应到45人，实到40人；赞成36票，反对2票，弃权2票。"""
        votes = f"；赞成{self.votes_for}票，反对{self.votes_against}票，弃权{self.votes_abstain}票" if self.has_votes else ""
        return f"{self.people}{votes}。"


@dataclass(frozen=True)
class DecisionLink:
    notice_id: int
    stage_label: str
    title: str
    published_on: dt.datetime | None


@dataclass(frozen=True)
class PublicYishi:
    levy_per_person_fen: int | None
    labour_days_per_worker: int | None
    households: int | None
    raised_fen: int | None
    spent_fen: int | None

    @property
    def left_fen(self) -> int | None:
        if self.raised_fen is None or self.spent_fen is None:
            return None
        return self.raised_fen - self.spent_fen


@dataclass(frozen=True)
class PublicDecision:
    key: str
    stage: str
    stage_label: str
    subject: str
    proposal: str
    comment_closes_on: dt.date | None
    adopted: str
    not_adopted: str
    result: str
    meetings: tuple[PublicMeeting, ...]  # in the order of 四议
    missing_steps: tuple[str, ...]  # labels of steps not (yet) held
    yishi: PublicYishi | None
    related: tuple[DecisionLink, ...]  # the decision's other public notices
    comment_open: bool = False  # 意见征集 still taking suggestions today

    @property
    def is_consultation(self) -> bool:
        return self.stage == "consultation"


def decision_view(notice: Notice, today: dt.date | None = None) -> PublicDecision | None:
    d = notice.decision
    if d is None:
        return None
    by_step = {m.step: m for m in d.meetings}
    meetings = tuple(
        PublicMeeting(m.step, MeetingStep(m.step).label, m.held_on, m.expected, m.attendance, m.votes_for,
                      m.votes_against, m.votes_abstain, m.outcome)
        for m in (by_step.get(s.value) for s in MEETING_ORDER) if m is not None)
    yishi = PublicYishi(d.levy_per_person_fen, d.labour_days_per_worker, d.households, d.raised_fen,
                        d.spent_fen) if d.is_yishi else None
    related = tuple(DecisionLink(n.id, n.decision.stage_label, n.title, n.published_at)
                    for n in _decisions.village_decisions(notice.village, d.decision_key) if n.id != notice.id
                    and n.series_id != notice.series_id)
    return PublicDecision(
        key=d.decision_key, stage=d.stage, stage_label=d.stage_label, subject=d.subject, proposal=d.proposal,
        comment_closes_on=d.comment_closes_on, adopted=d.adopted, not_adopted=d.not_adopted, result=d.result,
        meetings=meetings, missing_steps=tuple(s.label for s in MEETING_ORDER if s.value not in by_step),
        yishi=yishi, related=related,
        comment_open=d.comment_closes_on is not None and (today or china_today()) <= d.comment_closes_on,
    )


def yishi_lines(y: PublicYishi) -> list[tuple[str, str]]:
    """The 一事一议 figures as (label, text) pairs, for the page and the PDF."""
    def money(fen: int | None, unit: str = "元") -> str:
        return "—" if fen is None else f"{format_yuan(fen)}{unit}"

    lines = [("筹资标准", money(y.levy_per_person_fen, "元/人·年")),
             ("筹劳标准", "—" if y.labour_days_per_worker is None else f"{y.labour_days_per_worker}天/劳动力·年"),
             ("参与户数", "—" if y.households is None else f"{y.households}户"),
             ("筹资总额", money(y.raised_fen)), ("已支出", money(y.spent_fen))]
    if y.left_fen is not None:
        lines.append(("结余", money(y.left_fen)))
    return lines


def decision_fields(p: PublicDecision) -> list[tuple[str, str]]:
    """Every field of a decision but its meetings as (label, text), in printed order."""
    fields = [("议题", p.subject), ("公开阶段", p.stage_label)]
    if p.proposal:
        fields.append(("提议内容", p.proposal))
    if p.comment_closes_on:
        fields.append(("意见征集截止", f"{format_date(p.comment_closes_on)}（请在此前向村委会或村务监督委员会提出意见）"))
    # The meetings' dates and votes print as a table (tables.meeting_table), as the downloads give them.
    fields += [(f"{m.label}意见", m.outcome) for m in p.meetings if m.outcome]
    if p.adopted:
        fields.append(("采纳的意见", p.adopted))
    if p.not_adopted:
        fields.append(("未采纳的意见及理由", p.not_adopted))
    if p.yishi is not None:
        fields.append(("一事一议筹资筹劳", "；".join(f"{label}{text}" for label, text in yishi_lines(p.yishi))))
    if p.result:
        fields.append(("实施结果", p.result))
    return fields
