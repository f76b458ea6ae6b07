"""Structured decisions (四议两公开, 一事一议): the four meetings checked with
Chinese messages, submit checks, the hash, corrections, the public faces and
the late-resolution flag on the township dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure import periods, public
from disclosure.extensions import db
from disclosure.models import Notice, Role, Township, User, Village
from disclosure.services import ServiceError, chain, decisions, notices
from disclosure.services.decisions import MeetingInput
from tests.conftest import login_as

MET = dt.date(2025, 7, 1)  # a Tuesday
TODAY = dt.date(2025, 8, 1)


def _users(app: Flask, make_user) -> dict[str, int]:  # noqa: ANN001
    return {"clerk": make_user(Role.CLERK), "sup": make_user(Role.SUPERVISOR),
            "admin": make_user(Role.TOWNSHIP_ADMIN, None)}


def _four(start: dt.date = MET) -> list[MeetingInput]:
    return [
        MeetingInput("proposal", start - dt.timedelta(days=10), 7, 7, 7, 0, 0, "同意提交两委商议"),
        MeetingInput("deliberation", start - dt.timedelta(days=8), 9, 9, 9, 0, 0),
        MeetingInput("review", start - dt.timedelta(days=5), 30, 28, 26, 1, 1),
        MeetingInput("resolution", start, 45, 40, 36, 2, 2, "通过"),
    ]


def _decision(clerk: User, village: Village, *, stage: str = "resolution", key: str = "", meetings=None,  # noqa: ANN001
              title: str = "一村关于硬化村组道路的决议公开", **fields) -> Notice:  # noqa: ANN003
    notice = notices.create_draft(village, clerk, category="major", title=title, period=periods.year(2025))
    decisions.set_decision(notice, clerk, subject="硬化三组至五组道路1.5公里", stage=stage, decision_key=key,
                           proposal="由村集体出资并申请财政奖补", **fields)
    for m in (_four() if meetings is None else meetings):
        decisions.add_meeting(notice, clerk, m, today=TODAY)
    return notice


def _publish(notice: Notice, clerk: User, sup: User, day: dt.date) -> None:
    notices.submit(notice, clerk)
    notices.approve(notice, sup)
    notices.publish(notice, clerk, day, periods.notice_end(day, 7), today=day)


@pytest.mark.parametrize(("meeting", "message"), [
    (MeetingInput("review", MET, 30, 31), "实到人数（31）超过应到人数（30）"),
    (MeetingInput("review", MET, 40, 30, 20, 8, 3), "赞成、反对、弃权票合计31票，超过实到人数30人：每位到会人员只能投一票"),
    (MeetingInput("review", dt.date(2025, 8, 2), None, 30), "党员大会审议的日期（2025年8月2日）晚于今天：只能录入已经召开的会议"),
    (MeetingInput("review", MET, None, None), "请填写实到人数"),
    (MeetingInput("proposal", MET, None, 5), "村党组织提议已经录入；如需修改，请先删除原记录"),
    (MeetingInput("review", dt.date(2025, 6, 20), None, 30),
     "党员大会审议（2025年6月20日）早于村“两委”会议商议（2025年6月25日）：四议须按 "
     "村党组织提议→两委会议商议→党员大会审议→村民代表会议决议 的顺序进行"),
    (MeetingInput("resolution", dt.date(2025, 6, 24), None, 30),
     "村民代表会议决议（2025年6月24日）早于村“两委”会议商议（2025年6月25日）：四议须按 "
     "村党组织提议→两委会议商议→党员大会审议→村民代表会议决议 的顺序进行"),
])
def test_meeting_problems_in_chinese(app: Flask, make_user, meeting: MeetingInput, message: str) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk = db.session.get(User, ids["clerk"])
        village = clerk.village
        notice = _decision(clerk, village, meetings=[MeetingInput("proposal", dt.date(2025, 6, 20), 7, 7),
                                                     MeetingInput("deliberation", dt.date(2025, 6, 25), 9, 9)])
        with pytest.raises(ServiceError) as err:
            decisions.add_meeting(notice, clerk, meeting, today=TODAY)
        assert err.value.message == message
        assert len(notice.decision.meetings) == 2


def test_submit_needs_all_four_meetings_and_the_result_needs_its_text(app: Flask, make_user) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk = db.session.get(User, ids["clerk"])
        notice = _decision(clerk, clerk.village, meetings=_four()[:2])
        with pytest.raises(ServiceError, match="四议尚未录全，缺少：党员大会审议、村民代表会议决议"):
            notices.submit(notice, clerk)
        result = _decision(clerk, clerk.village, stage="result", title="实施结果公开")
        with pytest.raises(ServiceError, match="实施结果公开须填写实施结果"):
            notices.submit(result, clerk)
        with pytest.raises(ServiceError, match="意见征集须写明截止日期"):
            decisions.set_decision(result, clerk, subject="x", stage="consultation")
        with pytest.raises(ServiceError, match="筹资标准不能为负数"):
            decisions.set_decision(result, clerk, subject="x", stage="result", is_yishi=True,
                                   levy_per_person_fen=-100)


def test_consultation_then_resolution_must_say_what_was_adopted(app: Flask, make_user) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        consult = _decision(clerk, clerk.village, stage="consultation", key="ROAD-2025", meetings=_four()[:1],
                            title="关于硬化道路的意见征集", comment_closes_on=dt.date(2025, 6, 28))
        _publish(consult, clerk, sup, dt.date(2025, 6, 21))
        resolution = _decision(clerk, clerk.village, key="ROAD-2025")
        with pytest.raises(ServiceError, match="该事项已征求过意见：请写明采纳了哪些意见，未采纳的意见及理由"):
            notices.submit(resolution, clerk)
        decisions.set_decision(resolution, clerk, subject="硬化三组至五组道路1.5公里", stage="resolution",
                               decision_key="ROAD-2025", adopted="路面加宽到4.5米",
                               not_adopted="改走河边线：需占用基本农田，不能采纳")
        _publish(resolution, clerk, sup, dt.date(2025, 7, 3))
        db.session.commit()
        view = public.decision_view(resolution)
        assert view.not_adopted == "改走河边线：需占用基本农田，不能采纳"
        assert [r.stage_label for r in view.related] == ["意见征集"]
        assert [m.label for m in view.meetings] == ["村党组织提议", "村“两委”会议商议", "党员大会审议", "村民代表会议决议"]
        assert view.meetings[-1].sentence == "2025年7月1日召开，应到45人，实到40人；赞成36票，反对2票，弃权2票。"
        assert public.decision_view(consult).related[0].notice_id == resolution.id
        assert public.decision_view(consult, dt.date(2025, 6, 28)).comment_open
        assert not public.decision_view(consult, dt.date(2025, 6, 29)).comment_open


def test_the_township_caps_the_levy(app: Flask, make_user) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk = db.session.get(User, ids["clerk"])
        clerk.township.settings = {"yishi_levy_cap_fen": 2000}
        notice = notices.create_draft(clerk.village, clerk, category="major", title="决议", period=periods.year(2025))
        with pytest.raises(ServiceError, match="筹资标准超过本地上限（每人每年不超过20.00元）"):
            decisions.set_decision(notice, clerk, subject="修路", stage="resolution", is_yishi=True,
                                   levy_per_person_fen=2500)
        decisions.set_decision(notice, clerk, subject="修路", stage="resolution", is_yishi=True,
                               levy_per_person_fen=2000)
        with pytest.raises(ServiceError, match="只有重大事项公示可以填写决策信息"):
            other = notices.create_draft(clerk.village, clerk, category="other", title="x", period=periods.year(2025))
            decisions.set_decision(other, clerk, subject="修路", stage="resolution")


def test_decision_is_hashed_and_corrections_carry_it(app: Flask, make_user) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        plain = notices.create_draft(clerk.village, clerk, category="major", title="正文公示", period=periods.year(2025),
                                     body="只有正文")
        assert "decision" not in chain.notice_content(plain)  # versions without a decision hash as before
        notice = _decision(clerk, clerk.village, is_yishi=True, levy_per_person_fen=1500, households=120,
                           raised_fen=540_000, spent_fen=500_000)
        _publish(notice, clerk, sup, dt.date(2025, 7, 3))
        db.session.commit()
        assert chain.is_intact(notice)
        notice.decision.meetings[-1].votes_for = 40  # behind the app's back
        db.session.commit()
        assert not chain.is_intact(notice)
        notice.decision.meetings[-1].votes_for = 36
        db.session.commit()
        assert chain.is_intact(notice)
        new = notices.start_correction(notice, clerk, "决议日期录入有误")
        assert chain.decision_content(new.decision) == chain.decision_content(notice.decision)
        assert public.yishi_lines(public.decision_view(notice).yishi)[0] == ("筹资标准", "15.00元/人·年")


def test_late_resolution_lands_on_the_dashboard(app: Flask, make_user, client) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        admin = db.session.get(User, ids["admin"])
        on_time = _decision(clerk, clerk.village, title="按时公开的决议")
        _publish(on_time, clerk, sup, dt.date(2025, 7, 8))  # 5 working days after Tue 1 July
        late = _decision(clerk, clerk.village, title="迟发的决议")
        _publish(late, clerk, sup, dt.date(2025, 7, 10))
        waiting = _decision(clerk, clerk.village, title="还没公开的决议")
        db.session.commit()
        found = {d.notice_id: d for d in decisions.late_decisions(admin, TODAY)}
        assert set(found) == {late.id, waiting.id}
        assert found[late.id].due_on == dt.date(2025, 7, 8)
        assert (found[late.id].state, found[late.id].late_days) == ("逾期发布", 2)
        assert found[waiting.id].state == "逾期未公开"
        township = db.session.get(Township, admin.township_id)
        township.settings = {"decision_publish_days": 10}
        db.session.commit()
        assert [d.notice_id for d in decisions.late_decisions(admin, TODAY)] == [waiting.id]
        township.settings = {}
        db.session.commit()
    login_as(client, ids["admin"])
    page = client.get("/admin/dashboard").text
    assert "决议公开逾期（2）" in page and "逾期发布" in page and "逾期未公开" in page


def test_clerk_forms_refuse_with_the_message_next_to_the_field(app: Flask, make_user, client) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk = db.session.get(User, ids["clerk"])
        notice = notices.create_draft(clerk.village, clerk, category="major", title="决议", period=periods.year(2025))
        db.session.commit()
        notice_id = notice.id
    login_as(client, ids["clerk"])
    r = client.post(f"/admin/notices/{notice_id}/decision", data={"subject": "修路", "stage": "resolution",
                                                                 "is_yishi": "y", "levy_per_person": "abc"})
    assert r.status_code == 400 and "金额" in r.text
    r = client.post(f"/admin/notices/{notice_id}/decision", data={"subject": "修路", "stage": "resolution",
                                                                 "is_yishi": "y", "levy_per_person": "15"})
    assert r.status_code == 302
    r = client.post(f"/admin/notices/{notice_id}/meetings", data={
        "step": "proposal", "held_on": "2025-06-20", "expected": "7", "attendance": "5", "votes_for": "6"})
    assert r.status_code == 400
    assert "赞成、反对、弃权票合计6票，超过实到人数5人" in r.text
    with app.app_context():
        assert db.session.execute(select(Notice).where(Notice.id == notice_id)).scalar_one().decision.meetings == []
        assert db.session.get(Notice, notice_id).decision.levy_per_person_fen == 1500


def test_the_printed_decision_says_the_meetings_and_the_money(app: Flask, make_user, tmp_path) -> None:  # noqa: ANN001
    import subprocess

    from kiosk.printed import notice_html
    from disclosure import printing

    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        notice = _decision(clerk, clerk.village, is_yishi=True, levy_per_person_fen=1500, households=120,
                           raised_fen=180_000, spent_fen=150_000, title="一村修路决议公开")
        _publish(notice, clerk, sup, dt.date(2025, 7, 3))
        db.session.commit()
        with app.test_request_context():
            html = notice_html(notice, "a4", "http://localhost/")
        path = tmp_path / "d.pdf"
        path.write_bytes(printing.render_pdf(html, "http://localhost/"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "村民代表会议决议" in flat
    assert "四议会议及表决情况" in flat
    assert "村民代表会议决议7月1日45403622" in flat and "村民代表会议决议意见通过" in flat
    assert "筹资标准15.00元/人·年；" in flat and "参与户数120户" in flat and "结余300.00元" in flat


def test_the_api_gives_the_decision(app: Flask, make_user, client) -> None:  # noqa: ANN001
    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        notice = _decision(clerk, clerk.village, is_yishi=True, levy_per_person_fen=1500)
        _publish(notice, clerk, sup, dt.date(2025, 7, 3))
        db.session.commit()
        notice_id = notice.id
    data = client.get(f"/api/notices/{notice_id}").get_json()
    decision = data["decision"]
    assert decision["stage_label"] == "决议公开" and decision["yishi"]["levy_per_person_fen"] == 1500
    assert [m["label"] for m in decision["meetings"]][-1] == "村民代表会议决议"
    assert decision["meetings"][-1]["votes_for"] == 36 and decision["meetings"][-1]["held_on"] == "2025-07-01"
    csv = client.get(f"/api/notices/{notice_id}.csv").get_data(as_text=True)
    assert "环节,日期,应到,实到,赞成,反对,弃权" in csv
    assert "村民代表会议决议,2025-07-01,45,40,36,2,2" in csv


def test_the_independent_verifier_recomputes_a_published_decision(app: Flask, make_user, tmp_path) -> None:  # noqa: ANN001
    """A decision's matter, 一事一议 figures and meetings travel in the bulk
    download (decisions.csv, meetings.csv): tools/verify_board.py recomputes
    the version's hash from them and names the notice when a vote is changed."""
    from disclosure import clock
    from tests.test_verifier import _verify, _verify_changed_cell

    ids = _users(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, ids["clerk"]), db.session.get(User, ids["sup"])
        notice = _decision(clerk, clerk.village, is_yishi=True, levy_per_person_fen=1500, households=120)
        _publish(notice, clerk, sup, dt.date(2025, 7, 3))
        db.session.commit()
        notice_id = notice.id
    response = app.test_client().get(f"/api/townships/t1/bulk/{clock.china_today().year}.zip")
    assert response.status_code == 200
    path = tmp_path / "t1.zip"
    path.write_bytes(response.data)
    result = _verify(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    output, named = _verify_changed_cell(response.data, tmp_path, "meetings.csv", "votes_for",
                                         lambda cell: str(int(cell) + 1))
    assert named == str(notice_id) and f"公示 #{notice_id}《" in output
