"""disclosure.money: exact amounts in integer fen, refusals in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure.money import MAX_FEN, MoneyError, format_wan, format_yuan, parse_amount, sum_fen, yuan


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("0", 0),
        ("1", 100),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.01", 1),
        (".5", 50),
        ("3.", 300),
        ("1,234.56", 123456),
        ("1，234.56", 123456),  # full-width comma
        ("¥1,234.50", 123450),
        ("￥88", 8800),
        ("1234.5元", 123450),
        ("１２３４.５元", 123450),  # full-width digits
        ("1 234.5", 123450),
        ("  7.07  ", 707),
        ("+15", 1500),
        ("RMB 20", 2000),
        (15, 1500),
        (Decimal("15.04"), 1504),
        (Decimal("0.10"), 10),
        (105.5, 10550),
        (0.1 + 0.2, 30),  # spreadsheet float noise below 0.001 fen is tolerated
        (1158.15, 115815),
        (MAX_FEN // 100, MAX_FEN),
    ],
)
def test_parse_amount_accepts(value: object, fen: int) -> None:
    assert parse_amount(value) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "金额不能为负数"),
        ("(5.00)", "金额不能为负数"),  # accountants' brackets mean negative
        (-0.01, "金额不能为负数"),
        ("−3", "金额不能为负数"),  # U+2212 minus sign
        ("abc", "不是数字"),
        ("12.3.4", "不是数字"),
        ("1e3", "不是数字"),
        ("五十", "不是数字"),
        ("", "金额为空"),
        ("   ", "金额为空"),
        ("元", "金额为空"),
        (None, "不是数字"),
        (True, "不是数字"),
        (float("nan"), "不是数字"),
        (float("inf"), "不是数字"),
        (Decimal("NaN"), "不是数字"),
        ("1.234", "金额最多两位小数"),
        ("0.001", "金额最多两位小数"),
        (Decimal("2.005"), "金额最多两位小数"),
        (12.345, "金额最多两位小数"),
        (MAX_FEN // 100 + 1, "金额过大，请检查"),
    ],
)
def test_parse_amount_refuses(value: object, message: str) -> None:
    with pytest.raises(MoneyError) as err:
        parse_amount(value)
    assert str(err.value) == message


def test_negative_and_zero_only_when_allowed() -> None:
    assert parse_amount("-5", allow_negative=True) == -500
    assert parse_amount("(5.00)", allow_negative=True) == -500
    with pytest.raises(MoneyError, match="金额不能为零"):
        parse_amount("0.00", allow_zero=False)
    assert parse_amount("0", allow_zero=True) == 0


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (100, "1.00"),
        (1504117, "15,041.17"),
        (123456789, "1,234,567.89"),
        (-1504117, "-15,041.17"),
        (None, "—"),
    ],
)
def test_format_yuan(fen: int | None, text: str) -> None:
    assert format_yuan(fen) == text


def test_format_yuan_sign() -> None:
    assert format_yuan(500, sign=True) == "+5.00"
    assert format_yuan(-500, sign=True) == "-5.00"
    assert format_yuan(0, sign=True) == "0.00"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (15041173, "15.04万元"),
        (1_000_000, "1.00万元"),
        (999_999, "9999.99元"),
        (86000, "860元"),
        (86050, "860.50元"),
        (5, "0.05元"),
        (0, "0元"),
        (-15041173, "负15.04万元"),
        (15045000, "15.05万元"),  # half up, not banker's rounding
    ],
)
def test_format_wan(fen: int, text: str) -> None:
    assert format_wan(fen) == text


def test_yuan_is_decimal_with_two_places() -> None:
    assert yuan(1504117) == Decimal("15041.17")
    assert str(yuan(100)) == "1.00"
    assert isinstance(yuan(1), Decimal)


def test_sum_fen_is_exact_and_refuses_floats() -> None:
    # Ten dimes are exactly one yuan in fen, unlike 0.1 added in binary floats.
    assert sum_fen([10] * 10) == 100
    assert sum_fen(parse_amount(v) for v in ("0.10", "0.20", "1,000.70")) == 100100
    assert sum_fen([]) == 0
    with pytest.raises(TypeError):
        sum_fen([100, 0.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        sum_fen([True])  # type: ignore[list-item]


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_parse_of_format_round_trips(fen: int) -> None:
    assert parse_amount(format_yuan(fen)) == fen
    assert parse_amount(yuan(fen)) == fen
    assert parse_amount(str(yuan(fen))) == fen


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_signed_round_trip(fen: int) -> None:
    assert parse_amount(format_yuan(fen), allow_negative=True) == fen
