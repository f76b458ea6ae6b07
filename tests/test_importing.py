"""The import parsers against the clerks' sample files and generated messy files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure import privacy
from disclosure.importing import MAX_DATA_ROWS, parse_ledger, parse_roster, relief_reason
from disclosure.importing.reader import MAX_UNCOMPRESSED
from disclosure.importing.values import ValueProblem, chinese_number, parse_date, parse_group

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"
SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
KEY = b"test-instance-secret"

PROBLEM_CODES = {
    "negative amount": "negative_amount",
    "not a number": "not_a_number",
    "missing date": "missing_date",
    "both income and expense on one line": "both_amounts",
    "no such date": "no_such_date",
    "missing summary": "missing_summary",
}

LEDGER_HEADER = ["日期", "凭证号", "摘要", "收入", "支出", "经手人", "备注"]


# -- helpers ------------------------------------------------------------------


def parse_sample(name: str):
    data = (SAMPLES / name).read_bytes()
    if name.startswith("roster"):
        return parse_roster(data, name, id_key=KEY)
    return parse_ledger(data, name)


def xlsx(rows: list[list[object]], *, merges: tuple[str, ...] = (), sheets: dict | None = None) -> bytes:
    """An .xlsx with ``rows`` on the first sheet (or several named sheets)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in (sheets or {"Sheet": rows}).items():
        sheet = workbook.create_sheet(title)
        for cells in sheet_rows:
            sheet.append(cells)
    for ref in merges:
        workbook.worksheets[0].merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def codes(result) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.code) for p in result.problems]


def valid_id(prefix: str = "52240119900101", serial: str = "123") -> str:
    first17 = prefix + serial
    return first17 + privacy.id_check_digit(first17)


# -- the shared samples ---------------------------------------------------------


def test_repo_copy_matches_shared_samples():
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("no shared samples next to this checkout")
    """The repo holds every shared sample unchanged; it may add samples of its own."""
    for shared in SHARED_SAMPLES.iterdir():
        if shared.name == "expected.json":
            shared_expected = json.loads(shared.read_text(encoding="utf-8"))
            assert {name: EXPECTED.get(name) for name in shared_expected} == shared_expected
        else:
            assert (SAMPLES / shared.name).read_bytes() == shared.read_bytes(), shared.name


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "lines" in e))
def test_good_samples_match_expected(name):
    expected = EXPECTED[name]
    result = parse_sample(name)
    summary = result.summary_json()
    assert summary["lines"] == expected["lines"]
    for key in ("income_total", "expense_total", "amount_total"):
        if key in expected:
            assert Decimal(summary[key]) == Decimal(expected[key])
    assert result.ok
    assert result.errors == []


def test_ledger_xlsx_and_csv_give_the_same_lines():
    from_xlsx = parse_sample("ledger_2025Q3.xlsx")
    from_csv = parse_sample("ledger_2025Q3_gbk.csv")
    strip = lambda r: (r.occurred_on, r.voucher_no, r.summary, r.direction, r.amount_fen, r.subject, r.handler)  # noqa: E731
    assert [strip(r) for r in from_xlsx.rows] == [strip(r) for r in from_csv.rows]
    assert from_xlsx.problems == from_csv.problems == []


def test_ledger_sample_details():
    result = parse_sample("ledger_2025Q3.xlsx")
    assert result.title == "东风村2025年第三季度财务收支明细表"
    first = result.rows[0]
    assert (first.row, first.occurred_on, first.voucher_no) == (4, dt.date(2025, 7, 2), "记003")
    assert (first.direction, first.amount_fen, first.subject) == ("expense", 817655, "operating_expense")
    assert {r.subject for r in result.rows if "拨付" in r.summary} == {"subsidy_income"}
    assert result.income_fen == 15041173 and result.expense_fen == 11436102
    assert result.summary_json()["problems"] == []


def test_bad_ledger_lists_every_problem_and_nothing_is_imported():
    expected = EXPECTED["bad_ledger.xlsx"]
    result = parse_sample("bad_ledger.xlsx")
    assert not result.ok
    assert codes(result) == [(p["row"], p["column"], PROBLEM_CODES[p["problem"]]) for p in expected["problems"]]
    assert [p.message for p in result.problems] == [
        "金额不能为负数", "不是数字", "缺少日期", "同一行既有收入又有支出", "日期不存在", "缺少摘要",
    ]
    summary = result.summary_json()
    assert [(p["row"], p["column"]) for p in summary["problems"]] == [(p["row"], p["column"]) for p in expected["problems"]]


