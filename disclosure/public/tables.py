"""The one definition of what a notice's table shows: its columns, in order,
its rows as typed cells (integer fen in money columns, dates as dates) and its
合计 row, built from the public view objects. The kiosk, phone page, PDF and
the CSV/XLSX downloads all render these tables; each face only formats the
cells (:func:`as_text` for the printed page, ``opendata`` for the files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ..catalogue import ROSTER_KINDS
from ..money import format_yuan
from . import decisions as _decisions
from . import figures as _figures
from . import views

TEXT, MONEY, DATE = "text", "money", "date"


@dataclass(frozen=True)
class Column:
    label: str
    align: str = "left"  # left | right | center
    wrap: bool = False  # long text that may wrap onto several lines
    kind: str = TEXT  # text | money (integer fen) | date
    #: A stable name for the column's role (seq, name, group, amount, date ...): the
    #: screens' class names hang on it, so a page never guesses by position.
    key: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    totals: tuple[object, ...] | None = None  # the 合计 row, once, last
    #: Finance only: (label, fen) rows after the total, 期初余额 and 期末余额.
    balances: tuple[tuple[str, int], ...] = ()
    #: Sentences shown under the table (a roster's standards: 青山镇现行农村低保标准：650元/人·月。).
    notes: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def money_columns(self) -> frozenset[int]:
        return frozenset(i for i, c in enumerate(self.columns) if c.kind == MONEY)

    def balance_rows(self) -> list[tuple[object, ...]]:
        """Balances as rows of this table: label first, amount in the first money column."""
        first = min(self.money_columns, default=len(self.columns) - 1)
        return [tuple(label if i == 0 else (fen if i == first else None) for i in range(len(self.columns)))
                for label, fen in self.balances]


LEDGER_COLUMNS = (Column("日期", kind=DATE, key="date"), Column("凭证号", key="voucher-no"),
                  Column("摘要", wrap=True, key="item"), Column("科目", key="subject-name"),
                  Column("收入（元）", "right", kind=MONEY, key="income"),
                  Column("支出（元）", "right", kind=MONEY, key="expense"))


def ledger_table(lines: list[views.PublicLedgerLine], figures: _figures.FinanceFigures | None = None) -> Table:
    """收支明细; with a finance notice's ``figures``, its opening and closing balances too."""
    income = sum(line.amount_fen for line in lines if line.direction == "income")
    expense = sum(line.amount_fen for line in lines if line.direction == "expense")
    rows = tuple(
        (line.occurred_on, line.voucher_no, line.summary, line.subject_name,
         line.amount_fen if line.direction == "income" else None,
         line.amount_fen if line.direction == "expense" else None)
        for line in lines)
    balances = (("期初余额", figures.opening_fen), ("期末余额", figures.closing_fen)) if figures else ()
    return Table("收支明细", LEDGER_COLUMNS, rows, ("合计", "", f"共{len(lines)}笔", "", income, expense), balances)


#: A roster outside the catalogue (a relief project's beneficiaries): every column it has.
_PLAIN_ROSTER = (("household_size", "人数"), ("basis", "补贴依据"), ("reason", "原因类别"),
                 ("paid_on", "发放日期"), ("amount", "金额（元）"))
#: Each optional roster column (catalogue.COLUMN_KEYS): its layout, its CSS key, and its
#: cell from a public line (None where the line has nothing for it). Whether a roster
#: shows it at all is views.SHAPE_FIELDS' answer.
_ROSTER_CELLS = {
    "household_size": (Column("", "center", key="size"),
                       lambda line: None if line.household_size is None else f"{line.household_size}人"),
    "grade": (Column("", "center", key="grade"), lambda line: line.grade or None),
    "quantity": (Column("", "right", key="quantity"), lambda line: line.quantity or None),
    "rate": (Column("", "right", kind=MONEY, key="rate"), lambda line: line.rate_fen),
    "basis": (Column("", key="basis"), lambda line: line.basis or None),
    "reason": (Column("", key="reason"), lambda line: line.reason or None),
    "paid_on": (Column("", kind=DATE, key="date"), lambda line: line.paid_on),
}


def roster_columns(shape: views.RosterShape) -> tuple[Column, ...]:
    """A roster's columns, in order: the ones its catalogue kind declares, with
    the kind's labels, each where some line of the roster fills it. The same on
    the kiosk's search page, the PDF and the files."""
    spec = ROSTER_KINDS.get(shape.kind or "")
    declared = spec.columns if spec else _PLAIN_ROSTER
    columns = [Column("序号", "center", key="seq"), Column("村民小组", key="group"),
               Column(spec.head_word if spec else "姓名", key="name")]
    columns += [replace(_ROSTER_CELLS[key][0], label=label) for key, label in declared
                if key in _ROSTER_CELLS and key in shape.present]
    columns.append(Column(dict(declared).get("amount", "金额（元）"), "right", kind=MONEY, key="amount"))
    return tuple(columns)


_FIXED_CELLS = {"seq": lambda line: line.seq, "group": lambda line: line.group, "name": lambda line: line.name,
                "amount": lambda line: line.amount_fen}
_BY_CSS_KEY = {column.key: value for column, value in _ROSTER_CELLS.values()} | _FIXED_CELLS


def roster_rows(lines: list[views.PublicRosterLine], columns: tuple[Column, ...]) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(_BY_CSS_KEY[c.key](line) for c in columns) for line in lines)


