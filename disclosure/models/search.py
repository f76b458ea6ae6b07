"""The keyword index (关键词检索) over public content: one entry per notice,
ledger line, project and library document, and its two-character grams.

Chinese has no spaces, so words are not split: every pair of adjacent
characters is indexed (a bigram index), which finds any word of two or more
characters with plain SQL on SQLite and PostgreSQL alike. Only published,
public text is indexed (services/search.py); roster lines never are.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_village_category_year", "village_id", "category", "year"),
        Index("ix_search_entries_kind_ref", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # notice | line | project | document
    ref_id: Mapped[int]  # id of the notice, ledger line or document (a project: its notice)
    #: The notice it comes from (its status decides whether it is current); None for a document.
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))  # None: a township document
    category: Mapped[str] = mapped_column(String(16))  # catalogue category, or "library"
    year: Mapped[int]
    dated_on: Mapped[dt.date]
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(200), default="")  # a short line under the title
    amount_fen: Mapped[int | None]
    #: The searchable text, normalised (services/search.normalize).
    text: Mapped[str] = mapped_column(Text)


class SearchGram(db.Model):
    __tablename__ = "search_grams"
    __table_args__ = (Index("ix_search_grams_entry", "entry_id"),)

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True)
