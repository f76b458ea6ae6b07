"""Issue 14 leftover: a library document's PDF is checked and rendered exactly
as a notice's PDF attachment is (disclosure/attachments.py), its page pictures
kept where attachments keep theirs, and shown one page at a time on the kiosk
and the phone. Documents entered before there were pictures get them from
`flask library render-pages`; until then the kiosk shows the QR code."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from flask import Flask

from disclosure import attachments, storage
from disclosure.extensions import db
from disclosure.models import Document, Township, Village
from disclosure.services import ServiceError, library
from tests.helpers.attachment_files import javascript_pdf, pdf_bytes
from tests.helpers.feedback_data import staff

EFFECTIVE = dt.date(2025, 1, 1)


def _create(app: Flask, place: dict[str, int], pdf: bytes, title: str = "村务公开栏管理办法") -> int:
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        clerk, _ = staff(village)
        doc = library.create(clerk, village.township, village, kind="其他", title=title, effective_on=EFFECTIVE,
                             pdf=pdf)
        db.session.commit()
        return doc.id


def test_a_library_pdf_is_rendered_to_page_pictures_in_the_attachment_store(app: Flask, place: dict[str, int]) -> None:
    data = pdf_bytes(2)
    doc_id = _create(app, place, data)
    sha = hashlib.sha256(data).hexdigest()
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert (doc.pdf, doc.pdf_pages, doc.pdf_sha256) == (data, 2, sha)
        for n in (1, 2):
            assert storage.exists(f"attachments/{attachments.page_name(sha, 'pdf', n)}")
    client = app.test_client()
    first = client.get(f"/kiosk/doc/{doc_id}?v=v1").get_data(as_text=True)
    assert f'src="/doc/{doc_id}/page/1.jpg"' in first and "第1页，共2页" in first
    assert f'href="/kiosk/doc/{doc_id}?v=v1&amp;page=2#pages"' in first and 'data-testid="page-prev"' not in first
    assert 'href="/kiosk/v1/library"' in first  # the way back
    second = client.get(f"/kiosk/doc/{doc_id}?v=v1&page=2").get_data(as_text=True)
    assert f'src="/doc/{doc_id}/page/2.jpg"' in second and 'data-testid="page-next"' not in second
    assert f'href="/kiosk/doc/{doc_id}?v=v1#pages"' in second  # 上一页: back to page 1
    assert client.get(f"/kiosk/doc/{doc_id}?v=v1&page=3").status_code == 404
    phone = client.get(f"/m/doc/{doc_id}?v=v1&page=2").get_data(as_text=True)
    assert f'src="/doc/{doc_id}/page/2.jpg"' in phone and f'href="/doc/{doc_id}.pdf"' in phone
    picture = client.get(f"/doc/{doc_id}/page/2.jpg")
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg" and picture.data.startswith(b"\xff\xd8\xff")
    assert client.get(f"/doc/{doc_id}/page/3.jpg").status_code == 404
    assert client.get(f"/doc/{doc_id}/page/0.jpg").status_code == 404


def test_a_library_pdf_is_refused_as_an_attachment_would_be(app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        clerk, _ = staff(village)
        with pytest.raises(ServiceError, match="PDF 含有JavaScript 脚本，出于安全不能上传") as refused:
            library.create(clerk, village.township, village, kind="其他", title="带脚本", effective_on=EFFECTIVE,
                           pdf=javascript_pdf())
        assert refused.value.field == "attachment"  # shown next to the form's upload field
        with pytest.raises(ServiceError, match="PDF 不能超过20页"):
            library.create(clerk, village.township, village, kind="其他", title="太长", effective_on=EFFECTIVE,
                           pdf=pdf_bytes(21))
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one() == 0
        assert not storage.exists(f"attachments/{attachments.page_name(hashlib.sha256(pdf_bytes(21)).hexdigest(), 'pdf', 1)}")


def test_render_pages_gives_older_documents_their_pictures(app: Flask, place: dict[str, int]) -> None:
    """A document entered before page pictures existed (pdf_sha256 empty):
    the kiosk shows the QR code only; the CLI renders it (and names a file it
    refuses, which keeps its QR code); run again, it has nothing to do."""
    good, broken = pdf_bytes(1), b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\ntrailer << >>\n%%EOF\n"
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        clerk, _ = staff(village)
        township = db.session.get(Township, village.township_id)
        docs = [Document(township_id=township.id, village_id=village.id, kind="其他", title=title, effective_on=EFFECTIVE,
                         pdf=pdf, pdf_pages=1, created_by_id=clerk.id)
                for title, pdf in (("旧的扫描件", good), ("旧的坏文件", broken))]
        db.session.add_all(docs)
        db.session.commit()
        old_id, broken_id = (d.id for d in docs)
    client = app.test_client()
    before = client.get(f"/kiosk/doc/{old_id}?v=v1").get_data(as_text=True)
    assert "<svg" in before and "/page/1.jpg" not in before
    assert client.get(f"/doc/{old_id}/page/1.jpg").status_code == 404

    result = app.test_cli_runner().invoke(args=["library", "render-pages"])
    assert result.exit_code == 0, result.output
    assert "已生成页面图片：1份文件" in result.output
    assert f"文件{broken_id}《旧的坏文件》：PDF 文件已损坏" in result.output
    after = client.get(f"/kiosk/doc/{old_id}?v=v1").get_data(as_text=True)
    assert f'src="/doc/{old_id}/page/1.jpg"' in after and "<svg" in after
    assert client.get(f"/doc/{old_id}/page/1.jpg").mimetype == "image/jpeg"
    assert "/page/1.jpg" not in client.get(f"/kiosk/doc/{broken_id}?v=v1").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, old_id).pdf_sha256 == hashlib.sha256(good).hexdigest()
        assert db.session.get(Document, broken_id).pdf_sha256 is None
    again = app.test_cli_runner().invoke(args=["library", "render-pages"])
    assert "已生成页面图片：0份文件" in again.output
