"""Printed papers of the villagers' voice: the 告知书 (reply letter) of an
依申请公开 request and the yearly report (年度报告). HTML first, then
printing.render_pdf with the print stylesheet; both carry public view
objects only (no applicant name or contact)."""

from __future__ import annotations

import io

from flask import current_app, render_template, url_for

from .. import config, printing
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


def letter_pdf(req: InfoRequest, base_url: str) -> io.BytesIO:
    return io.BytesIO(printing.render_pdf(letter_html(req, base_url), base_url))


def report_pdf(figs, base_url: str) -> io.BytesIO:  # noqa: ANN001 - voice_stats.Figures
    """年度报告: the year's figures of a village or township on A4."""
    from .voice_stats import category_names

    html = render_template("print/annual_report.html", f=figs, names=category_names(), today=china_today())
    return io.BytesIO(printing.render_pdf(html, base_url))
