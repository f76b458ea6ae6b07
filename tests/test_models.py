"""The database itself refuses bad rows (CHECK, NOT NULL, UNIQUE), on SQLite
and on PostgreSQL alike, even when the services are bypassed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role, RosterLine, User, Village, VillageGroup
from disclosure.services import notices


@pytest.fixture
def notice_id(app: Flask, make_user: Callable[..., int], place: dict[str, int]) -> int:
    clerk = make_user(Role.CLERK)
    with app.app_context():
        notice = notices.create_draft(db.session.get(Village, place["v1"]), db.session.get(User, clerk),
                                      category="finance", title="测试公示", period=periods.quarter(2025, 3))
        db.session.commit()
        return notice.id


def _ledger(notice_id: int, village_id: int, **overrides: object) -> LedgerLine:
    fields = dict(notice_id=notice_id, village_id=village_id, occurred_on=dt.date(2025, 8, 1), voucher_no="记001",
                  summary="村部电费", direction="expense", subject="management_expense", amount_fen=12_345)
    fields.update(overrides)
    return LedgerLine(**fields)


def _roster(notice_id: int, village_id: int, **overrides: object) -> RosterLine:
    fields = dict(notice_id=notice_id, village_id=village_id, seq=1, kind="dibao", name="张三明",
                  public_name="张*明", amount_fen=41_000)
    fields.update(overrides)
    return RosterLine(**fields)


def _refused(app: Flask, row: object) -> None:
    """The database refuses ``row``; afterwards nothing of it is stored."""
    with app.app_context():
        db.session.add(row)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count()).select_from(type(row))).scalar_one() == 0


def test_a_good_ledger_line_is_stored(app: Flask, notice_id: int, place: dict[str, int]) -> None:
    with app.app_context():
        db.session.add(_ledger(notice_id, place["v1"]))
        db.session.commit()
        line = db.session.execute(sa.select(LedgerLine)).scalar_one()
        assert line.amount_fen == 12_345 and isinstance(line.amount_fen, int)


@pytest.mark.parametrize("amount", [0, -1, -100_00])
def test_ledger_amount_must_be_positive(app: Flask, notice_id: int, place: dict[str, int], amount: int) -> None:
    _refused(app, _ledger(notice_id, place["v1"], amount_fen=amount))


@pytest.mark.parametrize("direction", ["in", "Income", "", "refund"])
def test_ledger_direction_must_be_known(app: Flask, notice_id: int, place: dict[str, int], direction: str) -> None:
    _refused(app, _ledger(notice_id, place["v1"], direction=direction))


def test_ledger_line_needs_a_notice(app: Flask, place: dict[str, int]) -> None:
    _refused(app, _ledger(999_999, place["v1"]))  # foreign keys are enforced on SQLite too


def test_ledger_raw_sql_bypassing_the_orm_is_refused(app: Flask, notice_id: int, place: dict[str, int]) -> None:
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(sa.text(
                "INSERT INTO ledger_lines (notice_id, village_id, occurred_on, voucher_no, summary, direction, subject,"
                " amount_fen, handler, note) VALUES (:n, :v, '2025-08-01', '', '退款', 'expense', 'other_expense', -5,"
                " '', '')"), {"n": notice_id, "v": place["v1"]})
        db.session.rollback()


def test_a_good_roster_line_is_stored(app: Flask, notice_id: int, place: dict[str, int]) -> None:
    with app.app_context():
        db.session.add(_roster(notice_id, place["v1"]))
        db.session.commit()
        assert db.session.execute(sa.select(RosterLine.public_name)).scalar_one() == "张*明"


@pytest.mark.parametrize("name", ["", None])
def test_roster_line_needs_a_name(app: Flask, notice_id: int, place: dict[str, int], name: str | None) -> None:
    _refused(app, _roster(notice_id, place["v1"], name=name))


def test_roster_amount_may_be_zero_but_not_negative(app: Flask, notice_id: int, place: dict[str, int]) -> None:
    with app.app_context():
        db.session.add(_roster(notice_id, place["v1"], amount_fen=0))  # e.g. a household listed, nothing paid yet
        db.session.commit()
    with app.app_context():
        db.session.add(_roster(notice_id, place["v1"], seq=2, amount_fen=-1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count()).select_from(RosterLine)).scalar_one() == 1


def test_usernames_and_village_codes_are_unique(app: Flask, place: dict[str, int], make_user: Callable[..., int]) -> None:
    user_id = make_user(Role.CLERK)
    with app.app_context():
        first = db.session.get(User, user_id)
        db.session.add(User(username=first.username, display_name="重复", password_hash="x", role=Role.CLERK,
                            township_id=first.township_id, village_id=first.village_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Village(code="v1", name="重复村", township_id=place["township"]))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_group_numbers_are_unique_per_village(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        db.session.add(VillageGroup(village_id=place["v1"], number=1, name="又一个第1组"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(VillageGroup(village_id=place["v1"], number=4, name="第4村民小组"))
        db.session.commit()


def test_status_is_stored_as_its_value(app: Flask, notice_id: int) -> None:
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT status FROM notices WHERE id = :i"), {"i": notice_id}).scalar_one()
        assert raw == "draft"
        assert db.session.get(Notice, notice_id).status.label == "草稿"


def test_verify_codes_are_unique(app: Flask, notice_id: int, make_user: Callable[..., int],
                                 place: dict[str, int]) -> None:
    with app.app_context():
        other = notices.create_draft(db.session.get(Village, place["v1"]), db.session.get(Notice, notice_id).author,
                                     category="finance", title="另一公示", period=periods.quarter(2025, 4))
        db.session.get(Notice, notice_id).verify_code = "ABCDEFGHJK"
        other.verify_code = "ABCDEFGHJK"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
