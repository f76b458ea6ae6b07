"""Notices through the staff forms: drafts, lines, review, publication,
correction, withdrawal, export; Chinese errors next to the wrong field."""

from __future__ import annotations

import datetime as dt
import io
import re

from flask import Flask
from openpyxl import load_workbook

from disclosure import clock, periods, privacy
from disclosure.extensions import db
from disclosure.models import AuditEntry, Notice, RosterLine, Status
from tests.conftest import login_as
from tests.helpers.admin_world import build_world


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', html)
    return match.group(1) if match else ""


def status(app: Flask, notice_id: int) -> Status:
    with app.app_context():
        return db.session.get(Notice, notice_id).status


def test_create_draft_and_field_errors(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = client.post("/admin/notices/new", data={"village": place["v1"], "category": "subsidy", "roster_kind": "",
                                               "period_type": "month", "year": "2025", "month": "10", "quarter": "4",
                                               "title": ""})
    assert field_error(r.text, "title") == "请填写公示标题"
    assert field_error(r.text, "roster_kind") == "惠农补贴和社会救助公示请选择名单类型"
    r = client.post("/admin/notices/new", data={"village": place["v1"], "category": "finance", "period_type": "custom",
                                               "period_start": "2025-07-01", "period_end": "2025-06-01", "title": "x"})
    assert field_error(r.text, "period_end") == "结束日期早于开始日期"
    r = client.post("/admin/notices/new", data={"village": place["v1"], "category": "finance", "roster_kind": "",
                                               "period_type": "quarter", "year": "2025", "quarter": "3", "month": "1",
                                               "title": "一村三季度财务"})
    assert r.status_code == 302
    with app.app_context():
        notice = db.session.get(Notice, int(r.location.rsplit("/", 1)[1]))
        assert (notice.period_start, notice.period_end, notice.period_label) == (
            dt.date(2025, 7, 1), dt.date(2025, 9, 30), "2025年第三季度")
        assert notice.status == Status.DRAFT and notice.village_id == place["v1"]


def test_a_clerk_cannot_draft_for_another_village(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = client.post("/admin/notices/new", data={"village": place["v2"], "category": "finance", "period_type": "year",
                                               "year": "2025", "month": "1", "quarter": "1", "title": "x"})
    assert r.status_code == 302  # a clerk's own village is the only choice, whatever the form says
    with app.app_context():
        assert not db.session.execute(db.select(Notice).where(Notice.village_id == place["v2"])).first()


def test_ledger_line_form(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    url = f"/admin/notices/{world['finance']}/ledger"
    good = {"occurred_on": "2025-08-09", "voucher_no": "记-09", "summary": "购买办公用品", "direction": "expense",
            "subject": "management_expense", "amount": "¥1,234.50", "handler": "", "note": ""}
    r = client.post(url, data={**good, "amount": "12.345", "occurred_on": "2025-13-01", "subject": "other_income"})
    assert r.status_code == 400
    assert field_error(r.text, "amount") == "金额最多两位小数"
    assert "日期格式不正确" in field_error(r.text, "occurred_on")
    assert field_error(r.text, "subject") == "科目与收支方向不符"
    # a date outside the notice's period: the service refuses, next to the date field
    r = client.post(url, data={**good, "occurred_on": "2025-10-02"})
    assert r.status_code == 400 and "不在本公示期间" in field_error(r.text, "occurred_on")
    assert client.post(url, data=good).status_code == 302
    with app.app_context():
        notice = db.session.get(Notice, world["finance"])
        assert [l.amount_fen for l in notice.ledger_lines] == [12_345, 123_450]
        line_id = notice.ledger_lines[1].id
    assert "1,234.50" in client.get(f"/admin/notices/{world['finance']}").text
    assert client.post(f"/admin/notices/{world['finance']}/ledger/{line_id}/delete").status_code == 302
    with app.app_context():
        assert len(db.session.get(Notice, world["finance"]).ledger_lines) == 1


def test_roster_line_form_keeps_only_fingerprint_and_mask(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    url = f"/admin/notices/{world['roster']}/roster"
    bad_id = "522401196503041235"  # wrong check digit
    r = client.post(url, data={"name": "李小红", "group_no": "2", "id_number": bad_id, "amount": "105.50"})
    assert r.status_code == 400 and field_error(r.text, "id_number") == "身份证号校验位不正确"
    assert bad_id not in r.text  # the number is not echoed back
    good_id = "52240119650304123" + privacy.id_check_digit("52240119650304123")
    r = client.post(url, data={"name": "李小红", "group_no": "2", "id_number": good_id, "amount": "105.50",
                               "quantity": "2.5", "rate": "42.20", "paid_on": "2025-10-08"})
    assert r.status_code == 302, re.findall(r'class="(?:error|flash flash-error)"[^>]*>([^<]+)', r.text)
    with app.app_context():
        line = db.session.execute(db.select(RosterLine).where(RosterLine.name == "李小红")).scalar_one()
        assert line.public_name == "李*红" and line.id_masked == "5224**********" + good_id[-4:]
        assert line.id_hash and good_id not in line.id_hash and line.amount_fen == 10_550
        assert line.quantity_milli == 2_500 and line.rate_fen == 4_220
        for entry in db.session.execute(db.select(AuditEntry)).scalars():
            assert good_id not in str(entry.before) + str(entry.after)


def test_assets_and_project_forms(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = client.post(f"/admin/notices/{world['assets']}/assets", data={"name": "鱼塘", "kind": "", "annual_income": "-5"})
    assert field_error(r.text, "kind") == "请填写资产类别" and "不能为负数" in field_error(r.text, "annual_income")
    assert client.post(f"/admin/notices/{world['assets']}/assets",
                       data={"name": "鱼塘", "kind": "水面", "annual_income": "3,000"}).status_code == 302
    r = client.post(f"/admin/notices/{world['project']}/funds",
                    data={"source": "县级资金", "allocated": "100", "spent": "200"})
    assert field_error(r.text, "spent") == "已支出资金超过下达资金，请核对"
    r = client.post(f"/admin/notices/{world['project']}/project",
                    data={"name": "产业路", "location": "2组", "content": "硬化", "starts_on": "2025-09-01",
                          "ends_on": "2025-03-01", "implementer": "村委会", "responsible": "李四", "stage": "completed"})
    assert field_error(r.text, "ends_on") == "实施期限的结束日期早于开始日期"
    with app.app_context():
        assert [a.name for a in db.session.get(Notice, world["assets"]).asset_lines] == ["村部门面", "鱼塘"]
        assert db.session.get(Notice, world["project"]).project.stage == "planned"


def _submitted(app: Flask, client, world, notice_id: int) -> None:  # noqa: ANN001
    login_as(client, world["clerk1"])
    assert client.post(f"/admin/notices/{notice_id}/submit").status_code == 302
    assert status(app, notice_id) == Status.SUBMITTED


def test_review_and_supervisor_cannot_approve_own_draft(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    # a draft whose author is the supervisor (e.g. typed up for the clerk): another member must review it
    with app.app_context():
        notice = db.session.get(Notice, world["finance"])
        notice.author_id = world["sup1"]
        db.session.commit()
    _submitted(app, client, world, world["finance"])
    login_as(client, world["sup1"])
    r = client.post(f"/admin/notices/{world['finance']}/review", data={"approve": "审核通过"})
    assert "不能审核自己起草的公示" in r.text and status(app, world["finance"]) == Status.SUBMITTED
    # rejecting needs a reason, shown next to the comment box
    login_as(client, world["sup1b"])
    r = client.post(f"/admin/notices/{world['finance']}/review", data={"reject": "退回修改", "comment": " "})
    assert field_error(r.text, "comment") == "退回时请写明原因"
    # a clerk cannot review at all
    login_as(client, world["clerk1"])
    r = client.post(f"/admin/notices/{world['finance']}/review", data={"approve": "审核通过"})
    assert "只有本村村务监督委员会成员可以审核" in r.text
    login_as(client, world["sup1b"])
    assert client.post(f"/admin/notices/{world['finance']}/review", data={"approve": "审核通过"}).status_code == 302
    assert status(app, world["finance"]) == Status.APPROVED


def test_publish_refuses_short_notice_period_and_defaults(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    _submitted(app, client, world, world["finance"])
    login_as(client, world["sup1"])
    client.post(f"/admin/notices/{world['finance']}/review", data={"approve": "审核通过"})
    login_as(client, world["clerk1"])
    page = client.get(f"/admin/notices/{world['finance']}").text
    today = clock.china_today()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{periods.notice_end(today, 7).isoformat()}"' in page  # finance: 7 days by default
    r = client.post(f"/admin/notices/{world['finance']}/publish",
                    data={"notice_start": today.isoformat(), "notice_end": (today + dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 400 and field_error(r.text, "notice_end") == "公示期不得少于7天（现为6天）"
    assert status(app, world["finance"]) == Status.APPROVED
    r = client.post(f"/admin/notices/{world['finance']}/publish",
                    data={"notice_start": today.isoformat(), "notice_end": (today + dt.timedelta(days=6)).isoformat()})
    assert r.status_code == 302 and status(app, world["finance"]) == Status.PUBLISHED
    with app.app_context():
        assert db.session.get(Notice, world["finance"]).chain_hash


def test_correction_keeps_old_version_visible_as_superseded(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    old = world["published"]
    login_as(client, world["clerk1"])
    r = client.post(f"/admin/notices/{old}/correct", data={"reason": ""})
    assert r.status_code == 400 and field_error(r.text, "reason") == "请填写原因"
    r = client.post(f"/admin/notices/{old}/correct", data={"reason": "报刊费金额录错，应为450元"})
    assert r.status_code == 302
    new = int(r.location.rsplit("/", 1)[1])
    with app.app_context():
        line_id = db.session.get(Notice, new).ledger_lines[0].id
    client.post(f"/admin/notices/{new}/ledger/{line_id}/delete")
    client.post(f"/admin/notices/{new}/ledger", data={"occurred_on": "2025-07-05", "summary": "报刊征订费",
                                                      "direction": "expense", "subject": "management_expense",
                                                      "amount": "450"})
    client.post(f"/admin/notices/{new}/submit")
    login_as(client, world["sup1"])
    client.post(f"/admin/notices/{new}/review", data={"approve": "审核通过"})
    login_as(client, world["clerk1"])
    today = clock.china_today()
    client.post(f"/admin/notices/{new}/publish", data={"notice_start": today.isoformat(),
                                                       "notice_end": (today + dt.timedelta(days=6)).isoformat()})
    assert status(app, new) == Status.PUBLISHED and status(app, old) == Status.SUPERSEDED
    old_page = client.get(f"/admin/notices/{old}")
    assert old_page.status_code == 200 and "已被" in old_page.text and f"/admin/notices/{new}" in old_page.text
    assert "500.00" in old_page.text  # the old content is still there
    new_page = client.get(f"/admin/notices/{new}").text
    assert "报刊费金额录错，应为450元" in new_page and f"/admin/notices/{old}" in new_page and "第2版" in new_page


def test_withdrawal_needs_reason_and_stays_on_record(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = client.post(f"/admin/notices/{world['published']}/withdraw", data={"reason": "   "})
    assert r.status_code == 400 and field_error(r.text, "reason")
    assert status(app, world["published"]) == Status.PUBLISHED
    client.post(f"/admin/notices/{world['published']}/withdraw", data={"reason": "发布有误"})
    assert status(app, world["published"]) == Status.WITHDRAWN
    page = client.get(f"/admin/notices/{world['published']}").text
    assert "撤回原因：发布有误" in page


def test_archive_only_after_notice_period(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    client.post(f"/admin/notices/{world['published']}/archive")
    assert status(app, world["published"]) == Status.ARCHIVED  # its period ended on 2025-10-07


def test_nothing_half_written_when_a_step_is_refused(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar_one()
    client.post(f"/admin/notices/{world['published']}/ledger",  # a published notice never changes
                data={"occurred_on": "2025-07-05", "summary": "x", "direction": "expense",
                      "subject": "management_expense", "amount": "1"})
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar_one() == count
        assert len(db.session.get(Notice, world["published"]).ledger_lines) == 1


def test_list_filters_and_scope(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["admin1"])
    page = client.get("/admin/notices?status=published").text
    assert "（已发布）" in page and "一村集体资产" not in page
    login_as(client, world["clerk2"])
    assert "一村" not in client.get("/admin/notices").text


def test_roster_export_has_no_full_names(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = client.get(f"/admin/notices/{world['roster']}/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "张*明" in cells and "张三明" not in cells
    r = client.get(f"/admin/notices/{world['finance']}/export.xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in sheet[2]][:3] == ["日期", "凭证号", "摘要"] and sheet["C3"].value == "村部电费"


def test_every_write_is_audited(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    _submitted(app, client, world, world["finance"])
    with app.app_context():
        actions = [e.action for e in db.session.execute(
            db.select(AuditEntry).where(AuditEntry.entity == "notice", AuditEntry.entity_id == world["finance"])
            .order_by(AuditEntry.id)).scalars()]
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "notice.submit", AuditEntry.entity_id == world["finance"])).scalar_one()
        assert entry.user_id == world["clerk1"] and entry.before["status"] == "draft"
        assert entry.after["status"] == "submitted"
    assert actions[0] == "notice.create" and "ledger.add" in actions and actions[-1] == "notice.submit"
