"""The county admin (县级管理员, issue 14 §1): only a county admin edits the
county's catalogue (categories' minimum periods and frequencies, kinds); a
township admin keeps its own periods (lengthened only) and standard amounts and
sees the county's settings read-only; a county admin sees the county's
lateness dashboard read-only and manages the county's township admins, never
another county's, and drafts or reviews nothing. Every change is audited."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from disclosure import catalogue
from disclosure.extensions import db
from disclosure.models import AuditEntry, CatalogueCategory, CatalogueKind, Role, Township, User, Village
from disclosure.services import ServiceError, rules, users
from tests.conftest import PASSWORD, login_as


def _counties(app: Flask, place: dict[str, int]) -> dict[str, int]:
    """The test township (测试镇) and 河西镇 in 甲县, 外镇 in 乙县; a county admin
    and a township admin in each county; a clerk in 测试镇."""
    with app.app_context():
        t1 = db.session.get(Township, place["township"])
        t1.county = "甲县"
        west = Township(code="hexi", name="河西镇", county="甲县")
        other = Township(code="t2", name="外镇", county="乙县")
        db.session.add_all([west, other, Village(code="hx1", name="河西村", township=west),
                            Village(code="v3", name="外村", township=other)])
        db.session.flush()

        def user(name: str, role: Role, township: Township, village: Village | None = None) -> int:
            return users.create_user(username=name, display_name=name, password=PASSWORD, role=role,
                                     township=township, village=village).id

        ids = {"county_a": user("county-a", Role.COUNTY_ADMIN, t1), "county_b": user("county-b", Role.COUNTY_ADMIN, other),
               "admin1": user("admin1", Role.TOWNSHIP_ADMIN, t1), "admin_west": user("admin-west", Role.TOWNSHIP_ADMIN, west),
               "admin_b": user("admin-b", Role.TOWNSHIP_ADMIN, other),
               "clerk1": user("clerk1", Role.CLERK, t1, db.session.get(Village, place["v1"])),
               "west": west.id, "other": other.id}
        db.session.commit()
        return ids


def _one_county(app: Flask) -> None:
    """Make the board one county's (外镇 joins 甲县), so its catalogue is 甲县's to edit."""
    with app.app_context():
        db.session.execute(db.update(Township).values(county="甲县"))
        db.session.commit()


def _audits(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _kind_form(kind: catalogue.RosterKind, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": kind.name, "category": kind.category, "title_words": "、".join(kind.title_words),
        "period": kind.period, "frequency": kind.frequency, "notice_days": "", "head_word": kind.head_word,
        "who": kind.who, "how_much": kind.how_much, "how_to_apply": kind.how_to_apply,
        "standards": "\n".join(f"{s.label}|{s.unit}" for s in kind.standards),
    }
    for key in ("household_size", "quantity", "rate", "reason", "paid_on", "amount"):
        data[f"col_{key}"] = kind.label(key) or ""
    data.update(changes)
    return data


# The catalogue ------------------------------------------------------------------------------

def test_a_county_admin_sets_the_county_minimum_and_frequency_for_every_township(app: Flask, client,
                                                                                 place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    _one_county(app)
    login_as(client, ids["county_a"])
    page = client.get("/admin/catalogue").text
    assert "县级最少公示天数" in page and "本乡镇公示期" not in page
    assert client.post("/admin/catalogue/categories/finance", data={"notice_days": "0", "frequency": "monthly"}
                       ).status_code == 400
    saved = client.post("/admin/catalogue/categories/finance", data={"notice_days": "12", "frequency": "monthly"})
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.execute(select(CatalogueCategory).where(CatalogueCategory.code == "finance")).scalar_one()
        assert (row.min_notice_days, row.frequency) == (12, "monthly")
        for township in db.session.execute(select(Township)).scalars():
            assert rules.min_notice_days(township, "finance") == 12 and rules.frequency(township, "finance") == "monthly"
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.category_update")
                                   ).scalar_one()
        assert entry.user_id == ids["county_a"] and entry.entity == "catalogue_category"
        assert entry.before == {"category": "finance", "min_notice_days": 7, "frequency": "quarterly"}
        assert entry.after == {"category": "finance", "min_notice_days": 12, "frequency": "monthly"}
    # A kind's minimum: lengthened by the county, never below its category's.
    with app.app_context():
        dibao = catalogue.ROSTER_KINDS["dibao"]
    short = client.post("/admin/catalogue/kinds/dibao", data=_kind_form(dibao, notice_days="5"))
    assert short.status_code == 400 and "不能短于所属公开类别的7天" in short.text
    longer = client.post("/admin/catalogue/kinds/dibao", data=_kind_form(dibao, notice_days="9", name="城乡低保"))
    assert longer.status_code == 302
    with app.app_context():
        kind = db.session.execute(select(CatalogueKind).where(CatalogueKind.code == "dibao")).scalar_one()
        assert (kind.min_notice_days, kind.name) == (9, "城乡低保")
        assert rules.min_notice_days(db.session.get(Township, ids["west"]), "assistance", "dibao") == 9
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.kind_update")).scalar_one()
        assert entry.before["min_notice_days"] == 7 and entry.after["min_notice_days"] == 9


def test_a_township_admin_reads_the_county_settings_and_cannot_post_them(app: Flask, client, place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    _one_county(app)
    login_as(client, ids["admin1"])
    page = client.get("/admin/catalogue").text
    assert "由县级管理员统一维护" in page and "新增名单类型" not in page and 'name="frequency"' not in page
    kind_page = client.get("/admin/catalogue/kinds/dibao").text
    assert "县级公开目录的规定（只读）" in kind_page and "由县级管理员统一维护" in kind_page
    assert 'name="title_words"' not in kind_page and 'name="notice_days"' in kind_page
    before = _audits(app)
    with app.app_context():
        dibao = catalogue.ROSTER_KINDS["dibao"]
    assert client.post("/admin/catalogue/kinds/dibao", data=_kind_form(dibao, name="改名")).status_code == 403
    assert client.post("/admin/catalogue/kinds/new", data=_kind_form(dibao, code="xin", title_words="新词")
                       ).status_code == 403
    assert client.get("/admin/catalogue/kinds/new").status_code == 403
    assert client.post("/admin/catalogue/categories/finance", data={"notice_days": "30", "frequency": "monthly"}
                       ).status_code == 403
    # A standard the county has not defined is the county's to add.
    unknown = client.post("/admin/catalogue/kinds/dibao/township", data={"standards": "低保边缘标准|元/人·月|900"})
    assert unknown.status_code == 400 and "不是县级公开目录为城乡低保规定的标准" in unknown.text
    assert _audits(app) == before
    with app.app_context():
        assert catalogue.ROSTER_KINDS["dibao"].name == "城乡低保"
        assert catalogue.CATEGORIES["finance"].min_notice_days == 7
    # The service refuses too, whoever calls it.
    with app.app_context():
        admin = db.session.get(User, ids["admin1"])
        with pytest.raises(ServiceError, match="由县级管理员统一维护"):
            from disclosure.services import catalogue as catalogue_service

            catalogue_service.save_category(admin, "finance", notice_days=30, frequency="monthly")
    # A county admin does not set a township's own period or amounts.
    login_as(client, ids["county_a"])
    assert client.post("/admin/catalogue/kinds/dibao/township", data={"notice_days": "30"}).status_code == 403
    assert client.post("/admin/catalogue/categories/finance/township", data={"notice_days": "30"}).status_code == 403


def test_a_board_of_two_counties_refuses_either_county_the_shared_catalogue(app: Flask, client, place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    before = _audits(app)
    with app.app_context():
        dibao = catalogue.ROSTER_KINDS["dibao"]
    for county in ("county_a", "county_b"):
        login_as(client, ids[county])
        page = client.get("/admin/catalogue").text
        assert "公开目录由各县共用，县级管理员不能单独修改" in page
        refused = client.post("/admin/catalogue/categories/finance", data={"notice_days": "3", "frequency": "at_once"})
        assert refused.status_code == 400 and "公开目录由各县共用" in refused.text
        refused = client.post("/admin/catalogue/kinds/dibao", data=_kind_form(dibao, name="乙县低保"))
        assert refused.status_code == 400 and "公开目录由各县共用" in refused.text
    assert _audits(app) == before
    with app.app_context():
        assert catalogue.ROSTER_KINDS["dibao"].name == "城乡低保"
        assert catalogue.CATEGORIES["finance"].frequency == "quarterly"


# Accounts -----------------------------------------------------------------------------------

def test_a_county_admin_manages_its_countys_township_admins_only(app: Flask, client, place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    login_as(client, ids["county_a"])
    listed = client.get("/admin/users").text
    assert "admin1" in listed and "admin-west" in listed and "admin-b" not in listed and "clerk1" not in listed
    form = client.get("/admin/users/new").text
    assert "河西镇" in form and "外镇" not in form and 'name="village"' not in form
    made = client.post("/admin/users/new", data={"username": "hexi-2", "display_name": "河西镇管理员", "role":
                                                 "township_admin", "township": str(ids["west"]), "password": "abc123def456"})
    assert made.status_code == 302
    for role, township in (("township_admin", ids["other"]), ("clerk", ids["west"]), ("county_admin", ids["west"])):
        refused = client.post("/admin/users/new", data={"username": "x-1", "display_name": "x", "role": role,
                                                        "township": str(township), "password": "abc123def456"})
        assert refused.status_code == 400
    assert client.post(f"/admin/users/{ids['admin_west']}/active").status_code == 302
    for outside in ("admin_b", "clerk1", "county_b"):
        assert client.post(f"/admin/users/{ids[outside]}/active").status_code == 404
        assert client.get(f"/admin/users/{ids[outside]}/password").status_code == 404
    with app.app_context():
        made = db.session.execute(select(User).where(User.username == "hexi-2")).scalar_one()
        assert (made.role, made.township_id, made.village_id) == (Role.TOWNSHIP_ADMIN, ids["west"], None)
        assert not db.session.get(User, ids["admin_west"]).is_active_account
        assert db.session.get(User, ids["admin_b"]).is_active_account
        assert db.session.execute(select(User).where(User.username == "x-1")).first() is None
        actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.user_id == ids["county_a"])).scalars()
        assert set(actions) == {"user.create", "user.deactivate"}


def test_a_township_admin_cannot_see_or_make_a_county_admin(app: Flask, client, place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    login_as(client, ids["admin1"])
    assert "county-a" not in client.get("/admin/users").text
    assert "县级管理员" not in client.get("/admin/users/new").text
    assert client.post(f"/admin/users/{ids['county_a']}/active").status_code == 404
    refused = client.post("/admin/users/new", data={"username": "boss", "display_name": "x", "role": "county_admin",
                                                    "password": "abc123def456"})
    assert refused.status_code == 400
    with app.app_context():
        admin = db.session.get(User, ids["admin1"])
        with pytest.raises(ServiceError, match="您无权创建这个账号"):
            users.create_user(username="boss", display_name="x", password=PASSWORD, role=Role.COUNTY_ADMIN,
                              township=admin.township, actor=admin)
        assert db.session.get(User, ids["county_a"]).is_active_account


def test_flask_users_create_makes_a_county_admin_of_a_township_with_a_county(app: Flask, place) -> None:  # noqa: ANN001
    runner = app.test_cli_runner()
    args = ["users", "create", "--username", "xian", "--name", "县农业农村局", "--role", "county_admin", "--township", "t1"]
    refused = runner.invoke(args=args, input="abc123def456\nabc123def456\n")
    assert refused.exit_code != 0 and "没有填写所属县" in refused.output
    with app.app_context():
        db.session.get(Township, place["township"]).county = "甲县"
        db.session.commit()
    made = runner.invoke(args=args, input="abc123def456\nabc123def456\n")
    assert made.exit_code == 0 and "已创建 xian（县级管理员）" in made.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "xian")).scalar_one()
        assert user.role == Role.COUNTY_ADMIN and user.village_id is None


# Dashboard and the rest of the staff side ----------------------------------------------------

def test_a_county_admin_sees_the_countys_dashboard_read_only(app: Flask, client, place) -> None:  # noqa: ANN001
    ids = _counties(app, place)
    with app.app_context():
        from disclosure import periods
        from disclosure.services import notices

        clerk = db.session.get(User, ids["clerk1"])
        notice = notices.create_draft(clerk.village, clerk, category="finance", title="一村财务",
                                      period=periods.quarter(2025, 3))
        db.session.commit()
        notice_id = notice.id
    login_as(client, ids["county_a"])
    assert client.get("/admin/").location.endswith("/admin/dashboard")
    page = client.get("/admin/dashboard").text
    assert "甲县村务公开看板" in page and "一村" in page and "河西村" in page and "外村" not in page
    assert "/admin/notices/" not in page
    month = client.get("/admin/dashboard/month?month=2025-07")
    assert month.status_code == 200 and "河西镇河西村" in month.text and "外村" not in month.text
    export = client.get("/admin/dashboard.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    # It drafts, reviews and opens nothing of a village.
    assert client.get(f"/admin/notices/{notice_id}").status_code == 404
    assert client.post(f"/admin/notices/{notice_id}/submit").status_code == 404
    for path in ("/admin/notices/new", "/admin/import", "/admin/flags", "/admin/audit", "/admin/calendar", "/admin/lookups"):
        assert client.get(path).status_code == 403, path
    login_as(client, ids["county_b"])
    page = client.get("/admin/dashboard").text
    assert "外村" in page and "一村" not in page and "河西村" not in page


def test_the_demo_has_a_county_admin(demo_app: Flask) -> None:
    with demo_app.app_context():
        user = db.session.execute(select(User).where(User.username == "county")).scalar_one()
        assert user.role == Role.COUNTY_ADMIN and user.township.county == "示范县"
    client = login_as(demo_app.test_client(), user.id)
    page = client.get("/admin/dashboard").text
    assert "示范县村务公开看板" in page and "县级管理员" in page
    nav = page[page.index('aria-label="主菜单"'):page.index("</nav>")]
    assert "县级看板" in nav and "公开目录" in nav and "乡镇管理员" in nav and "新建公示" not in nav


def test_a_county_admins_label_and_is_county_admin() -> None:
    assert Role.COUNTY_ADMIN.label == "县级管理员" and Role("county_admin") is Role.COUNTY_ADMIN
