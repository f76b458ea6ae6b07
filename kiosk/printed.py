"""Printable notices and 明白卡 for anyone: /p/<id>.pdf (A4, or ?size=a3 for
the wall board) and /card/<village>/<kind>(.pdf). Only published versions
print here; drafts print only on the staff side, watermarked."""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, g, render_template, request, send_file, url_for

from disclosure import printing, public
from disclosure.catalogue import ROSTER_KINDS
from disclosure.extensions import limiter

from . import public_bp


def qr_base() -> str:
    return printing.public_base(current_app.config.get("PUBLIC_BASE_URL"), request.host_url)


def pdf_response(data: bytes, name: str, *, cache_seconds: int = 300):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=False,
                         max_age=cache_seconds)
    return response


def _size() -> str:
    size = request.args.get("size", "a4").lower()
    if size not in printing.SIZES:
        abort(404)
    return size


def cache_dir() -> Path:
    return Path(current_app.config["JOB_DIR"]) / "pdf-cache"


def notice_pdf_bytes(notice, size: str = "a4") -> bytes:  # noqa: ANN001 - a public Notice
    """The printed notice as PDF bytes, made once (see printing.cached_pdf)."""
    base = qr_base()

    def make() -> bytes:
        doc = printing.notice_document(notice, base_url=base, size=size)
        return printing.render_pdf(render_template("print/notice.html", doc=doc), request.host_url)

    # A published version never changes; what does (its status, the phones) is in the key.
    key = ("notice", notice.id, notice.status.value, public.phones_for(notice), size, base)
    return printing.cached_pdf(cache_dir(), key, make)


@public_bp.get("/p/<int:notice_id>.pdf")
@limiter.limit("60 per minute")
def notice_pdf(notice_id: int):
    notice = public.public_notice_or_none(notice_id)
    if notice is None:
        abort(404)
    return pdf_response(notice_pdf_bytes(notice, _size()), f"{notice.title}.pdf")


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

    def make() -> bytes:
        return printing.render_pdf(render_template("print/card.html", card=item), request.host_url)

    key = ("card", item.village_code, kind, item.channels, item.page_url, item.amounts)
    data = printing.cached_pdf(cache_dir(), key, make)
    return pdf_response(data, f"{item.village_name}{item.kind_name}明白卡.pdf")
