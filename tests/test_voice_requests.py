"""依申请公开 from the villager's side: apply on the phone and the kiosk, the
20-working-day deadline over holidays and 调休 make-up days, typed replies
with grounds, 需补正 restarting the clock, the 告知书 PDF, the released-PDF
checks, and the applicant's name and contact kept off every public output."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zlib

import pytest

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import InfoRequest, Role, User, Village
from disclosure.services import ServiceError, requests

D = dt.date
PHONE = "13912345678"


@pytest.mark.parametrize(("received", "due"), [
    (D(2025, 9, 26), D(2025, 10, 30)),   # 国庆+中秋 2025: Sep 28 (Sun) and Oct 11 (Sat) worked, Oct 1–8 off
    (D(2026, 2, 13), D(2026, 3, 19)),    # 春节 2026: Feb 14 and Feb 28 worked, Feb 15–23 off
    (D(2025, 4, 25), D(2025, 5, 27)),    # 劳动节 2025: Apr 27 worked, May 1–5 off
])
def test_twenty_working_days_count_make_up_days(received: dt.date, due: dt.date) -> None:
    assert periods.add_working_days(received, requests.REQUEST_DAYS) == due
    assert periods.is_workday(D(2025, 10, 11)) and periods.is_workday(D(2025, 9, 28))  # Saturdays/Sundays worked
    assert not periods.is_workday(D(2025, 10, 3))


def _answer(client, req_id: int, **data):  # noqa: ANN001, ANN003, ANN202
    return client.post(f"/admin/requests/{req_id}/reply", data={"replied_on": china_today().isoformat(), **data})


def test_phone_apply_reply_and_letter(app, client, place, make_user, login, tmp_path) -> None:  # noqa: ANN001
    form = client.get("/m/v1/apply")
    assert form.status_code == 200 and "申请公开" in form.text
    empty = client.post("/m/v1/apply", data={"subject": "", "requester": "张三"})
    assert empty.status_code == 400 and "请写明您要申请公开的信息" in empty.text
    sent = client.post("/m/v1/apply", data={"subject": "2025年村集体鱼塘发包合同", "requester": "张三丰",
                                            "contact": PHONE})
    assert sent.status_code == 302 and "new=1" in sent.location
    with app.app_context():
        req = db.session.execute(db.select(InfoRequest)).scalar_one()
        req_id, ticket = req.id, req.ticket_no
        assert req.channel == "phone" and req.contact == PHONE and req.created_by_id is None
        assert req.due_on == periods.add_working_days(req.received_on, 20)
    page = client.get(sent.location)
    assert ticket in page.text and "已收到您的申请" in page.text
    assert PHONE not in page.text and "张三丰" not in page.text

    clerk = make_user(Role.CLERK, "v1")
    login(client, clerk)
    no_ground = _answer(client, req_id, reply_type="部分公开", reply="合同金额部分公开")
    assert no_ground.status_code == 400 and "法定理由" in no_ground.text
    done = _answer(client, req_id, reply_type="部分公开", ground="个人隐私", reply="承包人身份证号已遮盖。")
    assert done.status_code == 302, re.findall(r'class="error"[^>]*>([^<]+)', done.text)
    client.get("/admin/logout")

    digits = re.sub(r"\D", "", ticket)
    for url in (f"/m/ticket?no={ticket}", f"/kiosk/ticket?no={digits}"):
        shown = client.get(url)
        assert shown.status_code == 200
        assert "部分公开" in shown.text and "个人隐私" in shown.text
        assert PHONE not in shown.text and "张三丰" not in shown.text
    letter = client.get(f"/r/{ticket}/letter.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "告知书" in text and "部分公开" in text and "个人隐私" in text and ticket in text
    assert PHONE not in text and "张三丰" not in text

    # The released documents: a real PDF is taken (pages counted), a scripted one refused with a reason.
    login(client, clerk)
    scripted = client.post(f"/admin/requests/{req_id}/attach", content_type="multipart/form-data",
                           data={"attachment": (io.BytesIO(_pdf(b"/OpenAction<</S/JavaScript/JS(x)>>")), "a.pdf")})
    assert scripted.status_code == 400 and "脚本" in scripted.text
    taken = client.post(f"/admin/requests/{req_id}/attach", content_type="multipart/form-data",
                        data={"attachment": (io.BytesIO(letter.data), "合同.pdf")})
    assert taken.status_code == 302
    client.get("/admin/logout")
    with app.app_context():
        assert db.session.get(InfoRequest, req_id).attachment_pages == 1
    assert "1页" in client.get(f"/m/ticket?no={ticket}").text
    released = client.get(f"/r/{ticket}/documents.pdf")
    assert released.status_code == 200 and released.data == letter.data


def test_kiosk_apply_with_buttons_and_confirm(app, client, place) -> None:  # noqa: ANN001
    page = client.get("/kiosk/v1/apply")
    assert page.status_code == 200 and "村集体收支明细" in page.text and "<svg" in page.text
    confirm = client.get("/kiosk/v1/apply", query_string={"item": "村集体收支明细"})
    assert "确认申请" in confirm.text
    with app.app_context():
        assert db.session.execute(db.select(InfoRequest)).first() is None  # a tap alone files nothing
    assert client.post("/kiosk/v1/apply", data={"item": "随便写的"}).status_code == 400
    done = client.post("/kiosk/v1/apply", data={"item": "村集体收支明细"})
    assert done.status_code == 200 and "R" in done.text
    with app.app_context():
        req = db.session.execute(db.select(InfoRequest)).scalar_one()
        assert req.channel == "kiosk" and req.ticket_no in done.text and req.subject == "村集体收支明细"


def test_typed_replies_and_correction_restarts_the_clock(app, place, make_user) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK, "v1")
    with app.app_context():
        user, village = db.session.get(User, clerk), db.session.get(Village, place["v1"])
        req = requests.apply(village, channel="phone", subject="道路合同", requester="李四", today=D(2025, 9, 26))
        with pytest.raises(ServiceError):
            requests.reply(req, user, reply_type="不予公开", replied_on=D(2025, 9, 29))  # no ground
        with pytest.raises(ServiceError):
            requests.reply(req, user, reply_type="不予公开", ground="随便", replied_on=D(2025, 9, 29))
        with pytest.raises(ServiceError):
            requests.reply(req, user, reply_type="非本机关负责", replied_on=D(2025, 9, 29))  # whom to ask
        with pytest.raises(ServiceError):
            requests.reply(req, user, reply_type="需补正", replied_on=D(2025, 9, 29))  # what to correct
        requests.reply(req, user, reply_type="需补正", text="请写明哪一年的哪条道路", replied_on=D(2025, 9, 29))
        assert requests.status(req, D(2025, 12, 31)) == "correction"  # no clock while waiting
        requests.record_correction(req, user, D(2026, 2, 13), "2025年通组路")
        assert req.received_on == D(2026, 2, 13) and req.due_on == D(2026, 3, 19)
        assert requests.status(req, D(2026, 3, 19)) == "open" and requests.status(req, D(2026, 3, 20)) == "overdue"
        requests.reply(req, user, reply_type="非本机关负责", refer_to="县交通运输局", replied_on=D(2026, 3, 2))
        view = requests.public_view(req, D(2026, 3, 2))
        assert view.status == "replied" and view.refer_to == "县交通运输局" and view.ground == ""


def _pdf(body: bytes = b"") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R" + body + b">>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n")  # no xref table: the reader rebuilds it


def test_released_pdf_checks() -> None:
    """The attachments' own check (one home: disclosure/attachments.check_pdf), a request's limits."""
    from tests.helpers import attachment_files as files

    assert requests.check_pdf(_pdf()) == 1
    assert requests.check_pdf(files.pdf_bytes(25)) == 25  # more pages than a notice attachment may have
    for bad, message in [
        (b"", "请选择"), (b"GIF89a" + _pdf(), "不是"), (_pdf()[:-7], "不是"),
        (_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "脚本"),
        (_pdf(b"/OpenAction<</S/J#61vaScript>>"), "脚本"),  # hex-escaped name
        (files.javascript_pdf(), "脚本"), (files.open_action_pdf(), "自动执行"),
        (files.embedded_file_pdf(), "嵌入的文件"), (files.encrypted_pdf(), "加密"),
        (files.huge_page_pdf(), "尺寸过大"),
        (_pdf() + b"\0" * (requests.PDF_MAX_BYTES), "太大"),
    ]:
        with pytest.raises(ServiceError, match=message) as refused:
            requests.check_pdf(bad)
        assert refused.value.field == "attachment"
