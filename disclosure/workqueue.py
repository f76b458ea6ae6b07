"""The job queue: long work (the township's batch print) is a row in
``job_queue``, done by ``flask jobs worker``, a process of its own beside
gunicorn. A web restart loses nothing (the job is in the database, written in
the same transaction as the work it belongs to), a worker that stops
mid-job gives it back, and a failed attempt is tried once more.

One queue on both engines, no Redis needed: on PostgreSQL a worker claims a
job with ``SELECT … FOR UPDATE SKIP LOCKED`` (several workers never wait on
each other); SQLite has no row locks, so there the claim is a
compare-and-set update (``… WHERE status = 'queued'``) that only one worker wins.

Every worker keeps a heartbeat row (``job_workers``) fresh from a thread of
its own, also while a long job runs; the staff pages read it and say plainly
when no worker is running (:func:`worker_running`). A running job whose worker
has no fresh heartbeat was abandoned (the process was killed): the next
worker takes it back as a failed attempt.

Kinds of work register a :class:`Task` (what to run, what to tell when an
attempt fails) in :data:`TASKS`; see ``disclosure/jobs.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError

from .errors import ServiceError
from .extensions import db
from .models import QueuedJob, WorkerHeartbeat, utcnow

log = logging.getLogger(__name__)

#: A worker writes its heartbeat this often …
HEARTBEAT_SECONDS = 5.0
#: … and is taken to have stopped when it has not for this long.
WORKER_STALE = dt.timedelta(seconds=60)
#: How often a worker does its chores (sweeping expired import uploads).
CHORE_SECONDS = 60.0
#: Modules whose import registers their tasks.
TASK_MODULES = ("disclosure.jobs",)


@dataclass(frozen=True)
class Task:
    #: Does the work in an app context; raises on failure (a ServiceError's message is shown as is).
    run: Callable[[dict[str, Any]], None]
    #: Told of a failed attempt: (payload, Chinese message, whether it was the last); may write, never commits.
    failed: Callable[[dict[str, Any], str, bool], None]


TASKS: dict[str, Task] = {}


class WorkerStopped(BaseException):
    """Raised in the worker's main thread by SIGTERM/SIGINT while a job runs."""


def load_tasks() -> dict[str, Task]:
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)
    return TASKS


# The web's side -------------------------------------------------------------------

