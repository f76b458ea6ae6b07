"""A kiosk has no address bar and no keyboard: walk it in Chromium, in both
orientations, tapping every link and button of every screen, and check that
each tap ends on a kiosk page (inside /kiosk/, an HTML page, never a PDF
viewer or a bare JPEG) with 返回 or 首页; that the idle timer brings every
screen, even those without a village (ticket lookup, error pages), home to
that village's attract screen; that 我有疑问 asks before it files; that 朗读
never shows without a Chinese voice; and that keypads do not reload the page.

The walk files a question, so it runs on its own copy of the demo township."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask

from disclosure.extensions import db
from tests.conftest import demo_township

from .conftest import LANDSCAPE, PHONE, PORTRAIT, Server, idle_twin, serve, shot

pytestmark = pytest.mark.browser

#: Screens walked per orientation at most (a screen is a page pattern).
MAX_SCREENS = 60


@pytest.fixture(scope="module")
def walk_app(worker_dir) -> Iterator[Flask]:
    app = demo_township("board_walk", worker_dir)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def walk_server(walk_app: Flask) -> Iterator[Server]:
    with serve(walk_app) as s:
        yield s


@pytest.fixture(scope="module")
def walk_idle_server(walk_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(idle_twin(walk_app, tmp_path_factory.mktemp("walk-idle"))) as s:
        yield s


# What a kiosk screen must be --------------------------------------------------

def pattern(url: str) -> str:
    """A link's target with ids and typed values left out: /kiosk/line/N?q."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


SCREEN_JS = """() => {
  const q = (s) => document.querySelector(s) !== null;
  return [document.body.dataset.page || '',
          q('table.roster') ? 'roster' : q('table.ledger') ? 'ledger' : q('.project-card') ? 'project'
            : q('table.assets') ? 'assets' : '',
          (document.querySelector('.status .pill') || {className: ''}).className,
          q('.ask-box') ? 'ask' : '', q('.vouchers') ? 'photos' : ''].join('|');
}"""


def screen_key(page) -> str:
    return pattern(page.url) + "#" + page.evaluate(SCREEN_JS)


def assert_kiosk_screen(page, base: str, came_from: str) -> None:
    where = f"{page.url} (from {came_from})"
    assert page.url.startswith(base + "/kiosk/"), where
    assert page.evaluate("document.contentType") == "text/html", where  # no PDF viewer, no bare JPEG
    assert page.locator("html").get_attribute("lang") == "zh-CN", where
    text = page.locator("body").inner_text()
    assert "Werkzeug" not in text and "Not Found" not in text and "Internal Server Error" not in text, where
    if page.locator("body").get_attribute("data-page") == "attract":
        assert page.locator(".attract").is_visible(), where  # the whole screen leads home
        return
    nav = [t for t in page.locator(".topbar .nav").all_inner_texts() if "返回" in t or "首页" in t]
    assert nav, f"no 返回/首页 on {where}"
    assert page.locator(".topbar .nav.home").is_visible(), where


def wait_settled(page, before: str, href: str) -> None:
    """After a tap: a navigation, or an in-place keypad swap that rewrites the URL."""
    deadline = time.monotonic() + 30  # a print preview renders its PDF the first time
    while page.url == before and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_load_state("load")
    for _ in range(3):  # a redirect may still be on its way
        try:
            page.evaluate("document.readyState")
            return
        except Exception:  # noqa: BLE001 - the context was replaced by the navigation
            page.wait_for_load_state("load")


def visible_links(page) -> list[tuple[int, str]]:
    hrefs = page.locator("a[href]").evaluate_all(
        "els => els.map(e => [e.href, !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)])")
    return [(i, href) for i, (href, shown) in enumerate(hrefs) if shown]


