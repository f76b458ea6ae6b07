"""Deny by default, proven over app.url_map: every /admin route (but the login
page) sends anonymous users to the login page, and every route that takes an
object id refuses staff of another village and of another township, and
writes nothing for them. Routes added later are covered automatically; a
route with a URL parameter this test does not know fails until the parameter
is added to PARAMS below (so nobody can ship one untested)."""

from __future__ import annotations

import pytest
from flask import Flask

from disclosure.models import Role
from tests.conftest import login_as
from tests.helpers.admin_world import audit_count
from tests.helpers.admin_world import build_world as _build_world


def build_world(app: Flask, place: dict[str, int]) -> dict[str, int]:
    """The admin world plus a decision draft in v1 with one meeting (四议) and
    an attachment on the finance draft."""
    import datetime as dt

    from disclosure import periods
    from disclosure.extensions import db
    from disclosure.models import User
    from disclosure.services import decisions, notices, workcalendar

    world = _build_world(app, place)
    with app.app_context():
        clerk = db.session.get(User, world["clerk1"])
        notice = notices.create_draft(clerk.village, clerk, category="major", title="一村修路决议",
                                      period=periods.year(2025))
        decisions.set_decision(notice, clerk, subject="修路", stage="resolution")
        meeting = decisions.add_meeting(notice, clerk, decisions.MeetingInput("proposal", dt.date(2025, 6, 1), 7, 7),
                                        today=dt.date(2025, 7, 1))
        [day] = workcalendar.enter_days(db.session.get(User, world["admin1"]), start=dt.date(2027, 1, 1), end=None,
                                        kind="holiday", name="元旦", today=dt.date(2026, 12, 1))
        from disclosure import attachments
        from disclosure.models import Notice
        from tests.helpers.attachment_files import pdf_bytes

        finance = db.session.get(Notice, world["finance"])
        attachment = attachments.add(finance, clerk, pdf_bytes(pages=1), filename="合同.pdf", title="合同")
        # Two counties: t1 in 甲县 with its county admin, t2 (外镇) in 乙县 with its own.
        from disclosure.models import Township
        from disclosure.services import users

        t1, t2 = db.session.get(Township, place["township"]), db.session.get(Township, world["township2"])
        t1.county, t2.county = "甲县", "乙县"
        county = {name: users.create_user(username=name, display_name=name, password="test-pass-123",
                                          role=Role.COUNTY_ADMIN, township=t).id
                  for name, t in (("county1", t1), ("county2", t2))}
        db.session.commit()
        world.update(decision=notice.id, meeting=meeting.id, calendar_day=day.id, attachment=attachment.id, **county)
    return world

#: URL parameter → the world key of an object in village v1 / township t1.
PARAMS = {
    "notice_id": "finance", "line_id": "ledger_line", "voucher_id": "voucher", "user_id": "clerk1",
    "fund_id": "fund", "question_id": "question", "request_id": "info_request", "flag_id": "flag",
    "entry_id": "cadre", "job_id": "job", "village_id": "v1", "day_id": "calendar_day",
    "attachment_id": "attachment", "doc_id": "document",
}
#: URL parameters that are not ids: a fixed value.
LITERALS = {"kind": "gengdi", "page_no": 1, "code": "dibao"}
#: Some routes need the object of their own kind for the insider check to be meaningful.
BY_ENDPOINT_WORD = {
    "roster": {"notice_id": "roster", "line_id": "roster_line"},
    "asset": {"notice_id": "assets", "line_id": "asset_line"},
    "fund": {"notice_id": "project"},
    "project": {"notice_id": "project"},
    "decision": {"notice_id": "decision"},
    "meeting": {"notice_id": "decision", "meeting_id": "meeting"},
}
#: Routes with a parameter that is not an object of one village (explain why).
NOT_SCOPED: dict[str, str] = {
    "admin.calendar_delete": "holiday days are national, not a village's: any township admin may correct one "
                             "(audited); village staff are refused (tests/test_workcalendar.py)",
    "admin.catalogue_kind_edit": "the catalogue is the county's, not a village's: the county admin edits it (audited), "
                                 "everyone else is refused (test_catalogue_routes_by_role below)",
    "admin.catalogue_category_save": "the catalogue is the county's, not a village's (test_catalogue_routes_by_role)",
    "admin.catalogue_kind_township": "the township's own period and amounts: its township admin only "
                                     "(test_catalogue_routes_by_role)",
    "admin.catalogue_category_lengthen": "the township's own period: its township admin only "
                                         "(test_catalogue_routes_by_role)",
}
#: GET routes where even an insider may get 404 for the test object (explain why).
INSIDER_MAY_404 = {"admin.print_batch_download": "the test print job has no file yet"}
PUBLIC = {"admin.login", "admin.static"}


def admin_rules(app: Flask) -> list:
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and r.endpoint not in PUBLIC),
                  key=lambda r: r.rule)


