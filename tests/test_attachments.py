"""Issue 14 §3: attachments (附件). A PDF is checked (magic and parse, page
count, no script, action or embedded file) and rendered to page images; an
image is cleaned like a receipt photo; a refused file leaves nothing behind.
The supervisor marks each one public during review; only public ones reach
the kiosk, the phone and the printed notice. Their digests and flags are in
the version hash (only when a version has attachments), so a swapped file or
flag, in the database or in the bulk download, breaks verification."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from disclosure import attachments, clock, periods, storage
from disclosure.extensions import db
from disclosure.models import AuditEntry, Notice, NoticeAttachment, Role, User, Village
from disclosure.services import ServiceError, chain, notices
from tests.conftest import login_as
from tests.helpers.attachment_files import (
    embedded_file_pdf, encrypted_pdf, huge_page_pdf, javascript_pdf, open_action_pdf, pdf_bytes, png_with_metadata,
)

ROOT = Path(__file__).resolve().parent.parent


# Checking files (pure) ---------------------------------------------------------------

def test_a_pdf_is_kept_as_uploaded_and_rendered_to_page_images() -> None:
    data = pdf_bytes(2)
    checked = attachments.check_file(data)
    assert checked.kind == "pdf" and checked.data == data and checked.page_count == 2
    for page in checked.pages:
        with Image.open(io.BytesIO(page)) as image:
            assert image.format == "JPEG" and image.width > 500 and not image.getexif()


def test_an_image_is_re_encoded_without_metadata() -> None:
    checked = attachments.check_file(png_with_metadata())
    assert checked.kind == "image" and checked.page_count == 1 and checked.pages == ()
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG" and image.size == (300, 200)
        assert not image.getexif() and "Author" not in image.info
    assert b"13812345678" not in checked.data


@pytest.mark.parametrize(("data", "message"), [
    (b"", "请选择要上传的文件"),
    (b"PK\x03\x04 a zip pretending", "只接受 PDF 文件或 JPEG、PNG 图片"),
    (b"%PDF-1.7\nnot really a pdf", "PDF 文件已损坏"),
    (javascript_pdf(), "JavaScript"),
    (open_action_pdf(), "打开时自动执行的动作"),
    (embedded_file_pdf(), "嵌入的文件"),
    (encrypted_pdf(), "已加密"),
    (huge_page_pdf(), "页面尺寸过大"),
    (pdf_bytes(attachments.MAX_PAGES + 1), f"不能超过{attachments.MAX_PAGES}页"),
    (b"%PDF-" + b"0" * attachments.MAX_BYTES, "不能超过10MB"),
], ids=["empty", "zip", "fake-pdf", "javascript", "open-action", "embedded", "encrypted", "huge-page", "pages",
     "size"])
def test_refused_files_get_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ServiceError) as caught:
        attachments.check_file(data)
    assert message in caught.value.message


def test_a_hex_escaped_javascript_name_is_still_found() -> None:
    data = pdf_bytes(1).replace(b"/Type /Catalog", b"/Type /Catalog /J#61vaScript 1 0 R", 1)
    assert b"/J#61vaScript" in data
    with pytest.raises(ServiceError, match="JavaScript"):
        attachments.check_pdf(data)


# The workflow, through the staff pages -------------------------------------------------

@pytest.fixture
def world(app: Flask, place: dict[str, int], make_user: Callable[..., int]) -> dict[str, int]:
    clerk_id, sup_id = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    with app.app_context():
        clerk = db.session.get(User, clerk_id)
        notice = notices.create_draft(db.session.get(Village, place["v1"]), clerk, category="major",
                                      title="村集体土地发包决议公示", period=periods.month(2025, 9),
                                      body="经村民代表会议表决，同意发包。")
        db.session.commit()
        return {"clerk": clerk_id, "sup": sup_id, "notice": notice.id}


def upload(app: Flask, user_id: int, notice_id: int, data: bytes, name: str, title: str = ""):  # noqa: ANN201
    client = login_as(app.test_client(), user_id)
    return client.post(f"/admin/notices/{notice_id}/attachments", data={"attachment_title": title, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def stored(app: Flask) -> list[str]:
    """Attachment files in the file store (either backend)."""
    with app.app_context():
        if storage.backend() == "db":
            from disclosure.models import StoredFile

            names = db.session.execute(sa.select(StoredFile.name).where(StoredFile.name.like("attachments/%")))
            return sorted(name.split("/", 1)[1] for name in names.scalars())
    folder = Path(app.config["UPLOAD_DIR"]) / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def swap(app: Flask, name: str, data: bytes) -> bytes:
    """Put other bytes under an attachment file's name, behind the app's back; the old bytes."""
    with app.app_context():
        key = attachments._stored_name(name)  # noqa: SLF001
        old = storage.get(key)
        storage.put(key, data)
        db.session.commit()
    return old


def rows(app: Flask, notice_id: int) -> list[NoticeAttachment]:
    with app.app_context():
        return list(db.session.execute(sa.select(NoticeAttachment).where(NoticeAttachment.notice_id == notice_id)
                                       .order_by(NoticeAttachment.seq)).scalars())


def test_a_refused_upload_says_why_and_writes_nothing(app: Flask, world: dict[str, int]) -> None:
    page = upload(app, world["clerk"], world["notice"], javascript_pdf(), "纪要.pdf").get_data(as_text=True)
    assert "PDF 含有JavaScript 脚本，出于安全不能上传" in page
    assert rows(app, world["notice"]) == [] and stored(app) == []
    with app.app_context():
        assert db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "attachment.add")).first() is None


def approve_and_publish(app: Flask, world: dict[str, int]) -> None:
    """The supervisor approves the submitted notice; the clerk publishes it today."""
    with app.app_context():
        notice = db.session.get(Notice, world["notice"])
        notices.approve(notice, db.session.get(User, world["sup"]))
        today = clock.china_today()
        notices.publish(notice, db.session.get(User, world["clerk"]), today, periods.notice_end(today, 7), today=today)
        db.session.commit()


def publish_with_attachments(app: Flask, world: dict[str, int]) -> list[NoticeAttachment]:
    """Clerk uploads a PDF and an image; the supervisor makes the PDF public; published."""
    page = upload(app, world["clerk"], world["notice"], pdf_bytes(2), "minutes.pdf", "村民代表会议纪要")
    assert "附件《村民代表会议纪要》已上传（PDF，2页）" in page.get_data(as_text=True)
    upload(app, world["clerk"], world["notice"], png_with_metadata(), "图纸-2025.png")
    pdf, image = rows(app, world["notice"])
    assert (pdf.kind, pdf.page_count, image.kind, image.title) == ("pdf", 2, "image", "图纸-2025")
    assert not pdf.is_public and not image.is_public
    assert f"{pdf.sha256}.p2.jpg" in stored(app)

    sup = login_as(app.test_client(), world["sup"])
    # Not during drafting: only while the notice is under review.
    page = sup.post(f"/admin/attachments/{pdf.id}/visibility", follow_redirects=True).get_data(as_text=True)
    assert "只能在审核公示时设置附件是否公开" in page
    with app.app_context():
        notice = db.session.get(Notice, world["notice"])
        notices.submit(notice, db.session.get(User, world["clerk"]))
        db.session.commit()
    clerk = login_as(app.test_client(), world["clerk"])
    assert "只有本村村务监督委员会成员" in clerk.post(f"/admin/attachments/{pdf.id}/visibility",
                                                   follow_redirects=True).get_data(as_text=True)
    page = sup.get(f"/admin/notices/{world['notice']}").get_data(as_text=True)
    assert "设为公开" in page and "村民代表会议纪要" in page
    page = sup.post(f"/admin/attachments/{pdf.id}/visibility", follow_redirects=True).get_data(as_text=True)
    assert "附件《村民代表会议纪要》已设为公开" in page
    approve_and_publish(app, world)
    # Sealed: the flag no longer moves.
    page = sup.post(f"/admin/attachments/{pdf.id}/visibility", follow_redirects=True).get_data(as_text=True)
    assert "审核通过后不能再改" in page
    return rows(app, world["notice"])


def test_only_public_attachments_reach_kiosk_phone_and_paper(app: Flask, world: dict[str, int]) -> None:
    pdf, image = publish_with_attachments(app, world)
    assert pdf.is_public and not image.is_public
    kiosk = app.test_client()
    page = kiosk.get(f"/kiosk/notice/{world['notice']}").get_data(as_text=True)
    assert "附件1：村民代表会议纪要（PDF文件，共2页）" in page and "图纸-2025" not in page
    page = kiosk.get(f"/kiosk/attachment/{pdf.id}").get_data(as_text=True)
    assert f"/kiosk/attachment/{pdf.id}/page/2.jpg" in page and f'href="/kiosk/notice/{world["notice"]}"' in page
    assert "下载" not in page  # the kiosk never offers the PDF itself
    picture = kiosk.get(f"/kiosk/attachment/{pdf.id}/page/1.jpg")
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    assert kiosk.get(f"/kiosk/attachment/{pdf.id}/page/3.jpg").status_code == 404
    phone = kiosk.get(f"/m/attachment/{pdf.id}").get_data(as_text=True)
    assert f"/kiosk/attachment/{pdf.id}/file" in phone and 'href="/m/notice/' in phone
    download = kiosk.get(f"/kiosk/attachment/{pdf.id}/file")
    assert hashlib.sha256(download.data).hexdigest() == pdf.sha256 and download.headers["Content-Disposition"].startswith("attachment")
    for url in (f"/kiosk/attachment/{image.id}", f"/kiosk/attachment/{image.id}/page/1.jpg",
                f"/kiosk/attachment/{image.id}/file", f"/m/attachment/{image.id}"):
        assert kiosk.get(url).status_code == 404, url
    with app.app_context():
        from disclosure.public import documents

        doc = documents.notice_document(db.session.get(Notice, world["notice"]), base_url="http://board.test")
    assert doc.attachments == ("附件1：村民代表会议纪要（PDF文件，共2页）",)


def test_the_notice_api_lists_public_attachments_only(app: Flask, world: dict[str, int]) -> None:
    """Issue 14 leftover: /api/notices/<id> carries each public attachment (name,
    media type, pages, size, SHA-256, file and page picture addresses), never
    one the supervisor kept private; the response keeps the OpenAPI schema."""
    import jsonschema_rs

    pdf, image = publish_with_attachments(app, world)
    client = app.test_client()
    response = client.get(f"/api/notices/{world['notice']}")
    assert response.status_code == 200
    text, data = response.get_data(as_text=True), response.get_json()
    assert image.sha256 not in text and "图纸-2025" not in text  # the private drawing: not even its digest
    base = "http://localhost"
    assert data["attachments"] == [{
        "number": 1, "name": "村民代表会议纪要", "media_type": "application/pdf", "pages": 2, "size_bytes": pdf.byte_size,
        "sha256": pdf.sha256, "file_url": f"{base}/kiosk/attachment/{pdf.id}/file",
        "page_urls": [f"{base}/kiosk/attachment/{pdf.id}/page/{n}.jpg" for n in (1, 2)]}]
    [listed] = data["attachments"]
    served = client.get(listed["file_url"].removeprefix(base))
    assert served.mimetype == "application/pdf" and hashlib.sha256(served.data).hexdigest() == listed["sha256"]
    pictures = [client.get(url.removeprefix(base)) for url in listed["page_urls"]]
    assert all(p.mimetype == "image/jpeg" for p in pictures)
    assert [hashlib.sha256(p.data).hexdigest() for p in pictures] == pdf.page_digests.split()
    spec = client.get("/api/openapi.json").get_json()
    jsonschema_rs.validate({"$ref": "#/components/schemas/Notice", "components": spec["components"]}, data)
    assert spec["components"]["schemas"]["Attachment"]["required"] == list(listed)


def test_a_draft_attachment_is_not_public(app: Flask, world: dict[str, int]) -> None:
    upload(app, world["clerk"], world["notice"], pdf_bytes(1), "a.pdf")
    [attachment] = rows(app, world["notice"])
    with app.app_context():
        db.session.get(NoticeAttachment, attachment.id).is_public = True  # even if flagged
        db.session.commit()
    assert app.test_client().get(f"/kiosk/attachment/{attachment.id}").status_code == 404


# The version hash ------------------------------------------------------------------------

def test_versions_without_attachments_hash_as_before(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        notice = db.session.get(Notice, world["notice"])
        assert "attachments" not in chain.notice_content(notice)
        before = chain.content_hash(notice)
    upload(app, world["clerk"], world["notice"], pdf_bytes(1), "a.pdf")
    with app.app_context():
        notice = db.session.get(Notice, world["notice"])
        [attachment] = notice.attachments
        pages = attachment.page_digests.split()
        assert len(pages) == 1 and chain.notice_content(notice)["attachments"] == [[attachment.sha256, False, pages]]
        assert chain.content_hash(notice) != before


def verify(app: Flask):  # noqa: ANN201
    return app.test_cli_runner().invoke(args=["verify-chain"])


def test_changing_an_attachment_breaks_verification(app: Flask, world: dict[str, int]) -> None:
    pdf, image = publish_with_attachments(app, world)
    assert verify(app).exit_code == 0
    title = "公示 #%d《村集体土地发包决议公示》：" % world["notice"]
    with app.app_context():
        code = db.session.get(Notice, world["notice"]).verify_code
    name = attachments.original_name(pdf.sha256, "pdf")
    original = swap(app, name, pdf_bytes(2, colour=(250, 250, 200)))  # other bytes under the sealed name
    result = verify(app)
    assert result.exit_code == 1 and title + "附件文件被替换（村民代表会议纪要）" in result.output, result.output
    assert "内容核对异常" in app.test_client().get(f"/v/{code}").get_data(as_text=True)
    swap(app, name, original)
    assert verify(app).exit_code == 0
    # The kiosk shows page pictures: a swapped picture is named too.
    picture = attachments.page_name(pdf.sha256, "pdf", 2)
    shown = swap(app, picture, attachments.check_file(pdf_bytes(1, colour=(200, 0, 0))).pages[0])
    result = verify(app)
    assert result.exit_code == 1 and title + "附件页面图片被替换（村民代表会议纪要 第2页）" in result.output
    swap(app, picture, shown)
    assert verify(app).exit_code == 0
    with app.app_context(), db.engine.begin() as conn:  # behind the app's back: show the private one
        conn.execute(sa.text("UPDATE notice_attachments SET is_public = :t WHERE id = :id"), {"t": True, "id": image.id})
    result = verify(app)
    assert result.exit_code == 1 and title + "公布后的内容被改动（内容哈希不符）" in result.output


def test_a_correction_keeps_the_attachments(app: Flask, world: dict[str, int]) -> None:
    pdf, image = publish_with_attachments(app, world)
    with app.app_context():
        new = notices.start_correction(db.session.get(Notice, world["notice"]), db.session.get(User, world["clerk"]),
                                       "补充说明")
        db.session.commit()
        assert [(a.sha256, a.is_public, a.title) for a in new.attachments] == [
            (pdf.sha256, True, pdf.title), (image.sha256, False, image.title)]


def test_the_stdlib_verifier_checks_attachment_digests(app: Flask, world: dict[str, int], tmp_path: Path) -> None:
    pdf, _image = publish_with_attachments(app, world)
    year = clock.china_today().year
    response = app.test_client().get(f"/api/townships/t1/bulk/{year}.zip")
    assert response.status_code == 200
    good = tmp_path / "good.zip"
    good.write_bytes(response.data)

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-S", str(ROOT / "tools" / "verify_board.py"), str(path)],
                              capture_output=True, text=True, timeout=120, check=False)

    result = run(good)
    assert result.returncode == 0 and "链条完整：1 条公示的内容哈希已复算" in result.stdout, result.stdout
    # One digest changed in attachments.csv (and SHA256SUMS recomputed, as a forger would).
    bad = tmp_path / "bad.zip"
    source = zipfile.ZipFile(io.BytesIO(response.data))
    files = {info.filename: source.read(info) for info in source.infolist()}
    [member] = [name for name in files if name.endswith("/attachments.csv")]
    table = list(csv.reader(io.StringIO(files[member].decode())))
    assert table[1][2] == pdf.sha256
    table[1][2] = "0" * 64
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(table)
    files[member] = text.getvalue().encode()
    prefix = member.rsplit("/", 1)[0]
    files[f"{prefix}/SHA256SUMS"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name.rsplit('/', 1)[1]}\n"
        for name, data in sorted(files.items()) if not name.endswith("SHA256SUMS")).encode()
    with zipfile.ZipFile(bad, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
    result = run(bad)
    assert result.returncode == 1
    assert f"v1 公示 #{world['notice']}《村集体土地发包决议公示》：内容与内容哈希不符" in result.stdout, result.stdout



# The supervisor's review print ---------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_the_review_print_lists_every_attachment_to_check_against_the_files(app: Flask, world: dict[str, int],
                                                                           tmp_path: Path) -> None:
    assert attachments.clean_filename("C:\\村委会\\minutes-2025.pdf") == "minutes-2025.pdf"  # no folder kept
    upload(app, world["clerk"], world["notice"], pdf_bytes(2), "minutes-2025.pdf", "村民代表会议纪要")
    upload(app, world["clerk"], world["notice"], png_with_metadata(), "图纸-2025.png")
    pdf, image = rows(app, world["notice"])
    assert (pdf.filename, image.filename) == ("minutes-2025.pdf", "图纸-2025.png")
    with app.app_context():
        notices.submit(db.session.get(Notice, world["notice"]), db.session.get(User, world["clerk"]))
        db.session.commit()
    sup = login_as(app.test_client(), world["sup"])
    sup.post(f"/admin/attachments/{pdf.id}/visibility")  # the supervisor makes the minutes public
    assert f'href="/admin/print/notice/{world["notice"]}.pdf"' in sup.get(f"/admin/notices/{world['notice']}").text
    response = sup.get(f"/admin/print/notice/{world['notice']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "review.pdf").write_bytes(response.data)
    text = _pdf_text(response.data)
    # Cells wrap (a digest in two lines of two groups): compare without spaces, line breaks and the watermark.
    flat = re.sub(r"[\s草稿]", "", text)
    assert "附件清单（共2个，供审核时与文件核对）序号附件名称文件名类型页数大小是否公开SHA-256（前16位）" in flat
    assert f"1村民代表会议纪要minutes-2025.pdfPDF文件2{-(-pdf.byte_size // 1024)}KB公开{pdf.sha256[:16]}" in flat
    assert f"2图纸-2025图纸-2025.png图片1{-(-image.byte_size // 1024)}KB尚未标为公开{image.sha256[:16]}" in flat
    assert image.sha256[:20] not in flat  # the short form only
    assert "certutil -hashfile" in text
    # The digest is the stored file's, the one staff download from the notice's page.
    download = sup.get(f"/admin/attachments/{image.id}/file")
    assert hashlib.sha256(download.data).hexdigest() == image.sha256

    # Once published, the print is the public notice: only the public attachment, no file list.
    approve_and_publish(app, world)
    text = _pdf_text(sup.get(f"/admin/print/notice/{world['notice']}.pdf").data)
    assert "附件清单" not in text and "minutes-2025.pdf" not in text and "图纸-2025" not in text
    assert "附件1：村民代表会议纪要（PDF文件，共2页）" in re.sub(r"\s", "", text)
