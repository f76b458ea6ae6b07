"""Income and expense ledgers (收支明细) → LedgerRow."""

from __future__ import annotations

from disclosure import catalogue, money, privacy

from . import values
from .common import Located, cell, data_rows, locate, money_problem_code
from .header import LEDGER_FIELDS, LEDGER_REQUIRED
from .model import LedgerRow, ParseResult, Problem


def parse_ledger(data: bytes, filename: str) -> ParseResult:
    """Read a ledger .xlsx or .csv. Never raises on bad input: everything wrong
    is in ``problems``; callers write nothing unless ``result.ok``."""
    found = locate(data, filename, LEDGER_FIELDS, LEDGER_REQUIRED, "收支明细表")
    if isinstance(found, Problem):
        return ParseResult("ledger", [], [found], "")
    rows: list[LedgerRow] = []
    problems: list[Problem] = []
    for index, number, cells in data_rows(found):
        if _skip(found, cells):
            continue
        row, row_problems = _parse_row(found, index, number, cells)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    return ParseResult("ledger", rows, problems, found.title, sheet=found.sheet.name)


def _skip(found: Located, cells: list[object]) -> bool:
    """Blank rows, subtotal rows and the signature footer are not lines."""
    if values.is_blank_row(cells) or values.is_total_row(cells):
        return True
    if values.is_footer_row(cells):
        header = found.header
        amounts = (cell(cells, header, "income"), cell(cells, header, "expense"))
        return all(values.is_blank(a) for a in amounts)
    return False


def _amount(found: Located, index: int, cells: list[object], key: str) -> object:
    """An amount cell; a cell filled from a merged range counts as empty so a
    merged amount is not counted twice."""
    column = found.header.columns[key]
    if (index, column.index) in found.sheet.filled:
        return None
    return cell(cells, found.header, key)


def _parse_row(
    found: Located, index: int, number: int, cells: list[object]
) -> tuple[LedgerRow | None, list[Problem]]:
    header = found.header
    problems: list[Problem] = []

    def problem(key: str, message: str, code: str, *, warning: bool = False) -> None:
        problems.append(Problem(number, header.label(key), message, code, warning))

    occurred_on = None
    try:
        occurred_on = values.parse_date(cell(cells, header, "date"))
    except values.ValueProblem as err:
        problem("date", err.message, err.code)

    summary = privacy.scrub(values.text(cell(cells, header, "summary")))
    if not summary:
        problem("summary", "缺少摘要", "missing_summary")

    income = _fen(_amount(found, index, cells, "income"), "income", problem)
    expense = _fen(_amount(found, index, cells, "expense"), "expense", problem)
    direction, amount = None, None
    if income and expense:
        problems.append(Problem(number, f"{header.label('income')}/{header.label('expense')}",
                                "同一行既有收入又有支出", "both_amounts"))
    elif income or expense:
        direction, amount = ("income", income) if income else ("expense", expense)
    elif income is not False and expense is not False:
        problems.append(Problem(number, f"{header.label('income')}/{header.label('expense')}",
                                "缺少收入或支出金额", "missing_amount"))

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
        ),
        problems,
    )


def _fen(value: object, key: str, problem) -> int | None | bool:
    """Amount in fen; None or 0 when the cell is empty or zero (the other
    side of the line); False when the cell is wrong (a problem is recorded)."""
    if values.is_blank(value):
        return None
    if isinstance(value, str):
        value = values.text(value)
        if value in values.EMPTY_MARKS:
            return None
    try:
        return money.parse_amount(value)
    except money.MoneyError as err:
        problem(key, str(err), money_problem_code(err))
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
