"""A village's finances from its published ledger lines: balances that
reconcile (opening + income − expense = closing) for any month, quarter or
year, and breakdowns by subject. What villagers see of them (rounding, the
plain sentence) is built in disclosure.public.figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import lazyload

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
    return summaries(village, period)[0]


def monthly(village: Village, period: periods.Period) -> list[Summary]:
    """One summary per month of ``period``; each month's opening is the
    previous month's closing."""
    return summaries(village, period, largest=False)[1]


def summaries(village: Village, period: periods.Period, listed: periods.Period | None = None, *,
              largest: bool = True) -> tuple[Summary, list[Summary]]:
    """``period``'s summary and one per month of ``listed`` (``period`` itself
    by default; else a stretch holding ``period`` as whole months, such as the
    quarter around a month), from one query of totals (and one for the largest
    expense): on PostgreSQL each query is a round trip."""
    listed = listed or period
    opening, cells = _totals(village, listed)
    months: list[Summary] = []
    for m in periods.months_in(listed):
        found = cells.get((m.start.year, m.start.month), {})
        months.append(_summary(m, opening, found))
        opening = months[-1].closing_fen
    if listed == period:
        inside, opening = months, months[0].opening_fen if months else opening
    else:
        inside = [m for m in months if period.start <= m.period.start <= period.end]
        if not inside or inside[0].period.start != period.start or inside[-1].period.end != period.end:
            raise ValueError(f"{period.label} is not whole months of {listed.label}")
        opening = inside[0].opening_fen
    by_subject: dict[str, int] = {}
    for m in inside:
        for subject, fen in m.by_subject.items():
            by_subject[subject] = by_subject.get(subject, 0) + fen
    found_largest = _largest_expense(village, period) if largest else None
    whole = Summary(period, opening, sum(m.income_fen for m in inside), sum(m.expense_fen for m in inside),
                    sum(m.line_count for m in inside), by_subject, found_largest)
    return whole, months


Cells = dict[tuple[int, int], dict[tuple[str, str], tuple[int, int]]]


def _totals(village: Village, stretch: periods.Period) -> tuple[int, Cells]:
    """The balance before ``stretch`` and its published lines' (fen, count) by
    (year, month) and (subject, direction): one query (the lines before the
    stretch fall into one bucket, year 0, for the balance)."""
    early = LedgerLine.occurred_on < stretch.start
    year = case((early, 0), else_=func.extract("year", LedgerLine.occurred_on)).label("y")
    month = case((early, 0), else_=func.extract("month", LedgerLine.occurred_on)).label("m")
    rows = db.session.execute(
        select(year, month, LedgerLine.subject, LedgerLine.direction, func.sum(LedgerLine.amount_fen), func.count())
        .join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.occurred_on <= stretch.end)
        .group_by(year, month, LedgerLine.subject, LedgerLine.direction)
    ).all()
    opening, cells = village.opening_balance_fen, {}
    for y, m, subject, direction, total, count in rows:
        if int(y) == 0:
            opening += int(total) if direction == "income" else -int(total)
        else:
            cells.setdefault((int(y), int(m)), {})[(subject, direction)] = (int(total), int(count))
    return opening, cells


def _summary(period: periods.Period, opening: int, cells: dict[tuple[str, str], tuple[int, int]]) -> Summary:
    by_subject: dict[str, int] = {}
    for (subject, _), (fen, _) in cells.items():
        by_subject[subject] = by_subject.get(subject, 0) + fen
    return Summary(period, opening, sum(f for (_, d), (f, _) in cells.items() if d == "income"),
                   sum(f for (_, d), (f, _) in cells.items() if d == "expense"),
                   sum(n for _, n in cells.values()), by_subject)


def _largest_expense(village: Village, period: periods.Period) -> LedgerLine | None:
    return db.session.execute(
        select(LedgerLine).join(Notice, LedgerLine.notice_id == Notice.id)
        .where(*_current_filter(village), LedgerLine.direction == "expense",
               LedgerLine.occurred_on.between(period.start, period.end))
        .order_by(LedgerLine.amount_fen.desc(), LedgerLine.id).limit(1)
        .options(lazyload(LedgerLine.vouchers))  # its photos only if someone asks
    ).scalar_one_or_none()


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
