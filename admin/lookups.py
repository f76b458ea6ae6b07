"""我领了什么, seen by the township: how many self-lookups were made per
village per month. Counts only: no ID, no fingerprint, no result."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from disclosure.services import lookup as lookup_service

from . import bp
from .common import township_admin_required


@bp.get("/lookups")
@township_admin_required
def lookup_counts():
    return render_template("admin/lookups.html", counts=lookup_service.monthly_counts(current_user))
