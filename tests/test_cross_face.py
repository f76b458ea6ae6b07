"""One notice on every face (kiosk, phone page, PDF, CSV, XLSX, JSON, Atom):
the same totals, the same columns in the same order and, for finance, the same
sentence; a roster's search page shows the roster's own columns."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import subprocess
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import CURRENT_STATUSES, Notice, Village
from disclosure.money import format_yuan


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_faces(html: str) -> dict:
    sentence = htmllib.unescape(re.search(r'class="sentence speak" data-testid="sentence">([^<]*)<', html).group(1))
    head = re.search(r'<table class="ledger cards".*?<thead><tr>(.*?)</tr></thead>', html, re.S).group(1)
    columns = [c for c in re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', head)]
    total = re.search(r'data-income-fen="(\d+)" data-expense-fen="(\d+)"', html)
    figs = dict(re.findall(r'<div class="fig (\w+)"><dt>[^<]*</dt><dd data-fen="(-?\d+)"', html))
    return {"sentence": sentence, "columns": columns, "income": int(total.group(1)),
            "expense": int(total.group(2)), "opening": int(figs["opening"]), "closing": int(figs["closing"]),
            "fig_income": int(figs["income"]), "fig_expense": int(figs["expense"])}


def test_one_finance_notice_is_the_same_on_every_face(demo_app) -> None:
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        notice_id = db.session.execute(
            select(Notice.id).where(Notice.village_id == village.id, Notice.category == "finance",
                                    Notice.status.in_(CURRENT_STATUSES)).order_by(Notice.period_start.desc())
        ).scalars().first()
        db.session.remove()
    client = demo_app.test_client()
    kiosk = _page_faces(client.get(f"/kiosk/notice/{notice_id}").get_data(as_text=True))
    phone = _page_faces(client.get(f"/m/notice/{notice_id}").get_data(as_text=True))
    assert kiosk == phone
    assert (kiosk["fig_income"], kiosk["fig_expense"]) == (kiosk["income"], kiosk["expense"])
    assert kiosk["closing"] == kiosk["opening"] + kiosk["income"] - kiosk["expense"]
    columns = kiosk["columns"]
    assert columns == ["日期", "凭证号", "摘要", "科目", "收入（元）", "支出（元）"]
    yuan = {key: format_yuan(kiosk[key]) for key in ("income", "expense", "opening", "closing")}

    document = client.get(f"/api/notices/{notice_id}").get_json()
    assert document["tables"][0]["columns"] == columns
    assert document["tables"][0]["totals"][-2:] == [kiosk["income"], kiosk["expense"]]
    assert document["finance"] == {"opening_fen": kiosk["opening"], "income_fen": kiosk["income"],
                                   "expense_fen": kiosk["expense"], "closing_fen": kiosk["closing"],
                                   "sentence": kiosk["sentence"]}
    assert sum(l["amount_fen"] for l in document["ledger"] if l["direction"] == "income") == kiosk["income"]

    rows = list(csv.reader(io.StringIO(client.get(f"/api/notices/{notice_id}.csv").data.decode("utf-8-sig"))))
    assert rows[1] == columns
    plain = {key: value.replace(",", "") for key, value in yuan.items()}
    assert rows[-3][0] == "合计" and rows[-3][4:6] == [plain["income"], plain["expense"]]
    assert rows[-2][0] == "期初余额" and rows[-2][4] == plain["opening"]
    assert rows[-1][0] == "期末余额" and rows[-1][4] == plain["closing"]

    sheet = load_workbook(io.BytesIO(client.get(f"/api/notices/{notice_id}.xlsx").data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1] == columns
    fen = lambda v: round(v * 100)  # noqa: E731 - openpyxl reads the yuan back as a number
    assert values[-3][0] == "合计" and [fen(v) for v in values[-3][4:6]] == [kiosk["income"], kiosk["expense"]]
    assert (values[-2][0], fen(values[-2][4])) == ("期初余额", kiosk["opening"])
    assert (values[-1][0], fen(values[-1][4])) == ("期末余额", kiosk["closing"])

    pdf = client.get(f"/p/{notice_id}.pdf")
    assert pdf.status_code == 200
    text = _squash(subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True)
                   .stdout.decode())
    assert _squash(kiosk["sentence"]) in text
    at = [text.find(c) for c in columns]
    assert all(i >= 0 for i in at) and at == sorted(at), "the printed columns in the same order"
    for key in ("income", "expense", "opening", "closing"):
        assert yuan[key] in text, key

    entry = _atom_entry(client, "dongfeng", notice_id)
    assert entry["columns"] == columns
    assert entry["sentence"] == kiosk["sentence"]
    assert entry["totals"][0] == "合计" and entry["totals"][4:6] == [yuan["income"], yuan["expense"]]
    assert entry["balances"] == [["期初余额", "", "", "", yuan["opening"], ""],
                                 ["期末余额", "", "", "", yuan["closing"], ""]]


ATOM = "{http://www.w3.org/2005/Atom}"


def _cells(row_html: str, tag: str = "td") -> list[str]:
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row_html, re.S)]


def _atom_entry(client, village_code: str, notice_id: int) -> dict:  # noqa: ANN001
    """The table (columns, first row, 合计, balances) and sentence of one notice's Atom entry."""
    feed = ET.fromstring(client.get(f"/feed/{village_code}.atom").data)
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(f"#notice-{notice_id}"))
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    html = content.text
    sentence = re.match(r"<p>(.*?)</p>", html)
    foot = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tfoot>(.*?)</tfoot>", html).group(1))
    return {"columns": _cells(re.search(r"<thead>(.*?)</thead>", html).group(1), "th"),
            "first": _cells(re.search(r"<tbody><tr>(.*?)</tr>", html).group(1)),
            "totals": _cells(foot[0]), "balances": [_cells(r) for r in foot[1:]],
            "sentence": htmllib.unescape(sentence.group(1)) if sentence else None}


