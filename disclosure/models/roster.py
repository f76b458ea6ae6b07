"""Roster lines: subsidies (惠农补贴), social assistance (低保/特困/临时救助),
relief-project beneficiaries. Only masked and hashed identity data is kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, delete, event, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from decimal import Decimal

from ..catalogue import GRADE_MAX_CHARS
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
    #: 等级 (保障类别 一类, 供养方式 集中供养, 补贴类别 护理补贴 …; never disability or health detail) where the kind shows one; None when not given.
    grade: Mapped[str | None] = mapped_column(String(GRADE_MAX_CHARS))

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


#: Keypad keys compare byte by byte (A–Z and the "?" wildcard): PostgreSQL's "C" collation, SQLite's default.
KEY_TYPE = String(16).with_variant(postgresql.VARCHAR(16, collation="C"), "postgresql")


class RosterKey(db.Model):
    """One keypad alternative of one roster line ("Z?M", and "S?M" for 单*明):
    the keypad's search is a prefix range scan of (notice_id, key), not a
    LIKE over every line. Written with the line (see _write_keys below)."""

    __tablename__ = "roster_keys"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(KEY_TYPE, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("roster_lines.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


def key_rows(line_id: int, notice_id: int, initials: str) -> list[dict]:
    """The roster_keys rows of one line: one per alternative of its initials."""
    return [{"notice_id": notice_id, "key": key[:16], "line_id": line_id} for key in dict.fromkeys(initials.split())]


@event.listens_for(Session, "after_flush")
def _write_keys(session: Session, flush_context) -> None:  # noqa: ANN001
    """New roster lines get their keys in the same transaction; a line whose
    initials change (intake never does this after publication) gets new ones."""
    rows, renewed = [], []
    for obj in session.new:
        if isinstance(obj, RosterLine):
            rows += key_rows(obj.id, obj.notice_id, obj.initials or "")
    for obj in session.dirty:
        if isinstance(obj, RosterLine) and db.inspect(obj).attrs.initials.history.has_changes():
            renewed.append(obj.id)
            rows += key_rows(obj.id, obj.notice_id, obj.initials or "")
    connection = session.connection()
    if renewed:
        connection.execute(delete(RosterKey.__table__).where(RosterKey.__table__.c.line_id.in_(renewed)))
    if rows:
        connection.execute(insert(RosterKey.__table__), rows)
