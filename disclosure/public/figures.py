"""Finance figures a villager can check with a calculator.

One screen's amounts are rounded one way, chosen once from the exact fen:
spoken 万元 where the rounded figures still add up (结余 = 收入 − 支出,
期初 + 收入 − 支出 = 期末, the months add up to the period), otherwise 元 to
the fen. Every face (kiosk, phone, PDF, downloads) takes its figures and
sentence from here, so two faces cannot disagree.

A finance notice's figures come from that notice's own lines; a village's
period view marks months no notice covers as 尚未公示 and leaves out months
that have not begun.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from .. import periods
from ..catalogue import LEDGER_SUBJECTS
from ..extensions import db
from ..models import CURRENT_STATUSES, Notice, Village
from ..money import format_wan, format_yuan
from ..services import finance
from . import views

NOT_PUBLISHED = "尚未公示"
#: First and last day with a published line of a village, or None.
span = finance.span

Formatter = Callable[[int], str]


def yuan_text(fen: int) -> str:
    """Exact: ``1504117`` → ``"15,041.17元"``, negative as ``负…``."""
    return ("负" if fen < 0 else "") + f"{format_yuan(abs(fen))}元"


def shown_fen(text: str) -> int:
    """The fen a shown amount stands for (``"15.04万元"`` → 15040000)."""
    negative = text.startswith("负")
    number = re.sub(r"[负,元]", "", text)
    wan = number.endswith("万")
    value = Decimal(number.rstrip("万")) * (1_000_000 if wan else 100)
    return int(-value if negative else value)


#: (total, added, subtracted): the shown total must equal Σ added − Σ subtracted.
Identity = tuple[int, Sequence[int], Sequence[int]]


def formatter_for(identities: Iterable[Identity]) -> Formatter:
    """format_wan when every identity still holds on the rounded figures, else
    exact 元 (which always adds up)."""
    def shown(fen: int) -> int:
        return shown_fen(format_wan(fen))

    for total, added, subtracted in identities:
        if shown(total) != sum(shown(f) for f in added) - sum(shown(f) for f in subtracted):
            return yuan_text
    return format_wan


@dataclass(frozen=True)
class MonthFigure:
    period: periods.Period
    key: str
    published: bool
    income_fen: int
    expense_fen: int
    line_count: int
    income: str  # shown text, or 尚未公示
    expense: str

    @property
    def label(self) -> str:
        return f"{self.period.start.month}月"


@dataclass(frozen=True)
class Largest:
    summary: str
    amount_fen: int
    amount: str


@dataclass(frozen=True)
class FinanceFigures:
    """What a villager sees of a stretch of the ledger, every amount shown once."""
    period: periods.Period
    label: str  # 2026年（1—9月）
    covers: str  # "1—9月" when only part of the period is published, else ""
    opening_fen: int
    income_fen: int
    expense_fen: int
    line_count: int
    opening: str
    income: str
    expense: str
    net_word: str  # 结余 | 超支
    net: str  # its absolute value
    closing: str
    sentence: str
    months: tuple[MonthFigure, ...] = ()
    largest: Largest | None = None
    by_subject: dict[str, int] = field(default_factory=dict)

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.expense_fen

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.income_fen - self.expense_fen

    def subject_rows(self, direction: str) -> list[tuple[str, int]]:
        """(subject name, fen) for one direction, largest first."""
        rows = [(LEDGER_SUBJECTS[code].name, fen) for code, fen in self.by_subject.items()
                if code in LEDGER_SUBJECTS and LEDGER_SUBJECTS[code].direction == direction]
        return sorted(rows, key=lambda r: -r[1])


def _covers(months: Sequence[MonthFigure], period: periods.Period) -> str:
    published = [m for m in months if m.published]
    if not published or len(published) == len(periods.months_in(period)):
        return ""
    first, last = published[0].period.start.month, published[-1].period.start.month
    return f"{first}月" if first == last else f"{first}—{last}月"


def figures_from(period: periods.Period, noun: str, opening: int, income: int, expense: int, count: int,
           months: list[tuple[periods.Period, bool, int, int, int]], largest: tuple[str, int] | None,
           by_subject: dict[str, int], totals_months: bool) -> FinanceFigures:
    net = income - expense
    published = [m for m in months if m[1]]
    identities: list[Identity] = [(net, [income], [expense]), (opening + net, [opening, income], [expense])]
    if totals_months:  # the months listed are the period's: they must add up to it
        identities += [(income, [m[2] for m in published], []), (expense, [m[3] for m in published], [])]
    fmt = formatter_for(identities)
    month_figures = tuple(
        MonthFigure(p, periods.period_key(p), ok, inc, exp, n,
                    fmt(inc) if ok else NOT_PUBLISHED, fmt(exp) if ok else NOT_PUBLISHED)
        for p, ok, inc, exp, n in months)
    covers = _covers(month_figures, period) if totals_months else ""
    label = f"{period.label}（{covers}）" if covers else period.label
    noun = f"{noun}（{covers}）" if covers else noun
    word = "结余" if net >= 0 else "超支"
    big = Largest(largest[0], largest[1], fmt(largest[1])) if largest else None
    inside = [m for m in month_figures if period.start <= m.period.start <= period.end]
    if not count and inside and not any(m.published for m in inside):
        sentence = f"{noun}的收支{NOT_PUBLISHED}。"
    elif count:
        sentence = f"{noun}村里收入{fmt(income)}，支出{fmt(expense)}，{word}{fmt(abs(net))}"
        if big is not None:
            sentence += f"；最大一笔支出是“{big.summary}”，{big.amount}"
        sentence += f"。账上现有{fmt(opening + net)}。"
    else:
        sentence = f"{noun}没有公示的收支。账上现有{fmt(opening)}。"
    return FinanceFigures(period, label, covers, opening, income, expense, count, fmt(opening), fmt(income),
                          fmt(expense), word, fmt(abs(net)), fmt(opening + net), sentence, month_figures, big,
                          by_subject)


def notice_figures(notice: Notice) -> FinanceFigures:
    """A finance notice's figures from its own lines only, so its totals are
    the sums of its table on every face."""
    period = periods.Period(notice.period_start, notice.period_end, notice.period_label)
    lines = list(notice.ledger_lines)
    income = sum(l.amount_fen for l in lines if l.direction == "income")
    expense = sum(l.amount_fen for l in lines if l.direction == "expense")
    by_subject: dict[str, int] = defaultdict(int)
    for line in lines:
        by_subject[line.subject] += line.amount_fen
    months = []
    for month in periods.months_in(period):
        inside = [l for l in lines if l.occurred_on in month]
        months.append((month, True, sum(l.amount_fen for l in inside if l.direction == "income"),
                       sum(l.amount_fen for l in inside if l.direction == "expense"), len(inside)))
    largest = max((l for l in lines if l.direction == "expense"), key=lambda l: (l.amount_fen, -l.id), default=None)
    opening = finance.balance_before(notice.village, notice.period_start)
    return figures_from(period, notice.period_label, opening, income, expense, len(lines), months,
                  (largest.summary, largest.amount_fen) if largest else None, dict(by_subject), True)


def period_lines(village: Village, period: periods.Period) -> list[views.PublicLedgerLine]:
    """The published ledger lines of a village in a period, as public views."""
    return views.ledger_lines(finance.lines(village, period))


def published_months(village: Village, period: periods.Period) -> set[tuple[int, int]]:
    """(year, month) of the months of ``period`` a current finance notice covers."""
    rows = db.session.execute(
        select(Notice.period_start, Notice.period_end).where(
            Notice.village_id == village.id, Notice.category == "finance", Notice.status.in_(CURRENT_STATUSES),
            Notice.period_start <= period.end, Notice.period_end >= period.start)
    ).all()
    found: set[tuple[int, int]] = set()
    for start, end in rows:
        for m in periods.months_in(periods.Period(max(start, period.start), min(end, period.end), "")):
            found.add((m.start.year, m.start.month))
    return found


def period_figures(village: Village, period: periods.Period, today: dt.date,
                   months_of: periods.Period | None = None) -> FinanceFigures:
    """A village's figures for a month, quarter or year. ``months_of`` is the
    stretch whose months are listed (the quarter around a month); months not
    begun by ``today`` are left out, months no notice covers say 尚未公示."""
    listed = months_of or period
    summary, in_months = finance.summaries(village, period, listed)
    covered = published_months(village, listed)
    months = [(m.period, (m.period.start.year, m.period.start.month) in covered or m.line_count > 0,
               m.income_fen, m.expense_fen, m.line_count)
              for m in in_months if m.period.start <= today]
    largest = summary.largest_expense
    return figures_from(period, finance.period_noun(period, today), summary.opening_fen, summary.income_fen,
                  summary.expense_fen, summary.line_count, months,
                  (largest.summary, largest.amount_fen) if largest else None, dict(summary.by_subject),
                  months_of is None or months_of == period)


__all__ = ["NOT_PUBLISHED", "FinanceFigures", "Largest", "MonthFigure", "figures_from", "formatter_for", "notice_figures",
           "period_figures", "period_lines", "published_months", "span", "shown_fen", "yuan_text"]
