"""Finance ledger lines (收支明细) and their voucher photos (凭证照片)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import Notice, utcnow


class LedgerLine(db.Model):
    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("direction IN ('income', 'expense')", name="direction_known"),
        Index("ix_ledger_lines_village_date", "village_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    occurred_on: Mapped[dt.date]
    voucher_no: Mapped[str] = mapped_column(String(32), default="")
    summary: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(32))  # catalogue.LEDGER_SUBJECTS key
    amount_fen: Mapped[int]
    handler: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(String(200), default="")

    notice: Mapped[Notice] = relationship(back_populates="ledger_lines")
    #: Loaded with the lines, in one more query however many lines were loaded ("subquery"):
    #: a page of lines shows each line's photos, and a version's hash covers them.
    vouchers: Mapped[list[VoucherImage]] = relationship(
        back_populates="line", order_by="VoucherImage.id", cascade="all, delete-orphan", lazy="subquery"
    )


class VoucherImage(db.Model):
    """A photo of an invoice or receipt, re-encoded without metadata.

    Files live in the file store (disclosure/storage.py) as vouchers/<sha256>.jpg and .thumb.jpg.
    Not part of the notice's content hash: a supervisor may keep one off the
    public side after publication."""

    __tablename__ = "voucher_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("ledger_lines.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    #: Off until a supervisor of the village makes it public (vouchers.set_public).
    is_public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    line: Mapped[LedgerLine] = relationship(back_populates="vouchers")
