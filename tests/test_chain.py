"""The hash chain: `flask verify-chain` passes on untouched data and names the
notice when a published version is changed behind the app's back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role, Status, User, Village
from disclosure.services import chain, notices


def verify(app: Flask):
    return app.test_cli_runner().invoke(args=["verify-chain"])


def test_demo_chain_is_intact(demo_app: Flask) -> None:
    result = verify(demo_app)
    assert result.exit_code == 0, result.output
    assert "哈希链完好：3个村的全部已公布版本均未被改动。" in result.output


def test_editing_a_published_amount_with_sql_is_caught(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert verify(app).exit_code == 0
    with app.app_context():
        line_id, notice_id, title, village = db.session.execute(
            sa.select(LedgerLine.id, Notice.id, Notice.title, Village.code)
            .join(Notice, LedgerLine.notice_id == Notice.id).join(Village, Notice.village_id == Village.id)
            .where(Notice.status == Status.PUBLISHED).order_by(LedgerLine.id).limit(1)).one()
        with db.engine.begin() as conn:  # behind the app's back: plain SQL, no ORM, no service
            conn.execute(sa.text("UPDATE ledger_lines SET amount_fen = amount_fen + 100 WHERE id = :id"),
                         {"id": line_id})
    result = verify(app)
    assert result.exit_code == 1
    assert f"{village} 公示 #{notice_id}《{title}》：公布后的内容被改动（内容哈希不符）" in result.output
    assert "哈希链完好" not in result.output
    # Only that notice is named.
    assert len([l for l in result.output.splitlines() if "公示 #" in l]) == 1


@pytest.fixture
def three_published(app: Flask, place: dict[str, int], make_user: Callable[..., int]) -> list[int]:
    clerk, supervisor = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    ids = []
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        for n, title in enumerate(("第一号公示", "第二号公示", "第三号公示")):
            notice = notices.create_draft(village, db.session.get(User, clerk), category="major", title=title,
                                          period=periods.month(2025, 10 + n), body=f"{title}的内容")
            notices.submit(notice, db.session.get(User, clerk))
            notices.approve(notice, db.session.get(User, supervisor))
            start = dt.date(2025, 10, 10 + n)
            notices.publish(notice, db.session.get(User, clerk), start, periods.notice_end(start, 7), today=start)
            ids.append(notice.id)
        db.session.commit()
    return ids


def test_each_version_links_to_the_previous(app: Flask, three_published: list[int]) -> None:
    with app.app_context():
        first, second, third = (db.session.get(Notice, i) for i in three_published)
        assert [n.chain_seq for n in (first, second, third)] == [1, 2, 3]
        assert first.prev_chain_hash is None
        assert second.prev_chain_hash == first.chain_hash and third.prev_chain_hash == second.chain_hash
        assert chain.link_hash(second.prev_chain_hash, second.content_hash) == second.chain_hash
        assert len({n.verify_code for n in (first, second, third)}) == 3
    assert verify(app).exit_code == 0


@pytest.mark.parametrize(
    ("sql", "which", "message"),
    [
        ("UPDATE notices SET title = '改过的标题' WHERE id = :id", 1, "公布后的内容被改动（内容哈希不符）"),
        ("UPDATE notices SET body = '' WHERE id = :id", 0, "公布后的内容被改动（内容哈希不符）"),
        ("UPDATE notices SET notice_end = '2025-10-12' WHERE id = :id", 2, "公布后的内容被改动（内容哈希不符）"),
        ("UPDATE notices SET prev_chain_hash = NULL WHERE id = :id", 1, "与前一条公示的链接被改动"),
        ("UPDATE notices SET verify_code = 'AAAAAAAAAA' WHERE id = :id", 0, "核验码与内容哈希不符"),
        ("DELETE FROM audit_log WHERE entity_id = :id; DELETE FROM notices WHERE id = :id", 1,
         "链条序号不连续（应为2，实为3）"),
    ],
)
def test_tampering_is_named(app: Flask, three_published: list[int], sql: str, which: int, message: str) -> None:
    target = three_published[which]
    with app.app_context():
        with db.engine.begin() as conn:
            for statement in sql.split("; "):
                conn.execute(sa.text(statement), {"id": target})
    result = verify(app)
    assert result.exit_code == 1
    assert message in result.output
    named = three_published[which + 1] if sql.startswith("DELETE") else target
    assert f"公示 #{named}" in result.output


def test_status_changes_do_not_break_the_chain(app: Flask, three_published: list[int]) -> None:
    """Withdrawing or superseding changes a version's status, never its content."""
    with app.app_context():
        notice = db.session.get(Notice, three_published[0])
        notices.withdraw(notice, notice.author, "误发")
        db.session.commit()
    assert verify(app).exit_code == 0
