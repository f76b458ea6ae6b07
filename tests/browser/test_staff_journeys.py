"""Staff journeys in a real Chromium, on an app served as in production
(CSRF on with real tokens, Secure cookies): each test logs in through the
login page and only clicks, types, uploads and downloads, as a person would.
What a journey needs to find already there (a submitted notice, an approved
one) is made through the services first, never through the pages it tests.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from disclosure import periods, vouchers
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import Notice, Question, Status, User, Village
from disclosure.services import notices as notice_service
from tests.helpers.admin_world import LedgerIn, jpeg_bytes
from tests.helpers.admin_world import notice as load_notice
from tests.helpers.processes import board_env, job_worker

from .conftest import ROOT, log_in, shot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
SAMPLE = ROOT / "tests" / "data" / "samples" / "ledger_2025Q3.xlsx"


# Arrange (services, not pages) -------------------------------------------------------

def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _village(code: str) -> Village:
    return db.session.execute(select(Village).where(Village.code == code)).scalar_one()


def finance_notice(app: Flask, title: str, *, status: Status, village: str = "dongfeng",
                   photo: bool = False) -> int:
    """A finance notice of ``village`` with two ledger lines, taken to ``status``."""
    from disclosure.services import intake

    with app.app_context():
        clerk, supervisor = _user(f"clerk-{village}"), _user(f"supervisor-{village}")
        month = periods.month_of(china_today().replace(day=1) - dt.timedelta(days=1))
        notice = notice_service.create_draft(_village(village), clerk, category="finance", title=title, period=month)
        lines = intake.add_ledger_rows(notice, clerk, [
            LedgerIn(month.start, "村部办公用品", "expense", "management_expense", 36_000, "记-01"),
            LedgerIn(month.start, "镇财政拨付村级运转经费", "income", "subsidy_income", 1_200_000, "记-02"),
        ])
        if photo:
            vouchers.attach(lines[0], clerk, jpeg_bytes((640, 480)))
        if status != Status.DRAFT:
            notice_service.submit(notice, clerk)
        if status in (Status.APPROVED, Status.PUBLISHED):
            notice_service.approve(notice, supervisor)
        if status == Status.PUBLISHED:
            notice_service.publish(notice, clerk, china_today(), periods.notice_end(china_today(), 7))
        db.session.commit()
        notice_id = notice.id
        db.session.remove()
        return notice_id


# The person at the keyboard -----------------------------------------------------------

def desk(open_tab, server, username: str):  # noqa: ANN001, ANN201
    """A staff PC: a desktop window, logged in through the login page;
    confirm() dialogs are answered 确定 as the person would."""
    tab = open_tab(DESKTOP)
    tab.page.on("dialog", lambda dialog: dialog.accept())
    tab.failed = []
    tab.page.on("response", lambda r: tab.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(tab.page, server.url, username)
    return tab


def go(target) -> None:  # noqa: ANN001
    """Click a link or a submit button and wait for the page it leads to, so
    what is read next is the new page, never the one being left."""
    with target.page.expect_navigation():
        target.click()


def nav(page, name: str) -> None:  # noqa: ANN001
    go(page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name, exact=True))


def flash(page) -> str:  # noqa: ANN001
    return page.locator(".flashes").inner_text()


def no_page_errors(tab) -> None:  # noqa: ANN001
    """No script error and no failed request (the favicon is the public side's)."""
    errors = [line for line in tab.console if line.startswith("pageerror")]
    errors += [f for f in tab.failed if not f.endswith("/favicon.ico")]
    assert not errors, errors


def open_notice(page, title: str) -> None:  # noqa: ANN001
    nav(page, "公示列表")
    go(page.locator("main").get_by_role("link", name=title, exact=True))
    page.wait_for_selector("h1:has-text('%s')" % title)


# 1. Clerk: draft → import → preview → confirm → receipt photo → submit ------------------

def test_clerk_drafts_imports_a_ledger_attaches_a_receipt_and_submits(
        open_tab, staff_server, staff_app, tmp_path: Path) -> None:  # noqa: ANN001
    tab = desk(open_tab, staff_server, "clerk-dongfeng")
    page = tab.page
    session = [c for c in page.context.cookies() if c["name"] == "session"]
    assert session and session[0]["secure"] and session[0]["httpOnly"]  # kept by Chromium on http://127.0.0.1
    nav(page, "新建公示")
    page.get_by_label("公开类别").select_option(label="财务收支")
    page.get_by_role("radio", name="季度").check()
    page.get_by_label("年", exact=True).fill("2025")
    page.get_by_role("combobox", name="季度").select_option(label="第三季度")
    title = "东风村2025年第三季度财务收支公示（浏览器）"
    page.get_by_label("公示标题").fill(title)
    go(page.get_by_role("button", name="建立草稿"))
    expect_heading(page, title)
    shot(page, "staff-clerk-draft")

    go(page.get_by_role("link", name="从表格导入明细"))
    assert page.get_by_label("导入到").locator("option:checked").inner_text().endswith(title)
    page.get_by_label("表格文件（.xlsx 或 .csv）").set_input_files(str(SAMPLE))
    go(page.get_by_role("button", name="上传并检查"))
    # The preview lists the sheet's lines, and nothing is written yet.
    preview = page.locator("main").inner_text()
    for summary in ("茶园除草施肥人工费", "村合作社分红", "灌溉水渠清淤"):
        assert summary in preview
    assert "150,411.73" in preview and "114,361.02" in preview
    shot(page, "staff-clerk-import-preview", full_page=True)
    go(page.get_by_role("button", name=re.compile("确认导入")))
    expect_heading(page, title)
    lines = page.locator("#lines tbody tr")
    assert lines.count() == 31
    assert "150,411.73" in page.locator("#lines .totals").inner_text()

    # A receipt photo on the first line: open 上传, choose the file, press 上传照片.
    photo = tmp_path / "收据.jpg"
    photo.write_bytes(jpeg_bytes((640, 480), (180, 160, 120)))
    first = lines.first
    first.locator("summary", has_text="上传").click()
    first.get_by_label("凭证照片").set_input_files(str(photo))
    go(first.get_by_role("button", name="上传照片"))
    assert "凭证照片已上传" in flash(page)
    assert page.locator("#lines tbody tr").first.locator("figure.voucher img").count() == 1

    go(page.get_by_role("button", name="提交审核"))
    assert "已提交村务监督委员会审核" in flash(page)
    assert page.locator(".meta .badge").inner_text() == "待审核"
    shot(page, "staff-clerk-submitted")
    no_page_errors(tab)


def expect_heading(page, title: str) -> None:  # noqa: ANN001
    page.wait_for_selector(f"h1:has-text('{title}')")


# 2. Supervisor: 审核通过, 退回修改 with a comment, which photos are public -----------------

def test_supervisor_approves_sends_back_and_chooses_public_photos(open_tab, staff_server, staff_app) -> None:  # noqa: ANN001
    approve_id = finance_notice(staff_app, "东风村上月财务收支公示（待审一）", status=Status.SUBMITTED, photo=True)
    reject_id = finance_notice(staff_app, "东风村上月财务收支公示（待审二）", status=Status.SUBMITTED)
    tab = desk(open_tab, staff_server, "supervisor-dongfeng")
    page = tab.page

    open_notice(page, "东风村上月财务收支公示（待审一）")
    # The receipt photo starts private: show it, then decide to keep it off the public side after all.
    figure = page.locator("figure.voucher").first
    assert "不公开" in figure.inner_text()
    go(figure.get_by_role("button", name="设为公开"))
    assert "已设为公开" in flash(page)
    go(page.locator("figure.voucher").first.get_by_role("button", name="设为不公开"))
    assert "设为不公开" in flash(page)
    assert "不公开" in page.locator("figure.voucher").first.inner_text()
    shot(page, "staff-supervisor-photos")
    page.get_by_label("审核意见").fill("账目与凭证一致。")
    go(page.get_by_role("button", name="审核通过"))
    assert "审核通过" in flash(page)
    assert load_notice(staff_app, approve_id).status == Status.APPROVED
    shot(page, "staff-supervisor-approved")

    open_notice(page, "东风村上月财务收支公示（待审二）")
    go(page.get_by_role("button", name="退回修改"))  # no reason yet: asked for one, nothing changes
    assert page.locator("#comment-error").inner_text() == "退回时请写明原因"
    assert load_notice(staff_app, reject_id).status == Status.SUBMITTED
    tab.failed.remove(f"400 {page.url}")  # the refusal's status, as intended
    page.get_by_label("审核意见").fill("办公用品一笔缺少发票，请补充凭证照片。")
    go(page.get_by_role("button", name="退回修改"))
    assert "已退回修改" in flash(page)
    back = load_notice(staff_app, reject_id)
    assert back.status == Status.DRAFT and back.review_comment == "办公用品一笔缺少发票，请补充凭证照片。"
    no_page_errors(tab)

    with staff_app.app_context():  # the photo stays off the public side
        line = db.session.get(Notice, approve_id).ledger_lines[0]
        assert [v.is_public for v in line.vouchers] == [False]
        db.session.remove()


# 3. Clerk: publish with a notice period; a correction, published; a withdrawal -----------

def test_clerk_publishes_corrects_and_withdraws(open_tab, staff_server, staff_app) -> None:  # noqa: ANN001
    title = "东风村上月财务收支公示（待发布）"
    first = finance_notice(staff_app, title, status=Status.APPROVED)
    to_withdraw = finance_notice(staff_app, "东风村上月财务收支公示（误发）", status=Status.PUBLISHED)
    tab = desk(open_tab, staff_server, "clerk-dongfeng")
    page = tab.page
    today = china_today()

    open_notice(page, title)
    start, end = page.get_by_label("公示开始日期"), page.get_by_label("公示结束日期")
    offered = dt.date.fromisoformat(start.input_value())  # today, wherever "today" is decided
    assert abs((offered - today).days) <= 1
    assert end.input_value() == periods.notice_end(offered, 7).isoformat()  # the shortest allowed period
    start.fill(today.isoformat())
    end.fill((today + dt.timedelta(days=3)).isoformat())
    go(page.get_by_role("button", name="发布"))
    assert page.locator("#notice_end-error").inner_text() == "公示期不得少于7天（现为4天）"
    tab.failed.remove(f"400 {page.url}")
    end_day = today + dt.timedelta(days=9)
    page.get_by_label("公示结束日期").fill(end_day.isoformat())
    go(page.get_by_role("button", name="发布"))
    assert f"已发布，公示期至{periods.format_date(end_day)}" in flash(page)
    assert page.locator(".meta .badge").inner_text() == "已公布"
    assert "（公示中）" in page.locator("#workflow").inner_text()
    shot(page, "staff-clerk-published")

    # 更正: a new version with its reason, reviewed again, then published.
    go(page.locator("#workflow").get_by_role("link", name="更正"))
    page.get_by_label("原因").fill("办公用品金额录错，应为380元。")
    go(page.get_by_role("button", name="建立更正版本"))
    assert "已建立更正版本" in flash(page)
    correction_url = page.url
    row = page.locator("#lines tbody tr", has_text="村部办公用品")
    go(row.get_by_role("button", name="删除"))
    assert "已删除" in flash(page)
    entry = page.locator("form.entry")
    entry.get_by_label("日期").fill(periods.month_of(today.replace(day=1) - dt.timedelta(days=1)).start.isoformat())
    entry.get_by_label("摘要").fill("村部办公用品")
    entry.get_by_label("收支").select_option(label="支出")
    entry.get_by_label("科目").select_option(label="支·管理费用")
    entry.get_by_label("金额（元）").fill("380")
    go(entry.get_by_role("button", name="添加"))
    assert "已添加一条收支明细" in flash(page)
    go(page.get_by_role("button", name="提交审核"))
    assert "已提交" in flash(page)

    reviewer = desk(open_tab, staff_server, "supervisor-dongfeng").page
    reviewer.get_by_label("状态").select_option(label="待审核")
    go(reviewer.get_by_role("button", name="筛选"))
    go(reviewer.locator("main").get_by_role("link", name=title, exact=True))
    assert "本版本更正了" in reviewer.locator("main").inner_text()
    go(reviewer.get_by_role("button", name="审核通过"))
    assert "审核通过" in flash(reviewer)

    page.goto(correction_url)  # the clerk comes back to the page after the supervisor's call
    page.reload()
    go(page.get_by_role("button", name="发布"))
    assert "已发布" in flash(page)
    assert "更正原因：办公用品金额录错，应为380元。" in page.locator("main").inner_text()
    go(page.locator("#versions").get_by_role("link", name="第1版"))
    assert page.locator(".meta .badge").inner_text() == "已更正"
    assert "更正，仍保留供查阅" in page.locator(".notice-banner").first.inner_text()
    assert load_notice(staff_app, first).status == Status.SUPERSEDED

    # 撤回 with a reason: the notice stays on record with it.
    open_notice(page, "东风村上月财务收支公示（误发）")
    go(page.locator("#workflow").get_by_role("link", name="撤回"))
    go(page.get_by_role("button", name="确认撤回"))  # no reason: refused
    assert page.locator("#reason-error").inner_text() == "请填写原因"
    tab.failed.remove(f"400 {page.url}")
    page.get_by_label("原因").fill("与上月公示重复，予以撤回。")
    go(page.get_by_role("button", name="确认撤回"))
    assert "公示已撤回" in flash(page)
    assert "撤回原因：与上月公示重复，予以撤回。" in page.locator(".notice-banner.danger").inner_text()
    assert load_notice(staff_app, to_withdraw).status == Status.WITHDRAWN
    shot(page, "staff-clerk-withdrawn")
    no_page_errors(tab)


# 4. Township admin: dashboard + export, red flags, a question, 依申请公开, batch print, an account

def test_township_admin_oversees_prints_and_adds_staff(open_tab, staff_server, staff_app, tmp_path: Path) -> None:  # noqa: ANN001
    tab = desk(open_tab, staff_server, "admin")
    page = tab.page
    today = china_today()

    # Who is late, and the same table as .xlsx. A village that joined a year
    # ago and has published nothing is late for every periodic category.
    with staff_app.app_context():
        from disclosure.models import Township
        from disclosure.services import places

        places.create_village(db.session.execute(select(Township)).scalar_one(), "liushu", "柳树村", groups=4,
                              opening_date=today - dt.timedelta(days=365))
        db.session.commit()
        db.session.remove()
    nav(page, "乡镇看板")
    board = page.locator("table.dashboard")
    for village in ("东风村", "红旗村", "石桥村", "柳树村"):
        assert board.get_by_role("rowheader", name=village).count() == 1
    late = board.locator("tr.row-late", has=page.get_by_role("rowheader", name="柳树村"))
    assert late.get_by_text("逾期未公开").count() >= 2  # finance and assets at least
    assert board.get_by_text("逾期未公开").count() == late.get_by_text("逾期未公开").count()
    shot(page, "staff-admin-dashboard", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "状态" in row)
    state = rows[header].index("状态")
    overdue = {(row[0], row[1]) for row in rows[header + 1:] if row[state] == "逾期未公开"}
    assert {v for v, _ in overdue} == {"柳树村"} and ("柳树村", "财务收支") in overdue
    assert {row[0] for row in rows[header + 1:]} >= {"东风村", "红旗村", "石桥村", "柳树村"}

    # Red flags: open one, look at the lines, clear it with the finding.
    nav(page, "红旗预警")
    flags = page.locator("main table tbody tr")
    assert flags.count() >= 1
    go(flags.first.get_by_role("link"))
    assert page.locator("main table tbody tr").count() >= 1
    page.get_by_label("核实情况和解除理由").fill("经入户核实，系同名不同人，身份证号不同。")
    go(page.get_by_role("button", name="解除"))
    assert "预警已解除" in flash(page)

    # A villager's question: answer it in public.
    nav(page, "问题答复")
    with staff_app.app_context():
        ticket = db.session.execute(select(Question.ticket_no).where(Question.answered_at.is_(None))
                                    .order_by(Question.id)).scalars().first()
        db.session.remove()
    go(page.locator("main").get_by_role("link", name=ticket))
    page.get_by_label("答复内容").fill("该笔支出已由村务监督委员会核实，明细可到村委会查阅。")
    go(page.get_by_role("button", name="公开答复"))
    assert f"已答复 {ticket}" in flash(page)

    # 依申请公开: register a request received today; the page states its deadline.
    nav(page, "依申请公开")
    go(page.get_by_role("link", name="登记新申请"))
    page.get_by_label("村").select_option(label="东风村")
    page.get_by_label("申请人").fill("东风村村民")
    page.get_by_label("申请公开的内容").fill("申请公开村集体茶园承包合同及近三年承包费收取情况。")
    page.get_by_label("收到日期").fill(today.isoformat())
    go(page.get_by_role("button", name="登记"))
    due = periods.add_working_days(today, 20)
    assert f"法定答复期限为{due:%Y年%m月%d日}" in flash(page)
    assert f"{periods.format_date(due)}（20个工作日）" in page.locator("main .facts").inner_text()
    shot(page, "staff-admin-request")

    # Batch print of this month. No print worker runs yet: the pages say so and the job waits.
    nav(page, "打印")
    worker_down = page.locator("#worker-down")
    assert worker_down.is_visible() and "打印服务未运行" in worker_down.inner_text()
    page.get_by_label("月份").fill(f"{today:%Y-%m}")
    go(page.get_by_role("button", name="开始生成"))
    bar = page.locator("progress#job-progress")
    assert bar.is_visible() and worker_down.is_visible()
    assert page.locator("#job-status").inner_text().startswith("排队中")
    shot(page, "staff-admin-print-no-worker")
    # `flask jobs worker` starts (a process of its own, as beside gunicorn): the warning goes,
    # the progress bar runs to the merged PDF.
    with job_worker(board_env(staff_app), tmp_path / "worker.log"):
        worker_down.wait_for(state="hidden", timeout=60_000)
        download_link = page.get_by_role("link", name="下载 PDF")
        download_link.wait_for(state="visible", timeout=180_000)
    assert bar.get_attribute("value") == bar.get_attribute("max")
    assert "已完成" in page.locator("#job-status").inner_text()
    shot(page, "staff-admin-print-done")
    with page.expect_download() as download:
        download_link.click()
    pdf = tmp_path / "batch.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    with staff_app.app_context():
        from disclosure import jobs
        from disclosure.models import Township

        township = db.session.execute(select(Township)).scalar_one()
        titles = [n.title for n in jobs.month_notices(township, periods.month_of(today))]
        db.session.remove()
    assert titles and all(t[:12] in text.replace("\n", "") for t in titles)

    # A new clerk account, who can then log in.
    nav(page, "用户")
    go(page.get_by_role("link", name="新建账号"))
    page.get_by_label("用户名").fill("clerk-dongfeng-2")
    page.get_by_label("姓名（显示用）").fill("东风村新报账员")
    page.get_by_label("角色").select_option(label="村报账员")
    page.get_by_label("所在村").select_option(label="东风村")
    page.get_by_label("初始密码").fill("chun-tian-2026")
    go(page.get_by_role("button", name="创建"))
    assert "已创建账号 clerk-dongfeng-2" in flash(page)
    assert page.locator("main table").get_by_text("clerk-dongfeng-2").count() == 1
    no_page_errors(tab)
    go(page.get_by_role("button", name="退出"))
    log_in(page, staff_server.url, "clerk-dongfeng-2", "chun-tian-2026")
    assert "东风村新报账员" in page.locator(".who").inner_text()


# 5. Villager: the published notice on the kiosk, on the phone, as PDF, and its QR check ----

def read_qr(png: bytes) -> str:
    import zxingcpp

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code in the image"
    return found[0].text


def test_villager_finds_the_notice_on_kiosk_and_phone_and_checks_its_paper(
        open_tab, staff_server, staff_app, tmp_path: Path) -> None:  # noqa: ANN001
    from disclosure.services import intake

    from .conftest import LANDSCAPE, PHONE

    title = "东风村关于村部屋顶维修费用的公示"
    with staff_app.app_context():  # published through the staff pages in the journeys above; here, arranged
        clerk, supervisor = _user("clerk-dongfeng"), _user("supervisor-dongfeng")
        notice = notice_service.create_draft(_village("dongfeng"), clerk, category="other", title=title,
                                             period=periods.month_of(china_today()),
                                             body="村部屋顶漏雨，经村民代表会议同意维修，费用8600元由村集体经营收入支出。")
        notice_service.submit(notice, clerk)
        notice_service.approve(notice, supervisor)
        notice_service.publish(notice, clerk, china_today(), periods.notice_end(china_today(), 7))
        db.session.commit()
        notice_id = notice.id
        db.session.remove()

    # The kiosk in the village hall: touch the attract screen, 其他公开, the notice.
    kiosk = open_tab(LANDSCAPE)
    page = kiosk.page
    page.goto(staff_server.url + "/kiosk/dongfeng")  # set once by whoever installs the screen
    page.locator("body").tap()
    page.wait_for_url("**/kiosk/dongfeng/home")
    page.locator(".tile", has_text="其他").tap()
    page.wait_for_url("**/kiosk/dongfeng/c/other")
    page.get_by_role("link", name=re.compile(title)).tap()
    page.wait_for_url(f"**/kiosk/notice/{notice_id}")
    assert page.locator("h1", has_text=title).count() == 1
    assert "村部屋顶漏雨" in page.locator("main").inner_text()
    shot(page, "staff-villager-kiosk-notice")
    phone_url = read_qr(page.locator(".notice-qr svg, .notice-qr img").first.screenshot())
    assert phone_url == f"{staff_server.url}/m/notice/{notice_id}"

    # The phone: the QR from the kiosk opens the notice; 打印版 is the real PDF.
    phone = open_tab(PHONE).page
    phone.goto(phone_url)  # what the camera app does with the QR code
    assert phone.locator("h1", has_text=title).count() == 1
    with phone.expect_response(lambda r: "pdf" in r.headers.get("content-type", "")) as response:
        phone.get_by_role("link", name=re.compile("打印版")).click()  # Chromium shows it in its viewer
    assert response.value.status == 200
    # Playwright hands back the viewer's page, not the bytes: fetch the same URL in the same browser.
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(phone.context.request.get(response.value.url).body())
    phone.go_back()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert title in text.replace("\n", "") and "8600" in text

    # The paper's QR code: decode it from the printed page, open it, read the verdict.
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    verify_url = read_qr((tmp_path / "page.png").read_bytes())
    assert verify_url.startswith(f"{staff_server.url}/v/")
    phone.goto(verify_url)
    assert phone.locator(".verdict-label").first.inner_text() == "现行有效"
    assert title in phone.locator("main").inner_text()
    shot(phone, "staff-villager-verify")

    # And on the village's phone pages, without any QR code: /m/dongfeng lists it.
    phone.goto(staff_server.url + "/m/dongfeng")
    go(phone.get_by_role("link", name=re.compile("其他")).first)
    go(phone.get_by_role("link", name=re.compile(title)))
    assert phone.url.endswith(f"/m/notice/{notice_id}")
