"""Upload → preview → confirm, for every sample file; bad files write nothing."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import Flask

from disclosure import money
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, RosterLine
from tests.conftest import login_as
from tests.helpers.admin_world import build_world
from tests.helpers.import_page import SAMPLES, pending, token_of, upload

EXPECTED = json.loads((SAMPLES / "expected.json").read_text())


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
                     for m in (Notice, LedgerLine, RosterLine))


@pytest.mark.parametrize("name", ["ledger_2025Q3.xlsx", "ledger_2025Q3_gbk.csv", "roster_dibao_2025-10.xlsx",
                                  "roster_gengdi_2025.xlsx"])
def test_preview_then_confirm_each_sample(app: Flask, client, place, name: str) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    expected = EXPECTED[name]
    what = "roster" if name.startswith("roster") else "ledger"
    before = counts(app)
    preview = upload(client, name, what)
    assert preview.status_code == 200, preview.text
    assert f"确认导入 {expected['lines']} 行" in preview.text
    if what == "ledger":
        assert money.format_yuan(money.parse_amount(expected["income_total"])) in preview.text
        assert money.format_yuan(money.parse_amount(expected["expense_total"])) in preview.text
    else:
        assert money.format_yuan(money.parse_amount(expected["amount_total"])) in preview.text
    if "dibao" in name:
        assert "已脱敏" in preview.text and "身份证号" in preview.text
        assert not re.search(r"\d{17}[\dX]", preview.text)  # no full ID number on the page
    if "gengdi" in name:
        assert "第20行" in preview.text and "提醒" in preview.text
    assert counts(app) == before  # the preview writes nothing
    assert len(pending(app)) == 2  # the bytes and their metadata wait on disk, not in the cookie
    done = client.post("/admin/import/confirm", data={"token": token_of(preview.text)})
    assert done.status_code == 302 and "/admin/notices/" in done.location
    assert pending(app) == []
    notice_id = int(done.location.split("/admin/notices/")[1].split("#")[0])
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        lines = notice.ledger_lines if what == "ledger" else notice.roster_lines
        assert len(lines) == expected["lines"] and notice.village_id == place["v1"]
        if what == "roster":
            assert sum(r.amount_fen for r in lines) == money.parse_amount(expected["amount_total"])
            assert notice.roster_kind == ("dibao" if "dibao" in name else "gengdi")
        else:
            assert sum(l.amount_fen for l in lines if l.direction == "income") == money.parse_amount(
                expected["income_total"])


def test_bad_ledger_lists_all_problems_and_writes_nothing(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    before = counts(app)
    r = upload(client, "bad_ledger.xlsx", "ledger")
    assert r.status_code == 422 and "不会写入任何数据" in r.text and "确认导入" not in r.text
    rows = re.findall(r'<tr class="bad"><td>Sheet</td><td>第(\d+)行</td><td>([^<]+)</td><td>([^<]+)</td>', r.text)
    expected = [(str(p["row"]), p["column"]) for p in EXPECTED["bad_ledger.xlsx"]["problems"]]
    assert [(row, column) for row, column, _ in rows] == expected
    assert counts(app) == before and pending(app) == []


def test_not_a_spreadsheet_gets_a_clear_message(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    r = upload(client, "not_a_spreadsheet.xlsx", "ledger")
    assert r.status_code == 422 and "这不是 Excel 表格文件" in r.text
    r = client.post("/admin/import", data={"what": "ledger", "file": (io.BytesIO(b"x"), "notes.docx")},
                    content_type="multipart/form-data")
    assert 'id="file-error">只接受 .xlsx、.csv 或' in r.text


def test_import_into_an_existing_draft(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    preview = upload(client, "ledger_2025Q3.xlsx", "ledger", notice_id=str(world["finance"]))
    assert preview.status_code == 200
    client.post("/admin/import/confirm", data={"token": token_of(preview.text)})
    with app.app_context():
        assert len(db.session.get(Notice, world["finance"]).ledger_lines) == 1 + EXPECTED["ledger_2025Q3.xlsx"]["lines"]
    # a ledger cannot go into a roster draft
    r = upload(client, "ledger_2025Q3.xlsx", "ledger", notice_id=str(world["roster"]))
    assert "所选草稿的类别与表格类型不符" in r.text


def test_another_users_pending_upload_is_refused(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    token = token_of(upload(client, "ledger_2025Q3.xlsx", "ledger").text)
    before = counts(app)
    other = login_as(app.test_client(), world["admin1"])
    assert other.post("/admin/import/confirm", data={"token": token}).status_code == 404
    assert other.post("/admin/import/confirm", data={"token": "../../secret_key"}).status_code == 404
    assert counts(app) == before and len(pending(app)) == 2
    client.post("/admin/import/cancel", data={"token": token})
    assert pending(app) == []


def test_too_large_upload_gets_a_chinese_page(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post("/admin/import", data={"what": "ledger", "file": (io.BytesIO(b"0" * 4096), "big.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 413 and "文件太大" in r.text
