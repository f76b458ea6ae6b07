"""What a villager sees of a notice's attachments (附件): only those a
supervisor marked public, on a public version; kiosk, phone and the PDF
notice list them from here. And what the staff's review print lists of a
draft's attachments, public or not (:func:`review_attachments`)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import attachments
from ..extensions import db
from ..models import PUBLIC_STATUSES, Notice, NoticeAttachment


KIND_LABELS = {"pdf": "PDF文件", "image": "图片"}


@dataclass(frozen=True)
class PublicAttachment:
    id: int
    number: int  # 附件1, 附件2 … in the notice's order, counting public ones only
    title: str
    kind: str  # pdf | image
    kind_label: str  # PDF文件 / 图片
    page_count: int
    size_kb: int
    notice_id: int
    byte_size: int
    sha256: str  # of the stored file (the PDF as uploaded, or the clean JPEG), as sealed in the content hash

    @property
    def media_type(self) -> str:
        return "application/pdf" if self.kind == "pdf" else "image/jpeg"

    @property
    def label(self) -> str:
        pages = f"，共{self.page_count}页" if self.kind == "pdf" else ""
        return f"附件{self.number}：{self.title}（{self.kind_label}{pages}）"


def attachment_views(notice: Notice) -> list[PublicAttachment]:
    """The notice's public attachments (none while the notice is not public)."""
    if notice.status not in PUBLIC_STATUSES:
        return []
    shown = [a for a in notice.attachments if a.is_public]
    return [PublicAttachment(id=a.id, number=number, title=a.title, kind=a.kind,
                             kind_label=KIND_LABELS.get(a.kind, a.kind), page_count=a.page_count,
                             size_kb=max(1, -(-a.byte_size // 1024)), notice_id=a.notice_id, byte_size=a.byte_size,
                             sha256=a.sha256)
            for number, a in enumerate(shown, start=1)]


@dataclass(frozen=True)
class ReviewAttachment:
    """One attachment of a notice under review, as the staff's review print
    lists it (never a public page: it names the files not shown to villagers)."""

    number: int  # its place on the notice (seq)
    title: str
    filename: str  # as uploaded; empty for one uploaded before names were kept
    kind_label: str
    page_count: int
    byte_size: int
    is_public: bool
    sha256: str

    @property
    def size(self) -> str:
        """35 KB, 1.2 MB (what a file manager shows)."""
        kb = max(1, -(-self.byte_size // 1024))
        if kb < 1024:
            return f"{kb} KB"
        tenths = -(-self.byte_size * 10 // 1024 ** 2)
        return f"{tenths // 10}.{tenths % 10} MB"

    @property
    def sha256_short(self) -> str:
        """The digest's first 16 hex digits in fours: 3f2a 9c01 77be 0d42."""
        return " ".join(self.sha256[i:i + 4] for i in range(0, 16, 4))

    @property
    def public_label(self) -> str:
        return "公开" if self.is_public else "尚未标为公开"


def review_attachments(notice: Notice) -> list[ReviewAttachment]:
    """Every attachment of the notice, public or not, in its order (the review print)."""
    return [ReviewAttachment(number=a.seq, title=a.title, filename=a.filename,
                             kind_label=KIND_LABELS.get(a.kind, a.kind), page_count=a.page_count, byte_size=a.byte_size, is_public=a.is_public, sha256=a.sha256)
            for a in notice.attachments]


def public_attachment(attachment_id: int) -> tuple[PublicAttachment, Notice] | None:
    """An attachment the public may see, with its notice; None otherwise."""
    attachment = db.session.get(NoticeAttachment, attachment_id)
    if attachment is None or not attachment.is_public or attachment.notice.status not in PUBLIC_STATUSES:
        return None
    view = next(v for v in attachment_views(attachment.notice) if v.id == attachment_id)
    return view, attachment.notice


def public_attachment_file(attachment_id: int, page_no: int | None = None) -> bytes | None:
    """A public attachment's page image (``page_no`` from 1) or, without a
    page, its stored file (the PDF, or the clean JPEG); None otherwise."""
    attachment = db.session.get(NoticeAttachment, attachment_id)
    if attachment is None or not attachment.is_public or attachment.notice.status not in PUBLIC_STATUSES:
        return None
    if page_no is None:
        return attachments.open_file(attachments.original_name(attachment.sha256, attachment.kind))
    if not 1 <= page_no <= attachment.page_count:
        return None
    return attachments.open_file(attachments.page_name(attachment.sha256, attachment.kind, page_no))


__all__ = ["PublicAttachment", "ReviewAttachment", "attachment_views", "public_attachment", "public_attachment_file",
           "review_attachments"]
