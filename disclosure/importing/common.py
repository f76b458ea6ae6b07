"""Steps shared by the ledger and roster parsers: read the file, pick the
sheet whose header we recognise, walk the data rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .header import Header, find_header, title_above
from .model import Problem
from .reader import MAX_DATA_ROWS, MSG_TOO_MANY_ROWS, ReadError, Sheet, read_sheets
from .values import is_blank_row


@dataclass
class Located:
    sheet: Sheet
    header: Header
    title: str


def locate(
    data: bytes,
    filename: str,
    fields: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    what: str,
) -> Located | Problem:
    """The first sheet with a recognisable header, or the file-level problem."""
    try:
        sheets = read_sheets(data, filename)
    except ReadError as err:
        return err.problem
    best_missing: list[str] | None = None
    for sheet in sheets:
        header, missing = find_header(sheet, fields, required)
        if header is not None:
            if _data_rows(sheet, header) > MAX_DATA_ROWS or sheet.truncated:
                return Problem(None, "", MSG_TOO_MANY_ROWS, "too_many_rows")
            return Located(sheet, header, title_above(sheet, header))
        if best_missing is None or len(missing) < len(best_missing):
            best_missing = missing
    wanted = "、".join(f"“{m}”" for m in (best_missing or []))
    message = f"没有找到{what}的表头，请确认表格中有{wanted}列"
    return Problem(None, "", message, "no_header")


def _data_rows(sheet: Sheet, header: Header) -> int:
    return sum(1 for cells in sheet.rows[header.data_start :] if not is_blank_row(cells))


def data_rows(located: Located) -> Iterator[tuple[int, int, list[object]]]:
    """(row index, sheet row number, cells) for every row under the header."""
    start = located.header.data_start
    for index in range(start, len(located.sheet.rows)):
        yield index, index + 1, located.sheet.rows[index]


def cell(cells: list[object], header: Header, key: str) -> object:
    column = header.columns.get(key)
    if column is None or column.index >= len(cells):
        return None
    return cells[column.index]


_MONEY_CODES = {
    "金额不能为负数": "negative_amount",
    "不是数字": "not_a_number",
    "金额为空": "missing_amount",
    "金额不能为零": "zero_amount",
    "金额最多两位小数": "too_many_decimals",
    "金额过大，请检查": "amount_too_large",
}


def money_problem_code(err: Exception) -> str:
    """A stable code for a money.MoneyError (whose text is the Chinese message)."""
    return _MONEY_CODES.get(str(err), "bad_amount")
