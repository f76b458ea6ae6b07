"""The catalogue page in real Chromium, pressed by the township admin who uses
it: lengthen a kind's notice period (a shorter one is refused in Chinese), set
the township's standard amounts, add a kind. The clerk's menu has no such page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import AuditEntry, Township

from .conftest import shot
from .test_staff_journeys import desk, flash, go, nav, no_page_errors

pytestmark = pytest.mark.browser


def test_township_admin_edits_and_adds_roster_kinds(open_tab, staff_server, staff_app) -> None:  # noqa: ANN001
    tab = desk(open_tab, staff_server, "admin")
    page = tab.page
    nav(page, "公开目录")
    row = page.get_by_test_id("kind-gaoling")
    assert "高龄津贴" in row.inner_text() and page.get_by_test_id("days-gaoling").inner_text() == "7天"

    # A category's period: shorter than the county's is refused, next to the field.
    project = page.get_by_test_id("category-project")
    project.get_by_label("本乡镇公示期（天）").fill("7")
    go(project.get_by_role("button", name="保存扶贫项目资金"))
    assert "扶贫项目资金的公示期不能短于县级公开目录规定的10天" in \
        page.get_by_test_id("category-project").locator(".field.has-error").inner_text()
    tab.failed.clear()
    row = page.get_by_test_id("kind-gaoling")

    go(row.get_by_role("link", name="编辑"))
    days = page.get_by_label("本乡镇公示期（天）")
    days.fill("5")
    tab.failed.clear()
    go(page.get_by_role("button", name="保存"))
    assert "公示期不能短于县级公开目录规定的7天" in page.locator(".field.has-error").inner_text()
    tab.failed.clear()  # the refusal answers 400, as every refused form does

    page.get_by_label("本乡镇公示期（天）").fill("10")
    page.get_by_label("本乡镇标准（每行一条：名称|单位|金额）").fill(
        "80至89周岁高龄津贴|元/人·月|50\n90至99周岁高龄津贴|元/人·月|100\n100周岁以上高龄津贴|元/人·月|300")
    go(page.get_by_role("button", name="保存"))
    assert "已保存“高龄津贴”的设置" in flash(page)
    assert page.get_by_test_id("days-gaoling").inner_text() == "10天"
    assert "青山镇现行90至99周岁高龄津贴：100元/人·月。" in page.get_by_test_id("kind-gaoling").inner_text()

    go(page.get_by_role("link", name="新增名单类型"))
    page.get_by_label("代码（英文小写，建好后不能改）").fill("jiaoyu")
    page.get_by_label("名称", exact=True).fill("教育资助")
    page.get_by_label("公开类别").select_option(label="社会救助")
    page.get_by_label("识别词（表格标题里出现的词，用顿号分开）").fill("教育资助、助学金")
    page.get_by_label("期间形式").select_option(label="按年")
    page.get_by_label("金额列标题").fill("资助金额（元）")
    page.get_by_label("明白卡：谁能领").fill("家庭经济困难的在校学生。")
    page.get_by_label("明白卡：领多少").fill("按县教育局公布的资助标准发放。")
    page.get_by_label("明白卡：怎么申请").fill("开学后向学校提出申请，村委会出具证明。")
    page.get_by_label("本乡镇公示期（天）").fill("15")
    go(page.get_by_role("button", name="保存"))
    assert "已新增名单类型“教育资助”" in flash(page)
    assert page.get_by_test_id("days-jiaoyu").inner_text() == "15天"
    shot(page, "staff-catalogue-list", full_page=True)
    no_page_errors(tab)

    with staff_app.app_context():
        township = db.session.execute(select(Township)).scalar_one()
        assert township.settings["kind_notice_days"] == {"gaoling": 10, "jiaoyu": 15}
        actions = set(db.session.execute(select(AuditEntry.action).where(AuditEntry.entity == "catalogue_kind")).scalars())
        assert actions == {"catalogue.kind_update", "catalogue.kind_create"}
        db.session.remove()

    clerk = desk(open_tab, staff_server, "clerk-dongfeng")
    assert clerk.page.get_by_role("navigation", name="主菜单").get_by_role("link", name="公开目录").count() == 0
