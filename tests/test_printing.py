"""Printed notices: the print HTML, the PDF (real text, embedded SC fonts,
page size and orientation), the QR code decoded from the rendered page, drafts
and the public route's refusal, 明白卡 and sticker sheets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import PIL.Image
import pytest
import zxingcpp
from flask import Flask
from sqlalchemy import select

from disclosure import printing
from disclosure.money import format_yuan
from disclosure.public import documents
from disclosure.public.tables import Column, Table
from disclosure.extensions import db
from disclosure.models import Notice, RosterLine, Status, Village
from tests.conftest import login_as
from tests.test_verify import publish_finance

BASE = "http://localhost/"


# Helpers ---------------------------------------------------------------------

def first(app: Flask, *where) -> Notice:  # noqa: ANN002
    with app.app_context():
        notice = db.session.execute(select(Notice).where(*where).order_by(Notice.id)).scalars().first()
        assert notice is not None
        return notice.id


def save(tmp_path: Path, data: bytes, name: str = "n.pdf") -> Path:
    assert data[:5] == b"%PDF-"
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def page_size(path: Path) -> tuple[float, float]:
    w, h = re.match(r"([\d.]+) x ([\d.]+)", pdfinfo(path)["Page size"]).groups()
    return float(w), float(h)


def fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def qr_texts(path: Path, tmp_path: Path, page: int = 1, dpi: int = 150) -> list[str]:
    prefix = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), str(path), str(prefix)],
                   check=True)
    png = next(tmp_path.glob(f"page{page}-*.png"))
    return [r.text for r in zxingcpp.read_barcodes(PIL.Image.open(png))]


# Pure layout decisions ---------------------------------------------------------

def _table(columns: int, cell: str = "12") -> Table:
    cols = tuple(Column(f"列{i}") for i in range(columns))
    return Table("t", cols, ((cell,) * columns,))


@pytest.mark.parametrize(("table", "size", "expected"), [
    (_table(6), "a4", "portrait"),
    (_table(7), "a4", "portrait"),
    (_table(8), "a4", "landscape"),  # too many columns
    (_table(4, "八个字的不换行的"), "a4", "portrait"),  # 4 × 9 em fits a 48 em line
    (_table(4, "十二个字的内容不能换行的"), "a4", "landscape"),  # 4 × 13 em does not
    (_table(4, "十二个字的内容不能换行的"), "a3", "portrait"),  # A3 has room
])
def test_orientation_follows_table_width(table: Table, size: str, expected: str) -> None:
    assert printing.orientation_for([table], size) == expected


def test_wrapping_columns_count_capped() -> None:
    long = "摘要" * 40
    wrap = Table("t", (Column("摘要", wrap=True), Column("金额")), ((long, "1.00"),))
    assert printing.orientation_for([wrap]) == "portrait"
    assert printing.text_width_em("张*明") == pytest.approx(2.55)


# Print HTML ----------------------------------------------------------------------

def test_finance_html_totals_equal_sums_and_tell_everything(demo_client, demo_app: Flask) -> None:
    notice_id = first(demo_app, Notice.category == "finance", Notice.status == Status.PUBLISHED)
    with demo_app.test_request_context("/"):
        notice = db.session.get(Notice, notice_id)
        doc = documents.notice_document(notice, base_url=BASE)
        income = sum(l.amount_fen for l in notice.ledger_lines if l.direction == "income")
        expense = sum(l.amount_fen for l in notice.ledger_lines if l.direction == "expense")
        table = doc.tables[0]
        assert table.totals[-2:] == (format_yuan(income), format_yuan(expense))
        assert len(table.rows) == len(notice.ledger_lines)
        assert doc.figures[1].value == f"{format_yuan(income)}元"
        assert doc.figures[2].value == f"{format_yuan(expense)}元"
        opening = int(doc.figures[0].value.replace(",", "").replace(".", "").removesuffix("元"))
        closing = int(doc.figures[3].value.replace(",", "").replace(".", "").removesuffix("元"))
        assert closing == opening + income - expense
        assert len(doc.charts) == 2 and all(svg.startswith("<svg") for svg in doc.charts)
        assert doc.verify_url == f"{BASE}v/{notice.verify_code}"
        title, code = notice.title, notice.verify_code
    html = demo_client.get(f"/admin/print/notice/{notice_id}")  # staff only: not logged in
    assert html.status_code == 302
    with demo_app.test_request_context("/"):
        page = printing.notice_html(doc)
    assert '<html lang="zh-CN">' in page
    assert f"<h1>{title}</h1>" in page
    assert "公示期：" in page and "盖章处" in page and "村务监督委员会" in page and "青山镇人民政府" in page
    assert "<thead>" in page and code in page
    assert "<style" not in page and " style=" not in page and "<script" not in page


def test_project_notice_prints_every_required_field(demo_app: Flask) -> None:
    notice_id = first(demo_app, Notice.category == "project", Notice.status == Status.PUBLISHED)
    with demo_app.test_request_context("/"):
        doc = documents.notice_document(db.session.get(Notice, notice_id), base_url=BASE)
    labels = [f.label for f in doc.project_fields]
    for required in ("项目名称", "实施地点", "建设内容", "补助标准", "资金来源及规模", "实施期限", "实施单位及责任人",
                     "绩效目标", "带贫减贫/利益联结机制", "招标与采购情况", "实施结果"):
        assert required in labels
    assert doc.tables[0].caption == "资金来源及规模"
    assert any(c.label == "全国扶贫监督举报电话" and c.value == "12317" for c in doc.channels)


# Public PDFs -----------------------------------------------------------------------

def test_finance_pdf_text_fonts_pages_and_qr(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    notice_id = first(demo_app, Notice.category == "finance", Notice.status == Status.PUBLISHED)
    with demo_app.app_context():
        notice = db.session.get(Notice, notice_id)
        title, code = notice.title, notice.verify_code
    response = demo_client.get(f"/p/{notice_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = save(tmp_path, response.data)
    info = pdfinfo(path)
    pages = int(info["Pages"])
    assert pages >= 2  # a quarter's ledger does not fit one page
    w, h = page_size(path)
    assert (round(w), round(h)) == (595, 842)  # A4 portrait
    first_page = pdftext(path, "-f", "1", "-l", "1")
    assert title in first_page
    assert f"第1页共{pages}页" in first_page.replace(" ", "")
    last_page = pdftext(path, "-f", str(pages), "-l", str(pages))
    assert f"第{pages}页共{pages}页" in last_page.replace(" ", "")
    assert "公示期：" in pdftext(path) and "合计" in pdftext(path)
    rows = fonts(path)
    assert rows and all(r[-5] == "yes" for r in rows), rows  # emb column
    names = " ".join(r[0] for r in rows)
    assert "CJK-SC" in names and "JP" not in names
    assert qr_texts(path, tmp_path) == [f"{BASE}v/{code}"]
    # The table header repeats on the next page.
    assert "摘要" in pdftext(path, "-f", "2", "-l", "2")


def test_roster_pdf_shows_masked_names_only(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    notice_id = first(demo_app, Notice.roster_kind == "dibao", Notice.status == Status.PUBLISHED)
    with demo_app.app_context():
        lines = db.session.execute(select(RosterLine).where(RosterLine.notice_id == notice_id)
                                   .order_by(RosterLine.seq)).scalars().all()
        masked = [(l.public_name, l.name, l.id_masked, l.account_masked, l.phone_masked) for l in lines]
    path = save(tmp_path, demo_client.get(f"/p/{notice_id}.pdf").data)
    text = pdftext(path)
    three_char = next(m for m in masked if len(m[1]) == 3)
    assert re.search(rf"(^|\s){re.escape(three_char[0])}(\s|$)", text, re.M)  # 张*明 extracts exactly
    for public_name, name, id_masked, account, phone in masked:
        assert public_name in text
        assert name not in text
        for secret in (id_masked, account, phone):
            assert not secret or secret not in text
    assert not re.search(r"\d{15,}", text)  # no ID-card or account number
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)  # no mobile number


def test_wide_asset_table_prints_landscape_and_a3(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    notice_id = first(demo_app, Notice.category == "assets", Notice.status == Status.PUBLISHED)
    path = save(tmp_path, demo_client.get(f"/p/{notice_id}.pdf").data)
    w, h = page_size(path)
    assert w > h  # 8 columns: landscape rather than cut
    assert "光伏电站" in pdftext(path) and "60,000.00" in pdftext(path)
    a3 = save(tmp_path, demo_client.get(f"/p/{notice_id}.pdf?size=a3").data, "a3.pdf")
    assert sorted(round(x) for x in page_size(a3)) == [842, 1191]
    assert demo_client.get(f"/p/{notice_id}.pdf?size=b5").status_code == 404


def test_superseded_and_withdrawn_print_their_banner(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    old_id = first(demo_app, Notice.status == Status.SUPERSEDED)
    withdrawn_id = first(demo_app, Notice.status == Status.WITHDRAWN)
    with demo_app.app_context():
        reason = db.session.execute(select(Notice.correction_reason).where(Notice.supersedes_id == old_id)).scalar_one()
        withdrawal = db.session.get(Notice, withdrawn_id).withdrawal_reason
    old = pdftext(save(tmp_path, demo_client.get(f"/p/{old_id}.pdf").data, "old.pdf"))
    assert "本版本已被更正" in old and "第2版更正" in old
    assert reason[:12] in old.replace("\n", "").replace(" ", "")
    gone = pdftext(save(tmp_path, demo_client.get(f"/p/{withdrawn_id}.pdf").data, "w.pdf"))
    assert "已撤回" in gone and withdrawal[:10] in gone.replace("\n", "").replace(" ", "")


def test_unpublished_notice_is_not_public(demo_client, demo_app: Flask) -> None:
    for status in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED):
        notice_id = first(demo_app, Notice.status == status)
        assert demo_client.get(f"/p/{notice_id}.pdf").status_code == 404
    assert demo_client.get("/p/999999.pdf").status_code == 404


# Drafts on the staff side -------------------------------------------------------------

def test_draft_prints_for_staff_with_watermark_and_no_qr(app: Flask, make_user, place, tmp_path: Path) -> None:
    from disclosure import periods
    from disclosure.models import Role, User
    from disclosure.services import notices

    clerk = make_user(Role.CLERK, "v1")
    outsider = make_user(Role.CLERK, "v2")
    with app.app_context():
        notice = notices.create_draft(db.session.get(Village, place["v1"]), db.session.get(User, clerk),
                                      category="major", title="一村关于修建村民活动广场的公示",
                                      period=periods.month(2025, 10), body="拟修建村民活动广场一处。")
        db.session.commit()
        notice_id = notice.id
    client = app.test_client()
    assert client.get(f"/p/{notice_id}.pdf").status_code == 404  # never as a public notice
    assert client.get(f"/admin/print/notice/{notice_id}.pdf").status_code == 302  # login first
    login_as(client, outsider)
    assert client.get(f"/admin/print/notice/{notice_id}.pdf").status_code == 404  # another village's clerk
    login_as(client, clerk)
    response = client.get(f"/admin/print/notice/{notice_id}.pdf")
    assert response.status_code == 200
    path = save(tmp_path, response.data)
    text = pdftext(path)
    assert "一村关于修建村民活动广场的公示" in text
    assert "草稿" in text and "不得张贴" in text
    assert qr_texts(path, tmp_path) == []  # a draft has no verification code to carry
    preview = client.get(f"/admin/print/notice/{notice_id}").get_data(as_text=True)
    assert 'class="watermark' in preview and "草稿" in preview


def test_published_notice_admin_print_carries_public_base_url(app: Flask, make_user, place, tmp_path: Path) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://cunwu.example.gov.cn"
    notice_id, code = publish_finance(app, make_user, place)
    client = login_as(app.test_client(), make_user("clerk", "v1"))
    path = save(tmp_path, client.get(f"/admin/print/notice/{notice_id}.pdf").data)
    assert qr_texts(path, tmp_path) == [f"https://cunwu.example.gov.cn/v/{code}"]


# 明白卡 and stickers -----------------------------------------------------------------

def test_card_pdf_is_one_a5_page_with_phones(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        phones = (village.supervision_phone, village.township.phone)
    path = save(tmp_path, demo_client.get("/card/dongfeng/dibao.pdf").data)
    assert pdfinfo(path)["Pages"] == "1"
    assert sorted(round(x) for x in page_size(path)) == [420, 595]  # A5
    text = pdftext(path).replace(" ", "")
    for needle in ("城乡低保", "谁能享受", "补助多少", "怎么申请", "有问题找谁", "12317", *phones):
        assert needle in text
    assert qr_texts(path, tmp_path) == [f"{BASE}card/dongfeng/dibao"]
    page = demo_client.get("/card/dongfeng/dibao")
    assert page.status_code == 200 and "城乡低保" in page.get_data(as_text=True)
    assert "/card/dongfeng/dibao.pdf" in page.get_data(as_text=True)
    assert demo_client.get("/card/dongfeng/nothing.pdf").status_code == 404
    assert demo_client.get("/card/nowhere/dibao").status_code == 404


def test_sticker_sheet_and_batch_page_need_login(demo_client, demo_app: Flask, tmp_path: Path) -> None:
    with demo_app.app_context():
        from disclosure.models import User

        admin_id = db.session.execute(select(User.id).where(User.username == "admin")).scalar_one()
        village_id = db.session.execute(select(Village.id).where(Village.code == "hongqi")).scalar_one()
    assert demo_client.get(f"/admin/print/stickers/{village_id}.pdf").status_code == 302
    client = login_as(demo_client, admin_id)
    path = save(tmp_path, client.get(f"/admin/print/stickers/{village_id}.pdf").data)
    assert pdfinfo(path)["Pages"] == "1"
    assert "红旗村" in pdftext(path)
    found = set(qr_texts(path, tmp_path, dpi=150))
    assert found == {f"{BASE}kiosk/hongqi", f"{BASE}m/hongqi"}
    index = client.get("/admin/print/").get_data(as_text=True)
    assert "批量打印" in index and f"/admin/print/stickers/{village_id}.pdf" in index
    assert "<script>" not in index and " style=" not in index


# Reused fonts and stylesheets --------------------------------------------------------

def test_reused_fonts_and_stylesheets_print_what_a_fresh_weasyprint_prints(demo_app: Flask, tmp_path: Path) -> None:
    """render_pdf(reuse=True) parses the print stylesheets and loads the fonts
    once per process; each paper (A3, then A4, then a 明白卡, each twice) is the PDF a
    fresh WeasyPrint makes of the same HTML, reading its own links."""
    from weasyprint import HTML

    from disclosure.public.documents import card

    with demo_app.test_request_context("/", base_url=BASE):
        notice = db.session.execute(select(Notice).where(Notice.category == "finance", Notice.status ==
                                                         Status.PUBLISHED).order_by(Notice.id)).scalars().first()
        doc = documents.notice_document(notice, base_url=BASE)
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        from flask import render_template

        papers = {"a3": printing.notice_html(doc, "a3"), "a4": printing.notice_html(doc, "a4"),
                  "card": render_template("print/card.html", card=card(village, "dibao", page_url=f"{BASE}card"))}
    for name, html in papers.items():
        document, sheets = printing._split_stylesheets(html)
        assert sheets and "<link" not in document, name  # the reuse really happens
        assert printing._split_stylesheets(html)[1] == sheets  # the same parsed objects again
        fresh = save(tmp_path, HTML(string=html, base_url=BASE, url_fetcher=printing._fetcher()).write_pdf(),
                     f"{name}-fresh.pdf")
        for attempt in (1, 2):
            reused = save(tmp_path, printing.render_pdf(html, BASE, reuse=True), f"{name}-{attempt}.pdf")
            assert pdftext(reused) == pdftext(fresh), name
            assert pdfinfo(reused)["Pages"] == pdfinfo(fresh)["Pages"] and fonts(reused) == fonts(fresh)
            assert reused.read_bytes() == fresh.read_bytes(), name
    with printing._reuse_lock:  # another thread is rendering with the kept ones: this one renders fresh
        assert printing.render_pdf(papers["card"], BASE, reuse=True) == (tmp_path / "card-fresh.pdf").read_bytes()


def test_a_document_with_its_own_style_element_keeps_its_links() -> None:
    html = ('<html lang="zh-CN"><head><link rel="stylesheet" href="/static/print/print.css">'
            '<style>h1 { color: red }</style></head><body><h1>标题</h1></body></html>')
    assert printing._split_stylesheets(html) == (html, [])
    outside = '<html><head><link rel="stylesheet" href="/static/../disclosure/x.css"></head></html>'
    assert printing._split_stylesheets(outside) == (outside, [])
