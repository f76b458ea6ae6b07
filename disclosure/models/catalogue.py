"""The catalogue as data: categories (公开类别) and roster kinds (名单类型).

Seeded with catalogue.SEED_CATEGORIES and SEED_KINDS by the migration and,
for a schema made by ``create_all``, by the ``after_create`` hooks below.
catalogue.part() turns the rows back into the frozen dataclasses, and keeps
them per process under the catalogue's revision token: any flush that writes
a category or kind gives the catalogue a new token (a random one, so a
rolled-back edit's token never comes back)."""

from __future__ import annotations

import dataclasses
import secrets
from itertools import chain
from typing import Any

from sqlalchemy import JSON, String, Table, Text, event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class CatalogueRevision(db.Model):
    """One row: a token that changes with every change of the catalogue."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def new_token() -> str:
    return secrets.token_hex(8)


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


@event.listens_for(CatalogueRevision.__table__, "after_create")
def _seed_revision(table: Table, connection: Connection, **_: object) -> None:
    connection.execute(table.insert(), {"id": 1, "token": new_token()})


def touches_catalogue(objects: object) -> bool:
    """Whether any of these flushed objects is a category or a kind."""
    return any(isinstance(o, (CatalogueCategory, CatalogueKind)) for o in objects)  # type: ignore[attr-defined]


@event.listens_for(Session, "after_flush")
def _new_revision(session: Session, flush_context) -> None:  # noqa: ANN001
    if touches_catalogue(chain(session.new, session.dirty, session.deleted)):
        session.connection().execute(update(CatalogueRevision.__table__).values(token=new_token()))


def token_column():  # noqa: ANN201 - a scalar subquery
    """The catalogue's revision token as a column, to ride along with a query a page runs anyway."""
    return select(CatalogueRevision.token).where(CatalogueRevision.id == 1).scalar_subquery().label("catalogue_token")


def load_token() -> str | None:
    return db.session.execute(select(CatalogueRevision.token).where(CatalogueRevision.id == 1)).scalar()


def load(part: str) -> dict:
    """``categories`` or ``kinds`` from the database, as catalogue.Category / RosterKind by code."""
    if part == "categories":
        rows = db.session.execute(
            select(CatalogueCategory).order_by(CatalogueCategory.position, CatalogueCategory.id)).scalars()
        return {c.code: c.as_category() for c in rows}
    rows = db.session.execute(select(CatalogueKind).order_by(CatalogueKind.position, CatalogueKind.id)).scalars()
    return {k.code: k.as_kind() for k in rows}