def roster_table(lines: list[views.PublicRosterLine], shape: views.RosterShape, caption: str = "名单",
                 notes: tuple[str, ...] = ()) -> Table:
    """The whole roster with its 合计 row; ``shape`` is views.line_shape of its
    lines; ``notes`` are the township's standards for the kind (低保标准 …),
    shown under the table."""
    columns = roster_columns(shape)
    totals: list[object] = ["合计", "", f"{len(lines)}户"]
    for column in columns[3:-1]:
        totals.append(f"{sum(line.household_size or 0 for line in lines)}人" if column.key == "size" else "")
    totals.append(sum(line.amount_fen for line in lines))
    return Table(caption, columns, roster_rows(lines, columns), tuple(totals), notes=notes)


def roster_caption(notice) -> str:  # noqa: ANN001 - a Notice
    if notice.project is not None:
        return "受益农户名单"
    kind_name = ROSTER_KINDS[notice.roster_kind].name if notice.roster_kind in ROSTER_KINDS else ""
    return f"{kind_name}名单" if kind_name else "名单"


def roster_page_table(notice, page: views.RosterPage) -> Table:  # noqa: ANN001 - a public Notice
    """One page of a roster search (the kiosk and phone): the roster's own
    columns (decided over the whole roster), the page's lines, no 合计 (the
    page states the roster's and the search's totals in words)."""
    columns = roster_columns(page.shape)
    return Table(roster_caption(notice), columns, roster_rows(page.lines, columns))


def asset_table(assets: list[views.PublicAsset]) -> Table:
    columns = (Column("序号", "center", key="seq"), Column("资产名称", wrap=True, key="name"), Column("类别"),
               Column("坐落位置", wrap=True), Column("面积/数量"), Column("承包/承租方", wrap=True), Column("合同期限"),
               Column("年收益（元）", "right", kind=MONEY, key="amount"))
    from .. import periods

    rows = tuple(
        (a.seq, a.name, a.kind, a.location, a.size, a.lessee or "未发包",
         f"{periods.format_date(a.contract_start)}至{periods.format_date(a.contract_end)}"
         if a.contract_start and a.contract_end else "",
         a.annual_income_fen)
        for a in assets)
    total = sum(a.annual_income_fen for a in assets)
    return Table("集体资产资源及发包租赁情况", columns, rows, ("合计", f"{len(assets)}项", "", "", "", "", "", total))


def fund_table(project: views.PublicProject) -> Table:
    columns = (Column("资金来源", wrap=True, key="source"), Column("计划投入（元）", "right", kind=MONEY, key="allocated"),
               Column("已支出（元）", "right", kind=MONEY, key="spent"), Column("支出进度", "right", key="percent"))
    rows = tuple(
        (f.source, f.allocated_fen, f.spent_fen,
         f"{round(100 * f.spent_fen / f.allocated_fen)}%" if f.allocated_fen else "—")
        for f in project.funds)
    return Table("资金来源及规模", columns, rows,
                 ("合计", project.allocated_fen, project.spent_fen, f"{project.spent_percent}%"))


MEETING_COLUMNS = (Column("环节"), Column("日期", kind=DATE), Column("应到", "right"), Column("实到", "right"),
                   Column("赞成", "right"), Column("反对", "right"), Column("弃权", "right"))


def meeting_table(decision) -> Table:  # noqa: ANN001 - a public.decisions.PublicDecision
    """四议: each meeting's date, attendance and votes, in the order of the steps
    (what each meeting said prints among the decision's fields)."""
    rows = tuple((m.label, m.held_on, "" if m.expected is None else m.expected, m.attendance, m.votes_for,
                  m.votes_against, m.votes_abstain) for m in decision.meetings)
    return Table("四议会议及表决情况", MEETING_COLUMNS, rows)


def notice_tables(notice) -> list[Table]:  # noqa: ANN001 - a Notice (public, or the staff's review print)
    """Every table a notice discloses, in printed order."""
    tables: list[Table] = []
    decision = _decisions.decision_view(notice)
    if decision is not None and decision.meetings:
        tables.append(meeting_table(decision))
    if notice.ledger_lines:
        figures = _figures.notice_figures(notice) if notice.category == "finance" else None
        tables.append(ledger_table(views.ledger_lines(notice.ledger_lines), figures))
    project = views.project_view(notice)
    if project is not None:
        tables.append(fund_table(project))
    if notice.asset_lines:
        tables.append(asset_table(views.asset_views(notice)))
    if notice.roster_lines:
        tables.append(roster_table(views.roster_lines(notice), views.line_shape(notice.roster_lines, notice.roster_kind),
                                   roster_caption(notice), views.roster_standards(notice)))
    return tables


def short_date(day: dt.date | None, period_start: dt.date, period_end: dt.date) -> str:
    """3月5日 inside a one-year period, else 2025年3月5日."""
    if day is None:
        return ""
    if period_start.year == period_end.year == day.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(column: Column, value: object, start: dt.date, end: dt.date) -> str:
    if value is None:
        return ""
    if column.kind == MONEY and isinstance(value, int):
        return format_yuan(value)
    if column.kind == DATE and isinstance(value, dt.date):
        return short_date(value, start, end)
    return str(value)


def as_text(table: Table, start: dt.date, end: dt.date) -> Table:
    """The same table with every cell as the printed page and the kiosk show it;
    the balances become rows after the total."""
    def text(row: tuple[object, ...]) -> tuple[str, ...]:
        return tuple(cell_text(c, v, start, end) for c, v in zip(table.columns, row, strict=False))

    rows = tuple(text(r) for r in table.rows)
    totals = text(table.totals) if table.totals else None
    return replace(table, rows=rows, totals=totals)


__all__ = ["LEDGER_COLUMNS", "Column", "Table", "as_text", "asset_table", "cell_text", "fund_table",
           "ledger_table", "notice_tables", "roster_caption", "roster_columns", "roster_page_table", "roster_rows",
           "roster_table", "short_date"]