def test_not_a_spreadsheet_sample():
    result = parse_sample("not_a_spreadsheet.xlsx")
    assert result.rows == [] and not result.ok
    assert codes(result) == [(None, "", "not_a_spreadsheet")]
    assert result.problems[0].message == "这不是 Excel 表格文件（.xlsx）或 CSV 文件"


def test_gengdi_mismatch_is_a_warning_on_row_20():
    result = parse_sample("roster_gengdi_2025.xlsx")
    assert result.ok
    assert result.roster_kind == "gengdi"
    assert codes(result) == [(20, "补贴金额（元）", "amount_mismatch")]
    warning = result.problems[0]
    assert warning.is_warning and "相差100.00元" in warning.message
    row = next(r for r in result.rows if r.row == 20)
    assert (row.quantity, row.rate, row.rate_fen, row.amount_fen) == (Decimal("1.3"), Decimal("105.5"), 10550, 23715)
    assert {r.group_no for r in result.rows} == {1, 2, 3, 4, 5, 6}
    assert all(r.id_hash is None and r.id_masked == "" for r in result.rows)


def test_dibao_roster_keeps_only_fingerprints_and_masks():
    data = (SAMPLES / "roster_dibao_2025-10.xlsx").read_bytes()
    result = parse_roster(data, "roster_dibao_2025-10.xlsx", id_key=KEY)
    assert result.roster_kind == "dibao"
    assert result.masked == {"身份证号": 40, "银行账号": 40, "联系电话": 40}
    first = result.rows[0]
    assert (first.name, first.group_no, first.household_size, first.amount_fen) == ("尹志子", 2, 4, 56000)
    assert first.id_masked == "5224**********2170"
    assert first.account_masked == "尾号9393" and first.phone_masked == "139****6187"
    assert first.id_hash == privacy.id_fingerprint("522401195909082170", KEY)
    assert first.note == ""


def test_no_raw_private_number_survives_in_any_returned_object():
    data = (SAMPLES / "roster_dibao_2025-10.xlsx").read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    secrets = {str(v) for row in sheet.iter_rows(min_row=3, values_only=True) for v in row[3:4] + row[6:8] if v}
    assert len(secrets) == 120
    result = parse_roster(data, "roster_dibao_2025-10.xlsx", id_key=KEY)
    dumped = repr(result) + json.dumps(result.summary_json(), ensure_ascii=False)
    assert not re.search(r"\d{17}[\dX]", dumped)
    assert not [s for s in secrets if s in dumped]


# -- generated ledgers ------------------------------------------------------------


def messy_ledger_rows() -> list[list[object]]:
    return [
        ["东风村"],
        ["2025年第三季度财务收支明细表"],
        [None, None, None, None, None, None, "单位：元"],
        ["发生日期", "凭证字号", "事项", "收入金额（元）", "支出金额（元）", "经手人", "备　注"],
        [dt.datetime(2025, 7, 1), "记001", "镇财政拨付村级运转经费", "¥1,234.50", None, "张明", None],
        ["2025年7月3日", "记002", "村部电费", None, "１２３.４５", "李华", None],
        ["2025.7.4", "记003", "村合作社分红", "1,000元", "", "王芳", None],
        [None, None, None, None, None, None, None],
        ["2025/07/05", "记004", "购买办公用品", "0", 88, "赵刚", None],
        ["2025-7-6", "记005", "茶园承包费", "￥2 000.00", "-", "陈平", None],
        [45845, "记006", "报刊征订费", None, 480.1, "刘英", None],
        [20250708, "记007", "防汛物资采购", None, "1,997.46", "孙强", "联系人13812345678"],
        [None, None, "小  计", 4234.5, 2689.01, None, None],
        [None, None, "累计", 4234.5, 2689.01, None, None],
        [None, None, "本年累计", 4234.5, 2689.01, None, None],
        ["合 计", None, None, 4234.5, 2689.01, None, None],
        [None],
        ["制表人：任富丽", None, "审核：肖平", None, None, None, None],
    ]


