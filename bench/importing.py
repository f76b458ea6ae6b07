"""Import speed: our parser against a raw openpyxl read of the same file."""

from __future__ import annotations

import datetime as dt
import io
import random

from openpyxl import Workbook, load_workbook

from disclosure.importing import parse_ledger

from .common import Figure, best_of


def ledger_xlsx(lines: int) -> bytes:
    rng = random.Random(7)
    wb = Workbook()
    ws = wb.active
    ws.append(["东风村财务收支明细表"])
    ws.append([None, None, None, None, None, "单位：元"])
    ws.append(["日期", "凭证号", "摘要", "收入", "支出", "经手人"])
    start = dt.date(2021, 1, 1)
    for i in range(lines):
        income = rng.random() < 0.3
        amount = round(rng.uniform(10, 50000), 2)
        ws.append([start + dt.timedelta(days=i % 1800), f"记{i:05d}", "村部电费" if not income else "收取承包费",
                   amount if income else None, None if income else amount, "张明"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _raw_read(data: bytes) -> int:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return sum(1 for _ in wb.active.iter_rows(values_only=True))


def figures(quick: bool = False) -> list[Figure]:
    lines = 2000 if quick else 20000
    data = ledger_xlsx(lines)
    result = parse_ledger(data, "bench.xlsx")
    assert result.ok and len(result.rows) == lines, result.problems[:3]
    repeat = 2 if quick else 3
    ours = best_of(lambda: parse_ledger(data, "bench.xlsx"), repeat)
    raw = best_of(lambda: _raw_read(data), repeat)
    return [Figure("import", f"parse a {lines:,}-line ledger .xlsx", ours, "s", ours / raw, "raw openpyxl read_only read")]


def main(quick: bool = False) -> None:
    from .common import print_table

    print_table(figures(quick))


if __name__ == "__main__":
    main()
