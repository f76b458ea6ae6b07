"""The document library, the keyword search and the village catalogue page,
through the real services and the public pages (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set: the same bigram index on both)."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote

import pytest
from flask import Flask

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import AuditEntry, Document, DocumentStatus, Role, SearchEntry, Township, Village
from disclosure.services import ServiceError, intake, library, notices, oversight, search, users
from tests.helpers.admin_world import LedgerIn, PersonIn
from tests.helpers.attachment_files import pdf_bytes
from tests.helpers.feedback_data import publish, staff

YEAR = china_today().year
Q1 = periods.quarter(YEAR, 1)


def _text(response) -> str:  # noqa: ANN001
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _finance(village: Village, summaries: list[str], title: str = "") -> int:
    clerk, _ = staff(village)
    notice = notices.create_draft(village, clerk, category="finance", period=Q1,
                                  title=title or f"{village.name}{Q1.label}财务收支公示")
    intake.add_ledger_rows(notice, clerk, [
        LedgerIn(Q1.start + dt.timedelta(days=i), s, "expense", "management_expense", 10_000 + i, f"记-{i}")
        for i, s in enumerate(summaries)])
    publish(notice, china_today())
    return notice.id


@pytest.mark.parametrize(("text", "expected"), [
    ("村部电费", {"村部", "部电", "电费"}),
    ("电费，水费", {"电费", "水费"}),  # no pair across punctuation
    ("ＡＢ路", {"ab", "b路"}),  # full-width folded, lower case
    ("电", set()),
])
def test_grams_are_pairs_within_runs(text: str, expected: set[str]) -> None:
    assert search.grams(text) == expected


def test_words_of_a_query() -> None:
    assert search.words("  电费　修路,补贴 ") == ["电费", "修路", "补贴"]
    assert search.words("a b c d e f") == ["a", "b", "c", "d"]
    assert search.words(None) == []


def test_search_finds_a_ledger_line_by_a_word_of_its_summary(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        v1, v2 = db.session.get(Village, place["v1"]), db.session.get(Village, place["v2"])
        _finance(v1, ["村部电费", "村组道路维修材料费", "报刊征订费"])
        _finance(v2, ["二村电费"])
        db.session.commit()
        entries, total = search.find(v1, "电费")
        assert total == 1 and [(e.kind, e.title) for e in entries] == [("line", "村部电费")]
        assert [e.title for e in search.find(v1, "道路 材料")[0]] == ["村组道路维修材料费"]  # every word
        assert search.find(v1, "道路 电费")[1] == 0
        assert search.find(v1, "部电费村")[1] == 0  # the pairs are there, the word is not
        assert search.find(v1, "费")[1] >= 3  # one character: matched in the village's text
        assert search.find(v1, "100%")[1] == 0  # LIKE wildcards are escaped
        assert search.find(v1, "财务收支", category="finance", year=YEAR)[1] == 1
        assert search.find(v1, "财务收支", year=YEAR - 1)[1] == 0


def test_only_current_public_content_is_searched(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        v1 = db.session.get(Village, place["v1"])
        clerk, sup = staff(v1)
        draft = notices.create_draft(v1, clerk, category="finance", period=Q1, title="草稿里的电费")
        intake.add_ledger_rows(draft, clerk, [LedgerIn(Q1.start, "草稿电费", "expense", "management_expense", 100)])
        roster = notices.create_draft(v1, clerk, category="subsidy", roster_kind="gengdi", period=periods.year(YEAR),
                                      title="耕地地力保护补贴名单")
        intake.add_roster_rows(roster, clerk, [PersonIn("张三明", 10_550)])
        publish(roster, china_today())
        old = db.session.get(type(roster), _finance(v1, ["旧版电费"]))
        correction = notices.start_correction(old, clerk, "金额有误")
        db.session.flush()
        publish(correction, china_today())
        db.session.commit()
        found = [e.title for e in search.find(v1, "电费")[0]]
        assert "草稿电费" not in found and "草稿里的电费" not in found
        assert found == ["旧版电费"]  # the correction's line, once: the superseded version drops out
        assert {e.notice_id for e in search.find(v1, "电费")[0]} == {correction.id}
        assert search.find(v1, "张三明")[1] == 0 and search.find(v1, "三明")[1] == 0  # never a roster name
        assert search.find(v1, "地力保护")[1] == 1  # the roster notice's title is public


def test_search_pages_on_phone_and_kiosk(app: Flask, place: dict[str, int]) -> None:
    client = app.test_client()
    with app.app_context():
        _finance(db.session.get(Village, place["v1"]), ["村部电费"])
        db.session.commit()
    phone = client.get("/m/v1/search?q=电费")
    assert phone.status_code == 200 and "村部电费" in _text(phone) and 'name="q"' in phone.get_data(as_text=True)
    kiosk = client.get("/kiosk/v1/search?q=电费")
    html = kiosk.get_data(as_text=True)
    assert "村部电费" in _text(kiosk) and "<input" not in html  # no system keyboard on the kiosk
    assert 'href="/kiosk/v1/search?q=%E4%BF%AE%E8%B7%AF"' in html  # 修路 as a button
    assert "/kiosk/line/" in html
    browse = client.get(f"/kiosk/v1/search?c=finance&y={YEAR}")
    assert "找到2条" in _text(browse)  # the notice and its line
    assert "找到0条" in _text(client.get("/m/v2/search?q=电费"))  # another village's lines stay there
    assert client.get("/m/nowhere/search?q=x").status_code == 404


def test_library_revision_and_repeal(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        township, v1 = db.session.get(Township, place["township"]), db.session.get(Village, place["v1"])
        clerk, sup = staff(v1)
        admin = users.create_user(username="lib-admin", display_name="镇", password="test-pass-123",
                                  role=Role.TOWNSHIP_ADMIN, township=township)
        rules = library.create(clerk, township, v1, kind="村规民约", title="一村村规民约",
                               body="爱护道路，红白喜事从简。", effective_on=dt.date(YEAR - 2, 1, 1))
        with pytest.raises(ServiceError, match="晚于原文件"):
            library.create(clerk, township, v1, kind="村规民约", title="修订", body="x", replaces=rules,
                           effective_on=dt.date(YEAR - 3, 1, 1))
        with pytest.raises(ServiceError, match="无权"):
            library.create(sup, township, v1, kind="村规民约", title="监委不能录入", body="x", effective_on=dt.date.today())
        with pytest.raises(ServiceError, match="无权"):  # a clerk keeps no township document
            library.create(clerk, township, None, kind="财务管理制度", title="x", body="x", effective_on=dt.date.today())
        with pytest.raises(ServiceError, match="PDF"):
            library.create(clerk, township, v1, kind="其他", title="假PDF", pdf=b"<html>", effective_on=dt.date.today())
        new = library.create(clerk, township, v1, kind="村规民约", title="一村村规民约（修订）", replaces=rules,
                             body="爱护道路，婚事宴请不超过20桌。", effective_on=dt.date(YEAR - 1, 7, 1))
        policy = library.create(admin, township, None, kind="财务管理制度", title="测试镇村级财务管理制度",
                                body="单笔支出5000元以上须集体研究，联系人13812345678。", effective_on=dt.date(YEAR - 1, 1, 1))
        library.repeal(policy, admin, ended_on=dt.date(YEAR, 1, 1), reason="由新制度取代")
        db.session.commit()
        assert (rules.status, rules.replaced_by_id) == (DocumentStatus.REVISED, new.id)
        assert rules.ended_on == new.effective_on
        assert "13812345678" not in policy.body  # free text is scrubbed like every other
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one() == 3
        actions = set(db.session.execute(db.select(AuditEntry.action).where(AuditEntry.entity == "document")).scalars())
        assert actions == {"document.create", "document.revise", "document.repeal"}
        assert [e.title for e in search.find(v1, "宴请")[0]] == ["一村村规民约（修订）"]
        assert [e.title for e in search.find(db.session.get(Village, place["v2"]), "集体研究")[0]] == [
            "测试镇村级财务管理制度"]  # a township document is in every village's search
        ids = (rules.id, new.id, policy.id)
    client = app.test_client()
    listing = _text(client.get("/kiosk/v1/library"))
    assert "一村村规民约（修订） " in listing and "有效" in listing and "已修订" in listing and "已废止" in listing
    old_page = client.get(f"/kiosk/doc/{ids[0]}?v=v1").get_data(as_text=True)
    assert "已修订" in old_page and f'href="/kiosk/doc/{ids[1]}?v=v1"' in old_page and "返回" in old_page
    phone = _text(client.get(f"/m/doc/{ids[2]}?v=v2"))
    assert "已废止" in phone and "由新制度取代" in phone
    assert client.get(f"/doc/{ids[0]}.pdf").status_code == 404  # no PDF was uploaded
    assert client.get("/m/doc/99999").status_code == 404


def test_catalogue_page_uses_the_dashboards_lateness(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        v1 = db.session.get(Village, place["v1"])
        _finance(v1, ["村部电费"], title="一村一季度财务收支公示")
        db.session.commit()
        admin = users.create_user(username="cat-admin", display_name="镇", password="test-pass-123",
                                  role=Role.TOWNSHIP_ADMIN, township=v1.township)
        late = {(c.category, c.state) for c in oversight.dashboard(admin, china_today())[0].categories}
    text = _text(app.test_client().get("/kiosk/v1/catalogue"))
    assert "一村一季度财务收支公示" in text
    assert ("assets", "overdue") in late and "集体资产资源 每季度 7天 还没有公开过 逾期未公开" in text
    assert "已逾期未公开" in text
    phone = _text(app.test_client().get("/m/v1/catalogue"))
    assert "公开目录" in phone and "逾期未公开" in phone


def test_reindex_command_rebuilds_the_index(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        _finance(db.session.get(Village, place["v1"]), ["村部电费", "网费"])
        db.session.execute(db.delete(search.SearchGram))
        db.session.execute(db.delete(SearchEntry))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["search-reindex"])
    assert result.exit_code == 0 and "3条" in result.output, result.output
    with app.app_context():
        assert search.find(db.session.get(Village, place["v1"]), "电费")[1] == 1


def test_staff_pages_scope_and_form(app: Flask, place: dict[str, int], login) -> None:  # noqa: ANN001
    with app.app_context():
        township, v1, v2 = (db.session.get(Township, place["township"]), db.session.get(Village, place["v1"]),
                            db.session.get(Village, place["v2"]))
        clerk1, sup1 = staff(v1)
        clerk2, _ = staff(v2)
        other = library.create(clerk2, township, v2, kind="村规民约", title="二村村规民约", body="二村",
                               effective_on=dt.date(YEAR - 1, 1, 1))
        db.session.commit()
        ids = {"clerk1": clerk1.id, "sup1": sup1.id, "other": other.id, "v1": v1.id}
    client = login(app.test_client(), ids["clerk1"])
    assert client.get(f"/admin/library/{ids['other']}").status_code == 404  # another village's: not even seen
    bad = client.post("/admin/library/new", data={"scope": str(ids["v1"]), "kind": "村规民约", "title": "",
                                                  "effective_on": f"{YEAR}-01-01", "body": "x", "replaces": ""})
    assert bad.status_code == 200 and "请填写文件名称" in bad.get_data(as_text=True)
    empty = client.post("/admin/library/new", data={"scope": str(ids["v1"]), "kind": "村规民约", "title": "空",
                                                    "effective_on": f"{YEAR}-01-01", "body": "", "replaces": ""})
    assert "请填写正文或上传PDF文件" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one() == 1
    def upload(pdf: bytes):  # noqa: ANN202
        return client.post("/admin/library/new", data={
            "scope": str(ids["v1"]), "kind": "其他", "title": "公开栏管理办法", "effective_on": f"{YEAR}-01-01",
            "body": "", "replaces": "", "attachment": (io.BytesIO(pdf), "rules.pdf")}, content_type="multipart/form-data")

    # Checked as a notice's PDF attachment is: a broken file is refused next to the field, nothing kept.
    broken = upload(b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\ntrailer << >>\n%%EOF\n")
    assert broken.status_code == 200 and "PDF 文件已损坏" in broken.get_data(as_text=True)
    pdf = pdf_bytes(1)
    saved = upload(pdf)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    doc_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/doc/{doc_id}.pdf").get_data() == pdf
    kiosk = client.get(f"/kiosk/doc/{doc_id}?v=v1").get_data(as_text=True)
    main = kiosk.split("<main")[1].split("</main>")[0]
    assert "共1页" in main and "<svg" in main and f"/doc/{doc_id}.pdf" not in main  # a QR code, never a PDF viewer
    assert f'src="/doc/{doc_id}/page/1.jpg"' in main  # and the page itself as a picture
    assert f'href="/doc/{doc_id}.pdf"' in client.get(f"/m/doc/{doc_id}?v=v1").get_data(as_text=True)
    sup = login(app.test_client(), ids["sup1"])
    assert sup.get("/admin/library").status_code == 200
    assert sup.get("/admin/library/new").status_code == 403


def test_an_overlong_search_word_still_gets_a_page_with_its_phone_qr(app: Flask, place: dict[str, int]) -> None:
    """Found by the full scan: a pasted 1,000-character query made the kiosk's
    phone QR code (which carries the query) too big for any QR version: 500.
    The page answers, and its QR code opens the page without the overlong word."""
    client = app.test_client()
    hostile = '"></a><script>' + "[]+!" * 250
    for url in (f"/kiosk/v1/search?q={quote(hostile)}", f"/kiosk/v1/search?q={quote(hostile)}&y={YEAR}"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert 'aria-label="手机扫码查看本页"' in html and "<script>[]" not in html