def walk(page, base: str, starts: list[str]) -> dict[str, str]:
    """Breadth-first over the screens of one village (a screen is a page
    pattern and its kind). Every link target pattern is tapped once, from
    the first screen that shows it, and its landing checked; every other link
    must point inside /kiosk/ at a pattern that was tapped. Every button of
    every screen is tapped. Returns {screen: url}."""
    screens: dict[str, str] = {}
    queue = [base + s for s in starts]
    tapped: set[str] = set()
    untapped_links: list[tuple[str, str]] = []
    village = urlsplit(queue[0]).path.split("/")[2]
    ours = re.compile(rf"^/kiosk/({village}(/|$)|notice/|line/|voucher/|ticket)")
    while queue and len(screens) < MAX_SCREENS:
        url = queue.pop(0)
        page.goto(url)
        assert_kiosk_screen(page, base, url)
        key = screen_key(page)
        if key in screens:
            continue
        screens[key] = url
        for index, href in visible_links(page):
            if pattern(href) in tapped:
                untapped_links.append((url, href))
                continue
            tapped.add(pattern(href))
            if page.url != url:
                page.goto(url)
            link = page.locator("a[href]").nth(index)
            before = page.url
            link.scroll_into_view_if_needed()
            link.tap()
            wait_settled(page, before, href)
            assert_kiosk_screen(page, base, f"{url} → {href}")
            if ours.match(urlsplit(page.url).path) and page.url not in queue:
                queue.append(page.url)
        if page.url != url:
            page.goto(url)
        buttons = page.locator("button:visible")
        for i in range(buttons.count()):
            button = buttons.nth(i)
            if button.get_attribute("type") == "submit" or button.is_disabled():
                continue  # submitting is the confirm step's own test
            button.tap()
            page.wait_for_timeout(30)
            assert page.url == url, f"button {button.inner_text()!r} left {url}"
            assert_kiosk_screen(page, base, f"{url} button {button.inner_text()!r}")
        page.evaluate("sessionStorage.clear()")  # font and colour taps do not carry over
    assert len(screens) < MAX_SCREENS, "the walk did not finish"
    for url, href in untapped_links:  # the same kind of link, tapped elsewhere
        assert urlsplit(href).path.startswith("/kiosk/") and pattern(href) in tapped, (url, href)
    return screens


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_kiosk_walk_every_tap_ends_on_a_kiosk_page(walk_server, walk_app, open_tab, orientation):
    from sqlalchemy import select

    from disclosure.models import VoucherImage

    with walk_app.app_context():  # a line with a receipt photo, so the walk meets one
        photo = db.session.execute(select(VoucherImage).where(VoucherImage.is_public)).scalars().first()
        line_id = photo.line_id
        db.session.remove()
    starts = ["/kiosk/dongfeng", f"/kiosk/line/{line_id}", "/kiosk/ticket", "/kiosk/notice/999999",
              "/kiosk/dongfeng/finance/1999-01"]
    tab = open_tab(LANDSCAPE if orientation == "landscape" else PORTRAIT)
    page = tab.page
    screens = walk(page, walk_server.url, starts)
    kinds = {key.split("#")[0] for key in screens}
    # The walk reached every kind of kiosk screen from the attract screen by tapping alone.
    for expected in ("/kiosk/dongfeng/home", "/kiosk/dongfeng/finance", "/kiosk/line/N", "/kiosk/voucher/N",
                     "/kiosk/notice/N", "/kiosk/notice/N/print", "/kiosk/notice/N/question?concern",
                     "/kiosk/ticket?n", "/kiosk/dongfeng/projects", "/kiosk/dongfeng/c/subsidy"):
        assert expected in kinds, f"{expected} never reached; walked {sorted(kinds)}"
    assert tab.hosts() == {walk_server.url.split("//")[1]}
    assert not [m for m in tab.console if "Content Security Policy" in m or "pageerror" in m]


def test_question_confirm_then_one_qr_that_opens_the_ticket(walk_server, open_tab):
    import zxingcpp
    from PIL import Image

    page = open_tab(PORTRAIT).page
    base = walk_server.url
    page.goto(base + "/kiosk/dongfeng/c/assistance")
    with page.expect_navigation():
        page.locator(".row-link").first.tap()
    notice_url = page.url
    page.locator(".concerns .btn", has_text="看不懂").tap()
    page.wait_for_url(re.compile(r"/question\?concern="))
    assert page.locator("h1").inner_text() == "确认提交这个问题吗？"
    shot(page, "kiosk-portrait-question-confirm")
    page.get_by_role("link", name="不提交，回到公示").tap()
    page.wait_for_url(notice_url)
    page.locator(".concerns .btn", has_text="看不懂").tap()
    page.wait_for_url(re.compile(r"/question\?concern="))
    page.get_by_role("button", name="确认提交").tap()
    page.wait_for_selector(".ticket-no")
    ticket = page.locator(".ticket-no").inner_text()
    assert page.locator("svg").count() == 1  # one QR code (no phone QR in the toolbar here)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator(".ask-qr svg").screenshot())))
    digits = ticket[1:].replace("-", "")
    assert [r.text for r in found] == [f"{base}/m/ticket?no={ticket}"] or \
        [r.text for r in found] == [f"{base}/m/ticket?no={digits}"]
    assert "查看这个编号的答复" in page.locator(".ask-qr").inner_text() or "答复" in page.locator(".ask-qr p").inner_text()
    shot(page, "kiosk-portrait-question-done")
    page.goto(found[0].text)  # the phone page the QR promises
    assert ticket in page.locator("main").inner_text()
    assert page.locator(".topbar .nav", has_text="首页").count() == 1


