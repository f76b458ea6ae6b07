"""Keyword search over published, public content: notices (title and text),
ledger lines (摘要), projects and library documents. Roster lines and every
private field stay out: only what a public page already shows is indexed.

The index is a bigram table (models/search.py), the same SQL on SQLite and
PostgreSQL: a word of two or more characters is looked for among the entries
holding its two rarest character pairs, then checked as a whole with LIKE
(the pairs may sit apart). A one-character word has no pair: it is matched with LIKE within
the village alone. Entries are written when a notice is published and when a
document is saved; ``flask search-reindex`` builds the index afresh.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..catalogue import LEDGER_SUBJECTS
from ..extensions import db
from ..models import (
    CURRENT_STATUSES, PUBLIC_STATUSES, Document, Notice, SearchEntry, SearchGram, Village,
)
from ..privacy import clean_text

#: What a query may hold: a few words, each cut to this many characters.
MAX_WORDS = 4
MAX_WORD_CHARS = 20
LIBRARY = "library"  # the category of library documents in the index


def normalize(text: object) -> str:
    """Text as the index holds it and a query is matched: NFKC (full-width
    letters and digits folded), lower case, invisible characters gone, every
    run of spaces one space."""
    return " ".join(unicodedata.normalize("NFKC", clean_text(text)).lower().split())


def _runs(text: str) -> list[str]:
    """Runs of letters and digits (Chinese characters included): a pair never
    spans punctuation or a space."""
    runs, current = [], []
    for ch in text:
        if ch.isalnum():
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def grams(text: str) -> set[str]:
    """Every pair of adjacent characters of normalised ``text``."""
    return {run[i:i + 2] for run in _runs(normalize(text)) for i in range(len(run) - 1)}


def words(query: str | None) -> list[str]:
    """The words of a typed query: normalised, split at spaces and punctuation, at most MAX_WORDS."""
    return [w[:MAX_WORD_CHARS] for w in _runs(normalize(query or ""))][:MAX_WORDS]


# Writing the index ------------------------------------------------------------

def _entry(notice: Notice, kind: str, ref_id: int, *, title: str, text: str, dated_on: dt.date, detail: str = "",
           amount_fen: int | None = None) -> dict:
    return {"kind": kind, "ref_id": ref_id, "notice_id": notice.id, "document_id": None,
            "township_id": notice.village.township_id, "village_id": notice.village_id, "category": notice.category,
            "year": dated_on.year, "dated_on": dated_on, "title": title[:200], "detail": detail[:200],
            "amount_fen": amount_fen, "text": normalize(text)}


def _notice_entries(notice: Notice) -> list[dict]:
    rows = [_entry(notice, "notice", notice.id, title=notice.title, dated_on=notice.period_end,
                   detail=notice.period_label, text=" ".join((notice.title, notice.period_label, notice.body or "")))]
    for line in notice.ledger_lines:
        subject = LEDGER_SUBJECTS[line.subject].name if line.subject in LEDGER_SUBJECTS else ""
        direction = "收入" if line.direction == "income" else "支出"
        rows.append(_entry(notice, "line", line.id, title=line.summary, dated_on=line.occurred_on,
                           detail=f"{direction} · {subject}" if subject else direction, amount_fen=line.amount_fen,
                           text=" ".join((line.summary, line.voucher_no or "", subject))))
    p = notice.project
    if p is not None:
        rows.append(_entry(notice, "project", notice.id, title=p.name, dated_on=notice.period_end, detail=p.location,
                           amount_fen=p.allocated_fen,
                           text=" ".join(x or "" for x in (p.name, p.location, p.content, p.implementer, p.result))))
    return rows


def _document_entry(doc: Document) -> dict:
    return {"kind": "document", "ref_id": doc.id, "notice_id": None, "document_id": doc.id,
            "township_id": doc.township_id, "village_id": doc.village_id, "category": LIBRARY,
            "year": doc.effective_on.year, "dated_on": doc.effective_on, "title": doc.title[:200],
            "detail": doc.kind, "amount_fen": None,
            "text": normalize(" ".join((doc.kind, doc.title, doc.doc_no, doc.body or "")))}


def _write(rows: list[dict]) -> None:
    """Insert entries and their grams, a batch at a time."""
    if not rows:
        return
    ids = db.session.execute(insert(SearchEntry).returning(SearchEntry.id, sort_by_parameter_order=True),
                             rows).scalars().all()
    pairs = [{"gram": g, "entry_id": entry_id} for entry_id, row in zip(ids, rows, strict=True)
             for g in grams(row["text"])]
    for start in range(0, len(pairs), 20_000):
        db.session.execute(insert(SearchGram), pairs[start:start + 20_000])


def _drop(where) -> None:  # noqa: ANN001
    ids = select(SearchEntry.id).where(where).scalar_subquery()
    db.session.execute(delete(SearchGram).where(SearchGram.entry_id.in_(ids)))
    db.session.execute(delete(SearchEntry).where(where))


def index_notices(notices: Iterable[Notice]) -> None:
    """(Re)index published notices: their title and text, ledger lines and project."""
    notices = [n for n in notices if n.status in PUBLIC_STATUSES]
    if not notices:
        return
    db.session.flush()
    _drop(SearchEntry.notice_id.in_([n.id for n in notices]))
    _write([row for n in notices for row in _notice_entries(n)])


def index_notice(notice: Notice) -> None:
    index_notices([notice])


def index_document(doc: Document) -> None:
    db.session.flush()
    _drop(SearchEntry.document_id == doc.id)
    _write([_document_entry(doc)])


def rebuild() -> int:
    """The whole index afresh from the database; returns the number of entries."""
    db.session.execute(delete(SearchGram))
    db.session.execute(delete(SearchEntry))
    last = 0
    while True:  # a few hundred notices at a time, so memory stays flat
        batch = list(db.session.execute(
            select(Notice).where(Notice.status.in_(PUBLIC_STATUSES), Notice.id > last)
            .options(joinedload(Notice.village), selectinload(Notice.ledger_lines), selectinload(Notice.project))
            .order_by(Notice.id).limit(500)).scalars())
        if not batch:
            break
        _write([row for n in batch for row in _notice_entries(n)])
        last = batch[-1].id
    _write([_document_entry(d) for d in db.session.execute(select(Document).order_by(Document.id)).scalars()])
    return db.session.execute(select(func.count()).select_from(SearchEntry)).scalar_one()


# Reading it -------------------------------------------------------------------

def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: How many of a word's character pairs narrow the search; LIKE checks the whole word after.
PAIRS_USED = 2


def _holders(word: str):  # noqa: ANN202
    """Ids of the entries holding the rarest character pairs of ``word`` (None
    for a one-character word). Counting a pair's entries reads only the index,
    so the rarest are found cheaply and the common ones (费用, 村民) never
    have to be grouped."""
    pairs = sorted(grams(word))
    if not pairs:
        return None
    if len(pairs) > PAIRS_USED:
        counts = dict(db.session.execute(select(SearchGram.gram, func.count()).where(SearchGram.gram.in_(pairs))
                                         .group_by(SearchGram.gram)).all())
        pairs = sorted(pairs, key=lambda pair: counts.get(pair, 0))[:PAIRS_USED]
    return (select(SearchGram.entry_id).where(SearchGram.gram.in_(pairs))
            .group_by(SearchGram.entry_id).having(func.count() == len(pairs)).subquery())


def find(village: Village, query: str | None = None, *, category: str | None = None, year: int | None = None,
         limit: int = 50) -> tuple[list[SearchEntry], int]:
    """Entries of one village (and its township's documents) holding every word
    of ``query``, optionally of one category and year, newest first; and how
    many there are in all. Notices that were corrected or withdrawn drop out
    (their current version is found instead)."""
    statement = (  # one query: the rows and, on each of them, how many matched in all
        select(SearchEntry, func.count().over()).outerjoin(Notice, SearchEntry.notice_id == Notice.id)
        .where(or_(SearchEntry.village_id == village.id,
                   SearchEntry.village_id.is_(None) & (SearchEntry.township_id == village.township_id)),
               or_(SearchEntry.notice_id.is_(None), Notice.status.in_(CURRENT_STATUSES)))
    )
    for word in words(query):
        # The pairs narrow the entries through the index (a join, so the
        # engine starts from them); LIKE then checks the word as a whole.
        holders = _holders(word)
        if holders is not None:
            statement = statement.join(holders, holders.c.entry_id == SearchEntry.id)
        statement = statement.where(SearchEntry.text.like(_like(word), escape="\\"))
    if category:
        statement = statement.where(SearchEntry.category == category)
    if year:
        statement = statement.where(SearchEntry.year == year)
    rows = db.session.execute(statement.order_by(SearchEntry.dated_on.desc(), SearchEntry.id.desc())
                              .limit(limit)).all()
    return [entry for entry, _ in rows], int(rows[0][1]) if rows else 0


def years(village: Village) -> list[int]:
    """Years with searchable content in a village, newest first."""
    return [y for (y,) in db.session.execute(
        select(SearchEntry.year).where(or_(SearchEntry.village_id == village.id,
                                           SearchEntry.village_id.is_(None)
                                           & (SearchEntry.township_id == village.township_id)))
        .distinct().order_by(SearchEntry.year.desc()))]


__all__ = ["LIBRARY", "find", "grams", "index_document", "index_notice", "index_notices", "normalize", "rebuild",
           "words", "years"]
