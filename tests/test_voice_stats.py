"""公开情况统计: the page's figures equal counts taken straight from the
database, per village and township, per year and quarter; the 年度报告 PDF
carries them."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import sqlalchemy as sa

from disclosure.clock import CHINA_TZ, china_today
from disclosure.extensions import db
from disclosure.models import InfoRequest, LookupLog, Notice, Question, Role, Township, User, Village
from disclosure.services import feedback, requests


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', html))


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, CHINA_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def _db_counts(village_ids: list[int], start: dt.date, end: dt.date) -> dict[str, int]:
    lo, hi = _utc(start), _utc(end + dt.timedelta(days=1))
    count = lambda q: db.session.execute(q).scalar_one()  # noqa: E731
    out = {"notices-total": count(sa.select(sa.func.count()).select_from(Notice).where(
        Notice.village_id.in_(village_ids), Notice.published_at >= lo, Notice.published_at < hi))}
    for code in ("finance", "subsidy", "assistance", "project"):
        out[f"notices-{code}"] = count(sa.select(sa.func.count()).select_from(Notice).where(
            Notice.village_id.in_(village_ids), Notice.category == code, Notice.published_at >= lo,
            Notice.published_at < hi))
    q_in = (Question.village_id.in_(village_ids), Question.created_at >= lo, Question.created_at < hi,
            Question.is_hidden.is_(False))
    out["questions-received"] = count(sa.select(sa.func.count()).select_from(Question).where(*q_in))
    out["questions-answered"] = count(sa.select(sa.func.count()).select_from(Question).where(
        *q_in, Question.answered_at.is_not(None)))
    r_in = (InfoRequest.village_id.in_(village_ids), InfoRequest.received_on >= start, InfoRequest.received_on <= end)
    out["requests-received"] = count(sa.select(sa.func.count()).select_from(InfoRequest).where(*r_in))
    for kind in ("部分公开", "不予公开", "予以公开"):
        out[f"requests-{kind}"] = count(sa.select(sa.func.count()).select_from(InfoRequest).where(
            *r_in, InfoRequest.reply_type == kind))
    out["lookups"] = count(sa.select(sa.func.count()).select_from(LookupLog).where(
        LookupLog.village_id.in_(village_ids), LookupLog.at >= lo, LookupLog.at < hi))
    return out


def test_statistics_equal_database_counts(demo_app, tmp_path) -> None:  # noqa: ANN001
    """On the demo township (read only: nothing is written here)."""
    client = demo_app.test_client()
    today = china_today()
    with demo_app.app_context():
        villages = db.session.execute(sa.select(Village).order_by(Village.id)).scalars().all()
        township = db.session.get(Township, villages[0].township_id)
        cases = [(f"/m/{v.code}/stats?p={today.year}", [v.id], dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
                 for v in villages]
        q = (today.month - 1) // 3 + 1
        q_start = dt.date(today.year, 3 * q - 2, 1)
        q_end = (dt.date(today.year + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
        cases.append((f"/kiosk/{villages[0].code}/stats?p={today.year}Q{q}", [villages[0].id], q_start, q_end))
        cases.append((f"/m/township/{township.code}/stats?p={today.year}", [v.id for v in villages],
                      dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)))
        expected = {url: _db_counts(ids, start, end) for url, ids, start, end in cases}
        township_code = township.code
    assert any(e["notices-total"] for e in expected.values()) and any(e["requests-received"] for e in expected.values())
    for url, counts in expected.items():
        page = client.get(url)
        assert page.status_code == 200, url
        shown = _figures(page.text)
        assert {k: int(shown[k]) for k in counts} == counts, url

    report = client.get(f"/report/township/{township_code}/{today.year}.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(report.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "年度报告" in text and "依申请公开" in text and "部分公开" in text


def test_replies_late_and_average_days(app, client, place, make_user) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK, "v1")
    d = dt.date
    with app.app_context():
        user, village = db.session.get(User, clerk), db.session.get(Village, place["v1"])
        a = requests.apply(village, channel="phone", subject="甲", requester="甲", today=d(2025, 9, 26))
        requests.reply(a, user, reply_type="部分公开", ground="个人隐私", replied_on=d(2025, 10, 9))  # 4 working days
        b = requests.apply(village, channel="kiosk", subject="乙", today=d(2025, 9, 30))
        requests.reply(b, user, reply_type="不予公开", ground="国家秘密", replied_on=d(2025, 11, 10))  # late
        requests.apply(village, channel="kiosk", subject="丙", today=d(2025, 12, 1))  # open, late by today
        question = feedback.ask_village(village, channel="phone", text="路灯", today=d(2025, 9, 26))
        question.created_at = dt.datetime(2025, 9, 26, 2, 0)
        db.session.commit()
    shown = _figures(client.get("/m/v1/stats?p=2025").text)
    assert shown["requests-received"] == "3" and shown["requests-部分公开"] == "1"
    assert shown["requests-不予公开"] == "1" and shown["requests-办理中"] == "1"
    assert shown["requests-late"] == "2" and shown["request-days"] == "14.0个工作日"  # (4 + 24) / 2
    assert shown["questions-received"] == "1" and shown["questions-late"] == "1"
    q4 = _figures(client.get("/m/v1/stats?p=2025Q4").text)
    assert q4["requests-received"] == "1"
