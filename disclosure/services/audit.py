"""Recording writes in the audit log."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEntry, User
from ..privacy import scrub


def _clean(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {k: scrub(v) if isinstance(v, str) else v for k, v in data.items()}


def record(
    user: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    township_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=user.id if user else None,
        township_id=township_id if township_id is not None else (user.township_id if user else None),
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_clean(before),
        after=_clean(after),
    )
    db.session.add(entry)
    return entry
