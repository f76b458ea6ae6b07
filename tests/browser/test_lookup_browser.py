"""我领了什么 in a real headless Chromium: a clerk imports a roster with known
ID numbers through the web import, it is reviewed and published; a villager
looks themself up on the kiosk with the on-screen keypad (portrait and
landscape) and on the phone, sees their lines and totals; a wrong surname
gives the same 没有找到 page as an ID never paid; the result leaves nothing in
the browser and clears itself; the 11th lookup in 10 minutes from one
address gets the Chinese 429 page; the A5 slip shows no full number."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from disclosure import keys, periods, privacy
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import Notice, Role, Status, Township, Village, VillageGroup
from disclosure.services import users
from tests.conftest import database_url, make_app
from tests.helpers.feedback_data import Person, roster_notice, valid_id

from .conftest import LANDSCAPE, PHONE, PORTRAIT, SHOTS, Server, shot
from .test_kiosk_browser import serious

pytestmark = pytest.mark.browser

PASSWORD = "test-pass-123"
ZHANG = valid_id(201, "19580612")  # 张桂兰, 72: on the imported 耕地 roster and on a 低保 roster
WANG = valid_id(202, "19610101")
NOBODY = valid_id(203, "19500505")


def roster_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年耕地地力保护补贴发放名单"])
    ws.append(["序号", "组别", "姓名", "身份证号码", "补贴面积（亩）", "补贴标准（元/亩）", "补贴金额（元）"])
    ws.append([1, "2组", "张桂兰", ZHANG, "6.1", "105.5", "643.55"])
    ws.append([2, "3组", "王建国", WANG, "4", "105.5", "422.00"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A fresh township on its own database, served in a thread, CSRF on."""
    folder = tmp_path_factory.mktemp("lookup-site")
    url = database_url("board_lookup_browser", folder)
    app = make_app(url, folder / "instance", WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=False,
                   LOOKUP_MIN_SECONDS=0.05, LOOKUP_IDLE_SECONDS=4)
    with app.app_context():
        db.create_all()
        township = Township(code="qingshi", name="青石镇", phone="0851-2233445")
        village = Village(code="lishu", name="梨树村", township=township, supervision_phone="0851-2233401")
        village.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in (1, 2, 3)]
        db.session.add_all([township, village])
        db.session.flush()
        users.create_user(username="clerk-lishu", display_name="梨树村报账员", password=PASSWORD, role=Role.CLERK,
                          township=township, village=village)
        users.create_user(username="sup-lishu", display_name="梨树村监委", password=PASSWORD,
                          role=Role.SUPERVISOR, township=township, village=village)
        # A 低保 roster published earlier through the services: a second kind and year for the totals.
        roster_notice(village, "dibao", periods.month(2025, 10), [
            Person("张桂兰", 380_00, ZHANG, group_no=2, household_size=2)], start=dt.date(2025, 11, 3))
        db.session.commit()
        db.session.remove()
    server = Server(app)
    yield {"app": app, "url": server.url, "db_url": url, "folder": folder}
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('登录')")


