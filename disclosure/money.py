"""Exact money: integer fen inside, ``Decimal`` yuan at the edges, never float.

Everything that turns user or spreadsheet input into an amount goes through
:func:`parse_amount`; everything that shows an amount goes through
:func:`format_yuan` or :func:`format_wan` (registered as template filters).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
#: Largest amount accepted for one line: 10 亿元. Anything above is a typing error.
MAX_FEN = 100_000_000_000

_STRIP = re.compile(r"[\s,，¥￥元RMBrmb]")


class MoneyError(ValueError):
    """An amount that cannot be accepted; ``str(err)`` is a Chinese message."""


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise MoneyError("不是数字")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Spreadsheets hand over binary floats; repr() gives the shortest
        # decimal that round-trips, which is what the clerk typed.
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError("不是数字")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        text = _STRIP.sub("", text).replace("−", "-")
        if not text:
            raise MoneyError("金额为空")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise MoneyError("不是数字")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise MoneyError("不是数字") from exc
        return -number if negative else number
    raise MoneyError("不是数字")


def parse_amount(value: object, *, allow_negative: bool = False, allow_zero: bool = True) -> int:
    """Return ``value`` in integer fen or raise :class:`MoneyError`.

    Accepts ints, Decimals, spreadsheet floats and strings such as
    ``"¥1,234.50"``, ``"１２３４.５元"`` or ``"1 234.5"``. More than two decimal
    places is refused rather than silently rounded (a spreadsheet float's
    representation noise below 0.001 fen is tolerated).
    """
    number = _to_decimal(value)
    if not number.is_finite():
        raise MoneyError("不是数字")
    if abs(number) > MAX_FEN:  # far beyond the limit; also keeps quantize() within Decimal's precision
        raise MoneyError("金额过大，请检查")
    fen = number * 100
    rounded = fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(fen - rounded) > Decimal("0.00001"):
        raise MoneyError("金额最多两位小数")
    result = int(rounded)
    if result < 0 and not allow_negative:
        raise MoneyError("金额不能为负数")
    if result == 0 and not allow_zero:
        raise MoneyError("金额不能为零")
    if abs(result) > MAX_FEN:
        raise MoneyError("金额过大，请检查")
    return result


def yuan(fen: int) -> Decimal:
    """Integer fen as ``Decimal`` yuan with two places."""
    return (Decimal(fen) / 100).quantize(FEN)


def fen_from_yuan(amount: Decimal | str | int) -> int:
    return parse_amount(amount, allow_negative=True)


def format_yuan(fen: int | None, *, sign: bool = False) -> str:
    """``1504117`` → ``"15,041.17"``; ``None`` → ``"—"``."""
    if fen is None:
        return "—"
    text = f"{yuan(abs(fen)):,.2f}"
    if fen < 0:
        return "-" + text
    return ("+" + text) if sign and fen > 0 else text


def format_yuan_short(fen: int) -> str:
    """A standard as a sentence says it: ``65000`` → ``"650"``, ``10550`` → ``"105.50"``."""
    return format_yuan(fen).removesuffix(".00")


def format_wan(fen: int) -> str:
    """Spoken-style amount for sentences: ``15041173`` → ``"15.04万元"``,
    ``86000`` → ``"860元"``, ``86050`` → ``"860.50元"``."""
    negative = fen < 0
    fen = abs(fen)
    if fen >= 1_000_000:  # 1 万元 and above
        text = f"{(Decimal(fen) / 1_000_000).quantize(FEN, rounding=ROUND_HALF_UP)}万元"
    elif fen % 100 == 0:
        text = f"{fen // 100}元"
    else:
        text = f"{yuan(fen)}元"
    return ("负" + text) if negative else text


def sum_fen(amounts: Iterable[int]) -> int:
    total = 0
    for amount in amounts:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError("amounts must be integer fen")
        total += amount
    return total
