"""依申请公开 end to end in a real Chromium (CSRF on): a villager applies on
the phone, a clerk answers 部分公开 with a ground by clicking, the villager
reads the reply on the ticket page and downloads the 告知书; the kiosk's
apply screens at both orientations; then a privacy sweep of every public
door for the applicant's name and contact."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import InfoRequest
from disclosure.privacy import MOBILE_PATTERN
from tests.helpers.public_crawl import response_text, without_digests

from .conftest import LANDSCAPE, PHONE, PORTRAIT, SHOTS, shot
from .test_staff_journeys import desk, flash, go, nav, no_page_errors

pytestmark = pytest.mark.browser

APPLICANT, CONTACT = "欧阳明远", "13698765432"
SUBJECT = "2025年东风村集体鱼塘发包合同及承包费收取情况"


def _villager_tab(open_tab, viewport: dict):  # noqa: ANN001, ANN202
    tab = open_tab(viewport)
    tab.failed = []
    tab.page.on("response", lambda r: tab.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return tab


def test_villager_applies_staff_answer_partial_villager_downloads_letter(
        open_tab, staff_server, staff_app, tmp_path: Path, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    # The villager, on a phone.
    phone = _villager_tab(open_tab, PHONE)
    page = phone.page
    page.goto(staff_server.url + "/m/dongfeng")
    go(page.get_by_role("link", name="申请公开信息"))
    page.get_by_label("您想看哪些信息？").fill(SUBJECT)
    page.get_by_label("您的姓名").fill(APPLICANT)
    page.get_by_label("联系电话或地址（可不填）").fill(CONTACT)
    shot(page, "voice-phone-apply", full_page=True)
    go(page.get_by_role("button", name="提交申请"))
    ticket = page.locator(".ticket-no").inner_text().strip()
    assert re.fullmatch(r"R\d{4}-\d{6}", ticket)
    assert "20个工作日" in page.inner_text("main")
    shot(page, "voice-phone-applied")
    ticket_url = page.url.replace("&new=1", "").replace("new=1&", "")
    with staff_app.app_context():
        req = db.session.execute(select(InfoRequest).where(InfoRequest.ticket_no == ticket)).scalar_one()
        assert req.contact == CONTACT and req.requester == APPLICANT and req.channel == "phone"
        due = req.due_on
        db.session.remove()
    assert f"{due.year}年{due.month}月{due.day}日" in page.inner_text("main")

    # The clerk answers 部分公开 with a ground, only by clicking.
    staff = desk(open_tab, staff_server, "clerk-dongfeng")
    desk_page = staff.page
    nav(desk_page, "依申请公开")
    go(desk_page.get_by_role("link", name=ticket))
    assert APPLICANT in desk_page.inner_text("main") and CONTACT in desk_page.inner_text("main")  # staff see it
    desk_page.get_by_role("radio", name="部分公开").check()
    desk_page.get_by_role("radio", name="个人隐私").check()
    desk_page.get_by_label("说明").fill("合同和收费明细予以公开；承包人的身份证号和银行账号属于个人隐私，已遮盖。")
    go(desk_page.get_by_role("button", name="保存答复"))
    assert "已记录答复" in flash(desk_page)
    shot(desk_page, "voice-staff-replied", full_page=True)
    no_page_errors(staff)

    # The villager reads the reply and downloads the 告知书.
    page.goto(ticket_url)
    main = page.inner_text("main")
    assert "部分公开" in main and "个人隐私" in main and "已答复" in main
    assert CONTACT not in page.content() and APPLICANT not in page.content()
    shot(page, "voice-phone-reply", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载告知书（PDF）").click()
    pdf = tmp_path / "letter.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "政府信息公开申请答复告知书" in text and "部分公开" in text and "个人隐私" in text and ticket in text
    assert "盖章" in text and CONTACT not in text and APPLICANT not in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(SHOTS / "voice-letter")], check=True)
    no_page_errors(phone)

    # The kiosk: buttons, a confirm step, a ticket; no keyboard anywhere.
    for name, viewport in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
        kiosk = _villager_tab(open_tab, viewport)
        kp = kiosk.page
        kp.goto(staff_server.url + "/kiosk/dongfeng/home")
        shot(kp, f"voice-kiosk-home-{name}", full_page=True)
        go(kp.get_by_role("link", name="申请公开信息"))
        assert kp.locator("input[type=text]:visible, textarea:visible").count() == 0
        shot(kp, f"voice-kiosk-apply-{name}")
        go(kp.get_by_role("link", name="惠农补贴发放名单"))
        shot(kp, f"voice-kiosk-confirm-{name}")
        go(kp.get_by_role("button", name="确认申请"))
        assert re.fullmatch(r"R\d{4}-\d{6}", kp.locator(".ticket-no").inner_text().strip())
        shot(kp, f"voice-kiosk-applied-{name}")
        kp.goto(staff_server.url + "/kiosk/dongfeng/stats")
        shot(kp, f"voice-kiosk-stats-{name}")
        kp.goto(staff_server.url + "/kiosk/ticket?no=" + re.sub(r"\D", "", ticket))
        assert "部分公开" in kp.inner_text("main")
        shot(kp, f"voice-kiosk-ticket-{name}")
        no_page_errors(kiosk)
    page.goto(staff_server.url + "/m/dongfeng/stats")
    shot(page, "voice-phone-stats", full_page=True)

    # Privacy sweep of every door the villagers' voice adds, and of the exports beside them
    # (the whole-board crawl is tests/test_privacy_sweep.py): never the name or the contact.
    client = staff_app.test_client()
    year = china_today().year
    doors = [ticket_url.replace(staff_server.url, ""), f"/kiosk/ticket?no={re.sub(r'[^0-9]', '', ticket)}",
             f"/r/{ticket}/letter.pdf", "/m/dongfeng", "/kiosk/dongfeng/home", "/m/dongfeng/apply",
             "/kiosk/dongfeng/apply", "/m/dongfeng/mailbox", "/kiosk/dongfeng/mailbox", "/m/dongfeng/stats",
             f"/kiosk/dongfeng/stats?p={year}", "/m/township/qingshan/stats", f"/report/dongfeng/{year}.pdf",
             f"/report/township/qingshan/{year}.pdf", "/api/villages", "/api/villages/dongfeng/notices",
             "/feed/dongfeng.atom", "/catalog.jsonld", f"/api/townships/qingshan/bulk/{year}.zip"]
    for path in doors:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response_text(response) if not path.endswith(".zip") else _zip_text(response.data)
        assert CONTACT not in body and APPLICANT not in body and not MOBILE_PATTERN.search(body), path
    assert CONTACT not in caplog.text and APPLICANT not in caplog.text


def _zip_text(data: bytes) -> str:
    """Every file of a ZIP as text, SHA-256 digests masked (public_crawl.without_digests)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return without_digests("\n".join(archive.read(name).decode("utf-8", "replace")
                                          for name in archive.namelist()))
