"""Queries per public page: a small fixed number, whatever the size of the data.

The villagers' side (kiosk, phone, API, verify pages, cards) is walked once
with tools/routes.py (one URL per route), counting the SQL statements each
page runs. Then a demo notice grows by hundreds of ledger lines (with receipt
photos) and a roster by hundreds of lines, the rest of the county adds tens
of thousands of lines in another village, and the same URLs are fetched
again: no page may run more statements than before (an N+1 load would), and
none more than QUERY_BUDGET.

On PostgreSQL the statements of the grown walk are also run through EXPLAIN
after ANALYZE, with sequential scans disabled: a sequential scan of one of
the large tables that remains means no index can serve the query (one
village's page would read the whole county's lines), and fails the test.
(With them enabled the planner rightly prefers a scan of a small table; the
test must not depend on how large the county here is.)"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, insert, select

from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, RosterLine, Status, User, Village, VoucherImage
from tests.conftest import ON_POSTGRES, walkable_demo
from tools.routes import Page, adapter_for, fill_in, get_rules, unlinked_starts, walk

#: The most statements one public page may run, its page cache off: today's worst page runs 13
#: (a printed notice's verify page /v/<code>); a notice's JSON and a roster page 10 (the notice, its
#: village and township, project and decision details and the catalogue's revision token in one
#: query; the catalogue itself is kept per process). Was 16 with the catalogue read per request
#: (2) and the village, township and details loaded one by one; before the batched loads a
#: 40-line notice's verify page ran 53, one per line. On PostgreSQL each is a round trip.
QUERY_BUDGET = 13
#: Lines added to one published finance notice and one published roster of the demo.
GROWTH = 200
#: Lines of the rest of the county (another village), in each large table.
COUNTY = 40_000
#: Tables the growth makes large: a sequential scan of one of them is a missing index.
GROWN = {"ledger_lines", "roster_lines", "voucher_images"}
#: A township's bulk archive holds every village's chain (a query per village), and the Atom
#: feed every table of its newest FEED_SIZE notices (a query per finance notice, for its
#: opening balance): bounded, but not a fixed few.
ARCHIVES = ("/bulk/", "/feed/")
STARTS = ["/kiosk/", "/m/", "/v/", "/api/villages", "/api/openapi.json"]


@pytest.fixture(scope="module")
def board(worker_dir: Path) -> Iterator[Flask]:
    # No page cache: what is counted is the work of rendering a page (a warm cache serves it with none).
    # The village revision read on every request, not once a second.
    with walkable_demo("board_queries", worker_dir, CACHE_TYPE="NullCache", PAGE_STAMP_SECONDS=0) as app:
        yield app


class Recorder:
    """The SQL statements (with their parameters) run while it is on."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.statements: list[tuple[str, object]] = []
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.statements.append((statement, parameters))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def public_urls(app: Flask) -> list[str]:
    client = app.test_client()

    def fetch(url: str) -> Page:
        response = client.get(url)
        kind = response.mimetype
        text = response.get_data().decode("utf-8", "replace") if kind.startswith(("text/", "application/")) else ""
        return Page(response.status_code, response.content_type or "", text, response.headers.get("Location", ""))

    with app.app_context():
        extra = [u for u in unlinked_starts() if not u.startswith("/admin/")]
    adapter = adapter_for(app.url_map)
    rules = [r for r in get_rules(app.url_map, "/") if not r.rule.startswith(("/admin/", "/static/"))]
    result = walk(fetch, adapter, STARTS + extra, lambda url: not url.startswith(("/admin/", "/static/")))
    fill_in(fetch, adapter, rules, result)
    # PDFs are drawn by the renderer process (disclosure/render.py), not counted here.
    return sorted(u for u, status in result.status.items() if status == 200 and ".pdf" not in u)


def count(app: Flask, urls: list[str]) -> dict[str, list[tuple[str, object]]]:
    client = app.test_client()
    client.get(urls[0])  # warm: templates compiled, first-request work done
    out = {}
    for url in urls:
        recorder = Recorder(app)
        try:
            response = client.get(url)
        finally:
            recorder.close()
        assert response.status_code == 200, url
        out[url] = recorder.statements
    return out


def _ledger(notice_id: int, village_id: int, first_id: int, count: int, day: dt.date) -> list[dict]:
    return [{"id": first_id + n, "notice_id": notice_id, "village_id": village_id, "occurred_on": day,
             "voucher_no": f"记-{n}", "summary": f"第{n}笔零星支出", "direction": "expense",
             "subject": "management_expense", "amount_fen": 100 + n, "handler": "", "note": ""} for n in range(count)]


def _photos(first_id: int, count: int, user_id: int) -> list[dict]:
    return [{"line_id": first_id + n, "sha256": f"{first_id + n:064x}", "width": 64, "height": 48,
             "is_public": n % 2 == 0, "uploaded_by_id": user_id} for n in range(count)]


