"""The kiosk figures on PostgreSQL, the county engine, beside SQLite's.

The bench starts its own throw-away PostgreSQL cluster (tools/_server.py, as
the load test does: initdb in /tmp, a free port on 127.0.0.1, removed at the end), loads the
same big village as bench.kiosk into both engines and times the same pages.
Each page twice, rendered (page cache emptied) and warm (from the page cache):
its time on PostgreSQL as a ratio to the same page on SQLite in the same run
(target ≤ 1.5×). Skipped with a line when PostgreSQL is not
installed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from disclosure.extensions import db
from tools._server import throwaway_postgres

from . import kiosk
from .common import Figure, print_table


def _pg_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "pg_ctl").exists():
            return folder
    return None


def figures(quick: bool = False) -> list[Figure]:
    repeat = 3 if quick else 15
    if _pg_bin() is None:
        print("[postgres: skipped, PostgreSQL is not installed]", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_app = kiosk._app(Path(tmp) / "sqlite")
        sqlite = {row[0]: row for row in kiosk.page_times(sqlite_app, repeat)}
        with sqlite_app.app_context():
            db.engine.dispose()
        with throwaway_postgres() as url:
            pg_app = kiosk._app(Path(tmp) / "pg", url)
            rows = kiosk.page_times(pg_app, repeat)
            with pg_app.app_context():
                db.engine.dispose()
    figures = []
    for name, rendered, warm, _revalidated, _bare, _size in rows:
        figures.append(Figure("postgres", f"{name}, rendered", rendered * 1000, "ms", rendered / sqlite[name][1],
                              "same page rendered on SQLite, same run"))
        figures.append(Figure("postgres", f"{name}, warm", warm * 1000, "ms", warm / sqlite[name][2],
                              "same page warm on SQLite, same run"))
    return figures


def main(quick: bool = False) -> None:
    print_table(figures(quick))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