def _roster_face(html: str) -> dict:
    table = re.search(r'<table class="roster cards" data-testid="roster">(.*?)</table>', html, re.S).group(1)
    table = table.replace('<span class="unit">元</span>', "")  # the phone's card layout shows the unit
    return {"columns": _cells(re.search(r"<thead>(.*?)</thead>", table, re.S).group(1), "th"),
            "first": _cells(re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", table, re.S).group(1))}


@pytest.mark.parametrize("kind", ["dibao", "gengdi"])
def test_one_roster_has_the_same_columns_and_total_on_every_face(demo_app, kind: str) -> None:  # noqa: ANN001
    """The kiosk's search page, the phone page, the PDF, the files, the API
    and the Atom feed all show the roster's one column definition."""
    with demo_app.app_context():
        notice = db.session.execute(
            select(Notice).join(Village).where(Village.code == "dongfeng", Notice.roster_kind == kind,
                                               Notice.status.in_(CURRENT_STATUSES))
            .order_by(Notice.period_start.desc())).scalars().first()
        notice_id, total_fen = notice.id, sum(line.amount_fen for line in notice.roster_lines)
        db.session.remove()
    client = demo_app.test_client()
    kiosk = _roster_face(client.get(f"/kiosk/notice/{notice_id}").get_data(as_text=True))
    assert _roster_face(client.get(f"/m/notice/{notice_id}").get_data(as_text=True)) == kiosk
    columns = kiosk["columns"]
    assert columns[:3] == ["序号", "村民小组", "户主姓名" if kind == "dibao" else "姓名"]
    assert columns[-1].endswith("金额（元）")

    document = client.get(f"/api/notices/{notice_id}").get_json()
    assert document["tables"][-1]["columns"] == columns
    assert document["tables"][-1]["totals"][-1] == total_fen

    rows = list(csv.reader(io.StringIO(client.get(f"/api/notices/{notice_id}.csv").data.decode("utf-8-sig"))))
    assert rows[1] == columns
    assert rows[-1][0] == "合计" and rows[-1][-1] == format_yuan(total_fen).replace(",", "")
    assert [c.replace(",", "") for c in kiosk["first"]] == rows[2]

    values = [[cell.value for cell in row] for row in load_workbook(
        io.BytesIO(client.get(f"/api/notices/{notice_id}.xlsx").data)).active.iter_rows()]
    assert values[1] == columns and values[-1][0] == "合计" and round(values[-1][-1] * 100) == total_fen

    entry = _atom_entry(client, "dongfeng", notice_id)
    assert entry["columns"] == columns and entry["first"] == kiosk["first"]
    assert entry["totals"][0] == "合计" and entry["totals"][-1] == format_yuan(total_fen)

    pdf = client.get(f"/p/{notice_id}.pdf")
    assert pdf.status_code == 200
    text = _squash(subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True)
                   .stdout.decode())
    start = text.find(_squash(document["tables"][-1]["caption"]) + columns[0])  # the table, not the body text
    at = [text.find(_squash(c), start) for c in columns]
    assert start >= 0 and all(i >= 0 for i in at) and at == sorted(at), "the printed columns in the same order"
    assert format_yuan(total_fen) in text