def enqueue(kind: str, payload: dict[str, Any], *, max_attempts: int = 2) -> QueuedJob:
    """Queue work for the worker, in the caller's transaction (no commit)."""
    job = QueuedJob(kind=kind, payload=payload, max_attempts=max_attempts, status="queued", run_after=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def worker_running(now: dt.datetime | None = None) -> bool:
    """Whether a ``flask jobs worker`` has written its heartbeat recently."""
    now = now or utcnow()
    return db.session.execute(
        select(WorkerHeartbeat.name).where(WorkerHeartbeat.seen_at >= now - WORKER_STALE).limit(1)
    ).first() is not None


# The worker's side ----------------------------------------------------------------

def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def beat(name: str) -> None:
    """Write this worker's heartbeat (and commit it)."""
    now = utcnow()
    row = db.session.get(WorkerHeartbeat, name)
    if row is None:
        db.session.add(WorkerHeartbeat(name=name, started_at=now, seen_at=now))
    else:
        row.seen_at = now
    db.session.commit()


def claim(name: str) -> QueuedJob | None:
    """The oldest ready job, now running under ``name`` (committed); None when none is ready."""
    while True:
        now = utcnow()
        job_id = db.session.execute(
            select(QueuedJob.id).where(QueuedJob.status == "queued", QueuedJob.run_after <= now)
            .order_by(QueuedJob.id).limit(1).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if job_id is None:
            db.session.rollback()
            return None
        try:
            won = db.session.execute(
                update(QueuedJob).where(QueuedJob.id == job_id, QueuedJob.status == "queued")
                .values(status="running", attempts=QueuedJob.attempts + 1, worker=name, started_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            db.session.commit()
        except OperationalError:  # SQLite: another worker wrote first
            db.session.rollback()
            won = False
        if won:
            return db.session.get(QueuedJob, job_id)


def _attempt_failed(job: QueuedJob, message: str, *, retry_at_once: bool = False) -> None:
    """Back to the queue for its retry (after JOBS_RETRY_SECONDS, or at once when
    the worker, not the job, failed), or failed for good; the task is told. Commits."""
    final = job.attempts >= job.max_attempts
    job.status, job.error, job.worker = ("failed" if final else "queued"), message[:500], ""
    if final:
        job.finished_at = utcnow()
    else:
        delay = 0 if retry_at_once else current_app.config.get("JOBS_RETRY_SECONDS", 30)
        job.run_after = utcnow() + dt.timedelta(seconds=delay)
    task = TASKS.get(job.kind)
    if task is not None:
        task.failed(job.payload, message, final)
    db.session.commit()


def _give_back(job_id: int) -> None:
    """The worker is stopping: the job waits for the next one, and this attempt does not count."""
    db.session.rollback()
    job = db.session.get(QueuedJob, job_id)
    job.status, job.worker, job.attempts = "queued", "", max(0, job.attempts - 1)
    task = TASKS.get(job.kind)
    if task is not None:
        task.failed(job.payload, "后台服务重启", False)
    db.session.commit()


def failure_message(err: BaseException) -> str:
    if isinstance(err, ServiceError):
        return err.message
    return f"系统错误（{type(err).__name__}: {err}）"


def run_job(job: QueuedJob) -> None:
    """Run a claimed job to done, or record its failed attempt."""
    job_id, task = job.id, TASKS.get(job.kind)
    try:
        if task is None:
            raise ServiceError(f"未知的任务类型 {job.kind}")
        task.run(dict(job.payload))
    except WorkerStopped:
        _give_back(job_id)
        raise
    except Exception as err:  # the queue records any failure; the worker must go on
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        _attempt_failed(db.session.get(QueuedJob, job_id), failure_message(err))
        return
    job = db.session.get(QueuedJob, job_id)
    job.status, job.finished_at, job.error, job.worker = "done", utcnow(), "", ""
    db.session.commit()


def reclaim_abandoned() -> int:
    """Running jobs whose worker stopped without a word (killed): a failed attempt each."""
    fresh = select(WorkerHeartbeat.name).where(WorkerHeartbeat.seen_at >= utcnow() - WORKER_STALE)
    abandoned = db.session.execute(
        select(QueuedJob).where(QueuedJob.status == "running", QueuedJob.worker.not_in(fresh))
    ).scalars().all()
    for job in abandoned:
        log.warning("job %s was abandoned by worker %s", job.id, job.worker)
        _attempt_failed(job, "后台服务中途停止", retry_at_once=True)
    db.session.commit()
    return len(abandoned)


def run_ready(name: str) -> int:
    """Every job ready now, one after the other; how many ran."""
    ran = 0
    while (job := claim(name)) is not None:
        run_job(job)
        ran += 1
    return ran


def _heartbeats(app: Flask, name: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with app.app_context():
                beat(name)
                db.session.remove()
        except Exception:  # a busy database now and then must not end the heartbeat
            log.exception("heartbeat failed")


def chores() -> None:
    """Housekeeping every node relies on: raw import uploads older than an
    hour go (on the db file store nothing else sweeps them while nobody uploads)."""
    from .services import pending_uploads

    try:
        pending_uploads.sweep()
    except Exception:  # a busy database now and then must not end the worker
        log.exception("sweeping expired uploads failed")


def work(app: Flask, *, once: bool = False, poll: float | None = None) -> int:
    """The worker: heartbeat, take back abandoned jobs, run what is ready,
    sleep ``poll`` seconds, again; with ``once``, stop when nothing is ready.
    SIGTERM/SIGINT stop it (a running job goes back to the queue). Returns the jobs run."""
    load_tasks()
    name = worker_name()
    poll = app.config.get("JOBS_POLL_SECONDS", 2.0) if poll is None else poll
    stopping = threading.Event()
    busy = threading.Event()

    def _stop(signum, frame) -> None:  # noqa: ANN001
        stopping.set()
        if busy.is_set():
            raise WorkerStopped()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    beater = threading.Thread(target=_heartbeats, args=(app, name, stopping), name="heartbeat", daemon=True)
    ran = 0
    try:
        with app.app_context():
            beat(name)
            beater.start()
            log.info("job worker %s started", name)
            chores_due = 0.0
            while not stopping.is_set():
                if time.monotonic() >= chores_due:
                    chores()
                    chores_due = time.monotonic() + CHORE_SECONDS
                reclaim_abandoned()
                job = claim(name)
                if job is not None:
                    busy.set()
                    try:
                        run_job(job)
                    finally:
                        busy.clear()
                    ran += 1
                    continue
                if once:
                    break
                stopping.wait(poll)
    except WorkerStopped:
        log.info("job worker %s stopped during a job; it was queued again", name)
    finally:
        stopping.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if beater.is_alive():
            beater.join(HEARTBEAT_SECONDS + 1)
        with app.app_context():
            db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))
            db.session.commit()
            db.session.remove()
        log.info("job worker %s stopped after %d jobs", name, ran)
    return ran


__all__ = ["TASKS", "Task", "WorkerStopped", "beat", "chores", "claim", "enqueue", "failure_message", "load_tasks",
           "reclaim_abandoned", "run_job", "run_ready", "work", "worker_running"]
