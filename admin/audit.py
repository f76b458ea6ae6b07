"""The audit log, for township admins: who did what, when, before and after."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import AuditEntry

from . import bp
from .common import township_admin_required

PER_PAGE = 50


@bp.get("/audit")
@township_admin_required
def audit_list():
    query = select(AuditEntry).where(AuditEntry.township_id == current_user.township_id)
    action = request.args.get("action", "").strip()
    entity = request.args.get("entity", "").strip()
    entity_id = request.args.get("entity_id", type=int)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    page = db.paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=PER_PAGE,
                       error_out=False)
    return render_template("admin/audit_list.html", page=page, action=action, entity=entity, entity_id=entity_id,
                           args={k: v for k, v in request.args.items() if k != "page"})
