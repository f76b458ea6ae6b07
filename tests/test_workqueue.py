"""The job queue (disclosure/workqueue.py) with the batch print as its work:
one retry after a failed attempt, then failed with a Chinese message; a job
abandoned by a killed worker is taken back; the print pages say 打印服务未运行
while no worker's heartbeat is fresh; on PostgreSQL a locked job is skipped.
A batch print done by a worker process: tests/test_printing_batch.py."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from disclosure import jobs, workqueue
from disclosure.extensions import db
from disclosure.models import PrintJob, QueuedJob, Role, User, WorkerHeartbeat, utcnow
from tests.conftest import ON_POSTGRES, login_as
from tests.helpers.processes import ROOT, WORKER, board_env


@pytest.fixture
def admin_id(make_user: Callable[..., int]) -> int:
    return make_user(Role.TOWNSHIP_ADMIN, village=None)


def _start(app: Flask, admin_id: int, month: str = "2025-10") -> int:
    """A batch print for a month without notices (an empty PDF job), queued; its PrintJob id."""
    with app.app_context():
        job = jobs.create_job(db.session.get(User, admin_id), month, qr_base="http://localhost/",
                              host_url="http://localhost/")
        db.session.commit()
        return job.id


def _rows(app: Flask, print_job_id: int) -> tuple[PrintJob, QueuedJob]:
    with app.app_context():
        queued = next(q for q in db.session.execute(select(QueuedJob)).scalars()
                      if q.payload["print_job_id"] == print_job_id)
        printed = db.session.get(PrintJob, print_job_id)
        db.session.expunge_all()
        db.session.remove()
        return printed, queued


def _attempt(app: Flask) -> None:
    with app.app_context():
        workqueue.run_job(workqueue.claim("test-worker"))
        db.session.remove()


def test_a_failed_attempt_is_retried_once_then_failed_in_chinese(app: Flask, admin_id: int, tmp_path: Path) -> None:
    # A real fault: the job folder cannot be made (a file is in its way).
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    app.config.update(JOB_DIR=str(blocker / "jobs"), JOBS_RETRY_SECONDS=0)
    job_id = _start(app, admin_id)
    client = login_as(app.test_client(), admin_id)

    _attempt(app)
    printed, queued = _rows(app, job_id)
    assert (queued.status, queued.attempts) == ("queued", 1)
    assert printed.status == "queued" and printed.error.startswith("上次没有完成（系统错误") \
        and printed.error.endswith("稍后自动重试")
    assert "排队中…（上次没有完成" in client.get(f"/admin/print/batch/{job_id}").get_data(as_text=True)

    _attempt(app)
    printed, queued = _rows(app, job_id)
    assert (queued.status, queued.attempts) == ("failed", 2) and queued.finished_at is not None
    assert printed.status == "failed" and printed.error.startswith("已自动重试 1 次，仍未成功：系统错误")
    state = client.get(f"/admin/print/batch/{job_id}.json").get_json()
    assert state["status"] == "failed" and state["error"] == printed.error
    assert f"生成失败：{escape(printed.error)}" in client.get(f"/admin/print/batch/{job_id}").get_data(as_text=True)
    with app.app_context():
        assert workqueue.claim("test-worker") is None  # no third attempt

    # The same fault mended before the retry: the retry does the job.
    second = _start(app, admin_id, "2025-11")
    _attempt(app)
    assert _rows(app, second)[0].status == "queued"
    app.config["JOB_DIR"] = str(tmp_path / "jobs")
    _attempt(app)
    printed, queued = _rows(app, second)
    assert (printed.status, printed.error, queued.status, queued.attempts) == ("done", "", "done", 2)


def test_retry_waits_its_delay(app: Flask, admin_id: int, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    app.config.update(JOB_DIR=str(blocker), JOBS_RETRY_SECONDS=600)
    _start(app, admin_id)
    _attempt(app)
    with app.app_context():
        assert workqueue.claim("test-worker") is None  # not before its time
        assert workqueue.run_ready("test-worker") == 0


def test_a_job_abandoned_by_a_killed_worker_is_taken_back(app: Flask, admin_id: int, tmp_path: Path) -> None:
    app.config["JOB_DIR"] = str(tmp_path / "jobs")
    job_id = _start(app, admin_id)
    with app.app_context():
        # A worker claimed it, then was killed: its heartbeat stopped two minutes ago.
        db.session.add(WorkerHeartbeat(name="old-host:4242", seen_at=utcnow() - dt.timedelta(minutes=2)))
        db.session.commit()
        assert workqueue.claim("old-host:4242") is not None
        db.session.remove()
    with app.app_context():
        workqueue.beat("new-host:1")
        assert workqueue.reclaim_abandoned() == 1
        assert workqueue.reclaim_abandoned() == 0
        printed = db.session.get(PrintJob, job_id)
        assert printed.status == "queued" and "后台服务中途停止" in printed.error
        db.session.commit()
        assert workqueue.run_ready("new-host:1") == 1
        db.session.remove()
    printed, queued = _rows(app, job_id)
    assert (printed.status, queued.status, queued.attempts, queued.worker) == ("done", "done", 2, "")


def test_a_running_workers_job_is_left_alone(app: Flask, admin_id: int) -> None:
    _start(app, admin_id)
    with app.app_context():
        workqueue.beat("busy-host:7")
        assert workqueue.claim("busy-host:7") is not None
        workqueue.beat("other-host:8")
        assert workqueue.reclaim_abandoned() == 0
        db.session.remove()


def test_print_pages_say_when_no_worker_runs(app: Flask, admin_id: int) -> None:
    job_id = _start(app, admin_id)
    client = login_as(app.test_client(), admin_id)

    def banner_shown(url: str) -> bool:
        page = client.get(url).get_data(as_text=True)
        assert "打印服务未运行" in page  # always in the page, so the progress script can show it
        return 'id="worker-down" role="alert">' in page

    # No worker has ever run.
    assert banner_shown("/admin/print/") and banner_shown(f"/admin/print/batch/{job_id}")
    assert client.get(f"/admin/print/batch/{job_id}.json").get_json()["worker_running"] is False
    # A worker's heartbeat, gone stale: it stopped without removing its row (killed).
    with app.app_context():
        db.session.add(WorkerHeartbeat(name="host:1", started_at=utcnow() - dt.timedelta(hours=1),
                                       seen_at=utcnow() - workqueue.WORKER_STALE - dt.timedelta(seconds=5)))
        db.session.commit()
    assert banner_shown("/admin/print/") and banner_shown(f"/admin/print/batch/{job_id}")
    # A fresh heartbeat: the warning is hidden.
    with app.app_context():
        workqueue.beat("host:1")
    assert not banner_shown("/admin/print/") and not banner_shown(f"/admin/print/batch/{job_id}")
    assert client.get(f"/admin/print/batch/{job_id}.json").get_json()["worker_running"] is True


def test_the_worker_loop_runs_ready_jobs_and_removes_its_heartbeat(app: Flask, admin_id: int, tmp_path: Path) -> None:
    app.config["JOB_DIR"] = str(tmp_path / "jobs")
    first, second = _start(app, admin_id, "2025-10"), _start(app, admin_id, "2025-11")
    assert workqueue.work(app, once=True) == 2
    with app.app_context():
        assert [db.session.get(PrintJob, i).status for i in (first, second)] == ["done", "done"]
        assert db.session.execute(select(WorkerHeartbeat)).first() is None
        assert not workqueue.worker_running()
        db.session.remove()


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
def test_postgresql_claim_skips_a_job_another_worker_holds(app: Flask, admin_id: int) -> None:
    first, second = _start(app, admin_id, "2025-10"), _start(app, admin_id, "2025-11")
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.connect() as conn, conn.begin():
        held = conn.execute(sa.text("SELECT id FROM job_queue ORDER BY id LIMIT 1 FOR UPDATE")).scalar_one()
        with app.app_context():
            job = workqueue.claim("w2")  # does not wait for the lock: takes the next job
            assert job is not None and job.id != held and job.payload["print_job_id"] == second
            db.session.remove()
    other.dispose()
    with app.app_context():
        assert workqueue.claim("w1").payload["print_job_id"] == first
        assert workqueue.claim("w1") is None
        db.session.remove()


def test_two_worker_processes_share_the_queue_without_doing_a_job_twice(app: Flask, admin_id: int) -> None:
    months = [f"2025-{m:02d}" for m in range(1, 9)]
    print_ids = [_start(app, admin_id, month) for month in months]
    env = board_env(app)
    workers = [subprocess.Popen([*WORKER, "--once"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [w.communicate(timeout=180)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    ran = [int(re.search(r"完成 (\d+) 个任务", out).group(1)) for out in outputs]
    assert sum(ran) == len(months), outputs
    with app.app_context():
        queued = db.session.execute(select(QueuedJob)).scalars().all()
        assert {(q.status, q.attempts) for q in queued} == {("done", 1)}
        assert {db.session.get(PrintJob, i).status for i in print_ids} == {"done"}
        db.session.remove()
