"""The catalogue page in real Chromium, pressed by the people who use it. The
county admin keeps the county's catalogue: lengthens a category's and a kind's
county minimum and adds a kind. The township admin sees those settings
read-only with the reason, lengthens the township's own periods (never below
the county's, refused in Chinese), sets its standard amounts, and a direct POST
to the county's form is refused. The clerk's menu has no such page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import AuditEntry, CatalogueCategory, CatalogueKind, Township

from .conftest import shot
from .test_staff_journeys import desk, flash, go, nav, no_page_errors

pytestmark = pytest.mark.browser


def test_county_admin_keeps_the_catalogue_and_the_township_lengthens_its_own(open_tab, staff_server,
                                                                              staff_app) -> None:  # noqa: ANN001
    tab = desk(open_tab, staff_server, "county")
    page = tab.page
    assert page.url.endswith("/admin/dashboard") and "示范县村务公开看板" in page.locator("h1").inner_text()
    nav(page, "公开目录")
    assert "示范县公开目录（县级）" in page.locator("h1").inner_text()

    # A category's county minimum: 集体资产资源 from 7 to 10 days.
    assets = page.get_by_test_id("category-assets")
    assets.get_by_label("县级最少公示天数").fill("10")
    go(assets.get_by_role("button", name="保存集体资产资源"))
    assert "已保存“集体资产资源”的县级最少公示天数和公开频次" in flash(page)
    assert "公示不少于10天" in page.get_by_test_id("county-assets").inner_text()

    # A kind's county minimum: 高龄津贴 from 7 to 10 days.
    go(page.get_by_test_id("kind-gaoling").get_by_role("link", name="编辑"))
    page.get_by_label("县级最少公示天数").fill("10")
    go(page.get_by_role("button", name="保存"))
    assert "已保存“高龄津贴”的设置" in flash(page)
    assert page.get_by_test_id("days-gaoling").inner_text() == "10天"

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
    page.get_by_label("县级最少公示天数").fill("15")
    page.get_by_label("标准（每行一条：名称|单位；金额由各乡镇填写）").fill("寄宿生生活补助|元/人·年")
    go(page.get_by_role("button", name="保存"))
    assert "已新增名单类型“教育资助”" in flash(page)
    assert page.get_by_test_id("days-jiaoyu").inner_text() == "15天"
    assert "寄宿生生活补助（元/人·年）" in page.get_by_test_id("kind-jiaoyu").inner_text()
    shot(page, "staff-catalogue-county", full_page=True)
    no_page_errors(tab)

    # The township admin: the county's settings read-only, its own periods only lengthened.
    tab = desk(open_tab, staff_server, "admin")
    page = tab.page
    nav(page, "公开目录")
    assert "由县级管理员统一维护" in page.get_by_test_id("county-read-only").inner_text()
    assert page.get_by_role("link", name="新增名单类型").count() == 0
    assets = page.get_by_test_id("category-assets")
    assert "公示不少于10天" in page.get_by_test_id("county-assets").inner_text()
    assert assets.get_by_label("公开频次").count() == 0 and assets.get_by_label("县级最少公示天数").count() == 0
    assets.get_by_label("本乡镇公示期（天）").fill("8")
    go(assets.get_by_role("button", name="保存集体资产资源"))
    assert "集体资产资源的公示期不能短于县级公开目录规定的10天" in \
        page.get_by_test_id("category-assets").locator(".field.has-error").inner_text()
    tab.failed.clear()  # the refusal answers 400, as every refused form does
    page.get_by_test_id("category-assets").get_by_label("本乡镇公示期（天）").fill("14")
    go(page.get_by_test_id("category-assets").get_by_role("button", name="保存集体资产资源"))
    assert "已保存本乡镇“集体资产资源”的公示期" in flash(page)

    go(page.get_by_test_id("kind-gaoling").get_by_role("link", name="本乡镇设置"))
    county = page.get_by_test_id("county-settings")
    assert "县级公开目录的规定（只读）" in county.inner_text() and "由县级管理员统一维护" in county.inner_text()
    assert page.get_by_test_id("county-days").inner_text() == "10天"
    assert county.locator("input, textarea, select").count() == 0
    assert page.get_by_label("识别词（表格标题里出现的词，用顿号分开）").count() == 0
    shot(page, "staff-catalogue-township-kind", full_page=True)
    days = page.get_by_label("本乡镇公示期（天）")
    days.fill("9")
    go(page.get_by_role("button", name="保存"))
    assert "公示期不能短于县级公开目录规定的10天" in page.locator(".field.has-error").inner_text()
    tab.failed.clear()
    page.get_by_label("本乡镇公示期（天）").fill("12")
    page.get_by_label("本乡镇标准（每行一条：名称|单位|金额）").fill(
        "80至89周岁高龄津贴|元/人·月|50\n90至99周岁高龄津贴|元/人·月|100\n100周岁以上高龄津贴|元/人·月|300")
    go(page.get_by_role("button", name="保存"))
    assert "已保存本乡镇“高龄津贴”的公示期和标准" in flash(page)
    assert page.get_by_test_id("days-gaoling").inner_text() == "12天"
    assert "青山镇现行90至99周岁高龄津贴：100元/人·月。" in page.get_by_test_id("kind-gaoling").inner_text()
    shot(page, "staff-catalogue-township", full_page=True)
    no_page_errors(tab)

    # A direct POST to the county's forms, with this session's own CSRF token: refused.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path, form in (("/admin/catalogue/categories/assets", {"notice_days": "3", "frequency": "at_once"}),
                       ("/admin/catalogue/kinds/gaoling", {"name": "改名", "notice_days": "1"}),
                       ("/admin/catalogue/kinds/new", {"code": "xin", "name": "新类型"})):
        response = page.request.post(staff_server.url + path, form={"csrf_token": token, **form},
                                     max_redirects=0)
        assert response.status == 403, (path, response.status)

    with staff_app.app_context():
        township = db.session.execute(select(Township)).scalar_one()
        assert township.settings["kind_notice_days"]["gaoling"] == 12 and township.settings["notice_days"]["assets"] == 14
        assert db.session.execute(select(CatalogueCategory.min_notice_days, CatalogueCategory.frequency)
                                  .where(CatalogueCategory.code == "assets")).one() == (10, "quarterly")
        gaoling = db.session.execute(select(CatalogueKind).where(CatalogueKind.code == "gaoling")).scalar_one()
        assert (gaoling.name, gaoling.min_notice_days) == ("高龄津贴", 10)
        actions = set(db.session.execute(select(AuditEntry.action).where(AuditEntry.action.startswith("catalogue."))
                                         ).scalars())
        assert actions == {"catalogue.category_update", "catalogue.kind_update", "catalogue.kind_create",
                           "catalogue.township_category", "catalogue.township_kind"}
        db.session.remove()

    clerk = desk(open_tab, staff_server, "clerk-dongfeng")
    assert clerk.page.get_by_role("navigation", name="主菜单").get_by_role("link", name="公开目录").count() == 0