def _roster(notice_id: int, village_id: int, kind: str, count: int) -> list[dict]:
    return [{"notice_id": notice_id, "village_id": village_id, "seq": 10_000 + n, "kind": kind,
             "name": f"增长{n}", "public_name": f"增*{n}", "initials": f"Z{chr(65 + n % 26)}", "amount_fen": 500,
             "group_no": 1 + n % 5, "id_masked": "", "account_masked": "", "phone_masked": "", "reason": ""}
            for n in range(count)]


def _next_id() -> int:
    return (db.session.execute(select(db.func.max(LedgerLine.id))).scalar() or 0) + 1


def grow(app: Flask) -> None:
    """GROWTH more lines on a published finance notice of the demo (each with
    a photo record) and on a published roster; and a county around the demo:
    another village whose notices hold COUNTY lines, so the demo's villages are
    a small part of the large tables, as one village is of a county's."""
    with app.app_context():
        def published(lines: type) -> Notice:
            query = select(Notice).where(Notice.status == "published", Notice.id.in_(select(lines.notice_id)))
            return db.session.execute(query.order_by(Notice.id).limit(1)).scalar_one()

        finance, roster = published(LedgerLine), published(RosterLine)
        user = db.session.execute(select(User.id).order_by(User.id).limit(1)).scalar_one()
        kind = db.session.execute(select(RosterLine.kind).where(RosterLine.notice_id == roster.id).limit(1)).scalar()
        day = finance.period_start
        first = _next_id()
        db.session.execute(insert(LedgerLine), _ledger(finance.id, finance.village_id, first, GROWTH, day))
        db.session.execute(insert(VoucherImage), _photos(first, GROWTH, user))
        db.session.execute(insert(RosterLine), _roster(roster.id, roster.village_id, kind, GROWTH))

        county = Village(code="county-rest", name="全县其余", township=finance.village.township,
                         supervision_phone="0857-8123400")
        db.session.add(county)
        copies = [Notice(village=county, category=n.category, roster_kind=n.roster_kind, title=n.title,
                         period_start=n.period_start, period_end=n.period_end, period_label=n.period_label,
                         status=Status.PUBLISHED, author_id=user, published_at=n.published_at,
                         notice_start=n.notice_start, notice_end=n.notice_end) for n in (finance, roster)]
        db.session.add_all(copies)
        db.session.flush()
        first = _next_id()
        db.session.execute(insert(LedgerLine), _ledger(copies[0].id, county.id, first, COUNTY, day))
        db.session.execute(insert(VoucherImage), _photos(first, COUNTY, user))
        db.session.execute(insert(RosterLine), _roster(copies[1].id, county.id, kind, COUNTY))
        db.session.commit()
        if ON_POSTGRES:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


@pytest.fixture(scope="module")
def measured(board: Flask) -> tuple[dict, dict]:
    urls = public_urls(board)
    assert len(urls) > 30  # every kind of public page
    before = count(board, urls)
    grow(board)
    after = count(board, urls)
    return before, after


def test_every_public_page_runs_a_small_fixed_number_of_queries(measured):
    before, after = measured
    over = {url: len(s) for url, s in after.items() if len(s) > QUERY_BUDGET and not any(a in url for a in ARCHIVES)}
    assert not over, f"pages over the budget of {QUERY_BUDGET} statements: {over}"
    # An archive may run one more query per village (the county's other village is new), a page none.
    grew = {url: (len(before[url]), len(after[url])) for url in before
            if len(after[url]) > len(before[url]) + (1 if any(a in url for a in ARCHIVES) else 0)}
    assert not grew, f"pages whose statement count grows with the data (an N+1 load): {grew}"


@pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans are checked on PostgreSQL, the county engine")
def test_no_public_page_scans_a_large_table(board, measured):
    _before, after = measured
    seen: set[str] = set()
    scans: dict[str, set[str]] = {}
    with board.app_context(), db.engine.connect() as conn:
        # A sequential scan that stays when the planner is told to avoid them: no index can serve the query.
        conn.exec_driver_sql("SET enable_seqscan = off")
        for url, statements in after.items():
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                    continue
                seen.add(statement)
                [[plan]] = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).all()
                plan = plan if isinstance(plan, list) else json.loads(plan)
                for table in sequential_scans(plan[0]["Plan"]) & GROWN:
                    scans.setdefault(table, set()).add(url)
    assert seen  # the walk ran queries
    assert not scans, f"sequential scans of large tables: { {t: sorted(u)[:3] for t, u in scans.items()} }"


def sequential_scans(node: dict) -> set[str]:
    found = {node["Relation Name"]} if node.get("Node Type") == "Seq Scan" else set()
    for child in node.get("Plans", []):
        found |= sequential_scans(child)
    return found
