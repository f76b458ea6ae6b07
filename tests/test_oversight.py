"""Township oversight: red flags on current rosters, the cadres register,
the dashboard's lateness and its export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import CadreRelative, Notice, RedFlag, Role, Township, User, Village
from disclosure.services import ServiceError, notices, oversight
from tests.helpers.feedback_data import Person, roster_notice, staff, text_notice, valid_id

D = dt.date
OCT = periods.month(2025, 10)


def _two_villages(app, place, **settings):  # noqa: ANN001, ANN202
    """Call inside an app context."""
    township = db.session.get(Township, place["township"])
    township.settings = settings
    return township, db.session.get(Village, place["v1"]), db.session.get(Village, place["v2"])


def test_duplicate_payment_across_two_villages(app, place, make_user) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN)
    twice = valid_id(11)
    with app.app_context():
        township, v1, v2 = _two_villages(app, place)
        roster_notice(v1, "dibao", OCT, [Person("张三明", 50000, twice), Person("李四", 40000, valid_id(12))])
        roster_notice(v2, "dibao", OCT, [Person("张三明", 50000, twice), Person("王五", 30000, valid_id(13))])
        # Same person, same kind, another month: not a duplicate.
        roster_notice(v1, "dibao", periods.month(2025, 9), [Person("张三明", 50000, twice)])
        # Same person and month but another kind: not a duplicate either.
        roster_notice(v2, "tekun", OCT, [Person("张三明", 98000, twice)])
        db.session.commit()
        new = oversight.run_checks(township, db.session.get(User, admin))
        dups = [f for f in new if f.kind == "duplicate_payment"]
        assert len(dups) == 1
        flag = dups[0]
        lines = oversight.flag_lines(flag)
        assert {line.village_id for line in lines} == {v1.id, v2.id}
        assert "一村" in flag.description and "二村" in flag.description
        assert twice not in flag.description  # the ID number is never stored
        db.session.commit()
        assert oversight.run_checks(township, db.session.get(User, admin)) == []  # no duplicate flags
        assert db.session.execute(db.select(db.func.count(RedFlag.id))).scalar_one() == len(new)


def test_duplicate_within_one_village_and_corrections_do_not_count(app, place, make_user) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN)
    twice = valid_id(21)
    with app.app_context():
        township, v1, _ = _two_villages(app, place)
        old = roster_notice(v1, "linshi", periods.quarter(2025, 3), [Person("赵六", 100000, twice)])
        clerk, sup = staff(v1)
        new = notices.start_correction(old, clerk, "金额更正")
        new.roster_lines[0].amount_fen = 120000
        notices.submit(new, clerk)
        notices.approve(new, sup)
        notices.publish(new, clerk, D(2025, 10, 20), D(2025, 10, 26), today=D(2025, 10, 20))
        assert old.status.value == "superseded"
        assert oversight.run_checks(township, db.session.get(User, admin)) == []  # old version no longer counts
        roster_notice(v1, "linshi", periods.month(2025, 8), [Person("赵六", 50000, twice)])  # overlaps Q3
        flags = oversight.run_checks(township, db.session.get(User, admin))
        assert [f.kind for f in flags] == ["duplicate_payment"]
        assert len(flags[0].roster_line_ids) == 2


def test_above_standard(app, place, make_user) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN)
    with app.app_context():
        township, v1, _ = _two_villages(app, place, standards={"dibao": 80000})
        notice = roster_notice(v1, "dibao", OCT, [Person("钱七", 80000, valid_id(31)), Person("孙八", 80001, valid_id(32))])
        flags = oversight.run_checks(township, db.session.get(User, admin))
        assert [f.kind for f in flags] == ["above_standard"]
        assert flags[0].roster_line_ids == [notice.roster_lines[1].id]
        assert "800.01" in flags[0].description and "800.00" in flags[0].description


def test_cadre_relative_register_and_flag(app, place, make_user) -> None:  # noqa: ANN001
    admin, clerk = make_user(Role.TOWNSHIP_ADMIN), make_user(Role.CLERK, "v1")
    relative = valid_id(41, born="19800101")
    with app.app_context():
        township, v1, v2 = _two_villages(app, place)
        roster_notice(v2, "linshi", periods.quarter(2025, 3), [Person("周九", 200000, relative)])
        with pytest.raises(ServiceError):
            oversight.add_cadre_relative(db.session.get(User, clerk), v1, name="周九", id_number=relative,
                                         cadre_name="周主任", relation="子女")
        with pytest.raises(ServiceError):
            oversight.add_cadre_relative(db.session.get(User, admin), v1, name="周九", id_number=relative[:-1] + "0"
                                         if relative[-1] != "0" else relative[:-1] + "1", cadre_name="周主任",
                                         relation="子女")  # wrong check digit
        entry = oversight.add_cadre_relative(db.session.get(User, admin), v1, name="周九", id_number=relative,
                                             cadre_name="周主任", relation="子女")
        assert relative not in (entry.id_hash, entry.name) and len(entry.id_hash) == 64
        flags = oversight.run_checks(township, db.session.get(User, admin))
        assert [f.kind for f in flags] == ["cadre_relative"]
        assert "周主任" in flags[0].description and flags[0].village_id == v2.id


def test_clearing_a_flag_requires_a_reason_which_is_kept(app, place, make_user, client, login) -> None:  # noqa: ANN001
    admin, clerk = make_user(Role.TOWNSHIP_ADMIN), make_user(Role.CLERK, "v1")
    with app.app_context():
        township, v1, _ = _two_villages(app, place, standards={"dibao": 100})
        roster_notice(v1, "dibao", OCT, [Person("吴十", 50000, valid_id(51))])
        db.session.commit()
        flag_id = oversight.run_checks(township, db.session.get(User, admin))[0].id
        db.session.commit()
        with pytest.raises(ServiceError):
            oversight.clear_flag(db.session.get(RedFlag, flag_id), db.session.get(User, admin), "  ")
        with pytest.raises(ServiceError):
            oversight.clear_flag(db.session.get(RedFlag, flag_id), db.session.get(User, clerk), "核实无误")

    login(client, clerk)
    assert client.get("/admin/flags").status_code == 403
    assert client.get(f"/admin/flags/{flag_id}").status_code == 403
    assert client.get("/admin/cadres").status_code == 403
    login(client, admin)
    page = client.get("/admin/flags")
    assert page.status_code == 200 and "超标准发放" in page.text
    detail = client.get(f"/admin/flags/{flag_id}")
    assert "吴十" in detail.text and "一村" in detail.text  # the line behind the flag
    refused = client.post(f"/admin/flags/{flag_id}", data={"reason": ""})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(RedFlag, flag_id).cleared_at is None
    client.post(f"/admin/flags/{flag_id}", data={"reason": "县民政局批准的特殊救助标准"})
    with app.app_context():
        flag = db.session.get(RedFlag, flag_id)
        assert flag.cleared_at is not None and flag.clear_reason == "县民政局批准的特殊救助标准"
        township = db.session.get(Township, place["township"])
        assert oversight.run_checks(township, db.session.get(User, admin)) == []  # cleared stays cleared
    assert "县民政局批准的特殊救助标准" in client.get(f"/admin/flags/{flag_id}").text
    # The run button
    assert client.post("/admin/flags/run").status_code == 302


def test_cadre_register_page_stores_only_fingerprint(app, place, make_user, client, login) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN)
    number = valid_id(61)
    login(client, admin)
    response = client.post("/admin/cadres", data={"village_id": place["v1"], "name": "郑十一", "id_number": number,
                                                  "cadre_name": "郑书记", "relation": "配偶"})
    assert response.status_code == 302
    page = client.get("/admin/cadres")
    assert "郑十一" in page.text and number not in page.text
    with app.app_context():
        entry = db.session.execute(db.select(CadreRelative)).scalar_one()
        assert number not in str({c.name: getattr(entry, c.name) for c in CadreRelative.__table__.columns})


def test_dashboard_lateness(app, place, make_user) -> None:  # noqa: ANN001
    admin, clerk2 = make_user(Role.TOWNSHIP_ADMIN), make_user(Role.CLERK, "v2")
    with app.app_context():
        township, v1, v2 = _two_villages(app, place)
        q3, q2 = periods.quarter(2025, 3), periods.quarter(2025, 2)
        text_notice(v1, "finance", q3, start=D(2025, 10, 15))
        text_notice(v2, "finance", q2, start=D(2025, 7, 15))
        text_notice(v1, "subsidy", periods.month(2024, 11), start=D(2024, 12, 1))
        db.session.commit()
        today = D(2025, 11, 20)
        rows = {r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}
        finance = {code: next(c for c in rows[code].categories if c.category == "finance") for code in rows}
        assert finance["v1"].state == "ok" and finance["v1"].age_days == 51
        # Q2 ended Jun 30: 143 days > 112 allowed for a quarterly category.
        assert finance["v2"].state == "overdue" and finance["v2"].age_days == 143
        subsidy = next(c for c in rows["v1"].categories if c.category == "subsidy")
        assert subsidy.state == "stale"  # Nov 2024 roster, more than 183 days ago
        assets = next(c for c in rows["v2"].categories if c.category == "assets")
        assert assets.state == "overdue"  # quarterly and never disclosed
        major = next(c for c in rows["v2"].categories if c.category == "major")
        assert major.state == "none"
        assert rows["v2"].is_late
        # Township settings may change a frequency: finance monthly makes v1 late too.
        township.settings = {"frequency": {"finance": "monthly"}}
        rows = {r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}
        assert next(c for c in rows["v1"].categories if c.category == "finance").state == "overdue"
        # A clerk sees only their own village.
        assert [r.code for r in oversight.dashboard(db.session.get(User, clerk2), today)] == ["v2"]


def test_dashboard_counts_late_questions_and_active_notices(app, place, make_user) -> None:  # noqa: ANN001
    from disclosure.services import feedback

    admin = make_user(Role.TOWNSHIP_ADMIN)
    with app.app_context():
        _, v1, _ = _two_villages(app, place)
        notice = text_notice(v1, "major", OCT, start=D(2025, 11, 14))  # notice period Nov 14–20
        feedback.ask(notice, channel="kiosk", concern="看不懂", today=D(2025, 10, 30))  # due Nov 13
        feedback.ask(notice, channel="kiosk", concern="看不懂", today=D(2025, 11, 19))
        db.session.commit()
        row = next(r for r in oversight.dashboard(db.session.get(User, admin), D(2025, 11, 20)) if r.code == "v1")
        assert (row.overdue_questions, row.open_questions, row.in_notice_period) == (1, 2, 1)
        assert [n.id for n in oversight.active_notices(db.session.get(User, admin), D(2025, 11, 20))] == [notice.id]
        assert oversight.active_notices(db.session.get(User, admin), D(2025, 11, 21)) == []


def test_dashboard_pages_and_export(app, place, make_user, client, login) -> None:  # noqa: ANN001
    admin, clerk = make_user(Role.TOWNSHIP_ADMIN), make_user(Role.CLERK, "v1")
    with app.app_context():
        _, v1, _ = _two_villages(app, place)
        notice = text_notice(v1, "finance", periods.quarter_of(dt.date.today()), start=dt.date.today(),
                             title="=HYPERLINK(\"x\")本季度财务")
        db.session.commit()
        notice_id = notice.id
    assert client.get("/admin/dashboard").status_code == 302  # login required
    login(client, admin)
    page = client.get("/admin/dashboard")
    assert page.status_code == 200 and "一村" in page.text and "二村" in page.text and "逾期未公开" in page.text
    month = client.get("/admin/dashboard/month", query_string={"month": dt.date.today().strftime("%Y-%m")})
    assert month.status_code == 200 and f"notices/{notice_id}" in month.text
    assert client.get("/admin/dashboard/month?month=2025Q3").status_code == 404
    export = client.get("/admin/dashboard.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert {row[0] for row in values} == {"一村", "二村"}
    assert any(str(row[3]).startswith("'=HYPERLINK") for row in values)  # formula-safe
    login(client, clerk)
    assert "二村" not in client.get("/admin/dashboard").text


# Lateness by each roster kind's own frequency ------------------------------------------

def _dibao_late_relief_fresh(app, place, make_user) -> tuple[int, dt.date]:  # noqa: ANN001
    """In v1: 低保 (monthly) last disclosed for a month that ended 65–95 days ago; 临时救助 last
    week; 耕地地力保护补贴 (yearly) for last year. The township admin's id and China today."""
    admin, today = make_user(Role.TOWNSHIP_ADMIN), china_today()
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        roster_notice(village, "dibao", periods.month_of(today - dt.timedelta(days=95)), [Person("张三明", 50000)])
        roster_notice(village, "linshi", periods.month_of(today - dt.timedelta(days=7)), [Person("李四", 100000)],
                      start=today - dt.timedelta(days=7))
        roster_notice(village, "gengdi", periods.year(today.year - 1), [Person("王五", 12000)], category="subsidy")
        db.session.commit()
    return admin, today


