"""Steps shared by the ledger and roster parsers: read the file, find every
sheet whose header we recognise, walk the data rows, account for every row,
and check the file's own totals against its lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from disclosure import money

from . import values
from .header import Header, find_header, is_header_again, title_above
from .model import ParseResult, Problem, SheetInfo, TotalCheck
from .reader import MAX_DATA_ROWS, MSG_NOT_SPREADSHEET, MSG_TOO_MANY_ROWS, ReadError, Sheet, read_sheets

#: Rows of a sheet scanned for private-looking numbers in columns we do not read.
PRIVATE_SCAN_ROWS = 200


@dataclass
class Located:
    sheet: Sheet
    header: Header
    title: str


@dataclass
class Book:
    """The sheets of one file: those with a recognisable header, and an
    account of every row of every sheet (read, skipped or unread)."""

    kind: str
    located: list[Located] = field(default_factory=list)
    sheets: list[SheetInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    totals: list[TotalCheck] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The title above the header, when every read sheet has the same one
        (7月/8月/9月 sheets have one each: none stands for the whole file)."""
        titles = {found.title for found in self.located}
        return titles.pop() if len(titles) == 1 else ""

    def skip(self, kind: str) -> None:
        self.skipped[kind] += 1

    def give_up(self, found: Located, problem: Problem) -> None:
        """A recognised sheet that still cannot be read: named, its rows unread."""
        self.problems.append(problem)
        self.located.remove(found)
        info = next(s for s in self.sheets if s.name == found.sheet.name and s.is_read)
        info.is_read = False
        above = found.header.data_start
        for cells in found.sheet.rows[:above]:
            self.skipped["blank" if values.is_blank_row(cells) else "label"] -= 1
        self.skipped["unread"] += len(found.sheet.rows)

    def result(self, rows: list, **extra: object) -> ParseResult:
        return ParseResult(
            self.kind, rows, self.problems, self.title, sheets=self.sheets,
            skipped={k: n for k, n in self.skipped.items() if n}, totals=self.totals,
            ignored_columns=self.ignored_columns, **extra,  # type: ignore[arg-type]
        )


def locate(
    data: bytes,
    filename: str,
    fields: dict[str, tuple[str, ...]],
    required: tuple[tuple[str, ...], ...],
    what: str,
    kind: str,
) -> Book | Problem:
    """Every sheet with a recognisable header, or the file-level problem.

    A sheet without one is named: an error when it holds rows that look like
    data, a warning when it looks like notes (说明) or is empty of figures."""
    try:
        sheets = read_sheets(data, filename)
    except ReadError as err:
        return err.problem
    book = Book(kind)
    best_missing: list[str] | None = None
    unread: list[tuple[Sheet, list[str]]] = []
    broken = [sheet for sheet in sheets if sheet.is_broken]
    if broken and len(broken) == len(sheets):
        return Problem(None, "", MSG_NOT_SPREADSHEET, "not_a_spreadsheet")
    for sheet in broken:
        book.sheets.append(SheetInfo(sheet.name, 0, False))
        book.problems.append(Problem(None, "", f"工作表“{sheet.name}”已损坏，无法读取，请在 Excel 中打开后重新另存为 .xlsx",
                                     "sheet_unreadable", False, sheet.name))
    for sheet in (s for s in sheets if not s.is_broken):
        header, missing = find_header(sheet, fields, required)
        book.sheets.append(SheetInfo(sheet.name, len(sheet.rows), header is not None, sheet.is_hidden))
        if header is None:
            book.skipped["unread"] += len(sheet.rows)
            if sheet.rows:
                unread.append((sheet, missing))
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
            continue
        if sheet.truncated:
            return Problem(None, "", MSG_TOO_MANY_ROWS, "too_many_rows")
        book.located.append(Located(sheet, header, title_above(sheet, header)))
        for cells in sheet.rows[: header.data_start]:
            book.skip("blank" if values.is_blank_row(cells) else "label")
        if sheet.is_hidden:
            book.problems.append(Problem(None, "", f"工作表“{sheet.name}”是隐藏的工作表，其中的数据也已读取，请核对",
                                         "hidden_sheet", True, sheet.name))
        _note_unread_columns(book, sheet, header)
    if sum(_data_rows(f.sheet, f.header) for f in book.located) > MAX_DATA_ROWS:
        return Problem(None, "", MSG_TOO_MANY_ROWS, "too_many_rows")
    if not book.located:
        wanted = "、".join(f"“{m}”" for m in (best_missing or []))
        book.problems.append(Problem(None, "", f"没有找到{what}的表头，请确认表格中有{wanted}列", "no_header"))
        return book
    for sheet, missing in unread:
        wanted = "、".join(f"“{m}”" for m in missing)
        if _looks_like_data(sheet):
            message = f"工作表“{sheet.name}”中有数据，但没有找到{what}的表头（缺少{wanted}列），未能读取，请修改后重新上传"
            book.problems.append(Problem(None, "", message, "sheet_unreadable", False, sheet.name))
        else:
            message = f"工作表“{sheet.name}”没有{what}的表头，其中{len(sheet.rows)}行未读取（看起来是说明文字）"
            book.problems.append(Problem(None, "", message, "sheet_skipped", True, sheet.name))
    return book