def methods(rule) -> list[str]:  # noqa: ANN001
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def fill(rule, world: dict[str, int]) -> dict[str, object] | None:  # noqa: ANN001
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name in LITERALS:
            values[name] = LITERALS[name]
            continue
        key = PARAMS.get(name)
        for word, override in BY_ENDPOINT_WORD.items():
            if word in rule.endpoint.split(".")[-1] and name in override:
                key = override[name]
        if key is None:
            return None
        values[name] = world[key]
    return values


def call(client, method: str, url: str):  # noqa: ANN001, ANN201
    return client.get(url) if method == "GET" else client.post(url, data={})


def test_every_admin_route_is_known_and_protected(app: Flask, place: dict[str, int]) -> None:
    world = build_world(app, place)
    rules = admin_rules(app)
    assert len(rules) > 30  # the walk really sees the staff side
    failures: list[str] = []
    unknown = [f"{r.endpoint}: {sorted(set(r.arguments) - set(PARAMS) - set(LITERALS))}" for r in rules
               if r.arguments and fill(r, world) is None and r.endpoint not in NOT_SCOPED]
    assert not unknown, "URL parameters without a test object; add them to PARAMS: " + "; ".join(unknown)

    anonymous = app.test_client()
    for rule in rules:
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **(fill(rule, world) or {}))
        for method in methods(rule):
            response = call(anonymous, method, url)
            if response.status_code != 302 or "/admin/login" not in response.location:
                failures.append(f"anonymous {method} {url} → {response.status_code}")
    assert not failures, "\n".join(failures)


#: A county admin drafts, reviews and opens nothing of a village, not even in its own county
#: (county1: 甲县, the insiders' county; county2: 乙县).
@pytest.mark.parametrize("outsider", ["clerk2", "sup2", "admin2", "county1", "county2"])
def test_village_scoped_routes_refuse_outsiders(app: Flask, place: dict[str, int], outsider: str) -> None:
    world = build_world(app, place)
    insider = login_as(app.test_client(), world["admin1"])
    client = login_as(app.test_client(), world[outsider])
    failures: list[str] = []
    checked = 0
    for rule in admin_rules(app):
        if not rule.arguments or rule.endpoint in NOT_SCOPED:
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **fill(rule, world))
        for method in methods(rule):
            if method == "GET":  # the ids are real: the township admin of v1 is not refused
                own = insider.get(url)
                if own.status_code == 403 or (own.status_code == 404 and rule.endpoint not in INSIDER_MAY_404):
                    failures.append(f"insider GET {url} → {own.status_code} (test object wrong?)")
            before = audit_count(app)
            response = call(client, method, url)
            checked += 1
            if response.status_code not in (403, 404):
                failures.append(f"{outsider} {method} {url} → {response.status_code}")
            if audit_count(app) != before:
                failures.append(f"{outsider} {method} {url} wrote to the database")
    assert checked > 25
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/audit"])
@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
def test_township_admin_pages_refuse_village_staff(client, make_user, path: str, role: Role) -> None:  # noqa: ANN001
    login_as(client, make_user(role))
    assert client.get(path).status_code == 403


def test_supervisor_cannot_open_drafting_pages(client, make_user) -> None:  # noqa: ANN001
    login_as(client, make_user(Role.SUPERVISOR))
    assert client.get("/admin/notices/new").status_code == 403
    assert client.get("/admin/import").status_code == 403


def _catalogue_state(app: Flask) -> tuple:
    from disclosure.extensions import db
    from disclosure.models import CatalogueCategory, CatalogueKind, Township

    with app.app_context():
        kinds = db.session.execute(db.select(CatalogueKind.code, CatalogueKind.name, CatalogueKind.min_notice_days)
                                   .order_by(CatalogueKind.code)).all()
        categories = db.session.execute(db.select(CatalogueCategory.code, CatalogueCategory.min_notice_days,
                                                  CatalogueCategory.frequency).order_by(CatalogueCategory.code)).all()
        settings = db.session.execute(db.select(Township.id, Township.settings).order_by(Township.id)).all()
        return tuple(map(tuple, kinds)), tuple(map(tuple, categories)), tuple((i, repr(s)) for i, s in settings)


