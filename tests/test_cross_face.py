"""One finance notice on every face (kiosk, phone page, PDF, CSV, XLSX, JSON):
the same totals, the same columns in the same order and the same sentence."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import subprocess

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
