"""Figures a villager can check with a calculator: every amount on one screen
is rounded one way, and the rounded figures still add up."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import Village
from disclosure.public import figures

FEN = st.integers(min_value=0, max_value=5_000_000_000)


def _months(period: periods.Period, amounts: list[tuple[int, int]]):
    return [(m, True, inc, exp, 1) for m, (inc, exp) in zip(periods.months_in(period), amounts, strict=False)]


@settings(max_examples=300, deadline=None)
@given(opening=st.integers(min_value=-1_000_000_000, max_value=5_000_000_000),
       amounts=st.lists(st.tuples(FEN, FEN), min_size=3, max_size=3))
def test_shown_figures_add_up(opening: int, amounts: list[tuple[int, int]]) -> None:
    quarter = periods.quarter(2025, 3)
    income, expense = sum(a for a, _ in amounts), sum(b for _, b in amounts)
    f = figures.figures_from(quarter, "本季度", opening, income, expense, 3, _months(quarter, amounts), None, {}, True)
    shown = figures.shown_fen
    sign = 1 if f.net_word == "结余" else -1
    assert shown(f.income) - shown(f.expense) == sign * shown(f.net)  # 结余 = 收入 − 支出
    assert shown(f.opening) + shown(f.income) - shown(f.expense) == shown(f.closing)  # 期初 + 收入 − 支出 = 期末
    assert sum(shown(m.income) for m in f.months) == shown(f.income)  # the months add up to the quarter
    assert sum(shown(m.expense) for m in f.months) == shown(f.expense)
    # the sentence says the same figures
    assert f"收入{f.income}，支出{f.expense}，{f.net_word}{f.net}" in f.sentence
    assert f.sentence.endswith(f"账上现有{f.closing}。")


@given(fen=st.integers(min_value=-10**11, max_value=10**11))
def test_exact_yuan_reads_back(fen: int) -> None:
    assert figures.shown_fen(figures.yuan_text(fen)) == fen


def test_the_issue_example_is_shown_to_the_fen() -> None:
    """19.06万 − 9.66万 is not 9.41万: where 万元 rounding disagrees, every figure is exact."""
    quarter = periods.quarter(2025, 3)
    f = figures.figures_from(quarter, "本季度", 0, 19063144, 9657150, 2, _months(quarter, [(19063144, 9657150)]),
                             None, {}, True)
    assert (f.income, f.expense, f.net) == ("190,631.44元", "96,571.50元", "94,059.94元")


def test_round_figures_stay_in_wan() -> None:
    quarter = periods.quarter(2025, 3)
    f = figures.figures_from(quarter, "本季度", 0, 15_000_000, 5_000_000, 2,
                             _months(quarter, [(15_000_000, 5_000_000), (0, 0), (0, 0)]), None, {}, True)
    assert (f.income, f.expense, f.net) == ("15.00万元", "5.00万元", "10.00万元")


def test_year_in_progress_says_which_months_it_covers(demo_app) -> None:
    """Months no notice covers say 尚未公示, months not begun are left out,
    and the year says it covers only its published months."""
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        first, last = figures.finance.span(village)
        today = last + dt.timedelta(days=45)  # one month past the last published quarter
        year = periods.year(last.year)
        f = figures.period_figures(village, year, today)
        db.session.remove()
    shown_months = [m.period.start.month for m in f.months]
    assert shown_months == list(range(1, today.month + 1))  # no month that has not begun
    unpublished = [m for m in f.months if not m.published]
    assert unpublished and all(m.income == m.expense == figures.NOT_PUBLISHED for m in unpublished)
    assert all(m.period.start > last for m in unpublished)
    assert f.covers == f"1—{last.month}月"
    assert f.label == f"{last.year}年（1—{last.month}月）"
    assert re.match(rf"^(今年|{last.year}年)（1—{last.month}月）村里收入", f.sentence)
