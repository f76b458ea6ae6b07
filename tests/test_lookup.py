"""我领了什么: the self-lookup service and its kiosk and phone pages, on
published rosters made through the real services (tests/helpers/feedback_data)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time

import pytest
from sqlalchemy import select

from disclosure import keys, periods, privacy
from disclosure.extensions import db
from disclosure.models import LookupLog, Notice, Question, Role, Township, Village
from disclosure.services import lookup as service
from disclosure.services import notices

from conftest import fresh_app, login_as
from tests.helpers.feedback_data import Person, publish, roster_notice, staff, valid_id

ZHANG = valid_id(101)  # 张三明: paid in v1 (three rosters) and v2, and in another township
LI = valid_id(102)  # 李四: one line
NOBODY = valid_id(103)  # a valid ID never paid
ID_PATTERN = privacy.ID_PATTERN


@pytest.fixture
def world(app, place) -> dict:
    """Rosters of two villages of one township and one of another township
    (same county); a 2025 耕地 roster corrected from 620 to 650 yuan."""
    with app.app_context():
        v1, v2 = db.session.get(Village, place["v1"]), db.session.get(Village, place["v2"])
        v1.township.county = "测试县"
        other = Township(code="t9", name="邻镇", county="测试县")
        v9 = Village(code="v9", name="邻村", township=other)
        db.session.add_all([other, v9])
        db.session.flush()
        zhang = lambda amount, **kw: Person("张三明", amount, ZHANG, **kw)  # noqa: E731
        roster_notice(v1, "gengdi", periods.year(2024), [zhang(600_00, group_no=2), Person("李四", 300_00, LI)],
                      category="subsidy", start=dt.date(2025, 1, 10))
        old = roster_notice(v1, "gengdi", periods.year(2025), [zhang(620_00, group_no=2)], category="subsidy",
                            start=dt.date(2025, 11, 1))
        clerk, _ = staff(v1)
        new = notices.start_correction(old, clerk, "面积核实后增加")
        new.roster_lines[0].amount_fen = 650_00
        publish(new, dt.date(2025, 11, 10))
        roster_notice(v1, "dibao", periods.month(2025, 10), [zhang(1200_00, household_size=3, group_no=2)],
                      start=dt.date(2025, 11, 3))
        roster_notice(v2, "linshi", periods.month(2025, 9), [zhang(500_00, reason="因病")],
                      start=dt.date(2025, 10, 5))
        roster_notice(v9, "linshi", periods.month(2025, 9), [zhang(999_00)], start=dt.date(2025, 10, 5))
        db.session.commit()
        app.config["LOOKUP_MIN_SECONDS"] = 0
        app.config["LOOKUP_SCOPE"] = "township"  # the default on PostgreSQL is the county
        return {"correction": new.id, "old": old.id}


def ask(client, id_number: str, name: str, where: str = "/kiosk/v1/lookup"):  # noqa: ANN001, ANN201
    return client.post(where, data={"id_number": id_number, "name": name})


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


# The service ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    ZHANG, ZHANG.lower(), " ".join([ZHANG[:6], ZHANG[6:14], ZHANG[14:]]),
    ZHANG.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")), f"\u3000{ZHANG}\t",
])
def test_the_id_is_normalised_before_it_is_fingerprinted(typed):
    assert service.normalize_id(typed) == ZHANG


@pytest.mark.parametrize("typed, message", [
    ("", "请输入身份证号"), (ZHANG[:17], "18位"), (ZHANG[:17] + ("1" if ZHANG[17] != "1" else "2"), "校验位"),
    ("52240119650304101A", "无效字符"),
])
def test_a_wrong_id_is_refused_in_chinese(typed, message):
    with pytest.raises(service.LookupRefused) as err:
        service.normalize_id(typed)
    assert message in err.value.message and err.value.field == "id_number"


def test_the_surname_is_the_first_han_character():
    assert service.read_surname(" 张三明") == "张" and service.read_surname("欧阳") == "欧"
    for bad in ("", "zhang", "1"):
        with pytest.raises(service.LookupRefused):
            service.read_surname(bad)


def test_find_lists_lines_in_force_with_totals_per_year_and_kind(app, world):
    with app.app_context():
        ids = service.scope_village_ids(db.session.get(Village, 1), county=False)
        result = service.find(service.fingerprint(ZHANG), "张", ids, dt.date(2025, 11, 12))
        amounts = sorted(l.amount_fen for l in result.lines)
        assert amounts == [500_00, 600_00, 650_00, 1200_00]  # the corrected 620 gives way to 650; v9 is elsewhere
        assert result.total_fen == 2950_00 and result.public_name == "张*明"
        assert [(t.label, t.count, t.amount_fen) for t in result.by_year] == [("2025年", 3, 2350_00), ("2024年", 1, 600_00)]
        assert {t.label: t.amount_fen for t in result.by_kind} == {
            "耕地地力保护补贴": 1250_00, "城乡低保": 1200_00, "临时救助": 500_00}
        corrected = next(l for l in result.lines if l.amount_fen == 650_00)
        assert "更正后的第2版" in corrected.note and corrected.notice_id == world["correction"]
        assert [l.amount_fen for l in result.household] == [1200_00]
        states = {l.amount_fen: l.state.label for l in result.lines}
        assert states[650_00] == "公示中" and states[600_00] == "公示结束"
        # The county (on PostgreSQL by default) takes in the neighbouring township.
        county = service.scope_village_ids(db.session.get(Village, 1), county=True)
        assert 999_00 in [l.amount_fen for l in service.find(service.fingerprint(ZHANG), "张", county,
                                                              dt.date(2025, 11, 12)).lines]
        # A wrong surname and an unknown ID give the very same empty answer.
        assert service.find(service.fingerprint(ZHANG), "王", ids, dt.date(2025, 11, 12)) == service.EMPTY
        assert service.find(service.fingerprint(NOBODY), "张", ids, dt.date(2025, 11, 12)) == service.EMPTY


def test_a_line_whose_correction_dropped_it_shows_as_corrected_and_is_not_counted(app, world):
    with app.app_context():
        old = db.session.get(Notice, world["correction"])
        clerk, _ = staff(old.village)
        newer = notices.start_correction(old, clerk, "此人不符合条件")
        for line in list(newer.roster_lines):
            newer.roster_lines.remove(line)
        newer.body = "名单更正"
        publish(newer, dt.date(2025, 11, 12))
        db.session.commit()
        result = service.find(service.fingerprint(ZHANG), "张", None, dt.date(2025, 11, 13))
        dropped = next(l for l in result.lines if l.amount_fen == 650_00)
        assert not dropped.is_counted and dropped.state.label == "已更正" and dropped.current_id == newer.id
        assert "不计入合计" in dropped.note
        assert 650_00 not in [l.amount_fen for l in result.counted]


# The pages ---------------------------------------------------------------------------

def test_kiosk_lookup_shows_lines_and_totals_and_never_the_id(app, world, client):
    page = client.get("/kiosk/v1/lookup")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    assert 'data-key="X"' in text and 'inputmode="none"' in text and 'data-surname="张"' in text
    response = ask(client, " ".join([ZHANG[:6], ZHANG[6:14], ZHANG[14:]]), "张")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert "张*明：共领取4笔，合计2,950.00元" in html
    for words in ("2024年", "耕地地力保护补贴", "城乡低保", "临时救助", "二村", "第2村民小组", "全家3人", "公示结束",
                  "这一笔有疑问", "打印回执"):
        assert words in html, words
    assert "999.00" not in html  # another township (SQLite: the township)
    assert ZHANG not in html and privacy.mask_id(ZHANG) not in html and not ID_PATTERN.search(html) and "张三明" not in html
    assert f"/kiosk/notice/{world['correction']}" in html


def test_home_pages_link_to_the_lookup(app, world, client):
    assert 'href="/kiosk/v1/lookup"' in client.get("/kiosk/v1/home").get_data(as_text=True)
    assert 'href="/m/lookup?code=v1"' in client.get("/m/v1").get_data(as_text=True)


def test_phone_lookup_works_with_and_without_a_village(app, world, client):
    assert "no-store" in client.get("/m/lookup?code=v1").headers["Cache-Control"]
    html = ask(client, ZHANG.lower(), "张三明", "/m/lookup?code=v1").get_data(as_text=True)
    assert "合计2,950.00元" in html and "/m/notice/" in html and "/kiosk/" not in html.split("<main")[1]
    # Without a village the whole board (one township here, or the county) is searched.
    html = ask(client, ZHANG, "张", "/m/lookup").get_data(as_text=True)
    assert "999.00元" in html


def test_the_township_is_searched_on_sqlite_and_the_county_on_postgresql(app, world, client):
    app.config.pop("LOOKUP_SCOPE")
    html = ask(client, ZHANG, "张").get_data(as_text=True)
    with app.app_context():
        on_postgres = db.engine.dialect.name == "postgresql"
    assert ("邻村" in html) == on_postgres and ("合计3,949.00元" if on_postgres else "合计2,950.00元") in html
    app.config["LOOKUP_SCOPE"] = "county"
    assert "合计3,949.00元" in ask(client, ZHANG, "张").get_data(as_text=True)


def test_wrong_name_and_no_payments_give_the_same_page(app, world, client):
    wrong_name = ask(client, ZHANG, "王")
    no_payments = ask(client, NOBODY, "张")
    assert wrong_name.status_code == no_payments.status_code == 200
    assert wrong_name.get_data() == no_payments.get_data()
    assert "没有找到" in wrong_name.get_data(as_text=True)


def test_wrong_name_and_no_payments_take_the_same_time(app, world, client):
    app.config["LOOKUP_MIN_SECONDS"] = 0.15

    def timed(id_number: str, name: str) -> float:
        start = time.perf_counter()
        ask(client, id_number, name)
        return time.perf_counter() - start

    wrong = [timed(ZHANG, "王") for _ in range(5)]
    none = [timed(NOBODY, "张") for _ in range(5)]
    assert min(wrong) >= 0.15 and min(none) >= 0.15
    assert abs(min(wrong) - min(none)) < 0.05  # the least disturbed runs: the floor, both


def test_a_bad_id_is_explained_and_not_echoed(app, world, client):
    bad = ZHANG[:17] + ("1" if ZHANG[17] != "1" else "2")
    response = ask(client, bad, "张")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "校验位不正确" in html and bad not in html
    response = ask(client, ZHANG, "")
    assert response.status_code == 400 and "请选择或填写您的姓" in response.get_data(as_text=True)


def test_the_log_keeps_a_fingerprint_never_the_id(app, world, client):
    ask(client, ZHANG, "张")
    ask(client, NOBODY, "张", "/m/lookup?code=v2")
    ask(client, "123", "张")
    with app.app_context():
        rows = db.session.execute(select(LookupLog).order_by(LookupLog.id)).scalars().all()
        assert [(r.channel, r.outcome) for r in rows] == [("kiosk", "found"), ("phone", "none"), ("kiosk", "invalid")]
        assert rows[0].id_hash == keys.fingerprint(ZHANG)[1]
        assert rows[1].village_id == 2 and rows[2].id_hash is None
        dump = "\n".join(db.session.connection().connection.iterdump()) if db.engine.dialect.name == "sqlite" else ""
        assert ZHANG not in dump and NOBODY not in dump


def test_twenty_lookups_of_one_id_a_day_then_a_chinese_429(app, world, client):
    for _ in range(service.PER_ID_PER_DAY):
        assert ask(client, NOBODY, "张").status_code == 200
    response = ask(client, NOBODY, "张")
    assert response.status_code == 429 and "这个身份证号今天查得太多了" in response.get_data(as_text=True)
    assert ask(client, ZHANG, "张").status_code == 200  # another ID is not held up


def test_the_eleventh_lookup_from_one_address_in_ten_minutes_gets_429(app, world, fresh_url, tmp_path):
    with fresh_app(fresh_url, tmp_path / "limited", RATELIMIT_ENABLED=True, LOOKUP_MIN_SECONDS=0) as limited:
        client = limited.test_client()
        with limited.app_context():
            township = Township(code="t1", name="测试镇")
            db.session.add(Village(code="v1", name="一村", township=township))
            db.session.commit()
        for _ in range(10):
            assert ask(client, NOBODY, "张").status_code == 200
        response = ask(client, NOBODY, "张")
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and "查询太频繁了" in html and 'lang="zh-CN"' in html
        other = limited.test_client()
        assert ask(other, NOBODY, "张", "/m/lookup").status_code == 429  # the phone face counts alike
        assert other.post("/m/lookup", data={"id_number": NOBODY, "name": "张"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_slip_pdf_is_a5_masked_and_has_the_totals(app, world, client):
    html = ask(client, ZHANG, "张").get_data(as_text=True)
    response = client.post("/kiosk/v1/lookup/slip", data={"token": token_of(html)})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "张*明" in text and "2,950.00" in text and "城乡低保" in text
    assert not ID_PATTERN.search(text) and privacy.mask_id(ZHANG) not in text and "张三明" not in text
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"Page size:\s+419\.5\d* x 595\.2\d* pts", info), info  # A5 portrait


def test_a_bad_or_foreign_token_replays_nothing(app, world, client):
    html = ask(client, ZHANG, "张").get_data(as_text=True)
    token = token_of(html)
    assert client.post("/kiosk/v1/lookup/slip", data={"token": token + "x"}).status_code == 410
    assert client.post("/kiosk/v2/lookup/slip", data={"token": token}).status_code == 410  # another kiosk
    assert client.post("/m/lookup/slip?code=v1", data={"token": token}).status_code == 410  # the phone


def test_a_question_on_one_line_names_that_line(app, world, client):
    html = ask(client, ZHANG, "张").get_data(as_text=True)
    token = token_of(html)
    with app.app_context():
        line_id = db.session.get(Notice, world["correction"]).roster_lines[0].id
    step = client.post("/kiosk/v1/lookup/question", data={"token": token, "line": line_id})
    assert step.status_code == 200 and "金额不对" in step.get_data(as_text=True)
    done = client.post("/kiosk/v1/lookup/question", data={"token": token, "line": line_id, "concern": "金额不对"})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "已收到您的问题" in text
    with app.app_context():
        question = db.session.execute(select(Question)).scalar_one()
        assert question.notice_id == world["correction"] and question.concern == "金额不对"
        assert question.channel == "kiosk" and question.ticket_no in text
        assert "650.00元" in question.text and "张*明" in question.text and "第1行" in question.text
        assert ZHANG not in question.text
    # A line of somebody else is refused.
    with app.app_context():
        li_line = next(l.id for n in db.session.execute(select(Notice)).scalars() for l in n.roster_lines
                       if l.name == "李四")
    assert client.post("/kiosk/v1/lookup/question", data={"token": token, "line": li_line}).status_code == 404


def test_township_admin_sees_lookups_per_village_per_month(app, world, client, make_user):
    ask(client, ZHANG, "张")
    ask(client, NOBODY, "张")
    ask(client, ZHANG, "张", "/kiosk/v2/lookup")
    admin = login_as(app.test_client(), make_user(Role.TOWNSHIP_ADMIN, None))
    page = admin.get("/admin/lookups")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "查询次数" in html
    row = re.search(r"<tr><th scope=\"row\">一村</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row)[:1] == ["2"]
    assert ZHANG not in html and "id_hash" not in html
    with app.app_context():
        fingerprint = keys.fingerprint(ZHANG)[1]
    assert fingerprint not in html
    clerk = login_as(app.test_client(), make_user(Role.CLERK, "v1"))
    assert clerk.get("/admin/lookups").status_code == 403


def test_privacy_sweep_over_every_lookup_page_and_the_slip(app, world, client):
    """Every page a lookup can give (found, not found, refused, limited, the
    question steps) and the slip: no full ID, account or mobile number, no
    full name, no masked ID, account or phone."""
    with app.app_context():
        v1 = db.session.get(Village, 1)
        roster_notice(v1, "linshi", periods.month(2025, 8), [
            Person("张三明", 210_00, ZHANG, reason="因病", account="6228480012345678901", phone="13812345678")],
            start=dt.date(2025, 9, 2))
        db.session.commit()
        private = {"张三明", "李四", privacy.mask_id(ZHANG), privacy.mask_account("6228480012345678901"),
                   privacy.mask_phone("13812345678"), "13812345678", "6228480012345678901"}
    pages = []
    found = ask(client, ZHANG, "张")
    token = token_of(found.get_data(as_text=True))
    pages += [found, ask(client, ZHANG, "王"), ask(client, NOBODY, "张"), ask(client, ZHANG[:17] + "0", "张"),
              ask(client, ZHANG, "张", "/m/lookup?code=v1"), client.get("/kiosk/v1/lookup"), client.get("/m/lookup")]
    with app.app_context():
        line_id = db.session.get(Notice, world["correction"]).roster_lines[0].id
    pages.append(client.post("/kiosk/v1/lookup/question", data={"token": token, "line": line_id}))
    pages.append(client.post("/kiosk/v1/lookup/question", data={"token": token, "line": line_id, "concern": "其他"}))
    slip = client.post("/kiosk/v1/lookup/slip", data={"token": token})
    texts = [p.get_data(as_text=True) for p in pages]
    texts.append(subprocess.run(["pdftotext", "-layout", "-", "-"], input=slip.data, capture_output=True,
                                check=True).stdout.decode())
    for _ in range(service.PER_ID_PER_DAY):
        ask(client, LI, "李")
    texts.append(ask(client, LI, "李").get_data(as_text=True))
    assert "这个身份证号今天查得太多了" in texts[-1] and "210.00" in texts[-2] + texts[0]
    for text in texts:
        for pattern in (privacy.ID_PATTERN, privacy.ACCOUNT_PATTERN, privacy.MOBILE_PATTERN):
            assert not pattern.search(text), pattern.search(text).group()
        assert not [v for v in private if v in text]


def test_lookup_pages_forget_after_sixty_seconds_or_sooner(app, world, client):
    assert 'data-idle-seconds="60"' in client.get("/kiosk/v1/lookup").get_data(as_text=True)
    assert 'data-idle-seconds="60"' in ask(client, ZHANG, "张").get_data(as_text=True)
    app.config["KIOSK_IDLE_SECONDS"] = 30
    assert 'data-idle-seconds="30"' in ask(client, ZHANG, "张").get_data(as_text=True)
