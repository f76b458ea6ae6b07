"""Printing on the staff side: preview and print any notice in scope (drafts
watermarked 草稿), the township's monthly batch as a queued job (done by
``flask jobs worker``) with a progress page, QR sticker sheets per village,
and 明白卡."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from disclosure.clock import china_today
from disclosure import config, jobs, periods, printing, render, workqueue
from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import db
from disclosure.models import Notice, PrintJob
from disclosure.public import documents
from disclosure.services import ServiceError, access

from . import bp
from .common import notice_in_scope, refuse, village_in_scope, visible_villages
from .forms import ActionForm

RECENT_NOTICES = 60


def qr_base() -> str:
    return config.public_base(current_app.config.get("PUBLIC_BASE_URL"), request.host_url)


def _size() -> str:
    size = request.args.get("size", "a4").lower()
    if size not in printing.SIZES:
        abort(404)
    return size


def _pdf(data: bytes, name: str, *, attachment: bool = False):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=attachment,
                     max_age=0)


def _notice_html(notice: Notice, size: str) -> str:
    doc = documents.notice_document(notice, base_url=qr_base(), allow_draft=True)
    return printing.notice_html(doc, size)


@bp.get("/print/")
def print_index():
    villages = visible_villages()
    notices = list(db.session.execute(
        select(Notice).where(Notice.village_id.in_([v.id for v in villages]))
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(RECENT_NOTICES)
    ).scalars()) if villages else []
    recent_jobs = []
    if access.can_manage_users(current_user):
        recent_jobs = list(db.session.execute(
            select(PrintJob).where(PrintJob.township_id == current_user.township_id)
            .order_by(PrintJob.id.desc()).limit(10)
        ).scalars())
    last_month = periods.month_of(china_today().replace(day=1) - dt.timedelta(days=1))
    return render_template("admin/print_index.html", villages=villages, notices=notices, jobs=recent_jobs,
                           kinds=list(ROSTER_KINDS.values()), form=ActionForm(),
                           default_month=periods.period_key(last_month),
                           can_batch=access.can_manage_users(current_user),
                           worker_running=workqueue.worker_running())


@bp.get("/print/notice/<int:notice_id>")
def print_notice(notice_id: int):
    """The print HTML itself, as the PDF will lay it out (any status)."""
    notice = notice_in_scope(notice_id)
    return _notice_html(notice, _size())


@bp.get("/print/notice/<int:notice_id>.pdf")
def print_notice_pdf(notice_id: int):
    notice = notice_in_scope(notice_id)
    # Rendered in a short-lived process: WeasyPrint's memory never stays in the web worker.
    data = render.render_isolated(_notice_html(notice, _size()), request.host_url)
    prefix = "" if notice.is_public else "草稿-"
    return _pdf(data, f"{prefix}{notice.title}.pdf")


# Batch ---------------------------------------------------------------------

@bp.post("/print/batch")
def print_batch_start():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = jobs.create_job(current_user, request.form.get("month", ""), qr_base=qr_base(),
                              host_url=request.host_url)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.print_index"))
    db.session.commit()
    return redirect(url_for("admin.print_batch_show", job_id=job.id))


def _job_in_scope(job_id: int) -> PrintJob:
    job = db.session.get(PrintJob, job_id)
    if job is None or not access.can_manage_users(current_user) or job.township_id != current_user.township_id:
        abort(404)
    return job


def _job_state(job: PrintJob) -> dict:
    has_file = jobs.has_file(job)
    return {
        "id": job.id, "status": job.status, "done": job.done, "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else (100 if job.status == "done" else 0),
        "error": job.error,
        # No worker: the job waits in the queue and the page says why.
        "worker_running": workqueue.worker_running(),
        "download_url": url_for("admin.print_batch_download", job_id=job.id) if has_file else None,
        "empty": job.status == "done" and job.total == 0,
    }


@bp.get("/print/batch/<int:job_id>")
def print_batch_show(job_id: int):
    job = _job_in_scope(job_id)
    return render_template("admin/print_job.html", job=job, state=_job_state(job),
                           month=periods.parse_period(job.month))


@bp.get("/print/batch/<int:job_id>.json")
def print_batch_status(job_id: int):
    return jsonify(_job_state(_job_in_scope(job_id)))


@bp.get("/print/batch/<int:job_id>/download")
def print_batch_download(job_id: int):
    job = _job_in_scope(job_id)
    data = jobs.job_file(job)
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{job.month}公示汇总打印.pdf", max_age=0)


# Stickers and cards ----------------------------------------------------------

def _absolute(endpoint: str, fallback_path: str, **values) -> str:
    base = qr_base()
    if endpoint in current_app.view_functions:
        return base + url_for(endpoint, **values)
    return base + fallback_path


@bp.get("/print/stickers/<int:village_id>.pdf")
def print_stickers(village_id: int):
    village = village_in_scope(village_id)
    items = documents.stickers(
        village,
        kiosk_url=_absolute("kiosk.attract", f"/kiosk/{village.code}", code=village.code),
        phone_url=_absolute("mobile.home", f"/m/{village.code}", code=village.code),
    )
    html = render_template("print/stickers.html", village=village, stickers=items)
    return _pdf(render.render_isolated(html, request.host_url), f"{village.name}二维码贴纸.pdf")


@bp.get("/print/card/<int:village_id>/<kind>.pdf")
def print_card(village_id: int, kind: str):
    village = village_in_scope(village_id)
    if kind not in ROSTER_KINDS:
        abort(404)
    page = _absolute("public.card", f"/card/{village.code}/{kind}", village_code=village.code, kind=kind)
    html = render_template("print/card.html", card=documents.card(village, kind, page_url=page))
    return _pdf(render.render_isolated(html, request.host_url), f"{village.name}{ROSTER_KINDS[kind].name}明白卡.pdf")


@bp.app_template_global("print_notice_url")
def print_notice_url(notice_id: int, size: str = "a4") -> str:
    """For other staff pages: the print (PDF) link of a notice."""
    return url_for("admin.print_notice_pdf", notice_id=notice_id, size=size)
