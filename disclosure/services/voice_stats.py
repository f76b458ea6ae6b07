"""Public figures of the villagers' voice, per village or township and per
quarter or year: notices published by category, questions received /
answered / late, information requests by reply type, average working days to
answer, self-lookups made. The page and the 年度报告 PDF show these.

Counts only (no names, no contacts). A notice counts in the period its
version was published (corrections count as publications); a question or
request counts in the period it was received; "late" means answered after
its deadline or still open past it (``today``); averages are working days
from receipt to answer (a request waiting for 补正 is not answered).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from .. import periods
from ..catalogue import CATEGORIES
from ..clock import CHINA_TZ, china_time
from ..extensions import db
from ..models import InfoRequest, LookupLog, Notice, Question, Township, Village
from . import requests as requests_service

PENDING = "办理中"


@dataclass
class Figures:
    scope: str  # 某村 / 某镇
    period: periods.Period
    notices_by_category: dict[str, int] = field(default_factory=dict)
    questions_received: int = 0
    questions_answered: int = 0
    questions_late: int = 0
    question_days: Decimal | None = None
    requests_received: int = 0
    requests_by_reply: dict[str, int] = field(default_factory=dict)
    requests_late: int = 0
    request_days: Decimal | None = None
    lookups: int = 0

    @property
    def notices_total(self) -> int:
        return sum(self.notices_by_category.values())


def parse_period(text: str | None, today: dt.date) -> periods.Period:
    """'2026' → that year, '2026Q3' → that quarter; anything else → this year."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        return periods.quarter(int(m.group(1)), int(m.group(2)))
    if re.fullmatch(r"\d{4}", text) and 2000 <= int(text) <= 2100:
        return periods.year(int(text))
    return periods.year(today.year)


def period_key(period: periods.Period) -> str:
    if period.start.month == 1 and period.end.month == 12:
        return str(period.start.year)
    return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}"


def _utc_bounds(period: periods.Period) -> tuple[dt.datetime, dt.datetime]:
    """China-day bounds of the period as naive UTC (how times are stored)."""
    def utc(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, CHINA_TZ).astimezone(dt.UTC).replace(tzinfo=None)
    return utc(period.start), utc(period.end + dt.timedelta(days=1))


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures(villages: list[Village], scope: str, period: periods.Period, today: dt.date) -> Figures:
    ids = [v.id for v in villages]
    start, end = _utc_bounds(period)
    result = Figures(scope=scope, period=period,
                     notices_by_category={code: 0 for code in CATEGORIES})
    for category, count in db.session.execute(
            select(Notice.category, func.count()).where(Notice.village_id.in_(ids), Notice.published_at >= start,
                                                       Notice.published_at < end).group_by(Notice.category)):
        result.notices_by_category[category] = result.notices_by_category.get(category, 0) + count

    questions = db.session.execute(select(Question).where(
        Question.village_id.in_(ids), Question.created_at >= start, Question.created_at < end,
        Question.is_hidden.is_(False))).scalars().all()
    days = []
    for q in questions:
        result.questions_received += 1
        answered_on = china_time(q.answered_at).date() if q.answered_at else None
        if answered_on is not None:
            result.questions_answered += 1
            days.append(periods.working_days_between(china_time(q.created_at).date(), answered_on))
        if (answered_on or today) > q.due_on:
            result.questions_late += 1
    result.question_days = _mean(days)

    reqs = db.session.execute(select(InfoRequest).where(
        InfoRequest.village_id.in_(ids), InfoRequest.received_on >= period.start,
        InfoRequest.received_on <= period.end)).scalars().all()
    result.requests_by_reply = {t: 0 for t in (*requests_service.REPLY_TYPES, PENDING)}
    days = []
    for r in reqs:
        result.requests_received += 1
        result.requests_by_reply[r.reply_type or PENDING] += 1
        if r.replied_on is not None:
            days.append(periods.working_days_between(r.received_on, r.replied_on))
            result.requests_late += r.replied_on > r.deadline
        elif not requests_service.is_waiting_for_correction(r):
            result.requests_late += today > r.deadline
    result.request_days = _mean(days)

    result.lookups = db.session.execute(select(func.count()).select_from(LookupLog).where(
        LookupLog.village_id.in_(ids), LookupLog.at >= start, LookupLog.at < end)).scalar_one()
    return result


def village_figures(village: Village, period: periods.Period, today: dt.date) -> Figures:
    return figures([village], village.name, period, today)


def township_figures(township: Township, period: periods.Period, today: dt.date) -> Figures:
    villages = db.session.execute(select(Village).where(Village.township_id == township.id)).scalars().all()
    return figures(list(villages), township.name, period, today)


def category_names() -> dict[str, str]:
    return {code: c.name for code, c in CATEGORIES.items()}
