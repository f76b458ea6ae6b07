"""The catalogue as data (issue 14, part 1): categories and roster kinds live
in the database, seeded with the kinds the standard 村务公开目录 names; a
township admin edits them (audited) and may only lengthen notice periods; the
importer recognises kinds by the catalogue's own words; each new kind imports
from a spreadsheet and its 明白卡 prints with the township's standards. Who
edits what (county admin: the catalogue; township admin: its own periods and
amounts) is in tests/test_county.py."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure import catalogue, clock
from disclosure.extensions import db
from disclosure.models import AuditEntry, CatalogueKind, Notice, Role, Status, Township, User, Village
from disclosure.services import ServiceError, notices
from disclosure.services import catalogue as catalogue_service
from tests.conftest import login_as

#: The kinds issue 14 names as missing, by the words a clerk's sheet title uses.
NEW_KINDS = {
    "yiliao": "医疗救助", "canbu": "残疾人两项补贴", "gaoling": "高龄津贴", "zhongliang": "种粮农民补贴",
    "shengtai": "生态公益林补偿", "zhengdi": "征地补偿", "zhaijidi": "宅基地审批", "cunganbu": "村干部报酬",
    "yishiyiyi": "一事一议筹资筹劳", "zhaiwu": "债权债务", "jiuzai": "减灾救灾", "gongyigang": "公益岗位",
    "jiance": "防返贫监测对象",
}


#: Clerks' workbooks, one per kind, committed (written once by tools/catalogue_samples.py):
#: a title row, a header row in the clerk's words, three villagers, a 合计 row.
SAMPLES = Path(__file__).resolve().parent / "data" / "samples" / "catalogue"


def sample_path(code: str) -> Path:
    return SAMPLES / f"{code}.xlsx"


def retitled(code: str, title: str, tmp_path: Path) -> Path:
    """The committed sample of ``code`` under another title (a kind the clerk's words name, or none)."""
    import openpyxl

    book = openpyxl.load_workbook(sample_path(code))
    book.worksheets[0]["A1"] = title
    path = tmp_path / f"retitled-{code}.xlsx"
    book.save(path)
    return path


def _admin(app: Flask, make_user) -> int:  # noqa: ANN001
    return make_user(Role.TOWNSHIP_ADMIN, village=None)


def _county(app: Flask, place, make_user) -> int:  # noqa: ANN001
    """A county admin of the test township's county (the board's only one)."""
    with app.app_context():
        db.session.get(Township, place["township"]).county = "测试县"
        db.session.commit()
    return make_user(Role.COUNTY_ADMIN, village=None)


def _set_standards(app: Flask, township_id: int) -> None:
    with app.app_context():
        township = db.session.get(Township, township_id)
        township.settings = {"kind_standards": {"dibao": {"standard": 65000}, "canbu": {"living": 9000, "care": 9000},
                                                "gaoling": {"80": 5000}, "zhongliang": {"rate": 1250}}}
        db.session.commit()


# The catalogue is data -----------------------------------------------------------------------

def test_the_seeded_catalogue_holds_todays_kinds_and_the_missing_ones(app: Flask) -> None:
    with app.app_context():
        codes = set(db.session.execute(select(CatalogueKind.code)).scalars())
        assert {"gengdi", "nongji", "dibao", "tekun", "linshi", "weifang"} | set(NEW_KINDS) <= codes
        assert len(catalogue.CATEGORIES) == 7 and catalogue.CATEGORIES["project"].min_notice_days == 10
        dibao = catalogue.ROSTER_KINDS["dibao"]
        assert dibao.head_word == "户主姓名" and dibao.label("household_size") == "保障人口"
        assert [s.label for s in dibao.standards] == ["农村低保标准"]
        # A row changed in the database is what the code reads (once per app context).
        db.session.execute(select(CatalogueKind).where(CatalogueKind.code == "dibao")).scalar_one().name = "农村低保"
        db.session.commit()
        catalogue.forget()
        assert catalogue.ROSTER_KINDS["dibao"].name == "农村低保"


def test_catalogue_list_json_prints_every_category_and_kind_with_settings(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["catalogue", "list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kinds = {k["code"]: k for k in data["kinds"]}
    assert set(NEW_KINDS) <= set(kinds)
    assert {c["code"] for c in data["categories"]} == {"finance", "subsidy", "assistance", "project", "assets",
                                                       "major", "other"}
    canbu = kinds["canbu"]
    assert canbu["name"] == "残疾人两项补贴" and canbu["frequency"] == "monthly" and canbu["min_notice_days"] == 7
    assert canbu["period"] == "month" and canbu["who"] and canbu["columns"] == [["grade", "补贴类别"], ["amount", "月补贴金额（元）"]]
    assert [s["label"] for s in canbu["standards"]] == ["困难残疾人生活补贴标准", "重度残疾人护理补贴标准"]
    assert kinds["zhengdi"]["min_notice_days"] == 10
    text = app.test_cli_runner().invoke(args=["catalogue", "list"])
    assert "残疾人两项补贴（每月，公示不少于7天）" in text.output


@pytest.mark.parametrize(("title", "kind"), [
    ("2025年6月残疾人两项补贴发放名单", "canbu"), ("东风村2025年高龄津贴发放花名册", "gaoling"),
    ("2025年实际种粮农民一次性补贴", "zhongliang"), ("2025年生态公益林补偿资金发放表", "shengtai"),
    ("G210改线工程征地补偿款分配表", "zhengdi"), ("2025年农村宅基地审批结果", "zhaijidi"),
    ("2025年村干部报酬发放表", "cunganbu"), ("修建村道一事一议筹资名单", "yishiyiyi"),
    ("村集体债权债务清单", "zhaiwu"), ("7月洪灾受灾群众救灾资金发放", "jiuzai"), ("乡村公益岗位人员补贴", "gongyigang"),
    ("2025年防返贫监测对象名单", "jiance"), ("2025年医疗救助名单", "yiliao"), ("2025年6月城乡低保名单", "dibao"),
    ("2025年耕地地力保护补贴", "gengdi"), ("会议记录", None),
])
def test_the_importer_recognises_kinds_by_the_catalogues_words(app: Flask, title: str, kind: str | None) -> None:
    with app.app_context():
        assert catalogue.roster_kind_from_title(title) == kind


# Each new kind imports from a spreadsheet, and its 明白卡 prints ----------------------------------

def test_each_new_kind_imports_and_its_card_prints(app: Flask, client, place, make_user, tmp_path: Path) -> None:  # noqa: ANN001
    _set_standards(app, place["township"])
    admin = _admin(app, make_user)
    runner = app.test_cli_runner()
    for code, name in NEW_KINDS.items():
        with app.app_context():
            kind = catalogue.ROSTER_KINDS[code]
        result = runner.invoke(args=["import", "roster", str(sample_path(code)), "--village", "v1", "--json"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output.strip().splitlines()[-1])
        with app.app_context():
            notice = db.session.get(Notice, summary["notice_id"])
            assert notice.roster_kind == code and notice.category == kind.category, name
            assert len(notice.roster_lines) == 3 and {line.kind for line in notice.roster_lines} == {code}
            assert "13812345678" not in str([line.phone_masked for line in notice.roster_lines])
            # A kind that shows a 事由类别 keeps only the public category of the clerk's "因病住院".
            expected = "因病" if kind.label("reason") else ""
            assert {line.reason for line in notice.roster_lines} == {expected}, code
    # Two through the staff page's print button (the real renderer process) …
    login_as(client, admin)
    texts = {}
    for code in ("canbu", "gaoling"):
        pdf = client.get(f"/admin/print/card/{place['v1']}/{code}.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", code
        texts[code] = _pdf_text(pdf.data, tmp_path / f"{code}.pdf")
    assert "测试镇现行困难残疾人生活补贴标准：90元/人·月" in texts["canbu"]
    assert "测试镇现行80至89周岁高龄津贴：50元/人·月" in texts["gaoling"]
    # … and every new kind's card from the same template in this process (quicker than 13 renderers).
    with app.test_request_context("/"):
        from flask import render_template

        from disclosure import printing
        from disclosure.public import documents

        village = db.session.get(Village, place["v1"])
        for code, name in NEW_KINDS.items():
            html = render_template("print/card.html", card=documents.card(village, code, page_url="http://localhost/x"))
            text = _pdf_text(printing.render_pdf(html, "http://localhost/"), tmp_path / f"all-{code}.pdf")
            kind = catalogue.ROSTER_KINDS[code]
            assert name in text and "12317" in text and "".join(kind.who.split())[:12] in text, code


def _pdf_text(data: bytes, path: Path) -> str:
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_a_roster_shows_its_kinds_columns_and_the_townships_standard(app: Flask, client, place, make_user,
                                                                    tmp_path: Path) -> None:  # noqa: ANN001
    _set_standards(app, place["township"])
    _admin(app, make_user)
    result = app.test_cli_runner().invoke(args=["import", "roster", str(sample_path("zhongliang")), "--village", "v1",
                                                "--json"])
    notice_id = json.loads(result.output.strip().splitlines()[-1])["notice_id"]
    with app.test_request_context("/"):
        from disclosure.public import notice_tables

        table = notice_tables(db.session.get(Notice, notice_id))[0]
        assert table.headers == ["序号", "村民小组", "姓名", "面积（亩）", "标准（元/亩）", "发放日期", "补贴金额（元）"]
        assert table.notes == ("测试镇现行种粮农民补贴标准：12.50元/亩。",)


# Editing on the staff page ------------------------------------------------------------------

def _form(kind: catalogue.RosterKind, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": kind.name, "category": kind.category, "title_words": "、".join(kind.title_words),
        "period": kind.period, "frequency": kind.frequency, "notice_days": "", "head_word": kind.head_word,
        "who": kind.who, "how_much": kind.how_much, "how_to_apply": kind.how_to_apply, "standards": "",
    }
    for key in catalogue.COLUMN_KEYS:
        data[f"col_{key}"] = kind.label(key) or ""
    data.update(changes)
    return data


def test_a_township_lengthens_a_period_and_a_village_cannot_publish_shorter(app: Flask, client, place,
                                                                          make_user) -> None:  # noqa: ANN001
    admin, clerk, supervisor = _admin(app, make_user), make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    login_as(client, admin)
    shorter = client.post("/admin/catalogue/kinds/dibao/township", data={"notice_days": "5", "standards": ""})
    assert shorter.status_code == 400 and "公示期不能短于县级公开目录规定的7天" in shorter.text
    saved = client.post("/admin/catalogue/kinds/dibao/township",
                        data={"notice_days": "10", "standards": "农村低保标准|元/人·月|650"})
    assert saved.status_code == 302
    page = client.get("/admin/catalogue").text
    assert "测试镇现行农村低保标准：650元/人·月。" in page
    with app.app_context():
        township = db.session.get(Township, place["township"])
        assert township.settings["kind_notice_days"] == {"dibao": 10}
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.township_kind")).scalar_one()
        assert entry.before["township_notice_days"] is None and entry.after["township_notice_days"] == 10
        assert entry.after["township_standards"] == {"standard": 65000}
        # The village's clerk publishes a 低保 roster: 7 days no longer do.
        village = db.session.get(Village, place["v1"])
        user, sup = db.session.get(User, clerk), db.session.get(User, supervisor)
        from disclosure import periods

        notice = notices.create_draft(village, user, category="assistance", roster_kind="dibao",
                                      period=periods.month_of(dt.date(2025, 6, 1)), title="一村低保名单")
        notice.status = Status.APPROVED
        db.session.flush()
        today = clock.china_today()
        with pytest.raises(ServiceError, match="公示期不得少于10天"):
            notices.publish(notice, user, today, today + dt.timedelta(days=6), today=today)
        db.session.rollback()
    # The clerk may not touch the catalogue at all.
    login_as(client, clerk)
    assert client.post("/admin/catalogue/kinds/dibao/township", data={"notice_days": "1"}).status_code == 403
    assert client.get("/admin/catalogue").status_code == 403


def test_a_county_admin_adds_a_kind_and_the_importer_knows_its_words(app: Flask, client, place, make_user,
                                                                     tmp_path: Path) -> None:  # noqa: ANN001
    county = _county(app, place, make_user)
    _admin(app, make_user)  # the CLI import acts as the township admin
    with app.app_context():
        template = catalogue.ROSTER_KINDS["linshi"]
    login_as(client, county)
    clash = client.post("/admin/catalogue/kinds/new", data=_form(template, code="xinjiu", name="新救助",
                                                                title_words="临时救助"))
    assert clash.status_code == 400 and "识别词“临时救助”已用于“临时救助”" in clash.text
    priced = client.post("/admin/catalogue/kinds/new", data=_form(
        template, code="jiaoyu", name="教育资助", title_words="教育资助、助学金", standards="寄宿生生活补助|元/人·年|1250"))
    assert priced.status_code == 400 and "金额由各乡镇填写" in priced.text
    added = client.post("/admin/catalogue/kinds/new", data=_form(
        template, code="jiaoyu", name="教育资助", title_words="教育资助、助学金", notice_days="15",
        standards="寄宿生生活补助|元/人·年"))
    assert added.status_code == 302, added.text
    with app.app_context():
        assert catalogue.roster_kind_from_title("2025年秋季学期助学金发放名单") == "jiaoyu"
        kind = catalogue.ROSTER_KINDS["jiaoyu"]
        assert [(s.label, s.unit) for s in kind.standards] == [("寄宿生生活补助", "元/人·年")]
        township = db.session.get(Township, place["township"])
        from disclosure.services import rules

        assert rules.min_notice_days(township, "assistance", "jiaoyu") == 15  # the county's minimum, for everyone
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.kind_create")).scalar_one()
    assert kind.name == "教育资助"
    sheet = retitled("jiuzai", "一村2025年助学金发放名单", tmp_path)
    result = app.test_cli_runner().invoke(args=["import", "roster", str(sheet), "--village", "v1", "--json"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        notice = db.session.get(Notice, json.loads(result.output.strip().splitlines()[-1])["notice_id"])
        assert notice.roster_kind == "jiaoyu"


def test_an_unknown_kind_on_import_is_a_chinese_problem_never_a_traceback(app: Flask, client, place, make_user,
                                                                         tmp_path: Path) -> None:  # noqa: ANN001
    _admin(app, make_user)
    sheet = retitled("jiuzai", "2025年上半年某某发放表", tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "roster", str(sheet), "--village", "v1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "名单类型" in result.output and "Traceback" not in result.output
    typo = runner.invoke(args=["import", "roster", str(sheet), "--village", "v1", "--kind", "dibaoo"])
    assert typo.exit_code != 0 and "未知的名单类型：dibaoo" in typo.output and "canbu（残疾人两项补贴）" in typo.output
    with app.app_context():
        assert db.session.execute(select(Notice)).first() is None


def test_the_service_refuses_a_bad_standard_line(app: Flask, place, make_user) -> None:  # noqa: ANN001
    with pytest.raises(ServiceError, match="标准第1行"):
        catalogue_service.parse_standards("农村低保标准")
    with pytest.raises(ServiceError, match="标准第2行的金额"):
        catalogue_service.parse_standards("a|元\n农村低保标准|元/人·月|六百")


def test_a_township_lengthens_a_categorys_period_never_shortens_it(app: Flask, client, place, make_user) -> None:  # noqa: ANN001
    login_as(client, _admin(app, make_user))
    refused = client.post("/admin/catalogue/categories/project/township", data={"notice_days": "7"})
    assert refused.status_code == 400 and "扶贫项目资金的公示期不能短于县级公开目录规定的10天" in refused.text
    saved = client.post("/admin/catalogue/categories/finance/township", data={"notice_days": "10"})
    assert saved.status_code == 302
    with app.app_context():
        from disclosure.services import rules

        township = db.session.get(Township, place["township"])
        assert rules.min_notice_days(township, "finance") == 10 and rules.frequency(township, "finance") == "quarterly"
        assert rules.min_notice_days(township, "project") == 10
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.township_category")).scalar_one()
        assert entry.before == {"category": "finance", "notice_days": None}
        assert entry.after == {"category": "finance", "notice_days": 10}


def test_the_kinds_period_shape_sets_the_drafts_period_when_nothing_else_does(app: Flask, place, make_user,
                                                                              tmp_path: Path) -> None:  # noqa: ANN001
    _admin(app, make_user)
    runner = app.test_cli_runner()
    found = {}
    for code in ("cunganbu", "gongyigang"):  # 按年 and 按月; their samples have no date column, no year in the title
        result = runner.invoke(args=["import", "roster", str(sample_path(code)), "--village", "v1", "--json"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            notice = db.session.get(Notice, json.loads(result.output.strip().splitlines()[-1])["notice_id"])
            found[code] = (notice.period_start, notice.period_end)
    today = clock.china_today()
    assert found["cunganbu"] == (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    assert found["gongyigang"][0] == today.replace(day=1)


def test_a_township_requires_a_kind_of_every_village(app: Flask, client, place, make_user) -> None:  # noqa: ANN001
    admin = _admin(app, make_user)
    login_as(client, admin)
    township_form = {"notice_days": "", "standards": ""}
    assert client.post("/admin/catalogue/kinds/tekun/township",
                       data=township_form | {"is_required": "y"}).status_code == 302
    assert "各村必须公开" in client.get("/admin/catalogue").text
    box = next(tag for tag in client.get("/admin/catalogue/kinds/tekun").text.split("<") if 'name="is_required"' in tag)
    assert "checked" in box
    with app.app_context():
        township = db.session.get(Township, place["township"])
        assert township.settings["required_kinds"] == ["tekun"]
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.township_kind")).scalar_one()
        assert entry.before["township_required"] is False and entry.after["township_required"] is True
    client.post("/admin/catalogue/kinds/tekun/township", data=township_form)  # unticked
    with app.app_context():
        assert db.session.get(Township, place["township"]).settings["required_kinds"] == []
