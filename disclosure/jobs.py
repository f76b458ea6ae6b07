"""Batch printing: one PDF with every notice of a township published in a
month (for the township's wall boards), made outside the request. Starting
one writes a PrintJob (what staff see) and a job in the queue
(disclosure/workqueue.py) in one transaction; ``flask jobs worker`` then
builds the print HTML (it needs the database), two spawned processes render
the pages (WeasyPrint is CPU-bound: both cores; it never enters a web worker,
and the processes end with the job), and ``pdfunite`` (poppler-utils,
installed by scripts/setup.sh) joins them; the result goes into the file
store (disclosure/storage.py), so the node that serves the download need
not be the one the worker runs on. Each notice keeps its own
"第 n 页 共 N 页". Progress is written to the PrintJob row after every notice,
so the admin page can show a progress bar. A failed attempt is retried once.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from . import periods, printing, storage, workqueue
from .extensions import db
from .models import PUBLIC_STATUSES, Notice, PrintJob, Township, User, Village
from .public import documents
from .services import ServiceError

#: Worker processes for rendering; the board runs on two cores.
PROCESSES = 2
#: The queue's name for this work.
KIND = "print.batch"


def month_notices(township: Township, month: periods.Period) -> list[Notice]:
    """Public versions of the township's villages published in ``month``, by village then date."""
    start = dt.datetime.combine(month.start, dt.time.min)
    end = dt.datetime.combine(month.end + dt.timedelta(days=1), dt.time.min)
    return list(db.session.execute(
        select(Notice).join(Village, Notice.village_id == Village.id)
        .where(Village.township_id == township.id, Notice.status.in_(PUBLIC_STATUSES),
               Notice.published_at >= start, Notice.published_at < end)
        .order_by(Village.code, Notice.published_at, Notice.id)
    ).scalars())


def create_job(user: User, month_key: str, *, qr_base: str, host_url: str) -> PrintJob:
    """A batch job for the user's township (township staff only), queued for
    the worker; ``qr_base`` is the address printed in the QR codes, ``host_url``
    where the print styles are fetched from. No commit."""
    from .services import access

    if not access.can_manage_users(user):
        raise ServiceError("只有乡镇管理员可以批量打印全乡镇的公示")
    try:
        month = periods.parse_period(month_key)
    except ValueError as err:
        raise ServiceError(str(err), "month") from err
    if month.start.month != month.end.month or month.start.day != 1:
        raise ServiceError("请选择一个月份（如 2025-10）", "month")
    job = PrintJob(township_id=user.township_id, month=periods.period_key(month), status="queued",
                   created_by_id=user.id)
    db.session.add(job)
    db.session.flush()
    workqueue.enqueue(KIND, {"print_job_id": job.id, "qr_base": qr_base, "host_url": host_url})
    return job


def job_file_name(job: PrintJob) -> str | None:
    """The finished batch PDF's name in the file store (disclosure/storage.py)."""
    return f"batch/{job.file_name}" if job.status == "done" and job.file_name else None


def has_file(job: PrintJob) -> bool:
    name = job_file_name(job)
    return name is not None and storage.exists(name)


def job_file(job: PrintJob) -> bytes | None:
    """The finished batch PDF, from whichever node made it; None if there is none."""
    name = job_file_name(job)
    return None if name is None else storage.get(name)


def _merge(parts: list[Path], target: Path) -> None:
    if len(parts) == 1:
        shutil.copyfile(parts[0], target)
        return
    tool = shutil.which("pdfunite")
    if tool is None:
        raise RuntimeError("缺少 pdfunite（请安装 poppler-utils）")
    subprocess.run([tool, *map(str, parts), str(target)], check=True, capture_output=True, timeout=300)


def run(job_id: int, *, qr_base: str, host_url: str, processes: int = PROCESSES) -> None:
    """Do the job in the caller's app context (the worker's); raises on failure."""
    job = db.session.get(PrintJob, job_id)
    if job is None:
        return
    job_dir = Path(current_app.config["JOB_DIR"])
    job_dir.mkdir(parents=True, exist_ok=True)
    job.status, job.error = "running", ""
    township = db.session.get(Township, job.township_id)
    notices = month_notices(township, periods.parse_period(job.month))
    job.total, job.done = len(notices), 0
    db.session.commit()
    if not notices:
        job.status = "done"
        db.session.commit()
        return
    with current_app.test_request_context("/", base_url=host_url):
        htmls = [printing.notice_html(documents.notice_document(n, base_url=qr_base)) for n in notices]
    db.session.commit()  # end the read transaction before the long render
    with tempfile.TemporaryDirectory(dir=job_dir, prefix=f"job-{job.id}-") as tmp:
        parts = []
        for index, pdf in enumerate(printing.render_many(htmls, host_url, processes)):
            part = Path(tmp) / f"{index:05d}.pdf"
            part.write_bytes(pdf)
            parts.append(part)
            job.done = index + 1
            db.session.commit()
        name = f"batch-{job.id}-{township.code}-{job.month}.pdf"
        _merge(parts, Path(tmp) / name)
        job.file_name, job.status = name, "done"
        storage.adopt(job_file_name(job), Path(tmp) / name)  # committed with the status below
    db.session.commit()


def _run_task(payload: dict[str, Any]) -> None:
    run(payload["print_job_id"], qr_base=payload["qr_base"], host_url=payload["host_url"])


def _attempt_failed(payload: dict[str, Any], message: str, final: bool) -> None:
    """What staff read on the job's page after a failed attempt."""
    job = db.session.get(PrintJob, payload["print_job_id"])
    if job is None:
        return
    job.done = 0
    if final:
        job.status, job.error = "failed", f"已自动重试 1 次，仍未成功：{message}"[:500]
    else:
        job.status, job.error = "queued", f"上次没有完成（{message}），稍后自动重试"[:500]


workqueue.TASKS[KIND] = workqueue.Task(run=_run_task, failed=_attempt_failed)


__all__ = ["KIND", "PROCESSES", "create_job", "has_file", "job_file", "job_file_name", "month_notices", "run"]
