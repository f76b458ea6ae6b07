"""村务信箱: a question to the village not tied to a notice; same ticket,
deadline and public answer; the asker chooses whether it is shown."""

from __future__ import annotations

from disclosure.extensions import db
from disclosure.models import Question, Role

PHONE = "13712345678"


def test_mailbox_public_and_private(app, client, place, make_user, login) -> None:  # noqa: ANN001
    assert client.get("/kiosk/v1/mailbox").status_code == 200
    assert client.post("/m/v1/mailbox", data={"text": "", "is_public": "yes"}).status_code == 400
    sent = client.post("/m/v1/mailbox", data={"text": "村口路灯坏了什么时候修？", "contact": PHONE, "is_public": "yes"})
    assert sent.status_code == 302
    hidden = client.post("/m/v1/mailbox", data={"text": "我家宅基地的事想私下问", "is_public": "no"})
    assert hidden.status_code == 302
    with app.app_context():
        rows = db.session.execute(db.select(Question).order_by(Question.id)).scalars().all()
        ids = [(q.id, q.ticket_no) for q in rows]
        assert [q.notice_id for q in rows] == [None, None] and [q.is_public for q in rows] == [True, False]
    assert "村务信箱" in client.get(sent.location).text

    login(client, make_user(Role.CLERK, "v1"))
    for qid, _ in ids:
        assert client.get(f"/admin/questions/{qid}").status_code == 200
        assert client.post(f"/admin/questions/{qid}/answer", data={"answer": "下周一修好。"}).status_code == 302
    assert "村务信箱" in client.get("/admin/questions?state=all").text
    client.get("/admin/logout")

    for url in ("/m/v1/mailbox", "/kiosk/v1/mailbox"):
        page = client.get(url).text
        assert "村口路灯坏了" in page and "下周一修好" in page
        assert "宅基地" not in page and PHONE not in page
    private = client.get(f"/m/ticket?no={ids[1][1]}").text  # the asker still reads it by number
    assert "宅基地" in private and "下周一修好" in private
    assert "村务信箱" in client.get("/m/v1").text and "申请公开信息" in client.get("/kiosk/v1/home").text


def test_dashboard_lists_overdue_requests_and_mailbox_with_calendar(app, client, place, make_user, login) -> None:  # noqa: ANN001, E501
    import datetime as dt

    from disclosure import periods
    from disclosure.models import Village
    from disclosure.services import feedback, requests

    with app.app_context():
        village = db.session.get(Village, place["v1"])
        late = requests.apply(village, channel="phone", subject="鱼塘合同", requester="甲", today=dt.date(2025, 9, 26))
        feedback.ask_village(village, channel="phone", text="路灯坏了", today=dt.date(2025, 9, 26))
        db.session.commit()
        late_days = periods.working_days_between(late.due_on, dt.date.today())
    login(client, make_user(Role.TOWNSHIP_ADMIN))
    page = client.get("/admin/dashboard").text
    assert "鱼塘合同" in page and "路灯坏了" in page and "逾期" in page
    assert "工作日历" in page and 'class="cal-' in page
    assert late_days > 0
    weeks = periods.month_calendar(2025, 10)
    kinds = {c.day.day: c.kind for week in weeks for c in week if c}
    assert kinds[1] == "holiday" and kinds[11] == "makeup" and kinds[9] == "work" and kinds[12] == "weekend"
