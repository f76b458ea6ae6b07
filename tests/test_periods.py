"""disclosure.periods: reporting periods, notice periods and Chinese working days."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from disclosure import periods
from disclosure.periods import (
    add_working_days, is_workday, month, months_in, notice_days, notice_end, notice_period_problem, parse_period,
    period_key, quarter, quarter_of, working_days_between, year,
)

D = dt.date


@pytest.mark.parametrize(
    ("y", "m", "start", "end", "label"),
    [
        (2025, 1, D(2025, 1, 1), D(2025, 1, 31), "2025年1月"),
        (2025, 2, D(2025, 2, 1), D(2025, 2, 28), "2025年2月"),
        (2024, 2, D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),  # leap year
        (2025, 4, D(2025, 4, 1), D(2025, 4, 30), "2025年4月"),
        (2025, 12, D(2025, 12, 1), D(2025, 12, 31), "2025年12月"),
    ],
)
def test_month(y: int, m: int, start: dt.date, end: dt.date, label: str) -> None:
    p = month(y, m)
    assert (p.start, p.end, p.label) == (start, end, label)


@pytest.mark.parametrize(
    ("q", "start", "end", "label"),
    [
        (1, D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度"),
        (2, D(2025, 4, 1), D(2025, 6, 30), "2025年第二季度"),
        (3, D(2025, 7, 1), D(2025, 9, 30), "2025年第三季度"),
        (4, D(2025, 10, 1), D(2025, 12, 31), "2025年第四季度"),
    ],
)
def test_quarter(q: int, start: dt.date, end: dt.date, label: str) -> None:
    p = quarter(2025, q)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert [m.start.month for m in months_in(p)] == [3 * q - 2, 3 * q - 1, 3 * q]


def test_year_and_membership() -> None:
    p = year(2025)
    assert (p.start, p.end, p.label) == (D(2025, 1, 1), D(2025, 12, 31), "2025年")
    assert D(2025, 6, 15) in p and D(2026, 1, 1) not in p
    assert len(months_in(p)) == 12
    assert quarter_of(D(2025, 8, 20)) == quarter(2025, 3)


@pytest.mark.parametrize(("text", "period"), [
    ("2025", year(2025)), ("2025Q3", quarter(2025, 3)), ("2025q1", quarter(2025, 1)), ("2025-10", month(2025, 10)),
])
def test_parse_period_and_key_round_trip(text: str, period: periods.Period) -> None:
    assert parse_period(text) == period
    assert parse_period(period_key(period)) == period


@pytest.mark.parametrize("text", ["2025-13", "2025Q5", "25", "二〇二五", "2025-1x"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


def test_notice_end_counts_both_days() -> None:
    assert notice_end(D(2025, 10, 15), 7) == D(2025, 10, 21)
    assert notice_days(D(2025, 10, 15), D(2025, 10, 21)) == 7
    assert notice_end(D(2025, 12, 28), 10) == D(2026, 1, 6)  # over the year end


def test_notice_period_problem() -> None:
    start = D(2025, 10, 15)
    assert notice_period_problem(start, notice_end(start, 7), 7) is None
    assert notice_period_problem(start, notice_end(start, 30), 7) is None
    assert notice_period_problem(start, D(2025, 10, 14), 7) == "公示期结束日期早于开始日期"
    assert notice_period_problem(start, notice_end(start, 6), 7) == "公示期不得少于7天（现为6天）"
    assert notice_period_problem(start, notice_end(start, 9), 10) == "公示期不得少于10天（现为9天）"
    assert notice_period_problem(None, start, 7) == "请填写公示期的开始和结束日期"
    assert notice_period_problem(start, None, 7) == "请填写公示期的开始和结束日期"


# 国庆 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 9, 27), False),  # an ordinary Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up working day
        (D(2025, 9, 30), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 6), False),  # a Monday inside the holiday
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2025, 10, 12), False),
    ],
)
def test_is_workday_national_day_2025(day: dt.date, working: bool) -> None:
    assert is_workday(day) is working


def test_add_working_days_across_national_day_2025() -> None:
    # Received on 30 September: the 1st working day after it is 9 October.
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    # 9, 10, 11 (make-up Saturday), 13 October ...
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert add_working_days(D(2025, 9, 30), 4) == D(2025, 10, 13)
    # Received on Saturday 27 September: Sunday 28 is a working day.
    assert add_working_days(D(2025, 9, 27), 1) == D(2025, 9, 28)
    # 依申请公开: 20 working days from 25 September.
    assert add_working_days(D(2025, 9, 25), 20) == D(2025, 10, 29)
    assert working_days_between(D(2025, 9, 25), D(2025, 10, 29)) == 20


def test_add_working_days_across_spring_festival_2026() -> None:
    # 春节 2026: 15–23 February off; Saturday 14 and Saturday 28 February are make-up working days.
    assert is_workday(D(2026, 2, 14)) and is_workday(D(2026, 2, 28))
    assert not any(is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)
    # the same 10 days counted as plain weekdays would end much earlier
    plain = D(2026, 2, 13) + dt.timedelta(days=14)
    assert add_working_days(D(2026, 2, 13), 10) > plain


def _first_uncovered_year() -> int:
    y = 2020
    while True:
        try:
            chinese_calendar.is_workday(D(y, 6, 1))
        except NotImplementedError:
            return y
        y += 1


def test_beyond_the_calendar_weekdays_count() -> None:
    y = _first_uncovered_year()
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(y, 10, 1))
    oct1 = D(y, 10, 1)
    assert is_workday(oct1) is (oct1.weekday() < 5)  # no holiday known: weekday rule
    # A Friday: the next working day is the Monday after.
    friday = oct1 + dt.timedelta(days=(4 - oct1.weekday()) % 7)
    assert add_working_days(friday, 1) == friday + dt.timedelta(days=3)
    assert add_working_days(friday, 5) == friday + dt.timedelta(days=7)
    # Crossing from a covered year into an uncovered one works too.
    last_known = D(y - 1, 12, 31)
    result = add_working_days(last_known, 20)
    assert result.year == y and working_days_between(last_known, result) == 20


def test_find_in_text() -> None:
    assert periods.find_in_text("东风村2025年10月财务公示") == month(2025, 10)
    assert periods.find_in_text("2025年第三季度财务收支") == quarter(2025, 3)
    assert periods.find_in_text("2025年耕地地力保护补贴") == year(2025)
    assert periods.find_in_text("耕地补贴") is None
