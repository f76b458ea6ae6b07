"""Voucher photos on the kiosk: a public photo of a published line is served
(and its thumbnail); a photo kept off the public side, or one on a draft, is not."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from PIL import Image

from disclosure import periods, vouchers
from disclosure.extensions import db
from disclosure.models import Role, User, Village
from disclosure.services import intake, notices


@dataclass(frozen=True)
class Row:  # shaped like importing.LedgerRow
    occurred_on: dt.date
    summary: str
    direction: str
    subject: str
    amount_fen: int
    voucher_no: str = "记001"
    handler: str = ""
    note: str = ""


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_public_voucher_served_private_and_draft_not(app, make_user, place):
    clerk_id, sup_id = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    with app.app_context():
        clerk, sup = db.session.get(User, clerk_id), db.session.get(User, sup_id)
        village = db.session.get(Village, place["v1"])
        q = periods.quarter(2025, 3)
        notice = notices.create_draft(village, clerk, category="finance", title="一村2025年第三季度财务收支公示", period=q)
        lines = intake.add_ledger_rows(notice, clerk, [
            Row(dt.date(2025, 7, 3), "购买办公用品", "expense", "management_expense", 12_300),
            Row(dt.date(2025, 7, 9), "村部电费", "expense", "management_expense", 45_600)])
        db.session.flush()
        shown = vouchers.attach(lines[0], clerk, photo())
        kept = vouchers.attach(lines[1], clerk, photo())
        draft = notices.create_draft(village, clerk, category="finance", title="草稿", period=periods.quarter(2025, 4))
        draft_line = intake.add_ledger_rows(draft, clerk, [
            Row(dt.date(2025, 10, 3), "草稿里的一笔", "expense", "management_expense", 100)])[0]
        db.session.flush()
        unpublished = vouchers.attach(draft_line, clerk, photo())
        notices.submit(notice, clerk)
        notices.approve(notice, sup)
        notices.publish(notice, clerk, dt.date(2025, 10, 15), dt.date(2025, 10, 21), today=dt.date(2025, 10, 15))
        # every photo starts private; the supervisor shows one and keeps the other
        assert not shown.is_public and not kept.is_public and not unpublished.is_public
        vouchers.set_public(shown, sup, True)
        vouchers.set_public(unpublished, sup, True)  # still a draft: not served either
        db.session.commit()
        ids = shown.id, kept.id, unpublished.id, lines[0].id, lines[1].id, draft_line.id
    shown_id, kept_id, unpublished_id, line_id, kept_line_id, draft_line_id = ids
    client = app.test_client()
    full = client.get(f"/kiosk/voucher/{shown_id}.jpg")
    thumb = client.get(f"/kiosk/voucher/{shown_id}.thumb.jpg")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert thumb.status_code == 200 and len(thumb.data) < len(full.data)
    assert Image.open(io.BytesIO(full.data)).size == (640, 480)
    for vid in (kept_id, unpublished_id):
        assert client.get(f"/kiosk/voucher/{vid}.jpg").status_code == 404
        assert client.get(f"/kiosk/voucher/{vid}.thumb.jpg").status_code == 404
    page = client.get(f"/kiosk/line/{line_id}").get_data(as_text=True)
    assert f'/kiosk/voucher/{shown_id}.thumb.jpg' in page
    page = client.get(f"/m/line/{kept_line_id}").get_data(as_text=True)
    assert f"/kiosk/voucher/{kept_id}" not in page and "没有公开的凭证照片" in page
    assert client.get(f"/kiosk/line/{draft_line_id}").status_code == 404
    assert client.post(f"/kiosk/voucher/{shown_id}.jpg").status_code == 405
