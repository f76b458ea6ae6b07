"""Attachments (附件) of a notice: contracts, meeting minutes, drawings,
scanned tender results, as a checked PDF or a re-encoded image.

Files live in the board's file store (disclosure/attachments.py, one save/open
pair), named by the SHA-256 of the stored bytes. The digest and the public
flag (and the page pictures' digests) are part of the notice's content hash (services/chain.py): the flag is
set by a supervisor during review and never changes after publication.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import Notice, utcnow


class NoticeAttachment(db.Model):
    __tablename__ = "notice_attachments"
    __table_args__ = (CheckConstraint("kind IN ('pdf', 'image')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]  # order on the notice, from 1
    title: Mapped[str] = mapped_column(String(100))
    #: The file's name as uploaded (its folder dropped, numbers such as a phone scrubbed), for
    #: staff only: the review print lists it so the supervisor can match paper and files.
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(8))  # pdf | image
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored file (the PDF as uploaded, the clean JPEG)
    byte_size: Mapped[int]
    page_count: Mapped[int]  # PDF pages; 1 for an image
    #: SHA-256 of each page picture shown on the kiosk, space-separated, in page order;
    #: empty for an image (its own file is its one page). Hashed with the notice too.
    page_digests: Mapped[str] = mapped_column(Text, default="")
    #: Off until a supervisor of the village makes it public during review (attachments.set_public).
    is_public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="attachments")
