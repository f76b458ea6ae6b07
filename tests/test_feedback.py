"""Questions and objections: deadlines in Chinese working days, tickets,
answers in public without the contact, the notice hold."""

from __future__ import annotations

import datetime as dt

import pytest

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import Notice, Question, Role, Township, User, Village
from disclosure.services import ServiceError, feedback
from tests.helpers.feedback_data import text_notice

D = dt.date


@pytest.mark.parametrize(("start", "days", "due"), [
    # 国庆/中秋 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are make-up working days.
    (D(2025, 9, 26), 10, D(2025, 10, 16)),  # Fri: Sep 28, 29, 30, Oct 9, 10, 11, 13, 14, 15, 16
    (D(2025, 9, 30), 1, D(2025, 10, 9)),  # the day after the last pre-holiday workday is Oct 9
    (D(2025, 9, 30), 3, D(2025, 10, 11)),  # Oct 9, 10, then Saturday Oct 11 (make-up day)
    (D(2025, 9, 27), 1, D(2025, 9, 28)),  # Sunday Sep 28 is a working day
    (D(2025, 9, 30), 20, D(2025, 11, 4)),  # 依申请公开 over 国庆
    # 春节 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 14), 1, D(2026, 2, 24)),
    (D(2026, 2, 12), 10, D(2026, 3, 4)),  # 13, 14, 24, 25, 26, 27, 28 (make-up), Mar 2, 3, 4
])
def test_working_day_deadlines_across_holidays(start: dt.date, days: int, due: dt.date) -> None:
    assert periods.add_working_days(start, days) == due
    assert periods.working_days_between(start, due) == days
    assert periods.is_workday(due)


