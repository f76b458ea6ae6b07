"""The job queue: long work (the township's batch print) done by
``flask jobs worker`` outside the web workers, and the workers' heartbeats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .notice import utcnow


class QueuedJob(db.Model):
    """One piece of work; a worker claims it (queued → running), then done or
    failed. A failed attempt goes back to queued until ``max_attempts``."""

    __tablename__ = "job_queue"
    __table_args__ = (Index("ix_job_queue_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # print.batch …
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=2)  # the first try and one retry
    run_after: Mapped[dt.datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(String(80), default="")  # the heartbeat name of the worker on it
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class WorkerHeartbeat(db.Model):
    """A running ``flask jobs worker``: it writes ``seen_at`` every few seconds
    and removes its row when it stops. No fresh row: no worker runs."""

    __tablename__ = "job_workers"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # host:pid
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
