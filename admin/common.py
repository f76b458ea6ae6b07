"""Helpers every staff view uses: the scope check on loaded objects, the
villages a user works on, and role gates. The rules themselves live in
disclosure.services.access; this only applies them to requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash
from flask_login import current_user

from disclosure.extensions import db
from disclosure.models import Notice, Village
from disclosure.services import ServiceError, access

from .forms import Form, apply_error


def visible_villages(user=None) -> list[Village]:  # noqa: ANN001
    return access.villages_in_scope(user or current_user)


def drafting_villages(user=None) -> list[Village]:  # noqa: ANN001
    user = user or current_user
    return [v for v in visible_villages(user) if access.can_draft(user, v)]


def village_in_scope(village_id: Any, *, for_drafting: bool = False) -> Village:
    """A village the current user may see (or draft for), else 404."""
    try:
        village = db.session.get(Village, int(village_id))
    except (TypeError, ValueError):
        village = None
    if village is None or not access.can_see_village(current_user, village):
        abort(404)
    if for_drafting and not access.can_draft(current_user, village):
        abort(403)
    return village


def notice_in_scope(notice_id: int) -> Notice:
    """The notice, if it belongs to a village the user may see; 404 otherwise,
    so an outsider cannot even learn that the id exists."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or not access.can_see_village(current_user, notice.village):
        abort(404)
    return notice


def requires(check: Callable[[Any], bool]) -> Callable[[Callable], Callable]:
    """A role gate: 403 unless ``check(current_user)``."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


township_admin_required = requires(access.can_manage_users)
county_admin_required = requires(lambda user: user.is_county_admin)
#: A township or a county admin (pages both use, each on what is theirs: staff accounts, the catalogue).
admin_required = requires(lambda user: access.can_manage_users(user) or user.is_county_admin)


def refuse(err: ServiceError, form: Form | None = None) -> None:
    """Roll back whatever the request started and show the refusal next to
    its field, or as a message at the top of the page."""
    db.session.rollback()
    if form is None or not apply_error(form, err):
        flash(err.message, "error")
