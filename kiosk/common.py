"""Helpers every public page uses (mirroring admin/common.py): which face
(kiosk or phone) a request is on, its links and QR codes, the page render, and
the public lookups that 404 (village by code, notice by id). Reads go through
disclosure.public only."""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, render_template, request, url_for

from disclosure import charts, clock, config, public
from disclosure.qr import qr_svg

from . import bp

BASES = {"kiosk": "kiosk/base.html", "mobile": "mobile/base.html"}
#: Kiosk endpoints whose phone page has another name.
PHONE_ENDPOINT = {"attract": "home"}


def today() -> dt.date:
    return clock.china_today()


def face() -> str:
    return "mobile" if request.blueprint == "mobile" else "kiosk"


def face_url(name: str, **values) -> str:
    return url_for(f"{face()}.{name}", **values)


def public_base() -> str:
    return config.public_base(current_app.config.get("PUBLIC_BASE_URL"), request.host_url)


#: The longest query value carried into the phone QR code (keypad letters, a search word, a period).
PHONE_ARG_MAX = 40


def phone_url() -> str | None:
    """The phone page showing what this kiosk screen shows, as an absolute URL."""
    endpoint = request.endpoint or ""
    blueprint, _, name = endpoint.partition(".")
    if blueprint != "kiosk":
        return None
    target = f"mobile.{PHONE_ENDPOINT.get(name, name)}"
    if target not in current_app.view_functions:
        return None
    # Only what a screen can have typed or tapped: an overlong value (a pasted or hostile
    # query) is left off, or the URL would not fit in a QR code at all.
    args = {k: v for k, v in request.args.items()
            if k in ("view", "p", "g", "q", "c", "y", "v") and len(v) <= PHONE_ARG_MAX}
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
            "progress_svg": charts.progress_svg, "ledger_columns": public.tables.LEDGER_COLUMNS,
            "fund_table": fund_table}


def fund_table(project: public.PublicProject) -> public.Table:
    """A project's 资金来源及规模 as the PDF and the files show it, cells as text."""
    return public.tables.as_text(public.tables.fund_table(project), project.starts_on, project.ends_on)


def render(template: str, **context) -> str:
    context.setdefault("back_url", None)
    return render_template(template, base_template=BASES[face()], face=face(),
                           idle_seconds=int(current_app.config.get("KIOSK_IDLE_SECONDS", 90)), **context)


def village_or_404(code: str) -> public.Village:
    village = public.village_or_404(code)
    g.village = public.village_view(village)
    return village


def notice_or_404(notice_id: int):
    notice = public.notice_or_404(notice_id)
    g.village = public.village_view(notice.village)
    return notice


def chart_width() -> int:
    return 420 if face() == "mobile" else 900
