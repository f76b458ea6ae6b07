"""Footprint (issue 18): public PDFs come from the renderer process, never from
a web worker. A fresh app process serves 200 kiosk/phone pages and 20 public
PDF requests without importing WeasyPrint and stays under 150 MB resident
(VmRSS from /proc, on SQLite); a PDF not made yet answers 正在生成 with a meta
refresh; the stored PDF is byte-identical to the in-process render, with its
page numbers and QR code."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import PIL.Image
import pytest
import zxingcpp
from flask import Flask
from sqlalchemy import select

from bench import footprint
from disclosure import printing, render, storage
from disclosure.extensions import db
from disclosure.models import Notice, Status
from kiosk import printed
from tests.conftest import make_app

BASE = "http://localhost/"
MB = 1024


@pytest.fixture(scope="module")
def served(demo_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two fresh app processes on the demo database with an empty PDF store:
    the first finds nothing rendered, the second (after the renderer) everything."""
    instance = tmp_path_factory.mktemp("footprint") / "instance"
    url = demo_app.config["SQLALCHEMY_DATABASE_URI"]
    first = footprint.probe(instance, url, pages=20, pdfs=footprint.PDFS)
    store = Path(first["store"])
    app = make_app(url, instance)  # the probes' own settings: their node folder, their file store
    assert footprint.wait_idle(app, 300), "the renderer did not finish"
    second = footprint.probe(instance, url)
    return {"first": first, "second": second, "store": store, "url": url, "app": app}


def test_a_pdf_not_rendered_yet_answers_a_refreshing_chinese_page(served: dict) -> None:
    first = served["first"]
    assert [202, "html"] in first["pdfs"]
    body = first["pending_body"]
    assert "正在生成" in body and '<meta http-equiv="refresh" content="3">' in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # strict CSP: no inline script
    assert not first["weasyprint"]


def test_web_worker_serves_stored_pdfs_without_weasyprint_and_stays_small(served: dict) -> None:
    second = served["second"]
    assert second["pdfs"] == [[200, "pdf"]] * footprint.PDFS
    assert len(second["pages"]) == footprint.PAGES and set(second["pages"]) == {200}
    assert second["weasyprint"] is False
    if served["url"].startswith("sqlite"):
        assert second["rss_kb"] < 150 * MB, f"web worker holds {second['rss_kb'] // MB} MB"
    with served["app"].app_context():
        assert storage.names(render.QUEUE) == []  # nothing queued, nothing failed
    status = (served["store"] / render.STATUS_FILE).read_text()
    assert '"peak_kb"' in status


def test_stored_pdf_is_the_in_process_render_with_pages_and_qr(served: dict, demo_app: Flask,
                                                               tmp_path: Path) -> None:
    with demo_app.app_context():
        notice = db.session.execute(select(Notice).where(Notice.status == Status.PUBLISHED, Notice.category == "finance")
                                    .order_by(Notice.id.desc())).scalars().first()
        with demo_app.test_request_context("/", base_url=BASE):
            key = printed.notice_key(notice, "a4", BASE)
            direct = printing.render_pdf(printed.notice_html(notice, "a4", BASE), BASE)
        code = notice.verify_code
    with served["app"].app_context():  # where the renderer put it (PostgreSQL: the database)
        made = storage.get(render.stored_name(key))
    assert made is not None
    stored = tmp_path / "stored.pdf"
    stored.write_bytes(made)
    assert hashlib.sha256(made).hexdigest() == hashlib.sha256(direct).hexdigest()
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(stored), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"第1页共\d+页", text.replace(" ", ""))
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(stored), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p-*.png"))
    assert [r.text for r in zxingcpp.read_barcodes(PIL.Image.open(png))] == [f"{BASE}v/{code}"]


def test_renderer_survives_a_restart_and_drains_what_was_queued(app: Flask) -> None:
    """A request queued while no renderer ran (the board restarted) is made by the next one."""
    html = '<!doctype html><html lang="zh-CN"><body><p>村务公开</p></body></html>'
    key = ("test", 1)
    name = render.stored_name(key)
    with app.app_context():
        render.request_pdf(key, lambda: html, BASE)  # starts a renderer: let it finish
    assert footprint.wait_idle(app, 120)
    with app.app_context():
        assert storage.get(name)[:5] == b"%PDF-"
        storage.delete(name)
        db.session.commit()
        # The queued request outlives any process; a renderer started later makes it.
        entry = f"{render.QUEUE}/{Path(name).stem}.json"
        storage.put(entry, ('{"html": "<p>村务公开</p>", "base_url": "http://localhost/", "target": "%s"}'
                            % Path(name).name).encode(), at_once=True)
        assert render.pending() == 1
        assert render.run_queue() == 0
        assert storage.get(name)[:5] == b"%PDF-" and not storage.exists(entry) and render.pending() == 0


def test_withdrawal_renders_both_sizes_before_anyone_asks(app: Flask, client, place) -> None:  # noqa: ANN001
    from tests.conftest import login_as
    from tests.helpers.admin_world import build_world

    world = build_world(app, place)
    login_as(client, world["clerk1"])
    assert client.post(f"/admin/notices/{world['published']}/withdraw", data={"reason": "发布有误"}).status_code == 302
    assert footprint.wait_idle(app, 120)
    with app.app_context():
        rendered = [storage.get(name) for name in storage.names("pdf-cache", ".pdf")]
    assert len(rendered) == 2  # A4 and A3, queued by the withdrawal itself
    for data in rendered:
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert "本公示已撤回" in text.decode().replace(" ", "")
    served = client.get(f"/p/{world['published']}.pdf").data
    with app.app_context():
        assert served in rendered and storage.names(render.QUEUE) == []  # served as rendered, nothing queued again
