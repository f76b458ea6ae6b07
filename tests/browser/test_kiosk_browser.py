"""The kiosk and phone pages in a real headless Chromium: the villager's
path (attract → home → finance → a month → its lines), the pinyin keypad,
idle reset, display settings, the notice QR code, accessibility (axe-core),
no foreign hosts, CSP, and screenshots in both orientations and on a phone."""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import select

from disclosure import pinyin, public
from disclosure.extensions import db
from disclosure.models import CURRENT_STATUSES, Notice, RosterLine, Village, VoucherImage

from .conftest import LANDSCAPE, PHONE, PORTRAIT, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ids(demo_app) -> dict:
    """Notice ids of every kind of page in the demo, and a roster person."""
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        found = {}
        for n in public.published_notices(village):
            key = n.roster_kind or n.category
            if n.status in CURRENT_STATUSES:
                found.setdefault(key, n.id)
            else:
                found.setdefault(n.status.value, n.id)
        hongqi = db.session.execute(select(Village).where(Village.code == "hongqi")).scalar_one()
        withdrawn = [n.id for n in public.published_notices(hongqi) if n.status.value == "withdrawn"]
        found["withdrawn"] = withdrawn[0]
        roster = db.session.get(Notice, found["gengdi"])
        person = next(line for line in roster.roster_lines if len(line.name) == 3)
        found["person"] = {"initials": pinyin.initials(person.name).split()[0], "public_name": person.public_name,
                           "seq": person.seq, "group_no": person.group_no}
        line = next(n for n in db.session.get(Notice, found["finance"]).ledger_lines)
        found["line"] = line.id
        found["voucher"] = db.session.execute(select(VoucherImage.id).where(VoucherImage.is_public)).scalars().first()
        found["month"] = f"{line.occurred_on:%Y-%m}"
        db.session.remove()
        return found


def kiosk_paths(ids: dict) -> dict[str, str]:
    return {
        "villages": "/kiosk/",
        "attract": "/kiosk/dongfeng",
        "home": "/kiosk/dongfeng/home",
        "finance": "/kiosk/dongfeng/finance",
        "finance-year": "/kiosk/dongfeng/finance?view=year",
        "finance-month": f"/kiosk/dongfeng/finance/{ids['month']}",
        "line": f"/kiosk/line/{ids['line']}",
        "subsidy": "/kiosk/dongfeng/c/subsidy",
        "assistance": "/kiosk/dongfeng/c/assistance",
        "projects": "/kiosk/dongfeng/projects",
        "notice-finance": f"/kiosk/notice/{ids['finance']}",
        "notice-roster": f"/kiosk/notice/{ids['gengdi']}",
        "notice-dibao": f"/kiosk/notice/{ids['dibao']}",
        "notice-superseded": f"/kiosk/notice/{ids['superseded']}",
        "notice-withdrawn": f"/kiosk/notice/{ids['withdrawn']}",
        "notice-assets": f"/kiosk/notice/{ids['assets']}",
        "notice-project": f"/kiosk/notice/{ids['project']}",
        "voucher": f"/kiosk/voucher/{ids['voucher']}",
        "ticket": "/kiosk/ticket",
        "print": f"/kiosk/notice/{ids['finance']}/print",
    }


def phone_paths(ids: dict) -> dict[str, str]:
    paths = {name: path.replace("/kiosk/", "/m/") for name, path in kiosk_paths(ids).items()
             if name not in ("attract", "print")}
    paths["home"] = "/m/dongfeng"
    return paths


