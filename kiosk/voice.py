"""依申请公开 from the villager's side: apply on the phone (/m/<code>/apply,
a short form) or the kiosk (/kiosk/<code>/apply: one button per common
request, a confirm step, and the QR code to continue on the phone; no system
keyboard). The ticket page (kiosk/questions.py) shows the reply; the phone
downloads the 告知书 and the released documents by ticket number.

Spam as for questions: rate limit per address, honeypot, CSRF.
"""

from __future__ import annotations

import io

from flask import abort, redirect, render_template, request, send_file, url_for

from disclosure.clock import china_today
from disclosure.extensions import db, limiter
from disclosure.qr import qr_svg
from disclosure.services import ServiceError, feedback
from disclosure.services import requests as service
from disclosure.services import voice_print

from . import bp, mobile_bp, public_bp
from .questions import KIOSK_LIMIT, LOOKUP_LIMIT, PHONE_LIMIT, phone_ticket_url, show_refusal
from .common import public_base
from .printed import pdf_response, pending_response, stored_pdf
from .forms import ApplyForm, KioskApplyForm, MailboxForm
from .views import village_or_404


def phone_apply_url(code: str) -> str:
    return public_base() + url_for("mobile.apply", code=code)


@mobile_bp.route("/<code>/apply", methods=["GET", "POST"], endpoint="apply")
@limiter.limit(PHONE_LIMIT, methods=["POST"])
def phone_apply(code: str):
    village = village_or_404(code)
    form = ApplyForm()
    if request.method == "GET" and request.args.get("item") in service.COMMON_REQUESTS:
        form.subject.data = request.args["item"]
    if form.validate_on_submit():
        if form.website.data:  # honeypot
            return redirect(url_for("mobile.ticket", sent=1))
        try:
            req = service.apply(village, channel="phone", subject=form.subject.data or "",
                                requester=form.requester.data or "", contact=form.contact.data or "",
                                today=china_today())
        except ServiceError as err:
            show_refusal(form, err)
        else:
            db.session.commit()
            return redirect(url_for("mobile.ticket", no=req.ticket_no, new=1))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("mobile/apply.html", form=form, common=service.COMMON_REQUESTS,
                           back_url=url_for("mobile.home", code=code)), status


@bp.route("/<code>/apply", methods=["GET", "POST"], endpoint="apply")
@limiter.limit(KIOSK_LIMIT, methods=["POST"])
def kiosk_apply(code: str):
    """GET shows the buttons, or with ?item= asks to confirm (a tap alone
    files nothing); POST files the request."""
    village = village_or_404(code)
    form = KioskApplyForm()
    back = url_for("kiosk.home", code=code)
    if request.method == "POST":
        if not form.validate() or form.item.data not in service.COMMON_REQUESTS:
            abort(400)
        if form.website.data:
            return render_template("kiosk/apply_done.html", r=None, back_url=back)
        req = service.apply(village, channel="kiosk", subject=form.item.data, today=china_today())
        db.session.commit()
        return render_template("kiosk/apply_done.html", r=service.public_view(req, china_today()), back_url=back,
                               ticket_qr=qr_svg(phone_ticket_url(req.ticket_no), label="手机扫码查看这个编号的答复"))
    item = request.args.get("item")
    if item in service.COMMON_REQUESTS:
        form.item.data = item
        return render_template("kiosk/apply_confirm.html", form=form, item=item,
                               back_url=url_for("kiosk.apply", code=code))
    return render_template("kiosk/apply.html", common=service.COMMON_REQUESTS, back_url=back,
                           phone_qr=qr_svg(phone_apply_url(code), label="手机扫码填写申请"))


def _request_or_404(no: str):  # noqa: ANN202
    req = service.find_request(no)
    if req is None or not req.reply_type:
        abort(404)
    return req


@public_bp.get("/r/<no>/letter.pdf", endpoint="request_letter")
@limiter.limit(LOOKUP_LIMIT)
def request_letter(no: str):
    req = _request_or_404(no)
    html = voice_print.letter_html(req, request.host_url)
    data = stored_pdf(voice_print.pdf_key("letter", html), lambda: html)
    if data is None:
        return pending_response("告知书的PDF文件", url_for("mobile.ticket", no=req.ticket_no))
    return pdf_response(data, f"告知书-{req.ticket_no}.pdf", attachment=True)


@public_bp.get("/r/<no>/documents.pdf", endpoint="request_documents")
@limiter.limit(LOOKUP_LIMIT)
def request_documents(no: str):
    req = _request_or_404(no)
    if not req.attachment_pdf:
        abort(404)
    return send_file(io.BytesIO(req.attachment_pdf), mimetype="application/pdf",
                     as_attachment=True, download_name=f"公开的文件-{req.ticket_no}.pdf")


# 村务信箱 -------------------------------------------------------------------------

@mobile_bp.route("/<code>/mailbox", methods=["GET", "POST"], endpoint="mailbox")
@limiter.limit(PHONE_LIMIT, methods=["POST"])
def phone_mailbox(code: str):
    village = village_or_404(code)
    form = MailboxForm()
    if form.validate_on_submit():
        if form.website.data:
            return redirect(url_for("mobile.ticket", sent=1))
        try:
            q = feedback.ask_village(village, channel="phone", text=form.text.data or "",
                                     contact=form.contact.data or "", is_public=form.is_public.data != "no",
                                     today=china_today())
        except ServiceError as err:
            show_refusal(form, err)
        else:
            db.session.commit()
            return redirect(url_for("mobile.ticket", no=q.ticket_no, new=1))
    status = 400 if form.errors else 200
    return render_template("mobile/mailbox.html", form=form, answers=feedback.mailbox_answers(village.id),
                           days=feedback.answer_days(village), back_url=url_for("mobile.home", code=code)), status


@bp.get("/<code>/mailbox", endpoint="mailbox")
def kiosk_mailbox(code: str):
    """No keyboard on the kiosk: the public answers and a QR code to write on the phone."""
    village = village_or_404(code)
    return render_template("kiosk/mailbox.html", answers=feedback.mailbox_answers(village.id),
                           days=feedback.answer_days(village), back_url=url_for("kiosk.home", code=code),
                           phone_qr=qr_svg(public_base() + url_for("mobile.mailbox", code=code),
                                           label="手机扫码给村里写信"))