def test_messy_ledger_two_titles_units_formats_and_subtotals():
    result = parse_ledger(xlsx(messy_ledger_rows()), "messy.xlsx")
    assert result.problems == []
    assert result.title == "东风村 2025年第三季度财务收支明细表"
    assert [(r.row, r.occurred_on.day, r.direction, r.amount_fen) for r in result.rows] == [
        (5, 1, "income", 123450),
        (6, 3, "expense", 12345),
        (7, 4, "income", 100000),
        (9, 5, "expense", 8800),
        (10, 6, "income", 200000),
        (11, 7, "expense", 48010),
        (12, 8, "expense", 199746),
    ]
    assert result.income_fen == 423450 and result.expense_fen == 268901
    assert result.rows[-1].note == "联系人138****5678"  # ledgers are public: notes are scrubbed
    assert result.rows[2].subject == "investment_income"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_messy_ledger_as_csv(encoding):
    rows = [[c.strftime("%Y-%m-%d") if isinstance(c, dt.datetime) else c for c in r] for r in messy_ledger_rows()]
    rows = [["2025-07-07", *r[1:]] if r and r[0] == 45845 else r for r in rows]  # serials are an Excel thing
    result = parse_ledger(csv_bytes(rows, encoding), "messy.csv")
    assert result.problems == []
    assert [r.occurred_on.day for r in result.rows] == [1, 3, 4, 5, 6, 7, 8]
    assert result.income_fen == 423450
    assert result.rows[0].summary == "镇财政拨付村级运转经费"


@pytest.mark.parametrize(
    "header",
    [
        ["日期", "凭证号", "摘要", "收入", "支出", "经手人", "备注"],
        ["时间", "凭证编号", "内容", "收入金额", "支出金额", "经手人", "备注"],
        ["发生日期", "凭证字号", "事项", "借方", "贷方", "经手人", "备注"],
        ["日 期", "凭证号", "摘　要", "收入（元）", "支出(元)", "经手人", "备注"],
        ["日期：", "凭证号", "摘要", "收入金额[元]", "支出金额【元】", "经办人", "备注"],
    ],
)
def test_ledger_header_variants(header):
    rows = [header, ["2025-07-02", "记001", "村部电费", None, "312.40", "张明", None]]
    result = parse_ledger(xlsx(rows), "variant.xlsx")
    assert result.problems == []
    assert [(r.direction, r.amount_fen, r.voucher_no, r.handler) for r in result.rows] == [
        ("expense", 31240, "记001", "张明")
    ]


def test_two_row_header_with_merged_amount_and_merged_dates():
    rows = [
        ["日期", "凭证号", "摘要", "金额", None, "经手人"],
        [None, None, None, "收入", "支出", None],
        [dt.datetime(2025, 7, 2), "记001", "村部电费", None, 312.4, "张明"],
        [None, "记002", "村部网络费", None, 100, "张明"],
        [None, "记003", "报刊征订费", None, 50, "张明"],
    ]
    merges = ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "A3:A5")
    result = parse_ledger(xlsx(rows, merges=merges), "two-row.xlsx")
    assert result.problems == []
    assert [(r.row, r.occurred_on, r.amount_fen) for r in result.rows] == [
        (3, dt.date(2025, 7, 2), 31240), (4, dt.date(2025, 7, 2), 10000), (5, dt.date(2025, 7, 2), 5000),
    ]


def test_merged_amount_is_not_counted_twice():
    rows = [LEDGER_HEADER, ["2025-07-02", "记001", "电费", None, 300, "张明"], ["2025-07-02", "记001", "水费", None, None, "张明"]]
    result = parse_ledger(xlsx(rows, merges=("E2:E3",)), "merged.xlsx")
    assert codes(result) == [(3, "收入/支出", "missing_amount")]
    assert result.expense_fen == 30000


def test_ledger_picks_the_sheet_with_the_header():
    sheets = {
        "说明": [["本表为东风村财务收支明细"], ["请勿修改表头"]],
        "三季度": [["东风村三季度收支"], LEDGER_HEADER, ["2025-07-02", "记001", "电费", None, 300, "张明"]],
    }
    result = parse_ledger(xlsx([], sheets=sheets), "sheets.xlsx")
    assert (result.sheet, result.title, len(result.rows)) == ("三季度", "东风村三季度收支", 1)