@pytest.mark.parametrize("path", ["/kiosk/ticket", "/kiosk/notice/999999", "/kiosk/hongqi/finance/1999-01",
                                  "/kiosk/hongqi/finance", "/kiosk/"])
def test_idle_from_any_screen_returns_to_that_villages_attract(walk_idle_server, open_tab, path):
    page = open_tab(LANDSCAPE).page
    page.goto(walk_idle_server.url + "/kiosk/hongqi/home")  # this kiosk stands in 红旗村
    page.wait_for_url(re.compile(r"/kiosk/hongqi$"), timeout=8000)  # idle from home too
    page.goto(walk_idle_server.url + path)
    page.wait_for_url(re.compile(r"/kiosk/hongqi$"), timeout=8000)
    assert page.locator("body").get_attribute("data-page") == "attract"


def test_home_link_without_a_village_leads_to_the_kiosks_village(walk_server, open_tab):
    page = open_tab(LANDSCAPE).page
    page.goto(walk_server.url + "/kiosk/shiqiao/home")
    for path in ("/kiosk/ticket", "/kiosk/notice/999999"):
        page.goto(walk_server.url + path)
        page.locator(".topbar .nav.home").tap()
        page.wait_for_url(re.compile(r"/kiosk/shiqiao/home$"))


def test_speak_hidden_without_chinese_voice_and_never_stuck(walk_server, open_tab):
    page = open_tab(LANDSCAPE).page
    page.goto(walk_server.url + "/kiosk/dongfeng/home")
    speak = page.locator('[data-action="speak"]')
    assert page.evaluate("speechSynthesis.getVoices().filter(v => /^zh/i.test(v.lang)).length") == 0
    assert speak.count() == 1 and not speak.is_visible()
    assert speak.evaluate("b => getComputedStyle(b).display") == "none"
    # A tap that reaches it anyway (a voice that went away) leaves it unpressed.
    speak.evaluate("b => { b.hidden = false; b.click(); }")
    assert speak.get_attribute("aria-pressed") == "false"
    assert not speak.is_visible()


def test_keypad_swaps_in_place_without_reload_or_jump(walk_server, open_tab, walk_app):
    from sqlalchemy import select

    from disclosure.models import Notice

    with walk_app.app_context():
        notice_id = db.session.execute(select(Notice.id).where(Notice.roster_kind == "gengdi")).scalars().first()
        db.session.remove()
    for viewport in (LANDSCAPE, PORTRAIT):
        page = open_tab(viewport).page
        page.goto(f"{walk_server.url}/kiosk/notice/{notice_id}")
        page.evaluate("window.kioskMarker = 'same page'")
        key = page.locator('.key[data-key="Z"]')
        key.evaluate("k => k.scrollIntoView({block: 'center'})")  # clear of both sticky bars
        top = key.bounding_box()["y"]
        key.tap()
        page.wait_for_url(re.compile(r"q=Z"))
        page.wait_for_selector('[data-testid="typed"]:has-text("Z")')
        assert page.evaluate("window.kioskMarker") == "same page"  # no reload
        bar = page.locator(".topbar").bounding_box()
        after = page.locator('.key[data-key="Z"]').bounding_box()["y"]
        assert abs(after - top) < 2 and after > bar["y"] + bar["height"]  # no jump under the sticky bar
        page.locator('.key[data-key="clear"]').tap()
        page.wait_for_selector('[data-testid="typed"]:has-text("还没有输入")')
        assert page.evaluate("window.kioskMarker") == "same page"
        # the digit keypad of the ticket lookup too
        page.goto(f"{walk_server.url}/kiosk/ticket?n={notice_id}")
        page.evaluate("window.kioskMarker = 'same page'")
        page.locator(".ticket-keypad .key", has_text="2").first.tap()
        page.wait_for_url(re.compile(r"typed=2"))
        assert page.evaluate("window.kioskMarker") == "same page"
        assert page.locator(".topbar .nav.back").get_attribute("href") == f"/kiosk/notice/{notice_id}"


