"""The township's monthly batch print: started from the admin page, queued
(the request returns at once), done by ``flask jobs worker`` in a process of
its own, progress as JSON, one PDF with every notice published that month,
each with its own page numbers. The queue itself: tests/test_workqueue.py."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from disclosure import jobs, periods, workqueue
from disclosure.extensions import db
from disclosure.models import Notice, PrintJob, QueuedJob, Role, Township, User
from tests.conftest import login_as, make_app
from tests.helpers.processes import ROOT, WORKER, board_env


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


def test_batch_job_is_done_by_the_worker_process_and_merges_every_notice(app: Flask, tmp_path: Path) -> None:
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
    # No worker yet: the job waits, and the page says why.
    assert "打印服务未运行" in page
    state = client.get(f"/admin/print/batch/{job_id}.json").get_json()
    assert state["status"] == "queued" and state["worker_running"] is False

    # The web side restarts (a new app on the same database): the job is still there.
    restarted = make_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
    client = login_as(restarted.test_client(), admin_id)
    assert client.get(f"/admin/print/batch/{job_id}.json").get_json()["status"] == "queued"

    # A worker starts on it and is stopped mid-job (SIGTERM, as systemd stops it): the job goes
    # back to the queue, and that attempt does not count.
    worker = subprocess.Popen(WORKER, cwd=ROOT, env=board_env(app),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while client.get(f"/admin/print/batch/{job_id}.json").get_json()["status"] != "running":
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    state = client.get(f"/admin/print/batch/{job_id}.json").get_json()
    assert (state["status"], state["done"], state["worker_running"]) == ("queued", 0, False), state
    assert state["error"] == "上次没有完成（后台服务重启），稍后自动重试"
    with restarted.app_context():
        assert db.session.execute(select(QueuedJob.attempts)).scalar_one() == 0
        db.session.remove()

    # `flask jobs worker --once` in a process of its own does it; the page follows its progress.
    worker = subprocess.Popen([*WORKER, "--once"],
                              cwd=ROOT, env=board_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    state = _wait(client, f"/admin/print/batch/{job_id}.json")
    output = worker.communicate(timeout=120)[0].decode()
    assert worker.returncode == 0 and "完成 1 个任务" in output, output
    assert state["status"] == "done", state
    done_seen = [done for _, done in state["seen"]]
    assert done_seen == sorted(done_seen)  # progress only goes forward
    assert state["done"] == state["total"] == len(titles) and state["percent"] == 100
    assert state["download_url"]
    with restarted.app_context():
        queued = db.session.execute(select(QueuedJob)).scalar_one()
        assert (queued.status, queued.attempts, queued.kind) == ("done", 1, jobs.KIND)
        db.session.remove()

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
        job = jobs.create_job(user, "1999-01", qr_base="http://localhost/", host_url="http://localhost/")
        db.session.commit()
        job_id = job.id
        assert workqueue.run_ready("test-worker") == 1
        db.session.remove()
    state = client.get(f"/admin/print/batch/{job_id}.json").get_json()
    assert state["status"] == "done" and state["total"] == 0 and state["empty"] and state["download_url"] is None
    assert "没有已公布的公示" in client.get(f"/admin/print/batch/{job_id}").get_data(as_text=True)
