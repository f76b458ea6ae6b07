"""我领了什么: a villager finds every payment made to them. Kiosk
/kiosk/<village>/lookup (a large number keypad with X and surname keys, no
system keyboard) and phone /m/lookup (?code=<village> from the village page).

The ID number arrives only in a POST body, is turned into its fingerprint
by the lookup service and is never sent back: not in the page, not in a URL,
not in a cookie. Every answer is ``Cache-Control: no-store`` (the service
worker caches GET pages only and skips no-store ones). The slip (A5 PDF) and
有疑问 on a line refer to the lookup by a signed, short-lived token holding
the log entry's number and the surname, never the ID.

Limits: 10 lookups per 10 minutes per address (their own moving window,
per app, so the answer is this module's Chinese 429 page) and 20 per ID per
day (the service, by fingerprint). "No payments" and "wrong surname" give
the same page, padded to the same minimum time.
"""

from __future__ import annotations

import time

from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from disclosure import render
from disclosure.clock import china_time, china_today
from disclosure.extensions import db, limiter
from disclosure.public import CONCERNS, Village, utcnow
from disclosure.qr import qr_svg
from disclosure.services import ServiceError
from disclosure.services import lookup as service

from . import bp, mobile_bp
from .common import BASES, face, village_or_404
from .forms import FollowUpForm, LookupForm
from .questions import phone_ticket_url

ADDRESS_LIMIT = parse("10 per 10 minutes")
#: Slip and question requests (they replay a lookup, they do not make one).
FOLLOW_UP_LIMIT = "30 per 10 minutes"
TOKEN_SECONDS = 15 * 60
DEFAULT_MIN_SECONDS = 0.35
DEFAULT_IDLE_SECONDS = 60


# Helpers -------------------------------------------------------------------------

def _address_allowed() -> bool:
    """10 lookups per 10 minutes from one address (kiosk or phone alike)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    window = current_app.extensions.get("lookup_window")
    if window is None:
        store = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
        window = current_app.extensions["lookup_window"] = MovingWindowRateLimiter(store)
    return window.hit(ADDRESS_LIMIT, "lookup", get_remote_address())


def _county() -> bool:
    """Search the county (every township with the same county name) on
    PostgreSQL, the township on SQLite; LOOKUP_SCOPE overrides."""
    scope = current_app.config.get("LOOKUP_SCOPE")
    if scope:
        return scope == "county"
    return db.engine.dialect.name == "postgresql"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lookup-result")


def _code(village: Village | None) -> str:
    return village.code if village else ""


def _token(outcome: service.Outcome, village: Village | None) -> str:
    return _serializer().dumps({"l": outcome.log_id, "s": outcome.surname, "v": _code(village), "f": face()})


def _read_token(token: str, village: Village | None) -> tuple[int, str] | None:
    try:
        data = _serializer().loads(token or "", max_age=TOKEN_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("v") != _code(village) or data.get("f") != face():
        return None
    return int(data["l"]), str(data["s"])


def _village_from_args() -> Village | None:
    code = request.args.get("code", "")
    return village_or_404(code) if code else None


def _urls(village: Village | None) -> dict[str, str]:
    """The lookup's own addresses on this face."""
    if face() == "kiosk":
        code = village.code  # the kiosk always has its village
        return {"form": url_for("kiosk.lookup", code=code), "slip": url_for("kiosk.lookup_slip", code=code),
                "question": url_for("kiosk.lookup_question", code=code), "home": url_for("kiosk.home", code=code)}
    args = {"code": village.code} if village else {}
    return {"form": url_for("mobile.lookup", **args), "slip": url_for("mobile.lookup_slip", **args),
            "question": url_for("mobile.lookup_question", **args),
            "home": url_for("mobile.home", code=village.code) if village else url_for("mobile.village_list")}


def _page(template: str, village: Village | None, status: int = 200, **context):  # noqa: ANN003
    idle = min(int(current_app.config.get("LOOKUP_IDLE_SECONDS", DEFAULT_IDLE_SECONDS)),
               int(current_app.config.get("KIOSK_IDLE_SECONDS", 90)))
    context.setdefault("back_url", None)
    html = render_template(template, base_template=BASES[face()], face=face(), idle_seconds=idle,
                           urls=_urls(village), **context)
    return _private(make_response(html, status))


def _private(response):  # noqa: ANN001, ANN202
    """Nothing of a lookup is kept: not by the browser, a proxy or the service worker."""
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Pragma"] = "no-cache"
    return response


def _even_out(started: float) -> None:
    """Answer no sooner than LOOKUP_MIN_SECONDS after the request began, so a
    found-but-wrong-surname lookup takes as long as one of an unknown ID."""
    floor = float(current_app.config.get("LOOKUP_MIN_SECONDS", DEFAULT_MIN_SECONDS))
    left = floor - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def _limited(village: Village | None, reason: str):  # noqa: ANN202
    return _page("kiosk/lookup_limited.html", village, 429, reason=reason, back_url=_urls(village)["home"])


# The lookup -------------------------------------------------------------------------

