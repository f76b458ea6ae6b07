"""A decision (四议两公开, 一事一议) through its stages in a real Chromium:
the clerk enters the matter and the four meetings (a wrong vote count is
refused next to the field), submits; the supervisor reviews; the clerk
publishes; a villager reads it on the kiosk and the phone in plain words;
published later than 5 working days after the villagers' representatives'
meeting, it lands on the township dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from disclosure import periods
from disclosure.clock import china_today
from disclosure.models import Status
from tests.helpers.admin_world import notice as load_notice

from .conftest import PHONE, PORTRAIT, shot
from .test_staff_journeys import desk, expect_heading, flash, go, nav, no_page_errors, open_notice

pytestmark = pytest.mark.browser

TITLE = "石桥村关于一事一议修建村组道路的决议公开"


def _past_workday(days_back: int) -> dt.date:
    """A working day about ``days_back`` days before today."""
    day = china_today() - dt.timedelta(days=days_back)
    while not periods.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _meeting(page, step: str, day: dt.date, expected: str, attendance: str, votes: tuple[str, str, str]) -> None:  # noqa: ANN001
    form = page.get_by_role("form", name="录入会议")
    form.get_by_label("会议环节").select_option(label=step)
    form.get_by_label("会议日期").fill(day.isoformat())
    form.get_by_label("应到人数").fill(expected)
    form.get_by_label("实到人数").fill(attendance)
    form.get_by_label("赞成").fill(votes[0])
    form.get_by_label("反对").fill(votes[1])
    form.get_by_label("弃权").fill(votes[2])
    go(form.get_by_role("button", name="录入会议"))


def test_decision_goes_through_its_stages_and_lands_on_the_dashboard_when_late(
        open_tab, staff_server, staff_app) -> None:  # noqa: ANN001
    resolved = _past_workday(20)  # the villagers' representatives met four weeks ago
    tab = desk(open_tab, staff_server, "clerk-shiqiao")
    page = tab.page

    # The clerk drafts a 重大事项 notice and enters the decision.
    nav(page, "新建公示")
    page.get_by_label("公开类别").select_option(label="重大事项")
    page.get_by_role("radio", name="年度").check()
    page.get_by_label("年", exact=True).fill(str(resolved.year))
    page.get_by_label("公示标题").fill(TITLE)
    go(page.get_by_role("button", name="建立草稿"))
    expect_heading(page, TITLE)
    form = page.get_by_role("form", name="决策信息")
    form.get_by_label("议题").fill("硬化三组至五组村组道路1.5公里")
    form.get_by_label("公开阶段").select_option(label="决议公开")
    form.get_by_label("提议内容（方案）").fill("采用一事一议筹资，不足部分申请财政奖补。")
    form.get_by_label("一事一议（筹资筹劳）").check()
    form.get_by_label("筹资标准（元/人·年）").fill("15")
    form.get_by_label("参与户数").fill("126")
    form.get_by_label("实际筹资总额（元）").fill("5,670")
    go(form.get_by_role("button", name="保存决策信息"))
    assert "决策信息已保存" in flash(page)

    # Four meetings, in order; more votes than people present is refused next to the field.
    _meeting(page, "村党组织提议", resolved - dt.timedelta(days=9), "7", "7", ("7", "0", "0"))
    assert "已录入村党组织提议" in flash(page)
    _meeting(page, "村“两委”会议商议", resolved - dt.timedelta(days=7), "9", "8", ("9", "0", "0"))
    assert page.locator("#votes_for-error").inner_text() == \
        "赞成、反对、弃权票合计9票，超过实到人数8人：每位到会人员只能投一票"
    tab.failed.remove(f"400 {page.url}")
    _meeting(page, "村“两委”会议商议", resolved - dt.timedelta(days=7), "9", "9", ("9", "0", "0"))
    _meeting(page, "党员大会审议", resolved - dt.timedelta(days=4), "32", "30", ("28", "1", "1"))
    _meeting(page, "村民代表会议决议", resolved, "45", "41", ("37", "2", "2"))
    assert "已录入村民代表会议决议" in flash(page)
    rows = page.get_by_test_id("meetings").locator("tbody tr")
    assert rows.count() == 4 and "村民代表会议决议" in rows.nth(3).inner_text()
    shot(page, "staff-decision-draft", full_page=True)
    go(page.get_by_role("button", name="提交审核"))
    assert "已提交" in flash(page)
    notice_url = page.url
    notice_id = int(re.search(r"/notices/(\d+)", notice_url).group(1))

    # The supervisor reviews it as any other notice.
    reviewer = desk(open_tab, staff_server, "supervisor-shiqiao")
    open_notice(reviewer.page, TITLE)
    assert "赞成" in reviewer.page.get_by_test_id("meetings").inner_text()
    reviewer.page.get_by_label("审核意见").fill("四议程序完整，票数与会议记录一致。")
    go(reviewer.page.get_by_role("button", name="审核通过"))
    assert "审核通过" in flash(reviewer.page)
    no_page_errors(reviewer)

    # The clerk publishes it, today: weeks after the meeting.
    page.goto(notice_url)
    go(page.get_by_role("button", name="发布"))
    assert "已发布" in flash(page)
    assert load_notice(staff_app, notice_id).status == Status.PUBLISHED
    no_page_errors(tab)

    # A villager reads it on the kiosk, in large plain words, and on the phone.
    kiosk = open_tab(PORTRAIT).page
    kiosk.goto(f"{staff_server.url}/kiosk/notice/{notice_id}")
    card = kiosk.get_by_test_id("decision")
    text = card.inner_text()
    assert "硬化三组至五组村组道路1.5公里" in text
    assert f"{periods.format_date(resolved)}召开，应到45人，实到41人。" in text
    last = card.locator(".step").nth(3)
    assert last.locator(".vote").all_inner_texts() == ["赞成 37", "反对 2", "弃权 2"]
    assert "15.00元/人·年" in text and "126户" in text and "5,670.00元" in text
    size = kiosk.evaluate("getComputedStyle(document.querySelector('.decision-card .step')).fontSize")
    assert float(size.removesuffix("px")) >= 20
    shot(kiosk, "kiosk-decision", full_page=True)
    phone = open_tab(PHONE).page
    phone.goto(f"{staff_server.url}/m/notice/{notice_id}")
    assert "村民代表会议决议" in phone.get_by_test_id("decision").inner_text()
    shot(phone, "phone-decision", full_page=True)

    # Published later than 5 working days after the meeting: on the township dashboard.
    admin = desk(open_tab, staff_server, "admin")
    nav(admin.page, "乡镇看板")
    late = admin.page.get_by_test_id("late-decisions")
    row = late.locator("tr", has_text="硬化三组至五组村组道路1.5公里")
    assert "逾期发布" in row.inner_text() and periods.format_date(resolved) in row.inner_text()
    due = periods.add_working_days(resolved, 5)
    assert periods.format_date(due) in row.inner_text()
    assert row.locator("td.num").inner_text() == str(periods.working_days_between(due, china_today()))
    shot(admin.page, "staff-dashboard-late-decision", full_page=True)
    no_page_errors(admin)
