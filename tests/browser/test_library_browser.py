"""The library and the keyword search in a real Chromium: a village clerk
enters a document through the staff form, a villager finds it on the kiosk by
touch only; on the kiosk a common-word button finds a ledger line; on the
phone the text box does."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from .conftest import LANDSCAPE, PHONE, PORTRAIT, log_in, shot
from .test_kiosk_browser import serious

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}


def test_clerk_enters_a_document_and_the_kiosk_shows_it(open_tab, staff_server) -> None:  # noqa: ANN001
    staff = open_tab(DESKTOP).page
    log_in(staff, staff_server.url, "clerk-dongfeng")
    staff.get_by_role("link", name="文件库").click()
    staff.get_by_role("link", name="录入文件").click()
    staff.get_by_label("类别").select_option("财务管理制度")
    staff.get_by_label("文件名称").fill("东风村财务公开实施细则")
    staff.get_by_label("生效日期").fill("2026-01-01")
    staff.get_by_label("正文").fill("第一条 每季度首月十五日前公开上季度财务收支。\n第二条 单笔支出超过5000元的附凭证照片。")
    staff.get_by_role("button", name="保存并公开").click()
    staff.wait_for_url(re.compile(r"/admin/library/\d+$"))
    assert "已录入《东风村财务公开实施细则》" in staff.inner_text("main")
    assert "有效" in staff.inner_text(".facts")

    kiosk = open_tab(PORTRAIT).page
    kiosk.goto(staff_server.url + "/kiosk/dongfeng/home")
    kiosk.tap("text=村规民约和制度")
    kiosk.wait_for_url("**/kiosk/dongfeng/library")
    kiosk.tap("text=东风村财务公开实施细则")
    kiosk.wait_for_url(re.compile(r"/kiosk/doc/\d+\?v=dongfeng$"))
    body = kiosk.locator(".doc-body")
    assert "每季度首月十五日前公开上季度财务收支" in body.inner_text()
    assert float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 24  # large type on the kiosk
    shot(kiosk, "library-document-kiosk")
    kiosk.tap("text=返回")
    kiosk.wait_for_url("**/kiosk/dongfeng/library")
    # The revised 村规民约 of the demo names its new version.
    assert "已修订" in kiosk.inner_text("main")


def test_kiosk_word_button_finds_a_ledger_line(open_tab, server) -> None:  # noqa: ANN001
    tab = open_tab(LANDSCAPE)
    page = tab.page
    page.goto(server.url + "/kiosk/dongfeng/home")
    page.tap(".library-links >> text=查找")
    page.wait_for_url("**/kiosk/dongfeng/search")
    assert page.locator("input").count() == 0  # no system keyboard
    page.tap(".pick >> text=电费")
    page.wait_for_url(re.compile(r"/kiosk/dongfeng/search\?q="))
    results = page.locator(".search-results")
    assert re.search(r"“电费”找到\d+条", results.inner_text())
    shot(page, "search-kiosk")
    page.tap(".search-results >> text=村部电费 >> nth=0")
    page.wait_for_url(re.compile(r"/kiosk/line/\d+$"))
    assert "村部电费" in page.inner_text("main")
    assert not [c for c in tab.console if c.startswith(("error", "pageerror"))]


def test_phone_search_box(open_tab, server) -> None:  # noqa: ANN001
    page = open_tab(PHONE).page
    page.goto(server.url + "/m/dongfeng/search")
    page.get_by_label("输入要找的字词").fill("茶园承包费")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"/m/dongfeng/search\?q="))
    assert "收取茶园承包费" in page.inner_text(".search-results")
    shot(page, "search-phone", full_page=True)


def _shown_page(page) -> int:  # noqa: ANN001
    """The natural width of the page picture once Chromium has loaded it (0: not loaded)."""
    image = page.get_by_test_id("page-image")
    page.wait_for_load_state("networkidle")
    return int(image.evaluate("img => img.complete ? img.naturalWidth : 0"))


def test_villager_pages_through_a_pdf_document_on_the_kiosk(open_tab, staff_server, tmp_path) -> None:  # noqa: ANN001
    """A clerk uploads a two-page scan (PDF only, no text); a villager opens it
    on the kiosk by touch, reads page 1 as a picture, goes to page 2 and back to the library."""
    from tests.helpers.attachment_files import pdf_bytes

    scan = tmp_path / "村务公开栏管理办法.pdf"
    scan.write_bytes(pdf_bytes(2))
    staff = open_tab(DESKTOP).page
    log_in(staff, staff_server.url, "clerk-dongfeng")
    staff.goto(staff_server.url + "/admin/library/new")
    staff.get_by_label("类别").select_option("其他")
    staff.get_by_label("文件名称").fill("东风村村务公开栏管理办法")
    staff.get_by_label("生效日期").fill("2026-01-01")
    staff.get_by_label("PDF原件（可选）").set_input_files(str(scan))
    staff.get_by_role("button", name="保存并公开").click()
    staff.wait_for_url(re.compile(r"/admin/library/\d+$"))
    assert "已录入《东风村村务公开栏管理办法》" in staff.inner_text("main")

    tab = open_tab(PORTRAIT)
    kiosk = tab.page
    kiosk.goto(staff_server.url + "/kiosk/dongfeng/library")
    kiosk.tap("text=东风村村务公开栏管理办法")
    kiosk.wait_for_url(re.compile(r"/kiosk/doc/\d+\?v=dongfeng$"))
    kiosk_url = urlsplit(kiosk.url)._replace(scheme="", netloc="").geturl()
    assert kiosk.get_by_test_id("page-count").inner_text() == "第1页，共2页"
    assert "第1页" in kiosk.get_by_test_id("page-image").get_attribute("alt")
    assert _shown_page(kiosk) > 500
    assert kiosk.get_by_test_id("page-prev").count() == 0
    assert kiosk.get_by_test_id("page-next").is_visible()  # the pager is on the first screen, no scrolling
    nxt = kiosk.get_by_test_id("page-next")
    assert nxt.bounding_box()["height"] >= 64  # a big target for a finger
    shot(kiosk, "library-pdf-kiosk-page1")
    with kiosk.expect_navigation():
        nxt.tap()
    assert re.search(r"/kiosk/doc/\d+\?v=dongfeng&page=2#pages$", kiosk.url)
    assert kiosk.get_by_test_id("page-count").inner_text() == "第2页，共2页"
    assert "第2页" in kiosk.get_by_test_id("page-image").get_attribute("alt")
    assert _shown_page(kiosk) > 500
    assert kiosk.get_by_test_id("page-next").count() == 0
    prev = kiosk.get_by_test_id("page-prev")
    top = kiosk.evaluate("() => document.querySelector('.topbar').getBoundingClientRect().bottom")
    assert prev.bounding_box()["y"] >= top  # #pages lands below the sticky top bar, not under it
    shot(kiosk, "library-pdf-kiosk-page2")
    assert serious(kiosk) == []  # axe: the pager, the hidden placeholder and the picture region
    back = kiosk.get_by_test_id("document-back")
    back.scroll_into_view_if_needed()
    with kiosk.expect_navigation():
        back.tap()
    assert kiosk.url.endswith("/kiosk/dongfeng/library")
    assert "东风村村务公开栏管理办法" in kiosk.inner_text("main")
    assert not [c for c in tab.console if c.startswith(("error", "pageerror"))]
    assert tab.hosts() == {urlsplit(staff_server.url).netloc}  # nothing from outside

    phone = open_tab(PHONE).page  # the phone: the same pages, and the PDF to take home
    phone.goto(staff_server.url + kiosk_url.replace("/kiosk/", "/m/", 1))
    assert _shown_page(phone) > 500 and phone.get_by_text("查看PDF原件（共2页）").is_visible()
    shot(phone, "library-pdf-phone", full_page=True)
