"""The township dashboard's part of the villagers' voice: information
requests and 村务信箱 questions past (or near) their deadline, in the
villages the user sees, with working days late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .. import periods
from ..extensions import db
from ..models import InfoRequest, Question, User, Village
from . import access
from . import requests as requests_service

SOON_DAYS = 3


@dataclass(frozen=True)
class DueItem:
    kind: str  # 依申请公开 | 村务信箱
    ticket_no: str
    village: str
    subject: str
    due_on: dt.date
    late_days: int  # working days past the deadline; 0 when not yet due
    endpoint: str
    ident: dict

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


def due_items(user: User, today: dt.date) -> list[DueItem]:
    """Open requests (not waiting for 补正) and open mailbox questions that are
    late or due within SOON_DAYS working days; the latest first."""
    soon = periods.add_working_days(today, SOON_DAYS)
    items = []
    reqs = db.session.execute(access.in_scope(
        select(InfoRequest).join(Village, InfoRequest.village_id == Village.id), user, InfoRequest.village_id, None
    ).where(InfoRequest.replied_on.is_(None))).scalars()
    for r in reqs:
        if requests_service.is_waiting_for_correction(r) or r.deadline > soon:
            continue
        items.append(DueItem("依申请公开", r.ticket_no, r.village.name, r.subject, r.deadline,
                             periods.working_days_between(r.deadline, today) if today > r.deadline else 0,
                             "admin.request_detail", {"request_id": r.id}))
    questions = db.session.execute(access.in_scope(
        select(Question).join(Village, Question.village_id == Village.id), user, Question.village_id, None
    ).where(Question.notice_id.is_(None), Question.answered_at.is_(None), Question.is_hidden.is_(False),
            Question.due_on <= soon)).scalars()
    for q in questions:
        items.append(DueItem("村务信箱", q.ticket_no, q.village.name, q.text, q.due_on,
                             periods.working_days_between(q.due_on, today) if today > q.due_on else 0,
                             "admin.question_detail", {"question_id": q.id}))
    return sorted(items, key=lambda i: (-i.late_days, i.due_on, i.ticket_no))
