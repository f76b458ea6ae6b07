"""我有疑问 on the phone notice page, a page the page cache shares between
visitors (disclosure/pagecache.py): in a real Chromium, a villager opens the
page after another session had it rendered and cached, and files an
objection with a CSRF token of their own (static/common/ask.js fetches it);
without script the form page is one link away and works as well."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure.extensions import cache, db
from disclosure.models import Notice, Question, Status
from tests.test_query_budget import Recorder

from .conftest import PHONE, Server, shot

pytestmark = pytest.mark.browser

TICKET = re.compile(r"Q\d{4}-\d{6}")


def _askable_notice(app: Flask, base_url: str) -> tuple[str, str, str]:
    """(URL, ETag, token of that session) of a published notice's phone page with the question
    box, rendered and cached for another visitor (an empty session, as anyone's first visit)."""
    client = app.test_client()
    with app.app_context():
        ids = db.session.execute(select(Notice.id).where(Notice.status == Status.PUBLISHED)
                                 .order_by(Notice.id)).scalars().all()
        cache.clear()
    for notice_id in ids:
        url = f"/m/notice/{notice_id}"
        page = client.get(url, base_url=base_url)
        if page.status_code == 200 and "data-token-url" in page.get_data(as_text=True):
            assert "ETag" in page.headers  # kept: the next visitor is served these bytes
            token = client.get("/m/form-token", base_url=base_url).json["csrf_token"]
            return url, page.headers["ETag"], token
    raise AssertionError("no askable published notice in the demo")


def _questions(app: Flask, text: str) -> list[Question]:
    with app.app_context():
        found = db.session.execute(select(Question).where(Question.text == text)).scalars().all()
        db.session.expunge_all()
        return found


def test_a_villager_asks_from_a_phone_page_cached_by_another_session(staff_app, staff_server: Server, open_tab):
    url, etag, others_token = _askable_notice(staff_app, staff_server.url)
    tab = open_tab(PHONE)
    page = tab.page
    recorder = Recorder(staff_app)
    try:
        response = page.goto(staff_server.url + url)
        page.wait_for_load_state("load")
    finally:
        recorder.close()
    assert response.status == 200 and response.headers["etag"] == etag
    assert len(recorder.statements) <= 1, recorder.statements  # served from the cache: at most the revision
    assert page.locator("input[name=csrf_token]").count() == 0  # the shared page holds nobody's token

    page.get_by_text("我有疑问", exact=True).click()
    form = page.locator("form[data-token-url]")
    assert form.is_visible() and not page.locator("#ask-page-link").is_visible()
    form.get_by_label("异议（认为有错，要求核实）").check()
    form.get_by_label("名单有误").check()
    text = "第3组的补贴名单里少了我家，请核实。"
    form.get_by_label("您的问题").fill(text)
    shot(page, "phone-question-on-cached-notice")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        form.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/m/ticket\?no=Q"))
    token = parse_qs(posted.value.post_data)["csrf_token"][0]
    assert token and token != others_token  # this browser's own session's token
    assert TICKET.search(page.locator("main").inner_text())
    [question] = _questions(staff_app, text)
    assert question.is_objection and question.channel == "phone" and question.concern == "名单有误"
    shot(page, "phone-question-ticket")
    assert not [line for line in tab.console if "error" in line.lower()], tab.console


def test_without_script_the_form_page_is_one_link_away(staff_app, staff_server: Server, browser):
    url, _etag, _token = _askable_notice(staff_app, staff_server.url)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False,
                                  service_workers="block")
    try:
        page = context.new_page()
        page.goto(staff_server.url + url)
        page.get_by_text("我有疑问", exact=True).click()
        assert not page.locator("form[data-token-url]").is_visible()  # it has no token without the script
        page.locator("#ask-page-link").scroll_into_view_if_needed()
        shot(page, "phone-question-without-script")
        page.get_by_role("link", name="写下我的问题").click()
        page.wait_for_url(re.compile(r"/m/notice/\d+/question$"))
        text = "没有脚本的手机也能提问吗？"
        page.get_by_label("您的问题").fill(text)
        page.get_by_role("button", name="提交").click()
        page.wait_for_url(re.compile(r"/m/ticket\?no=Q"))
        assert len(_questions(staff_app, text)) == 1
    finally:
        context.close()
