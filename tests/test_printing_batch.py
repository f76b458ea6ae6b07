"""The township's monthly batch print: started from the admin page, made in
the background (the request returns at once), progress as JSON, one PDF with
every notice published that month, each with its own page numbers."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from disclosure import jobs, periods
from disclosure.extensions import db
from disclosure.models import Notice, PrintJob, Role, Township, User
from tests.conftest import login_as


def _demo(app: Flask) -> tuple[int, int, str, list[str]]:
    """Load the demo into this test's own database; (admin id, clerk id, a month, its titles)."""
    with app.app_context():
        from disclosure.demo import load

        load()
        counts = Counter(n.published_at.strftime("%Y-%m") for n in db.session.execute(select(Notice)).scalars()
                         if n.published_at)
        month = min((m for m, c in counts.items() if c >= 3), key=lambda m: (counts[m], m))
        township = db.session.execute(select(Township)).scalar_one()
        titles = [n.title for n in jobs.month_notices(township, periods.parse_period(month))]
        admin = db.session.execute(select(User).where(User.role == Role.TOWNSHIP_ADMIN)).scalar_one()
        clerk = db.session.execute(select(User).where(User.role == Role.CLERK)).scalars().first()
        return admin.id, clerk.id, month, titles


def _wait(client, url: str, timeout: float = 240) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        state = client.get(url).get_json()
        seen.append((state["status"], state["done"]))
        if state["status"] in ("done", "failed"):
            state["seen"] = seen
            return state
        time.sleep(0.3)
    raise AssertionError(f"job did not finish: {seen[-3:]}")


def test_batch_job_runs_in_background_and_merges_every_notice(app: Flask, tmp_path: Path) -> None:
    admin_id, clerk_id, month, titles = _demo(app)
    assert len(titles) >= 3
    client = login_as(app.test_client(), admin_id)
    started = time.monotonic()
    response = client.post("/admin/print/batch", data={"month": month})
    assert time.monotonic() - started < 3  # the request does not wait for the PDF
    assert response.status_code == 302
    job_url = response.headers["Location"]
    job_id = int(re.search(r"/print/batch/(\d+)$", job_url).group(1))

    page = client.get(job_url).get_data(as_text=True)
    assert "<progress" in page and "print_job.js" in page and "data-status-url" in page
    assert "<script>" not in page and " style=" not in page

    state = _wait(client, f"/admin/print/batch/{job_id}.json")
    assert state["status"] == "done", state
    assert state["done"] == state["total"] == len(titles) and state["percent"] == 100
    assert state["download_url"]

    pdf = client.get(state["download_url"])
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf.data)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                             text=True).stdout).group(1))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert pages >= len(titles)
    for title in titles:
        assert title in text.replace("\n", "")
    # Each notice numbers its own pages: as many "第1页" as notices.
    assert text.replace(" ", "").count("第1页共") == len(titles)

    # Clerks cannot batch the township, nor see its jobs.
    clerk = login_as(app.test_client(), clerk_id)
    assert clerk.post("/admin/print/batch", data={"month": month}).status_code == 302
    with app.app_context():
        assert db.session.execute(select(PrintJob)).scalars().all().__len__() == 1
    assert clerk.get(f"/admin/print/batch/{job_id}.json").status_code == 404
    assert clerk.get(state["download_url"]).status_code == 404


def test_bad_month_and_empty_month(app: Flask) -> None:
    admin_id, _, _, _ = _demo(app)
    client = login_as(app.test_client(), admin_id)
    assert client.post("/admin/print/batch", data={"month": "2025Q3"}).headers["Location"].endswith("/admin/print/")
    assert client.post("/admin/print/batch", data={"month": "bogus"}).headers["Location"].endswith("/admin/print/")
    with app.app_context():
        assert db.session.execute(select(PrintJob)).first() is None
        user = db.session.get(User, admin_id)
        job = jobs.create_job(user, "1999-01")
        db.session.commit()
        job_id = job.id
    jobs.run(app, job_id, qr_base="http://localhost/", host_url="http://localhost/")
    state = client.get(f"/admin/print/batch/{job_id}.json").get_json()
    assert state["status"] == "done" and state["total"] == 0 and state["empty"] and state["download_url"] is None
    assert "没有已公布的公示" in client.get(f"/admin/print/batch/{job_id}").get_data(as_text=True)
