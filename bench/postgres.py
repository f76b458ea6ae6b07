"""The kiosk figures on PostgreSQL, the county engine, beside SQLite's.

The bench starts its own throw-away PostgreSQL cluster (tools/_server.py, as
the load test does: initdb in /tmp, a free port on 127.0.0.1, removed at the end), loads the
same big village as bench.kiosk into both engines and times the same pages.
Each page twice, rendered (page cache emptied) and warm (from the page cache):
its time on PostgreSQL as a ratio to the same page on SQLite in the same run
(target ≤ 1.5×). The two engines take turns request by request (SQLite, then
PostgreSQL, then SQLite …), so on a shared machine both see the same load;
each figure is the fastest of its turns. Skipped with a line when PostgreSQL
is not installed. $BOARD_PG_PORT names the cluster's port (else a free one).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

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
    repeat = 5 if quick else 30
    if _pg_bin() is None:
        print("[postgres: skipped, PostgreSQL is not installed]", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp, throwaway_postgres() as url:
        apps = [kiosk._app(Path(tmp) / "sqlite"), kiosk._app(Path(tmp) / "pg", url)]
        try:
            times = side_by_side(apps, kiosk.pages(apps[0]), repeat)
        finally:
            for app in apps:
                with app.app_context():
                    db.engine.dispose()
    figures = []
    for name, (sqlite, pg) in times.items():
        figures.append(Figure("postgres", f"{name}, rendered", pg[0] * 1000, "ms", pg[0] / sqlite[0],
                              "same page rendered on SQLite, same run"))
        figures.append(Figure("postgres", f"{name}, warm", pg[1] * 1000, "ms", pg[1] / sqlite[1],
                              "same page warm on SQLite, same run"))
    return figures


def side_by_side(apps: list[Flask], pages: dict[str, str], repeat: int) -> dict[str, list[tuple[float, float]]]:
    """page -> [(rendered seconds, warm seconds) per app], the apps taking turns
    request by request; each the fastest of ``repeat`` turns."""
    clients = [app.test_client() for app in apps]
    result = {}
    for name, url in pages.items():
        for client in clients:  # first request: templates compiled, statements prepared
            assert client.get(url).status_code == 200, url
        cold, warm = [float("inf")] * len(apps), [float("inf")] * len(apps)
        for _ in range(repeat):
            for n, (app, client) in enumerate(zip(apps, clients, strict=True)):
                cold[n] = min(cold[n], _timed(lambda: kiosk.render_cold(app, client, url)))  # noqa: B023
        for client in clients:
            client.get(url)
        for _ in range(repeat):
            for n, client in enumerate(clients):
                warm[n] = min(warm[n], _timed(lambda: client.get(url).get_data()))  # noqa: B023
        result[name] = list(zip(cold, warm, strict=True))
    return result


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(quick: bool = False) -> None:
    print_table(figures(quick))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
