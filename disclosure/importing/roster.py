"""Payment rosters (补贴/救助名单, 花名册) → RosterRow.

Privacy: the raw ID number, bank account and phone are read from the cell,
turned into a fingerprint and masked forms at once, and never stored in a
returned object or written into a message.
"""

from __future__ import annotations

import re
from decimal import Decimal

from disclosure import catalogue, money, privacy

from . import values
from .common import (
    Book, Located, TotalChecker, amount_problem, cell, data_rows, is_repeated_header, locate, read_fen, take_total,
)
from .header import ROSTER_FIELDS, ROSTER_REQUIRED, normalize_header
from .model import ParseResult, Problem, RosterRow

MISMATCH_TOLERANCE = Decimal("0.01")
# '5.22401E+17': a long number Excel stored as a number and a CSV export kept so.
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
MASKED_LABELS = {"id": "身份证号", "account": "银行账号", "phone": "联系电话"}

# Words in a private 临时救助 reason → the public category (catalogue.RELIEF_REASONS).
_REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("因意外事故", ("事故", "车祸", "意外", "摔伤", "溺水", "工伤")),
    ("因灾", ("灾", "火", "洪", "水毁", "地震", "台风", "冰雹", "滑坡", "泥石流", "房屋倒塌")),
    ("因病", ("病", "医", "住院", "手术", "癌", "瘤", "透析", "化疗")),
    ("因学", ("学", "学费", "入学")),
)


def parse_roster(data: bytes, filename: str, *, id_key: bytes, kind: str | None = None) -> ParseResult:
    """Read a roster .xlsx or .csv, every sheet with a roster header.
    ``kind`` is a catalogue.ROSTER_KINDS code; when None it is taken from the
    title (or the sheet name). Never raises on bad input (an unknown ``kind``
    code is a programming error: ValueError; services check it first)."""
    if kind is not None and kind not in catalogue.ROSTER_KINDS:
        raise ValueError(f"unknown roster kind {kind!r}")
    book = locate(data, filename, ROSTER_FIELDS, ROSTER_REQUIRED, "名单", "roster")
    if isinstance(book, Problem):
        return ParseResult("roster", [], [book], "", roster_kind=kind)
    kind = kind or _kind_of(book)
    parser = _RosterParser(book, id_key, kind)
    for found in book.located:
        parser.begin(found)
        for index, number, cells in data_rows(found):
            parser.feed(index, number, cells)
    return book.result(parser.rows, roster_kind=kind, masked=parser.masked_counts())


def _kind_of(book: Book) -> str | None:
    for found in book.located:
        kind = catalogue.roster_kind_from_title(found.title) or catalogue.roster_kind_from_title(found.sheet.name)
        if kind:
            return kind
    return None


def relief_reason(text: str) -> str:
    """A private reason ('突发脑溢血住院') → its public category ('因病')."""
    text = privacy.normalize(text)
    if not text:
        return ""
    for reason in catalogue.RELIEF_REASONS:
        if text == reason or text == reason.removeprefix("因"):
            return reason
    for reason, words in _REASON_WORDS:
        if any(word in text for word in words):
            return reason
    return "其他"


