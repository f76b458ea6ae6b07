"""The .xlsx export: layout, formula injection, and the round trip through the importer."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.exporting import (
    LEDGER_HEADERS,
    LEDGER_MONEY_COLUMNS,
    display_width,
    ledger_table,
    money_value,
    rows_to_xlsx,
    safe_text,
)
from disclosure.importing import parse_ledger

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_layout():
    data = rows_to_xlsx(
        "东风村2025年第三季度财务收支明细表",
        ["日期", "摘要", "金额"],
        [[dt.date(2025, 7, 2), "村部电费", 263868], [dt.date(2025, 7, 3), "很长的摘要" * 5, Decimal("12.5")]],
        money_columns={2},
    )
    sheet = load(data)
    assert sheet["A1"].value == "东风村2025年第三季度财务收支明细表"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:C1"]
    assert [c.value for c in sheet[2]] == ["日期", "摘要", "金额"]
    assert all(c.font.b for c in sheet[2])
    assert sheet["C3"].value == pytest.approx(2638.68) and sheet["C3"].number_format == "#,##0.00"
    assert sheet["C4"].value == pytest.approx(12.5)
    assert sheet["A3"].value == dt.datetime(2025, 7, 2) and sheet["A3"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["B"].width >= display_width("很长的摘要" * 5)
    assert sheet.column_dimensions["A"].width >= 10
    assert sheet.freeze_panes == "A3"


@pytest.mark.parametrize(("text", "width"), [("abc", 3), ("村部", 4), ("１２", 4), ("A村", 3)])
def test_display_width(text, width):
    assert display_width(text) == width


@pytest.mark.parametrize("text", ["=1+1", "+86", "-3", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"点我\")", "\t=1"])
def test_formula_like_text_is_written_as_text(text):
    data = rows_to_xlsx("t", ["摘要"], [[text]])
    sheet = load(data)
    assert sheet["A3"].value == "'" + text
    assert sheet["A3"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["村部电费", "1+1", "a=b", ""])
def test_ordinary_text_is_unchanged(text):
    assert safe_text(text) == text


def test_formula_like_title_and_header_are_text_too():
    sheet = load(rows_to_xlsx("=cmd|' /C calc'!A0", ["=A1"], []))
    assert sheet["A1"].value.startswith("'=") and sheet["A2"].value == "'=A1"


@pytest.mark.parametrize("value", [1.5, "12.00", True])
def test_money_cells_refuse_ambiguous_values(value):
    with pytest.raises(TypeError):
        money_value(value)


def test_round_trip_of_the_sample_ledger():
    original = parse_ledger((SAMPLES / "ledger_2025Q3.xlsx").read_bytes(), "ledger_2025Q3.xlsx")
    data = rows_to_xlsx(original.title, LEDGER_HEADERS, ledger_table(original.rows), money_columns=set(LEDGER_MONEY_COLUMNS))
    again = parse_ledger(data, "export.xlsx")
    assert again.problems == []
    assert again.title == original.title
    key = lambda r: (r.occurred_on, r.voucher_no, r.summary, r.direction, r.amount_fen, r.subject, r.handler, r.note)  # noqa: E731
    assert [key(r) for r in again.rows] == [key(r) for r in original.rows]
    assert again.summary_json()["income_total"] == "150411.73"


def test_round_trip_keeps_formula_like_summaries():
    rows = [[dt.date(2025, 7, 2), "记001", "-退回电费", "其他收入", 500, None, "=张明", "@备注"]]
    again = parse_ledger(rows_to_xlsx("t", LEDGER_HEADERS, rows, money_columns=set(LEDGER_MONEY_COLUMNS)), "x.xlsx")
    assert again.problems == []
    line = again.rows[0]
    assert (line.summary, line.handler, line.note, line.subject) == ("-退回电费", "=张明", "@备注", "other_income")


@settings(max_examples=60, deadline=None)
@given(fens=st.lists(st.integers(min_value=1, max_value=10**11), min_size=1, max_size=15), income=st.booleans())
def test_exported_amounts_parse_back_equal(fens, income):
    rows = [
        [dt.date(2025, 1, 1) + dt.timedelta(days=i), f"记{i:03d}", "摘要", "", fen if income else None, None if income else fen, "", ""]
        for i, fen in enumerate(fens)
    ]
    again = parse_ledger(rows_to_xlsx("t", LEDGER_HEADERS, rows, money_columns=set(LEDGER_MONEY_COLUMNS)), "x.xlsx")
    assert again.problems == []
    assert [r.amount_fen for r in again.rows] == fens
    assert {r.direction for r in again.rows} == {"income" if income else "expense"}