def _by_kind(row: oversight.VillageRow) -> dict[str, oversight.CategoryState]:
    return {k.kind: k for k in row.kinds}


def test_each_roster_kind_is_judged_by_its_own_frequency(app, place, make_user) -> None:  # noqa: ANN001
    admin, today = _dibao_late_relief_fresh(app, place, make_user)
    with app.app_context():
        township = db.session.get(Township, place["township"])
        rows = {r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}
        assistance = next(c for c in rows["v1"].categories if c.category == "assistance")
        assert assistance.state == "ok"  # the category alone: 临时救助 last week hides the late 低保
        kinds = _by_kind(rows["v1"])
        assert list(kinds) == ["gengdi", "dibao", "linshi"]  # what v1 published, in the catalogue's order
        assert kinds["dibao"].state == "overdue" and kinds["dibao"].frequency_name == "每月"
        assert 65 <= kinds["dibao"].age_days <= 95 and kinds["dibao"].limit_days == 46
        assert kinds["linshi"].state == "ok" and kinds["linshi"].frequency == "per_batch"
        assert kinds["gengdi"].state == "ok" and kinds["gengdi"].frequency == "yearly"  # last year's: on time
        # The late kind counts with the categories (finance, assets never disclosed here).
        assert rows["v1"].is_late and rows["v1"].overdue_count == rows["v2"].overdue_count + 1
        assert rows["v2"].kinds == []  # v2 never paid a roster: no kind is asked of it

        # A township that requires 特困 of every village: never published, it is overdue (monthly).
        township.settings = {"required_kinds": ["tekun"]}
        rows = {r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}
        assert [(k.kind, k.state) for k in rows["v2"].kinds] == [("tekun", "overdue")]
        assert _by_kind(rows["v1"])["tekun"].last_notice_id is None

        # A township lengthening 社会救助 to quarterly lengthens 低保 too (never shortens 临时救助).
        township.settings = {"frequency": {"assistance": "quarterly"}}
        kinds = _by_kind({r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}["v1"])
        assert (kinds["dibao"].frequency, kinds["dibao"].state) == ("quarterly", "ok")
        assert kinds["linshi"].frequency == "per_batch"
        township.settings = {"frequency": {"assistance": "monthly"}}  # shorter than per batch: not applied
        kinds = _by_kind({r.code: r for r in oversight.dashboard(db.session.get(User, admin), today)}["v1"])
        assert kinds["linshi"].frequency == "per_batch" and kinds["dibao"].frequency == "monthly"