class _RosterParser:
    def __init__(self, book: Book, id_key: bytes, kind: str | None) -> None:
        self.book = book
        self.checker = TotalChecker(book)
        self.id_key = id_key
        self.kind = kind
        self.rows: list[RosterRow] = []
        self.problems = book.problems
        self.masked = {"id": 0, "account": 0, "phone": 0}
        self.columns: set[str] = set()
        self.seen_ids: dict[str, tuple[str, int]] = {}
        spec = catalogue.ROSTER_KINDS[kind] if kind else None
        category = spec.category if spec else None
        #: The kind's grade label (保障类别 …), or None: a kind without one keeps no grade.
        self.grade_label = spec.label("grade") if spec else None
        #: Its 事由类别 label (原因类别, 风险类别 …): the kinds that show one keep only the public category.
        self.reason_label = spec.label("reason") if spec else None
        # A note on a social-assistance roster may name an illness or a
        # hardship; never keep it. Other notes keep only scrubbed text.
        self.keep_note = category is not None and category != "assistance"

    def begin(self, found: Located) -> None:
        """Start reading one sheet."""
        self.found = found
        self.header = found.header
        self.columns.update(found.header.columns)
        seq = self.header.columns.get("seq")
        self.ignored = {seq.index} if seq else set()
        self.checker.start_sheet()
        what = f"{catalogue.ROSTER_KINDS[self.kind].name}名单" if self.kind else "未知类型的名单"
        for key, word, label in (("grade", "等级", self.grade_label), ("reason", "事由", self.reason_label)):
            column = self.header.columns.get(key)
            if column is not None and label is None:  # said once per sheet, never dropped silently
                self.problems.append(Problem(None, column.header, f"{what}不公示{word}，“{column.header}”列未导入",
                                             f"{key}_not_shown", True, found.sheet.name))

    def masked_counts(self) -> dict[str, int]:
        return {MASKED_LABELS[k]: n for k, n in self.masked.items() if k in self.columns}

    def get(self, cells: list[object], key: str) -> object:
        return cell(cells, self.header, key)

    def feed(self, index: int, number: int, cells: list[object]) -> None:
        if values.is_blank_row(cells, self.ignored):
            self.book.skip("blank")
            return
        if is_repeated_header(cells, self.found):
            self.book.skip("label")
            return
        total = values.total_word(cells)
        if total is not None and values.is_blank(self.get(cells, "id")):
            take_total(self.book, self.checker, self.found, index, number, cells, ("amount",), total)
            return
        if values.is_footer_row(cells) and values.is_blank(self.get(cells, "amount")):
            self.book.skip("label")
            return
        row_problems: list[Problem] = []
        sheet = self.found.sheet.name

        def problem(key: str, message: str, code: str, *, warning: bool = False) -> None:
            row_problems.append(Problem(number, self.header.label(key), message, code, warning, sheet))

        name = privacy.normalize(values.text(self.get(cells, "name")))
        if not name:
            problem("name", "缺少姓名", "missing_name")
        id_hash, id_masked = self._id(cells, number, problem)
        amount = self._amount(index, cells, problem)
        quantity = self._decimal(cells, "quantity", "亩", problem)
        rate = self._decimal(cells, "rate", "元/亩 元/人 元/户 元", problem)
        household = self._count(cells, problem)
        paid_on = self._date(cells, problem)
        grade = self._grade(cells, problem)
        group_no = self._group(cells, problem)
        account_masked = self._account(cells, problem)
        phone_masked = self._phone(cells)
        if amount and quantity is not None and rate is not None:
            self._check_product(amount, quantity, rate, problem)
        self.problems.extend(row_problems)
        if any(not p.is_warning for p in row_problems):
            self.checker.bad_line()
            return
        assert amount
        self._count_masked(id_masked, account_masked, phone_masked)
        self.rows.append(
            RosterRow(
                row=number,
                name=name,
                group_no=group_no,
                id_hash=id_hash,
                id_masked=id_masked,
                account_masked=account_masked,
                phone_masked=phone_masked,
                household_size=household,
                quantity=quantity,
                rate_fen=_rate_fen(rate),
                amount_fen=amount,
                paid_on=paid_on,
                reason=self._reason(cells),
                note=privacy.scrub(values.text(self.get(cells, "note"))) if self.keep_note else "",
                rate=rate,
                sheet=sheet,
                grade=grade,
            )
        )
        self.checker.line({"amount": amount})

    def _count_masked(self, *masked: str) -> None:
        for key, value in zip(("id", "account", "phone"), masked, strict=True):
            if value:
                self.masked[key] += 1

    # -- private columns: read, fingerprint or mask, forget ---------------------

    def _id(self, cells, number, problem) -> tuple[str | None, str]:
        if "id" not in self.header.columns:
            return None, ""
        value = self.get(cells, "id")
        if values.is_blank(value):
            problem("id", "缺少身份证号", "missing_id")
            return None, ""
        if isinstance(value, float) or _SCIENTIFIC.match(values.text(value)):
            problem("id", "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为“文本”后重新填写", "bad_id")
            return None, ""
        raw = privacy.normalize(value).upper()
        reason = privacy.id_problem(raw)
        if reason:
            problem("id", reason, "bad_id")
            return None, ""
        fingerprint = privacy.id_fingerprint(raw, self.id_key)
        if fingerprint in self.seen_ids:
            sheet, row = self.seen_ids[fingerprint]
            where = f"第{row}行" if sheet == self.found.sheet.name else f"工作表“{sheet}”第{row}行"
            problem("id", f"身份证号与{where}重复", "duplicate_id", warning=True)
        else:
            self.seen_ids[fingerprint] = (self.found.sheet.name, number)
        return fingerprint, privacy.mask_id(raw)

    def _account(self, cells, problem) -> str:
        value = self.get(cells, "account")
        if values.is_blank(value):
            return ""
        if isinstance(value, float) or _SCIENTIFIC.match(values.text(value)):
            problem("account", "银行账号被 Excel 存成了数字，后几位已丢失，请把该列设为“文本”后重新填写",
                    "bad_account", warning=True)
            return ""
        return privacy.mask_account(values.text(value))

    def _phone(self, cells) -> str:
        value = self.get(cells, "phone")
        if values.is_blank(value):
            return ""
        return privacy.mask_phone(values.text(value))

    # -- public columns ----------------------------------------------------------

    def _amount(self, index, cells, problem) -> int | None:
        column = self.header.columns["amount"]
        value = None if (index, column.index) in self.found.sheet.filled else self.get(cells, "amount")
        try:
            fen = read_fen(value, allow_zero=False)
        except (values.ValueProblem, money.MoneyError) as err:
            code, message = amount_problem(err)
            problem("amount", message, code)
            return None
        if fen is None:
            problem("amount", "缺少金额", "missing_amount")
        return fen

    def _decimal(self, cells, key, units, problem) -> Decimal | None:
        value = self.get(cells, key)
        if values.is_blank(value):
            return None
        try:
            return values.parse_decimal(values.text(value) if isinstance(value, str) else value, units)
        except values.ValueProblem as err:
            problem(key, err.message, err.code)
            return None

    def _count(self, cells, problem) -> int | None:
        value = self.get(cells, "household")
        if values.is_blank(value):
            return None
        try:
            return values.parse_count(value)
        except values.ValueProblem as err:
            problem("household", err.message, err.code)
            return None

    def _date(self, cells, problem):
        value = self.get(cells, "paid_on")
        if values.is_blank(value):
            return None
        try:
            return values.parse_date(value)
        except values.ValueProblem as err:
            problem("paid_on", err.message, err.code)
            return None

    def _group(self, cells, problem) -> int | None:
        value = self.get(cells, "group")
        if values.is_blank(value):
            return None
        group_no = values.parse_group(value)
        if group_no is None:
            problem("group", "看不出是第几村民小组", "bad_group", warning=True)
        return group_no

    def _grade(self, cells, problem) -> str | None:
        """等级 as a short public category; too long (or a number) is a problem on the row."""
        if self.grade_label is None:
            return None
        text = values.text(self.get(cells, "grade"))
        grade = None if text in values.EMPTY_MARKS else catalogue.normalize_grade(text)
        message = catalogue.grade_problem(grade)
        if message:
            problem("grade", message, "bad_grade")
            return None
        return grade

    def _reason(self, cells) -> str:
        """The public category of the private story (因病, 因灾 …), for kinds that show one."""
        if self.reason_label is None:
            return ""
        return relief_reason(values.text(self.get(cells, "reason")))

    def _check_product(self, amount_fen: int, quantity: Decimal, rate: Decimal, problem) -> None:
        expected = quantity * rate
        difference = abs(money.yuan(amount_fen) - expected)
        if difference > MISMATCH_TOLERANCE:
            amount_label = normalize_header(self.header.label("amount")) or "金额"
            quantity_label = normalize_header(self.header.label("quantity")) or "面积"
            rate_label = normalize_header(self.header.label("rate")) or "标准"
            message = f"{amount_label}与{quantity_label}×{rate_label}相差{difference.quantize(money.FEN)}元"
            problem("amount", message, "amount_mismatch", warning=True)


def _rate_fen(rate: Decimal | None) -> int | None:
    if rate is None:
        return None
    fen = rate * 100
    return int(fen) if fen == fen.to_integral_value() else None

