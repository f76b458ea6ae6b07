"""Hostile input (issue #7 point 3).

1. Markup, template and formula payloads typed into every text field come
   back as text on every face: kiosk and phone pages, the verify page, the
   Atom feed, the API JSON, CSV/XLSX exports, the public PDF and the admin
   pages.
2. Hostile uploads (oversized, malformed, zip bombs, OLE/encrypted files,
   pixel bombs) are refused through the real admin routes with a Chinese
   message and nothing is written.
3. Properties: money parse/format, the import parsers on random cell grids,
   ID masking.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlparse
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from disclosure import money, periods, privacy, vouchers
from disclosure.extensions import db
from disclosure.importing import parse_ledger, parse_roster
from disclosure.models import (
    AuditEntry, LedgerLine, Notice, Role, RosterLine, Township, Village, VillageGroup, VoucherImage,
)
from disclosure.services import ServiceError, feedback, intake, notices, users
from tests.conftest import PASSWORD, database_url, login_as, make_app
from tests.helpers.admin_world import LedgerIn, PersonIn, build_world, jpeg_bytes
from tests.helpers.import_page import pending
from tests.helpers.feedback_data import publish

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
TEMPLATE = "{{7*7}}"
FORMULA = '=HYPERLINK("http://evil")'
ALL = SCRIPT + IMG + SVG + TEMPLATE  # 80 characters
RAW = ('<script>alert', "<img src=x", "<svg onload")
ATOM = "{http://www.w3.org/2005/Atom}"


def tagged(label: str) -> str:
    """A payload with a field label, so a hit says which field it came from."""
    return SHORT_FIELDS.get(label, f"{label}{ALL}")


#: Columns of 64 characters take a shorter payload (a longer one is refused in Chinese).
SHORT_FIELDS = {"责任人": "责任人" + SCRIPT + TEMPLATE}


# -- the hostile village ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_app(worker_dir: Path) -> Iterator[Flask]:
    app = make_app(database_url("board_hostile", worker_dir), worker_dir / "hostile-instance")
    with app.app_context():
        db.drop_all()
        db.create_all()
        app.config["HOSTILE"] = _build(app)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _build(app: Flask) -> dict:
    today = dt.date.today()
    month = periods.month_of(today)
    township = Township(code="ht", name="标题镇", phone="0851-1234567")
    village = Village(code="hv", name="红村", township=township, supervision_phone="0851-1234501",
                      opening_balance_fen=100_000_00, opening_date=month.start - dt.timedelta(days=1))
    village.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in (1, 2)]
    db.session.add_all([township, village])
    db.session.flush()
    clerk = users.create_user(username="fb-clerk-hv", display_name="员" + IMG + SVG, password=PASSWORD,
                              role=Role.CLERK, township=township, village=village)
    users.create_user(username="fb-sup-hv", display_name="监委", password=PASSWORD, role=Role.SUPERVISOR,
                      township=township, village=village)
    admin = users.create_user(username="hostile-admin", display_name="镇管理员" + IMG + TEMPLATE, password=PASSWORD,
                              role=Role.TOWNSHIP_ADMIN, township=township, village=None)

    # Finance: title, body, 摘要 (formula first, then markup), handler, note.
    finance = notices.create_draft(village, clerk, category="finance", period=month,
                                   title=tagged("财务标题"), body=tagged("财务正文"))
    rows = [
        LedgerIn(month.start, FORMULA + ALL, "expense", "management_expense", 12_345, "记-01", "张会计", tagged("备注")),
        LedgerIn(month.start, tagged("收入摘要"), "income", "operating_income", 99_900, "记-02"),
    ]
    lines = intake.add_ledger_rows(finance, clerk, rows)
    publish(finance, today, days=10)

    # A correction of it (reason is hostile); the first version is superseded.
    corrected = notices.start_correction(finance, clerk, tagged("更正原因"))
    publish(corrected, today, days=10)

    # Roster: names masked, so the payload sits after the second character.
    roster = notices.create_draft(village, clerk, category="assistance", roster_kind="dibao", period=month,
                                  title=tagged("名单标题"))
    intake.add_roster_rows(roster, clerk, [
        PersonIn("张三" + SCRIPT, 50_000, reason="因病"),
        PersonIn('李四"><svg/onload=alert(1)>', 40_000),
        PersonIn("王五{{7*7}}", 30_000),
    ])
    publish(roster, today, days=10)

    # Assets and their lessee.
    assets = notices.create_draft(village, clerk, category="assets", period=month, title=tagged("资产标题"))
    intake.add_asset_line(assets, clerk, name=tagged("资产名称"), kind=SCRIPT, location=tagged("位置"),
                          size=SVG, lessee=SCRIPT + IMG, annual_income_fen=1_200_000)
    publish(assets, today, days=10)

    # A relief project: every text field and the fund sources.
    project = notices.create_draft(village, clerk, category="project", period=periods.year(today.year),
                                   title=tagged("项目标题"), body=tagged("项目正文"))
    intake.set_project(project, clerk, name=tagged("项目名称"), location=tagged("地点"), content=tagged("内容"),
                       subsidy_standard=tagged("标准"), starts_on=month.start, ends_on=month.end,
                       implementer=tagged("实施单位"), responsible=SHORT_FIELDS["责任人"],
                       performance_goal=tagged("绩效目标"), benefit_mechanism=tagged("联农带农"),
                       procurement=tagged("采购"), result=tagged("结果"))
    intake.add_project_fund(project, clerk, source=FORMULA + SCRIPT, allocated_fen=50_000_000, spent_fen=100)
    intake.add_project_fund(project, clerk, source=IMG + SVG + TEMPLATE, allocated_fen=1_000_000)
    publish(project, today, days=10)

    # A withdrawn notice with a hostile reason.
    withdrawn = notices.create_draft(village, clerk, category="major", period=month, title=tagged("撤回标题"),
                                     body=tagged("撤回正文"))
    publish(withdrawn, today, days=10)
    notices.withdraw(withdrawn, clerk, tagged("撤回原因"))

    # A villager's question and a staff answer: through the service (which
    # strips tags) and, behind that, stored raw, as an older row or another
    # writer might have left it: the templates must escape it anyway.
    asked = feedback.ask(corrected, channel="phone", text=tagged("问题"), contact="x", today=today)
    feedback.answer(asked, clerk, tagged("答复"))
    raw = feedback.ask(assets, channel="phone", text="占位", contact="y", today=today)
    db.session.flush()
    raw.text, raw.answer = tagged("原始问题"), tagged("原始答复")
    raw.answered_at, raw.answered_by_id = dt.datetime.now(), clerk.id
    db.session.flush()
    return {
        "village": village.code, "clerk": clerk.id, "admin": admin.id,
        "asked_text": asked.text, "asked_answer": asked.answer, "finance": finance.id, "corrected": corrected.id,
        "roster": roster.id, "assets": assets.id, "project": project.id, "withdrawn": withdrawn.id,
        "line": lines[0].id, "month_key": periods.period_key(month), "question": asked.id, "raw_question": raw.id,
        "verify_old": finance.verify_code, "verify_new": corrected.verify_code,
        "verify_withdrawn": withdrawn.verify_code,
    }


# -- fetching ---------------------------------------------------------------------------


def pdf_text(body: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()


def _links(path: str, text: str) -> list[str]:
    found = re.findall(r'(?:href|src|action)="([^"#]+)"', text)
    out = []
    for href in found:
        target = urlparse(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
        if target.netloc in ("", "localhost") and not target.path.startswith(("/static/", "/sw.js")):
            out.append(target.path + (f"?{target.query}" if target.query else ""))
    return out


def _is_markup(response) -> bool:  # noqa: ANN001
    return response.mimetype in ("text/html", "application/atom+xml", "application/xml", "text/xml")


def _crawl(client, start: list[str], prefix: tuple[str, ...], limit: int = 400) -> dict[str, object]:  # noqa: ANN001
    """path → response, for every page reachable from ``start`` under ``prefix``."""
    queue, seen = list(start), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or not path.startswith(prefix) or "logout" in path or "typed=" in path:  # keypad echo
            continue
        if "/search?" in path and path.count("=") > 1:  # one facet at a time: the combinations are the same page
            continue
        response = client.get(path)
        seen[path] = response
        if response.status_code == 200 and _is_markup(response):
            queue.extend(_links(path, response.get_data(as_text=True)))
    return seen


def _assert_no_raw_markup(pages: dict[str, object]) -> int:
    checked = 0
    for path, response in pages.items():
        if not _is_markup(response):
            assert response.mimetype != "text/html" and response.headers.get("X-Content-Type-Options") == "nosniff"
            continue
        body = response.get_data(as_text=True)
        for raw in RAW:
            assert raw not in body, f"{path} carries raw {raw!r}"
        checked += 1
    return checked


def _escaped(text: str) -> str:
    return str(escape(text))


@pytest.fixture(scope="module")
def public_pages(hostile_app: Flask) -> dict[str, object]:
    h = hostile_app.config["HOSTILE"]
    client = hostile_app.test_client()
    start = [
        f"/kiosk/{h['village']}/home", f"/m/{h['village']}", f"/kiosk/{h['village']}/projects",
        f"/m/{h['village']}/projects", f"/kiosk/{h['village']}/finance/{h['month_key']}",
        f"/m/{h['village']}/finance/{h['month_key']}", f"/kiosk/line/{h['line']}", f"/m/line/{h['line']}",
        f"/v/{h['verify_old']}", f"/v/{h['verify_new']}", f"/v/{h['verify_withdrawn']}",
        f"/feed/{h['village']}.atom", f"/api/villages/{h['village']}/notices", "/api/villages",
        f"/api/villages/{h['village']}/finance",
    ]
    for key in ("finance", "corrected", "roster", "assets", "project", "withdrawn"):
        start += [f"/kiosk/notice/{h[key]}", f"/m/notice/{h[key]}", f"/api/notices/{h[key]}"]
    return _crawl(client, start, ("/kiosk", "/m/", "/v/", "/feed", "/api", "/p/", "/card"))


def test_public_pages_never_carry_raw_markup(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    ok = {p: r for p, r in public_pages.items() if r.status_code == 200}
    assert len(public_pages) < 400  # the walk ended by itself, not at its limit
    assert _assert_no_raw_markup(ok) > 60, sorted(ok)
    for face in ("/kiosk/notice/", "/m/notice/", "/m/line/", "/kiosk/line/", "/m/hv/c/", "/kiosk/hv/c/", "/v/", "/p/"):
        assert any(p.startswith(face) for p in ok), face


@pytest.mark.parametrize(("key", "faces", "labels"), [
    ("corrected", ("/kiosk/notice/", "/m/notice/"), ("财务标题", "财务正文", "更正原因")),
    ("roster", ("/kiosk/notice/", "/m/notice/"), ("名单标题",)),
    ("assets", ("/kiosk/notice/", "/m/notice/"), ("资产标题", "资产名称", "位置", "原始问题", "原始答复")),
    ("project", ("/kiosk/notice/", "/m/notice/"), ("项目标题", "项目正文", "项目名称", "地点", "内容", "实施单位",
                                                    "责任人")),
    ("withdrawn", ("/kiosk/notice/", "/m/notice/"), ("撤回标题", "撤回原因")),
])
def test_each_field_is_rendered_escaped(hostile_app: Flask, public_pages, key: str, faces, labels) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    for face in faces:
        response = public_pages[f"{face}{h[key]}"]
        assert response.status_code == 200, face
        body = response.get_data(as_text=True)
        missing = [label for label in labels if _escaped(tagged(label)) not in body]
        assert not missing, f"{face}{h[key]}: fields not rendered as escaped text: {missing}"


def test_question_and_answer_are_plain_escaped_text(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    """The service strips tags from a villager's text and a staff answer; what
    is left (quotes, braces) is shown escaped and not evaluated."""
    h = hostile_app.config["HOSTILE"]
    assert "<" not in h["asked_text"] and "{{7*7}}" in h["asked_text"] and "{{7*7}}" in h["asked_answer"]
    for face in ("/kiosk/notice/", "/m/notice/"):
        body = public_pages[f"{face}{h['corrected']}"].get_data(as_text=True)
        assert _escaped(h["asked_text"]) in body and _escaped(h["asked_answer"]) in body, face


def test_roster_names_and_sources_are_escaped_text(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    for face in ("/kiosk/notice/", "/m/notice/"):
        roster = public_pages[f"{face}{h['roster']}"].get_data(as_text=True)
        assert _escaped("张*" + SCRIPT) in roster and _escaped('李*"><svg/onload=alert(1)>') in roster
        assert "王*{{7*7}}" in roster and "王*49" not in roster
        project = public_pages[f"{face}{h['project']}"].get_data(as_text=True)
        assert _escaped(FORMULA + SCRIPT) in project and _escaped(IMG + SVG + TEMPLATE) in project


def test_finance_pages_show_the_summary_as_text(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    for path in (f"/kiosk/{h['village']}/finance/{h['month_key']}", f"/m/{h['village']}/finance/{h['month_key']}",
                 f"/kiosk/line/{h['line']}", f"/m/line/{h['line']}"):
        response = public_pages[path]
        assert response.status_code == 200, path
        assert _escaped(FORMULA + ALL) in response.get_data(as_text=True), path


def test_verify_pages_escape_titles_and_reasons(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    old = public_pages[f"/v/{h['verify_old']}"].get_data(as_text=True)
    assert _escaped(tagged("财务标题")) in old
    withdrawn = public_pages[f"/v/{h['verify_withdrawn']}"].get_data(as_text=True)
    assert _escaped(tagged("撤回标题")) in withdrawn


def test_atom_feed_gives_the_payload_back_as_text(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    response = public_pages[f"/feed/{h['village']}.atom"]
    assert response.status_code == 200
    root = ET.fromstring(response.get_data())  # well-formed XML despite the payloads
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(t and tagged("财务标题") in t for t in titles), titles
    assert any(t and tagged("项目标题") in t for t in titles), titles
    for element in root.iter():  # no payload became an element of its own
        assert element.tag.startswith(ATOM), element.tag


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_api_json_carries_the_payload_as_plain_strings(hostile_app: Flask, public_pages) -> None:  # noqa: ANN001
    h = hostile_app.config["HOSTILE"]
    expect = {"corrected": [tagged("财务标题"), FORMULA + ALL], "roster": ["张*" + SCRIPT, tagged("名单标题")],
              "assets": [tagged("资产名称")], "project": [tagged("项目名称"), FORMULA + SCRIPT]}
    for key, wanted in expect.items():
        response = public_pages[f"/api/notices/{h[key]}"]
        assert response.status_code == 200 and response.mimetype == "application/json"
        values = set(_strings(json.loads(response.get_data())))
        missing = [w for w in wanted if w not in values]
        assert not missing, (key, missing)


def _cells_csv(body: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]


def _cells_xlsx(body: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(body))
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas_and_keep_markup_as_text(hostile_app: Flask, fmt: str) -> None:
    h = hostile_app.config["HOSTILE"]
    client = hostile_app.test_client()
    read = _cells_csv if fmt == "csv" else _cells_xlsx
    for key, expected in (("corrected", FORMULA + ALL), ("project", FORMULA + SCRIPT)):
        response = client.get(f"/api/notices/{h[key]}.{fmt}")
        assert response.status_code == 200
        cells = read(response.get_data())
        assert "'" + expected in cells, (key, [c for c in cells if "HYPERLINK" in c])
        assert not any(c.startswith(("=", "+", "@")) for c in cells), [c for c in cells if c[:1] in "=+@"]
        if fmt == "xlsx":
            wb = load_workbook(io.BytesIO(response.get_data()))
            assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("key", ["corrected", "roster", "assets", "project"])
def test_public_pdf_prints_the_payload_literally(hostile_app: Flask, key: str) -> None:
    h = hostile_app.config["HOSTILE"]
    response = hostile_app.test_client().get(f"/p/{h[key]}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = re.sub(r"\s+", "", pdf_text(response.get_data()))
    label = {"corrected": "财务标题", "roster": "名单标题", "assets": "资产标题", "project": "项目标题"}[key]
    assert re.sub(r"\s+", "", tagged(label)) in text, text[:400]


def test_admin_pages_escape_every_payload(hostile_app: Flask) -> None:
    h = hostile_app.config["HOSTILE"]
    client = login_as(hostile_app.test_client(), h["admin"])
    start = [f"/admin/notices/{h[k]}" for k in ("finance", "corrected", "roster", "assets", "project", "withdrawn")]
    start += ["/admin/audit", "/admin/notices", f"/admin/questions/{h['question']}",
              f"/admin/questions/{h['raw_question']}", "/admin/questions"]
    pages = {p: r for p, r in _crawl(client, start, ("/admin/notices", "/admin/audit", "/admin/questions"),
                                      limit=120).items() if r.status_code == 200}
    assert _assert_no_raw_markup(pages) > 10
    detail = pages[f"/admin/notices/{h['project']}"].get_data(as_text=True)
    for label in ("项目标题", "项目名称", "实施单位"):
        assert _escaped(tagged(label)) in detail, label
    assert _escaped(tagged("财务标题")) in pages[f"/admin/notices/{h['corrected']}"].get_data(as_text=True)
    audit = pages["/admin/audit"].get_data(as_text=True)
    assert "&lt;script&gt;" in audit or "&lt;img" in audit  # the audit log shows hostile titles, escaped
    assert _escaped(tagged("原始问题")) in pages[f"/admin/questions/{h['raw_question']}"].get_data(as_text=True)
    export = client.get(f"/admin/notices/{h['corrected']}/export.xlsx")
    assert export.status_code == 200
    cells = _cells_xlsx(export.get_data())
    assert "'" + FORMULA + ALL in cells and not any(c.startswith(("=", "+", "@")) for c in cells)


# -- hostile uploads --------------------------------------------------------------------


def _counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Notice, LedgerLine, RosterLine, VoucherImage, AuditEntry))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _good_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["日期", "凭证号", "摘要", "收入", "支出"])
    ws.append(["2025-07-02", "记1", "电费", None, "12.30"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    """An .xlsx-shaped zip whose sheet inflates 300 MB from ~300 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return out.getvalue()