@pytest.mark.parametrize(("frequency", "age", "expected"), [
    ("monthly", 46, "ok"), ("monthly", 47, "overdue"), ("monthly", None, "overdue"),
    ("yearly", 397, "ok"), ("yearly", 398, "overdue"), ("quarterly", 113, "overdue"),
    ("per_batch", 184, "stale"), ("per_batch", None, "none"), ("at_once", -5, "ok"),
])
def test_one_rule_of_lateness(frequency: str, age: int | None, expected: str) -> None:
    today = D(2026, 6, 30)
    end = today - dt.timedelta(days=age) if age is not None else None
    assert oversight.lateness(frequency, end, today)[::2] == (age, expected)


def test_dashboard_page_and_export_show_the_late_kind(app, place, make_user, client, login) -> None:  # noqa: ANN001
    admin, _ = _dibao_late_relief_fresh(app, place, make_user)
    login(client, admin)
    page = client.get("/admin/dashboard").text
    cell = page[page.index('data-testid="kinds-v1"'):]
    cell = cell[:cell.index("</td>")]
    assert "逾期未公开</span>" in cell and "城乡低保" in cell and "每月" in cell and "临时救助" in cell
    assert "上周公开了临时救助，不能代替三个月没公开的低保" in page  # the rule, stated on the page
    sheet = load_workbook(io.BytesIO(client.get("/admin/dashboard.xlsx").data)).active
    lines = {(r[0], r[1]): r[8] for r in sheet.iter_rows(values_only=True)}
    assert lines[("一村", "社会救助·城乡低保")] == "逾期未公开"
    assert lines[("一村", "社会救助·临时救助")] == "按时" and lines[("一村", "社会救助")] == "按时"


def test_public_catalogue_page_shows_the_same_per_kind_lateness(app, place, make_user) -> None:  # noqa: ANN001
    admin, today = _dibao_late_relief_fresh(app, place, make_user)
    with app.app_context():
        dashboard = {(k.name, k.label) for k in oversight.dashboard(db.session.get(User, admin), today)[0].kinds}
    for url in ("/kiosk/v1/catalogue", "/m/v1/catalogue"):
        html = app.test_client().get(url).get_data(as_text=True)
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert "各类名单" in text and "有3项已逾期未公开：财务收支、集体资产资源、城乡低保。" in text
        assert "城乡低保 每月 7天 " in text and "耕地地力保护补贴 每年 " in text
        kinds = html[html.index('id="kinds"'):]
        shown = set(re.findall(r'<th scope="row">([^<]+)</th>.*?cat-state-\w+">([^<]+)</span>', kinds, re.S))
        assert shown == dashboard == {("城乡低保", "逾期未公开"), ("临时救助", "按时"), ("耕地地力保护补贴", "按时")}
