"""Every row of an uploaded file is accounted for: imported, skipped as a
total (checked against its lines), blank or label, or named in a problem with
its sheet and row. Nothing is dropped without a word."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from disclosure.importing import parse_ledger, parse_roster
from disclosure.importing.values import total_word
from tests.helpers import three_sheet_ledger

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
KEY = b"test-instance-secret"
HEADER = ["日期", "凭证号", "摘要", "收入", "支出"]


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    return three_sheet_ledger.workbook_bytes(sheets)


def parse(name: str, data: bytes | None = None):  # noqa: ANN201
    data = data if data is not None else (SAMPLES / name).read_bytes()
    if name.startswith("roster"):
        return parse_roster(data, name, id_key=KEY)
    return parse_ledger(data, name)


def where(result) -> list[tuple[str, int | None, str]]:  # noqa: ANN001
    return [(p.sheet, p.row, p.code) for p in result.problems]


def rows_in_file(name: str) -> int:
    """Rows up to the last non-empty one, counted without our reader."""
    data = (SAMPLES / name).read_bytes()
    if name.endswith(".csv"):
        records = list(csv.reader(io.StringIO(data.decode("gb18030"), newline="")))
        while records and not any(c.strip() for c in records[-1]):
            records.pop()
        return len(records)
    if not data.startswith(b"PK"):
        return 0
    total = 0
    for sheet in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
        filled = [i for i, row in enumerate(sheet.iter_rows(values_only=True), 1)
                  if any(v is not None and str(v).strip() for v in row)]
        total += max(filled, default=0)
    return total


# -- the summary adds up, on every sample ---------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_of_every_sample_is_accounted_for(name):
    result = parse(name)
    tally = result.tally()
    assert tally["file_rows"] == rows_in_file(name)
    parts = tally["imported"] + tally["total"] + tally["blank"] + tally["label"] + tally["unread"]
    assert tally["file_rows"] == parts + tally["problem_rows"]
    if "lines" in EXPECTED[name]:
        assert tally["imported"] == EXPECTED[name]["lines"] and result.ok
    else:
        assert not result.ok  # rows without an error are counted, but nothing is written
    assert result.summary_json()["rows"] == tally


def test_the_ledger_samples_own_totals_are_checked():
    result = parse("ledger_2025Q3.xlsx")
    assert [(t.row, t.label, t.ok) for t in result.totals] == [
        (12, "本月合计", True), (25, "本月合计", True), (37, "本月合计", True), (38, "本季度合计", True)]
    assert result.tally() == {"file_rows": 40, "imported": 31, "total": 4, "blank": 1, "label": 4, "unread": 0,
                              "problem_rows": 0}
    assert [t.ok for t in parse("ledger_2025Q3_gbk.csv").totals] == [True, True, True]
    assert [(t.row, t.ok) for t in parse("roster_gengdi_2025.xlsx").totals] == [(64, True)]


# -- a total is recognised by its shape, not by a word in the text -----------------


@pytest.mark.parametrize("text", ["本月合计", "合 计", "本季度合计", "小计", "累计", "本年累计", "1组小计", "收入合计",
                                  "第三季度合计", "7-9月合计", "合计：", "承前页", "总计"])
def test_total_words_standing_alone(text):
    assert total_word([None, None, text]) is not None


@pytest.mark.parametrize("text", ["7-9月电费合计", "保洁员工资小计", "村干部误工补贴累计", "累计折旧", "合计金额调整",
                                  "电费合计（7-9月）"])
def test_lines_that_merely_end_in_a_total_word_are_lines(text):
    assert total_word([None, None, text]) is None
    result = parse_ledger(xlsx({"Sheet": [HEADER, ["2025-07-02", "记1", text, None, "1,050.00"]]}), "x.xlsx")
    assert result.problems == [] and [r.summary for r in result.rows] == [text]


def test_the_three_sheet_ledger_imports_every_line_and_checks_its_totals():
    result = parse("ledger_2025Q3_3sheets.xlsx")
    assert result.problems == []
    assert (len(result.rows), result.income_fen, result.expense_fen) == (
        three_sheet_ledger.LINES, three_sheet_ledger.INCOME_FEN, three_sheet_ledger.EXPENSE_FEN)
    assert {r.summary for r in result.rows} >= {"7-9月电费合计", "保洁员工资小计", "村干部误工补贴累计"}
    assert [(r.sheet, r.row) for r in result.rows][:2] == [("7月", 4), ("7月", 5)]
    assert [(t.sheet, t.row, t.label, t.ok) for t in result.totals] == [
        ("7月", 8, "本月合计", True), ("8月", 8, "本月合计", True), ("8月", 9, "累计", True),
        ("9月", 7, "本月合计", True), ("9月", 8, "本季度合计", True)]
    assert result.tally()["total"] == three_sheet_ledger.TOTAL_ROWS
    assert result.tally()["file_rows"] == three_sheet_ledger.FILE_ROWS
    assert result.sheet == "7月、8月、9月"
    assert result.title == ""  # three monthly titles: none names the file


def test_the_committed_three_sheet_sample_matches_its_helper():
    again = parse_ledger(three_sheet_ledger.workbook_bytes(), "x.xlsx")
    committed = parse("ledger_2025Q3_3sheets.xlsx")
    assert [(r.sheet, r.row, r.summary, r.amount_fen) for r in again.rows] == [
        (r.sheet, r.row, r.summary, r.amount_fen) for r in committed.rows]


def test_a_total_that_disagrees_is_an_error_named_by_sheet_and_row():
    sheets = three_sheet_ledger.sheets()
    sheets["8月"][7] = [None, None, "本月合计", 16727.53, 6451.05, None]  # the 保洁员工资小计 line left out
    result = parse_ledger(xlsx(sheets), "x.xlsx")
    assert where(result) == [("8月", 8, "total_mismatch")]
    problem = result.problems[0]
    assert problem.column == "支出" and problem.where == "工作表“8月”第8行"
    assert "支出写6,451.05元，上方各行合计10,051.05元" in problem.message
    assert not result.ok
    tally = result.tally()
    assert (tally["total"], tally["problem_rows"]) == (4, 1)


def test_a_skipped_line_is_caught_by_the_file_total():
    """The old rule skipped '保洁员工资小计' and the file's own 本月合计 in silence."""
    rows = [HEADER, ["2025-07-02", "记1", "村部电费", None, 300], ["2025-07-03", "记2", "保洁员工资小计", None, 3600],
            [None, None, "本月合计", None, 300]]
    result = parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")
    assert [r.summary for r in result.rows] == ["村部电费", "保洁员工资小计"]
    assert where(result) == [("Sheet", 4, "total_mismatch")]