def test_holiday_calendar_facts() -> None:
    assert not any(periods.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert periods.is_workday(D(2025, 9, 28)) and periods.is_workday(D(2025, 10, 11))
    assert not any(periods.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert periods.is_workday(D(2026, 2, 14)) and periods.is_workday(D(2026, 2, 28))


def _setup(app, place, **settings):  # noqa: ANN001, ANN202
    with app.app_context():
        township = db.session.get(Township, place["township"])
        township.settings = settings
        village = db.session.get(Village, place["v1"])
        notice = text_notice(village, "major", periods.month(2025, 9), start=D(2025, 9, 24), title="修路公示")
        db.session.commit()
        return notice.id


def test_ticket_numbers_and_deadline(app, place) -> None:  # noqa: ANN001
    notice_id = _setup(app, place)
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        q = feedback.ask(notice, channel="phone", text="修路的钱为什么多了？身份证522401196503040011",
                         contact="13812345678", today=D(2025, 9, 26))
        other = feedback.ask(notice, channel="kiosk", concern="金额不对", today=D(2025, 9, 26))
        db.session.commit()
        assert q.ticket_no.startswith("Q2509-") and len(q.ticket_no) == 12
        assert q.ticket_no != other.ticket_no
        assert q.due_on == D(2025, 10, 16)  # 10 working days across 国庆
        assert "522401196503040011" not in q.text and "5224" in q.text  # scrubbed
        assert q.contact == "13812345678"  # staff only, kept as given
        assert feedback.find_ticket(q.ticket_no.replace("-", " ").lower()) == q
        assert feedback.find_ticket(q.ticket_no[1:].replace("-", "")) == q
        assert feedback.find_ticket("Q2509-000") is None


def test_township_may_set_answer_days(app, place) -> None:  # noqa: ANN001
    notice_id = _setup(app, place, answer_days=5)
    with app.app_context():
        q = feedback.ask(db.session.get(Notice, notice_id), channel="kiosk", concern="看不懂", today=D(2026, 2, 12))
        assert q.due_on == D(2026, 2, 26)  # 13, 14 (make-up), 24, 25, 26: 春节 in between


def test_plain_text_only_and_length(app, place) -> None:  # noqa: ANN001
    notice_id = _setup(app, place)
    with app.app_context():
        q = feedback.ask(db.session.get(Notice, notice_id), channel="phone",
                         text="<script>alert(1)</script>为什么\u202e" + "多" * 900)
        assert "<script>" not in q.text and "\u202e" not in q.text
        assert len(q.text) <= feedback.TEXT_MAX
        with pytest.raises(ServiceError):
            feedback.ask(db.session.get(Notice, notice_id), channel="phone", text="   ")
        with pytest.raises(ServiceError):
            feedback.ask(db.session.get(Notice, notice_id), channel="kiosk", concern="乱写")


def test_answer_scope_and_overdue(app, place, make_user) -> None:  # noqa: ANN001
    notice_id = _setup(app, place)
    own_clerk, other_clerk = make_user(Role.CLERK, "v1"), make_user(Role.CLERK, "v2")
    admin = make_user(Role.TOWNSHIP_ADMIN)
    with app.app_context():
        q = feedback.ask(db.session.get(Notice, notice_id), channel="kiosk", concern="名单有误", today=D(2025, 9, 26))
        assert not feedback.is_overdue(q, D(2025, 10, 16))
        assert feedback.is_overdue(q, D(2025, 10, 17))
        admin_user = db.session.get(User, admin)
        assert q in feedback.questions_for(admin_user, state="overdue", today=D(2025, 10, 17))
        assert q not in feedback.questions_for(admin_user, state="overdue", today=D(2025, 10, 16))
        with pytest.raises(ServiceError):
            feedback.answer(q, db.session.get(User, other_clerk), "不是你村的")
        with pytest.raises(ServiceError):
            feedback.answer(q, db.session.get(User, own_clerk), "  ")
        feedback.answer(q, db.session.get(User, own_clerk), "名单已核实无误。")
        assert q.answered_at is not None and not feedback.is_overdue(q, D(2025, 12, 1))
        assert feedback.questions_for(db.session.get(User, other_clerk)) == []


def test_objection_auto_hold_and_release(app, place, make_user) -> None:  # noqa: ANN001
    notice_id = _setup(app, place, objection_hold="auto")
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        notice = db.session.get(Notice, notice_id)  # notice period Sep 24 – Sep 30
        feedback.ask(notice, channel="kiosk", concern="其他", today=D(2025, 9, 26))  # a question: no hold
        assert notice.on_hold_since is None
        late = feedback.ask(notice, channel="kiosk", concern="金额不对", is_objection=True, today=D(2025, 10, 2))
        assert notice.on_hold_since is None  # after the notice period
        first = feedback.ask(notice, channel="kiosk", concern="金额不对", is_objection=True, today=D(2025, 9, 27))
        second = feedback.ask(notice, channel="phone", text="我家少发了", is_objection=True, today=D(2025, 9, 28))
        db.session.commit()
        assert notice.on_hold_since is not None
        from disclosure.services.notices import public_state
        assert public_state(notice, D(2025, 9, 28)).code == "on_hold"
        user = db.session.get(User, clerk)
        feedback.answer(first, user, "已核实。")
        assert notice.on_hold_since is not None  # another objection still open
        feedback.answer(late, user, "已核实。")
        assert notice.on_hold_since is not None
        feedback.answer(second, user, "已补发。")
        assert notice.on_hold_since is None


def test_objection_manual_hold(app, place, make_user) -> None:  # noqa: ANN001
    notice_id = _setup(app, place)
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        notice, user = db.session.get(Notice, notice_id), db.session.get(User, clerk)
        with pytest.raises(ServiceError):
            feedback.hold(notice, user)  # no objection
        q = feedback.ask(notice, channel="kiosk", concern="名单有误", is_objection=True, today=D(2025, 9, 26))
        assert notice.on_hold_since is None  # staff decide by default
        feedback.hold(notice, user)
        assert notice.on_hold_since is not None
        feedback.hide(q, user, "重复提交")
        assert notice.on_hold_since is None


def test_public_answers_never_carry_contact(app, place, make_user) -> None:  # noqa: ANN001
    notice_id = _setup(app, place)
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        q = feedback.ask(notice, channel="phone", text="路修到哪里？", contact="13900001111 张三家")
        hidden = feedback.ask(notice, channel="phone", text="广告", contact="13900002222")
        feedback.answer(q, db.session.get(User, clerk), "修到第3组。")
        feedback.hide(hidden, db.session.get(User, clerk), "广告")
        answers = feedback.public_answers(notice_id)
        assert [a.answer for a in answers] == ["修到第3组。"]
        assert "contact" not in {f for f in answers[0].__dataclass_fields__}
        assert feedback.public_view(hidden).text == ""
