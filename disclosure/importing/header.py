"""Finding the header row and mapping its columns to fields.

Clerks' sheets carry one or two title rows and a ``单位：元`` row above the
header, word the headers differently (收入/收入金额/借方), add units in
brackets (``补贴面积（亩）``) and sometimes split the header over two rows
(``金额`` merged above ``收入 | 支出``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .reader import Sheet
from .values import strip_invisible

HEADER_SCAN_ROWS = 15

# Field key → header words, as they read after normalize_header().
LEDGER_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "时间", "发生日期", "记账日期", "业务日期", "凭证日期"),
    "voucher": ("凭证号", "凭证编号", "凭证字号", "凭证号码", "凭证"),
    "summary": ("摘要", "内容", "事项", "收支内容", "摘要内容", "收支事项"),
    "income": ("收入", "收入金额", "借方", "借方金额", "收入数"),
    "expense": ("支出", "支出金额", "贷方", "贷方金额", "支出数"),
    # One amount column; the side comes from a 收/支 column or the sheet's name.
    "amount": ("金额", "发生额", "发生金额"),
    "direction": ("收/支", "收支", "收支方向", "方向", "收或支"),
    "subject": ("科目", "类别", "会计科目", "收支类别", "科目名称"),
    "handler": ("经手人", "经办人"),
    "note": ("备注",),
}
# Alternatives, tried in this order over every candidate header row: the
# first names the columns a no-header message asks for.
LEDGER_REQUIRED: tuple[tuple[str, ...], ...] = (
    ("date", "summary", "income", "expense"),
    ("date", "summary", "income"),
    ("date", "summary", "expense"),
    ("date", "summary", "amount"),
)

ROSTER_FIELDS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "name": ("姓名", "户主姓名", "户主", "户主名", "农户姓名", "救助对象姓名", "对象姓名", "申请人", "申请人姓名",
             "受助人", "受助人姓名", "救助对象", "补贴对象", "享受对象", "享受人", "享受人姓名", "领取人", "领款人"),
    "group": ("组别", "村民小组", "所在组", "组", "所在村民小组", "村组", "组名", "所属组", "村民组", "小组", "所属村民小组"),
    "id": ("身份证号", "身份证号码", "公民身份号码", "身份证", "户主身份证号", "户主身份证号码", "证件号码",
           "身份证件号码", "申请人身份证号码", "公民身份证号码"),
    "account": ("银行账号", "一卡通账号", "银行卡号", "一卡通号", "社保卡号", "账号", "卡号", "银行帐号", "帐号",
                "银行账户", "存折账号", "存折号", "一卡通卡号", "惠农一卡通账号", "收款账号", "社会保障卡号"),
    "phone": ("联系电话", "电话", "手机号", "手机号码", "电话号码", "手机", "联系方式", "联系号码", "联系人电话"),
    "household": ("保障人口", "家庭人口", "人数", "保障人数", "家庭人数", "户人口", "享受人数", "家庭人口数",
                  "人口数", "救助人数", "供养人数", "保障人口数"),
    "quantity": ("补贴面积", "面积", "承包面积", "确权面积", "计税面积", "征收面积"),
    "rate": ("补贴标准", "标准", "补偿标准"),
    # 等级 (保障类别 一类, 供养方式 集中供养, 补贴类别 护理补贴): only these exact words, so 事由类别,
    # 人员类别 or 救助类别 never land here (a header matches a word whole, see match_columns).
    "grade": ("等级", "保障等级", "保障类别", "类别", "供养方式", "供养形式", "补贴类别", "补贴类型",
              "低保类别", "低保等级", "保障档次", "档次"),
    "amount": ("金额", "补贴金额", "月保障金额", "救助金额", "发放金额", "保障金额", "应发金额", "实发金额",
               "补助金额", "补贴资金", "补助资金", "月补助金额", "月救助金额", "月发放金额", "保障金", "救助金",
               "月补贴金额", "月供养金额", "补偿金额"),
    "reason": ("原因", "救助原因", "困难原因", "救助事由", "致困原因", "申请事由", "救助理由", "申请理由", "困难情形",
               "致贫原因", "风险类别", "风险类型", "返贫致贫风险", "受灾类别", "受灾原因", "灾害类型"),
    "paid_on": ("发放日期", "发放时间", "日期"),
    "note": ("备注",),
    # Read past and never kept: a villager's address and bank are private.
    "address": ("家庭住址", "住址", "家庭地址", "居住地址", "现住址", "地址", "户籍地址"),
    "bank": ("开户行", "开户银行", "开户银行名称", "开户网点", "银行名称"),
    # Disability and health detail is never public (DESIGN.md): a 残疾等级 or 护理等级 column is
    # recognised so it can never be taken for the grade, and its cells are never read.
    "health": ("残疾等级", "残疾类别", "残疾类型", "残疾程度", "护理等级", "照料护理等级", "自理能力", "失能等级",
               "健康状况", "病种", "疾病名称", "患病情况"),
}
ROSTER_REQUIRED: tuple[tuple[str, ...], ...] = (("name", "amount"),)
#: Recognised columns whose content is never read into a row.
NEVER_KEPT = ("address", "bank", "health")

FIELD_LABELS = {
    "date": "日期", "summary": "摘要", "income": "收入", "expense": "支出",
    "name": "姓名", "amount": "金额", "direction": "收/支", "grade": "等级",
}

_UNIT = re.compile(r"\([^()]*\)$")


def normalize_header(value: object) -> str:
    """'补贴标准（元/亩）' → '补贴标准'; '收 入' → '收入'; '日期:' → '日期'.
    NFKC turns full-width brackets, colons and digits into ASCII."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"\s+", "", strip_invisible(unicodedata.normalize("NFKC", value)))
    text = text.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    while _UNIT.search(text):
        text = _UNIT.sub("", text)
    return text.rstrip(":*")


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str  # as written in the sheet, for messages