def test_a_running_total_larger_than_the_lines_is_a_warning():
    rows = [HEADER, ["2025-07-02", "记1", "村部电费", None, 300], [None, None, "本月合计", None, 300],
            [None, None, "本年累计", None, 5300]]
    result = parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")
    assert where(result) == [("Sheet", 4, "running_total_larger")]
    assert result.ok and "多5,000.00元" in result.problems[0].message


def test_a_running_total_smaller_than_the_lines_is_an_error():
    rows = [HEADER, ["2025-07-02", "记1", "村部电费", None, 300], [None, None, "累计", None, 200]]
    assert where(parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")) == [("Sheet", 3, "total_mismatch")]


def test_a_roster_total_is_checked():
    rows = [["序号", "姓名", "金额"], [1, "张三", 100], [2, "李四", 200], ["合计", None, 400]]
    result = parse_roster(xlsx({"名单": rows}), "x.xlsx", id_key=KEY, kind="gengdi")
    assert where(result) == [("名单", 4, "total_mismatch")]
    rows[-1][2] = 300
    assert parse_roster(xlsx({"名单": rows}), "x.xlsx", id_key=KEY, kind="gengdi").problems == []


def test_a_total_with_lines_in_error_above_is_not_checked_but_said():
    rows = [HEADER, ["2025-07-02", "记1", "村部电费", None, "x"], [None, None, "合计", None, 300]]
    result = parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")
    assert where(result) == [("Sheet", 2, "not_a_number"), ("Sheet", 3, "total_unchecked")]


def test_a_repeated_header_and_a_balance_row_are_accounted_for():
    rows = [HEADER, ["2025-07-02", "记1", "村部电费", None, 300], HEADER, [None, None, "上年结转", 1000, None],
            ["2025-07-03", "记2", "网络费", None, 100]]
    result = parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")
    assert [r.row for r in result.rows] == [2, 5]
    assert where(result) == [("Sheet", 4, "balance_row")] and result.ok
    assert result.tally()["label"] == 3


# -- amounts that are not unambiguous ----------------------------------------------


@pytest.mark.parametrize("text", ["1,23", "12m00", "1.234,56", "1,2345", "12,34.5", "1 23", "12元5角"])
def test_an_ambiguous_amount_is_a_problem(text):
    result = parse_ledger(xlsx({"Sheet": [HEADER, ["2025-07-02", "记1", "电费", None, text]]}), "x.xlsx")
    assert result.rows == [] and not result.ok
    assert where(result) == [("Sheet", 2, "ambiguous_amount")]
    assert text in result.problems[0].message


@pytest.mark.parametrize(("text", "fen"), [("1,234.50", 123450), ("¥1,234", 123400), ("1 234.5", 123450),
                                           ("RMB 12.00", 1200), ("１，２３４", 123400), ("300元", 30000)])
def test_unambiguous_amounts_still_read(text, fen):
    result = parse_ledger(xlsx({"Sheet": [HEADER, ["2025-07-02", "记1", "电费", None, text]]}), "x.xlsx")
    assert result.problems == [] and [r.amount_fen for r in result.rows] == [fen]


def test_an_ambiguous_roster_amount_is_a_problem():
    rows = [["姓名", "金额"], ["张三", "1,23"], ["李四", "12m00"]]
    result = parse_roster(xlsx({"Sheet": rows}), "x.xlsx", id_key=KEY, kind="gengdi")
    assert where(result) == [("Sheet", 2, "ambiguous_amount"), ("Sheet", 3, "ambiguous_amount")]


# -- several sheets ----------------------------------------------------------------


def test_a_sheet_that_cannot_be_read_is_named():
    sheets = three_sheet_ledger.sheets()
    sheets["8月"][2] = ["日子", "凭证号", "摘要", "收入", "支出", "经手人"]  # a mangled header
    sheets["说明"] = [["本表按月分工作表"], ["请勿修改表头"]]
    result = parse_ledger(xlsx(sheets), "x.xlsx")
    assert where(result) == [("8月", None, "sheet_unreadable"), ("说明", None, "sheet_skipped"),
                             ("9月", 8, "total_mismatch")]  # the 本季度合计 misses 8月's lines too
    assert not result.ok and "8月" in result.problems[0].message
    assert result.problems[1].is_warning
    assert result.tally()["unread"] == len(sheets["8月"]) + 2
    assert result.sheet == "7月、9月"


def test_income_and_expense_sheets_with_one_amount_column():
    sheets = {
        "收入": [["日期", "摘要", "金额"], ["2025-07-02", "村合作社分红", "6,341.39"], [None, "合计", 6341.39]],
        "支出": [["日期", "摘要", "金额"], ["2025-07-03", "村部电费", 812.4], ["2025-07-04", "网络费", 100],
                 [None, "合计", 912.4]],
    }
    result = parse_ledger(xlsx(sheets), "x.xlsx")
    assert result.problems == []
    assert [(r.sheet, r.direction, r.amount_fen) for r in result.rows] == [
        ("收入", "income", 634139), ("支出", "expense", 81240), ("支出", "expense", 10000)]
    assert [t.ok for t in result.totals] == [True, True]


def test_a_direction_column_decides_the_side():
    rows = [["日期", "摘要", "收/支", "金额"], ["2025-07-02", "分红", "收", 10], ["2025-07-03", "电费", "支出", 5],
            ["2025-07-04", "网费", "?", 5]]
    result = parse_ledger(xlsx({"Sheet": rows}), "x.xlsx")
    assert [(r.direction, r.amount_fen) for r in result.rows] == [("income", 1000), ("expense", 500)]
    assert where(result) == [("Sheet", 4, "bad_direction")]


def test_a_hidden_sheet_is_read_and_said():
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["2025-07-02", "记1", "电费", None, 5])
    hidden = workbook.create_sheet("旧账")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    hidden.append(["2025-07-03", "记2", "网费", None, 6])
    out = io.BytesIO()
    workbook.save(out)
    result = parse_ledger(out.getvalue(), "x.xlsx")
    assert len(result.rows) == 2 and where(result) == [("旧账", None, "hidden_sheet")]