def test_catalogue_routes_by_role(app: Flask, place: dict[str, int]) -> None:
    """Every catalogue route (every admin route whose endpoint names the catalogue, so a new one is
    covered), posted by each role: village staff are refused everything; a township admin the county's
    forms (its own forms save); a county admin the township's forms; and on this board of two counties either county's admin
    is refused the shared catalogue. Nobody's refused post changes the catalogue, a township's settings
    or the audit log."""
    world = build_world(app, place)
    catalogue_rules = [r for r in admin_rules(app) if ".catalogue" in r.endpoint]
    assert len(catalogue_rules) >= 6
    county_forms = {"admin.catalogue_kind_edit", "admin.catalogue_kind_new", "admin.catalogue_category_save"}
    township_forms = {"admin.catalogue_kind_township", "admin.catalogue_category_lengthen"}
    assert {r.endpoint for r in catalogue_rules if "POST" in r.methods} == county_forms | township_forms
    failures = []
    for who in ("clerk1", "sup1", "admin1", "admin2", "county1", "county2"):
        client = login_as(app.test_client(), world[who])
        for rule in catalogue_rules:
            values = fill(rule, world) or {}
            if "category" in rule.endpoint:
                values["code"] = "finance"
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **values)
            for method in methods(rule):
                before, state = audit_count(app), _catalogue_state(app)
                data = {"notice_days": "30", "frequency": "monthly", "name": "改名", "code": "xin", "standards": ""}
                response = client.get(url) if method == "GET" else client.post(url, data=data)
                code = response.status_code
                if who in ("clerk1", "sup1"):
                    allowed = False
                elif who.startswith("admin"):  # the county's pages read-only, the township's forms
                    allowed = rule.endpoint in township_forms if method == "POST" else \
                        rule.endpoint != "admin.catalogue_kind_new"
                else:  # a county admin: may open every page, but this board's catalogue is not one county's
                    allowed = method == "GET"
                    if method == "POST" and rule.endpoint in county_forms and code == 400:
                        if "公开目录由各县共用" not in response.get_data(as_text=True):
                            failures.append(f"{who} POST {url}: refused without the reason")
                        code = 403  # refused with the reason, next to the form
                if allowed and code != (302 if method == "POST" else 200):
                    failures.append(f"{who} {method} {url} → {code} (should open)")
                if not allowed and code not in (403, 404):
                    failures.append(f"{who} {method} {url} → {code} (should be refused)")
                if not allowed and (audit_count(app) != before or _catalogue_state(app) != state):
                    failures.append(f"{who} {method} {url} changed the catalogue")
    assert not failures, "\n".join(failures)


def test_a_county_admin_manages_only_its_own_countys_township_admins(app: Flask, place: dict[str, int]) -> None:
    """The user routes as county admins: county1 (甲县) may act on t1's township admin, county2 (乙县)
    on nothing of 甲县; neither on a clerk or on the other county's admin."""
    world = build_world(app, place)
    user_rules = [r for r in admin_rules(app) if "user_id" in r.arguments]
    assert len(user_rules) >= 2
    failures = []
    for who, target, allowed in (("admin1", "county1", False), ("county2", "admin1", False),
                                 ("county1", "admin2", False), ("county1", "clerk1", False),
                                 ("county2", "county1", False), ("county1", "admin1", True)):
        client = login_as(app.test_client(), world[who])
        for rule in user_rules:
            with app.test_request_context():
                url = app.url_for(rule.endpoint, user_id=world[target])
            for method in methods(rule):
                before = audit_count(app)
                response = call(client, method, url)
                ok = response.status_code in (200, 302, 400)  # 400: let in, the empty form refused
                if ok != allowed:
                    failures.append(f"{who} {method} {url} ({target}) → {response.status_code}")
                if not allowed and audit_count(app) != before:
                    failures.append(f"{who} {method} {url} ({target}) wrote to the database")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/catalogue", "/admin/dashboard"])
def test_county_admin_pages_open_for_the_county_admin(app: Flask, place: dict[str, int], path: str) -> None:
    world = build_world(app, place)
    assert login_as(app.test_client(), world["county1"]).get(path).status_code == 200


#: Routes without an object a county admin may post to (their own pages, tested above and in test_county.py).
COUNTY_OWN_POSTS = {"admin.logout", "admin.password_change", "admin.user_new", "admin.catalogue_kind_new"}


def test_a_county_admin_writes_nothing_through_the_other_staff_forms(app: Flask, place: dict[str, int]) -> None:
    """Every POST route without an object (new notice, import, info request, library, calendar,
    red-flag run, batch print …), posted by a county admin with plausible data: refused or
    re-shown, never written (no audit entry, no new notice, document or request)."""
    from disclosure.extensions import db
    from disclosure.models import Document, InfoRequest, Notice

    world = build_world(app, place)
    client = login_as(app.test_client(), world["county1"])

    def rows() -> tuple[int, ...]:
        with app.app_context():
            return tuple(db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
                         for m in (Notice, Document, InfoRequest))

    failures, checked = [], 0
    data = {"village": str(world["v1"]), "village_id": str(world["v1"]), "category": "finance", "title": "县里起草",
            "year": "2025", "quarter": "3", "month": "7", "subject": "租金", "requester": "王五", "kind": "村规民约",
            "scope": str(world["v1"]), "body": "x", "effective_on": "2025-01-01", "received_on": "2025-10-08",
            "start": "2027-02-01", "name": "春节", "month_key": "2025-10"}
    for rule in admin_rules(app):
        if rule.arguments or "POST" not in rule.methods or rule.endpoint in COUNTY_OWN_POSTS:
            continue
        if rule.endpoint.startswith("admin.catalogue"):
            continue  # test_catalogue_routes_by_role
        before, counted = audit_count(app), rows()
        response = client.post(rule.rule, data=data)
        checked += 1
        if response.status_code not in (400, 403, 404) and not (
                response.status_code == 302 and "/admin/login" not in response.location and audit_count(app) == before):
            failures.append(f"county1 POST {rule.rule} → {response.status_code}")
        if audit_count(app) != before or rows() != counted:
            failures.append(f"county1 POST {rule.rule} wrote to the database")
    assert checked >= 8
    assert not failures, "\n".join(failures)
