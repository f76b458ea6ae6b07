"""The villager's faces without a browser: the one error edge (a Chinese page
per face, JSON for /api), the receipt photo and 打印版 as kiosk pages, China
time in the filters, the projects tile, the favicon, 12317's one name, the
明白卡's local amounts and the closing block of a printed notice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from disclosure import filters, printing, public
from disclosure.public import documents
from disclosure.extensions import db
from disclosure.models import Notice, Village, VoucherImage
from tests.conftest import login_as, make_app


def _demo_ids(demo_app: Flask) -> dict:
    with demo_app.app_context():
        voucher = db.session.execute(select(VoucherImage).where(VoucherImage.is_public)).scalars().first()
        finance = db.session.execute(select(Notice.id).where(Notice.category == "finance")
                                     .order_by(Notice.id.desc())).scalars().first()
        found = {"voucher": voucher.id, "line": voucher.line_id, "finance": finance}
        db.session.remove()
        return found


# The error edge -------------------------------------------------------------------

@pytest.mark.parametrize(("path", "face"), [("/kiosk/notice/999999", "kiosk"), ("/kiosk/no/such/page", "kiosk"),
                                            ("/m/notice/999999", "mobile"), ("/card/dongfeng/nokind", "mobile"),
                                            ("/nothing-here", "mobile")])
def test_404_is_a_chinese_page_in_the_faces_own_style(demo_client, path: str, face: str) -> None:
    page = demo_client.get(path)
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert '<html lang="zh-CN"' in body and "没有找到这一页" in body and "Not Found" not in body
    assert "首页" in body
    if face == "kiosk":
        assert "kiosk/kiosk.css" in body and "data-idle-seconds" in body and "返回" in body
        assert "phone-qr" not in body  # no QR code to a page that does not exist
    else:
        assert "common/mobile.css" in body and "data-idle-seconds" not in body


def test_api_errors_stay_json(demo_client) -> None:
    assert demo_client.get("/api/notices/999999").is_json  # the API's own refusal
    page = demo_client.get("/api/no/such/thing")
    assert page.status_code == 404 and page.is_json and page.json["error"] == "not_found"


def test_405_and_500_are_chinese_pages(tmp_path: Path, demo_app: Flask) -> None:
    app = make_app(demo_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "i", PROPAGATE_EXCEPTIONS=False)

    def boom():  # noqa: ANN202
        raise RuntimeError("a bug")

    app.add_url_rule("/kiosk/boom", "boom", boom)
    app.add_url_rule("/m/boom", "mboom", boom)
    client = app.test_client()
    for path, css in (("/kiosk/boom", "kiosk/kiosk.css"), ("/m/boom", "common/mobile.css")):
        page = client.get(path)
        assert page.status_code == 500
        assert "出了点问题" in page.text and css in page.text and 'lang="zh-CN"' in page.text
        assert "Internal Server Error" not in page.text
    wrong = client.post("/kiosk/dongfeng/home")
    assert wrong.status_code == 405 and 'lang="zh-CN"' in wrong.text and "首页" in wrong.text


def test_staff_errors_come_from_the_same_edge_in_the_staff_layout(app: Flask, client, make_user) -> None:
    login_as(client, make_user("clerk"))
    for path in ("/admin/no/such/page", "/admin/notices/999999"):
        page = client.get(path)
        assert page.status_code == 404 and "找不到页面" in page.text and "返回工作台" in page.text, path
    refused = client.post("/kiosk/dongfeng/home")  # a public 405 stays public
    assert refused.status_code in (404, 405) and "返回工作台" not in refused.text


def test_error_back_link_is_the_page_the_villager_came_from(demo_client) -> None:
    page = demo_client.get("/kiosk/notice/999999", headers={"Referer": "http://localhost/kiosk/dongfeng/home"})
    assert 'class="btn nav back" href="/kiosk/dongfeng/home"' in page.text
    foreign = demo_client.get("/kiosk/notice/999999", headers={"Referer": "http://evil.example/kiosk/x"})
    assert "evil.example" not in foreign.text


# Receipt photo and 打印版 inside kiosk pages -----------------------------------------

def test_receipt_photo_opens_in_a_kiosk_page(demo_app: Flask, demo_client) -> None:
    ids = _demo_ids(demo_app)
    line = demo_client.get(f"/kiosk/line/{ids['line']}").text
    assert f'href="/kiosk/voucher/{ids["voucher"]}"' in line and f'href="/kiosk/voucher/{ids["voucher"]}.jpg"' not in line
    page = demo_client.get(f"/kiosk/voucher/{ids['voucher']}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'src="/kiosk/voucher/{ids["voucher"]}.jpg"' in page.text
    assert "放大" in page.text and "返回" in page.text and "首页" in page.text and "data-idle-seconds" in page.text
    phone = demo_client.get(f"/m/voucher/{ids['voucher']}")
    assert phone.status_code == 200 and "首页" in phone.text
    assert demo_client.get("/kiosk/voucher/999999").status_code == 404


def test_kiosk_print_shows_page_images_and_a_qr_phones_keep_the_pdf(demo_app: Flask, demo_client,
                                                                    tmp_path: Path) -> None:
    import PIL.Image

    notice_id = _demo_ids(demo_app)["finance"]
    kiosk = demo_client.get(f"/kiosk/notice/{notice_id}").text
    assert f'href="/kiosk/notice/{notice_id}/print"' in kiosk and ".pdf" not in kiosk
    phone = demo_client.get(f"/m/notice/{notice_id}").text
    assert f'href="/p/{notice_id}.pdf"' in phone
    page = demo_client.get(f"/kiosk/notice/{notice_id}/print")
    assert page.status_code == 200 and "返回" in page.text and "data-idle-seconds" in page.text
    pdf = demo_client.get(f"/p/{notice_id}.pdf").data
    (tmp_path / "n.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "n.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    images = re.findall(rf'src="(/kiosk/notice/{notice_id}/print/\d+\.png)"', page.text)
    assert len(images) == pages
    first = demo_client.get(images[0])
    assert first.mimetype == "image/png"
    assert PIL.Image.open(io.BytesIO(first.data)).size[0] > 800
    assert demo_client.get(f"/kiosk/notice/{notice_id}/print/{pages + 1}.png").status_code == 404
    assert re.search(r'<div class="print-take">\s*<svg', page.text)  # decoded in the browser walk


# China time -------------------------------------------------------------------------

def test_times_are_shown_in_china_time() -> None:
    late_utc = dt.datetime(2026, 11, 29, 20, 38)  # stored naive UTC
    assert filters.datetime_cn(late_utc) == "2026年11月30日 04:38"
    assert filters.date_cn(late_utc) == "2026年11月30日"
    assert filters.date_cn(dt.date(2026, 11, 29)) == "2026年11月29日"
    assert filters.datetime_cn(None) == "" and filters.date_cn(None) == ""


# Projects tile, 12317, favicon -----------------------------------------------------------

def test_projects_tile_counts_what_the_page_shows_and_plans_stay_reachable(demo_app: Flask, demo_client) -> None:
    home = demo_client.get("/kiosk/dongfeng/home").text
    count = int(re.search(r'tile-project".*?共(\d+)个项目', home, re.S).group(1))
    page = demo_client.get("/kiosk/dongfeng/projects").text
    assert page.count('class="project-card"') == count
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        plans = [n.id for n in public.published_notices(village, "project", current_only=True)
                 if n.project.stage == "planned"]
        db.session.remove()
    assert plans and all(f'href="/kiosk/notice/{nid}"' in page for nid in plans)


def test_12317_has_one_name_everywhere(demo_app: Flask, demo_client) -> None:
    with demo_app.app_context():
        project = db.session.execute(select(Notice.id).where(Notice.category == "project")).scalars().first()
        db.session.remove()
    pages = [demo_client.get(p).text for p in ("/kiosk/dongfeng/home", f"/kiosk/notice/{project}",
                                               f"/m/notice/{project}", "/card/dongfeng/dibao")]
    for text in pages:
        assert "全国扶贫监督举报电话" in text
        assert not re.search(r"(扶贫项目资金监督电话|“三资”及扶贫领域|[^扶贫]监督举报电话)[：:\s]*(<[^>]+>)*12317", text)


def test_favicon_is_served_and_linked_from_every_face(demo_client) -> None:
    icon = demo_client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    for path in ("/kiosk/dongfeng/home", "/m/dongfeng", "/kiosk/notice/999999"):
        assert 'rel="icon" href="/static/common/favicon.ico"' in demo_client.get(path).text


# 明白卡 and the printed notice's closing block ------------------------------------------------

def test_card_states_the_townships_own_amounts(demo_app: Flask, demo_client) -> None:
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        # The true 低保标准, not the per-payment cap (900元) the red flags use.
        assert documents.local_amounts(village, "dibao") == ("青山镇现行农村低保标准：650元/人·月。",)
        assert documents.local_amounts(village, "gengdi") == ("青山镇现行耕地地力保护补贴标准：105.50元/亩。",
                                                             "2026年本村发放标准：105.50元/亩。")
        assert documents.local_amounts(village, "nongji") == ()
        db.session.remove()
    card = demo_client.get("/card/dongfeng/dibao").text
    assert "农村低保标准：650元/人·月" in card and "900" not in card
    # The roster shows the same standard, on the kiosk and on paper.
    with demo_app.app_context():
        dibao = db.session.execute(select(Notice).where(Notice.roster_kind == "dibao", Notice.status == "published")
                                   .order_by(Notice.id)).scalars().first().id
        db.session.remove()
    assert "青山镇现行农村低保标准：650元/人·月。" in demo_client.get(f"/kiosk/notice/{dibao}").text
    assert "105.50元/亩" in demo_client.get("/card/dongfeng/gengdi").text


def test_closing_block_never_stands_alone_on_the_last_page(demo_app: Flask, tmp_path: Path) -> None:
    """Row counts whose 公示期/seal block fell alone onto page 2 before."""
    with demo_app.test_request_context("/"):
        notice = db.session.execute(select(Notice).where(Notice.roster_kind == "gengdi")).scalars().first()
        doc = documents.notice_document(notice, base_url="http://localhost")
        table = doc.tables[0]
        for rows in (18, 24):
            cut = dataclasses.replace(doc, tables=(dataclasses.replace(table, rows=table.rows[:rows]),))
            pdf = tmp_path / f"{rows}.pdf"
            pdf.write_bytes(printing.render_pdf(printing.notice_html(cut, "a4"), "http://localhost/"))
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            assert "公示期" in last and "盖章处" in last
            last_name = next(cell for cell in table.rows[rows - 1] if "*" in cell)
            assert last_name in last, f"{rows} rows: the closing block is alone on page {pages}"
        db.session.remove()