def _ole() -> bytes:
    """The start of an OLE2 compound file: what Excel writes for an encrypted
    workbook (and for a legacy .xls)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


HOSTILE_FILES = {
    "truncated.xlsx": (lambda: _good_xlsx()[:700], "这不是 Excel 表格文件"),
    "random.xlsx": (lambda: bytes(range(256)) * 8, "这不是 Excel 表格文件"),
    "random.csv": (lambda: bytes(range(256)) * 8, "文字编码无法识别"),
    "empty.xlsx": (lambda: b"", "EMPTY"),
    "empty.csv": (lambda: b"", "EMPTY"),
    "bomb.xlsx": (_bomb, "解压后过大"),
    "encrypted.xlsx": (_ole, "已加密"),
}


@pytest.fixture
def uploader(app: Flask, client, place):  # noqa: ANN001, ANN201
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    return world


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_spreadsheets_are_refused_in_chinese(app: Flask, client, uploader, name: str) -> None:  # noqa: ANN001
    make, message = HOSTILE_FILES[name]
    data = make()
    before = _counts(app)
    r = client.post("/admin/import", data={"what": "ledger", "kind": "", "notice_id": "",
                                           "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code in (200, 422), r.status_code
    assert "确认导入" not in body, name  # never offered for import
    if message == "EMPTY":  # an empty file is either refused by the form or read as a sheet without a header
        assert "请选择" in body or "这不是 Excel 表格文件" in body or "没有找到收支明细表的表头" in body, body[-2000:]
    else:
        assert message in body, body[-2000:]
    assert "Traceback" not in body and "Error" not in re.sub(r"<[^>]+>", "", body)
    assert _counts(app) == before and pending(app) == []


def test_oversized_upload_gets_the_chinese_413_page(app: Flask, client, uploader) -> None:  # noqa: ANN001
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = _counts(app)
    r = client.post("/admin/import", data={"what": "ledger", "file": (io.BytesIO(b"a" * (limit + 1)), "big.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 413
    body = r.get_data(as_text=True)
    assert "文件太大" in body and f"{limit // (1024 * 1024)}MB" in body
    assert _counts(app) == before and pending(app) == []
    voucher = client.post(f"/admin/notices/{uploader['finance']}/ledger/{uploader['ledger_line']}/vouchers",
                          data={"file": (io.BytesIO(b"\xff" * (limit + 1)), "big.jpg")},
                          content_type="multipart/form-data")
    assert voucher.status_code == 413 and "文件太大" in voucher.get_data(as_text=True)
    assert _counts(app) == before


def _png(width: int, height: int) -> bytes:
    """A valid PNG header of any size with a tiny (truncated) image body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (30_000, 30_000), (65_000, 65_000)])
