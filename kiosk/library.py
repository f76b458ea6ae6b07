"""The document library (/<village>/library, /doc/<id>), keyword search
(/<village>/search) and the village's catalogue (/<village>/catalogue) on
both faces. The kiosk has no keyboard: its search is buttons (category,
year, common words); the phone also has a text box. Reads go through
disclosure.public only."""

from __future__ import annotations

from flask import Blueprint, abort, g, request, send_file, url_for

from disclosure import public

from . import bp, mobile_bp, public_bp
from .common import face, face_url, public_base, render, today, village_or_404

SEARCH_LIMIT = 50


def hit_url(hit: public.PublicHit, code: str) -> str:
    if hit.kind == "line":
        return face_url("ledger_line", line_id=hit.ref_id)
    if hit.kind == "document":
        return face_url("document", doc_id=hit.ref_id, v=code)
    return face_url("notice", notice_id=hit.ref_id)


def library_page(code: str):
    village = village_or_404(code)
    return render("kiosk/library.html", sections=public.library_sections(village),
                  back_url=face_url("home", code=code))


def document_page(doc_id: int):
    doc, village = public.document_or_404(doc_id)
    if village is None:  # a township's document: keep the village the visitor came from
        village = public.village_by_code(request.args.get("v", ""))
        if village is not None and village.township.code != doc.township_code:
            village = None
    if village is not None:
        g.village = public.village_view(village)
    page_no = request.args.get("page", 1, type=int)
    if doc.page_images and not 1 <= page_no <= doc.page_images:
        abort(404)
    pdf_url = url_for("public.document_pdf", doc_id=doc.id) if doc.pdf_pages else None
    pdf_qr = None
    if pdf_url and face() == "kiosk":
        from disclosure.qr import qr_svg

        pdf_qr = qr_svg(public_base() + pdf_url, label="手机扫码下载这份文件的PDF")
    code = village.code if village is not None else None
    back = face_url("library", code=code) if code else None

    def page_url(number: int) -> str:
        return face_url("document", doc_id=doc.id, v=code, page=number if number > 1 else None) + "#pages"

    return render("kiosk/document.html", doc=doc, pdf_url=pdf_url, pdf_qr=pdf_qr, code=code, back_url=back,
                  page_no=page_no, page_url=page_url)


def search_page(code: str):
    village = village_or_404(code)
    found = public.search_page(village, request.args.get("q"), request.args.get("c") or None,
                               request.args.get("y", type=int), limit=SEARCH_LIMIT)

    def here(**change: object) -> str:
        args = {"q": " ".join(found.words) or None, "c": found.category, "y": found.year} | change
        return face_url("search", code=code, **{k: v for k, v in args.items() if v})

    return render("kiosk/search.html", found=found, here=here, words=public.COMMON_WORDS,
                  categories=public.search_categories(), years=public.search_years(village),
                  hit_url=lambda hit: hit_url(hit, code), limit=SEARCH_LIMIT, back_url=face_url("home", code=code))


def catalogue_page(code: str):
    village = village_or_404(code)
    found = public.village_catalogue(village, today())
    return render("kiosk/catalogue.html", rows=found.categories, kinds=found.kinds, late=found.late,
                  back_url=face_url("home", code=code))


@public_bp.get("/doc/<int:doc_id>.pdf", endpoint="document_pdf")
def document_pdf(doc_id: int):
    import io

    data = public.document_pdf(doc_id)
    if not data:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"文件{doc_id}.pdf", max_age=300)


@public_bp.get("/doc/<int:doc_id>/page/<int:page_no>.jpg", endpoint="document_page_image")
def document_page_image(doc_id: int, page_no: int):
    """A page of a library document's PDF as a picture (both faces; the kiosk never opens a PDF)."""
    import io

    data = public.document_page_image(doc_id, page_no)
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=86400)


def _register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/<code>/library", "library", library_page, methods=["GET"])
    blueprint.add_url_rule("/doc/<int:doc_id>", "document", document_page, methods=["GET"])
    blueprint.add_url_rule("/<code>/search", "search", search_page, methods=["GET"])
    blueprint.add_url_rule("/<code>/catalogue", "catalogue", catalogue_page, methods=["GET"])


for _blueprint in (bp, mobile_bp):
    _register(_blueprint)
