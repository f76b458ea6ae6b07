"""The document library (文件库): standing documents of a village or a
township, entered by staff. A document is never edited in place: it is
repealed (已废止) or replaced by a revision (已修订, naming the new one),
so what was in force on a given day stays readable. Every write is audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from .. import attachments, periods, privacy
from ..extensions import db
from ..models import DOCUMENT_KINDS, Document, DocumentStatus, Role, Township, User, Village
from . import ServiceError, access, audit, search

TITLE_MAX = 200
BODY_MAX = 50_000


def can_edit(user: User, township: Township, village: Village | None) -> bool:
    """Township staff keep their township's documents and any village's; a clerk only their own village's."""
    if user.role == Role.TOWNSHIP_ADMIN:
        return user.township_id == township.id
    return village is not None and access.can_draft(user, village)


def can_see(user: User, doc: Document) -> bool:
    """Staff see their township's documents and, below the township, only their own village's."""
    if doc.township_id != user.township_id:
        return False
    return user.role == Role.TOWNSHIP_ADMIN or doc.village_id in (None, user.village_id)


def _snapshot(doc: Document) -> dict:
    return {"title": doc.title, "kind": doc.kind, "status": doc.status.value,
            "effective_on": doc.effective_on.isoformat(),
            "ended_on": doc.ended_on.isoformat() if doc.ended_on else None,
            "village_id": doc.village_id, "replaced_by_id": doc.replaced_by_id, "pdf_pages": doc.pdf_pages,
            "pdf_sha256": doc.pdf_sha256}


def create(user: User, township: Township, village: Village | None, *, kind: str, title: str, body: str = "",
           doc_no: str = "", effective_on: dt.date | None, pdf: bytes | None = None,
           replaces: Document | None = None) -> Document:
    """A new document in force from ``effective_on``; with ``replaces``, the
    revision of that document, which becomes 已修订 on the same day."""
    if not can_edit(user, township, village):
        raise ServiceError("您无权维护该文件库")
    if kind not in DOCUMENT_KINDS:
        raise ServiceError("请选择文件类别", "kind")
    title = privacy.scrub_text(title, TITLE_MAX)
    if not title:
        raise ServiceError("请填写文件名称", "title")
    body = privacy.scrub_text(body)
    if len(body) > BODY_MAX:
        raise ServiceError(f"正文太长：最多{BODY_MAX}字，较长的文件请上传PDF", "body")
    if effective_on is None:
        raise ServiceError("请填写生效日期", "effective_on")
    checked = checked_pdf(pdf) if pdf else None
    if not body and checked is None:
        raise ServiceError("请填写正文或上传PDF文件", "body")
    if replaces is not None:
        if (replaces.township_id, replaces.village_id) != (township.id, village.id if village else None):
            raise ServiceError("只能修订同一个村（或乡镇）的文件", "replaces")
        if not replaces.is_in_force:
            raise ServiceError("这份文件已不再有效，不能再修订", "replaces")
        if effective_on <= replaces.effective_on:
            raise ServiceError(f"修订后的文件须晚于原文件生效（原文件{periods.format_date(replaces.effective_on)}生效）",
                               "effective_on")
    doc = Document(township_id=township.id, village_id=village.id if village else None, kind=kind, title=title,
                   doc_no=privacy.scrub_text(doc_no, 64), body=body, effective_on=effective_on, created_by_id=user.id)
    if checked is not None:
        _keep_pdf(doc, checked)
    db.session.add(doc)
    db.session.flush()
    audit.record(user, "document.create", "document", doc.id, township_id=township.id, after=_snapshot(doc))
    if replaces is not None:
        before = _snapshot(replaces)
        replaces.status, replaces.ended_on, replaces.replaced_by_id = DocumentStatus.REVISED, effective_on, doc.id
        replaces.end_reason = f"已由《{title}》修订"
        audit.record(user, "document.revise", "document", replaces.id, township_id=township.id, before=before,
                     after=_snapshot(replaces))
    search.index_document(doc)
    return doc


def checked_pdf(data: bytes) -> attachments.CheckedFile:
    """A library PDF checked and rendered exactly as a notice's PDF attachment
    (disclosure/attachments.py); a refusal names the form's upload field."""
    try:
        return attachments.check_pdf_file(data)
    except ServiceError as err:
        raise ServiceError(err.message, "attachment") from None


def _keep_pdf(doc: Document, checked: attachments.CheckedFile) -> None:
    """The PDF on the document, its page pictures in the file store where attachments keep theirs."""
    attachments.save_pages(checked)
    doc.pdf, doc.pdf_pages, doc.pdf_sha256 = checked.data, checked.page_count, checked.sha256


def render_missing_pages() -> tuple[list[Document], list[tuple[Document, str]]]:
    """Page pictures for the library PDFs entered before there were any
    (``pdf_sha256`` empty): each checked and rendered as a new upload is.
    Returns the documents done and those refused, with the reason; a refused
    one keeps its PDF (the kiosk shows its QR code, as before). The caller commits."""
    done, refused = [], []
    waiting = db.session.execute(select(Document).where(Document.pdf.is_not(None), Document.pdf_sha256.is_(None))
                                 .order_by(Document.id)).scalars()
    for doc in waiting:
        try:
            checked = attachments.check_pdf_file(doc.pdf)
        except ServiceError as err:
            refused.append((doc, err.message))
            continue
        _keep_pdf(doc, checked)
        done.append(doc)
    return done, refused


def repeal(doc: Document, user: User, *, ended_on: dt.date | None, reason: str) -> None:
    """已废止 from ``ended_on``, with the reason shown to villagers."""
    if not can_edit(user, doc.township, doc.village):
        raise ServiceError("您无权维护该文件库")
    if not doc.is_in_force:
        raise ServiceError("这份文件已不再有效")
    if ended_on is None:
        raise ServiceError("请填写废止日期", "ended_on")
    if ended_on < doc.effective_on:
        raise ServiceError("废止日期不能早于生效日期", "ended_on")
    reason = privacy.scrub_text(reason, 500)
    if not reason:
        raise ServiceError("请填写废止原因", "reason")
    before = _snapshot(doc)
    doc.status, doc.ended_on, doc.end_reason = DocumentStatus.REPEALED, ended_on, reason
    audit.record(user, "document.repeal", "document", doc.id, township_id=doc.township_id, before=before,
                 after=_snapshot(doc))


def documents_for(user: User) -> list[Document]:
    """The documents a staff member sees: the township's and every village's in their scope."""
    query = select(Document).where(Document.township_id == user.township_id)
    if user.role != Role.TOWNSHIP_ADMIN:
        query = query.where(or_(Document.village_id == user.village_id, Document.village_id.is_(None)))
    return list(db.session.execute(query.order_by(Document.village_id.is_not(None), Document.village_id, Document.kind,
                                                  Document.effective_on.desc(), Document.id.desc())).scalars())


def replaceable(user: User) -> list[Document]:
    """Documents in force the user may revise."""
    return [d for d in documents_for(user) if d.is_in_force and can_edit(user, d.township, d.village)]
