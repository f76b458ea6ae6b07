"""我有疑问: the villagers' only write. On the phone (/m) a short form (free
text, optional contact seen only by staff, 疑问 or 异议); on the kiosk, which
has no keyboard, one button per common concern plus a QR code to continue on
the phone. Each gets a ticket number; the answer is looked up by number
(/m/ticket, and on the kiosk a number keypad at /kiosk/ticket).

Spam: Flask-Limiter per address on every POST, a honeypot field hidden by a
CSS class (a filled one is dropped without a word), CSRF on (Flask-WTF).
"""

from __future__ import annotations

from flask import Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

from disclosure import public
from disclosure.clock import china_today
from disclosure.extensions import db, limiter
from disclosure.public import CONCERNS, Notice
from disclosure.qr import qr_svg
from disclosure.services import ServiceError
from disclosure.services import feedback as service
from disclosure.services import requests as requests_service

from . import bp, mobile_bp
from .common import public_base
from .forms import KioskQuestionForm, QuestionForm

PHONE_LIMIT = "5/minute;30/day"
#: A kiosk is one address for a whole village hall.
KIOSK_LIMIT = "10/minute;200/day"
LOOKUP_LIMIT = "30/minute;300/day"
def show_refusal(form: FlaskForm, err: ServiceError) -> None:
    """Roll back and show a service's refusal next to its field, or above the form."""
    db.session.rollback()
    field = getattr(form, err.field or "", None)
    if field is not None:
        field.errors = [*list(field.errors or []), err.message]
    else:
        form.form_errors.append(err.message)


def _askable_or_404(notice_id: int) -> Notice:
    notice = public.public_notice_or_none(notice_id)
    if notice is None or notice.status not in service.ASKABLE_STATUSES:
        abort(404)
    g.village = public.village_view(notice.village)
    return notice


def phone_question_url(notice_id: int) -> str:
    return public_base() + url_for("mobile.question", notice_id=notice_id)


def phone_ticket_url(ticket_no: str) -> str:
    return public_base() + url_for("mobile.ticket", no=ticket_no)


@bp.app_context_processor
def _question_helpers() -> dict:
    return {
        "question_answers": service.public_answers,
        "question_open_count": service.open_count,
        "question_phone_qr": lambda notice_id: qr_svg(phone_question_url(notice_id), label="手机扫码写下您的问题"),
        "question_concerns": CONCERNS,
        "question_askable": lambda view: view.state.code in ("active", "ended", "on_hold"),
        "phone_question_form": shared_question_form,
        "phone_ticket_url": phone_ticket_url,
    }


# Phone ----------------------------------------------------------------------------

def shared_question_form() -> QuestionForm:
    """The question form of the phone notice page, a page every visitor is
    served from the page cache: without a CSRF token (rendering one would
    tie the page to one session). static/common/ask.js fetches the visitor's
    own from form_token on 提交; without script the page links to the form
    page (phone_question), which renders its own."""
    return QuestionForm(meta={"csrf": False})


