"""Tidy .xlsx exports: a merged title row, a bold header, money as numbers
with two decimals, column widths that fit Chinese text.

Cells are never formulas: text that starts with ``= + - @`` (or a tab or a
carriage return) is written as text with a leading apostrophe, so a summary
like ``=HYPERLINK(...)`` typed into the board cannot run in the reader's Excel
(formula injection). The importer drops that apostrophe again.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from disclosure import clock, money

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 6, 60


def safe_text(value: str) -> str:
    """'=1+1' → "'=1+1": never let a text cell be read as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def display_width(text: str) -> int:
    """Columns a text takes: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def money_value(value: object) -> Decimal | None:
    """A money cell: int is fen (the board's unit), Decimal is yuan."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError("money cells take integer fen or Decimal yuan")
    return money.yuan(value) if isinstance(value, int) else value.quantize(money.FEN)


def rows_to_xlsx(
    title: str,
    headers: list[str],
    rows: Sequence[Sequence[object]],
    *,
    money_columns: set[int] = frozenset(),  # type: ignore[assignment]
    sheet_name: str = "Sheet1",
) -> bytes:
    """Write one sheet: title (merged over the columns), header, rows.

    ``money_columns`` are 0-based column indexes whose values are integer fen
    (or Decimal yuan); they are written as numbers with the ``#,##0.00``
    format. Dates are written as dates; other values as numbers or text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(sheet_name)
    width = max(len(headers), 1)
    widths = [display_width(h) for h in headers] + [0] * (width - len(headers))

    title_cell = sheet.cell(row=1, column=1)
    _put(title_cell, title)
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 28

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=column)
        _put(cell, header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for row_number, values in enumerate(rows, start=3):
        for index, value in enumerate(values):
            cell = sheet.cell(row=row_number, column=index + 1)
            if index in money_columns:
                amount = money_value(value)
                cell.value = amount
                cell.number_format = MONEY_FORMAT
                shown = "" if amount is None else f"{amount:,.2f}"
            else:
                shown = _put(cell, value)
            if index < len(widths):
                widths[index] = max(widths[index], display_width(shown))
            else:
                widths.append(display_width(shown))

    for index, chars in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(chars + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put(cell, value: object) -> str:
    """Write a non-money value; return its text as shown, for the width."""
    if value is None:
        cell.value = None
        return ""
    if isinstance(value, dt.datetime):  # Excel has no time zones: RFC 3339 text in China time
        text = clock.rfc3339(value)
        cell.value = text
        cell.data_type = "s"
        return text
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        cell.value = value
        return str(value)
    text = safe_text(str(value))
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula
    return text


def _sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return (name.strip() or "Sheet1")[:31]


LEDGER_HEADERS = ["日期", "凭证号", "摘要", "科目", "收入", "支出", "经手人", "备注"]
LEDGER_MONEY_COLUMNS = frozenset({4, 5})


def ledger_table(lines: Iterable[object]) -> list[list[object]]:
    """Rows for :data:`LEDGER_HEADERS` from ledger lines: anything with the
    attributes of :class:`disclosure.importing.LedgerRow` (occurred_on,
    voucher_no, summary, subject, direction, amount_fen, handler, note).
    The sheet reads back with ``parse_ledger``."""
    from disclosure.catalogue import LEDGER_SUBJECTS

    table: list[list[object]] = []
    for line in lines:
        subject = LEDGER_SUBJECTS.get(getattr(line, "subject", ""))
        income = line.amount_fen if line.direction == "income" else None
        expense = line.amount_fen if line.direction == "expense" else None
        table.append([
            line.occurred_on, line.voucher_no, line.summary, subject.name if subject else "",
            income, expense, line.handler, line.note,
        ])
    return table