def tap_key(page, locator) -> None:
    """A keypad key: kiosk.js swaps the keypad block in place and rewrites the URL."""
    before = page.url
    locator.tap()
    deadline = time.monotonic() + 5
    while page.url == before and time.monotonic() < deadline:
        page.wait_for_timeout(30)


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×) {v['nodes'][0]['target']}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_villager_path_attract_home_finance_month_lines(server, open_tab, ids):
    tab = open_tab(PORTRAIT)
    page = tab.page
    response = page.goto(server.url + "/kiosk/dongfeng")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator(".attract-touch").inner_text() == "点击屏幕查看"
    page.tap(".attract")
    page.wait_for_url(re.compile(r"/kiosk/dongfeng/home$"))
    assert page.locator(".tile-finance .tile-name").inner_text() == "财务公开"
    page.tap(".tile-finance")
    page.wait_for_url(re.compile(r"/kiosk/dongfeng/finance$"))
    sentence = page.get_by_test_id("sentence").inner_text()
    assert sentence.startswith("本季度") or "季度" in sentence
    assert "收入" in sentence and "支出" in sentence
    assert page.locator("svg.chart").count() == 3
    month = page.locator(".month-link").first
    key = month.get_attribute("data-month")
    month.tap()
    page.wait_for_url(re.compile(rf"/kiosk/dongfeng/finance/{key}$"))
    rows = page.locator("table.ledger tbody tr[data-fen]")
    assert rows.count() > 0
    income = sum(int(r.get_attribute("data-fen")) for r in rows.all() if r.get_attribute("data-direction") == "income")
    expense = sum(int(r.get_attribute("data-fen")) for r in rows.all() if r.get_attribute("data-direction") == "expense")
    total = page.locator("tr.total")
    assert int(total.get_attribute("data-income-fen")) == income
    assert int(total.get_attribute("data-expense-fen")) == expense
    page.locator(".line-link").first.tap()
    page.wait_for_url(re.compile(r"/kiosk/line/\d+$"))
    assert page.locator("h2", has_text="凭证照片").count() == 1
    page.tap(".topbar .back")
    page.wait_for_url(re.compile(rf"/kiosk/dongfeng/finance/{key}$"))
    assert tab.hosts() == {server.url.split("//")[1]}
    assert not [m for m in tab.console if "Content Security Policy" in m or "pageerror" in m]


def test_pinyin_keypad_finds_a_demo_name(server, open_tab, ids):
    person = ids["person"]
    tab = open_tab(LANDSCAPE)
    page = tab.page
    page.goto(f"{server.url}/kiosk/notice/{ids['gengdi']}")
    for letter in person["initials"]:
        tap_key(page, page.locator(f'.key[data-key="{letter}"]'))
    assert page.get_by_test_id("typed").inner_text().replace(" ", "") == person["initials"]
    names = page.locator("table.roster td.name").all_inner_texts()
    assert person["public_name"] in names
    assert "找到" in page.get_by_test_id("found").inner_text()
    tap_key(page, page.get_by_role("link", name=f"第{person['group_no']}组"))
    assert person["public_name"] in page.locator("table.roster td.name").all_inner_texts()
    tap_key(page, page.locator('.key[data-key="clear"]'))
    assert page.get_by_test_id("typed").inner_text() == "（还没有输入）"
    assert not re.search(r"\d{17}[\dXx]|\d{16,19}|1[3-9]\d{9}", page.content())


def test_font_size_and_eye_care_toggles(server, open_tab):
    tab = open_tab(LANDSCAPE)
    page = tab.page
    page.goto(server.url + "/kiosk/dongfeng/home")
    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")  # noqa: E731
    background = lambda: page.evaluate("getComputedStyle(document.body).backgroundColor")  # noqa: E731
    assert size() >= 24
    plain = background()
    page.locator('[data-action="font-up"]').tap()
    assert size() == 34
    page.locator('[data-action="font-up"]').tap()
    page.locator('[data-action="font-up"]').tap()
    assert size() == 40  # three sizes only
    page.locator('[data-action="font-down"]').tap()
    assert size() == 34
    page.locator('[data-action="eyecare"]').tap()
    assert page.locator('[data-action="eyecare"]').get_attribute("aria-pressed") == "true"
    assert background() != plain
    page.tap(".tile-finance")  # settings follow the visitor to the next screen
    page.wait_for_url(re.compile("/finance$"))
    assert size() == 34 and background() != plain
    shot(page, "kiosk-landscape-finance-eyecare-larger")
    for target in page.locator(".btn, .tile, .month-link, .key, .row-link").all():
        box = target.bounding_box()
        if box:
            assert box["height"] >= 64, target.inner_text()