@pytest.mark.parametrize(
    ("cell", "subject", "warning"),
    [
        ("管理费用", "management_expense", None),
        ("管理费用-办公费", "management_expense", None),
        ("其他支出", "other_expense", None),
        ("招待费", "management_expense", "unknown_subject"),  # guessed from 摘要 "办公用品"
        ("经营收入", "management_expense", "subject_direction"),
        (None, "management_expense", None),
    ],
)
def test_subject_column(cell, subject, warning):
    rows = [["日期", "摘要", "科目", "收入", "支出"], ["2025-07-02", "购买办公用品", cell, None, 50]]
    result = parse_ledger(xlsx(rows), "subject.xlsx")
    assert result.ok
    assert result.rows[0].subject == subject
    assert [p.code for p in result.problems] == ([warning] if warning else [])
    assert all(p.is_warning and p.column == "科目" for p in result.problems)


def test_formula_guard_apostrophe_is_dropped():
    rows = [LEDGER_HEADER, ["2025-07-02", "记001", "'-退回多付电费", None, 30, "张明", "'=1+1"]]
    result = parse_ledger(xlsx(rows), "guard.xlsx")
    assert (result.rows[0].summary, result.rows[0].note) == ("-退回多付电费", "=1+1")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["2025-07-02", "记001", "电费", "三百元", None], (2, "收入", "not_a_number")),
        (["2025-07-02", "记001", "电费", None, "-300"], (2, "支出", "negative_amount")),
        (["2025-07-02", "记001", "电费", None, "(300)"], (2, "支出", "negative_amount")),
        (["2025-07-02", "记001", "电费", None, "3.001"], (2, "支出", "too_many_decimals")),
        (["2025-07-02", "记001", "电费", None, None], (2, "收入/支出", "missing_amount")),
        (["2025-07-02", "记001", "电费", 0, "0.00"], (2, "收入/支出", "missing_amount")),
        (["2025-07-02", "记001", "电费", 1, 2], (2, "收入/支出", "both_amounts")),
        (["2025-02-29", "记001", "电费", None, 5], (2, "日期", "no_such_date")),
        (["7月2日", "记001", "电费", None, 5], (2, "日期", "bad_date")),
        ([1, "记001", "电费", None, 5], (2, "日期", "bad_date")),
        ([None, "记001", "电费", None, 5], (2, "日期", "missing_date")),
        (["2025-07-02", "记001", "  ", None, 5], (2, "摘要", "missing_summary")),
    ],
)
def test_ledger_row_problems(cells, expected):
    result = parse_ledger(xlsx([LEDGER_HEADER[:5], cells]), "bad.xlsx")
    assert codes(result) == [expected]
    assert result.rows == [] and not result.ok


def test_every_problem_is_listed_and_good_rows_are_kept():
    rows = [LEDGER_HEADER[:5]] + [["2025-07-02", "记", "电费", None, v] for v in (1, "x", 2, -1, 3)]
    result = parse_ledger(xlsx(rows), "many.xlsx")
    assert [p.row for p in result.problems] == [3, 5]
    assert [r.row for r in result.rows] == [2, 4, 6]
    assert not result.ok


# -- values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025年7月3日", dt.date(2025, 7, 3)),
        ("2025年07月03号", dt.date(2025, 7, 3)),
        ("２０２５年７月３日", dt.date(2025, 7, 3)),
        ("2025.7.3", dt.date(2025, 7, 3)),
        ("2025/07/03", dt.date(2025, 7, 3)),
        ("2025-7-3", dt.date(2025, 7, 3)),
        ("2025-07-03 00:00:00", dt.date(2025, 7, 3)),
        ("20250703", dt.date(2025, 7, 3)),
        (20250703, dt.date(2025, 7, 3)),
        (45841, dt.date(2025, 7, 3)),
        (45841.0, dt.date(2025, 7, 3)),
        (45841.75, dt.date(2025, 7, 3)),
        (dt.datetime(2025, 7, 3, 14, 30), dt.date(2025, 7, 3)),
        (dt.date(2025, 7, 3), dt.date(2025, 7, 3)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "missing_date"),
        ("  ", "missing_date"),
        ("2025年2月30日", "no_such_date"),
        ("2025-13-01", "no_such_date"),
        ("七月三日", "bad_date"),
        ("1800-01-01", "bad_date"),
        (12, "bad_date"),
        (True, "bad_date"),
    ],
)
def test_parse_date_problems(value, code):
    with pytest.raises(ValueProblem) as info:
        parse_date(value)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("第2村民小组", 2), ("2组", 2), ("二组", 2), ("第二组", 2), ("第02组", 2), ("2", 2), (2, 2), (2.0, 2),
        ("十组", 10), ("第十二村民小组", 12), ("二十三组", 23), ("３组", 3), ("第 4 组", 4), ("5队", 5),
        ("王家湾组", None), ("", None), (None, None), (0, None), ("组", None), (2.5, None),
    ],
)
def test_parse_group(value, expected):
    assert parse_group(value) == expected