# -- roster headers and private columns --------------------------------------------


def test_roster_headers_in_use_are_recognised_and_private_columns_never_kept():
    rows = [
        ["东风村2025年10月临时救助对象公示"],
        ["序号", "申请人姓名", "所在组", "享受人数", "救助金额", "救助事由", "联系方式", "开户行", "家庭住址"],
        [1, "王五", "1组", 3, 2000, "突发脑溢血住院", "138-1234-5678", "农商行城关支行", "东风村3组17号"],
    ]
    result = parse_roster(xlsx({"Sheet": rows}), "x.xlsx", id_key=KEY)
    assert result.problems == []
    [row] = result.rows
    assert (row.name, row.household_size, row.reason, row.phone_masked) == ("王五", 3, "因病", "138****5678")
    assert result.masked == {"联系电话": 1}
    assert result.ignored_columns == ["开户行", "家庭住址"]
    dumped = repr(result) + json.dumps(result.summary_json(), ensure_ascii=False)
    for secret in ("脑溢血", "1234-5678", "13812345678", "城关支行", "17号"):
        assert secret not in dumped


@pytest.mark.parametrize("value", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "6217 0000 1111 2222 333",
                                   "5224011990010112", 5.22401199001011e17])
def test_an_unrecognised_column_with_private_numbers_is_a_warning(value):
    rows = [["姓名", "金额", "紧急联系人"], ["张三", 100, value], ["李四", 200, None]]
    result = parse_roster(xlsx({"Sheet": rows}), "x.xlsx", id_key=KEY, kind="gengdi")
    assert where(result) == [("Sheet", None, "private_column")]
    problem = result.problems[0]
    assert problem.is_warning and problem.column == "紧急联系人" and "不会保存" in problem.message
    assert result.ok and len(result.rows) == 2
    digits = re.sub(r"\D", "", str(value))
    assert digits[-8:] not in repr(result) + json.dumps(result.summary_json(), ensure_ascii=False)


