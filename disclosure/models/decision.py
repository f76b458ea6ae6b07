"""Structured decisions of major matters (四议两公开) and 一事一议 funding.

A decision notice (category ``major``) carries one :class:`DecisionDetail`:
which public stage it is (意见征集, 决议公开, 实施结果公开), the matter, and the
four meetings of 四议 with their dates, attendance and votes. ``decision_key``
ties the stages of one decision together, as ``project_key`` does for a
relief project. The 一事一议 fields (筹资筹劳) are money in integer fen.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import Notice


class DecisionStage(enum.StrEnum):
    CONSULTATION = "consultation"  # 意见征集 (before the resolution)
    RESOLUTION = "resolution"  # 决议公开
    RESULT = "result"  # 实施结果公开

    @property
    def label(self) -> str:
        return {"consultation": "意见征集", "resolution": "决议公开", "result": "实施结果公开"}[self.value]


class MeetingStep(enum.StrEnum):
    """The four steps of 四议, in the order they must happen."""

    PROPOSAL = "proposal"  # 村党组织提议
    DELIBERATION = "deliberation"  # 村"两委"会议商议
    REVIEW = "review"  # 党员大会审议
    RESOLUTION = "resolution"  # 村民代表会议或村民会议决议

    @property
    def label(self) -> str:
        return MEETING_LABELS[self]


MEETING_LABELS = {
    MeetingStep.PROPOSAL: "村党组织提议",
    MeetingStep.DELIBERATION: "村“两委”会议商议",
    MeetingStep.REVIEW: "党员大会审议",
    MeetingStep.RESOLUTION: "村民代表会议决议",
}
MEETING_ORDER = tuple(MeetingStep)


class DecisionDetail(db.Model):
    __tablename__ = "decision_details"
    __table_args__ = (
        CheckConstraint("levy_per_person_fen >= 0", name="levy_not_negative"),
        CheckConstraint("raised_fen >= 0", name="raised_not_negative"),
        CheckConstraint("spent_fen >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), unique=True)
    decision_key: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str] = mapped_column(String(16), default=DecisionStage.RESOLUTION.value)
    subject: Mapped[str] = mapped_column(String(200))  # 议题
    proposal: Mapped[str] = mapped_column(Text, default="")  # 提议内容（方案）
    comment_closes_on: Mapped[dt.date | None]  # 意见征集截止日期
    adopted: Mapped[str] = mapped_column(Text, default="")  # 采纳的意见
    not_adopted: Mapped[str] = mapped_column(Text, default="")  # 未采纳的意见及理由
    result: Mapped[str] = mapped_column(Text, default="")  # 实施结果
    # 一事一议 筹资筹劳
    is_yishi: Mapped[bool] = mapped_column(default=False)
    levy_per_person_fen: Mapped[int | None]  # 筹资标准：每人每年
    labour_days_per_worker: Mapped[int | None]  # 筹劳标准：每个劳动力每年（天）
    households: Mapped[int | None]  # 参与户数
    raised_fen: Mapped[int | None]  # 实际筹资总额
    spent_fen: Mapped[int | None]  # 已支出

    notice: Mapped[Notice] = relationship(back_populates="decision")
    meetings: Mapped[list[DecisionMeeting]] = relationship(
        back_populates="decision", order_by="(DecisionMeeting.held_on, DecisionMeeting.id)",
        cascade="all, delete-orphan",
    )

    @property
    def stage_label(self) -> str:
        return DecisionStage(self.stage).label

    def meeting(self, step: str) -> DecisionMeeting | None:
        return next((m for m in self.meetings if m.step == step), None)


class DecisionMeeting(db.Model):
    """One step of 四议: when it met, who came, how it voted."""

    __tablename__ = "decision_meetings"
    __table_args__ = (
        UniqueConstraint("decision_id", "step", name="uq_decision_meetings_step"),
        CheckConstraint("attendance >= 0 AND votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0",
                        name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision_details.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # MeetingStep
    held_on: Mapped[dt.date]
    expected: Mapped[int | None]  # 应到人数
    attendance: Mapped[int]  # 实到人数
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    votes_abstain: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(Text, default="")  # 会议意见/结论

    decision: Mapped[DecisionDetail] = relationship(back_populates="meetings")

    @property
    def step_label(self) -> str:
        return MeetingStep(self.step).label

