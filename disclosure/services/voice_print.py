"""Printed papers of the villagers' voice: the 告知书 (reply letter) of an
依申请公开 request and the yearly report (年度报告), as HTML: the public
pages hand it to the renderer process (kiosk/printed.stored_pdf, never
WeasyPrint in a web worker), the staff page to render.render_isolated. Both
carry public view objects only (no applicant name or contact)."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for

from .. import config
from ..clock import china_today
from ..models import InfoRequest
from ..qr import qr_data_uri
from . import requests as requests_service


def ticket_url(base_url: str, ticket_no: str) -> str:
    """The phone ticket page a printed QR carries."""
    base = config.public_base(current_app.config.get("PUBLIC_BASE_URL"), base_url)
    return base + url_for("mobile.ticket", no=ticket_no)


def letter_html(req: InfoRequest, base_url: str) -> str:
    view = requests_service.public_view(req, china_today())
    link = ticket_url(base_url, req.ticket_no)
    return render_template("print/request_letter.html", r=view, qr=qr_data_uri(link), link=link)


def report_html(figs) -> str:  # noqa: ANN001 - voice_stats.Figures
    """年度报告: the year's figures of a village or township on A4."""
    from .voice_stats import category_names

    return render_template("print/annual_report.html", f=figs, names=category_names(), today=china_today())


def pdf_key(kind: str, html: str) -> tuple[str, str]:
    """What names the PDF of a letter or report: its own HTML (a reply, a
    correction or a new day's figures change it, and so the key)."""
    return (kind, hashlib.sha256(html.encode()).hexdigest())