def _data_rows(sheet: Sheet, header: Header) -> int:
    return sum(1 for cells in sheet.rows[header.data_start :] if not values.is_blank_row(cells))


def _looks_like_data(sheet: Sheet) -> bool:
    """Some row has three or more filled cells, one of them a number."""
    for cells in sheet.rows:
        filled = [v for v in cells if not values.is_blank(v)]
        if len(filled) >= 3 and any(_is_number(v) for v in filled):
            return True
    return False


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    try:
        values.amount_text(str(value))
    except values.ValueProblem:
        return False
    return True


def _note_unread_columns(book: Book, sheet: Sheet, header: Header) -> None:
    """Columns we do not read are listed; one that holds phone, ID or account
    numbers is a warning. Their content is never kept."""
    from .header import NEVER_KEPT

    mapped = {c.index for k, c in header.columns.items() if k not in NEVER_KEPT}
    labels = _header_labels(sheet, header)
    width = max((len(cells) for cells in sheet.rows[header.data_start :]), default=0)
    for index in range(max(width, len(labels))):
        if index in mapped:
            continue
        label = labels.get(index) or f"第{index + 1}列"
        column = [cells[index] for cells in sheet.rows[header.data_start : header.data_start + PRIVATE_SCAN_ROWS]
                  if index < len(cells)]
        if all(values.is_blank(v) for v in column) and index not in labels:
            continue
        if label not in book.ignored_columns:
            book.ignored_columns.append(label)
        if any(values.looks_private(v) for v in column):
            message = f"“{label}”列中有像电话、身份证号或银行账号的号码；本系统不读取这一列，其内容不会保存"
            book.problems.append(Problem(None, label, message, "private_column", True, sheet.name))


def _header_labels(sheet: Sheet, header: Header) -> dict[int, str]:
    labels: dict[int, str] = {}
    for cells in sheet.rows[header.first_row : header.data_start]:
        for index, value in enumerate(cells):
            text = values.text(value)
            if text and index not in labels:
                labels[index] = "".join(values.strip_invisible(text).split())
    return labels


def data_rows(located: Located) -> Iterator[tuple[int, int, list[object]]]:
    """(row index, sheet row number, cells) for every row under the header."""
    start = located.header.data_start
    for index in range(start, len(located.sheet.rows)):
        yield index, index + 1, located.sheet.rows[index]


def is_repeated_header(cells: list[object], found: Located) -> bool:
    return is_header_again(cells, found.header)


def cell(cells: list[object], header: Header, key: str) -> object:
    column = header.columns.get(key)
    if column is None or column.index >= len(cells):
        return None
    return cells[column.index]


def read_fen(value: object, *, allow_zero: bool = True) -> int | None:
    """An amount cell in fen; None when empty or a dash. Raises
    values.ValueProblem or money.MoneyError (its text is the message)."""
    if values.is_blank(value):
        return None
    if isinstance(value, str):
        value = values.text(value)
        if value in values.EMPTY_MARKS:
            return None
        value = values.amount_text(value)
    return money.parse_amount(value, allow_zero=allow_zero)


def amount_problem(err: Exception) -> tuple[str, str]:
    """(code, message) of a failed read_fen."""
    if isinstance(err, values.ValueProblem):
        return err.code, err.message
    return money_problem_code(err), str(err)


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


# -- the file's own totals ----------------------------------------------------