@pytest.mark.parametrize(("word", "number"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99), ("一百", None), ("", None)])
def test_chinese_number(word, number):
    assert chinese_number(word) == number


# -- generated rosters -------------------------------------------------------------


ROSTER_HEADER = ["序号", "所在组", "户主", "公民身份号码", "家庭人口", "救助金额", "救助原因", "发放日期", "一卡通账号", "手机号", "备注"]


def linshi_rows() -> list[list[object]]:
    return [
        ["东风村2025年临时救助对象公示"],
        ROSTER_HEADER,
        [1, "第一组", "王 五", valid_id(serial="123"), "3人", "¥2,000", "突发脑溢血住院", "2025年10月8日", "6217000011112222333", "13812345678", "患尿毒症"],
        [2, "第三组", "李四", valid_id(serial="124"), 2, 1500, "房屋失火", 45938, None, None, None],
        [3, None, "赵六", valid_id(serial="125"), 1, "800元", "车祸受伤", None, None, None, None],
        [4, None, None, None, None, None, None, None, None, None, None],  # numbered but empty
        [None, "合计", None, None, None, 4300, None, None, None, None, None],
        ["公示期：2025年10月9日至10月15日"],
        ["监督电话：12317", None, None, "村委会（盖章）"],
    ]


def test_linshi_roster_maps_reasons_and_drops_notes():
    result = parse_roster(xlsx(linshi_rows()), "linshi.xlsx", id_key=KEY)
    assert result.problems == []
    assert result.roster_kind == "linshi"
    assert [(r.name, r.group_no, r.household_size, r.amount_fen, r.reason) for r in result.rows] == [
        ("王五", 1, 3, 200000, "因病"), ("李四", 3, 2, 150000, "因灾"), ("赵六", None, 1, 80000, "因意外事故"),
    ]
    assert [r.paid_on for r in result.rows] == [dt.date(2025, 10, 8), dt.date(2025, 10, 8), None]
    assert all(r.note == "" for r in result.rows)
    assert result.masked == {"身份证号": 3, "银行账号": 1, "联系电话": 1}
    dumped = repr(result)
    for secret in ("脑溢血", "尿毒症", "6217000011112222333", "13812345678", valid_id(serial="123")):
        assert secret not in dumped


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({2: None}, [(3, "户主", "missing_name")]),
        ({3: "522401199001011230"}, [(3, "公民身份号码", "bad_id")]),
        ({3: "52240119900101123"}, [(3, "公民身份号码", "bad_id")]),
        ({3: 5.22401199001011e17}, [(3, "公民身份号码", "bad_id")]),
        ({3: None}, [(3, "公民身份号码", "missing_id")]),
        ({3: "5.22401E+17"}, [(3, "公民身份号码", "bad_id")]),
        ({5: None}, [(3, "救助金额", "missing_amount")]),
        ({5: 0}, [(3, "救助金额", "zero_amount")]),
        ({5: "两千"}, [(3, "救助金额", "not_a_number")]),
        ({4: "三口"}, [(3, "家庭人口", "not_a_number")]),
        ({7: "2025-02-30"}, [(3, "发放日期", "no_such_date")]),
        ({1: "王家湾"}, [(3, "所在组", "bad_group")]),
        ({8: 6.217000011112222e18}, [(3, "一卡通账号", "bad_account")]),
    ],
)
def test_roster_row_problems(cells, expected):
    rows = linshi_rows()[:3]
    for index, value in cells.items():
        rows[2][index] = value
    result = parse_roster(xlsx(rows), "bad.xlsx", id_key=KEY)
    assert codes(result) == expected
    assert result.ok == all(p.is_warning for p in result.problems)
    for problem in result.problems:
        assert not re.search(r"\d{15,}", problem.message)
    assert "5224011990" not in repr(result)


