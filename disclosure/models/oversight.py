"""Township oversight: the cadre-relatives register and red flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import utcnow
from .place import Village
from .user import User


class CadreRelative(db.Model):
    """村干部及近亲属 register; township staff only. Identity by keyed ID hash."""

    __tablename__ = "cadre_relatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    name: Mapped[str] = mapped_column(String(32))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_key: Mapped[int | None]  # key ring version of id_hash (disclosure/keys.py)
    cadre_name: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(16))  # 本人 / 配偶 / 父母 / 子女 …


class RedFlag(db.Model):
    __tablename__ = "red_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    kind: Mapped[str] = mapped_column(String(24))  # duplicate_payment | above_standard | cadre_relative
    #: Stable key so re-running the checks does not duplicate a flag.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text)
    roster_line_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[dt.datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clear_reason: Mapped[str] = mapped_column(Text, default="")

    village: Mapped[Village] = relationship()
    cleared_by: Mapped[User | None] = relationship()
