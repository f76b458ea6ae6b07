"""The working-day calendar for years chinese_calendar does not know yet.

The State Council publishes next year's 法定节假日 and 调休 each November or
December; the package learns them only with its next release. Until then a
township admin enters the days here (with an audit entry), and
:func:`disclosure.periods.is_workday` reads them before the package. The
dashboard says when the coming year is missing from both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, g, has_app_context
from sqlalchemy import select

from .. import periods, privacy
from ..extensions import db
from ..models import CalendarDay, User, utcnow
from . import ServiceError, audit

#: The longest stretch entered in one go (the longest national holiday is 8–9 days).
MAX_SPAN_DAYS = 15
#: From this month on, the coming year's calendar is due (the State Council publishes it by December).
DUE_FROM_MONTH = 11
HOLIDAY, MAKEUP = "holiday", "makeup"
KIND_LABELS = {HOLIDAY: "放假（法定节假日）", MAKEUP: "调休上班"}


def entered_days(year_no: int) -> Mapping[dt.date, bool]:
    """{day: is working day} entered for ``year_no``; read once per request."""
    if not has_app_context():
        return {}
    cache = g.setdefault("_entered_calendar", {})
    if year_no not in cache:
        with db.session.no_autoflush:  # a working-day sum in the middle of a service flushes nothing
            rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday).where(
                CalendarDay.day >= dt.date(year_no, 1, 1), CalendarDay.day <= dt.date(year_no, 12, 31))).all()
        cache[year_no] = {day: work for day, work in rows}
    return cache[year_no]


def init_app(app: Flask) -> None:  # noqa: ARG001 - the hook is process-wide; each read is per app context
    periods.use_entered_days(entered_days)


def _forget() -> None:
    if has_app_context():
        g.pop("_entered_calendar", None)


def days_of(year_no: int) -> list[CalendarDay]:
    return list(db.session.execute(select(CalendarDay).where(
        CalendarDay.day >= dt.date(year_no, 1, 1), CalendarDay.day <= dt.date(year_no, 12, 31))
        .order_by(CalendarDay.day)).scalars())


def enter_days(user: User, *, start: dt.date | None, end: dt.date | None, kind: str, name: str,
               today: dt.date) -> list[CalendarDay]:
    """Enter ``start``–``end`` (inclusive) as 放假 or 调休上班 days. A day
    already entered is replaced (the newest word of the State Council wins)."""
    if not user.is_township_admin:
        raise ServiceError("只有乡镇管理员可以录入节假日安排")
    if kind not in KIND_LABELS:
        raise ServiceError("请选择放假还是调休上班", "kind")
    if start is None:
        raise ServiceError("请填写开始日期", "start")
    end = end or start
    if end < start:
        raise ServiceError("结束日期早于开始日期", "end")
    if start.year != end.year:
        raise ServiceError("一次只能录入同一年内的日期（跨年的假期请分两次录入）", "end")
    if start.year < today.year:
        raise ServiceError(f"不能录入过去年份（{start.year}年）的安排", "start")
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise ServiceError(f"一次最多录入{MAX_SPAN_DAYS}天，请分段录入", "end")
    name = privacy.scrub_text(name, 32)
    if not name:
        raise ServiceError("请填写节日名称，如 春节、国庆节", "name")
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if kind == MAKEUP:
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            raise ServiceError(f"调休上班日应为周六或周日：{periods.format_date(weekdays[0])}本来就是工作日", "start")
    existing = {c.day: c for c in db.session.execute(
        select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)).scalars()}
    rows = []
    for day in days:
        row = existing.get(day) or CalendarDay(day=day)
        row.is_workday, row.name, row.entered_by_id, row.entered_at = kind == MAKEUP, name, user.id, utcnow()
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    _forget()
    audit.record(user, "calendar.enter", "calendar_day", rows[0].id, township_id=user.township_id,
                 before={"days": [str(d) for d in sorted(existing)]} if existing else None,
                 after={"start": str(start), "end": str(end), "kind": kind, "name": name})
    return rows


def remove_day(user: User, row: CalendarDay) -> None:
    if not user.is_township_admin:
        raise ServiceError("只有乡镇管理员可以修改节假日安排")
    audit.record(user, "calendar.delete", "calendar_day", row.id, township_id=user.township_id,
                 before={"day": str(row.day), "is_workday": row.is_workday, "name": row.name})
    db.session.delete(row)
    db.session.flush()
    _forget()


@dataclass(frozen=True)
class YearState:
    year: int
    package_knows: bool
    entered: int  # days entered by the township

    @property
    def is_known(self) -> bool:
        return self.package_knows or self.entered > 0

    @property
    def label(self) -> str:
        if self.entered:
            return f"已录入{self.entered}天" + ("（优先于系统自带日历）" if self.package_knows else "")
        return "系统已有国务院公布的安排" if self.package_knows else "尚未录入"


def year_state(year_no: int) -> YearState:
    return YearState(year_no, periods.package_knows(year_no), len(entered_days(year_no)))


def missing_year(today: dt.date) -> int | None:
    """The year whose holiday calendar is missing and due: this year, or from
    November on, the coming year, when neither the package nor the township
    has it. None when all is there."""
    if not year_state(today.year).is_known:
        return today.year
    if today.month >= DUE_FROM_MONTH and not year_state(today.year + 1).is_known:
        return today.year + 1
    return None
