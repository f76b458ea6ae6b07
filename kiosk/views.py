"""Kiosk screens (/kiosk) and, through :func:`register_pages`, the same pages
for phones (/m). Views are thin: they parse the request, ask disclosure.public
and the finance service, and render. Templates receive public view objects
only (disclosure.public), never ORM rows.

One set of content templates serves both faces: each page extends
``base_template`` (kiosk/base.html or mobile/base.html), and links are built
with ``face_url(name, ...)`` so a kiosk page links to kiosk pages and a phone
page to phone pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import (
    Blueprint, abort, current_app, g, redirect, render_template, request, send_file, send_from_directory, url_for,
)
from sqlalchemy import select

from disclosure import charts, periods, printing, public
from disclosure.catalogue import CATEGORIES, ROSTER_KINDS
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import CURRENT_STATUSES, Village
from disclosure.qr import qr_svg
from disclosure.services import finance

from . import bp, public_bp

BASES = {"kiosk": "kiosk/base.html", "mobile": "mobile/base.html"}
#: Kiosk endpoints whose phone page has another name.
PHONE_ENDPOINT = {"attract": "home"}
ROSTER_PAGE_SIZE = 40
VIEWS = ("month", "quarter", "year")
VIEW_NAMES = {"month": "月", "quarter": "季度", "year": "年"}


# Shared helpers -----------------------------------------------------------

def today() -> dt.date:
    return china_today()


def face() -> str:
    return "mobile" if request.blueprint == "mobile" else "kiosk"


def face_url(name: str, **values) -> str:
    return url_for(f"{face()}.{name}", **values)


def public_base() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def phone_url() -> str | None:
    """The phone page showing what this kiosk screen shows, as an absolute URL."""
    endpoint = request.endpoint or ""
    blueprint, _, name = endpoint.partition(".")
    if blueprint != "kiosk":
        return None
    target = f"mobile.{PHONE_ENDPOINT.get(name, name)}"
    if target not in current_app.view_functions:
        return None
    args = {k: v for k, v in request.args.items() if k in ("view", "p", "g")}
    return public_base() + url_for(target, **(request.view_args or {}), **args)


def phone_qr_svg(url: str | None = None) -> str:
    url = url or phone_url()
    return qr_svg(url, label="手机扫码查看本页") if url else ""


def notice_phone_url(notice_id: int) -> str:
    return public_base() + url_for("mobile.notice", notice_id=notice_id)


def optional_url(endpoint: str, **values) -> str | None:
    """url_for, or None while another engineer's endpoint does not exist yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def print_url(notice_id: int) -> str | None:
    return optional_url("public.notice_pdf", notice_id=notice_id)


def feed_url(village_code: str) -> str | None:
    return optional_url("public.feed", village_code=village_code)


@bp.app_context_processor
def _helpers() -> dict:
    return {"face_url": face_url, "phone_qr_svg": phone_qr_svg, "print_url": print_url, "feed_url": feed_url,
            "notice_phone_url": notice_phone_url, "qr_svg": qr_svg,
            "progress_svg": charts.progress_svg}


def render(template: str, **context) -> str:
    context.setdefault("back_url", None)
    return render_template(template, base_template=BASES[face()], face=face(),
                           idle_seconds=int(current_app.config.get("KIOSK_IDLE_SECONDS", 90)), **context)


def village_or_404(code: str) -> Village:
    village = db.session.execute(select(Village).where(Village.code == code)).scalar_one_or_none()
    if village is None:
        abort(404)
    g.village = public.village_view(village)
    return village


def notice_or_404(notice_id: int):
    notice = public.public_notice_or_none(notice_id)
    if notice is None:
        abort(404)
    g.village = public.village_view(notice.village)
    return notice


def chart_width() -> int:
    return 420 if face() == "mobile" else 900


def tile_url(code: str, category: str) -> str:
    if category == "finance":
        return face_url("finance", code=code)
    if category == "project":
        return face_url("projects", code=code)
    return face_url("category", code=code, category=category)


