"""依申请公开 register: 20 working days from receipt, one extension of up to
20 more with a reason, overdue flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from disclosure.extensions import db
from disclosure.models import InfoRequest, Role, User, Village
from disclosure.services import ServiceError, feedback, requests

D = dt.date


def test_request_deadline_extension_and_status(app, place, make_user) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        user, village = db.session.get(User, clerk), db.session.get(Village, place["v1"])
        req = feedback.register_request(village, user, requester="张三", contact="13800001111",
                                        subject="申请公开2025年道路修建合同", received_on=D(2025, 9, 30))
        assert req.ticket_no.startswith("R2509-")
        assert req.due_on == D(2025, 11, 4)  # 20 working days across 国庆 (Oct 1–8 off, Oct 11 worked)
        assert requests.status(req, D(2025, 11, 4)) == "open"
        assert requests.status(req, D(2025, 11, 5)) == "overdue"
        with pytest.raises(ServiceError):
            feedback.extend_request(req, user, 10, "  ")  # a reason is required
        with pytest.raises(ServiceError):
            feedback.extend_request(req, user, 21, "资料需要调取")  # at most 20
        feedback.extend_request(req, user, 20, "合同在县档案馆，需要调取")
        assert req.extended_due_on == D(2025, 12, 2)
        assert req.deadline == D(2025, 12, 2)
        assert requests.status(req, D(2025, 11, 5)) == "extended"
        with pytest.raises(ServiceError):
            feedback.extend_request(req, user, 5, "再延一次")  # only once
        requests.reply(req, user, reply_type="予以公开", text="合同复印件已交申请人。", replied_on=D(2025, 11, 20))
        assert requests.status(req, D(2026, 1, 1)) == "replied"


def test_request_scope(app, place, make_user) -> None:  # noqa: ANN001
    clerk2, admin = make_user(Role.CLERK, "v2"), make_user(Role.TOWNSHIP_ADMIN)
    with app.app_context():
        v1 = db.session.get(Village, place["v1"])
        with pytest.raises(ServiceError):
            feedback.register_request(v1, db.session.get(User, clerk2), requester="李四", contact="",
                                      subject="x", received_on=D(2025, 10, 9))
        req = feedback.register_request(v1, db.session.get(User, admin), requester="李四", contact="",
                                        subject="低保评议记录", received_on=D(2026, 2, 13))
        assert req.due_on == D(2026, 3, 19)  # 春节 2026: Feb 14 and 28 worked, Feb 15–23 off
        db.session.commit()
        assert feedback.requests_for(db.session.get(User, clerk2)) == []
        assert [r.id for r in feedback.requests_for(db.session.get(User, admin))] == [req.id]


def test_admin_request_register_pages(app, client, place, make_user, login) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK, "v1")
    login(client, clerk)
    response = client.post("/admin/requests/new", data={
        "village_id": place["v1"], "requester": "王五", "contact": "13911112222",
        "subject": "申请查看村集体鱼塘发包合同", "received_on": "2025-09-30"})
    assert response.status_code == 302
    with app.app_context():
        req = db.session.execute(db.select(InfoRequest)).scalar_one()
        req_id = req.id
    page = client.get("/admin/requests")
    assert page.status_code == 200 and "申请查看村集体鱼塘发包合同" in page.text and "2025年11月4日" in page.text
    refused = client.post(f"/admin/requests/{req_id}/extend", data={"days": "10", "reason": ""})
    assert refused.status_code in (200, 400) and "理由" in refused.text
    client.post(f"/admin/requests/{req_id}/extend", data={"days": "10", "reason": "需要调取档案"})
    client.post(f"/admin/requests/{req_id}/reply", data={"reply_type": "予以公开", "reply": "已提供复印件",
                                                          "replied_on": "2025-11-10"})
    with app.app_context():
        req = db.session.get(InfoRequest, req_id)
        assert req.extension_reason == "需要调取档案" and req.replied_on == D(2025, 11, 10)