class TotalChecker:
    """Checks each total row of a file (本月合计, 小计, 合计, 累计, 承前页 …)
    against the lines it covers.

    A total may cover the lines since the previous total (本月合计, 小计),
    every line of its sheet so far (本季度合计, 合计) or of the whole workbook
    so far (a 累计 on the 9月 sheet); it agrees when every amount it states
    equals one of those sums. A running total (累计) larger than all of them may
    include months before the file: a warning. Anything else is an error."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.workbook: Counter = Counter()
        self.sheet: Counter = Counter()
        self.section: Counter = Counter()
        self.tainted = False  # a line of this sheet has an error: its sums are incomplete
        self.tainted_book = False  # a line of any sheet has one

    def start_sheet(self) -> None:
        self.sheet, self.section, self.tainted = Counter(), Counter(), False

    def line(self, sums: dict[str, int]) -> None:
        for counter in (self.workbook, self.sheet, self.section):
            counter.update(sums)

    def bad_line(self) -> None:
        self.tainted = self.tainted_book = True

    def check(
        self, found: Located, number: int, word: str, running: bool, stated: dict[str, int], labels: dict[str, str]
    ) -> bool:
        """Record the check of a total row stating ``stated`` (fen per key);
        False when it disagrees (an error is listed)."""
        sheet = found.sheet.name
        natural = self.section if +self.section else self.sheet
        candidates = (self.section, self.sheet, self.workbook)
        self.section = Counter()
        if not stated:
            return True  # a total row with no figure: nothing to check
        if any(all(cand.get(k, 0) == fen for k, fen in stated.items()) for cand in candidates):
            self.book.totals.append(TotalCheck(sheet, number, word, True))
            return True
        self.book.totals.append(TotalCheck(sheet, number, word, False))
        differing = [k for k, fen in stated.items() if fen != natural.get(k, 0)] or list(stated)
        column = "/".join(labels[k] for k in differing)
        if self.tainted or self.tainted_book:
            self.book.problems.append(Problem(number, column, f"“{word}”与可导入的明细不符；表格中有错误的行，改正后再核对",
                                              "total_unchecked", True, sheet))
            return True
        larger = all(fen >= max(c.get(k, 0) for c in candidates) for k, fen in stated.items())
        if running and larger:
            extra = "、".join(f"{labels[k]}多{money.format_yuan(fen - self.sheet.get(k, 0))}元"
                              for k, fen in stated.items() if fen != self.sheet.get(k, 0))
            self.book.problems.append(Problem(
                number, column, f"“{word}”比本表各行之和{extra}，可能含本表以前的收支，请核对", "running_total_larger",
                True, sheet))
            return True
        parts = [f"{labels[k]}写{money.format_yuan(stated[k])}元，上方各行合计{money.format_yuan(natural.get(k, 0))}元"
                 for k in differing]
        self.book.problems.append(Problem(
            number, column, f"“{word}”与明细不符：{'；'.join(parts)}。请核对是否漏行、多行或金额写错",
            "total_mismatch", False, sheet))
        return False


def take_total(
    book: Book, checker: TotalChecker, found: Located, index: int, number: int, cells: list[object],
    keys: tuple[str, ...], total: tuple[str, bool],
) -> None:
    """A total row: skipped as a total when its figures agree with the lines,
    else a problem row (the error is listed)."""
    stated = total_figures(found, index, cells, keys, number, book)
    if stated is None:
        return
    labels = {k: found.header.label(k) for k in keys}
    word, running = total
    if checker.check(found, number, word, running, stated, labels):
        book.skip("total")


def total_figures(
    found: Located, index: int, cells: list[object], keys: tuple[str, ...], number: int, book: Book
) -> dict[str, int] | None:
    """The amounts a total row states, by key; None when one cannot be read
    (an error is listed)."""
    stated: dict[str, int] = {}
    for key in keys:
        column = found.header.columns.get(key)
        if column is None or (index, column.index) in found.sheet.filled:
            continue
        try:
            fen = read_fen(cell(cells, found.header, key))
        except (values.ValueProblem, money.MoneyError) as err:
            code, message = amount_problem(err)
            book.problems.append(Problem(number, found.header.label(key), f"合计金额无法读取：{message}", code, False,
                                         found.sheet.name))
            return None
        if fen is not None:
            stated[key] = fen
    return stated