def test_pixel_bomb_voucher_is_refused(app: Flask, client, uploader, width: int, height: int) -> None:  # noqa: ANN001
    data = _png(width, height)
    assert len(data) < 2000
    with pytest.raises(ServiceError) as err:
        vouchers.process_image(data)
    assert re.search(r"[\u4e00-\u9fff]", str(err.value))
    before = _counts(app)
    r = client.post(f"/admin/notices/{uploader['finance']}/ledger/{uploader['ledger_line']}/vouchers",
                    data={"file": (io.BytesIO(data), "bomb.png")}, content_type="multipart/form-data",
                    follow_redirects=True)
    assert r.status_code in (200, 422)
    body = r.get_data(as_text=True)
    assert "像素过大" in body or "无法识别" in body or "已损坏" in body, body[-1500:]
    assert _counts(app) == before


def test_a_small_real_photo_still_goes_in(app: Flask, client, uploader) -> None:  # noqa: ANN001
    before = _counts(app)
    r = client.post(f"/admin/notices/{uploader['finance']}/ledger/{uploader['ledger_line']}/vouchers",
                    data={"file": (io.BytesIO(jpeg_bytes()), "ok.jpg")}, content_type="multipart/form-data")
    assert r.status_code in (302, 303)
    assert _counts(app)[3] == before[3] + 1  # the refusals above are not a route that refuses everything