def test_duplicate_id_is_a_warning():
    rows = linshi_rows()[:4]
    rows[3][3] = rows[2][3]
    result = parse_roster(xlsx(rows), "dup.xlsx", id_key=KEY)
    assert codes(result) == [(4, "公民身份号码", "duplicate_id")]
    assert result.ok and "第3行" in result.problems[0].message


def test_roster_with_more_precise_rate_and_scrubbed_subsidy_notes():
    rows = [
        ["2025年耕地地力保护补贴发放表"],
        ["序号", "村民小组", "姓名", "面积(亩)", "标准(元/亩)", "补贴金额（元）", "备注"],
        [1, "2组", "张三", "2.4亩", "95.125", "228.30", "卡号6217000011112222333已核"],
        [2, "2组", "李四", 3, 95.125, 285.38, "户主外出务工"],
    ]
    result = parse_roster(xlsx(rows), "rate.xlsx", id_key=KEY)
    assert result.problems == []
    first, second = result.rows
    assert (first.quantity, first.rate, first.rate_fen, first.amount_fen) == (Decimal("2.4"), Decimal("95.125"), None, 22830)
    assert first.note == "卡号尾号2333已核"
    assert second.note == "户主外出务工" and second.group_no == 2
    assert result.masked == {}


def test_roster_kind_argument_wins_and_unknown_kind_is_a_programming_error():
    data = xlsx(linshi_rows())
    assert parse_roster(data, "x.xlsx", id_key=KEY, kind="tekun").roster_kind == "tekun"
    with pytest.raises(ValueError):
        parse_roster(data, "x.xlsx", id_key=KEY, kind="nonsense")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("因病", "因病"), ("病", "因病"), ("孩子上大学学费", "因学"), ("洪水冲毁房屋", "因灾"), ("交通事故", "因意外事故"), ("生活困难", "其他"), ("", "")],
)
def test_relief_reason(text, reason):
    assert relief_reason(text) == reason


# -- hostile and broken files ------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted.xlsx", "encrypted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "encrypted"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.xlsx", "not_a_spreadsheet"),
        (b"", "empty.xlsx", "not_a_spreadsheet"),
        (b"", "empty.csv", "no_header"),
        (b"PK\x03\x04garbage", "broken.xlsx", "not_a_spreadsheet"),
        (zip_bytes({"hello.txt": b"hi"}), "other.zip.xlsx", "not_a_spreadsheet"),
        (zip_bytes({"xl/workbook.xml": b"<not xml"}), "broken.xlsx", "not_a_spreadsheet"),
        (b"\x00\x01\x02binary\x00", "binary.csv", "not_a_spreadsheet"),
        (b"a" * (10 * 1024 * 1024 + 1), "huge.csv", "too_large"),
        ("姓名,金额\n张三,100\n".encode(), "roster.csv", "no_header"),
    ],
)
def test_unreadable_files(data, filename, code):
    result = parse_ledger(data, filename)
    assert codes(result) == [(None, "", code)]
    assert result.rows == [] and not result.ok
    assert re.search(r"[\u4e00-\u9fff]", result.problems[0].message)