def test_a_plain_unrecognised_column_is_listed_without_a_warning():
    rows = [["姓名", "金额", "家庭情况"], ["张三", 100, "孤寡老人"]]
    result = parse_roster(xlsx({"Sheet": rows}), "x.xlsx", id_key=KEY, kind="gengdi")
    assert result.problems == [] and result.ignored_columns == ["家庭情况"]
    assert "孤寡" not in repr(result.rows)


def test_headers_with_invisible_characters_are_recognised():
    rows = [["姓\u200b名", "\ufeff金额", "联系\u00ad电话"], ["张三", 100, "13812345678"]]
    result = parse_roster(xlsx({"Sheet": rows}), "x.xlsx", id_key=KEY, kind="gengdi")
    assert result.problems == [] and result.rows[0].phone_masked == "138****5678"


# -- encodings -----------------------------------------------------------------------


def test_excel_unicode_text_is_read():
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, saved as .txt."""
    text = "\t".join(HEADER) + "\r\n2025-07-02\t记001\t村部电费\t\t1,050.00\r\n"
    for name, data in (("x.txt", b"\xff\xfe" + text.encode("utf-16-le")), ("x.csv", text.encode("utf-16"))):
        result = parse_ledger(data, name)
        assert result.problems == [] and [(r.summary, r.amount_fen) for r in result.rows] == [("村部电费", 105000)]


def test_problems_carry_the_sheet_in_json():
    result = parse_ledger(xlsx({"7月": [HEADER, ["2025-07-02", "记1", "电费", None, "1,23"]]}), "x.xlsx")
    assert result.summary_json()["problems"][0]["sheet"] == "7月"
    assert Decimal(result.summary_json()["expense_total"]) == 0


def test_an_error_on_an_earlier_sheet_leaves_a_workbook_total_unchecked_not_wrong():
    sheets = three_sheet_ledger.sheets()
    sheets["8月"][4][4] = "12m00"  # 保洁员工资小计 cannot be read
    result = parse_ledger(xlsx(sheets), "x.xlsx")
    assert where(result) == [("8月", 5, "ambiguous_amount"), ("8月", 8, "total_unchecked"),
                             ("8月", 9, "total_unchecked"), ("9月", 8, "total_unchecked")]
    assert [t.ok for t in result.totals] == [True, False, False, True, False]


def test_a_damaged_sheet_is_named_and_the_others_are_read():
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(three_sheet_ledger.workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # cut off mid-way
            target.writestr(info, data)
    result = parse_ledger(out.getvalue(), "x.xlsx")
    assert where(result)[0] == ("8月", None, "sheet_unreadable") and not result.ok
    assert "已损坏" in result.problems[0].message
    assert {r.sheet for r in result.rows} == {"7月", "9月"}