@pytest.fixture(scope="module")
def published(site, browser) -> dict:
    """The web path: import (clerk) → submit (clerk) → 审核通过 (supervisor) → 发布 (clerk)."""
    base, app = site["url"], site["app"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    log_in(page, base, "clerk-lishu")
    page.goto(base + "/admin/import")
    page.check("input[name=what][value=roster]")
    page.select_option("select[name=kind]", "gengdi")
    path = Path(site["folder"]) / "gengdi-2026.xlsx"
    path.write_bytes(roster_xlsx())
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("button:has-text('上传并检查')")
    assert "身份证号" in page.content() and ZHANG not in page.content()
    with page.expect_navigation():
        page.click("button:has-text('确认导入 2 行')")
    notice_id = int(re.search(r"/admin/notices/(\d+)", page.url).group(1))
    with page.expect_navigation():
        page.click("button:has-text('提交审核')")
    context.clear_cookies()
    log_in(page, base, "sup-lishu")
    page.goto(f"{base}/admin/notices/{notice_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()
    with app.app_context():
        assert db.session.get(Notice, notice_id).status == Status.APPROVED, page.content()[:2000]
        db.session.remove()
    context.clear_cookies()
    log_in(page, base, "clerk-lishu")
    page.goto(f"{base}/admin/notices/{notice_id}")
    today = china_today()
    page.fill("input[name=notice_start]", today.isoformat())
    page.fill("input[name=notice_end]", (today + dt.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        page.click("button:has-text('发布')")
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        assert notice.status == Status.PUBLISHED, page.content()[:2000]
        assert {l.id_hash for l in notice.roster_lines} == {
            keys.fingerprint(i)[1] for i in (ZHANG, WANG)}
        db.session.remove()
    context.close()
    return {"notice_id": notice_id}


def type_on_keypad(page, id_number: str) -> None:
    for ch in id_number:
        page.tap(f".id-keypad [data-key='{ch}']")


def kiosk_lookup(page, base: str, id_number: str, surname: str) -> None:
    page.goto(base + "/kiosk/lishu/home")
    with page.expect_navigation():
        page.tap("a.tile-lookup")
    type_on_keypad(page, id_number)
    page.tap(f".surname-keys [data-surname='{surname}']")
    with page.expect_navigation():
        page.tap("button.lookup-go")


def visible_text(page) -> str:
    return page.inner_text("main")


@pytest.mark.parametrize("viewport, name", [(PORTRAIT, "portrait"), (LANDSCAPE, "landscape")])
def test_kiosk_lookup_by_keypad(site, published, open_tab, viewport, name):
    base = site["url"]
    tab = open_tab(viewport)
    page = tab.page
    page.goto(base + "/kiosk/lishu/home")
    shot(page, f"lookup-kiosk-home-{name}")
    with page.expect_navigation():
        page.tap("a.tile-lookup")
    assert page.get_attribute("#id_number", "inputmode") == "none"
    type_on_keypad(page, ZHANG[:10])
    assert "还差8位" in page.inner_text("[data-id-hint]")
    type_on_keypad(page, ZHANG[10:])
    page.tap(".more-surnames summary")  # a surname by its pinyin letter: Z shows 张, 赵, 周 …
    page.tap(".letter-keys [data-letter='Z']")
    assert page.is_visible(".letter-group[data-letter-group='Z'] [data-surname='赵']")
    assert not page.is_visible(".letter-group[data-letter-group='W'] [data-surname='王']")
    shot(page, f"lookup-kiosk-letters-{name}", full_page=True)
    page.tap(".more-surnames summary")
    page.tap(".surname-keys [data-surname='张']")
    assert "已输完" in page.inner_text("[data-id-hint]")
    shot(page, f"lookup-kiosk-form-{name}")
    assert serious(page) == []
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.id-keypad .key')).fontSize)") >= 40
    with page.expect_navigation():
        page.tap("button.lookup-go")
    text = visible_text(page)
    assert "张*兰：共领取2笔，合计1,023.55元" in text, text
    for words in ("2026年", "2025年", "耕地地力保护补贴", "643.55元", "城乡低保", "380.00元", "梨树村第2村民小组",
                  "公示中", "全家2人", "这一笔有疑问"):
        assert words in text, words
    html = page.content()
    assert ZHANG not in html and privacy.mask_id(ZHANG) not in html and not privacy.ID_PATTERN.search(html)
    assert ZHANG not in page.url and "id_number" not in page.url
    stored = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    assert ZHANG not in stored and ZHANG[-6:] not in stored
    shot(page, f"lookup-kiosk-result-{name}")
    assert serious(page) == []
    shot(page, f"lookup-kiosk-result-{name}-full", full_page=True)
    assert not [c for c in tab.console if "error" in c.lower()], tab.console
    # 首页 clears the result; going back does not bring it (or the number) again.
    with page.expect_navigation():
        page.tap(".topbar .home")
    try:
        page.go_back(wait_until="load")
    except Exception:  # noqa: BLE001 - a refused resubmission is fine too
        pass
    page.wait_for_timeout(500)
    page.wait_for_load_state()
    assert "共领取" not in page.content(), page.url


def test_kiosk_result_clears_itself_when_idle(site, published, open_tab):
    page = open_tab(PORTRAIT).page
    kiosk_lookup(page, site["url"], ZHANG, "张")
    assert "共领取" in visible_text(page)
    deadline = time.time() + 15  # LOOKUP_IDLE_SECONDS is 4 in this app
    while time.time() < deadline and "/lookup" in page.url:
        page.wait_for_timeout(250)
    assert page.url.endswith("/kiosk/lishu"), page.url
    assert "共领取" not in page.content()


def test_service_worker_keeps_no_lookup(site, published, browser):
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="zh-CN", service_workers="allow")
    page = context.new_page()
    try:
        page.goto(site["url"] + "/kiosk/lishu/home")
        for _ in range(40):  # wait for the worker to control the page (polled from Python: CSP forbids eval)
            if page.evaluate("() => !!navigator.serviceWorker.controller"):
                break
            page.wait_for_timeout(250)
            page.reload()
        assert page.evaluate("() => !!navigator.serviceWorker.controller")
        kiosk_lookup(page, site["url"], ZHANG, "张")
        assert "共领取" in visible_text(page)
        page.goto(site["url"] + "/kiosk/lishu/home")
        kept = page.evaluate("""async () => {
            const out = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const response = await cache.match(request);
                    out.push(request.url + "\\n" + (await response.text()));
                }
            }
            return out.join("\\n----\\n");
        }""")
        assert "/kiosk/lishu/home" in kept  # the worker does keep ordinary pages
        assert "共领取" not in kept and ZHANG not in kept and "/kiosk/lishu/lookup\n" not in kept
    finally:
        context.close()


def phone_lookup(page, base: str, id_number: str, name: str) -> int:
    page.fill("#id_number", id_number)
    page.fill("#name", name)
    with page.expect_navigation() as navigation:
        page.click("button.lookup-go")
    return navigation.value.status


def test_phone_lookup_and_no_oracle(site, published, open_tab):
    base = site["url"]
    page = open_tab(PHONE).page
    page.goto(base + "/m/lishu")
    with page.expect_navigation():
        page.click("a.tile-lookup")
    assert "/m/lookup?code=lishu" in page.url
    shot(page, "lookup-phone-form")
    phone_lookup(page, base, " ".join([ZHANG[:6], ZHANG[6:14], ZHANG[14:]]).lower(), "张桂兰")
    text = visible_text(page)
    assert "张*兰：共领取2笔，合计1,023.55元" in text and "643.55元" in text and "380.00元" in text
    assert ZHANG not in page.content()
    shot(page, "lookup-phone-result", full_page=True)
    assert serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    with page.expect_navigation():
        page.click("a:has-text('看这份公示') >> nth=0")
    assert "/m/notice/" in page.url
    # A wrong surname and an ID never paid: the very same 没有找到 page.
    page.goto(base + "/m/lookup?code=lishu")
    phone_lookup(page, base, ZHANG, "王")
    wrong_name = visible_text(page)
    page.goto(base + "/m/lookup?code=lishu")
    phone_lookup(page, base, NOBODY, "张")
    no_payments = visible_text(page)
    assert "没有找到" in wrong_name and wrong_name == no_payments
    shot(page, "lookup-phone-not-found")


def test_slip_pdf_is_masked(site, published, open_tab):
    page = open_tab(PORTRAIT).page
    kiosk_lookup(page, site["url"], ZHANG, "张")
    form = {"token": page.get_attribute(".slip-form input[name=token]", "value"),
            "csrf_token": page.get_attribute(".slip-form input[name=csrf_token]", "value")}
    response = page.request.post(site["url"] + "/kiosk/lishu/lookup/slip", form=form)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "张*兰" in text and "1,023.55" in text and "梨树村" in text
    assert not privacy.ID_PATTERN.search(text) and privacy.mask_id(ZHANG) not in text and "张桂兰" not in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-", str(SHOTS / "lookup-slip")], input=data,
                   check=True)


def test_eleventh_lookup_from_one_address_gets_chinese_429(site, published, open_tab):
    limited = make_app(site["db_url"], Path(site["folder"]) / "limited", WTF_CSRF_ENABLED=True,
                       SESSION_COOKIE_SECURE=False, RATELIMIT_ENABLED=True, LOOKUP_MIN_SECONDS=0)
    server = Server(limited)
    try:
        page = open_tab(PHONE).page
        for n in range(11):
            page.goto(server.url + "/m/lookup?code=lishu")
            status = phone_lookup(page, server.url, NOBODY, "张")
            assert status == (429 if n == 10 else 200), n
            if n < 10:
                assert "没有找到" in visible_text(page), n
        text = visible_text(page)
        assert "查询太频繁了，请过10分钟再查" in text
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        shot(page, "lookup-phone-429")
    finally:
        server.stop()
        with limited.app_context():
            db.engine.dispose()
