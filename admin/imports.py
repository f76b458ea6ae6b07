"""Import a clerk's spreadsheet: upload → preview (every row accounted for,
every problem by sheet, row and column, the totals, what was masked) →
confirm → all rows in one transaction, or none.

Between preview and confirm the uploaded bytes wait in the private store of
:mod:`disclosure.services.pending_uploads`; preview and confirm run the same
checks (:func:`disclosure.services.imports.check`)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import db
from disclosure.importing import SKIP_KINDS
from disclosure.models import Notice, Status
from disclosure.services import ServiceError, access, intake, pending_uploads
from disclosure.services import imports as import_service

from . import bp
from .common import drafting_villages, refuse
from .forms import ConfirmImportForm, ImportForm, options

PREVIEW_ROWS = 200


def _sweep_at_start(state) -> None:  # noqa: ANN001
    """Uploads left waiting by a crash or a restart go when the app starts."""
    pending_uploads.sweep_at_start(state.app)


bp.record_once(_sweep_at_start)


def _target_drafts(villages: list) -> list[Notice]:  # noqa: ANN001
    return list(db.session.execute(
        select(Notice).where(Notice.village_id.in_([v.id for v in villages]), Notice.status == Status.DRAFT,
                             Notice.category.in_(intake.LEDGER_CATEGORIES + intake.ROSTER_CATEGORIES))
        .order_by(Notice.created_at.desc())
    ).scalars())


def _resolve(meta: dict) -> tuple:
    """(village, target notice or None) from the stored choices, re-checked
    against the user's scope at every step."""
    from disclosure.models import Village

    village = db.session.get(Village, meta["village_id"])
    if village is None or not access.can_draft(current_user, village):
        abort(404)
    notice = None
    if meta.get("notice_id"):
        notice = db.session.get(Notice, meta["notice_id"])
        if notice is None or notice.village_id != village.id:
            abort(404)
    return village, notice


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    villages = drafting_villages()
    if not villages:
        abort(403)
    form = ImportForm()
    form.village.choices = options((v.id, v.name) for v in villages)
    drafts = _target_drafts(villages)
    form.notice_id.choices = options([("", "新建一份草稿公示")] + [
        (n.id, f"#{n.id} {n.village.name}·{n.title}") for n in drafts])
    if request.method == "GET" and request.args.get("notice_id"):
        form.notice_id.data = request.args["notice_id"]
        chosen = next((n for n in drafts if str(n.id) == form.notice_id.data), None)
        if chosen is not None:
            form.what.data = "ledger" if chosen.category == "finance" else "roster"
    if form.validate_on_submit():
        village = villages[0] if len(villages) == 1 else next(
            (v for v in villages if str(v.id) == form.village.data), None)
        target = next((n for n in drafts if str(n.id) == form.notice_id.data), None) if form.notice_id.data else None
        if form.notice_id.data and target is None:
            form.notice_id.errors = ["请选择一份您可以修改的草稿"]
        elif target is not None and intake.refusal(target, form.what.data):
            form.notice_id.errors = ["所选草稿的类别与表格类型不符（收支明细只能导入财务收支公示）"]
        elif village is None and target is None:
            form.village.errors = ["请选择村"]
        else:
            village = target.village if target is not None else village
            meta = {
                "user_id": current_user.id, "village_id": village.id, "what": form.what.data,
                "kind": form.kind.data or None, "notice_id": target.id if target else None,
                "filename": Path(form.file.data.filename or "upload.xlsx").name[:200],
            }
            data = form.file.data.read()
            return _preview(pending_uploads.store(data, meta), data, meta)
    return render_template("admin/import_form.html", form=form)


def _preview(token: str, data: bytes, meta: dict):  # noqa: ANN202
    village, target = _resolve(meta)
    try:
        checked = import_service.check(meta["what"], data, meta["filename"], user=current_user,
                                       kind=meta.get("kind"), notice=target)
    except ServiceError as err:
        refuse(err)  # rolls back first: the upload is deleted outside the request's transaction
        pending_uploads.discard(token)
        return redirect(url_for("admin.import_upload"))
    result, kind = checked.result, checked.kind
    can_confirm = result.ok and bool(result.rows)
    if not can_confirm:
        pending_uploads.discard(token)  # nothing will be written: do not keep the file either
    return render_template(
        "admin/import_preview.html", result=result, problems=result.problems_in_order(), errors=result.errors, meta=meta,
        village=village, target=target, kind=kind, kind_name=ROSTER_KINDS[kind].name if kind in ROSTER_KINDS else "",
        rows=result.rows[:PREVIEW_ROWS], can_confirm=can_confirm, tally=result.tally(), skip_kinds=SKIP_KINDS,
        many_sheets=len(result.sheets) > 1, show_sheet=any(s.name for s in result.sheets),
        form=ConfirmImportForm(formdata=None, token=token),
    ), 200 if can_confirm else 422


@bp.post("/import/confirm")
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data or ""
    try:
        pending = pending_uploads.load(token, current_user.id)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.import_upload"))
    if pending is None:
        abort(404)
    data, meta = pending
    village, target = _resolve(meta)
    try:
        outcome = import_service.import_file(meta["what"], data, meta["filename"], village=village,
                                             user=current_user, kind=meta.get("kind"), notice=target)
        if outcome.notice is None:
            raise ServiceError(outcome.message)
    except ServiceError as err:
        refuse(err)  # rolls back first: the upload is deleted outside the request's transaction
        pending_uploads.discard(token)
        return redirect(url_for("admin.import_upload"))
    db.session.commit()
    pending_uploads.discard(token)
    flash(outcome.message, "success")
    return redirect(url_for("admin.notice_detail", notice_id=outcome.notice.id, _anchor="lines"))


@bp.post("/import/cancel")
def import_cancel():
    form = ConfirmImportForm()
    if form.validate_on_submit():
        pending_uploads.discard(form.token.data or "", current_user.id)
    flash("已取消导入，没有写入任何数据。", "info")
    return redirect(url_for("admin.import_upload"))
