"""Self-lookups (我领了什么): one row per lookup a villager made, for audit,
the per-ID daily limit and the township's monthly counts. The ID number is
kept only as the same keyed fingerprint rosters store; never the number."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .notice import utcnow


class LookupLog(db.Model):
    __tablename__ = "lookup_log"
    __table_args__ = (
        Index("ix_lookup_log_id_hash_at", "id_hash", "at"),
        Index("ix_lookup_log_township_at", "township_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The kiosk's village, or the village the phone page was opened for (None: not given).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    channel: Mapped[str] = mapped_column(String(8))  # kiosk | phone
    #: privacy.id_fingerprint of the typed ID (None when the number was not a valid ID).
    id_hash: Mapped[str | None] = mapped_column(String(64))
    id_key: Mapped[int | None]  # key ring version of id_hash (disclosure/keys.py)
    outcome: Mapped[str] = mapped_column(String(16))  # found | none | limited | invalid