def test_encrypted_message_tells_what_to_do():
    result = parse_roster(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xlsx", id_key=KEY)
    assert result.problems[0].message == "文件已加密或是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传"


def test_no_header_names_the_missing_columns():
    result = parse_ledger(xlsx([["日期", "凭证号", "收入"], ["2025-07-01", "记1", 5]]), "x.xlsx")
    assert codes(result) == [(None, "", "no_header")]
    assert "摘要" in result.problems[0].message and "支出" in result.problems[0].message


def test_one_amount_column_without_a_side_is_named():
    result = parse_ledger(xlsx([["日期", "摘要", "金额"], ["2025-07-01", "电费", 5]]), "x.xlsx")
    assert codes(result) == [(None, "金额", "no_side")]
    assert "收入" in result.problems[0].message and "支出" in result.problems[0].message
    assert result.tally() == {"file_rows": 2, "imported": 0, "total": 0, "blank": 0, "label": 0, "unread": 2,
                              "problem_rows": 0}


def test_zip_bomb_by_ratio_is_refused():
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    result = parse_ledger(bomb, "bomb.xlsx")
    assert codes(result) == [(None, "", "zip_bomb")]
    assert "过大" in result.problems[0].message


def test_zip_bomb_by_total_size_is_refused():
    # Members each under the ratio trigger (random-ish content) would be slow to
    # build; instead declare sizes in the central directory, as a bomb would.
    archive = zip_bytes({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"<x/>"})
    patched = bytearray(archive)
    index = patched.rfind(b"PK\x01\x02")  # central directory entry of the last member
    patched[index + 24 : index + 28] = (MAX_UNCOMPRESSED + 1).to_bytes(4, "little")
    result = parse_ledger(bytes(patched), "bomb.xlsx")
    assert codes(result) == [(None, "", "zip_bomb")]


def test_row_limit():
    header = ",".join(LEDGER_HEADER[:5])
    line = "2025-07-02,记001,电费,,1.00"
    at_limit = "\n".join([header] + [line] * MAX_DATA_ROWS).encode()
    over = "\n".join([header] + [line] * (MAX_DATA_ROWS + 1)).encode()
    assert len(parse_ledger(at_limit, "ok.csv").rows) == MAX_DATA_ROWS
    assert codes(parse_ledger(over, "over.csv")) == [(None, "", "too_many_rows")]
    far_over = "\n".join([header] + [line] * (MAX_DATA_ROWS + 5000)).encode()
    assert codes(parse_ledger(far_over, "over.csv")) == [(None, "", "too_many_rows")]


def test_styled_empty_rows_far_below_do_not_count():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(LEDGER_HEADER[:5])
    sheet.append(["2025-07-02", "记001", "电费", None, 1])
    for row in range(3, MAX_DATA_ROWS + 3000):
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"  # styled, empty
    sheet.cell(row=MAX_DATA_ROWS + 3000, column=3).value = " "
    out = io.BytesIO()
    workbook.save(out)
    result = parse_ledger(out.getvalue(), "styled.xlsx")
    assert result.problems == [] and len(result.rows) == 1


def test_row_limit_in_xlsx():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(LEDGER_HEADER[:5])
    for _ in range(MAX_DATA_ROWS + 1):
        sheet.append(["2025-07-02", "记001", "电费", None, 1])
    out = io.BytesIO()
    workbook.save(out)
    assert codes(parse_ledger(out.getvalue(), "over.xlsx")) == [(None, "", "too_many_rows")]


# -- properties ----------------------------------------------------------------------


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.binary(max_size=2048), filename=st.sampled_from(["a.xlsx", "a.csv", "a.xls", "a"]))
def test_random_bytes_never_raise(data, filename):
    for result in (parse_ledger(data, filename), parse_roster(data, filename, id_key=KEY)):
        assert result.rows == [] or result.ok or result.problems
        assert not result.ok or result.rows == [] or all(r.amount_fen > 0 for r in result.rows)
        assert result.problems or result.rows == []


@settings(max_examples=50, deadline=None)
@given(tail=st.binary(max_size=1024))
def test_random_zip_like_bytes_never_raise(tail):
    for prefix in (b"PK\x03\x04", zip_bytes({"xl/workbook.xml": tail})):
        result = parse_ledger(prefix + tail, "x.xlsx")
        assert result.problems


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text_csv_never_raises(text):
    data = ("日期,摘要,收入,支出\n" + text).encode("utf-8")
    result = parse_ledger(data, "x.csv")
    assert result.ok or result.problems


amounts = st.lists(st.integers(min_value=1, max_value=10**11), min_size=1, max_size=20)
styles = st.sampled_from(["{:.2f}", "{:,.2f}", "¥{:,.2f}", "{:.2f}元", "fullwidth"])


def write_amount(fen: int, style: str) -> str:
    text = f"{fen // 100}.{fen % 100:02d}"
    if style == "fullwidth":
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return style.format(Decimal(text))


@settings(max_examples=100, deadline=None)
@given(fens=amounts, style=styles)
def test_amounts_written_then_parsed_are_equal(fens, style):
    rows = [LEDGER_HEADER[:5]] + [["2025-07-02", f"记{i}", "电费", None, write_amount(f, style)] for i, f in enumerate(fens)]
    result = parse_ledger(csv_bytes(rows, "gb18030"), "x.csv")
    assert result.problems == []
    assert [r.amount_fen for r in result.rows] == fens
