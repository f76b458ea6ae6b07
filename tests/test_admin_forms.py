"""Every form on every staff page, as the server renders it, posts what its
view reads. Browsers post every control of a form in document order and only
the pressed submit button; ``request.form.get(name)`` returns the first value.
So a hidden input (``hidden_tag()``) or any other control that shares its name
with a submit button is posted first and hides which button was pressed: the
review form once sent ``decision=&decision=approve`` and 审核通过 answered 400.

The walk covers every GET page of the admin blueprint (a new page without
sample arguments fails here until it is listed), as several roles, on the
demo township with CSRF enabled, so each state of a notice shows its forms."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from disclosure import jobs
from disclosure.extensions import db
from disclosure.models import Document, InfoRequest, Notice, Question, RedFlag, User, Village
from tests.conftest import login_as
from tests.helpers.admin_world import demo_township

#: GET endpoints that answer with a file or JSON, not a page with forms.
NOT_PAGES = {
    "admin.home", "admin.login", "admin.dashboard_export", "admin.notice_export", "admin.print_batch_status",
    "admin.print_batch_download", "admin.print_card", "admin.print_notice", "admin.print_notice_pdf",
    "admin.print_stickers", "admin.voucher_image", "admin.voucher_thumb", "admin.attachment_file",
    "admin.attachment_page",
}
#: Who sees which forms in the demo: the township's pages; a draft's entry forms
#: and photo uploads (东风村); photo visibility; the review form (红旗村 has a
#: submitted notice); the publish form (石桥村 has an approved one).
ROLES = ("county", "admin", "clerk-dongfeng", "supervisor-dongfeng", "supervisor-hongqi", "clerk-shiqiao")
SUBMIT_TYPES = {"submit", "image"}
GROUPED_TYPES = {"radio", "checkbox"}


class Forms(HTMLParser):
    """The controls of each <form>: (tag, type, name, value) in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "controls": []}
            self.forms.append(self._current)
        elif tag in ("input", "button", "select", "textarea") and self._current is not None:
            default = "submit" if tag == "button" else ("text" if tag == "input" else tag)
            kind = (a.get("type") or default).lower()
            self._current["controls"].append((tag, kind, a.get("name", ""), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def form_problems(html: str, *, csrf: bool = True) -> list[str]:
    """What a browser would post ambiguously, per form; with ``csrf``, also
    a POST form without its token (refused as 页面已过期 when served, while
    the tests, which run without CSRF, pass)."""
    parser = Forms()
    parser.feed(html)
    problems = []
    for form in parser.forms:
        controls = form["controls"]
        submits = [c for c in controls if c[1] in SUBMIT_TYPES]
        fields = [c for c in controls if c[1] not in SUBMIT_TYPES | {"button", "reset"} and c[2]]
        single = [c[2] for c in fields if c[1] not in GROUPED_TYPES]
        where = form["action"] or "(this page)"
        if csrf and form["method"] == "post" and ("hidden", "csrf_token") not in {(c[1], c[2]) for c in controls}:
            problems.append(f"{where}: a POST form without a csrf_token")
        for name in sorted({n for n in single if single.count(n) > 1}):
            problems.append(f"{where}: {single.count(name)} controls named {name!r}; the view reads only the first")
        field_names = {c[2] for c in fields}
        for tag, kind, name, _ in submits:
            if name and name in field_names:
                problems.append(f"{where}: submit button {name!r} shares its name with another control "
                                "(posted first, it hides which button was pressed)")
        if len(submits) > 1:
            pressed = [(c[2], c[3]) for c in submits]
            if any(not name for name, _ in pressed) or len(set(pressed)) < len(pressed):
                problems.append(f"{where}: {len(submits)} submit buttons the view cannot tell apart")
    return problems


def test_checker_finds_the_review_defect() -> None:
    old_review_form = """
      <form method="post" action="/admin/notices/1/review">
        <input id="csrf_token" name="csrf_token" type="hidden" value="x">
        <input id="decision" name="decision" type="hidden" value="">
        <textarea name="comment"></textarea>
        <button type="submit" name="decision" value="approve">审核通过</button>
        <button type="submit" name="decision" value="reject">退回修改</button>
      </form>"""
    assert len(form_problems(old_review_form)) == 2
    assert form_problems('<form method="post" action="/z"><button>好</button></form>') == [
        "/z: a POST form without a csrf_token"]
    two_unnamed = '<form action="/x"><button>甲</button><button type="submit">乙</button></form>'
    assert form_problems(two_unnamed) == ["/x: 2 submit buttons the view cannot tell apart"]
    fine = """<form action="/y"><input type="hidden" name="csrf_token" value="t">
      <input type="radio" name="what" value="a"><input type="radio" name="what" value="b">
      <input type="submit" name="approve" value="审核通过"><input type="submit" name="reject" value="退回修改"></form>"""
    assert form_problems(fine) == []


@pytest.fixture(scope="module")
def staff_pages_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo township with CSRF on (as served), plus a batch print job."""
    with demo_township("board_forms", tmp_path_factory.mktemp("forms"), WTF_CSRF_ENABLED=True) as app:
        with app.app_context():
            admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
            jobs.create_job(admin, f"{dt.date.today():%Y-%m}", qr_base="http://localhost/",
                            host_url="http://localhost/")
            db.session.commit()
            db.session.remove()
        yield app


def sample_urls(app: Flask) -> list[str]:
    """Every staff page, with arguments that show each state of each kind of object."""
    with app.app_context():
        notices = db.session.execute(select(Notice).order_by(Notice.id)).scalars().all()
        one_per_state: dict[tuple, int] = {}
        for n in notices:
            one_per_state.setdefault((n.village_id, n.status, n.category, n.supersedes_id is not None), n.id)
        samples = {
            "notice_id": sorted(one_per_state.values()),
            "question_id": db.session.execute(select(Question.id)).scalars().all(),
            "request_id": db.session.execute(select(InfoRequest.id)).scalars().all(),
            "flag_id": db.session.execute(select(RedFlag.id)).scalars().all(),
            "user_id": db.session.execute(select(User.id).limit(2)).scalars().all(),
            "job_id": [1],
            "village_id": db.session.execute(select(Village.id)).scalars().all(),
            "doc_id": db.session.execute(select(Document.id)).scalars().all(),
            "code": ["dibao", "gengdi", "zhengdi"],  # catalogue kinds: with and without standards, per 亩
        }
        db.session.remove()
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            args = sorted(rule.arguments)
            missing = [a for a in args if a not in samples]
            assert not missing, f"{rule.endpoint}: give sample values for {missing} in sample_urls()"
            if not args:
                urls.append(url_for(rule.endpoint))
            for arg in args:  # every page takes at most one id today
                urls.extend(url_for(rule.endpoint, **{arg: value}) for value in samples[arg])
    return urls


@pytest.fixture(scope="module")
def staff_pages(staff_pages_app: Flask) -> list[tuple[str, str, str]]:
    """(username, url, html) of every staff page each role may open."""
    urls = sample_urls(staff_pages_app)
    with staff_pages_app.app_context():
        users = {u.username: u.id for u in db.session.execute(select(User).where(User.username.in_(ROLES))).scalars()}
        db.session.remove()
    pages = []
    for username in ROLES:
        client = login_as(staff_pages_app.test_client(), users[username])
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, f"{username} {url}: {response.status_code}"
            if response.status_code == 200 and response.mimetype == "text/html":
                pages.append((username, url, response.get_data(as_text=True)))
    return pages


def test_no_staff_form_hides_its_pressed_button(staff_pages: list[tuple[str, str, str]]) -> None:
    found: dict[str, set[str]] = {}
    for username, url, html in staff_pages:
        for problem in form_problems(html):
            found.setdefault(problem, set()).add(f"{username} {url}")
    assert not found, "\n".join(f"{p}  [{', '.join(sorted(where)[:3])}]" for p, where in found.items())
    assert len(staff_pages) > 60 and sum(html.count("<form") for _, _, html in staff_pages) > 100
    assert any("/review" in html for _, _, html in staff_pages), "the walk missed a submitted notice"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/admin/"):
            self.hrefs.add(href.split("#")[0])


def test_no_staff_link_leads_to_a_refusal(staff_pages_app: Flask, staff_pages: list[tuple[str, str, str]]) -> None:
    """A link shown to a person opens for that person: no 403/404 dead end
    (a supervisor once saw 从 Excel 导入 on an empty draft)."""
    links: dict[str, dict[str, str]] = {}  # one link of each shape (/admin/notices/N) per person
    for username, url, html in staff_pages:
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            if not href.endswith((".pdf", ".xlsx")) and "/download" not in href:  # files: their own tests
                links.setdefault(username, {}).setdefault(re.sub(r"\d+", "N", href), href)
    with staff_pages_app.app_context():
        users = {u.username: u.id for u in db.session.execute(select(User).where(User.username.in_(ROLES))).scalars()}
        db.session.remove()
    dead = []
    for username, hrefs in links.items():
        client = login_as(staff_pages_app.test_client(), users[username])
        dead += [f"{username} {href}: {code}" for href in sorted(hrefs.values())
                 if (code := client.get(href).status_code) >= 400]
    assert not dead, dead
    assert sum(len(h) for h in links.values()) > 50


def test_review_buttons_post_only_the_pressed_one(staff_pages_app: Flask) -> None:
    """The review form as rendered, posted the way Chromium posts it."""
    with staff_pages_app.app_context():
        sup = db.session.execute(select(User).where(User.username == "supervisor-hongqi")).scalar_one().id
        notice_id = db.session.execute(select(Notice.id).join(Village).where(
            Village.code == "hongqi", Notice.status == "submitted")).scalars().first()
        db.session.remove()
    client = login_as(staff_pages_app.test_client(), sup)
    parser = Forms()
    parser.feed(client.get(f"/admin/notices/{notice_id}").get_data(as_text=True))
    review = next(f for f in parser.forms if f["action"].endswith("/review"))
    hidden = [(c[2], c[3]) for c in review["controls"] if c[1] == "hidden"]
    approve = next((c[2], c[3]) for c in review["controls"] if c[1] in SUBMIT_TYPES and c[3] == "审核通过")
    reject = next((c[2], c[3]) for c in review["controls"] if c[1] in SUBMIT_TYPES and c[3] == "退回修改")
    both = client.post(review["action"], data=MultiDict([*hidden, ("comment", "?"), approve, reject]))
    assert both.status_code == 400 and "请选择审核通过或退回修改" in both.get_data(as_text=True)
    response = client.post(review["action"], data=MultiDict([*hidden, ("comment", "账目清楚"), approve]))
    assert response.status_code == 302, response.get_data(as_text=True)
    with staff_pages_app.app_context():
        assert db.session.get(Notice, notice_id).status.value == "approved"
        db.session.remove()
