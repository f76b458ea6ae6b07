"""Kiosk figures: (a) first-screen transfer size of the kiosk home (HTML, CSS,
JS and SVG, no fonts) against the 150 KB budget; (b) server time of kiosk
pages for a village with 5 years of ledger and a 3,000-line roster, each as a
ratio to a bare Flask route returning a page of the same size.

    /tmp/probe/bin/python -m bench.kiosk            # full
    /tmp/probe/bin/python -c "from bench.kiosk import main; main(quick=True)"
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import select, text

from disclosure import create_app, periods
from disclosure.extensions import cache, db
from disclosure.models import Role, Township, Village, VillageGroup

from .common import Figure, best_of, print_table

BUDGET_BYTES = 150 * 1024
BIG_VILLAGE = "benchcun"
ROSTER_LINES = 3000
LEDGER_YEARS = 5


def _app(folder: Path, url: str | None = None) -> Flask:
    """The demo plus the big village, on SQLite in ``folder`` or on the database at ``url``."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench-kiosk",
                      "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'kiosk.sqlite'}",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from disclosure.demo import load

        db.create_all()
        load()
        _big_village()
        db.session.commit()
        if url:  # a county's server has statistics (autovacuum analyses a table after a large load)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    return app


def _big_village() -> None:
    """A village with 5 years of monthly ledgers (published quarter by
    quarter) and one 3,000-line 耕地地力 roster, through the real intake."""
    from disclosure.demo import _Loader
    from disclosure.services import intake, notices, users

    township = db.session.execute(select(Township)).scalars().first()
    village = Village(code=BIG_VILLAGE, name="大样村", township=township, supervision_phone="0857-8123499",
                      opening_balance_fen=50_000_000)
    village.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in range(1, 13)]
    db.session.add(village)
    db.session.flush()
    village.opening_date = dt.date(dt.date.today().year - LEDGER_YEARS, 1, 1) - dt.timedelta(days=1)
    password = "bench-password-123"
    clerk = users.create_user(username="bench-clerk", display_name="报账员", password=password, role=Role.CLERK,
                              township=township, village=village)
    sup = users.create_user(username="bench-sup", display_name="监委会", password=password, role=Role.SUPERVISOR,
                            township=township, village=village)
    loader = _Loader(dt.date.today())
    handlers = ["甲", "乙"]
    quarter = periods.quarter_of(village.opening_date + dt.timedelta(days=1))
    last = periods.quarter_of(periods.quarter_of(dt.date.today()).start - dt.timedelta(days=1))
    while quarter.start <= last.start:
        notice = notices.create_draft(village, clerk, category="finance", period=quarter,
                                      title=f"大样村{quarter.label}财务收支公示")
        intake.add_ledger_rows(notice, clerk, loader.ledger_rows(quarter, handlers))
        loader.publish(notice, clerk, sup, quarter.end + dt.timedelta(days=15))
        quarter = periods.quarter_of(quarter.end + dt.timedelta(days=1))
    year = periods.year(dt.date.today().year)
    roster = loader.roster(village, clerk, "gengdi", year, ROSTER_LINES)
    loader.publish(roster, clerk, sup, dt.date.today() - dt.timedelta(days=2))


def _assets(html: str) -> list[str]:
    """Local CSS, JS and SVG a kiosk page loads on first paint (fonts are local system fonts)."""
    found = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    found += re.findall(r'<script src="([^"]+)"', html)
    found += re.findall(r'<img src="([^"]+\.svg)"', html)
    return list(dict.fromkeys(found))


def first_screen_bytes(app: Flask, code: str = "dongfeng") -> tuple[int, dict[str, int]]:
    """Bytes the kiosk home transfers on a cold first load (no compression)."""
    client = app.test_client()
    html = client.get(f"/kiosk/{code}/home").get_data()
    sizes = {f"/kiosk/{code}/home": len(html)}
    for url in _assets(html.decode()):
        sizes[url] = len(client.get(url).get_data())
    return sum(sizes.values()), sizes


