"""Working days for a year chinese_calendar does not know yet: the township
admin enters the State Council's 法定节假日 and 调休; the calendar code reads
them first; the dashboard says when the coming year is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import AuditEntry, Role, User
from disclosure.services import ServiceError, workcalendar
from tests.conftest import login_as

NEXT = 2027  # chinesecalendar 1.11 knows up to 2026
TODAY = dt.date(2026, 12, 10)


def test_the_package_does_not_know_the_year_used_here() -> None:
    assert periods.package_knows(2026) and not periods.package_knows(NEXT)


def test_entered_days_come_first(app: Flask, make_user) -> None:  # noqa: ANN001
    admin_id = make_user(Role.TOWNSHIP_ADMIN, None)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        new_year, saturday = dt.date(NEXT, 1, 1), dt.date(NEXT, 2, 20)  # a Friday; a Saturday
        assert periods.is_workday(new_year) and not periods.is_workday(saturday)  # Mon–Fri guess
        assert workcalendar.missing_year(TODAY) == NEXT
        workcalendar.enter_days(admin, start=new_year, end=None, kind="holiday", name="元旦", today=TODAY)
        workcalendar.enter_days(admin, start=dt.date(NEXT, 2, 6), end=dt.date(NEXT, 2, 13), kind="holiday",
                                name="春节", today=TODAY)
        workcalendar.enter_days(admin, start=saturday, end=None, kind="makeup", name="春节", today=TODAY)
        db.session.commit()
        assert not periods.is_workday(new_year) and periods.is_workday(saturday)
        assert periods.add_working_days(dt.date(NEXT, 2, 5), 1) == dt.date(NEXT, 2, 15)
        kinds = {c.day: c.kind for week in periods.month_calendar(NEXT, 2) for c in week if c}
        assert kinds[dt.date(NEXT, 2, 6)] == "holiday" and kinds[saturday] == "makeup"
        assert workcalendar.missing_year(TODAY) is None
        assert workcalendar.year_state(NEXT).label == "已录入10天"
        entries = db.session.execute(select(AuditEntry).where(AuditEntry.action == "calendar.enter")).scalars().all()
        assert [e.after["name"] for e in entries] == ["元旦", "春节", "春节"]
        workcalendar.remove_day(admin, workcalendar.days_of(NEXT)[0])
        db.session.commit()
        assert periods.is_workday(new_year)
    assert periods.is_workday(dt.date(NEXT, 1, 1))  # outside an app: the package (or Mon–Fri) alone


@pytest.mark.parametrize(("fields", "message"), [
    ({"start": dt.date(NEXT, 1, 4), "kind": "makeup", "name": "元旦"}, "调休上班日应为周六或周日：2027年1月4日本来就是工作日"),
    ({"start": dt.date(NEXT, 1, 4), "end": dt.date(NEXT, 1, 1), "kind": "holiday", "name": "元旦"}, "结束日期早于开始日期"),
    ({"start": dt.date(NEXT, 1, 1), "end": dt.date(NEXT, 1, 20), "kind": "holiday", "name": "春节"}, "一次最多录入15天，请分段录入"),
    ({"start": dt.date(NEXT, 12, 31), "end": dt.date(NEXT + 1, 1, 2), "kind": "holiday", "name": "元旦"},
     "一次只能录入同一年内的日期（跨年的假期请分两次录入）"),
    ({"start": dt.date(2025, 1, 1), "kind": "holiday", "name": "元旦"}, "不能录入过去年份（2025年）的安排"),
    ({"start": dt.date(NEXT, 1, 1), "kind": "holiday", "name": " "}, "请填写节日名称，如 春节、国庆节"),
    ({"start": None, "kind": "holiday", "name": "元旦"}, "请填写开始日期"),
])
def test_refusals_in_chinese(app: Flask, make_user, fields: dict, message: str) -> None:  # noqa: ANN001
    admin_id = make_user(Role.TOWNSHIP_ADMIN, None)
    with app.app_context():
        with pytest.raises(ServiceError) as err:
            workcalendar.enter_days(db.session.get(User, admin_id), **{"end": None, **fields}, today=TODAY)
        assert err.value.message == message
        assert workcalendar.days_of(NEXT) == []


def test_missing_year_is_due_from_november(app: Flask) -> None:
    with app.app_context():
        assert workcalendar.missing_year(dt.date(2026, 6, 1)) is None
        assert workcalendar.missing_year(dt.date(2026, 11, 1)) == NEXT
        assert workcalendar.missing_year(dt.date(2027, 3, 1)) == NEXT  # the year itself, still unknown


def test_only_the_township_admin_enters_days(app: Flask, make_user, client) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK)
    login_as(client, clerk)
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data={"kind": "holiday", "start": f"{NEXT}-01-01",
                                                "name": "元旦"}).status_code == 403
    with app.app_context():
        assert workcalendar.days_of(NEXT) == []