#: Names, groups, dates and amounts whose text wraps onto a second line.
BROKEN_TERMS = """() => [...document.querySelectorAll(
    'td.name, td.group, td.date, td.amount, .tile-name, .tile-meta .date, .figures strong, .phone-no')]
  .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                 const rects = [...r.getClientRects()].filter(x => x.width > 0);
                 return rects.some(x => rects.some(y => y.top >= x.bottom - 2)); })
  .map(e => e.textContent.trim())"""


@pytest.mark.parametrize("face", ["kiosk-landscape", "kiosk-portrait", "phone"])
def test_changed_screens_screenshotted(walk_server, walk_app, open_tab, face):
    """Screens this change made or reshaped, for a person to look at."""
    from sqlalchemy import select

    from disclosure.models import Notice, VoucherImage

    with walk_app.app_context():
        voucher_id = db.session.execute(select(VoucherImage.id).where(VoucherImage.is_public)).scalars().first()
        finance_id = db.session.execute(select(Notice.id).where(Notice.category == "finance")
                                        .order_by(Notice.id.desc())).scalars().first()
        roster_id = db.session.execute(select(Notice.id).where(Notice.roster_kind == "dibao")).scalars().first()
        assets_id = db.session.execute(select(Notice.id).where(Notice.category == "assets")).scalars().first()
        db.session.remove()
    viewport = {"kiosk-landscape": LANDSCAPE, "kiosk-portrait": PORTRAIT, "phone": PHONE}[face]
    prefix = "/m" if face == "phone" else "/kiosk"
    paths = {"home": f"{prefix}/dongfeng" if face == "phone" else "/kiosk/dongfeng/home",
             "projects": f"{prefix}/dongfeng/projects", "voucher": f"{prefix}/voucher/{voucher_id}",
             "ticket": f"{prefix}/ticket", "error-404": f"{prefix}/notice/999999",
             "roster": f"{prefix}/notice/{roster_id}", "assets": f"{prefix}/notice/{assets_id}",
             "finance": f"{prefix}/dongfeng/finance"}
    if face != "phone":
        paths["print"] = f"/kiosk/notice/{finance_id}/print"
    page = open_tab(viewport).page
    for name, path in paths.items():
        page.goto(walk_server.url + path)
        shot(page, f"walk-{face}-{name}")
        if name == "print":  # the QR code takes the real PDF home
            import zxingcpp
            from PIL import Image

            found = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator(".print-take svg").screenshot())))
            assert [r.text for r in found] == [f"{walk_server.url}/p/{finance_id}.pdf"]
        assert page.evaluate(BROKEN_TERMS) == [], f"split across lines on {path}"
        if face == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, path
            assert page.locator(".topbar .nav", has_text="首页").count() == 1, path
    if face != "phone":  # the biggest type, portrait and landscape: terms kept whole, toolbar one row
        page.evaluate("sessionStorage.setItem('kiosk-fs', '3')")
        for name in ("home", "finance", "roster"):
            page.goto(walk_server.url + paths[name])
            shot(page, f"walk-{face}-{name}-a3")
            assert page.evaluate(BROKEN_TERMS) == [], f"split across lines at A++ on {name}"
            buttons = page.locator(".toolbar .btn:visible").evaluate_all(
                "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
            assert len(set(buttons)) == 1, f"toolbar wraps at A++ on {name}"
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


def test_offline_page_never_saved_still_leads_home(walk_server, open_tab):
    tab = open_tab(LANDSCAPE, service_workers="allow")
    page = tab.page
    page.goto(walk_server.url + "/kiosk/dongfeng/home")
    deadline = time.monotonic() + 10  # polled from Python: the CSP refuses wait_for_function's eval
    while not page.evaluate("!!(navigator.serviceWorker && navigator.serviceWorker.controller)"):
        assert time.monotonic() < deadline, "the service worker never took control of the page"
        page.wait_for_timeout(200)
        if not page.evaluate("!!navigator.serviceWorker.controller"):
            page.reload()
    page.context.set_offline(True)
    try:
        page.goto(walk_server.url + "/kiosk/line/987654")
        assert page.locator("h1").inner_text() == "网络中断"
        home = page.locator(".topbar .nav.home")
        assert home.get_attribute("href") == "/kiosk/dongfeng/home"
        assert page.locator("html").get_attribute("lang") == "zh-CN"
    finally:
        page.context.set_offline(False)
