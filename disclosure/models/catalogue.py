"""The catalogue as data: categories (公开类别) and roster kinds (名单类型).

Seeded with catalogue.SEED_CATEGORIES and SEED_KINDS by the migration and,
for a schema made by ``create_all``, by the ``after_create`` hooks below.
catalogue.part() turns the rows back into the frozen dataclasses."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import JSON, String, Table, Text, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from .. import catalogue
from ..extensions import db


class CatalogueCategory(db.Model):
    __tablename__ = "catalogue_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    short: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16))
    min_notice_days: Mapped[int]
    icon: Mapped[str] = mapped_column(String(32))
    lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    def as_category(self) -> catalogue.Category:
        return catalogue.Category(self.code, self.name, self.short, self.frequency, self.min_notice_days,
                                  self.icon, tuple(self.lines or ()))


class CatalogueKind(db.Model):
    __tablename__ = "catalogue_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    title_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    period: Mapped[str] = mapped_column(String(8))
    who: Mapped[str] = mapped_column(Text, default="")
    how_much: Mapped[str] = mapped_column(Text, default="")
    how_to_apply: Mapped[str] = mapped_column(Text, default="")
    #: [[key, label], ...] in order (catalogue.COLUMN_KEYS).
    columns: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    head_word: Mapped[str] = mapped_column(String(16), default="姓名")
    frequency: Mapped[str] = mapped_column(String(16), default="per_batch")
    #: The county's minimum; a township may only lengthen it (services/rules.py).
    min_notice_days: Mapped[int] = mapped_column(default=7)
    #: [{"key", "label", "unit"}, ...]: the amounts each township sets (its settings hold them).
    standards: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    def as_kind(self) -> catalogue.RosterKind:
        return catalogue.RosterKind(
            self.code, self.name, self.category, tuple(self.title_words or ()), self.period, self.who,
            self.how_much, self.how_to_apply, tuple((k, label) for k, label in self.columns or ()),
            self.head_word, self.frequency, self.min_notice_days,
            tuple(catalogue.Standard(s["key"], s["label"], s["unit"]) for s in self.standards or ()))


def category_row(category: catalogue.Category, position: int) -> dict[str, Any]:
    return dataclasses.asdict(category) | {"lines": list(category.lines), "position": position}


def kind_row(kind: catalogue.RosterKind, position: int) -> dict[str, Any]:
    return dataclasses.asdict(kind) | {
        "title_words": list(kind.title_words), "columns": [list(c) for c in kind.columns],
        "standards": [dataclasses.asdict(s) for s in kind.standards], "position": position}


def seed_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The seed catalogue as rows for both tables (the migration inserts these)."""
    return ([category_row(c, i) for i, c in enumerate(catalogue.SEED_CATEGORIES, 1)],
            [kind_row(k, i) for i, k in enumerate(catalogue.SEED_KINDS, 1)])


@event.listens_for(CatalogueCategory.__table__, "after_create")
def _seed_categories(table: Table, connection: Connection, **_: object) -> None:
    connection.execute(table.insert(), seed_rows()[0])


@event.listens_for(CatalogueKind.__table__, "after_create")
def _seed_kinds(table: Table, connection: Connection, **_: object) -> None:
    connection.execute(table.insert(), seed_rows()[1])


def load(part: str) -> dict:
    """``categories`` or ``kinds`` from the database, as catalogue.Category / RosterKind by code."""
    if part == "categories":
        rows = db.session.execute(
            select(CatalogueCategory).order_by(CatalogueCategory.position, CatalogueCategory.id)).scalars()
        return {c.code: c.as_category() for c in rows}
    rows = db.session.execute(select(CatalogueKind).order_by(CatalogueKind.position, CatalogueKind.id)).scalars()
    return {k.code: k.as_kind() for k in rows}
