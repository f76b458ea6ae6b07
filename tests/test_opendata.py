"""Open data: the OpenAPI document matches the API, every API path, export
and feed is published data only — never an ID, account or phone number, nor
any private column value — CSV/XLSX are Excel-friendly and formula-safe, the
Atom feed is valid, escaped XML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import PUBLIC_STATUSES, Notice, Question, RosterLine, Status, User, Village
from disclosure.services import feedback, intake
from tests.conftest import database_url, make_app
from tests.helpers.feedback_data import publish
from tests.helpers.public_crawl import without_digests

ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ACCOUNT_RE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = '=HYPERLINK("http://evil.example","点我")'
CONTACTS = ("13911112222", "王大妈 15877778888", "住三组李家隔壁")


@pytest.fixture(scope="module")
def open_app(worker_dir: Path) -> Iterator[Flask]:
    """The demo township plus answered questions with contacts and a notice
    whose text tries formula injection and markup (this module's own database)."""
    app = make_app(database_url("board_opendata", worker_dir), worker_dir / "opendata-instance")
    with app.app_context():
        db.create_all()
        from disclosure.demo import load

        load()
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        clerk = db.session.execute(select(User).where(User.username == "clerk-dongfeng")).scalar_one()
        today = dt.date.today()
        month = periods.month_of(today)
        from disclosure.services import notices

        notice = notices.create_draft(village, clerk, category="finance", period=month,
                                      title='<script>alert("x")</script> & 财务 “补充”公示')
        row = type("Row", (), dict(occurred_on=month.start, voucher_no="记901", summary=EVIL, direction="expense",
                                   subject="other_expense", amount_fen=12345, handler="张会计", note="-1+2", row=0))
        intake.add_ledger_rows(notice, clerk, [row])
        publish(notice, today)
        asked = [n for n in db.session.execute(select(Notice).where(Notice.status == Status.PUBLISHED)).scalars()][:3]
        for n, contact in zip(asked, CONTACTS, strict=True):
            q = feedback.ask(n, channel="phone", text="请问这个名单怎么定的？", contact=contact)
            staff = db.session.execute(select(User).where(User.username == f"clerk-{n.village.code}")).scalar_one()
            feedback.answer(q, staff, "经村民代表会议评议，公示无异议后发放。")
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _private_values(app: Flask) -> set[str]:
    with app.app_context():
        values: set[str] = set()
        for line in db.session.execute(select(RosterLine)).scalars():
            if line.name != line.public_name:
                values.add(line.name)
            values.update(v for v in (line.id_masked, line.account_masked, line.phone_masked) if v)
        values.update(c for (c,) in db.session.execute(select(Question.contact)) if c)
        return values


def _public_notice_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(Notice.id).where(Notice.status.in_(PUBLIC_STATUSES))).scalars())


def _village_codes(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.execute(select(Village.code)).scalars())


def _urls(app: Flask, document: dict) -> list[str]:
    """Every path of the OpenAPI document with every value it can take here."""
    urls = []
    for template in document["paths"]:
        if "{township}" in template:
            today = dt.date.today()
            urls += [template.replace("{township}", "qingshan").replace("{period}", key)
                     for key in (f"{today.year}", f"{today:%Y-%m}")]
        elif "{notice_id}" in template:
            urls += [template.replace("{notice_id}", str(i)) for i in _public_notice_ids(app)]
        elif "{code}" in template:
            for code in _village_codes(app):
                url = template.replace("{code}", code)
                urls.append(url)
                if url.endswith("/finance"):
                    today = dt.date.today()
                    urls += [f"{url}?period={k}" for k in (
                        f"{today.year}", f"{today.year - 1}", periods.period_key(periods.quarter_of(today)),
                        periods.period_key(periods.month_of(today)))]
                if url.endswith("/notices"):
                    urls.append(f"{url}?category=assistance")
        else:
            urls.append(template)
    return urls


def _text_of(response) -> str:  # noqa: ANN001
    return without_digests(_raw_text_of(response))  # digests are not ID or phone numbers


def _raw_text_of(response) -> str:  # noqa: ANN001
    if response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data))
        return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                         if c.value is not None)
    return response.get_data(as_text=True)


def test_every_public_output_is_free_of_private_data(open_app: Flask) -> None:
    client = open_app.test_client()
    document = client.get("/api/openapi.json").get_json()
    urls = _urls(open_app, document)
    assert len(urls) > 100
    private = _private_values(open_app)
    assert any(len(v) >= 3 and "*" not in v for v in private)  # real full names are in the set
    assert set(CONTACTS) <= private
    seen_roster = seen_answer = False
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text_of(response)
        assert not ID_RE.search(text), (url, ID_RE.search(text).group())
        assert not MOBILE_RE.search(text), (url, MOBILE_RE.search(text).group())
        assert not ACCOUNT_RE.search(text), (url, ACCOUNT_RE.search(text).group())
        leaked = [v for v in private if v in text]
        assert not leaked, (url, leaked[:3])
        seen_roster |= '"roster":[{' in text
        seen_answer |= "经村民代表会议评议" in text
    assert seen_roster and seen_answer  # the walk did cover rosters and answers


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


_TYPES = {"string": str, "integer": int, "object": dict, "array": list, "null": type(None), "boolean": bool}


def _check(document: dict, schema: dict, value: object, where: str) -> None:
    """A small JSON-schema walk: $ref, allOf, type (with null), enum, required, properties, items."""
    schema = _resolve(document, schema)
    for part in schema.get("allOf", []):
        _check(document, part, value, where)
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        ok = any(isinstance(value, _TYPES[k]) and not (k == "integer" and isinstance(value, bool)) for k in kinds)
        assert ok, f"{where}: {value!r} is not {kinds}"
    if "enum" in schema and value is not None:
        assert value in schema["enum"], f"{where}: {value!r} not in enum"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _check(document, sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:50]):
            _check(document, schema["items"], item, f"{where}[{i}]")


