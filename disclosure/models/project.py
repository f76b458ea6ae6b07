"""Poverty-relief (衔接资金) projects and collective assets."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import Notice


class Stage(enum.StrEnum):
    PLANNED = "planned"  # 事前公示 (before work starts)
    UNDERWAY = "underway"  # 实施中
    COMPLETED = "completed"  # 事后公告 (result)
    ACCEPTED = "accepted"  # 验收完成

    @property
    def label(self) -> str:
        return {"planned": "计划公示", "underway": "实施中", "completed": "已完工", "accepted": "已验收"}[self.value]


class ProjectDetail(db.Model):
    """The fields DESIGN.md requires of a relief-project notice. One per notice
    version; ``project_key`` ties the stages of one project together."""

    __tablename__ = "project_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), unique=True)
    project_key: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))  # 项目名称
    location: Mapped[str] = mapped_column(String(200))  # 实施地点
    content: Mapped[str] = mapped_column(Text)  # 建设内容
    subsidy_standard: Mapped[str] = mapped_column(Text, default="")  # 补助标准
    starts_on: Mapped[dt.date]  # 实施期限
    ends_on: Mapped[dt.date]
    implementer: Mapped[str] = mapped_column(String(200))  # 实施单位
    responsible: Mapped[str] = mapped_column(String(64))  # 责任人
    performance_goal: Mapped[str] = mapped_column(Text, default="")  # 绩效目标
    households_benefiting: Mapped[int] = mapped_column(default=0)
    persons_benefiting: Mapped[int] = mapped_column(default=0)
    benefit_mechanism: Mapped[str] = mapped_column(Text, default="")  # 带贫减贫/利益联结机制
    procurement: Mapped[str] = mapped_column(Text, default="")  # 招标与采购情况
    result: Mapped[str] = mapped_column(Text, default="")  # 实施结果
    stage: Mapped[str] = mapped_column(String(16), default=Stage.PLANNED.value)

    notice: Mapped[Notice] = relationship(back_populates="project")
    funds: Mapped[list[ProjectFund]] = relationship(
        back_populates="project", order_by="ProjectFund.id", cascade="all, delete-orphan"
    )

    @property
    def allocated_fen(self) -> int:
        return sum(f.allocated_fen for f in self.funds)

    @property
    def spent_fen(self) -> int:
        return sum(f.spent_fen for f in self.funds)


class ProjectFund(db.Model):
    """资金来源及规模: one line per source."""

    __tablename__ = "project_funds"
    __table_args__ = (
        CheckConstraint("allocated_fen >= 0", name="allocated_not_negative"),
        CheckConstraint("spent_fen >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project_details.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))  # 中央衔接资金 / 省级 / 县级 / 村集体自筹
    allocated_fen: Mapped[int]
    spent_fen: Mapped[int] = mapped_column(default=0)

    project: Mapped[ProjectDetail] = relationship(back_populates="funds")


class AssetLine(db.Model):
    """集体资产资源: an asset or a lease/contract on it."""

    __tablename__ = "asset_lines"
    __table_args__ = (CheckConstraint("annual_income_fen >= 0", name="income_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))  # 资产名称
    kind: Mapped[str] = mapped_column(String(32))  # 土地 / 房屋 / 林地 / 设备
    location: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[str] = mapped_column(String(64), default="")  # 面积/数量 as written
    lessee: Mapped[str] = mapped_column(String(64), default="")  # 承租方 (a business or masked name)
    contract_start: Mapped[dt.date | None]
    contract_end: Mapped[dt.date | None]
    annual_income_fen: Mapped[int] = mapped_column(default=0)

    notice: Mapped[Notice] = relationship(back_populates="asset_lines")
