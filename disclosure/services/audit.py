"""Recording writes in the audit log. Every text that goes in is scrubbed
(privacy.scrub), however deep in the record it sits: the log never holds a
full ID, account or phone number, even when a caller passes one."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEntry, User
from ..privacy import scrub


def scrub_deep(data: Any) -> Any:
    """``data`` with every string in it, however deep, scrubbed."""
    if isinstance(data, str):
        return scrub(data)
    if isinstance(data, dict):
        return {k: scrub_deep(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [scrub_deep(v) for v in data]
    return data


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
        before=scrub_deep(before),
        after=scrub_deep(after),
    )
    db.session.add(entry)
    return entry
