"""Income and expense ledgers (收支明细) → LedgerRow.

Every row of every readable sheet is accounted for: a line, a total checked
against the lines it covers, a blank or label row, or a problem."""

from __future__ import annotations

from disclosure import catalogue, money, privacy

from . import values
from .common import (
    Book, Located, TotalChecker, amount_problem, cell, data_rows, is_repeated_header, locate, read_fen, take_total,
)
from .header import LEDGER_FIELDS, LEDGER_REQUIRED
from .model import LedgerRow, ParseResult, Problem

_SIDES = {"收": "income", "收入": "income", "借": "income", "借方": "income",
          "支": "expense", "支出": "expense", "贷": "expense", "贷方": "expense"}
_AMOUNT_KEYS = ("income", "expense", "amount")


def parse_ledger(data: bytes, filename: str) -> ParseResult:
    """Read a ledger .xlsx or .csv, every sheet with a ledger header. Never
    raises on bad input: everything wrong is in ``problems``; callers write
    nothing unless ``result.ok``."""
    book = locate(data, filename, LEDGER_FIELDS, LEDGER_REQUIRED, "收支明细表", "ledger")
    if isinstance(book, Problem):
        return ParseResult("ledger", [], [book], "")
    rows: list[LedgerRow] = []
    checker = TotalChecker(book)
    for found in list(book.located):
        side = _sheet_side(found)
        if "amount" in found.header.columns and "direction" not in found.header.columns and side is None:
            book.give_up(found, Problem(
                None, found.header.label("amount"),
                f"工作表“{found.sheet.name}”只有“{found.header.label('amount')}”一列金额，看不出是收入还是支出："
                "请分成“收入”“支出”两列，或加一列“收/支”，或把工作表命名为“收入”或“支出”", "no_side", False,
                found.sheet.name))
            continue
        checker.start_sheet()
        for index, number, cells in data_rows(found):
            _feed(book, checker, found, side, index, number, cells, rows)
    return book.result(rows)


def _feed(book: Book, checker: TotalChecker, found: Located, side: str | None, index: int, number: int,
          cells: list[object], rows: list[LedgerRow]) -> None:
    if values.is_blank_row(cells):
        book.skip("blank")
        return
    if is_repeated_header(cells, found):
        book.skip("label")
        return
    total = values.total_word(cells)
    if total is not None:
        take_total(book, checker, found, index, number, cells, _AMOUNT_KEYS, total)
        return
    amounts = [_amount(found, index, cells, k) for k in _AMOUNT_KEYS if k in found.header.columns]
    has_amount = any(not values.is_blank(a) for a in amounts)
    if values.is_carried_row(cells):
        book.skip("label")
        if has_amount:
            book.problems.append(Problem(number, found.header.label("summary"),
                                         "这是结转或余额行，不是本期收支，未导入", "balance_row", True, found.sheet.name))
        return
    if values.is_footer_row(cells) and not has_amount:
        book.skip("label")
        return
    row, problems = _parse_row(found, side, index, number, cells)
    book.problems.extend(problems)
    if row is None:
        checker.bad_line()
        return
    rows.append(row)
    checker.line({row.direction: row.amount_fen, "amount": row.amount_fen})


def _sheet_side(found: Located) -> str | None:
    """'income' or 'expense' when the sheet's name or title says one side only."""
    for text in (found.sheet.name, found.title):
        has_income, has_expense = "收入" in text, "支出" in text
        if has_income != has_expense:
            return "income" if has_income else "expense"
    return None


def _amount(found: Located, index: int, cells: list[object], key: str) -> object:
    """An amount cell; a cell filled from a merged range counts as empty so a
    merged amount is not counted twice."""
    column = found.header.columns.get(key)
    if column is None or (index, column.index) in found.sheet.filled:
        return None
    return cell(cells, found.header, key)