def _months_chart(months: list[finance.Summary]) -> str:
    rows = [(f"{m.period.start.month}月", m.income_fen, m.expense_fen) for m in months]
    return charts.bar_chart_svg(rows, width=chart_width(), height=380 if face() == "kiosk" else 300)


def _period_of(view: str, day: dt.date) -> periods.Period:
    return {"month": periods.month_of, "quarter": periods.quarter_of, "year": lambda d: periods.year(d.year)}[view](day)


def _view_of(period: periods.Period) -> str:
    if period.start.month == period.end.month:
        return "month"
    return "year" if (period.start.month, period.end.month) == (1, 12) else "quarter"


# Pages (both faces) ---------------------------------------------------------

def village_list():
    villages = db.session.execute(select(Village).order_by(Village.code)).scalars().all()
    return render("kiosk/village_list.html", villages=[public.village_view(v) for v in villages])


def home(code: str):
    village = village_or_404(code)
    tiles = [(tile, tile_url(code, tile.code)) for tile in public.category_tiles(village)]
    back = url_for("kiosk.attract", code=code) if face() == "kiosk" else None
    return render("kiosk/home.html", tiles=tiles, back_url=back)


def finance_page(code: str):
    village = village_or_404(code)
    found = finance.span(village)
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
    summary = finance.summarize(village, period)
    chart_period = periods.quarter_of(period.start) if view == "month" else period
    months = finance.monthly(village, chart_period)
    prev_day, next_day = period.start - dt.timedelta(days=1), period.end + dt.timedelta(days=1)
    switch = {v: periods.period_key(_period_of(v, min(period.end, last))) for v in VIEWS}
    return render(
        "kiosk/finance.html", summary=summary, view=view, view_names=VIEW_NAMES, switch=switch,
        sentence=finance.sentence(summary, finance.period_noun(period, today())),
        months=months, chart=_months_chart(months),
        income_svg=charts.breakdown_svg(finance.subject_rows(summary, "income"), width=chart_width(),
                                        colour=charts.INCOME_COLOUR, title="收入按类别分"),
        expense_svg=charts.breakdown_svg(finance.subject_rows(summary, "expense"), width=chart_width(),
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
    summary = finance.summarize(village, period)
    lines = public.ledger_lines(finance.lines(village, period))
    back = face_url("finance", code=code, p=periods.period_key(periods.quarter_of(period.start)))
    return render("kiosk/finance_month.html", period=period, summary=summary, lines=lines,
                  sentence=finance.sentence(summary, finance.period_noun(period, today())),
                  income_fen=sum(l.amount_fen for l in lines if l.direction == "income"),
                  expense_fen=sum(l.amount_fen for l in lines if l.direction == "expense"), back_url=back)


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


def category_page(code: str, category: str):
    village = village_or_404(code)
    if category not in CATEGORIES:
        abort(404)
    notices = public.published_notices(village, category)
    counts = public.roster_counts([n.id for n in notices])
    views = [public.notice_view(n, today()) for n in notices]
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
        lines = public.ledger_lines(notice.ledger_lines)
        income = sum(l.amount_fen for l in lines if l.direction == "income")
        expense = sum(l.amount_fen for l in lines if l.direction == "expense")
        by_month: dict[periods.Period, list[int]] = {}
        for l in lines:
            slot = by_month.setdefault(periods.month_of(l.occurred_on), [0, 0, 0])
            slot[0 if l.direction == "income" else 1] += l.amount_fen
            slot[2] += 1
        context.update(lines=lines, income_fen=income, expense_fen=expense, by_month=by_month,
                       period_key=periods.period_key,
                       chart=charts.bar_chart_svg([(f"{m.start.month}月", i, e) for m, (i, e, _) in by_month.items()],
                                                  width=chart_width(), height=340))
        if notice.status in CURRENT_STATUSES:
            summary = finance.summarize(notice.village, periods.Period(notice.period_start, notice.period_end,
                                                                       notice.period_label))
            context["sentence"] = finance.sentence(summary, notice.period_label)
    if notice.roster_kind:
        typed = public.clean_initials(request.args.get("q"))
        group_no = request.args.get("g", type=int)
        page_no = max(request.args.get("page", 1, type=int), 1)
        roster = public.roster_search(notice, typed, group_no, offset=(page_no - 1) * ROSTER_PAGE_SIZE,
                                      limit=ROSTER_PAGE_SIZE)
        context.update(roster=roster, typed=typed, group_no=group_no, page_no=page_no,
                       pages=max(1, -(-roster.found // ROSTER_PAGE_SIZE)), kind=ROSTER_KINDS.get(notice.roster_kind),
                       letters="ABCDEFGHJKLMNOPQRSTWXYZ")
    if notice.project is not None:
        context["project"] = public.project_view(notice)
    if notice.category == "assets":
        assets = public.asset_views(notice)
        context.update(assets=assets, assets_fen=sum(a.annual_income_fen for a in assets))
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


register_pages(bp)
bp.add_url_rule("/<code>/home", "home", home, methods=["GET"])


# Kiosk only ------------------------------------------------------------------

@bp.get("/<code>")
def attract(code: str):
    village = village_or_404(code)
    latest = [public.notice_view(n, today()) for n in public.published_notices(village, current_only=True)[:6]]
    return render("kiosk/attract.html", latest=latest)


def _voucher_file(voucher_id: int, thumb: bool):
    voucher = public.public_voucher(voucher_id)
    if voucher is None:
        abort(404)
    from disclosure.vouchers import voucher_path

    path = Path(voucher_path(voucher.sha256, thumb))
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400)


@bp.get("/voucher/<int:voucher_id>.jpg")
def voucher(voucher_id: int):
    return _voucher_file(voucher_id, False)


@bp.get("/voucher/<int:voucher_id>.thumb.jpg")
def voucher_thumb(voucher_id: int):
    return _voucher_file(voucher_id, True)


@public_bp.get("/sw.js")
def service_worker():
    """The offline service worker, served from the root so its scope covers
    /kiosk/ and /m/ (it leaves every other path alone)."""
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _printed_pages(notice) -> list[Path] | None:  # noqa: ANN001 - a public Notice
    """Page images of the stored A4 PDF; None while the renderer makes it."""
    from .printed import cache_dir, notice_pdf_file

    path = notice_pdf_file(notice)
    return None if path is None else printing.page_images(path.read_bytes(), cache_dir())


@bp.get("/notice/<int:notice_id>/print")
def notice_print(notice_id: int):
    """打印版 on the kiosk: the printed pages as images (Chromium's PDF viewer
    is a dead end on a touch screen) and a QR code to take the PDF home."""
    notice = notice_or_404(notice_id)
    view = public.notice_view(notice, today())
    pdf_url = public_base() + url_for("public.notice_pdf", notice_id=notice_id)
    pages = _printed_pages(notice)
    from .printed import REFRESH_SECONDS

    return render("kiosk/notice_print.html", notice=view, pages=len(pages or ()), pending=pages is None,
                  refresh_seconds=REFRESH_SECONDS,
                  pdf_qr=qr_svg(pdf_url, label="手机扫码下载这份公示的PDF"),
                  back_url=url_for("kiosk.notice", notice_id=notice_id))


@bp.get("/notice/<int:notice_id>/print/<int:page_no>.png")
def notice_print_page(notice_id: int, page_no: int):
    notice = notice_or_404(notice_id)
    pages = _printed_pages(notice) or []
    if not 1 <= page_no <= len(pages):
        abort(404)
    return send_file(pages[page_no - 1], mimetype="image/png", max_age=300)


@public_bp.get("/favicon.ico")
def favicon():
    """Browsers ask the root for it, the staff pages too."""
    return send_from_directory(current_app.static_folder, "common/favicon.ico", mimetype="image/x-icon",
                               max_age=86400)


@bp.get("/<code>/")
def attract_slash(code: str):
    return redirect(url_for("kiosk.attract", code=code))