# -- properties -------------------------------------------------------------------------

KEY = b"hostile-test-key"


@given(st.integers(min_value=-money.MAX_FEN, max_value=money.MAX_FEN), st.booleans())
def test_money_round_trip_any_fen(fen: int, sign: bool) -> None:
    assert money.parse_amount(money.format_yuan(fen, sign=sign), allow_negative=True) == fen
    assert money.fen_from_yuan(money.yuan(fen)) == fen
    assert money.parse_amount(money.format_yuan(fen).replace("-", "−") + "元", allow_negative=True) == fen


junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.,-+()¥￥元 eE%$１２３．，", max_size=25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**30, max_value=10**30),
    st.booleans(), st.none(), st.dates(), st.binary(max_size=10),
)


@settings(max_examples=500)
@given(junk, st.booleans(), st.booleans())
def test_money_junk_raises_only_money_error(value: object, negative: bool, zero: bool) -> None:
    try:
        fen = money.parse_amount(value, allow_negative=negative, allow_zero=zero)
    except money.MoneyError as err:
        assert re.search(r"[\u4e00-\u9fff]", str(err))
        return
    assert isinstance(fen, int) and not isinstance(fen, bool) and abs(fen) <= money.MAX_FEN
    assert negative or fen >= 0
    assert zero or fen != 0


