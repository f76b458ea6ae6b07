"""The township admin, in a real Chromium, enters the coming year's 法定节假日
and 调休 that chinese_calendar does not know yet: the dashboard said the year
was missing, the form refuses a wrong day next to the field, the days are
listed and marked on the calendar, the warning goes, and the working-day
code counts with them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import CalendarDay
from disclosure.services import workcalendar

from .conftest import shot
from .test_staff_journeys import desk, flash, go, nav, no_page_errors

pytestmark = pytest.mark.browser


def _enter(page, kind: str, name: str, start: dt.date, end: dt.date | None = None) -> None:  # noqa: ANN001
    form = page.get_by_role("form", name="录入节假日")
    form.get_by_role("radio", name=kind).check()
    form.get_by_label("节日名称").fill(name)
    form.get_by_label("开始日期").fill(start.isoformat())
    form.get_by_label("结束日期（只有一天可不填）").fill(end.isoformat() if end else "")
    go(form.get_by_role("button", name="录入"))


def test_township_admin_enters_next_years_holidays(open_tab, staff_server, staff_app) -> None:  # noqa: ANN001
    today = china_today()
    year = next((y for y in (today.year, today.year + 1) if not periods.package_knows(y)), None)
    if year is None:
        pytest.skip("chinese_calendar already knows this year and the next")
    with staff_app.app_context():
        missing = workcalendar.missing_year(today)
        db.session.remove()
    tab = desk(open_tab, staff_server, "admin")
    page = tab.page

    nav(page, "乡镇看板")
    warning = page.get_by_test_id("calendar-missing")
    if missing == year:  # from November on for the coming year (or all year for this one)
        assert f"{year}年的法定节假日和调休安排还没有" in warning.inner_text()
        shot(page, "staff-dashboard-calendar-missing")
        go(warning.get_by_role("link", name=f"去录入{year}年的节假日"))
    else:
        assert warning.count() == 0
        nav(page, "工作日历")
    years = page.get_by_test_id("calendar-years")
    assert "尚未录入" in years.locator("tr", has_text=f"{year}年").inner_text()

    _enter(page, "放假（法定节假日）", "元旦", dt.date(year, 1, 1))
    assert "已录入元旦放假（法定节假日）1天" in flash(page)
    weekday = next(dt.date(year, 1, d) for d in range(4, 11) if dt.date(year, 1, d).weekday() < 5)
    _enter(page, "调休上班", "春节", weekday)  # a weekday is a working day anyway: refused, next to the field
    assert page.locator("#start-error").inner_text() == \
        f"调休上班日应为周六或周日：{periods.format_date(weekday)}本来就是工作日"
    tab.failed.remove(f"400 {page.url}")
    _enter(page, "放假（法定节假日）", "春节", dt.date(year, 2, 6), dt.date(year, 2, 13))
    assert "已录入春节放假（法定节假日）8天" in flash(page)
    saturday = next(dt.date(year, 2, d) for d in range(14, 21) if dt.date(year, 2, d).weekday() == 5)
    _enter(page, "调休上班", "春节", saturday)
    assert "已录入春节调休上班1天" in flash(page)

    listed = page.get_by_test_id(f"calendar-days-{year}").locator("tbody tr")
    assert listed.count() == 10
    assert "调休上班" in listed.nth(9).inner_text() and periods.format_date(saturday) in listed.nth(9).inner_text()
    assert "已录入10天" in page.get_by_test_id("calendar-years").locator("tr", has_text=f"{year}年").inner_text()
    if year == today.year + 1:  # the preview shows the coming January and February
        february = page.locator("table.work-calendar", has_text=f"{year}年2月工作日历")
        assert february.locator("td.cal-makeup").inner_text().startswith(str(saturday.day))
        assert february.locator("td.cal-holiday").count() >= 5
    shot(page, "staff-calendar-entered", full_page=True)

    go(listed.first.get_by_role("button", name="删除"))  # 元旦 entered by mistake: take it back
    assert "已删除" in flash(page)
    assert page.get_by_test_id(f"calendar-days-{year}").locator("tbody tr").count() == 9

    with staff_app.app_context():  # the working-day code counts with what was entered
        assert not periods.is_workday(dt.date(year, 2, 8)) and periods.is_workday(saturday)
        assert periods.working_days_between(dt.date(year, 2, 5), dt.date(year, 2, 13)) == 0
        db.session.remove()

    nav(page, "乡镇看板")
    if missing == year:
        assert page.get_by_test_id("calendar-missing").count() == 0
    no_page_errors(tab)

    with staff_app.app_context():  # the shared demo township goes back to the package's calendar
        db.session.execute(delete(CalendarDay))
        db.session.commit()
        db.session.remove()
