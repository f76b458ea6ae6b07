"""services.finance: a village's books reconcile for every month, quarter and
year of the demo data, and the clerks' sample ledger gives its known totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure import periods, public
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role, Status, User, Village
from disclosure.money import parse_amount
from disclosure.services import finance, imports, notices

SAMPLE = Path(__file__).resolve().parent / "data" / "samples" / "ledger_2025Q3.xlsx"


def _villages() -> list[Village]:
    return list(db.session.execute(sa.select(Village).order_by(Village.code)).scalars())


def _years(village: Village) -> list[int]:
    first, last = finance.span(village)
    return list(range(first.year, last.year + 1))


def test_demo_has_ledgers_for_every_village(demo_app: Flask) -> None:
    with demo_app.app_context():
        villages = _villages()
        assert len(villages) >= 3
        for village in villages:
            first, last = finance.span(village)
            assert len(periods.months_in(periods.Period(first, last, ""))) >= 24


def test_every_month_opens_with_the_previous_closing(demo_app: Flask) -> None:
    with demo_app.app_context():
        for village in _villages():
            years = _years(village)
            months = [m for y in years for m in finance.monthly(village, periods.year(y))]
            assert months[0].opening_fen == finance.balance_before(village, months[0].period.start)
            for previous, current in zip(months, months[1:]):
                assert current.opening_fen == previous.closing_fen, (village.code, current.period.label)
            for m in months:
                assert m.closing_fen == m.opening_fen + m.income_fen - m.expense_fen
                # The closing balance is what the database says the next morning.
                assert m.closing_fen == finance.balance_before(village, m.period.end + dt.timedelta(days=1))
            # Before the first line the books stand at the opening balance.
            first, _ = finance.span(village)
            assert finance.balance_before(village, first) == village.opening_balance_fen


def test_quarters_and_years_equal_their_months_and_their_lines(demo_app: Flask) -> None:
    with demo_app.app_context():
        checked = 0
        for village in _villages():
            for y in _years(village):
                for span in [periods.quarter(y, q) for q in (1, 2, 3, 4)] + [periods.year(y)]:
                    whole = finance.summarize(village, span)
                    months = finance.monthly(village, span)
                    lines = finance.lines(village, span)
                    assert whole.income_fen == sum(m.income_fen for m in months)
                    assert whole.expense_fen == sum(m.expense_fen for m in months)
                    assert whole.line_count == sum(m.line_count for m in months) == len(lines)
                    assert whole.income_fen == sum(l.amount_fen for l in lines if l.direction == "income")
                    assert whole.expense_fen == sum(l.amount_fen for l in lines if l.direction == "expense")
                    assert whole.opening_fen == months[0].opening_fen
                    assert whole.closing_fen == months[-1].closing_fen
                    assert whole.closing_fen == whole.opening_fen + whole.income_fen - whole.expense_fen
                    assert sum(whole.by_subject.values()) == whole.income_fen + whole.expense_fen
                    if lines:
                        biggest = max((l for l in lines if l.direction == "expense"), key=lambda l: l.amount_fen)
                        assert whole.largest_expense.amount_fen == biggest.amount_fen
                    checked += bool(lines)
        assert checked >= 3 * 8  # at least eight quarters with lines per village


def test_only_versions_in_force_count(demo_app: Flask) -> None:
    """Lines of drafts, superseded and withdrawn versions are not in the books."""
    with demo_app.app_context():
        counted = db.session.execute(finance.current_lines().with_only_columns(sa.func.count())).scalar_one()
        by_status = dict(db.session.execute(
            sa.select(Notice.status, sa.func.count(LedgerLine.id)).join(LedgerLine, LedgerLine.notice_id == Notice.id)
            .group_by(Notice.status)).all())
        assert counted == by_status.get(Status.PUBLISHED, 0) + by_status.get(Status.ARCHIVED, 0)
        total = sum(len(finance.lines(v, periods.Period(*finance.span(v), ""))) for v in _villages())
        assert total == counted


@pytest.fixture
def sample_quarter(app: Flask, place: dict[str, int], make_user: Callable[..., int]) -> int:
    """The clerks' sample ledger (2025 Q3) imported, approved and published in 一村."""
    clerk, supervisor = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        outcome = imports.import_file("ledger", SAMPLE.read_bytes(), SAMPLE.name, village=village,
                                      user=db.session.get(User, clerk))
        notice = outcome.notice
        assert notice is not None, outcome.message
        notices.submit(notice, db.session.get(User, clerk))
        notices.approve(notice, db.session.get(User, supervisor))
        start = dt.date(2025, 10, 15)
        notices.publish(notice, db.session.get(User, clerk), start, periods.notice_end(start, 7), today=start)
        db.session.commit()
        return village.id


def test_the_sample_ledger_totals(app: Flask, sample_quarter: int) -> None:
    with app.app_context():
        village = db.session.get(Village, sample_quarter)
        q3 = finance.summarize(village, periods.quarter(2025, 3))
        assert q3.line_count == 31
        assert q3.income_fen == parse_amount("150411.73") == 15_041_173
        assert q3.expense_fen == parse_amount("114361.02") == 11_436_102
        assert q3.opening_fen == village.opening_balance_fen == 100_000_00
        assert q3.closing_fen == 100_000_00 + 15_041_173 - 11_436_102 == 13_605_071
        months = finance.monthly(village, periods.quarter(2025, 3))
        assert [m.period.label for m in months] == ["2025年7月", "2025年8月", "2025年9月"]
        assert sum(m.income_fen for m in months) == 15_041_173
        assert months[-1].closing_fen == q3.closing_fen
        # 15.04万 − 11.44万 is not the 3.61万 the rounded net would say: the figures are shown to the fen
        shown = public.period_figures(village, periods.quarter(2025, 3), dt.date(2025, 11, 1))
        assert shown.sentence.startswith("2025年第三季度村里收入150,411.73元，支出114,361.02元，结余36,050.71元；"
                                         "最大一笔支出是")
        assert shown.sentence.endswith("账上现有136,050.71元。")
        # Nothing outside the quarter moved.
        q4 = finance.summarize(village, periods.quarter(2025, 4))
        assert (q4.income_fen, q4.expense_fen, q4.opening_fen) == (0, 0, q3.closing_fen)


def test_a_withdrawn_quarter_leaves_the_books(app: Flask, sample_quarter: int, place: dict[str, int]) -> None:
    with app.app_context():
        village = db.session.get(Village, sample_quarter)
        notice = db.session.execute(sa.select(Notice).where(Notice.village_id == village.id)).scalar_one()
        notices.withdraw(notice, notice.author, "导入了错误的文件")
        db.session.commit()
        q3 = finance.summarize(village, periods.quarter(2025, 3))
        assert (q3.income_fen, q3.expense_fen, q3.line_count) == (0, 0, 0)
        assert q3.closing_fen == village.opening_balance_fen
