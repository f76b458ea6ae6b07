"""Standing documents (文件库): 村规民约, 财务管理制度, policies and standards of
a village or of its township, with their state (有效 / 已废止 / 已修订) and
effective dates. A revision is a new document; the old one names it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import _enum, utcnow
from .place import Township, Village
from .user import User


class DocumentStatus(enum.StrEnum):
    IN_FORCE = "in_force"
    REPEALED = "repealed"
    REVISED = "revised"

    @property
    def label(self) -> str:
        return {"in_force": "有效", "repealed": "已废止", "revised": "已修订"}[self.value]


#: Kinds of standing document, in the order the library lists them.
DOCUMENT_KINDS = ("村规民约", "财务管理制度", "村务公开制度", "政策文件", "补助标准", "其他")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_township_village", "township_id", "village_id"),
        CheckConstraint("pdf_pages IS NULL OR pdf_pages > 0", name="pdf_pages_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    #: None: a document of the township, shown in every one of its villages.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    kind: Mapped[str] = mapped_column(String(16))  # one of DOCUMENT_KINDS
    title: Mapped[str] = mapped_column(String(200))
    doc_no: Mapped[str] = mapped_column(String(64), default="")  # 文号, e.g. 青政发〔2025〕3号
    body: Mapped[str] = mapped_column(Text, default="")
    effective_on: Mapped[dt.date]
    #: The day it stopped being in force (废止 or replaced by a revision).
    ended_on: Mapped[dt.date | None]
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus), default=DocumentStatus.IN_FORCE)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    #: The scanned or typeset document, checked like a notice's attachment (disclosure/attachments.py).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_pages: Mapped[int | None]
    #: SHA-256 of ``pdf``, set once its page pictures for the kiosk and phone are in the
    #: file store (attachments area, named by it); None: not rendered yet (a document
    #: entered before they existed: `flask library render-pages`), the QR code still works.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    created_by: Mapped[User] = relationship()
    replaced_by: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])

    @property
    def is_in_force(self) -> bool:
        return self.status == DocumentStatus.IN_FORCE