cell_values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["张三", "李*四", "电费", "日期", "摘要", "收入", "支出", "姓名", "金额", "身份证号", "组别",
                     "¥1,234.50", "一组", "=SUM(A1)", "2025年7月2日", "合计", "522401196503040011"]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)
HEADERS = st.sampled_from([
    [], ["日期", "凭证号", "摘要", "收入", "支出"], ["序号", "姓名", "身份证号", "组别", "金额"],
    ["日期", "摘要", "金额", "收支"], ["姓名", "人数", "补贴标准", "面积", "金额", "发放日期"],
])
grids = st.tuples(HEADERS, st.lists(st.lists(cell_values, min_size=0, max_size=7), min_size=0, max_size=12))


def _as_xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _as_csv(rows: list[list[object]], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else str(v) for v in row] for row in rows])
    return out.getvalue().encode(encoding, "replace")


def _check_result(result) -> None:  # noqa: ANN001
    for p in result.problems:
        assert re.search(r"[\u4e00-\u9fff]", p.message), p
        assert p.row is None or (isinstance(p.row, int) and p.row >= 1), p
        assert p.row is None or p.column or p.code in ("no_rows",) or p.is_warning or p.column == "", p
        assert isinstance(p.column, str)
        if p.row is not None:
            assert p.column, f"row-level problem without a column: {p}"
    for row in result.rows:
        for value in vars(row).values():
            assert not (isinstance(value, str) and privacy.ID_PATTERN.search(value)), row


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(grid=grids, fmt=st.sampled_from(["xlsx", "csv-utf8", "csv-gb18030"]))
def test_parsers_on_random_grids_never_raise(grid, fmt: str) -> None:  # noqa: ANN001
    header, body = grid
    rows = ([header] if header else []) + body
    data = _as_xlsx(rows) if fmt == "xlsx" else _as_csv(rows, "utf-8-sig" if fmt == "csv-utf8" else "gb18030")
    name = "x.xlsx" if fmt == "xlsx" else "x.csv"
    _check_result(parse_ledger(data, name))
    for kind in (None, "dibao", "gengdi"):
        _check_result(parse_roster(data, name, id_key=KEY, kind=kind))


@st.composite
def resident_ids(draw) -> str:  # noqa: ANN001
    region = draw(st.integers(min_value=110000, max_value=659999))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    serial = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + privacy.id_check_digit(first17)


@settings(max_examples=300)
@given(resident_ids(), st.text(alphabet="张王李问题，。 ", max_size=8))
def test_masking_never_gives_the_id_back(id_number: str, around: str) -> None:
    assert privacy.id_problem(id_number) is None  # the strategy makes valid IDs
    masked = privacy.mask_id(id_number)
    assert masked != id_number and len(masked) == 18
    assert id_number[4:14] not in masked  # region tail, birth date and serial are gone
    assert not privacy.ID_PATTERN.search(masked)
    scrubbed = privacy.scrub(f"{around}{id_number}{around}")
    assert id_number not in scrubbed and not privacy.ID_PATTERN.search(scrubbed)
    fullwidth = id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert id_number not in privacy.scrub(fullwidth) and fullwidth not in privacy.scrub(fullwidth)
    fingerprint = privacy.id_fingerprint(id_number, KEY)
    assert id_number not in fingerprint and id_number[6:14] not in fingerprint
