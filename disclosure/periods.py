"""Pure date arithmetic: reporting periods, notice periods, working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import chinese_calendar

_QUARTER_NAMES = ("一", "二", "三", "四")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    end = (dt.date(year + (number == 12), number % 12 + 1, 1)) - dt.timedelta(days=1)
    return Period(start, end, f"{year}年{number}月")


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(first.start, last.end, f"{year}年第{_QUARTER_NAMES[number - 1]}季度")


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), f"{number}年")


def quarter_of(day: dt.date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def month_of(day: dt.date) -> Period:
    return month(day.year, day.month)


def months_in(period: Period) -> list[Period]:
    result, current = [], month_of(period.start)
    while current.start <= period.end:
        result.append(current)
        current = month_of(current.end + dt.timedelta(days=1))
    return result


def parse_period(text: str) -> Period:
    """'2025-10' → month, '2025Q3' → quarter, '2025' → year. ValueError otherwise."""
    text = text.strip().upper()
    if len(text) == 4 and text.isdigit():
        return year(int(text))
    if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234":
        return quarter(int(text[:4]), int(text[5]))
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return month(int(text[:4]), int(text[5:]))
    raise ValueError(f"无法识别的期间：{text}")


def period_key(period: Period) -> str:
    """Inverse of :func:`parse_period` for URL keys."""
    if period.start.month == 1 and period.end.month == 12 and period.end.day == 31:
        return f"{period.start.year}"
    if period.start.month == period.end.month:
        return f"{period.start.year}-{period.start.month:02d}"
    return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}"


# Notice periods -----------------------------------------------------------

def notice_end(start: dt.date, days: int) -> dt.date:
    """Last day of a notice period of ``days`` calendar days starting ``start`` (both inclusive)."""
    return start + dt.timedelta(days=days - 1)


def notice_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def notice_period_problem(start: dt.date | None, end: dt.date | None, min_days: int) -> str | None:
    """Why a notice period cannot be accepted, in Chinese, or None."""
    if start is None or end is None:
        return "请填写公示期的开始和结束日期"
    if end < start:
        return "公示期结束日期早于开始日期"
    if notice_days(start, end) < min_days:
        return f"公示期不得少于{min_days}天（现为{notice_days(start, end)}天）"
    return None


def format_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


# Working days (national holiday calendar with make-up days) ---------------

#: Where days entered by the township come from: year → {day: is working day}.
#: The app sets it (services/workcalendar.py) to read the database; outside an
#: app it is empty and the calendar is chinese_calendar's alone.
_entered_days: Callable[[int], Mapping[dt.date, bool]] = lambda year: {}


def use_entered_days(source: Callable[[int], Mapping[dt.date, bool]]) -> None:
    global _entered_days
    _entered_days = source


def package_knows(year_no: int) -> bool:
    """chinese_calendar has the State Council's holiday list for ``year_no``."""
    try:
        chinese_calendar.is_workday(dt.date(year_no, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """True on a Chinese working day. Days the township entered (法定节假日 and
    调休 for a year the package does not know yet) come first; then
    ``chinese_calendar``'s holidays and make-up working days; for years
    neither covers, Monday to Friday (a conservative guess until the State
    Council publishes the year)."""
    entered = _entered_days(day.year).get(day)
    if entered is not None:
        return entered
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _is_holiday(day: dt.date) -> bool:
    """A weekend day that is also a public holiday (for the calendar's 休 mark)."""
    if _entered_days(day.year).get(day) is False:
        return True
    try:
        return bool(chinese_calendar.get_holiday_detail(day)[1])
    except NotImplementedError:
        return False


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day by which something received on ``start`` must be done, given
    ``days`` working days (the day of receipt does not count)."""
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        count += is_workday(current)
    return count


_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def find_in_text(text: str) -> Period | None:
    """A period named in a title: '2025年10月' → month, '2025年第三季度' → quarter, '2025年' → year."""
    import re

    if m := re.search(r"(\d{4})年(\d{1,2})月", text or ""):
        if 1 <= int(m.group(2)) <= 12:
            return month(int(m.group(1)), int(m.group(2)))
    if m := re.search(r"(\d{4})年第?([一二三四1-4])季度", text or ""):
        return quarter(int(m.group(1)), _CN_QUARTER[m.group(2)])
    if m := re.search(r"(\d{4})年", text or ""):
        return year(int(m.group(1)))
    return None


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    kind: str  # work | weekend | holiday | makeup (a weekend day worked, 调休)

    @property
    def label(self) -> str:
        return {"holiday": "休", "makeup": "班"}.get(self.kind, "")


def month_calendar(year_no: int, month_no: int) -> list[list[CalendarDay | None]]:
    """Weeks (Monday first) of a month, each day marked as a working day, a
    weekend, a public holiday or a make-up working day (调休)."""
    first = dt.date(year_no, month_no, 1)
    last = month(year_no, month_no).end
    weeks: list[list[CalendarDay | None]] = [[None] * first.weekday()]
    day = first
    while day <= last:
        weekend = day.weekday() >= 5
        work = is_workday(day)
        kind = ("makeup" if weekend else "work") if work else ("weekend" if weekend else "holiday")
        if weekend and not work:
            kind = "holiday" if _is_holiday(day) else "weekend"
        if len(weeks[-1]) == 7:
            weeks.append([])
        weeks[-1].append(CalendarDay(day, kind))
        day += dt.timedelta(days=1)
    weeks[-1] += [None] * (7 - len(weeks[-1]))
    return weeks
