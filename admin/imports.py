"""Import a clerk's spreadsheet: upload → preview (every problem by row and
column, the totals, what was masked) → confirm → all rows in one
transaction, or none.

Between preview and confirm the uploaded bytes wait in
UPLOAD_DIR/pending/<random token> (never in the session cookie), tied to the
user who uploaded them, and are deleted once confirmed or cancelled."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import db
from disclosure.importing import Problem
from disclosure.models import Notice, Status
from disclosure.services import ServiceError, access
from disclosure.services import imports as import_service

from . import bp
from .common import drafting_villages, refuse
from .forms import ConfirmImportForm, ImportForm, options

PENDING_TTL_SECONDS = 24 * 3600
PREVIEW_ROWS = 200
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _pending_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / "pending"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path]:
    if not _TOKEN.fullmatch(token or ""):
        abort(404)
    folder = _pending_dir()
    return folder / f"{token}.bin", folder / f"{token}.json"


def _sweep() -> None:
    """Forget uploads nobody confirmed within a day."""
    cutoff = time.time() - PENDING_TTL_SECONDS
    for path in _pending_dir().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _discard(token: str) -> None:
    for path in _paths(token):
        path.unlink(missing_ok=True)


def _load(token: str) -> tuple[bytes, dict]:
    data_path, meta_path = _paths(token)
    if not data_path.exists() or not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != current_user.id:
        abort(404)
    return data_path.read_bytes(), meta


def _target_drafts(villages: list) -> list[Notice]:  # noqa: ANN001
    return list(db.session.execute(
        select(Notice).where(Notice.village_id.in_([v.id for v in villages]), Notice.status == Status.DRAFT,
                             Notice.category.in_(["finance", "subsidy", "assistance", "project", "other"]))
        .order_by(Notice.created_at.desc())
    ).scalars())


def _fits(notice: Notice, what: str) -> bool:
    return notice.category == "finance" if what == "ledger" else notice.category != "finance"


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
        elif target is not None and not _fits(target, form.what.data):
            form.notice_id.errors = ["所选草稿的类别与表格类型不符（收支明细只能导入财务收支公示）"]
        elif village is None and target is None:
            form.village.errors = ["请选择村"]
        else:
            village = target.village if target is not None else village
            _sweep()
            token = secrets.token_urlsafe(24)
            data = form.file.data.read()
            data_path, meta_path = _paths(token)
            data_path.write_bytes(data)
            meta_path.write_text(json.dumps({
                "user_id": current_user.id, "village_id": village.id, "what": form.what.data,
                "kind": form.kind.data or None, "notice_id": target.id if target else None,
                "filename": Path(form.file.data.filename or "upload.xlsx").name[:200],
            }, ensure_ascii=False))
            return _preview(token, data, json.loads(meta_path.read_text()))
    return render_template("admin/import_form.html", form=form)


def _preview(token: str, data: bytes, meta: dict):  # noqa: ANN202
    village, target = _resolve(meta)
    try:
        result = import_service.parse(meta["what"], data, meta["filename"], meta.get("kind"))
    except ServiceError as err:
        _discard(token)
        refuse(err)
        return redirect(url_for("admin.import_upload"))
    problems = list(result.problems)
    kind = None
    if meta["what"] == "roster":
        kind = meta.get("kind") or (target.roster_kind if target else None) or result.roster_kind
        if kind is None:
            problems.append(Problem(None, "", "无法从表格标题识别名单类型，请返回上一页选择名单类型", "kind_unknown"))
    errors = [p for p in problems if not p.is_warning]
    can_confirm = not errors and bool(result.rows)
    if not can_confirm:
        _discard(token)  # nothing will be written: do not keep the file either
    status = 200 if can_confirm else 422
    return render_template(
        "admin/import_preview.html", result=result, problems=sorted(problems, key=lambda p: (p.row or 0, p.column)),
        errors=errors, meta=meta, village=village, target=target, kind=kind,
        kind_name=ROSTER_KINDS[kind].name if kind in ROSTER_KINDS else "",
        rows=result.rows[:PREVIEW_ROWS], can_confirm=can_confirm,
        form=ConfirmImportForm(formdata=None, token=token),
    ), status


@bp.post("/import/confirm")
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data or ""
    data, meta = _load(token)
    village, target = _resolve(meta)
    try:
        outcome = import_service.import_file(meta["what"], data, meta["filename"], village=village,
                                             user=current_user, kind=meta.get("kind"), notice=target)
        if outcome.notice is None:
            raise ServiceError(outcome.message)
    except ServiceError as err:
        refuse(err)
        _discard(token)
        return redirect(url_for("admin.import_upload"))
    db.session.commit()
    _discard(token)
    flash(outcome.message, "success")
    return redirect(url_for("admin.notice_detail", notice_id=outcome.notice.id, _anchor="lines"))


@bp.post("/import/cancel")
def import_cancel():
    form = ConfirmImportForm()
    if form.validate_on_submit() and _TOKEN.fullmatch(form.token.data or ""):
        data_path, meta_path = _paths(form.token.data)
        if meta_path.exists() and json.loads(meta_path.read_text()).get("user_id") == current_user.id:
            _discard(form.token.data)
    flash("已取消导入，没有写入任何数据。", "info")
    return redirect(url_for("admin.import_upload"))
