"""Printable notices and 明白卡 for anyone: /p/<id>.pdf (A4, or ?size=a3 for
the wall board) and /card/<village>/<kind>(.pdf). Only published versions
print here; drafts print only on the staff side, watermarked."""

from __future__ import annotations

import hashlib
import io
import tempfile

from flask import abort, current_app, g, render_template, request, send_file, url_for

from disclosure import printing, public, render, storage
from disclosure.public import documents
from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import limiter

from . import public_bp
from .common import public_base

#: Seconds before a 正在生成 page looks again.
REFRESH_SECONDS = 3


def qr_base() -> str:
    return public_base() + "/"


def pdf_response(data: bytes, name: str, *, cache_seconds: int = 300, attachment: bool = False):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=attachment,
                     max_age=cache_seconds, conditional=True, etag=hashlib.sha256(data).hexdigest()[:32])


def pending_response(what: str, back_url: str | None = None):
    """A short Chinese page while the renderer works: 202, looked at again in a few seconds."""
    html = render_template("mobile/pdf_pending.html", what=what, back_url=back_url, refresh_seconds=REFRESH_SECONDS)
    return html, 202, {"Cache-Control": "no-store", "Retry-After": str(REFRESH_SECONDS)}


def _size() -> str:
    size = request.args.get("size", "a4").lower()
    if size not in printing.SIZES:
        abort(404)
    return size


def stored_pdf(key: tuple, make_html, *, wait: bool = True) -> bytes | None:  # noqa: ANN001
    """The stored PDF for ``key``, or None while the renderer makes it (see
    disclosure/render.py): the renderer of whichever node takes the request
    puts it into the file store (disclosure/storage.py), where every node
    finds it. PDF_WAIT_SECONDS (tests only, 0 on the board) lets a test client
    wait for the renderer instead of reading 正在生成."""
    name = render.stored_name(key)
    data = storage.get(name)
    if data is not None:
        return data
    render.request_pdf(key, make_html, request.host_url)
    seconds = current_app.config.get("PDF_WAIT_SECONDS", 0) if wait else 0
    return render.wait_for(name, seconds) if seconds else None


#: The kiosk's pictures of a printed page (pdftoppm's resolution).
PAGE_DPI = 110


def _pictures_stem(pdf: bytes) -> str:
    return f"pdf-pages/{hashlib.sha256(pdf).hexdigest()[:32]}-{PAGE_DPI}"


def page_pictures(pdf: bytes) -> int:
    """How many PNG pictures of ``pdf``'s pages the file store holds (the kiosk
    never opens a PDF viewer), made once with pdftoppm by whichever node is
    asked first and kept where every node finds them; 0 without pdftoppm."""
    stem = _pictures_stem(pdf)
    count = storage.get(f"{stem}.count")
    if count is not None:
        return int(count)
    with tempfile.TemporaryDirectory() as work:
        paths = printing.page_images(pdf, work, dpi=PAGE_DPI)
        for number, path in enumerate(paths, start=1):
            storage.put(f"{stem}-{number}.png", path.read_bytes(), at_once=True)
    if paths:  # the count last: it says every picture is there
        storage.put(f"{stem}.count", str(len(paths)).encode(), at_once=True)
    return len(paths)


def page_picture(pdf: bytes, number: int) -> bytes | None:
    """Page ``number`` (from 1) of :func:`page_pictures`, or None."""
    if not 1 <= number <= page_pictures(pdf):
        return None
    return storage.get(f"{_pictures_stem(pdf)}-{number}.png")


def notice_key(notice, size: str, base: str) -> tuple:  # noqa: ANN001 - a public Notice
    """What names a printed notice's PDF: a published version never changes;
    what does (its status, the phones) is in the key."""
    return ("notice", notice.id, notice.status.value, public.phones_for(notice), size, base)


def notice_html(notice, size: str, base: str) -> str:  # noqa: ANN001 - a public Notice
    """The print HTML the renderer turns into the notice's PDF (needs a request context)."""
    return printing.notice_html(documents.notice_document(notice, base_url=base), size)


def notice_pdf_file(notice, size: str = "a4", *, wait: bool = True) -> bytes | None:  # noqa: ANN001 - a public Notice
    """The printed notice's stored PDF, or None while it is being made."""
    base = qr_base()
    return stored_pdf(notice_key(notice, size, base), lambda: notice_html(notice, size, base), wait=wait)


def queue_notice_pdfs(*notices) -> None:  # noqa: ANN002 - public Notices
    """Have the renderer make the A4 and A3 PDFs of these notices now (after
    publish, correction, withdrawal), so a villager never waits for one."""
    for notice in notices:
        if notice is not None and notice.is_public:
            for size in printing.SIZES:
                notice_pdf_file(notice, size, wait=False)


@public_bp.get("/p/<int:notice_id>.pdf")
@limiter.limit("60 per minute")
def notice_pdf(notice_id: int):
    notice = public.public_notice_or_none(notice_id)
    if notice is None:
        abort(404)
    data = notice_pdf_file(notice, _size())
    if data is None:
        return pending_response("这份公示的PDF文件", url_for("mobile.notice", notice_id=notice_id))
    return pdf_response(data, f"{notice.title}.pdf")


def _village_or_404(code: str) -> public.Village:
    return public.village_or_404(code)


def card_for(village_code: str, kind: str) -> documents.Card:
    village = _village_or_404(village_code)
    if kind not in ROSTER_KINDS:
        abort(404)
    g.village = public.village_view(village)
    page = public_base() + url_for("public.card", village_code=village.code, kind=kind)
    return documents.card(village, kind, page_url=page)


@public_bp.get("/card/<village_code>/<kind>")
def card(village_code: str, kind: str):
    """明白卡 as a phone/kiosk page (templates/mobile/card.html)."""
    item = card_for(village_code, kind)
    pdf = url_for("public.card_pdf", village_code=village_code, kind=kind)
    return render_template("mobile/card.html", card=item, pdf_url=pdf,
                           others=[(k.code, k.name) for k in ROSTER_KINDS.values()])


@public_bp.get("/card/<village_code>/<kind>.pdf")
@limiter.limit("60 per minute")
def card_pdf(village_code: str, kind: str):
    item = card_for(village_code, kind)

    def make() -> str:
        return render_template("print/card.html", card=item)

    key = ("card", item.village_code, kind, item.channels, item.page_url, item.amounts)
    data = stored_pdf(key, make)
    if data is None:
        return pending_response("明白卡的PDF文件", url_for("public.card", village_code=village_code, kind=kind))
    return pdf_response(data, f"{item.village_name}{item.kind_name}明白卡.pdf")
