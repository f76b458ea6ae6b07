"""Kiosk screens (/kiosk) and, through :func:`register_pages`, the same pages
for phones (/m). Views are thin: they parse the request, ask disclosure.public
and render. Templates receive public view objects
only (disclosure.public), never ORM rows.

One set of content templates serves both faces: each page extends
``base_template`` (kiosk/base.html or mobile/base.html), and links are built
with ``face_url(name, ...)`` so a kiosk page links to kiosk pages and a phone
page to phone pages.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, abort, current_app, g, redirect, request, send_file, send_from_directory, url_for

from disclosure import charts, periods, public
from disclosure.catalogue import CATEGORIES, ROSTER_KINDS
from disclosure.qr import qr_svg

from . import bp, public_bp
from .common import chart_width, face, face_url, notice_or_404, public_base, render, today, village_or_404
from .service_worker import script as service_worker_script

ROSTER_PAGE_SIZE = 40
VIEWS = ("month", "quarter", "year")
VIEW_NAMES = {"month": "月", "quarter": "季度", "year": "年"}


def tile_url(code: str, category: str) -> str:
    if category == "finance":
        return face_url("finance", code=code)
    if category == "project":
        return face_url("projects", code=code)
    return face_url("category", code=code, category=category)


def _months_chart(months: tuple[public.MonthFigure, ...], height: int | None = None) -> str:
    rows = [(m.label, m.income_fen, m.expense_fen) for m in months if m.published]
    return charts.bar_chart_svg(rows, width=chart_width(), height=height or (380 if face() == "kiosk" else 300))


def _period_of(view: str, day: dt.date) -> periods.Period:
    return {"month": periods.month_of, "quarter": periods.quarter_of, "year": lambda d: periods.year(d.year)}[view](day)


def _view_of(period: periods.Period) -> str:
    if period.start.month == period.end.month:
        return "month"
    return "year" if (period.start.month, period.end.month) == (1, 12) else "quarter"


# Pages (both faces) ---------------------------------------------------------

def village_list():
    return render("kiosk/village_list.html", villages=[public.village_view(v) for v in public.villages()])


def home(code: str):
    village = village_or_404(code)
    tiles = [(tile, tile_url(code, tile.code)) for tile in public.category_tiles(village)]
    back = url_for("kiosk.attract", code=code) if face() == "kiosk" else None
    return render("kiosk/home.html", tiles=tiles, back_url=back)


def finance_page(code: str):
    village = village_or_404(code)
    found = public.span(village)
    view = request.args.get("view", "quarter")
    view = view if view in VIEWS else "quarter"
    period = None
    if request.args.get("p"):
        try:
            period = periods.parse_period(request.args["p"])
            view = _view_of(period)
        except ValueError:
            period = None
    if found is None:
        return render("kiosk/finance.html", summary=None, back_url=face_url("home", code=code))
    first, last = found
    if period is None:
        period = _period_of(view, last)
    chart_period = periods.quarter_of(period.start) if view == "month" else period
    figures = public.period_figures(village, period, today(), chart_period)
    prev_day, next_day = period.start - dt.timedelta(days=1), period.end + dt.timedelta(days=1)
    switch = {v: periods.period_key(_period_of(v, min(period.end, last))) for v in VIEWS}
    return render(
        "kiosk/finance.html", summary=figures, view=view, view_names=VIEW_NAMES, switch=switch,
        sentence=figures.sentence, months=figures.months, chart=_months_chart(figures.months),
        income_svg=charts.breakdown_svg(figures.subject_rows("income"), width=chart_width(),
                                        colour=charts.INCOME_COLOUR, title="收入按类别分"),
        expense_svg=charts.breakdown_svg(figures.subject_rows("expense"), width=chart_width(),
                                         title="支出按类别分"),
        prev_key=periods.period_key(_period_of(view, prev_day)) if prev_day >= first else None,
        next_key=periods.period_key(_period_of(view, next_day)) if next_day <= last else None,
        period_key=periods.period_key, back_url=face_url("home", code=code),
    )


def finance_month(code: str, key: str):
    village = village_or_404(code)
    try:
        period = periods.parse_period(key)
    except ValueError:
        abort(404)
    figures = public.period_figures(village, period, today())
    lines = public.period_lines(village, period)
    back = face_url("finance", code=code, p=periods.period_key(periods.quarter_of(period.start)))
    return render("kiosk/finance_month.html", period=period, summary=figures, lines=lines,
                  sentence=figures.sentence, income_fen=figures.income_fen, expense_fen=figures.expense_fen,
                  back_url=back)


def ledger_line(line_id: int):
    found = public.public_ledger_line(line_id)
    if found is None:
        abort(404)
    line, notice = found
    g.village = public.village_view(notice.village)
    back = face_url("finance_month", code=notice.village.code,
                    key=periods.period_key(periods.month_of(line.occurred_on)))
    return render("kiosk/line.html", line=line, notice=public.notice_view(notice, today()), back_url=back)


def voucher_page(voucher_id: int):
    """One receipt photo, large and zoomable, inside the face's own page (with
    返回/首页 and, on the kiosk, the idle timer): never a bare JPEG."""
    voucher = public.public_voucher(voucher_id)
    if voucher is None:
        abort(404)
    notice = voucher.line.notice
    g.village = public.village_view(notice.village)
    line = public.ledger_view(voucher.line)
    ids = list(line.voucher_ids)
    at = ids.index(voucher_id)
    return render("kiosk/voucher.html", line=line, voucher_id=voucher_id, number=at + 1, count=len(ids),
                  prev_id=ids[at - 1] if at > 0 else None, next_id=ids[at + 1] if at + 1 < len(ids) else None,
                  back_url=face_url("ledger_line", line_id=line.id))


def attachment_page(attachment_id: int):
    """A public attachment as page images, inside the face's own page (返回 to
    the notice; on the kiosk the idle timer): the kiosk never opens a PDF."""
    found = public.public_attachment(attachment_id)
    if found is None:
        abort(404)
    attachment, notice = found
    g.village = public.village_view(notice.village)
    return render("kiosk/attachment.html", attachment=attachment, notice=public.notice_view(notice, today()),
                  back_url=face_url("notice", notice_id=notice.id))


def category_page(code: str, category: str):
    village = village_or_404(code)
    if category not in CATEGORIES:
        abort(404)
    notices = public.published_notices(village, category)
    counts = public.roster_counts([n.id for n in notices])
    views = public.notice_views(notices, today())
    current = [v for v in views if v.state.code not in ("superseded", "withdrawn")]
    older = [v for v in views if v.state.code in ("superseded", "withdrawn")]
    sections: dict[str, list] = {}
    for v in current:
        sections.setdefault(v.kind_name or CATEGORIES[category].name, []).append(v)
    return render("kiosk/category.html", category=CATEGORIES[category], sections=sections, older=older,
                  counts=counts, back_url=face_url("home", code=code))


def projects_page(code: str):
    village = village_or_404(code)
    cards = [(public.notice_view(n, today()), p, [public.notice_view(e, today()) for e in earlier])
             for n, p, earlier in public.project_cards(village)]
    return render("kiosk/projects.html", cards=cards, back_url=face_url("home", code=code))


def notice_page(notice_id: int):
    notice = notice_or_404(notice_id)
    view = public.notice_view(notice, today())
    code = view.village_code
    context: dict = {"notice": view}
    if notice.category == "finance":  # (relationships are loaded only where needed)
        figures = public.notice_figures(notice)
        context.update(lines=public.ledger_lines(notice.ledger_lines), figures=figures,
                       income_fen=figures.income_fen, expense_fen=figures.expense_fen, sentence=figures.sentence,
                       chart=_months_chart(figures.months, height=340))
    if notice.roster_kind:
        typed = public.clean_initials(request.args.get("q"))
        group_no = request.args.get("g", type=int)
        page_no = max(request.args.get("page", 1, type=int), 1)
        roster = public.roster_search(notice, typed, group_no, offset=(page_no - 1) * ROSTER_PAGE_SIZE,
                                      limit=ROSTER_PAGE_SIZE)
        roster_table = public.tables.as_text(public.tables.roster_page_table(notice, roster),
                                             notice.period_start, notice.period_end)
        context.update(roster=roster, roster_table=roster_table, typed=typed, group_no=group_no, page_no=page_no,
                       pages=max(1, -(-roster.found // ROSTER_PAGE_SIZE)), kind=ROSTER_KINDS.get(notice.roster_kind),
                       standards=public.roster_standards(notice), letters="ABCDEFGHJKLMNOPQRSTWXYZ")
    if notice.project is not None:
        context["project"] = public.project_view(notice)
    context["attachments"] = public.attachment_views(notice)
    if notice.decision is not None:
        context["decision"] = public.decision_view(notice, today())
    if notice.category == "assets":
        context["asset_table"] = public.tables.as_text(public.tables.asset_table(public.asset_views(notice)),
                                                       notice.period_start, notice.period_end)
    if view.category == "finance":
        back = face_url("finance", code=code, p=periods.period_key(periods.quarter_of(view.period_start)))
    elif view.category == "project":
        back = face_url("projects", code=code)
    else:
        back = face_url("category", code=code, category=view.category)
    return render("kiosk/notice.html", back_url=back, **context)


def register_pages(blueprint: Blueprint) -> None:
    """The pages both faces share; endpoint names are the same on both."""
    blueprint.add_url_rule("/", "village_list", village_list, methods=["GET"])
    blueprint.add_url_rule("/<code>/finance", "finance", finance_page, methods=["GET"])
    blueprint.add_url_rule("/<code>/finance/<key>", "finance_month", finance_month, methods=["GET"])
    blueprint.add_url_rule("/<code>/c/<category>", "category", category_page, methods=["GET"])
    blueprint.add_url_rule("/<code>/projects", "projects", projects_page, methods=["GET"])
    blueprint.add_url_rule("/notice/<int:notice_id>", "notice", notice_page, methods=["GET"])
    blueprint.add_url_rule("/line/<int:line_id>", "ledger_line", ledger_line, methods=["GET"])
    blueprint.add_url_rule("/voucher/<int:voucher_id>", "voucher_page", voucher_page, methods=["GET"])
    blueprint.add_url_rule("/attachment/<int:attachment_id>", "attachment", attachment_page, methods=["GET"])


register_pages(bp)
bp.add_url_rule("/<code>/home", "home", home, methods=["GET"])


# Kiosk only ------------------------------------------------------------------

@bp.get("/<code>")
def attract(code: str):
    village = village_or_404(code)
    latest = public.notice_views(public.published_notices(village, current_only=True)[:6], today())
    return render("kiosk/attract.html", latest=latest)


def _voucher_file(voucher_id: int, thumb: bool):
    voucher = public.public_voucher(voucher_id)
    if voucher is None:
        abort(404)
    from disclosure.vouchers import photo

    data = photo(voucher.sha256, thumb)
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=86400)


@bp.get("/voucher/<int:voucher_id>.jpg")
def voucher(voucher_id: int):
    return _voucher_file(voucher_id, False)


@bp.get("/voucher/<int:voucher_id>.thumb.jpg")
def voucher_thumb(voucher_id: int):
    return _voucher_file(voucher_id, True)


@bp.get("/attachment/<int:attachment_id>/page/<int:page_no>.jpg")
def attachment_page_image(attachment_id: int, page_no: int):
    data = public.public_attachment_file(attachment_id, page_no)
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=86400)


@bp.get("/attachment/<int:attachment_id>/file")
def attachment_file(attachment_id: int):
    """The stored file of a public attachment, to take home from the phone
    page: always a download (a PDF never opens inside the board's pages)."""
    found = public.public_attachment(attachment_id)
    data = public.public_attachment_file(attachment_id)
    if found is None or data is None:
        abort(404)
    attachment = found[0]
    is_pdf = attachment.kind == "pdf"
    return send_file(io.BytesIO(data), mimetype="application/pdf" if is_pdf else "image/jpeg", as_attachment=True,
                     download_name=f"{attachment.title}.{'pdf' if is_pdf else 'jpg'}", max_age=86400)


@public_bp.get("/sw.js")
def service_worker():
    """The offline service worker, served from the root so its scope covers
    /kiosk/ and /m/ (it leaves every other path alone)."""
    response = current_app.response_class(service_worker_script(current_app.static_folder),
                                          mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _printed_pdf(notice) -> bytes | None:  # noqa: ANN001 - a public Notice
    """The stored A4 PDF; None while the renderer makes it."""
    from .printed import notice_pdf_file

    return notice_pdf_file(notice)


@bp.get("/notice/<int:notice_id>/print")
def notice_print(notice_id: int):
    """打印版 on the kiosk: the printed pages as images (Chromium's PDF viewer
    is a dead end on a touch screen) and a QR code to take the PDF home."""
    notice = notice_or_404(notice_id)
    view = public.notice_view(notice, today())
    pdf_url = public_base() + url_for("public.notice_pdf", notice_id=notice_id)
    pdf = _printed_pdf(notice)
    from .printed import REFRESH_SECONDS, page_pictures

    return render("kiosk/notice_print.html", notice=view, pages=page_pictures(pdf) if pdf else 0, pending=pdf is None,
                  refresh_seconds=REFRESH_SECONDS,
                  pdf_qr=qr_svg(pdf_url, label="手机扫码下载这份公示的PDF"),
                  back_url=url_for("kiosk.notice", notice_id=notice_id))


@bp.get("/notice/<int:notice_id>/print/<int:page_no>.png")
def notice_print_page(notice_id: int, page_no: int):
    from .printed import page_picture

    notice = notice_or_404(notice_id)
    pdf = _printed_pdf(notice)
    picture = page_picture(pdf, page_no) if pdf else None
    if picture is None:
        abort(404)
    return send_file(io.BytesIO(picture), mimetype="image/png", max_age=300)


@public_bp.get("/favicon.ico")
def favicon():
    """Browsers ask the root for it, the staff pages too."""
    return send_from_directory(current_app.static_folder, "common/favicon.ico", mimetype="image/x-icon",
                               max_age=86400)


@bp.get("/<code>/")
def attract_slash(code: str):
    return redirect(url_for("kiosk.attract", code=code))