@mobile_bp.get("/form-token", endpoint="form_token")
def form_token() -> Response:
    """This visitor's CSRF token, for a form on a shared page (static/common/ask.js).
    Never stored by anyone: it belongs to this session. Another site cannot read
    it (no CORS header; a cross-site request carries no session cookie)."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@mobile_bp.route("/notice/<int:notice_id>/question", methods=["GET", "POST"], endpoint="question")
@limiter.limit(PHONE_LIMIT, methods=["POST"])
def phone_question(notice_id: int):
    notice = _askable_or_404(notice_id)
    view = public.notice_view(notice, china_today())
    form = QuestionForm()
    if form.validate_on_submit():
        if form.website.data:  # honeypot: say nothing, keep nothing
            return redirect(url_for("mobile.ticket", sent=1))
        try:
            q = service.ask(notice, channel="phone", concern=form.concern.data or "其他", text=form.text.data or "",
                            contact=form.contact.data or "", is_objection=form.kind.data == "objection")
        except ServiceError as err:
            show_refusal(form, err)
        else:
            db.session.commit()
            return redirect(url_for("mobile.ticket", no=q.ticket_no, new=1))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("mobile/question.html", form=form, notice=view,
                           back_url=url_for("mobile.notice", notice_id=notice_id)), status


@mobile_bp.get("/ticket", endpoint="ticket")
@limiter.limit(LOOKUP_LIMIT)
def phone_ticket():
    return _ticket_page("mobile/question_ticket.html")


def _ticket_page(template: str, **extra):  # noqa: ANN003
    """A question (Q…, also 村务信箱) or an information request (R…) by its
    number; a bare 10-digit number (the kiosk keypad) tries both."""
    typed = request.args.get("no", "")[:40]
    found = service.find_ticket(typed) if typed and not typed.strip().upper().startswith("R") else None
    req = requests_service.find_request(typed) if typed and found is None else None
    view = service.public_view(found) if found is not None else None
    req_view = requests_service.public_view(req, china_today()) if req is not None else None
    came_from = request.args.get("n", type=int)
    notice_id = (found.notice_id if found is not None else came_from) or 0
    notice_row = public.public_notice_or_none(notice_id) if notice_id else None
    notice = None
    if notice_row is not None:
        notice = public.notice_view(notice_row, china_today())
        g.village = public.village_view(notice_row.village)
    elif found is not None or req is not None:
        g.village = public.village_view((found or req).village)
    face = request.blueprint
    back = url_for(f"{face}.notice", notice_id=notice.id) if notice is not None else None
    if view is not None or req_view is not None or typed:  # a looked-up number goes back to the lookup
        back = url_for(f"{face}.ticket", n=notice.id if notice is not None else None)
    return render_template(template, typed=typed, q=view, r=req_view, notice=notice,
                           is_new=request.args.get("new") == "1",
                           was_sent=request.args.get("sent") == "1", back_url=back, came_from=came_from,
                           not_found=bool(typed) and view is None and req_view is None, **extra)


# Kiosk -------------------------------------------------------------------------------

@bp.route("/notice/<int:notice_id>/question", methods=["GET", "POST"], endpoint="question")
@limiter.limit(KIOSK_LIMIT, methods=["POST"])
def kiosk_question(notice_id: int):
    """GET shows the concern buttons, or with ?concern= asks to confirm that
    concern (a tap alone files nothing); POST files the ticket."""
    notice = _askable_or_404(notice_id)
    view = public.notice_view(notice, china_today())
    back = url_for("kiosk.notice", notice_id=notice_id)
    form = KioskQuestionForm()
    if request.method == "POST":
        if not form.validate() or form.concern.data not in CONCERNS:
            abort(400)
        if form.website.data:
            return render_template("kiosk/question_done.html", q=None, notice=view, back_url=back, phone_qr=False)
        q = service.ask(notice, channel="kiosk", concern=form.concern.data)
        db.session.commit()
        return render_template("kiosk/question_done.html", q=service.public_view(q), notice=view,
                               ticket_qr=qr_svg(phone_ticket_url(q.ticket_no), label="手机扫码查看这个编号的答复"),
                               back_url=back, phone_qr=False)
    concern = request.args.get("concern")
    if concern in CONCERNS:
        form.concern.data = concern
        return render_template("kiosk/question_confirm.html", notice=view, form=form, concern=concern,
                               back_url=url_for("kiosk.question", notice_id=notice_id))
    return render_template("kiosk/question.html", notice=view, form=form, back_url=back)


@bp.get("/ticket", endpoint="ticket")
@limiter.limit(LOOKUP_LIMIT)
def kiosk_ticket():
    """A number keypad without a keyboard: each key is a link that adds its
    digit to what is typed so far (kiosk.js swaps the keypad in place);
    查询 looks the number up. ``n`` is the notice the villager came from."""
    digits = "".join(ch for ch in request.args.get("typed", "") if ch.isdigit())[:10]
    return _ticket_page("kiosk/question_ticket.html", digits=digits, keys="123456789")
