"""The public side of the document library, the keyword search and the
village's catalogue page (公开目录): view objects and queries for the kiosk
and phone pages, which never touch the models themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select

from .. import attachments
from ..catalogue import CATEGORIES
from ..extensions import db
from ..models import DOCUMENT_KINDS, Document, Village
from ..services import oversight, rules, search

#: Words a villager looks for most, as kiosk buttons (the kiosk has no keyboard).
COMMON_WORDS = ("电费", "道路", "修路", "维修", "补贴", "承包", "路灯", "低保", "村规民约", "财务管理")
LIBRARY_NAME = "文件库"


# The library -------------------------------------------------------------------

@dataclass(frozen=True)
class PublicDocument:
    id: int
    kind: str
    title: str
    doc_no: str
    body: str
    scope: str  # 本村 | 乡镇
    effective_on: dt.date
    ended_on: dt.date | None
    status: str  # in_force | repealed | revised
    status_label: str
    end_reason: str
    replaced_by_id: int | None
    replaced_by_title: str
    pdf_pages: int | None
    #: Pages shown as pictures on the kiosk and phone (0: none rendered yet, see Document.pdf_sha256).
    page_images: int
    village_code: str | None
    township_code: str


def document_view(doc: Document) -> PublicDocument:
    return PublicDocument(
        id=doc.id, kind=doc.kind, title=doc.title, doc_no=doc.doc_no, body=doc.body,
        scope=doc.village.name if doc.village else doc.township.name, effective_on=doc.effective_on,
        ended_on=doc.ended_on, status=doc.status.value, status_label=doc.status.label, end_reason=doc.end_reason,
        replaced_by_id=doc.replaced_by_id, replaced_by_title=doc.replaced_by.title if doc.replaced_by else "",
        pdf_pages=doc.pdf_pages, page_images=(doc.pdf_pages or 0) if doc.pdf_sha256 else 0,
        village_code=doc.village.code if doc.village else None,
        township_code=doc.township.code,
    )


def _village_scope(village: Village):  # noqa: ANN202
    return (Document.township_id == village.township_id) & or_(Document.village_id == village.id,
                                                               Document.village_id.is_(None))


def library_sections(village: Village) -> dict[str, list[PublicDocument]]:
    """The village's documents and its township's, by kind (catalogue order),
    those in force first, then the newest."""
    docs = db.session.execute(select(Document).where(_village_scope(village))
                              .order_by(Document.effective_on.desc(), Document.id.desc())).scalars()
    sections: dict[str, list[PublicDocument]] = {kind: [] for kind in DOCUMENT_KINDS}
    for doc in docs:
        sections[doc.kind].append(document_view(doc))
    for items in sections.values():
        items.sort(key=lambda d: d.status != "in_force")  # stable: newest first within each state
    return {kind: items for kind, items in sections.items() if items}


def document_or_404(doc_id: int) -> tuple[PublicDocument, Village | None]:
    """A library document and the village it belongs to (None: a township's)."""
    doc = db.get_or_404(Document, doc_id)
    return document_view(doc), doc.village


def document_pdf(doc_id: int) -> bytes | None:
    doc = db.session.get(Document, doc_id)
    return doc.pdf if doc is not None else None


def document_page_image(doc_id: int, page_no: int) -> bytes | None:
    """The picture of page ``page_no`` (from 1) of a library document's PDF,
    kept where a notice attachment's are; None when there is none."""
    doc = db.session.get(Document, doc_id)
    if doc is None or not doc.pdf_sha256 or not 1 <= page_no <= (doc.pdf_pages or 0):
        return None
    return attachments.open_file(attachments.page_name(doc.pdf_sha256, "pdf", page_no))


# Search --------------------------------------------------------------------------

KIND_NAMES = {"notice": "公示", "line": "收支明细", "project": "项目", "document": "文件"}


@dataclass(frozen=True)
class PublicHit:
    kind: str  # notice | line | project | document: which page it opens
    kind_name: str
    ref_id: int
    title: str
    detail: str
    category_name: str
    dated_on: dt.date
    amount_fen: int | None


@dataclass(frozen=True)
class SearchPage:
    words: list[str]
    category: str | None
    year: int | None
    hits: list[PublicHit]
    total: int

    @property
    def asked(self) -> bool:
        return bool(self.words or self.category or self.year)


def search_categories() -> dict[str, str]:
    """Category code → name, the library last."""
    return {**{c.code: c.short for c in CATEGORIES.values()}, search.LIBRARY: LIBRARY_NAME}


def search_page(village: Village, query: str | None, category: str | None = None, year: int | None = None,
                limit: int = 50) -> SearchPage:
    names = search_categories()
    category = category if category in names else None
    year = year if year and 1990 <= year <= 2100 else None
    words = search.words(query)
    if not (words or category or year):
        return SearchPage(words, category, year, [], 0)
    entries, total = search.find(village, " ".join(words), category=category, year=year, limit=limit)
    hits = [PublicHit(e.kind, KIND_NAMES.get(e.kind, ""), e.ref_id, e.title, e.detail, names.get(e.category, ""),
                      e.dated_on, e.amount_fen) for e in entries]
    return SearchPage(words, category, year, hits, total)


def search_years(village: Village) -> list[int]:
    return search.years(village)


# The catalogue page ----------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueRow:
    code: str  # a category's, or a roster kind's (``is_kind``)
    name: str
    frequency_name: str
    min_notice_days: int
    last_notice_id: int | None
    last_title: str
    last_published: dt.date | None
    state: str  # ok | overdue | stale | none
    state_label: str
    is_kind: bool = False


@dataclass(frozen=True)
class VillageCatalogue:
    categories: list[CatalogueRow]
    kinds: list[CatalogueRow]  # the roster kinds the village must publish, each by its own frequency

    @property
    def late(self) -> list[CatalogueRow]:
        return [r for r in (*self.categories, *self.kinds) if r.state == "overdue"]


def village_catalogue(village: Village, today: dt.date) -> VillageCatalogue:
    """Each catalogue category of the village and each roster kind it must
    publish: how often, when it last was, and whether it is late, by the
    township dashboard's own rule (services.oversight.category_states and
    kind_states, both judged by oversight.lateness)."""
    township = village.township
    categories = [CatalogueRow(s.category, s.name, s.frequency_name,
                               rules.min_notice_days(township, s.category), s.last_notice_id, s.last_title,
                               s.last_published, s.state, s.label)
                  for s in oversight.category_states([village], today)[village.id]]
    kinds = [CatalogueRow(s.kind, s.name, s.frequency_name, rules.min_notice_days(township, s.category, s.kind),
                          s.last_notice_id, s.last_title, s.last_published, s.state, s.label, is_kind=True)
             for s in oversight.kind_states([village], today)[village.id]]
    return VillageCatalogue(categories, kinds)
