"""Township (乡镇), village (村) and villagers' group (村民小组)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Township(db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(64), default="")
    #: Township office phone for objections (public: an office line, not a person's mobile).
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: Overrides of catalogue defaults: {"notice_days": {"finance": 10}, "frequency": {...},
    #: "full_name_categories": ["subsidy"], "standards": {"dibao": 80000}}
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.code")


class Village(db.Model):
    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # used in kiosk URLs
    name: Mapped[str] = mapped_column(String(64))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    #: 村务监督委员会 office phone.
    supervision_phone: Mapped[str] = mapped_column(String(32), default="")
    #: Balance carried into the board and the day it stands at (the ledger starts after it).
    opening_balance_fen: Mapped[int] = mapped_column(default=0)
    opening_date: Mapped[dt.date] = mapped_column(default=lambda: dt.date(2000, 1, 1))
    #: Counts every change of what the public sees of this village (disclosure/pagecache.py bumps it
    #: on flush): part of every cached page's key, so a publish on one worker reaches them all.
    public_rev: Mapped[int] = mapped_column(default=0, server_default="0")

    township: Mapped[Township] = relationship(back_populates="villages")
    groups: Mapped[list[VillageGroup]] = relationship(
        back_populates="village", order_by="VillageGroup.number", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.township.name}{self.name}"


class VillageGroup(db.Model):
    __tablename__ = "village_groups"
    __table_args__ = (UniqueConstraint("village_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(32))  # 第2村民小组

    village: Mapped[Village] = relationship(back_populates="groups")
