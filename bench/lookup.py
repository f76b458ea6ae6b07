"""我领了什么 at county scale: one villager's payments found by ID
fingerprint and surname among 1,000,000 roster lines (the index on
roster_lines.id_hash), as a ratio to a primary-key lookup of one line.
The issue's budget: at most 3× the primary-key lookup."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from disclosure.extensions import db
from disclosure.models import RosterLine
from disclosure.services import lookup as service

from .common import Figure, best_of, sqlite_app
from .search import _fill

BUDGET = 3.0


def figures(quick: bool = False) -> list[Figure]:
    total = 100_000 if quick else 1_000_000
    app = sqlite_app("lookup")
    with app.app_context():
        _, twice, line_id = _fill(total, 3000)  # "f" * 64 is paid twice, in two rosters
        name = db.session.execute(select(RosterLine.name).where(RosterLine.id_hash == twice)).scalars().first()
        db.session.execute(update(RosterLine).where(RosterLine.id_hash == twice).values(name=name))  # one person
        db.session.commit()
        village_ids = [db.session.get(RosterLine, line_id).village_id]
        today = dt.date(2026, 1, 1)

        def person():  # noqa: ANN202
            db.session.expire_all()
            return service.find(twice, name[0], village_ids, today)

        pk = best_of(lambda: (db.session.expire_all(), db.session.get(RosterLine, line_id)), 50)
        found = best_of(person, 50)
        result = person()
        assert len(result.lines) == 2, result
        assert service.find(twice, "㐀", village_ids, today) == service.EMPTY  # a wrong surname
        db.session.remove()
    ratio = found / pk
    verdict = "within" if ratio <= BUDGET else "OVER"
    return [Figure("lookup", f"我领了什么: one person among {total:,} lines ({verdict} {BUDGET:g}×)", found * 1000, "ms",
                   ratio, "primary-key lookup")]


def main(quick: bool = False) -> None:
    from .common import print_table

    print_table(figures(quick))


if __name__ == "__main__":
    main()
