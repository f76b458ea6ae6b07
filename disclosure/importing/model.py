"""What the import parsers return: good rows, problems and a summary.

Nothing here holds a raw ID number, bank account or phone number: rosters keep
only what :mod:`disclosure.privacy` returns (fingerprint and masked forms).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from disclosure import money


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, shown to the clerk as-is.

    ``row`` is the row number the clerk sees in Excel (1-based; for CSV the
    record number, which is the line number unless a quoted cell spans lines),
    or None for the whole file. ``column`` is the header text as written in the
    sheet, ``'收入/支出'`` for a line with both amounts, ``''`` for file level.
    """

    row: int | None
    column: str
    message: str
    code: str
    is_warning: bool = False
    sheet: str = ""  # the worksheet's name ('' for CSV or the whole file)

    @property
    def where(self) -> str:
        """'工作表“7月”第5行', '第5行', '工作表“说明”' or '整个文件'."""
        sheet = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row:
            return f"{sheet}第{self.row}行"
        return sheet or "整个文件"

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "is_warning": self.is_warning,
        }


@dataclass(frozen=True)
class LedgerRow:
    row: int
    occurred_on: dt.date
    voucher_no: str
    summary: str
    direction: str  # 'income' | 'expense'
    amount_fen: int  # > 0
    subject: str  # a code from catalogue.LEDGER_SUBJECTS
    handler: str
    note: str
    sheet: str = ""  # the worksheet's name ('' for CSV)


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str  # full name, staff side only; mask with privacy.mask_name for the public
    group_no: int | None
    id_hash: str | None  # privacy.id_fingerprint; None when the sheet has no ID column
    id_masked: str
    account_masked: str
    phone_masked: str
    household_size: int | None
    quantity: Decimal | None  # e.g. area in 亩
    rate_fen: int | None  # rate in fen when it has at most two decimals, else None
    amount_fen: int  # > 0
    paid_on: dt.date | None
    reason: str  # public 临时救助 category from catalogue.RELIEF_REASONS, else ''
    note: str  # scrubbed note for subsidy rosters; always '' for social assistance
    rate: Decimal | None = None  # the exact rate in yuan per unit (105.5, or 95.125)
    sheet: str = ""  # the worksheet's name ('' for CSV)
    grade: str | None = None  # 等级 (一类, 全护理, 一级) where the kind shows one (catalogue.normalize_grade)


#: Why a row of the file was not imported, when it is not a problem.
SKIP_KINDS = {
    "total": "合计行",
    "blank": "空行",
    "label": "标题、表头、单位、落款等文字行",
    "unread": "未读取的工作表中的行",
}


@dataclass(frozen=True)
class TotalCheck:
    """One total row of the file (本月合计, 小计, 累计 …) checked against the
    lines it covers. ``ok`` is False when it disagrees (an error is listed)
    or cannot be settled (a warning is listed)."""

    sheet: str
    row: int
    label: str  # the total's own words, e.g. '本月合计'
    ok: bool


@dataclass
class SheetInfo:
    """What became of one worksheet (one per CSV)."""

    name: str
    rows: int  # rows in the sheet, up to the last non-blank one
    is_read: bool  # False: no recognisable header; its rows are counted as 'unread'
    is_hidden: bool = False


@dataclass
class ParseResult:
    kind: str  # 'ledger' | 'roster'
    rows: list
    problems: list[Problem]
    title: str
    roster_kind: str | None = None
    masked: dict[str, int] = field(default_factory=dict)
    sheets: list[SheetInfo] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # SKIP_KINDS key → rows
    totals: list[TotalCheck] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # headers read past, content never kept

    @property
    def sheet(self) -> str:
        """The worksheets the rows came from, '、'-joined ('' for CSV)."""
        return "、".join(s.name for s in self.sheets if s.is_read and s.name)

    def problems_in_order(self) -> list[Problem]:
        """File-level problems first, then by sheet (as in the workbook) and row."""
        order = {s.name: i for i, s in enumerate(self.sheets)}
        return sorted(self.problems, key=lambda p: (bool(p.sheet), order.get(p.sheet, 0), p.row or 0))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.is_warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_rows(self) -> int:
        return sum(s.rows for s in self.sheets)

    @property
    def problem_rows(self) -> int:
        """Rows not imported because of an error on them."""
        return len({(p.sheet, p.row) for p in self.errors if p.row is not None})

    def tally(self) -> dict[str, int]:
        """Every row of the file, once: imported, skipped (by kind) or with an
        error. ``file_rows`` equals the sum of the others."""
        counts = {"file_rows": self.file_rows, "imported": len(self.rows)}
        counts.update({kind: self.skipped.get(kind, 0) for kind in SKIP_KINDS})
        counts["problem_rows"] = self.problem_rows
        return counts

    @property
    def income_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows if getattr(r, "direction", None) == "income")

    @property
    def expense_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows if getattr(r, "direction", None) == "expense")

    @property
    def amount_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows)

    def drop_rows(self, rows: list, problems: list[Problem]) -> None:
        """Take ``rows`` out of the import because of ``problems`` (errors on
        those rows found after parsing, e.g. a date outside the draft's period)."""
        gone = {id(r) for r in rows}
        self.rows = [r for r in self.rows if id(r) not in gone]
        self.problems.extend(problems)

    def summary_json(self) -> dict:
        data: dict = {"lines": len(self.rows)}
        if self.kind == "ledger":
            data["income_total"] = str(money.yuan(self.income_fen))
            data["expense_total"] = str(money.yuan(self.expense_fen))
        else:
            data["amount_total"] = str(money.yuan(self.amount_fen))
        data["rows"] = self.tally()
        data["sheets"] = [s.name for s in self.sheets if s.is_read]
        data["totals_checked"] = len(self.totals)
        data["problems"] = [p.as_json() for p in self.problems]
        return data
