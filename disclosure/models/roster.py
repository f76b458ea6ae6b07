"""Roster lines: subsidies (惠农补贴), social assistance (低保/特困/临时救助),
relief-project beneficiaries. Only masked and hashed identity data is kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from decimal import Decimal

from ..extensions import db
from .notice import Notice


class RosterLine(db.Model):
    __tablename__ = "roster_lines"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("length(name) > 0", name="name_present"),
        Index("ix_roster_lines_village_kind", "village_id", "kind"),
        Index("ix_roster_lines_id_hash", "id_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    seq: Mapped[int]  # order on the roster (序号)
    kind: Mapped[str] = mapped_column(String(16))  # catalogue.ROSTER_KINDS key
    #: Full name: staff side only (and red-flag checks).
    name: Mapped[str] = mapped_column(String(32))
    #: The name the public sees, set once at intake by privacy.mask_name.
    public_name: Mapped[str] = mapped_column(String(32))
    #: Pinyin initials for the kiosk keypad, space-separated alternatives ("ZSM SSM").
    initials: Mapped[str] = mapped_column(String(64), default="", index=True)
    group_no: Mapped[int | None]
    #: Keyed fingerprint of the ID number (disclosure/keys.py) in key version ``id_key``;
    #: ``flask keys rotate`` re-keys it, so it is what detection and the self-lookup match.
    id_hash: Mapped[str | None] = mapped_column(String(64))
    id_key: Mapped[int | None]
    #: The fingerprint (and its key version) a published version was sealed with, kept
    #: when a rotation re-keys ``id_hash``: hash formats 1 and 2 and the format-3
    #: commitment cover it, and a published version never changes.
    sealed_id_hash: Mapped[str | None] = mapped_column(String(64))
    sealed_id_key: Mapped[int | None]
    id_masked: Mapped[str] = mapped_column(String(24), default="")
    account_masked: Mapped[str] = mapped_column(String(24), default="")
    phone_masked: Mapped[str] = mapped_column(String(16), default="")
    household_size: Mapped[int | None]
    #: Basis quantity (e.g. area in 亩) in thousandths, exact on every database.
    quantity_milli: Mapped[int | None]
    rate_fen: Mapped[int | None]
    amount_fen: Mapped[int]
    paid_on: Mapped[dt.date | None]
    reason: Mapped[str] = mapped_column(String(16), default="")  # public reason category only

    notice: Mapped[Notice] = relationship(back_populates="roster_lines")

    @property
    def sealed_fingerprint(self) -> tuple[str | None, int | None]:
        """(fingerprint, key version) as sealed: the kept copy after a rotation, else id_hash."""
        if self.sealed_id_hash is not None:
            return self.sealed_id_hash, self.sealed_id_key
        return self.id_hash, self.id_key

    @property
    def quantity(self) -> Decimal | None:
        return None if self.quantity_milli is None else Decimal(self.quantity_milli) / 1000
