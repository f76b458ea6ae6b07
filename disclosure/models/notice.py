"""A notice (公示) version and the workflow it moves through.

One row is one version. A correction (更正) is a new row whose
``supersedes_id`` names the version it replaces; both stay on record. The
lines a notice discloses (ledger, roster, assets, project) hang off the
version and never change once it is published; ``content_hash`` covers them
and ``chain_hash`` links the village's published versions into a chain.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .place import Village
from .user import User


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.SUBMITTED: "待审核",
    Status.APPROVED: "已审核待发布",
    Status.PUBLISHED: "已公布",
    Status.ARCHIVED: "已归档",
    Status.SUPERSEDED: "已更正",
    Status.WITHDRAWN: "已撤回",
}

#: Statuses whose content the public sees.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.ARCHIVED, Status.SUPERSEDED, Status.WITHDRAWN)
#: Statuses whose lines count in the village's current figures.
CURRENT_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)


def _enum(e: type[enum.Enum]) -> Enum:
    return Enum(e, native_enum=False, length=32, values_callable=lambda en: [m.value for m in en])


class Notice(db.Model):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_village_status", "village_id", "status"),
        UniqueConstraint("village_id", "chain_seq", name="uq_notices_village_chain_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    category: Mapped[str] = mapped_column(String(16))  # catalogue.CATEGORIES key
    roster_kind: Mapped[str | None] = mapped_column(String(16))  # catalogue.ROSTER_KINDS key
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    period_label: Mapped[str] = mapped_column(String(64))  # 2025年第三季度

    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.DRAFT)
    notice_start: Mapped[dt.date | None]
    notice_end: Mapped[dt.date | None]

    # Versions: series_id is the id of the first version; version counts from 1.
    series_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    on_hold_since: Mapped[dt.datetime | None]  # 暂停公示 while an objection is open

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]

    # Tamper evidence, set at publication.
    chain_seq: Mapped[int | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    prev_chain_hash: Mapped[str | None] = mapped_column(String(64))
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    verify_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    #: What content_hash covers (services/chain.py): 1 = text and lines, 2 = also receipt photos,
    #: 3 = roster lines as published plus a keyed commitment over their private fields.
    hash_format: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Key ring version (disclosure/keys.py) of the roster commitments of a format-3 version.
    commit_key: Mapped[int | None]

    village: Mapped[Village] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    supersedes: Mapped[Notice | None] = relationship(remote_side=[id], foreign_keys=[supersedes_id])

    ledger_lines: Mapped[list[LedgerLine]] = relationship(  # noqa: F821
        back_populates="notice", order_by="(LedgerLine.occurred_on, LedgerLine.id)", cascade="all, delete-orphan"
    )
    roster_lines: Mapped[list[RosterLine]] = relationship(  # noqa: F821
        back_populates="notice", order_by="RosterLine.seq", cascade="all, delete-orphan"
    )
    asset_lines: Mapped[list[AssetLine]] = relationship(  # noqa: F821
        back_populates="notice", order_by="AssetLine.seq", cascade="all, delete-orphan"
    )
    project: Mapped[ProjectDetail | None] = relationship(  # noqa: F821
        back_populates="notice", cascade="all, delete-orphan", uselist=False
    )
    attachments: Mapped[list[NoticeAttachment]] = relationship(  # noqa: F821
        back_populates="notice", order_by="NoticeAttachment.seq", cascade="all, delete-orphan"
    )
    decision: Mapped[DecisionDetail | None] = relationship(  # noqa: F821
        back_populates="notice", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT
