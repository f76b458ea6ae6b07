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