def test_idle_returns_to_attract_and_forgets(idle_server, open_tab, ids):
    tab = open_tab(LANDSCAPE)
    page = tab.page
    page.goto(f"{idle_server.url}/kiosk/notice/{ids['gengdi']}?q=Z")
    assert page.locator("body").get_attribute("data-idle-seconds") == "2"
    page.locator('[data-action="font-up"]').tap()
    page.locator('[data-action="eyecare"]').tap()
    assert page.evaluate("document.documentElement.className").count("eyecare") == 1
    page.wait_for_url(re.compile(r"/kiosk/dongfeng$"), timeout=8000)
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 28
    assert "eyecare" not in page.evaluate("document.documentElement.className")
    page.tap(".attract")
    page.wait_for_url(re.compile("/home$"))
    assert "?q=" not in page.url


def test_notice_qr_decodes_to_its_phone_page(server, open_tab, ids):
    import zxingcpp
    from PIL import Image

    tab = open_tab(LANDSCAPE)
    page = tab.page
    page.goto(f"{server.url}/kiosk/notice/{ids['gengdi']}")
    png = page.locator(".notice-qr svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in found] == [f"{server.url}/m/notice/{ids['gengdi']}"]
    corner = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator(".phone-qr svg").screenshot())))
    assert [r.text for r in corner] == [f"{server.url}/m/notice/{ids['gengdi']}"]


def test_offline_shows_last_good_page_with_time(server, open_tab):
    tab = open_tab(LANDSCAPE, service_workers="allow")
    page = tab.page
    page.goto(server.url + "/kiosk/dongfeng/home")
    # Poll from Python: Playwright's wait_for_function evaluates its string with
    # eval() in the page, which our CSP (no 'unsafe-eval') rightly refuses.
    deadline = time.monotonic() + 10
    while not page.evaluate("!!(navigator.serviceWorker && navigator.serviceWorker.controller)"):
        assert time.monotonic() < deadline, "the service worker never took control of the page"
        page.wait_for_timeout(200)
        if not page.evaluate("!!navigator.serviceWorker.controller"):
            page.reload()
    page.goto(server.url + "/kiosk/dongfeng/home")  # fetched through the worker, so kept
    page.context.set_offline(True)
    try:
        page.reload()
        banner = page.locator("#offline-banner")
        assert banner.is_visible()
        assert re.fullmatch(r"网络中断，显示的是 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 的数据", banner.inner_text())
        assert page.locator(".tile-finance").count() == 1
    finally:
        page.context.set_offline(False)


@pytest.mark.parametrize("face", ["kiosk-landscape", "kiosk-portrait", "phone"])
def test_every_page_accessible_local_and_screenshotted(server, open_tab, ids, face):
    viewport = {"kiosk-landscape": LANDSCAPE, "kiosk-portrait": PORTRAIT, "phone": PHONE}[face]
    paths = phone_paths(ids) if face == "phone" else kiosk_paths(ids)
    tab = open_tab(viewport)
    page = tab.page
    problems = {}
    for name, path in paths.items():
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers.get("content-security-policy", "")
        shot(page, f"{face}-{name}")
        found = serious(page)
        if found:
            problems[path] = found
        if face != "phone":
            assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
        else:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, f"{path} scrolls sideways"
    assert problems == {}
    assert tab.hosts() == {server.url.split("//")[1]}
    assert not [m for m in tab.console if "Content Security Policy" in m or "Refused" in m or "pageerror" in m]
