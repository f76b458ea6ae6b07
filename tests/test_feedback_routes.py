"""我有疑问 through the real pages: phone form, kiosk buttons, ticket lookup,
answers in public without the contact, honeypot, rate limit, CSRF."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import Notice, Question, Role, Village
from disclosure.services import notices
from tests.conftest import fresh_app
from tests.helpers.feedback_data import Person, roster_notice, staff, text_notice, valid_id

TICKET = re.compile(r"Q\d{4}-\d{6}")
CONTACT = "13712345678"


def _notice(app: Flask, place: dict, *, roster: bool = False) -> int:
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        today = dt.date.today()
        if roster:
            notice = roster_notice(village, "dibao", periods.month_of(today), [Person("张三明", 50000, valid_id(1))],
                                   start=today)
        else:
            notice = text_notice(village, "major", periods.month_of(today), start=today, title="修路一事一议公示")
        db.session.commit()
        return notice.id


def test_phone_question_answer_shows_publicly_without_contact(app, client, place, make_user, login) -> None:  # noqa: ANN001
    notice_id = _notice(app, place)
    page = client.get(f"/m/notice/{notice_id}")
    assert page.status_code == 200 and f"/m/notice/{notice_id}/question" in page.text
    form = client.get(f"/m/notice/{notice_id}/question")
    assert form.status_code == 200 and 'class="hp"' in form.text and "style=" not in form.text
    response = client.post(f"/m/notice/{notice_id}/question", data={
        "kind": "objection", "concern": "金额不对", "text": "第3组修路款为什么比预算多？我的电话13800001111",
        "contact": CONTACT})
    assert response.status_code == 302
    ticket = TICKET.search(response.location).group()
    shown = client.get(response.location)
    assert ticket in shown.text and CONTACT not in shown.text
    with app.app_context():
        q = db.session.execute(db.select(Question)).scalar_one()
        assert q.contact == CONTACT and q.is_objection and q.channel == "phone"
        assert "13800001111" not in q.text  # scrubbed before it is stored
        question_id = q.id

    # Not yet answered: nothing under the notice but "being handled".
    assert "正在办理" in client.get(f"/m/notice/{notice_id}").text

    clerk = make_user(Role.CLERK, "v1")
    staff_client = app.test_client()
    login(staff_client, clerk)
    detail = staff_client.get(f"/admin/questions/{question_id}")
    assert detail.status_code == 200 and CONTACT in detail.text  # staff see the contact
    assert staff_client.post(f"/admin/questions/{question_id}/answer",
                             data={"answer": "预算含排水沟，决算附后。"}).status_code == 302
    outsider = make_user(Role.CLERK, "v2")
    login(staff_client, outsider)
    assert staff_client.get(f"/admin/questions/{question_id}").status_code == 404
    assert staff_client.post(f"/admin/questions/{question_id}/answer", data={"answer": "x"}).status_code == 404

    for url in (f"/m/notice/{notice_id}", f"/kiosk/notice/{notice_id}", f"/m/ticket?no={ticket}",
                f"/kiosk/ticket?no={ticket[1:].replace('-', '')}", f"/api/notices/{notice_id}"):
        body = client.get(url).get_data(as_text=True)
        assert "预算含排水沟" in body, url
        assert CONTACT not in body and "1380000" not in body, url


def test_kiosk_buttons_ticket_and_keypad(app, client, place) -> None:  # noqa: ANN001
    notice_id = _notice(app, place, roster=True)
    page = client.get(f"/kiosk/notice/{notice_id}")
    assert page.status_code == 200
    for concern in ("金额不对", "名单有误", "看不懂", "其他"):
        assert f'question?concern={quote(concern)}"' in page.text
    assert "<svg" in page.text  # the QR code to continue on the phone
    # A tap asks to confirm and files nothing; only 确认提交 (the POST) files a ticket.
    confirm = client.get(f"/kiosk/notice/{notice_id}/question", query_string={"concern": "名单有误"})
    assert confirm.status_code == 200 and "确认提交" in confirm.text and 'value="名单有误"' in confirm.text
    with app.app_context():
        assert db.session.execute(db.select(Question)).first() is None
    done = client.post(f"/kiosk/notice/{notice_id}/question", data={"concern": "名单有误"})
    assert done.status_code == 200
    ticket = TICKET.search(done.text).group()
    assert done.text.count("<svg") == 1  # one QR code: the ticket's own page on the phone
    assert client.post(f"/kiosk/notice/{notice_id}/question", data={"concern": "<b>乱写</b>"}).status_code == 400
    with app.app_context():
        q = db.session.execute(db.select(Question)).scalar_one()
        assert (q.ticket_no, q.channel, q.concern, q.contact) == (ticket, "kiosk", "名单有误", "")
    digits = ticket[1:].replace("-", "")
    keypad = client.get("/kiosk/ticket", query_string={"typed": digits[:3]})
    assert keypad.status_code == 200 and f"typed={digits[:3]}7" in keypad.text
    full = client.get("/kiosk/ticket", query_string={"typed": digits})
    assert f"no={digits}" in full.text
    found = client.get("/kiosk/ticket", query_string={"no": digits})
    assert ticket in found.text and "正在办理" in found.text
    missing = client.get("/kiosk/ticket", query_string={"no": "9999999999"})
    assert "没有找到" in missing.text


def test_no_questions_on_withdrawn_or_unpublished(app, client, place) -> None:  # noqa: ANN001
    notice_id = _notice(app, place)
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        clerk, _ = staff(notice.village)
        notices.withdraw(notice, clerk, "发布有误")
        draft = notices.create_draft(notice.village, clerk, category="major", title="草稿",
                                     period=periods.month_of(dt.date.today()), body="x")
        db.session.commit()
        draft_id = draft.id
    for nid in (notice_id, draft_id, 99999):
        assert client.get(f"/m/notice/{nid}/question").status_code == 404
        assert client.post(f"/m/notice/{nid}/question", data={"text": "x"}).status_code == 404
        assert client.post(f"/kiosk/notice/{nid}/question", data={"concern": "其他"}).status_code == 404


def test_honeypot_silently_drops(app, client, place) -> None:  # noqa: ANN001
    notice_id = _notice(app, place)
    response = client.post(f"/m/notice/{notice_id}/question", data={
        "kind": "question", "concern": "其他", "text": "便宜贷款请加微信", "website": "http://spam.example"})
    assert response.status_code == 302 and "no=" not in response.location
    assert "已收到" in client.get(response.location).text
    kiosk = client.post(f"/kiosk/notice/{notice_id}/question", data={"concern": "其他", "website": "x"})
    assert kiosk.status_code == 200 and not TICKET.search(kiosk.text)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Question.id))).scalar_one() == 0


def test_phone_form_refuses_empty_and_overlong(app, client, place) -> None:  # noqa: ANN001
    notice_id = _notice(app, place)
    empty = client.post(f"/m/notice/{notice_id}/question", data={"kind": "question", "concern": "其他", "text": " "})
    assert empty.status_code == 400 and "请写下您的问题" in empty.text
    long = client.post(f"/m/notice/{notice_id}/question", data={"kind": "question", "concern": "其他",
                                                                 "text": "多" * 501})
    assert long.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Question.id))).scalar_one() == 0


@pytest.fixture
def strict_app(fresh_url: str, tmp_path: Path):  # noqa: ANN201
    """Rate limits and CSRF switched on, as in production."""
    with fresh_app(fresh_url, tmp_path / "strict", RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True) as app:
        yield app


def _strict_notice(app: Flask) -> int:
    from disclosure.models import Township

    with app.app_context():
        township = Township(code="t9", name="严格镇")
        village = Village(code="s1", name="严村", township=township)
        db.session.add_all([township, village])
        db.session.flush()
        notice = text_notice(village, "major", periods.month_of(dt.date.today()), start=dt.date.today())
        db.session.commit()
        return notice.id


def _token(client, url: str) -> str:  # noqa: ANN001
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).text).group(1)


def test_rate_limit_gives_429(strict_app) -> None:  # noqa: ANN001
    notice_id = _strict_notice(strict_app)
    client = strict_app.test_client()
    url = f"/m/notice/{notice_id}/question"
    token = _token(client, url)
    codes = [client.post(url, data={"csrf_token": token, "kind": "question", "concern": "看不懂",
                                    "text": f"第{i}个问题"}).status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    limited = client.post(url, data={"csrf_token": token, "kind": "question", "text": "再问"})
    assert limited.status_code == 429 and "请稍后再试" in limited.text
    assert client.get(url).status_code == 200  # reading is not limited by the POST limit
    other = strict_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other.post(url, data={"csrf_token": _token(other, url), "kind": "question", "concern": "看不懂",
                                 "text": "另一个地址"}).status_code == 302


def test_csrf_stays_on_for_question_forms(strict_app) -> None:  # noqa: ANN001
    notice_id = _strict_notice(strict_app)
    client = strict_app.test_client()
    assert client.post(f"/m/notice/{notice_id}/question", data={"text": "无令牌"}).status_code == 400
    refused = client.post(f"/kiosk/notice/{notice_id}/question", data={"concern": "其他"})
    # A villager's CSRF refusal is the kiosk's own Chinese page, with the way home.
    assert refused.status_code == 400 and "页面已过期" in refused.text and "首页" in refused.text
    assert 'lang="zh-CN"' in refused.text and "data-idle-seconds" in refused.text
    token = _token(client, f"/kiosk/notice/{notice_id}/question?concern=其他")
    done = client.post(f"/kiosk/notice/{notice_id}/question", data={"csrf_token": token, "concern": "其他"})
    assert done.status_code == 200 and TICKET.search(done.text)