def pages(app: Flask) -> dict[str, str]:
    """The big village's kiosk pages timed here: name -> URL."""
    with app.app_context():
        from disclosure.models import Notice

        roster_id = db.session.execute(select(Notice.id).join(Village).where(
            Village.code == BIG_VILLAGE, Notice.roster_kind == "gengdi")).scalar_one()
        last_month = db.session.execute(select(Notice.period_end).join(Village).where(
            Village.code == BIG_VILLAGE, Notice.category == "finance").order_by(Notice.period_end.desc())).scalars().first()
        db.session.remove()
    pages = {
        "attract": f"/kiosk/{BIG_VILLAGE}",
        "home": f"/kiosk/{BIG_VILLAGE}/home",
        "finance (quarter)": f"/kiosk/{BIG_VILLAGE}/finance",
        "finance (year)": f"/kiosk/{BIG_VILLAGE}/finance?view=year",
        "finance month lines": f"/kiosk/{BIG_VILLAGE}/finance/{last_month:%Y-%m}",
        "roster 3,000 lines, page 1": f"/kiosk/notice/{roster_id}",
        "roster keypad search ZS": f"/kiosk/notice/{roster_id}?q=ZS",
        "roster by group 7": f"/kiosk/notice/{roster_id}?g=7",
        "phone finance": f"/m/{BIG_VILLAGE}/finance",
        # With the 我有疑问 form (its token fetched apart: disclosure/pagecache.py).
        "phone roster notice": f"/m/notice/{roster_id}",
    }
    return pages


def render_cold(app: Flask, client: FlaskClient, url: str) -> bytes:
    """``url`` rendered: the page cache emptied first."""
    with app.app_context():
        cache.clear()
    return client.get(url).get_data()


def page_times(app: Flask, repeat: int) -> list[tuple[str, float, float, float, float, int]]:
    """(page, rendered seconds, warm seconds, 304 seconds, bare-route seconds, bytes)
    for the big village's kiosk pages: rendered with the page cache emptied
    first, served warm from the cache, and revalidated with If-None-Match."""
    client = app.test_client()
    bare = Flask("bare")
    body: dict[str, bytes] = {}

    @bare.get("/page/<name>")
    def page(name: str) -> Response:
        return Response(body[name], mimetype="text/html")

    bare_client = bare.test_client()
    rows = []
    for name, url in pages(app).items():
        response = client.get(url)
        assert response.status_code == 200, url
        etag = response.headers["ETag"]  # every page here is cacheable
        key = str(len(body))
        body[key] = b"x" * len(response.get_data())
        cold = best_of(lambda: render_cold(app, client, url), repeat)
        client.get(url)
        warm = best_of(lambda: client.get(url).get_data(), repeat)
        revalidated = best_of(lambda: client.get(url, headers={"If-None-Match": etag}).get_data(), repeat)
        baseline = best_of(lambda: bare_client.get(f"/page/{key}").get_data(), repeat)
        rows.append((name, cold, warm, revalidated, baseline, len(response.get_data())))
    return rows


def figures(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        total, _ = first_screen_bytes(app)
        result = [Figure("kiosk", "first screen of kiosk home (HTML+CSS+JS+SVG)", total / 1024, "KB",
                         total / BUDGET_BYTES, "150 KB budget")]
        times = page_times(app, repeat=3 if quick else 15)
        for name, rendered, _, _, baseline, size in times:
            result.append(Figure("kiosk", f"{name} ({size // 1024} KB), rendered", rendered * 1000, "ms",
                                 rendered / baseline, "bare Flask route, same size"))
        for name, _, warm, _, baseline, size in times:
            result.append(Figure("kiosk", f"{name} ({size // 1024} KB), warm", warm * 1000, "ms", warm / baseline,
                                 "bare Flask route, same size"))
        for name, _, _, revalidated, baseline, _ in times:
            result.append(Figure("kiosk", f"{name}, If-None-Match → 304", revalidated * 1000, "ms",
                                 revalidated / baseline, "bare Flask route, same size"))
        with app.app_context():
            db.engine.dispose()
    return result


def main(quick: bool = False) -> None:
    print_table(figures(quick))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
