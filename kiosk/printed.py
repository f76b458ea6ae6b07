"""Printable notices and 明白卡 for anyone: /p/<id>.pdf (A4, or ?size=a3 for
the wall board) and /card/<village>/<kind>(.pdf). Only published versions
print here; drafts print only on the staff side, watermarked."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, g, render_template, request, send_file, url_for

from disclosure import printing, public, render
from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import limiter

from . import public_bp

#: Seconds before a 正在生成 page looks again.
REFRESH_SECONDS = 3


def qr_base() -> str:
    return printing.public_base(current_app.config.get("PUBLIC_BASE_URL"), request.host_url)


def pdf_response(path: Path, name: str, *, cache_seconds: int = 300):
    """A stored PDF; its name is the hash of what it shows (render.pdf_path: the
    version, its status, the phones, size, host and the print design), so that
    hash is its strong ETag and a conditional request gets a 304."""
    return send_file(path, mimetype="application/pdf", download_name=name, as_attachment=False,
                     max_age=cache_seconds, conditional=True, etag=path.stem)


def pending_response(what: str, back_url: str | None = None):
    """A short Chinese page while the renderer works: 202, looked at again in a few seconds."""
    html = render_template("mobile/pdf_pending.html", what=what, back_url=back_url, refresh_seconds=REFRESH_SECONDS)
    return html, 202, {"Cache-Control": "no-store", "Retry-After": str(REFRESH_SECONDS)}


def _size() -> str:
    size = request.args.get("size", "a4").lower()
    if size not in printing.SIZES:
        abort(404)
    return size


def cache_dir() -> Path:
    """The PDF store (and its render queue): JOB_DIR/pdf-cache."""
    return Path(current_app.config["JOB_DIR"]) / "pdf-cache"


def stored_pdf(key: tuple, make_html, *, wait: bool = True) -> Path | None:  # noqa: ANN001
    """The stored PDF for ``key``, or None while the renderer makes it (see
    disclosure/render.py). PDF_WAIT_SECONDS (tests only, 0 on the board)
    lets a test client wait for the renderer instead of reading 正在生成."""
    path = render.request_pdf(cache_dir(), key, make_html, request.host_url)
    seconds = current_app.config.get("PDF_WAIT_SECONDS", 0) if wait else 0
    if path is None and seconds:
        path = render.wait_for(render.pdf_path(cache_dir(), key), cache_dir(), seconds)
    return path


def notice_key(notice, size: str, base: str) -> tuple:  # noqa: ANN001 - a public Notice
    """What names a printed notice's PDF: a published version never changes;
    what does (its status, the phones) is in the key."""
    return ("notice", notice.id, notice.status.value, public.phones_for(notice), size, base)


def notice_html(notice, size: str, base: str) -> str:  # noqa: ANN001 - a public Notice
    """The print HTML the renderer turns into the notice's PDF (needs a request context)."""
    return render_template("print/notice.html", doc=printing.notice_document(notice, base_url=base, size=size))


def notice_pdf_file(notice, size: str = "a4", *, wait: bool = True) -> Path | None:  # noqa: ANN001 - a public Notice
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
    path = notice_pdf_file(notice, _size())
    if path is None:
        return pending_response("这份公示的PDF文件", url_for("mobile.notice", notice_id=notice_id))
    return pdf_response(path, f"{notice.title}.pdf")


def _village_or_404(code: str) -> public.Village:
    return public.village_or_404(code)


def card_for(village_code: str, kind: str) -> printing.Card:
    village = _village_or_404(village_code)
    if kind not in ROSTER_KINDS:
        abort(404)
    g.village = public.village_view(village)
    page = printing.public_base(current_app.config.get("PUBLIC_BASE_URL"), request.host_url).rstrip("/") + \
        url_for("public.card", village_code=village.code, kind=kind)
    return printing.card(village, kind, page_url=page)


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
    path = stored_pdf(key, make)
    if path is None:
        return pending_response("明白卡的PDF文件", url_for("public.card", village_code=village_code, kind=kind))
    return pdf_response(path, f"{item.village_name}{item.kind_name}明白卡.pdf")