@dataclass(frozen=True)
class Header:
    columns: dict[str, Column]  # field key → column
    first_row: int  # 0-based index of the first header row
    data_start: int  # 0-based index of the first row under the header

    def label(self, key: str) -> str:
        column = self.columns.get(key)
        return column.header if column else FIELD_LABELS.get(key, key)


def match_columns(cells: list[object], fields: dict[str, tuple[str, ...]]) -> dict[str, Column]:
    lookup = {word: key for key, words in fields.items() for word in words}
    columns: dict[str, Column] = {}
    for index, value in enumerate(cells):
        key = lookup.get(normalize_header(value))
        if key and key not in columns:
            columns[key] = Column(index, _display(value))
    return columns


def _display(value: object) -> str:
    """The header as the clerk wrote it (full-width brackets kept), spaces removed."""
    return re.sub(r"\s+", "", strip_invisible(str(value))) if value is not None else ""


def _stacked(upper: list[object], lower: list[object]) -> list[object]:
    """A two-row header read as one: the lower label wins where present."""
    width = max(len(upper), len(lower))
    cells = []
    for i in range(width):
        low = lower[i] if i < len(lower) else None
        up = upper[i] if i < len(upper) else None
        cells.append(low if low is not None else up)
    return cells


def find_header(
    sheet: Sheet, fields: dict[str, tuple[str, ...]], required: tuple[tuple[str, ...], ...]
) -> tuple[Header | None, list[str]]:
    """The first header within the top rows that has every field of one of
    the ``required`` alternatives (tried in order over all candidate rows).

    Returns (header, []) or (None, missing field labels of the best candidate
    for the first alternative).
    """
    first = required[0]
    best: list[str] = [FIELD_LABELS.get(k, k) for k in first]
    scan = sheet.rows[:HEADER_SCAN_ROWS]
    # One-row headers first, so a title row is never read as the upper half
    # of a two-row header; then two-row headers.
    candidates = [(cells, i, i + 1) for i, cells in enumerate(scan)]
    candidates += [
        (_stacked(cells, sheet.rows[i + 1]), i, i + 2)
        for i, cells in enumerate(scan)
        if i + 1 < len(sheet.rows)
    ]
    matched = [(match_columns(cells, fields), first_row, data_start) for cells, first_row, data_start in candidates]
    for keys in required:
        for columns, first_row, data_start in matched:
            if all(k in columns for k in keys):
                return Header(columns, first_row, data_start), []
    for columns, _first_row, _data_start in matched:
        missing = [FIELD_LABELS.get(k, k) for k in first if k not in columns]
        if len(missing) < len(best):
            best = missing
    return None, best


def is_header_again(cells: list[object], header: Header) -> bool:
    """A header row repeated under the data (a printout's page header)."""
    columns = match_columns(cells, {k: (normalize_header(c.header),) for k, c in header.columns.items()})
    return len(columns) == len(header.columns) and len(columns) >= 2


_LABEL_ROW = re.compile(r"^[^:]{0,8}[:]")  # '单位：元', '填报单位：东风村'


def title_above(sheet: Sheet, header: Header) -> str:
    """The title text above the header, without '单位：元'-style label rows."""
    parts: list[str] = []
    for cells in sheet.rows[: header.first_row]:
        for value in cells:
            if value is None:
                continue
            text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
            if not text or _LABEL_ROW.match(text) or text in parts:
                continue
            parts.append(text)
    return " ".join(parts)
