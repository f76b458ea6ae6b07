"""Text longer than its column is refused in Chinese on every backend, and
nothing is written (PostgreSQL would raise a DataError; SQLite would keep it)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import Notice, Role, User, Village
from disclosure.services import ServiceError, notices
from tests.conftest import login_as


def test_an_overlong_title_is_refused_with_its_limit(app, place, make_user):
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        village, user = db.session.get(Village, place["v1"]), db.session.get(User, clerk)
        notice = notices.create_draft(village, user, category="other", title="短标题", period=periods.month(2025, 10))
        db.session.commit()
        notice.title = "很长" * 150
        with pytest.raises(ServiceError, match="标题太长：最多200个字，现有300个字") as caught:
            db.session.flush()
        assert caught.value.field == "title"
        db.session.rollback()
        assert db.session.get(Notice, notice.id).title == "短标题"


def test_a_refusal_at_commit_time_is_a_chinese_page_and_writes_nothing(app, place, make_user):
    admin = make_user(Role.TOWNSHIP_ADMIN, None)
    client = login_as(app.test_client(), admin)
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    # The users form limits the name itself; a direct POST past its limit still cannot write.
    response = client.post("/admin/users/new", data={
        "username": "x" * 80, "display_name": "名" * 80, "password": "long-pass-2025", "role": "clerk",
        "village_id": str(place["v1"])})
    assert response.status_code in (200, 400)
    assert "太长" in response.get_data(as_text=True) or "最多" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == before
