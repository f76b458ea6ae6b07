"""Issue 14 §3 in a real Chromium: a clerk attaches meeting minutes (PDF)
and a drawing (PNG) to a draft and has a scripted PDF refused; the
supervisor, reviewing, makes the minutes public and leaves the drawing
private; once published, the kiosk lists only the minutes and shows its
pages as pictures, with a way back to the notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import Notice, Status, User
from disclosure.services import notices as notice_service
from tests.helpers.attachment_files import javascript_pdf, pdf_bytes, png_with_metadata

from .conftest import PORTRAIT, shot
from .test_staff_journeys import _user, desk, finance_notice, flash, go, open_notice

pytestmark = pytest.mark.browser


def _publish(app: Flask, notice_id: int) -> None:
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        assert notice.status == Status.APPROVED
        today = china_today()
        notice_service.publish(notice, _user("clerk-dongfeng"), today, periods.notice_end(today, 7), today=today)
        db.session.commit()
        db.session.remove()


def _rows(page) -> list[str]:  # noqa: ANN001
    return page.get_by_test_id("attachment-row").all_inner_texts()


def test_clerk_attaches_supervisor_marks_public_kiosk_shows_pages(
        open_tab, staff_server, staff_app, tmp_path: Path) -> None:  # noqa: ANN001
    title = "东风村财务收支公示（附件）"
    notice_id = finance_notice(staff_app, title, status=Status.DRAFT)
    minutes, drawing, scripted = tmp_path / "minutes.pdf", tmp_path / "drawing.png", tmp_path / "evil.pdf"
    minutes.write_bytes(pdf_bytes(2))
    drawing.write_bytes(png_with_metadata((800, 500)))
    scripted.write_bytes(javascript_pdf())

    # The clerk: two attachments on the draft, a scripted PDF refused, then 提交审核.
    tab = desk(open_tab, staff_server, "clerk-dongfeng")
    page = tab.page
    open_notice(page, title)
    section = page.locator("#attachments")
    section.get_by_label("附件名称").fill("村民代表会议纪要")
    section.get_by_label("文件（PDF 或 JPEG/PNG 图片，不超过10MB）").set_input_files(str(minutes))
    go(section.get_by_role("button", name="上传附件"))
    assert "附件《村民代表会议纪要》已上传（PDF，2页）" in flash(page)
    section = page.locator("#attachments")
    section.get_by_label("附件名称").fill("路灯安装图纸")
    section.get_by_label("文件（PDF 或 JPEG/PNG 图片，不超过10MB）").set_input_files(str(drawing))
    go(section.get_by_role("button", name="上传附件"))
    assert "图片已去除拍摄位置等隐藏信息" in flash(page)
    section = page.locator("#attachments")
    section.get_by_label("文件（PDF 或 JPEG/PNG 图片，不超过10MB）").set_input_files(str(scripted))
    go(section.get_by_role("button", name="上传附件"))
    assert "PDF 含有JavaScript 脚本，出于安全不能上传" in flash(page)
    rows = _rows(page)
    assert len(rows) == 2 and "村民代表会议纪要" in rows[0] and "PDF，2页" in rows[0] and "不公开" in rows[0]
    shot(page, "attachments-clerk-draft", full_page=True)
    go(page.get_by_role("button", name="提交审核"))

    # The supervisor, reviewing: the minutes public, the drawing stays private; 审核通过.
    tab = desk(open_tab, staff_server, "supervisor-dongfeng")
    page = tab.page
    open_notice(page, title)
    first = page.get_by_test_id("attachment-row").filter(has_text="村民代表会议纪要")
    go(first.get_by_role("button", name="设为公开"))
    assert "附件《村民代表会议纪要》已设为公开" in flash(page)
    assert page.get_by_test_id("attachment-row").filter(has_text="村民代表会议纪要") \
        .get_by_test_id("attachment-public").inner_text() == "公开"
    assert page.get_by_test_id("attachment-row").filter(has_text="路灯安装图纸") \
        .get_by_test_id("attachment-public").inner_text() == "不公开"
    shot(page, "attachments-supervisor-review", full_page=True)
    go(page.get_by_role("button", name="审核通过"))
    assert page.get_by_role("button", name="设为公开").count() == 0  # sealed with the approval
    _publish(staff_app, notice_id)

    # The kiosk: only the minutes, as page pictures, and back to the notice.
    kiosk = open_tab(PORTRAIT)
    page = kiosk.page
    page.goto(f"{staff_server.url}/kiosk/notice/{notice_id}")
    links = page.locator(".attachment-link")
    assert links.all_inner_texts() == ["附件1：村民代表会议纪要（PDF文件，共2页） ›"]
    assert "路灯安装图纸" not in page.locator("main").inner_text()
    links.first.scroll_into_view_if_needed()
    with page.expect_navigation():
        links.first.tap()
    images = page.locator(".attachment-pages img")
    assert images.count() == 2
    for n in range(2):
        images.nth(n).scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    widths = [images.nth(n).evaluate("img => img.complete && img.naturalWidth") for n in range(2)]
    assert all(w and w > 500 for w in widths), widths
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "attachments-kiosk-pages")
    back = page.get_by_test_id("attachment-back")
    back.scroll_into_view_if_needed()
    with page.expect_navigation():
        back.tap()
    assert page.url.endswith(f"/kiosk/notice/{notice_id}")
    assert not [line for line in kiosk.console if line.startswith("pageerror")]
    with staff_app.app_context():
        assert db.session.get(User, db.session.get(Notice, notice_id).author_id).username == "clerk-dongfeng"
        db.session.remove()
