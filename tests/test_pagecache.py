"""The page cache of published versions (disclosure/pagecache.py): a strong
ETag from what a page shows, 304 on a repeated request, a new ETag after a
publish, correction or withdrawal, no page shared between villages or
versions, a date change seen at once, and nothing cached that carries a
session, a CSRF token or staff data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure import clock, periods
from disclosure.extensions import cache, db
from disclosure.models import Notice, RosterKey, RosterLine, Status, User, Village
from disclosure.services import notices
from tests.conftest import make_app
from tests.helpers.admin_world import demo_township


@pytest.fixture(scope="module")
def board(worker_dir: Path) -> Iterator[Flask]:
    """The demo township on its own database (these tests publish), CSRF on as in production."""
    with demo_township("board_pagecache", worker_dir / "pagecache", WTF_CSRF_ENABLED=True) as app:
        yield app


def _user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _published(code: str, roster: bool = False) -> int:
    query = select(Notice.id).join(Village).where(Village.code == code, Notice.status == Status.PUBLISHED)
    query = query.where(Notice.roster_kind.is_not(None) if roster else Notice.category == "finance")
    return db.session.execute(query.order_by(Notice.id)).scalars().first()


def _correct(app: Flask, notice_id: int, code: str) -> int:
    """Correct and publish notice ``notice_id`` as its village's clerk and supervisor."""
    with app.app_context():
        clerk, supervisor = _user(f"clerk-{code}"), _user(f"supervisor-{code}")
        old = db.session.get(Notice, notice_id)
        new = notices.start_correction(old, clerk, "金额录入有误，已更正。")
        notices.submit(new, clerk)
        notices.approve(new, supervisor)
        today = clock.china_today()
        notices.publish(new, clerk, today, periods.notice_end(today, 10), today=today)
        db.session.commit()
        return new.id


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_repeated_request_with_the_etag_gets_304_without_a_body(board):
    client = board.test_client()
    with board.app_context():
        notice_id = _published("dongfeng", roster=True)
    for url in ("/kiosk/dongfeng/home", f"/kiosk/notice/{notice_id}", "/m/dongfeng/finance",
                f"/api/notices/{notice_id}.csv", f"/api/notices/{notice_id}", "/feed/dongfeng.atom", "/kiosk/"):
        first = client.get(url)
        etag = first.headers.get("ETag", "")
        assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/"), (url, etag)
        assert first.headers["Cache-Control"] == "no-cache", url  # kept, but asked about every time
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag, url
        assert client.get(url).get_data() == first.get_data(), url  # from the cache: the same bytes
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_printed_pdf_answers_a_conditional_request(board):
    client = board.test_client()
    with board.app_context():
        notice_id = _published("hongqi", roster=True)
    first = client.get(f"/p/{notice_id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    etag = first.headers["ETag"]
    assert client.get(f"/p/{notice_id}.pdf", headers={"If-None-Match": etag}).status_code == 304


def test_a_correction_changes_the_etag_of_both_versions_and_the_village_pages(board):
    client = board.test_client()
    with board.app_context():
        old_id = _published("shiqiao")
    before = {url: client.get(url) for url in (f"/kiosk/notice/{old_id}", "/kiosk/shiqiao/home", "/kiosk/shiqiao",
                                               f"/m/shiqiao/finance", "/api/villages/shiqiao/notices",
                                               f"/m/notice/{old_id}")}
    unrelated = client.get("/kiosk/dongfeng/home").headers["ETag"]
    new_id = _correct(board, old_id, "shiqiao")
    for url, response in before.items():
        after = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert after.status_code == 200 and after.headers["ETag"] != response.headers["ETag"], url
    old_page = client.get(f"/kiosk/notice/{old_id}").get_data(as_text=True)
    assert "已更正" in old_page and f"/kiosk/notice/{new_id}" in old_page
    old_phone = client.get(f"/m/notice/{old_id}").get_data(as_text=True)
    assert "已更正" in old_phone and f"/m/notice/{new_id}" in old_phone
    assert "公示中" in client.get(f"/kiosk/notice/{new_id}").get_data(as_text=True)
    # Another village's pages did not change, so they keep their ETag.
    assert client.get("/kiosk/dongfeng/home", headers={"If-None-Match": unrelated}).status_code == 304


def test_a_withdrawal_changes_the_etag_and_the_state(board):
    client = board.test_client()
    with board.app_context():
        notice_id = _published("hongqi")
    first = client.get(f"/kiosk/notice/{notice_id}")
    with board.app_context():
        notices.withdraw(db.session.get(Notice, notice_id), _user("clerk-hongqi"), "数据重复，撤回。")
        db.session.commit()
    page = client.get(f"/kiosk/notice/{notice_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert page.status_code == 200 and "已撤回" in page.get_data(as_text=True)
    assert page.headers["ETag"] != first.headers["ETag"]


def test_the_cache_does_not_leak_between_villages_or_versions(board):
    client = board.test_client()
    pages = {code: client.get(f"/kiosk/{code}/home") for code in ("dongfeng", "hongqi", "shiqiao")}
    names = {"dongfeng": "东风村", "hongqi": "红旗村", "shiqiao": "石桥村"}
    for code, response in pages.items():
        again = client.get(f"/kiosk/{code}/home")
        assert names[code] in again.get_data(as_text=True)
        assert again.get_data() == response.get_data()
    assert len({r.headers["ETag"] for r in pages.values()}) == 3
    with board.app_context():
        ids = db.session.execute(select(Notice.id).where(Notice.status == Status.PUBLISHED).limit(2)).scalars().all()
        titles = {i: db.session.get(Notice, i).title for i in ids}
    shown = {i: client.get(f"/kiosk/notice/{i}") for i in ids}
    for i, response in shown.items():
        assert titles[i] in client.get(f"/kiosk/notice/{i}").get_data(as_text=True)
        other = next(j for j in ids if j != i)
        # An ETag of one version never answers for another.
        assert client.get(f"/kiosk/notice/{other}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 200
    # Same page on the phone and the kiosk, other host: other keys.
    assert client.get("/m/dongfeng/finance").headers["ETag"] != client.get("/kiosk/dongfeng/finance").headers["ETag"]
    other_host = client.get("/kiosk/dongfeng/home", base_url="http://127.0.0.1/")
    assert other_host.headers["ETag"] != pages["dongfeng"].headers["ETag"]


def test_a_date_change_changes_the_state_shown_and_the_etag(board, monkeypatch):
    client = board.test_client()
    with board.app_context():
        notice_id = _published("dongfeng", roster=True)
        notice_id = _correct(board, notice_id, "dongfeng")
        end = db.session.get(Notice, notice_id).notice_end
    monkeypatch.setattr(clock, "china_today", lambda now=None: end)
    during = client.get(f"/kiosk/notice/{notice_id}")
    assert "公示中" in during.get_data(as_text=True)
    monkeypatch.setattr(clock, "china_today", lambda now=None: end + dt.timedelta(days=1))
    after = client.get(f"/kiosk/notice/{notice_id}", headers={"If-None-Match": during.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != during.headers["ETag"]
    text = after.get_data(as_text=True)
    assert "公示结束" in text and "公示中" not in text


def test_nothing_with_a_session_token_or_staff_data_is_cached(board):
    with board.app_context():
        notice_id = _published("dongfeng", roster=True)
    # The phone question form page carries its CSRF token: no ETag, never shared; the token
    # for the notice page's form is asked for apart (no-store). Neither is kept.
    phone = board.test_client()
    first = phone.get(f"/m/notice/{notice_id}/question")
    assert "csrf_token" in first.get_data(as_text=True) and "ETag" not in first.headers
    stranger = board.test_client().get(f"/m/notice/{notice_id}/question")
    assert "ETag" not in stranger.headers
    assert _token(first.get_data(as_text=True)) != _token(stranger.get_data(as_text=True))
    token = board.test_client().get("/m/form-token")
    assert token.json["csrf_token"] and token.headers["Cache-Control"] == "no-store" and "ETag" not in token.headers
    assert "Access-Control-Allow-Origin" not in token.headers  # another site cannot read it
    # A logged-in clerk: staff pages stay no-store without an ETag; a public page rendered
    # for them is not kept (their session is in the request), and the one kept for
    # everyone else carries no trace of them.
    staff = board.test_client()
    login = staff.post("/admin/login", data={"username": "clerk-dongfeng", "password": board.config["DEMO_PASSWORD"],
                                             "csrf_token": _token(staff.get("/admin/login").get_data(as_text=True))})
    assert login.status_code == 302
    admin = staff.get("/admin/", follow_redirects=True)
    assert admin.status_code == 200 and admin.headers["Cache-Control"] == "no-store" and "ETag" not in admin.headers
    with board.app_context():
        cache.clear()
    for_staff = staff.get("/kiosk/hongqi/projects")
    assert for_staff.status_code == 200 and "ETag" not in for_staff.headers
    anonymous = board.test_client().get("/kiosk/hongqi/projects")
    assert "ETag" in anonymous.headers and "clerk-dongfeng" not in anonymous.get_data(as_text=True)
    assert "退出" not in anonymous.get_data(as_text=True)


def test_writes_nobody_outside_sees_do_not_bump_the_village(board):
    with board.app_context():
        village = db.session.execute(select(Village).where(Village.code == "hongqi")).scalar_one()
        rev = village.public_rev
        clerk = _user("clerk-hongqi")
        draft = notices.create_draft(village, clerk, category="finance", period=periods.year(2019), title="草稿")
        db.session.commit()
        notices.update_draft(draft, clerk, title="草稿二", body="")
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Village, village.id).public_rev == rev  # drafts are nobody's business
        village.supervision_phone = "0851-7654321"
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Village, village.id).public_rev == rev + 1  # the phone is on every page


def test_redis_is_the_cache_when_redis_url_is_set(worker_dir):
    app = make_app("sqlite://", worker_dir / "redis-instance", REDIS_URL="redis://127.0.0.1:6399/0")
    assert app.config["CACHE_TYPE"] == "RedisCache" and app.config["CACHE_REDIS_URL"] == "redis://127.0.0.1:6399/0"
    plain = make_app("sqlite://", worker_dir / "plain-instance")
    assert plain.config["CACHE_TYPE"] == "SimpleCache"


def test_keypad_keys_follow_the_lines(board):
    """Every roster line has its keypad alternatives in roster_keys (the search's index)."""
    with board.app_context():
        line = db.session.execute(select(RosterLine).where(RosterLine.initials.contains(" ")).limit(1)).scalar()
        line = line or db.session.execute(select(RosterLine).limit(1)).scalar_one()
        keys = set(db.session.execute(select(RosterKey.key).where(RosterKey.line_id == line.id)).scalars())
        assert keys == set(line.initials.split())
        lines = db.session.execute(select(RosterLine.id)).scalars().all()
        keyed = set(db.session.execute(select(RosterKey.line_id)).scalars())
        assert keyed == {i for i in lines}


def test_the_phone_notice_page_is_shared_from_the_cache_and_its_form_needs_the_visitors_own_token(board):
    """The phone notice page holds the 我有疑问 form without a token (static/common/ask.js fetches
    the visitor's own from /m/form-token): one rendering serves every visitor, and a POST still
    needs the token of its own session."""
    from disclosure.models import Question
    from tests.test_query_budget import Recorder

    with board.app_context():
        notice_id = _published("hongqi", roster=True)
        asked = db.session.execute(select(db.func.count()).select_from(Question)).scalar_one()
        cache.clear()
    url = f"/m/notice/{notice_id}"
    first_visitor, other = board.test_client(), board.test_client()
    other_token = other.get("/m/form-token").json["csrf_token"]  # the other visitor has a session of their own
    recorder = Recorder(board)
    try:
        rendered = first_visitor.get(url)
        rendered_queries = len(recorder.statements)
        served = other.get(url)
        served_queries = len(recorder.statements) - rendered_queries
    finally:
        recorder.close()
    html = rendered.get_data(as_text=True)
    assert rendered.status_code == 200 and 'data-token-url="/m/form-token"' in html and 'id="ask-page-link"' in html
    assert "csrf_token" not in html  # nobody's token in a shared page
    assert served.get_data() == rendered.get_data() and served.headers["ETag"] == rendered.headers["ETag"]
    assert rendered_queries > 3 and served_queries <= 1, (rendered_queries, served_queries)  # at most the revision
    assert other.get(url, headers={"If-None-Match": rendered.headers["ETag"]}).status_code == 304

    post = f"/m/notice/{notice_id}/question"
    fields = {"kind": "objection", "concern": "名单有误", "text": "第2组的名单少了一户", "contact": ""}
    forged = first_visitor.post(post, data=fields)  # the page's form as it is, no token: refused
    assert forged.status_code == 400 and "页面已过期" in forged.get_data(as_text=True)
    # Another session's token is refused too: a token belongs to its session.
    assert first_visitor.post(post, data={**fields, "csrf_token": other_token}).status_code == 400
    with board.app_context():
        assert db.session.execute(select(db.func.count()).select_from(Question)).scalar_one() == asked
    own = first_visitor.get("/m/form-token").json["csrf_token"]
    sent = first_visitor.post(post, data={**fields, "csrf_token": own})
    assert sent.status_code == 302 and "/m/ticket?no=Q" in sent.location
    with board.app_context():
        assert db.session.execute(select(db.func.count()).select_from(Question)).scalar_one() == asked + 1
    # The question shows under the notice at once: the cached page is not served any more.
    after = board.test_client().get(url, headers={"If-None-Match": rendered.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != rendered.headers["ETag"]
    assert "正在办理" in after.get_data(as_text=True)