def test_openapi_document_describes_the_api(open_app: Flask) -> None:
    client = open_app.test_client()
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/villages", "/api/villages/{code}/notices", "/api/notices/{notice_id}",
            "/api/villages/{code}/finance", "/api/notices/{notice_id}.csv", "/api/notices/{notice_id}.xlsx",
            "/feed/{code}.atom"} <= set(document["paths"])
    # Every $ref resolves; every operation names its parameters and a 200 response.
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert refs and all(name in document["components"]["schemas"] for name in refs)
    for template, item in document["paths"].items():
        operation = item["get"]
        assert "200" in operation["responses"], template
        for name in re.findall(r"{(\w+)}", template):
            assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"]), template
    # Every path answers, and JSON answers match their schema.
    checked: dict[str, int] = {}
    for url in _urls(open_app, document):
        template = max((t for t in document["paths"] if re.fullmatch(
            re.sub(r"\\{\w+\\}", r"[^/.]+", re.escape(t)), url.split("?")[0])), key=len)
        checked[template] = checked.get(template, 0) + 1
        if checked[template] > 6:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        content = document["paths"][template]["get"]["responses"]["200"]["content"]
        assert response.mimetype in content, (url, response.mimetype)
        if response.mimetype == "application/json":
            _check(document, content["application/json"]["schema"], response.get_json(), url)
    assert set(checked) == set(document["paths"])
    # Only the routes the document lists exist under /api.
    listed = {re.sub(r"{(\w+)}", r"<\1>", t) for t in document["paths"]}
    for rule in open_app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule) in listed, rule.rule


def test_api_refuses_what_is_not_public(open_app: Flask) -> None:
    client = open_app.test_client()
    with open_app.app_context():
        hidden = list(db.session.execute(select(Notice.id).where(Notice.status.not_in(PUBLIC_STATUSES))).scalars())
    assert hidden
    for notice_id in hidden:
        for suffix in ("", ".csv", ".xlsx"):
            assert client.get(f"/api/notices/{notice_id}{suffix}").status_code == 404
    assert client.get("/api/villages/nowhere/notices").status_code == 404
    assert client.get("/feed/nowhere.atom").status_code == 404
    assert client.get("/api/villages/dongfeng/finance?period=2025Q9").status_code == 400
    assert client.get("/api/villages/dongfeng/notices?category=secret").status_code == 400
    assert client.post("/api/villages").status_code == 405
    listed = {n["id"] for n in client.get("/api/villages/dongfeng/notices").get_json()}
    assert not listed & set(hidden)


def _evil_notice_id(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(Notice.id).where(Notice.title.startswith("<script>"))).scalar_one()


def test_csv_has_bom_and_is_formula_safe(open_app: Flask) -> None:
    client = open_app.test_client()
    response = client.get(f"/api/notices/{_evil_notice_id(open_app)}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][:3] == ["日期", "凭证号", "摘要"]
    assert rows[2][2] == "'" + EVIL and rows[2][5] == "123.45"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "张会计" not in response.get_data(as_text=True)  # 经手人 is not a public column


def test_xlsx_is_formula_safe(open_app: Flask) -> None:
    client = open_app.test_client()
    response = client.get(f"/api/notices/{_evil_notice_id(open_app)}.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cell = sheet.cell(row=3, column=3)
    assert cell.value == "'" + EVIL and cell.data_type == "s"
    assert float(sheet.cell(row=3, column=6).value) == 123.45


def test_roster_download_shows_masked_names(open_app: Flask) -> None:
    client = open_app.test_client()
    with open_app.app_context():
        line = db.session.execute(select(RosterLine).join(Notice).where(
            Notice.status == Status.PUBLISHED, RosterLine.name != RosterLine.public_name)).scalars().first()
        notice_id, public_name, name = line.notice_id, line.public_name, line.name
    text = client.get(f"/api/notices/{notice_id}.csv").data.decode("utf-8-sig")
    assert public_name in text and name not in text
    document = client.get(f"/api/notices/{notice_id}").get_json()
    assert public_name in {r["name"] for r in document["roster"]}
    assert not {"id_hash", "id_masked", "account_masked", "phone_masked"} & set(document["roster"][0])


def test_atom_feed_is_valid_escaped_xml(open_app: Flask) -> None:
    client = open_app.test_client()
    response = client.get("/feed/dongfeng.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "青山镇东风村村务公开"
    entries = [e for e in root.findall(f"{ATOM}entry") if "#notice-" in e.find(f"{ATOM}id").text]
    with open_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        public_count = db.session.execute(select(db.func.count(Notice.id)).where(
            Notice.village_id == village.id, Notice.status.in_(PUBLIC_STATUSES))).scalar_one()
    assert len(entries) == min(public_count, 50)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert '<script>alert("x")</script> & 财务 “补充”公示' in titles
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{tag}") is not None and entry.find(f"{ATOM}{tag}").text
        link = entry.find(f"{ATOM}link").get("href")
        assert re.search(r"/m/notice/\d+$", link)
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    withdrawn = [t for t in titles if t.endswith("（已撤回）")]
    assert not withdrawn  # withdrawn ones are in 红旗村, not here
    red = ET.fromstring(client.get("/feed/hongqi.atom").data)
    assert any(e.find(f"{ATOM}title").text.endswith("（已撤回）") for e in red.findall(f"{ATOM}entry"))
