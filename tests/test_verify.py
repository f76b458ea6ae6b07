"""The verify page a printed QR code opens (/v/<code>): current, corrected,
withdrawn, unknown, and a version whose content was changed behind the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, update

from disclosure import periods
from disclosure.public.verify import normalize_code
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role, Status, User, Village
from disclosure.services import notices


def publish_finance(app: Flask, make_user: Callable[..., int], place: dict[str, int]) -> tuple[int, str]:
    """A published finance notice of 一村 with three lines; (id, verify code)."""
    clerk_id, supervisor_id = make_user(Role.CLERK, "v1"), make_user(Role.SUPERVISOR, "v1")
    with app.app_context():
        clerk, supervisor = db.session.get(User, clerk_id), db.session.get(User, supervisor_id)
        village = db.session.get(Village, place["v1"])
        notice = notices.create_draft(village, clerk, category="finance", title="一村2025年第三季度财务收支公示",
                                      period=periods.quarter(2025, 3), body="现将本村本期财务收支情况公示如下。")
        for day, summary, direction, subject, fen in (
            (dt.date(2025, 7, 3), "镇财政拨付村级运转经费", "income", "subsidy_income", 5_000_000),
            (dt.date(2025, 8, 9), "村部电费", "expense", "management_expense", 123_456),
            (dt.date(2025, 9, 20), "村组道路维修材料费", "expense", "other_expense", 880_000),
        ):
            notice.ledger_lines.append(LedgerLine(village_id=village.id, occurred_on=day, summary=summary,
                                                  direction=direction, subject=subject, amount_fen=fen))
        notices.submit(notice, clerk)
        notices.approve(notice, supervisor)
        notices.publish(notice, clerk, dt.date(2025, 10, 8), dt.date(2025, 10, 17), today=dt.date(2025, 10, 8))
        db.session.commit()
        return notice.id, notice.verify_code


def code_of(app: Flask, *where) -> tuple[int, str]:  # noqa: ANN002
    with app.app_context():
        notice = db.session.execute(select(Notice).where(*where).order_by(Notice.id)).scalars().first()
        return notice.id, notice.verify_code


def test_current_version(demo_client, demo_app: Flask) -> None:
    notice_id, code = code_of(demo_app, Notice.category == "finance", Notice.status == Status.PUBLISHED)
    response = demo_client.get(f"/v/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "现行有效" in page and code in page
    assert f'href="/m/notice/{notice_id}"' in page  # the phone page of the same record
    assert f'href="/p/{notice_id}.pdf"' in page
    assert "内容核对异常" not in page
    assert "<script>" not in page and " style=" not in page


def test_code_is_forgiving_when_typed(demo_client, demo_app: Flask) -> None:
    _, code = code_of(demo_app, Notice.category == "finance", Notice.status == Status.PUBLISHED)
    assert "现行有效" in demo_client.get(f"/v/{code.lower()}").get_data(as_text=True)
    typed = demo_client.get(f"/v/?code={code[:5]} {code[5:].lower()}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/v/{code}")
    assert normalize_code("ab0-1 8") == "ABOIB"
    assert "核验码" in demo_client.get("/v/").get_data(as_text=True)


def test_superseded_version_names_its_correction(demo_client, demo_app: Flask) -> None:
    old_id, old_code = code_of(demo_app, Notice.status == Status.SUPERSEDED)
    with demo_app.app_context():
        new = db.session.execute(select(Notice).where(Notice.supersedes_id == old_id)).scalar_one()
        new_id, new_code, reason, when = new.id, new.verify_code, new.correction_reason, new.published_at.date()
    page = demo_client.get(f"/v/{old_code}").get_data(as_text=True)
    assert "已被更正" in page and "现行有效" not in page
    assert reason in page
    assert f"{when.year}年{when.month}月{when.day}日" in page and "第2版" in page
    assert f'href="/m/notice/{new_id}"' in page and f'href="/v/{new_code}"' in page
    assert "现行有效" in demo_client.get(f"/v/{new_code}").get_data(as_text=True)


def test_withdrawn_version(demo_client, demo_app: Flask) -> None:
    _, code = code_of(demo_app, Notice.status == Status.WITHDRAWN)
    with demo_app.app_context():
        reason = db.session.execute(select(Notice.withdrawal_reason).where(Notice.verify_code == code)).scalar_one()
    page = demo_client.get(f"/v/{code}").get_data(as_text=True)
    assert "已撤回" in page and reason in page and "现行有效" not in page


def test_unknown_code(demo_client) -> None:
    for code in ("AAAAAAAAAA", "not-a-code!", "Z" * 40):
        response = demo_client.get(f"/v/{code}")
        assert response.status_code == 404
        assert "未找到" in response.get_data(as_text=True)
        assert "此二维码不对应任何已公布的公示，请向村务监督委员会或乡镇反映" in response.get_data(as_text=True)


def test_changed_content_is_flagged(app: Flask, make_user, place) -> None:
    notice_id, code = publish_finance(app, make_user, place)
    client = app.test_client()
    assert "内容核对异常" not in client.get(f"/v/{code}").get_data(as_text=True)
    with app.app_context():  # an edit behind the app's back, straight in the database
        db.session.execute(update(LedgerLine).where(LedgerLine.notice_id == notice_id)
                           .where(LedgerLine.summary == "村部电费").values(amount_fen=23_456))
        db.session.commit()
    page = client.get(f"/v/{code}").get_data(as_text=True)
    assert "内容核对异常" in page


def test_draft_codes_do_not_verify(app: Flask, make_user, place) -> None:
    notice_id, code = publish_finance(app, make_user, place)
    with app.app_context():  # pretend a draft carried a code: it still must not verify
        db.session.execute(update(Notice).where(Notice.id == notice_id).values(status=Status.DRAFT))
        db.session.commit()
    assert app.test_client().get(f"/v/{code}").status_code == 404