def _parse_row(
    found: Located, side: str | None, index: int, number: int, cells: list[object]
) -> tuple[LedgerRow | None, list[Problem]]:
    header = found.header
    problems: list[Problem] = []

    def problem(key: str, message: str, code: str, *, warning: bool = False) -> None:
        problems.append(Problem(number, header.label(key), message, code, warning, found.sheet.name))

    occurred_on = None
    try:
        occurred_on = values.parse_date(cell(cells, header, "date"))
    except values.ValueProblem as err:
        problem("date", err.message, err.code)

    summary = privacy.scrub(values.text(cell(cells, header, "summary")))
    if not summary:
        problem("summary", "缺少摘要", "missing_summary")

    if "amount" in header.columns and "income" not in header.columns and "expense" not in header.columns:
        direction, amount = _one_column(found, side, index, cells, problem)
    else:
        direction, amount = _two_columns(found, index, number, cells, problem, problems)

    subject = _subject(cell(cells, header, "subject"), summary, direction, problem)
    if problems and any(not p.is_warning for p in problems):
        return None, problems
    assert occurred_on is not None and direction is not None and amount
    return (
        LedgerRow(
            row=number,
            occurred_on=occurred_on,
            voucher_no=values.text(cell(cells, header, "voucher")),
            summary=summary,
            direction=direction,
            amount_fen=amount,
            subject=subject,
            handler=values.text(cell(cells, header, "handler")),
            note=privacy.scrub(values.text(cell(cells, header, "note"))),
            sheet=found.sheet.name,
        ),
        problems,
    )


def _two_columns(found: Located, index: int, number: int, cells: list[object], problem, problems: list[Problem]):
    header = found.header
    income = _fen(_amount(found, index, cells, "income"), "income", problem)
    expense = _fen(_amount(found, index, cells, "expense"), "expense", problem)
    both = "/".join(header.label(k) for k in ("income", "expense") if k in header.columns)
    if income and expense:
        problems.append(Problem(number, both, "同一行既有收入又有支出", "both_amounts", False, found.sheet.name))
    elif income or expense:
        return ("income", income) if income else ("expense", expense)
    elif income is not False and expense is not False:
        problems.append(Problem(number, both, "缺少收入或支出金额", "missing_amount", False, found.sheet.name))
    return None, None


def _one_column(found: Located, side: str | None, index: int, cells: list[object], problem):
    """A 金额 column; the side from a 收/支 column, else from the sheet's name."""
    amount = _fen(_amount(found, index, cells, "amount"), "amount", problem)
    if "direction" in found.header.columns:
        word = "".join(values.text(cell(cells, found.header, "direction")).split())
        side = _SIDES.get(word)
        if side is None:
            problem("direction", "请写“收”或“支”", "bad_direction")
    if amount is None:
        problem("amount", "缺少金额", "missing_amount")
    elif amount == 0:
        problem("amount", "金额不能为零", "zero_amount")
    if not amount or side is None:
        return None, None
    return side, amount


def _fen(value: object, key: str, problem) -> int | None | bool:
    """Amount in fen; None or 0 when the cell is empty or zero (the other
    side of the line); False when the cell is wrong (a problem is recorded)."""
    try:
        return read_fen(value)
    except (values.ValueProblem, money.MoneyError) as err:
        code, message = amount_problem(err)
        problem(key, message, code)
        return False


def _subject(value: object, summary: str, direction: str | None, problem) -> str:
    """The 科目 column when it names a known subject of the right side, else a
    guess from the 摘要 (with a warning when the column said something else)."""
    if direction is None:
        return ""
    name = values.text(value)
    if name:
        code = catalogue.subject_by_name(name) or catalogue.subject_by_name(_first_part(name))
        if code is None:
            problem("subject", f"科目“{name}”不在公开目录中，已按摘要归类", "unknown_subject", warning=True)
        elif catalogue.LEDGER_SUBJECTS[code].direction != direction:
            side = "收入" if direction == "income" else "支出"
            problem("subject", f"科目“{name}”不是{side}科目，已按摘要归类", "subject_direction", warning=True)
        else:
            return code
    return catalogue.guess_subject(summary, direction)


def _first_part(name: str) -> str:
    """'管理费用-办公费' → '管理费用'."""
    for sep in ("-", "—", "/", "－", "：", ":"):
        name = name.split(sep)[0]
    return name.strip()
