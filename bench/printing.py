"""Printing speed: seconds per page of our notices against bare WeasyPrint,
and the township's monthly batch on both cores in pages per second.

Two baselines, both plain ``weasyprint.HTML(string=...).write_pdf()`` with
WeasyPrint's defaults (its own URL fetcher, a new font configuration and the
stylesheets parsed on every call):

* the same final HTML as ours (header, QR code, tables, closing block, the
  print stylesheets read from static/ through its links): our overhead, that
  is building the document, the template, our fetcher and render_pdf;
* a bare table of the same rows with only the font set: what the paper's
  design (header, QR code, charts, closing block, page margins) costs.

Renders are timed in CPU seconds of this process (best of n), the stored PDF
in wall seconds.

    /tmp/probe/bin/python -c "from bench.printing import main; main(quick=True)"
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from disclosure import create_app, periods, printing
from disclosure.public import documents
from disclosure.extensions import db
from disclosure.models import PUBLIC_STATUSES, LedgerLine, Notice, User, Village

from .common import Figure, best_of

BASE = "http://localhost/"
SAME = "bare WeasyPrint, the same HTML and stylesheets"
TABLE = "bare WeasyPrint table of the same rows"


def pages_of(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def bare_table_pdf(rows: tuple[tuple[str, ...], ...]) -> bytes:
    """A plain table of the same cells, no stylesheet but the font."""
    from weasyprint import CSS, HTML

    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    html = f'<!doctype html><html lang="zh-CN"><body><table>{body}</table></body></html>'
    css = CSS(string='html { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt }')
    return HTML(string=html).write_pdf(stylesheets=[css])


def bare_same_pdf(html: str) -> bytes:
    """Our final print HTML, rendered by WeasyPrint as a bare script would: its
    links to ``/static/...`` read as files of the checkout (the only change to
    the text), everything else WeasyPrint's defaults."""
    from weasyprint import HTML

    document = html.replace('href="/static/', 'href="static/')
    return HTML(string=document, base_url=f"{printing.ROOT.as_uri()}/").write_pdf()


def _app(folder: Path) -> Flask:
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "PDF_WAIT_SECONDS": 120, "RATELIMIT_ENABLED": False})
    with app.app_context():
        from disclosure.demo import load

        db.create_all()
        load()
    return app


def _ledger_notice(lines: int) -> int:
    """A published finance notice of 东风村 with ``lines`` ledger lines."""
    from disclosure.services import notices

    rng = random.Random(11)
    village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
    clerk = db.session.execute(select(User).where(User.username == "clerk-dongfeng")).scalar_one()
    supervisor = db.session.execute(select(User).where(User.username == "supervisor-dongfeng")).scalar_one()
    period = periods.year(2019)
    notice = notices.create_draft(village, clerk, category="finance", period=period,
                                  title=f"东风村{period.label}财务收支公示（基准）", body="基准测试用的长账目。")
    for i in range(lines):
        income = rng.random() < 0.3
        notice.ledger_lines.append(LedgerLine(
            village_id=village.id, occurred_on=period.start + dt.timedelta(days=i % 365), voucher_no=f"记{i + 1:03d}",
            summary="收取集体门面租金" if income else rng.choice(("村部电费", "购买办公用品", "村组道路维修材料费")),
            direction="income" if income else "expense", subject="contract_income" if income else "other_expense",
            amount_fen=rng.randrange(100, 5_000_000)))
    notices.submit(notice, clerk)
    notices.approve(notice, supervisor)
    notices.publish(notice, clerk, dt.date(2020, 1, 10), dt.date(2020, 1, 16), today=dt.date(2020, 1, 10))
    db.session.commit()
    return notice.id


@dataclass(frozen=True)
class PerPage:
    """Seconds per page: ours, ours with nothing reused yet (when asked), and both baselines."""
    ours: float
    ours_fresh: float | None
    same: float
    table: float
    pages: int


