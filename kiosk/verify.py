"""/v/<code>: the page a printed notice's QR code opens. It says whether the
paper in the villager's hand is the version in force, a corrected (更正) or
withdrawn (撤回) one, or unknown."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for

from disclosure import public
from disclosure.public.verify import normalize_code, untrusted_if_tampered, verify as check_code
from disclosure.extensions import limiter

from . import public_bp


def phone_notice_url(notice_id: int) -> str | None:
    """The notice's phone page, if the phone pages are mounted."""
    if "mobile.notice" not in current_app.view_functions:
        return None
    return url_for("mobile.notice", notice_id=notice_id)


@public_bp.get("/v/")
def verify_lookup():
    """A typed code (from the printed 核验码) → its verify page."""
    code = normalize_code(request.args.get("code", ""))
    if not code:
        return render_template("mobile/verify_form.html")
    return redirect(url_for("public.verify", code=code))


@public_bp.get("/v/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    result = untrusted_if_tampered(check_code(code))
    status = 404 if result.code == "unknown" else 200
    if result.notice is not None:
        g.village = public.village_view(public.village_by_code(result.notice.village_code))
    links = {
        "phone": phone_notice_url(result.notice.id) if result.notice else None,
        "pdf": url_for("public.notice_pdf", notice_id=result.notice.id) if result.notice else None,
        "corrected_phone": phone_notice_url(result.corrected_by.notice_id) if result.corrected_by else None,
        "corrected_verify": url_for("public.verify", code=result.corrected_by.verify_code)
        if result.corrected_by and result.corrected_by.verify_code else None,
        "latest_verify": url_for("public.verify", code=result.latest.verify_code)
        if result.latest and result.latest.verify_code else None,
    }
    return render_template("mobile/verify.html", result=result, links=links), status
