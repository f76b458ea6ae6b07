"""Public figures (村务公开统计) per village (/kiosk|m/<code>/stats) and per
township (/m/township/<code>/stats), per quarter or year (?p=2026, ?p=2026Q3),
and the yearly report (年度报告) as a PDF. Counts only, from
services.voice_stats."""

from __future__ import annotations

from flask import abort, request, url_for

from disclosure import public
from disclosure.clock import china_today
from disclosure.extensions import limiter
from disclosure.services import voice_print, voice_stats

from . import bp, mobile_bp, public_bp
from .printed import pdf_response, pending_response, stored_pdf
from .views import face_url, render, village_or_404


def _stats_page(figures_of, here, report_endpoint: str, code: str, **extra):  # noqa: ANN001, ANN003, ANN202
    """The statistics page of one scope: ``figures_of(period, today)`` gives the figures."""
    today = china_today()
    period = voice_stats.parse_period(request.args.get("p"), today)
    return render("kiosk/stats.html", f=figures_of(period, today), names=voice_stats.category_names(),
                  key=voice_stats.period_key(period), years=(today.year, today.year - 1), here=here,
                  report_url=url_for(report_endpoint, code=code, year=period.start.year), **extra)


def village_stats(code: str):
    village = village_or_404(code)
    township_url = None
    if request.blueprint == "mobile":
        township_url = url_for("mobile.township_stats", code=village.township.code, p=request.args.get("p"))
    return _stats_page(lambda period, today: voice_stats.village_figures(village, period, today),
                       lambda p: face_url("stats", code=code, p=p), "public.stats_report", code,
                       township_url=township_url, back_url=face_url("home", code=code))


@mobile_bp.get("/township/<code>/stats", endpoint="township_stats")
def township_stats(code: str):
    township = public.township_or_404(code)
    return _stats_page(lambda period, today: voice_stats.township_figures(township, period, today),
                       lambda p: url_for("mobile.township_stats", code=code, p=p), "public.township_report", code)


def _report(figures_of, year: int):  # noqa: ANN001, ANN202
    if not 2000 <= year <= 2100:
        abort(404)
    today = china_today()
    figs = figures_of(voice_stats.parse_period(str(year), today), today)
    html = voice_print.report_html(figs)
    data = stored_pdf(voice_print.pdf_key("report", html), lambda: html)
    if data is None:
        return pending_response("年度报告的PDF文件")
    return pdf_response(data, f"{figs.scope}{year}年度报告.pdf")


@public_bp.get("/report/<code>/<int:year>.pdf", endpoint="stats_report")
@limiter.limit("60 per minute")
def village_report(code: str, year: int):
    village = village_or_404(code)
    return _report(lambda period, today: voice_stats.village_figures(village, period, today), year)


@public_bp.get("/report/township/<code>/<int:year>.pdf", endpoint="township_report")
@limiter.limit("60 per minute")
def township_report(code: str, year: int):
    township = public.township_or_404(code)
    return _report(lambda period, today: voice_stats.township_figures(township, period, today), year)


for _blueprint in (bp, mobile_bp):
    _blueprint.add_url_rule("/<code>/stats", "stats", village_stats, methods=["GET"])