def _per_page(notice_id: int, repeat: int, *, fresh: bool = False) -> PerPage:
    notice = db.session.get(Notice, notice_id)

    def ours() -> bytes:
        doc = documents.notice_document(notice, base_url=BASE)
        return printing.render_pdf(printing.notice_html(doc), BASE, reuse=True)  # as the renderer does

    def ours_fresh() -> bytes:
        printing.forget_reused()  # as in a fresh renderer process: fonts and stylesheets load again
        return ours()

    doc = documents.notice_document(notice, base_url=BASE)
    html = printing.notice_html(doc)
    rows = tuple(row for table in doc.tables for row in table.rows)
    pages, same_pages, table_pages = pages_of(ours()), pages_of(bare_same_pdf(html)), pages_of(bare_table_pdf(rows))
    assert same_pages == pages, (same_pages, pages)
    cpu = time.process_time  # all four render in this process: CPU time, steadier on a shared machine
    return PerPage(ours=best_of(ours, repeat, cpu) / pages,
                   ours_fresh=best_of(ours_fresh, repeat, cpu) / pages if fresh else None,
                   same=best_of(lambda: bare_same_pdf(html), repeat, cpu) / pages,
                   table=best_of(lambda: bare_table_pdf(rows), repeat, cpu) / table_pages, pages=pages)


def _served(app: Flask, notice_id: int, repeat: int) -> tuple[float, float]:
    """Seconds to answer /p/<id>.pdf once the renderer stored it (it does so
    on publish), and to answer a conditional request for it."""
    client = app.test_client()
    first = client.get(f"/p/{notice_id}.pdf")  # PDF_WAIT_SECONDS: waits for the renderer once
    assert first.status_code == 200 and first.mimetype == "application/pdf", first.status_code
    etag = first.headers["ETag"]
    served = best_of(lambda: client.get(f"/p/{notice_id}.pdf").get_data(), repeat * 5)
    revalidated = best_of(lambda: client.get(f"/p/{notice_id}.pdf", headers={"If-None-Match": etag}), repeat * 5)
    return served, revalidated


def figures(quick: bool = False) -> list[Figure]:
    repeat = 2 if quick else 3
    batch_size = 20 if quick else 100
    result: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.test_request_context("/", base_url=BASE):
            warm_up = "<html lang='zh-CN'><body>预热</body></html>"
            printing.render_pdf(warm_up, BASE, reuse=True)  # Fontconfig's caches, for both sides
            one_page = db.session.execute(
                select(Notice).where(Notice.roster_kind == "tekun", Notice.status.in_(PUBLIC_STATUSES))
                .order_by(Notice.id)).scalars().first()
            one = _per_page(one_page.id, repeat, fresh=True)
            assert one.pages == 1, f"the one-page notice printed on {one.pages} pages"
            result += [
                Figure("printing", "one-page notice (roster, QR), rendered, s/page", one.ours, "s",
                       one.ours / one.same, SAME),
                Figure("printing", "one-page notice, rendered, nothing reused yet", one.ours_fresh, "s",
                       one.ours_fresh / one.same, SAME),
                Figure("printing", "one-page notice, rendered, against its bare rows", one.ours, "s",
                       one.ours / one.table, TABLE),
            ]
            served, revalidated = _served(app, one_page.id, repeat)
            result.append(Figure("printing", "one-page notice /p/<id>.pdf, stored by version key", served * 1000,
                                 "ms", served / one.same, SAME))
            result.append(Figure("printing", "one-page notice /p/<id>.pdf, If-None-Match → 304", revalidated * 1000,
                                 "ms", revalidated / one.same, SAME))
            long_id = _ledger_notice(500)
            ledger = _per_page(long_id, repeat)
            result += [
                Figure("printing", f"500-line ledger notice ({ledger.pages} pages), s/page", ledger.ours, "s",
                       ledger.ours / ledger.same, SAME),
                Figure("printing", "500-line ledger notice, against its bare rows", ledger.ours, "s",
                       ledger.ours / ledger.table, TABLE),
            ]

            public = list(db.session.execute(select(Notice).where(Notice.status.in_(PUBLIC_STATUSES))
                                             .order_by(Notice.id)).scalars())
            batch = [public[i % len(public)] for i in range(batch_size)]
            htmls = [printing.notice_html(documents.notice_document(n, base_url=BASE)) for n in batch]
        timings = {}
        for processes in (1, 2):
            start = time.perf_counter()
            pdfs = list(printing.render_many(htmls, BASE, processes))
            timings[processes] = time.perf_counter() - start
        total_pages = sum(pages_of(pdf) for pdf in pdfs)
        two, one = total_pages / timings[2], total_pages / timings[1]
        result.append(Figure("printing", f"township batch, {batch_size} notices / {total_pages} pages, 2 cores",
                             two, "pages/s", one / two, "one process (below 1× = two cores help)"))
    return result


def main(quick: bool = False) -> None:
    from .common import print_table

    print_table(figures(quick))


if __name__ == "__main__":
    main()