def _lookup(village: Village | None):  # noqa: ANN202
    form = LookupForm()
    form_template = "kiosk/lookup.html" if face() == "kiosk" else "mobile/lookup.html"
    back = _urls(village)["home"]

    def form_page(status: int = 200, error: str = "", field: str = ""):  # noqa: ANN202
        form.id_number.data = ""  # the typed number is never sent back
        surnames = service.surname_choices(village) if village and face() == "kiosk" else ([], {})
        return _page(form_template, village, status, form=form, error=error, error_field=field,
                     common_surnames=surnames[0], surnames_by_letter=surnames[1], back_url=back)

    if request.method == "GET":
        return form_page()
    if not form.validate_on_submit():  # CSRF
        return form_page(400, "页面已过期，请重新输入。")
    if not _address_allowed():
        return _limited(village, "address")
    started = time.monotonic()
    try:
        outcome = service.lookup(request.form.get("id_number"), request.form.get("name"), village=village,
                                 channel="kiosk" if face() == "kiosk" else "phone", county=_county(),
                                 today=china_today())
    except service.LookupRefused as err:
        db.session.commit()  # the refused attempt stays in the log (no ID in it)
        return form_page(400, err.message, err.field or "")
    except service.LookupLimited:
        db.session.commit()
        return _limited(village, "id")
    db.session.commit()
    _even_out(started)
    return _page("kiosk/lookup_result.html", village, result=outcome.result, token=_token(outcome, village),
                 follow_form=FollowUpForm(formdata=None), back_url=_urls(village)["form"])


@bp.route("/<code>/lookup", methods=["GET", "POST"], endpoint="lookup")
def kiosk_lookup(code: str):
    return _lookup(village_or_404(code))


@mobile_bp.route("/lookup", methods=["GET", "POST"], endpoint="lookup")
def phone_lookup():
    return _lookup(_village_from_args())


# Follow-ups: the slip and 有疑问 ---------------------------------------------------------

def _replayed(village: Village | None) -> tuple[FollowUpForm, service.LookupResult | None]:
    form = FollowUpForm()
    if not form.validate_on_submit():
        abort(400)
    found = _read_token(form.token.data, village)
    if found is None:
        return form, None
    log_id, surname = found
    result = service.replay(log_id, surname, village=village, county=_county(), today=china_today())
    return form, result if result.found else None


def _expired(village: Village | None):  # noqa: ANN202
    return _page("kiosk/lookup_limited.html", village, 410, reason="expired", back_url=_urls(village)["form"])


def _slip(village: Village | None):  # noqa: ANN202
    _, result = _replayed(village)
    if result is None:
        return _expired(village)
    html = render_template("kiosk/lookup_slip.html", result=result, village=g.get("village"),
                           printed_at=china_time(utcnow()))
    data = render.render_isolated(html, request.host_url)  # WeasyPrint never enters the web worker
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = "inline; filename*=UTF-8''%E6%88%91%E9%A2%86%E4%BA%86%E4%BB%80%E4%B9%88.pdf"
    return _private(response)


@bp.post("/<code>/lookup/slip", endpoint="lookup_slip")
@limiter.limit(FOLLOW_UP_LIMIT)
def kiosk_slip(code: str):
    return _slip(village_or_404(code))


@mobile_bp.post("/lookup/slip", endpoint="lookup_slip")
@limiter.limit(FOLLOW_UP_LIMIT)
def phone_slip():
    return _slip(_village_from_args())


def _question(village: Village | None):  # noqa: ANN202
    form, result = _replayed(village)
    if result is None:
        return _expired(village)
    line_id = int(form.line.data) if (form.line.data or "").isdigit() else 0
    line = next((l for l in result.lines if l.line_id == line_id and l.is_askable), None)
    if line is None:
        abort(404)
    concern = request.form.get("concern", "")
    if concern not in CONCERNS:  # first step: which concern
        return _page("kiosk/lookup_question.html", village, line=line, token=form.token.data, concerns=CONCERNS,
                     follow_form=form, asked=None, back_url=_urls(village)["form"])
    try:
        question = service.ask_about(result, line.line_id, channel="kiosk" if face() == "kiosk" else "phone",
                                     concern=concern)
    except ServiceError as err:
        db.session.rollback()
        return _page("kiosk/lookup_limited.html", village, 400, reason="refused", message=err.message,
                     back_url=_urls(village)["form"])
    db.session.commit()
    ticket_url = phone_ticket_url(question.ticket_no)
    return _page("kiosk/lookup_question.html", village, line=line, asked=question.ticket_no,
                 ticket_url=url_for("mobile.ticket", no=question.ticket_no),
                 ticket_qr=qr_svg(ticket_url, label="手机扫码保存编号、查看答复") if face() == "kiosk" else "",
                 back_url=_urls(village)["home"])


@bp.post("/<code>/lookup/question", endpoint="lookup_question")
@limiter.limit(FOLLOW_UP_LIMIT)
def kiosk_question(code: str):
    return _question(village_or_404(code))


@mobile_bp.post("/lookup/question", endpoint="lookup_question")
@limiter.limit(FOLLOW_UP_LIMIT)
def phone_question():
    return _question(_village_from_args())
