"""Publishing a roster from the staff side runs the red-flag checks at once."""

from __future__ import annotations

import datetime as dt

from disclosure import clock, periods
from disclosure.extensions import db
from disclosure.models import RedFlag, Role, Village
from disclosure.services import intake, notices
from tests.conftest import login_as
from tests.helpers.feedback_data import Person, roster_notice, staff, valid_id

OCT = periods.month(2025, 10)


def test_publishing_a_roster_that_pays_someone_twice_raises_a_flag(app, place, make_user):
    twice = valid_id(21)
    with app.app_context():
        v1, v2 = db.session.get(Village, place["v1"]), db.session.get(Village, place["v2"])
        roster_notice(v1, "dibao", OCT, [Person("张三明", 50000, twice)])
        clerk, sup = staff(v2)
        draft = notices.create_draft(v2, clerk, category="assistance", roster_kind="dibao", period=OCT,
                                     title="二村2025年10月低保名单公示")
        intake.add_roster_rows(draft, clerk, [Person("张三明", 50000, twice)], kind="dibao")
        notices.submit(draft, clerk)
        notices.approve(draft, sup)
        db.session.commit()
        draft_id, clerk_id = draft.id, clerk.id
        assert db.session.execute(db.select(db.func.count(RedFlag.id))).scalar_one() == 0

    client = login_as(app.test_client(), clerk_id)
    start = clock.china_today()
    response = client.post(f"/admin/notices/{draft_id}/publish", data={
        "notice_start": start.isoformat(), "notice_end": periods.notice_end(start, 7).isoformat()},
        follow_redirects=True)
    assert response.status_code == 200
    assert "红旗预警" in response.get_data(as_text=True)
    with app.app_context():
        flags = db.session.execute(db.select(RedFlag)).scalars().all()
        assert [f.kind for f in flags] == ["duplicate_payment"]
