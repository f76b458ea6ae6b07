"""A quarter's ledger kept as three monthly sheets (7月/8月/9月), with lines
whose 摘要 merely ends in 合计/小计/累计 and the file's own totals: 本月合计 on
every sheet, a running 累计 on 8月, a 本季度合计 over all three sheets on 9月.

``python -m tests.helpers.three_sheet_ledger`` rewrites the committed sample
tests/data/samples/ledger_2025Q3_3sheets.xlsx from these rows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

HEADER = ["日期", "凭证号", "摘要", "收入", "支出", "经手人"]
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "ledger_2025Q3_3sheets.xlsx"


def _title(month: int) -> list[list[object]]:
    return [[f"东风村2025年{month}月财务收支明细表"], [None, None, None, None, None, "单位：元"], HEADER]


def sheets() -> dict[str, list[list[object]]]:
    d = dt.datetime
    return {
        "7月": _title(7) + [
            [d(2025, 7, 3), "记001", "镇财政拨付村级运转经费", 30000, None, "范春桂"],
            [d(2025, 7, 10), "记002", "村部电费", None, 812.4, "方永"],
            [d(2025, 7, 18), "记003", "保洁员工资", None, 1200, "谢春"],
            [d(2025, 7, 25), "记004", "村合作社分红", 6341.39, None, "许峰英"],
            [None, None, "本月合计", 36341.39, 2012.4, None],
        ],
        "8月": _title(8) + [
            [d(2025, 8, 2), "记005", "灌溉水渠清淤", None, 4051.05, "蒋丽"],
            [d(2025, 8, 15), "记006", "保洁员工资小计", None, 3600, "谢春"],
            [d(2025, 8, 20), "记007", "砂石场资源使用费", 16727.53, None, "周海"],
            [d(2025, 8, 28), "记008", "村干部误工补贴累计", None, 2400, "龚花生"],
            [None, None, "本月合计", 16727.53, 10051.05, None],
            [None, None, "累计", 53068.92, 12063.45, None],
        ],
        "9月": _title(9) + [
            [d(2025, 9, 5), "记009", "7-9月电费合计", None, "1,050.00", "方永"],
            [d(2025, 9, 10), "记010", "村部门面出租租金", 13431.26, None, "张金军"],
            [d(2025, 9, 26), "记011", "购买办公用品", None, 873.59, "覃刚平"],
            [None, None, "本月合计", 13431.26, 1923.59, None],
            [None, None, "本季度合计", 66500.18, 13987.04, None],
            [None],
            ["制表人：任富丽", None, "村务监督委员会审核：肖平"],
        ],
    }


#: What the file holds, for the tests.
LINES = 11
INCOME_FEN = 6_650_018
EXPENSE_FEN = 1_398_704
TOTAL_ROWS = 5
FILE_ROWS = 27


def workbook_bytes(data: dict[str, list[list[object]]] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (data or sheets()).items():
        sheet = workbook.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


if __name__ == "__main__":
    SAMPLE.write_bytes(workbook_bytes())
    print(SAMPLE)
