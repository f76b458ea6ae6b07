"""Issue 11 §3: the chain sees everything. `flask verify-chain` names a
version flipped back to draft, a deleted newest version and a swapped receipt
photo; chain heads are anchored outside the database (printed 链头 codes, the
daily digest in the feed and the API); a notice period cannot start in the
past; the /v/ page never says 现行有效 over 内容核对异常."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from disclosure import clock, periods, storage, vouchers
from disclosure.extensions import db
from disclosure.models import AuditEntry, Notice, Role, Status, User, Village, VoucherImage
from disclosure.services import ServiceError, chain, intake, notices
from tests.helpers.admin_world import LedgerIn as Row

def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def verify(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["verify-chain", *args])


@pytest.fixture
def board(app: Flask, place: dict[str, int], make_user: Callable[..., int]) -> dict[str, int]:
    """Two published versions in 一村; the second has a receipt photo."""
    clerk_id, sup_id = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    with app.app_context():
        clerk, sup = db.session.get(User, clerk_id), db.session.get(User, sup_id)
        village = db.session.get(Village, place["v1"])
        first = notices.create_draft(village, clerk, category="major", title="修路决议公示", period=periods.month(2025, 9),
                                     body="村民代表会议决议修路。")
        second = notices.create_draft(village, clerk, category="finance", title="一村2025年第三季度财务收支公示",
                                      period=periods.quarter(2025, 3))
        line = intake.add_ledger_rows(second, clerk, [
            Row(dt.date(2025, 7, 3), "购买办公用品", "expense", "management_expense", 12_300)])[0]
        db.session.flush()
        voucher = vouchers.attach(line, clerk, photo((200, 120, 40)))
        for n, notice in enumerate((first, second)):
            notices.submit(notice, clerk)
            notices.approve(notice, sup)
            start = clock.china_today() + dt.timedelta(days=n)
            notices.publish(notice, clerk, start, periods.notice_end(start, 7))
        db.session.commit()
        return {"first": first.id, "second": second.id, "voucher": voucher.id, "clerk": clerk_id,
                "sup": sup_id, "village": village.id}


def named(app: Flask, message: str) -> None:
    """verify-chain fails and names the problem."""
    result = verify(app)
    assert result.exit_code == 1 and message in result.output, result.output


def sql(app: Flask, *statements: str, **params: object) -> None:
    with app.app_context(), db.engine.begin() as conn:  # behind the app's back
        for statement in statements:
            conn.execute(sa.text(statement), params)


def test_untouched_board_verifies(app: Flask, board: dict[str, int]) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_published_version_flipped_back_to_draft_is_named(app: Flask, board: dict[str, int]) -> None:
    sql(app, "UPDATE notices SET status = 'draft' WHERE id = :id", id=board["first"])
    named(app, f"公示 #{board['first']}《修路决议公示》：已公布的版本被改回“草稿”状态")


def test_deleted_newest_version_is_named(app: Flask, board: dict[str, int]) -> None:
    newest = board["second"]
    sql(app, "DELETE FROM voucher_images WHERE id = :v", v=board["voucher"])
    sql(app, "DELETE FROM ledger_lines WHERE notice_id = :id", "DELETE FROM notices WHERE id = :id", id=newest)
    named(app, f"v1 公示 #{newest}《一村2025年第三季度财务收支公示》：已公布的版本从哈希链中消失")


def test_swapped_photo_file_and_swapped_photo_row_are_named(app: Flask, board: dict[str, int]) -> None:
    with app.app_context():
        voucher = db.session.get(VoucherImage, board["voucher"])
        name = vouchers.voucher_name(voucher.sha256)
        original = storage.get(name)
        storage.put(name, photo((10, 200, 10)))  # another receipt under the same name
        db.session.commit()
    with app.app_context():
        code = db.session.get(Notice, board["second"]).verify_code
    page = app.test_client().get(f"/v/{code}").get_data(as_text=True)
    assert "内容核对异常" in page and "现行有效" not in page
    named(app, f"公示 #{board['second']}《一村2025年第三季度财务收支公示》：凭证照片被替换（购买办公用品）")
    with app.app_context():
        storage.put(name, original)
        db.session.commit()
    assert verify(app).exit_code == 0
    # the row pointed at another stored photo
    other_jpeg, other_thumb, *_rest, other_sha = vouchers.process_image(photo((10, 10, 200)))
    with app.app_context():
        vouchers.store(other_jpeg, other_thumb, other_sha)
    sql(app, "UPDATE voucher_images SET sha256 = :sha WHERE id = :v", sha=other_sha, v=board["voucher"])
    named(app, f"公示 #{board['second']}《一村2025年第三季度财务收支公示》：公布后的内容被改动（内容哈希不符）")


def test_format_1_versions_keep_verifying_and_cannot_hide_behind_format_1(app: Flask, board: dict[str, int]) -> None:
    with app.app_context():
        first = db.session.get(Notice, board["first"])
        assert first.hash_format == chain.HASH_FORMAT == 3
        # A version sealed before photos were hashed (format 1) still checks under its own format.
        assert chain.content_hash(first, 1) != first.content_hash
    # Pretending the photo version is format 1 (to hide a swapped photo) breaks its hash.
    sql(app, "UPDATE notices SET hash_format = 1 WHERE id = :id", id=board["second"])
    result = verify(app)
    assert result.exit_code == 1 and "内容哈希不符" in result.output


def reseal(app: Flask, *, hash_format: int | None = None, edit: Callable[[Notice], None] = lambda n: None) -> None:
    """Re-seal every link the way an insider would (or the way a board sealed
    before format 2 did): the database alone is consistent again."""
    with app.app_context():
        prev = None
        for notice in db.session.execute(sa.select(Notice).where(Notice.chain_seq.is_not(None))
                                         .order_by(Notice.chain_seq)).scalars():
            notice.hash_format = hash_format or notice.hash_format
            edit(notice)
            notice.prev_chain_hash = prev
            notice.content_hash = chain.content_hash(notice)
            notice.chain_hash = chain.link_hash(prev, notice.content_hash)
            notice.verify_code = chain.verify_code(notice.content_hash)
            prev = notice.chain_hash
        db.session.commit()


def test_a_chain_sealed_in_format_1_still_verifies(app: Flask, board: dict[str, int]) -> None:
    """What a board sealed before this change holds (format 1 everywhere) verifies unchanged."""
    reseal(app, hash_format=1)
    with app.app_context():
        for entry in db.session.execute(sa.select(AuditEntry)).scalars():  # format-1 boards logged no seal
            entry.after = {k: v for k, v in (entry.after or {}).items() if k not in ("chain_seq", "chain_code")}
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output


# Anchors outside the database -----------------------------------------------

def rewrite_whole_chain(app: Flask) -> None:
    """An insider edits the first version and re-seals every link after it."""
    def edit(notice: Notice) -> None:
        if notice.chain_seq == 1:
            notice.body = "村民代表会议决议不修路。"

    reseal(app, edit=edit)


def test_printed_head_code_catches_a_rewritten_chain(app: Flask, board: dict[str, int]) -> None:
    client = app.test_client()
    with app.app_context():
        second = db.session.get(Notice, board["second"])
        code = chain.notice_head_code(second)
        assert code.startswith("2-") and len(code) == 11
    html = client.get(f"/p/{board['second']}.pdf")
    assert html.status_code == 200
    text = subprocess.run(["pdftotext", "-", "-"], input=html.data, capture_output=True, check=True).stdout.decode()
    assert f"链头 {code}" in text
    assert verify(app, "--anchor", f"v1:{code}").exit_code == 0
    rewrite_whole_chain(app)
    plain = verify(app)
    assert plain.exit_code == 1  # the audit log still holds the old head
    result = verify(app, "--anchor", f"v1:{code}")
    assert result.exit_code == 1
    assert f"v1 链头码 {code}：与本村现在第2条记录不符（链条被改写）" in result.output


def test_daily_digest_in_feed_and_api(app: Flask, board: dict[str, int]) -> None:
    client = app.test_client()
    with app.app_context():
        second = db.session.get(Notice, board["second"])
        code, day = chain.notice_head_code(second), clock.china_time(second.published_at).date()
    data = client.get("/api/villages/v1/chain").get_json()
    assert data["village"] == "v1"
    assert data["head"] == {"village": "v1", "date": day.isoformat(), "seq": 2, "code": code,
                            "chain_hash": data["head"]["chain_hash"]}
    assert [d["seq"] for d in data["daily"]] == [2]
    assert "/api/villages/{code}/chain" in client.get("/api/openapi.json").get_json()["paths"]
    feed = ET.fromstring(client.get("/feed/v1.atom").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    digests = [e for e in feed.findall("a:entry", ns) if "chain-head" in e.find("a:id", ns).text]
    assert len(digests) == 1
    assert code in digests[0].find("a:summary", ns).text and day.isoformat() in digests[0].find("a:title", ns).text
    rewrite_whole_chain(app)
    assert client.get("/api/villages/v1/chain").get_json()["head"]["code"] != code


# Notice periods ------------------------------------------------------------------

def test_a_notice_period_in_the_past_is_refused(app: Flask, place: dict[str, int], make_user) -> None:  # noqa: ANN001
    clerk_id, sup_id = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    with app.app_context():
        clerk, sup = db.session.get(User, clerk_id), db.session.get(User, sup_id)
        notice = notices.create_draft(db.session.get(Village, place["v1"]), clerk, category="major", title="决议",
                                      period=periods.month(2025, 9), body="内容")
        notices.submit(notice, clerk)
        notices.approve(notice, sup)
        today = clock.china_today()
        for start, end in ((dt.date(2025, 10, 1), dt.date(2025, 10, 7)),  # wholly in the past
                           (today - dt.timedelta(days=1), today + dt.timedelta(days=6))):  # starts yesterday
            with pytest.raises(ServiceError) as refused:
                notices.publish(notice, clerk, start, end)
            assert refused.value.message.startswith("公示期不能从过去开始") and refused.value.field == "notice_start"
            assert notice.status == Status.APPROVED and notice.chain_seq is None
        notices.publish(notice, clerk, today, today + dt.timedelta(days=6))
        assert notice.status == Status.PUBLISHED


# The verify page after tampering -----------------------------------------------------

def test_verify_page_never_says_in_force_over_a_content_mismatch(app: Flask, board: dict[str, int]) -> None:
    with app.app_context():
        code = db.session.get(Notice, board["first"]).verify_code
    sql(app, "UPDATE notices SET body = '改过的内容' WHERE id = :id", id=board["first"])
    page = app.test_client().get(f"/v/{code}").get_data(as_text=True)
    assert "内容核对异常" in page
    assert "现行有效" not in page
    assert page.index("内容核对异常") < page.index("修路决议公示")
