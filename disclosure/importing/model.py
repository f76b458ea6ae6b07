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

    def as_json(self) -> dict:
        return {
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


@dataclass
class ParseResult:
    kind: str  # 'ledger' | 'roster'
    rows: list
    problems: list[Problem]
    title: str
    roster_kind: str | None = None
    masked: dict[str, int] = field(default_factory=dict)
    sheet: str = ""  # the worksheet the rows came from ('' for CSV)

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
    def income_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows if getattr(r, "direction", None) == "income")

    @property
    def expense_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows if getattr(r, "direction", None) == "expense")

    @property
    def amount_fen(self) -> int:
        return money.sum_fen(r.amount_fen for r in self.rows)

    def summary_json(self) -> dict:
        data: dict = {"lines": len(self.rows)}
        if self.kind == "ledger":
            data["income_total"] = str(money.yuan(self.income_fen))
            data["expense_total"] = str(money.yuan(self.expense_fen))
        else:
            data["amount_total"] = str(money.yuan(self.amount_fen))
        data["problems"] = [p.as_json() for p in self.problems]
        return data
