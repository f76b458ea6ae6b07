"""A village's finances from its published ledger lines: balances that
reconcile (opening + income − expense = closing) for any month, quarter or
year, and breakdowns by subject. What villagers see of them (rounding, the
plain sentence) is built in disclosure.public.figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select

from .. import periods
from ..extensions import db
from ..models import CURRENT_STATUSES, LedgerLine, Notice, Village


def current_lines() -> Select:
    """Ledger lines of the versions in force (published or archived, not
    superseded or withdrawn)."""
    return select(LedgerLine).join(Notice, LedgerLine.notice_id == Notice.id).where(
        Notice.status.in_(CURRENT_STATUSES)
    )


def _signed():
    return func.coalesce(func.sum(case((LedgerLine.direction == "income", LedgerLine.amount_fen),
                                       else_=-LedgerLine.amount_fen)), 0)


def _current_filter(village: Village):
    return (LedgerLine.village_id == village.id, Notice.status.in_(CURRENT_STATUSES))


@dataclass(frozen=True)
class Summary:
    period: periods.Period
    opening_fen: int
    income_fen: int
    expense_fen: int
    line_count: int
    by_subject: dict[str, int] = field(default_factory=dict)  # subject code → fen
    largest_expense: LedgerLine | None = None

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.income_fen - self.expense_fen

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.expense_fen


def balance_before(village: Village, day: dt.date) -> int:
    """Balance at the start of ``day``."""
    moved = db.session.execute(
        select(_signed()).select_from(LedgerLine).join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.occurred_on < day)
    ).scalar_one()
    return village.opening_balance_fen + int(moved)


def summarize(village: Village, period: periods.Period) -> Summary:
    rows = db.session.execute(
        select(LedgerLine.subject, LedgerLine.direction, func.sum(LedgerLine.amount_fen), func.count())
        .join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.occurred_on.between(period.start, period.end))
        .group_by(LedgerLine.subject, LedgerLine.direction)
    ).all()
    income = sum(int(total) for _, direction, total, _ in rows if direction == "income")
    expense = sum(int(total) for _, direction, total, _ in rows if direction == "expense")
    by_subject = {subject: int(total) for subject, _, total, _ in rows}
    largest = db.session.execute(
        select(LedgerLine).join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.direction == "expense",
               LedgerLine.occurred_on.between(period.start, period.end))
        .order_by(LedgerLine.amount_fen.desc(), LedgerLine.id).limit(1)
    ).scalar_one_or_none()
    return Summary(period, balance_before(village, period.start), income, expense,
                   sum(int(n) for *_, n in rows), by_subject, largest)


def monthly(village: Village, period: periods.Period) -> list[Summary]:
    """One summary per month of ``period``; each month's opening is the
    previous month's closing."""
    rows = db.session.execute(
        select(func.extract("year", LedgerLine.occurred_on), func.extract("month", LedgerLine.occurred_on),
               LedgerLine.direction, func.sum(LedgerLine.amount_fen), func.count())
        .join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.occurred_on.between(period.start, period.end))
        .group_by(func.extract("year", LedgerLine.occurred_on), func.extract("month", LedgerLine.occurred_on),
                  LedgerLine.direction)
    ).all()
    totals: dict[tuple[int, int], dict[str, int]] = {}
    for year, month, direction, total, count in rows:
        slot = totals.setdefault((int(year), int(month)), {"income": 0, "expense": 0, "count": 0})
        slot[direction] += int(total)
        slot["count"] += int(count)
    result, opening = [], balance_before(village, period.start)
    for m in periods.months_in(period):
        slot = totals.get((m.start.year, m.start.month), {"income": 0, "expense": 0, "count": 0})
        summary = Summary(m, opening, slot["income"], slot["expense"], slot["count"])
        result.append(summary)
        opening = summary.closing_fen
    return result


def lines(village: Village, period: periods.Period) -> list[LedgerLine]:
    return list(db.session.execute(
        current_lines().where(LedgerLine.village_id == village.id,
                              LedgerLine.occurred_on.between(period.start, period.end))
        .order_by(LedgerLine.occurred_on, LedgerLine.id)
    ).scalars())


def span(village: Village) -> tuple[dt.date, dt.date] | None:
    """First and last day with a published line."""
    first, last = db.session.execute(
        select(func.min(LedgerLine.occurred_on), func.max(LedgerLine.occurred_on))
        .join(Notice, LedgerLine.notice_id == Notice.id).where(*_current_filter(village))
    ).one()
    return (first, last) if first else None


def period_noun(period: periods.Period, today: dt.date) -> str:
    """本月 / 本季度 / 今年 when the period is the current one, else its label."""
    if today in period:
        if period.start.month == period.end.month:
            return "本月"
        return "今年" if period.start.month == 1 and period.end.month == 12 else "本季度"
    return period.label
