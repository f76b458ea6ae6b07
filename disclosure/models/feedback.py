"""Villagers' questions and objections (疑问/异议) and information requests (依申请公开)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .notice import Notice, utcnow
from .place import Village
from .user import User

#: Kiosk concern buttons (no keyboard there).
CONCERNS = ("金额不对", "名单有误", "看不懂", "其他")


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(16), unique=True)
    #: None for a 村务信箱 question (to the village, not about one notice).
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    #: The asker's choice for a 村务信箱 question: shown publicly with its answer, or not.
    is_public: Mapped[bool] = mapped_column(default=True, server_default=true())
    is_objection: Mapped[bool] = mapped_column(default=False)  # 异议 vs 疑问
    concern: Mapped[str] = mapped_column(String(16), default="其他")
    text: Mapped[str] = mapped_column(Text, default="")  # plain text, scrubbed of numbers
    #: Asker's contact: staff only, never on a public page.
    contact: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(8))  # kiosk | phone
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_on: Mapped[dt.date]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_hidden: Mapped[bool] = mapped_column(default=False)  # spam/abuse, with reason
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice | None] = relationship()
    village: Mapped[Village] = relationship()
    answered_by: Mapped[User | None] = relationship()


class InfoRequest(db.Model):
    """依申请公开: 20 working days from receipt, one extension of up to 20 with a reason."""

    __tablename__ = "info_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(16), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    requester: Mapped[str] = mapped_column(String(64))  # staff only
    contact: Mapped[str] = mapped_column(String(64), default="")  # staff only
    subject: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    extended_due_on: Mapped[dt.date | None]
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[dt.date | None]
    #: None when the villager applied on the kiosk or phone.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(8), default="staff", server_default="staff")  # staff|kiosk|phone
    #: Typed reply (REPLY_TYPES in services.requests), its legal ground and whom to ask instead.
    reply_type: Mapped[str] = mapped_column(String(16), default="", server_default="")
    reply_ground: Mapped[str] = mapped_column(String(32), default="", server_default="")
    refer_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: 需补正: asked on this day; the clock restarts when the correction arrives.
    correction_asked_on: Mapped[dt.date | None]
    #: Released documents, one checked PDF.
    attachment_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attachment_pages: Mapped[int | None]

    village: Mapped[Village] = relationship()

    @property
    def deadline(self) -> dt.date:
        return self.extended_due_on or self.due_on
