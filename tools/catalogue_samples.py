"""Write the committed sample rosters of the catalogue's kinds (issue 14):
one clerk's workbook per kind under tests/data/samples/catalogue/, shaped as
clerks keep them: a title row, a header row in their own words, three
villagers, a 合计 row. The 低保, 特困 and 残疾人两项补贴 ones carry a grade
(保障类别 / 供养方式 / 补贴类别). Tests read the files; run this only to
change them:

    .venv/bin/python tools/catalogue_samples.py

The ID numbers are made up (valid check digit, no real person) and the phone
is a placeholder: the importer must fingerprint and mask them.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "samples" / "catalogue"
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from disclosure.catalogue import SEED_KINDS  # noqa: E402  (the seed, not a database)
from disclosure.privacy import id_check_digit  # noqa: E402

#: The kinds with a sample: the ones issue 14 added, and 低保 and 特困 for their grades.
KINDS = ("dibao", "tekun", "yiliao", "canbu", "gaoling", "zhongliang", "shengtai", "zhengdi", "zhaijidi",
         "cunganbu", "yishiyiyi", "zhaiwu", "jiuzai", "gongyigang", "jiance")
PEOPLE = ("张三明", "李四", "王小红")
IDS = tuple(b + id_check_digit(b) for b in ("11010119400307123", "11010119550715123", "11010119620901124"))
#: A clerk's header for each optional column, by kind where it differs from the default.
HEADERS = {"household_size": "人数", "quantity": "面积（亩）", "rate": "补贴标准（元/亩）", "reason": "原因",
           "paid_on": "发放日期", "grade": "等级"}
OWN_HEADERS = {
    "dibao": {"household_size": "保障人口", "grade": "保障类别", "amount": "月保障金额（元）"},
    "tekun": {"household_size": "供养人数", "grade": "供养方式", "amount": "月供养金额（元）"},
    "canbu": {"grade": "补贴类别", "amount": "月补贴金额（元）"},
    "zhengdi": {"quantity": "征收面积（亩）", "rate": "补偿标准（元/亩）", "amount": "补偿金额（元）"},
}
GRADES = {"dibao": ("一类", "二类", "三类"), "tekun": ("分散供养", "集中供养", "分散供养"), "canbu": ("生活补贴", "护理补贴", "生活补贴")}
#: Titles without a year and sheets without a date column: the period comes from the kind's period shape.
NO_YEAR = {"cunganbu", "gongyigang"}


def title(kind) -> str:  # noqa: ANN001 - a catalogue.RosterKind
    return f"一村{kind.name}名单" if kind.code in NO_YEAR else f"一村2025年{kind.name}名单"


def workbook(kind) -> bytes:  # noqa: ANN001 - a catalogue.RosterKind
    keys = [k for k, _ in kind.columns if k != "amount" and not (k == "paid_on" and kind.code in NO_YEAR)]
    own = OWN_HEADERS.get(kind.code, {})
    headers = ["序号", "村民小组", kind.head_word, "身份证号码"]
    headers += [own.get(k, HEADERS[k]) for k in keys]
    headers += [own.get("amount", "金额（元）"), "联系电话"]
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = dt.datetime(2025, 6, 30, 9, 0)
    sheet = book.active
    sheet.title = "名单"
    sheet.append([title(kind)])
    sheet.append(headers)
    total = 0.0
    for n, (name, id_no) in enumerate(zip(PEOPLE, IDS, strict=True), 1):
        cells = {"household_size": n + 1, "quantity": 2.5 * n, "rate": 100, "reason": "因病住院",
                 "paid_on": dt.date(2025, 6, 10), "grade": GRADES.get(kind.code, ("",) * 3)[n - 1]}
        amount = 250 * n if "quantity" in keys else 100 * n + 0.5
        total += amount
        sheet.append([n, f"{n}组", name, id_no, *(cells[k] for k in keys), amount, "13812345678"])
    sheet.append(["合计", *[None] * (len(headers) - 3), total, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    by_code = {k.code: k for k in SEED_KINDS}
    for code in KINDS:
        (OUT / f"{code}.xlsx").write_bytes(workbook(by_code[code]))
        print(OUT / f"{code}.xlsx")


if __name__ == "__main__":
    main()
