"""/v/<code>: the page a printed notice's QR code opens. It says whether the
paper in the villager's hand is the version in force, a corrected (更正) or
withdrawn (撤回) one, or unknown."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, g, redirect, render_template, request, url_for

from disclosure import printing, public
from disclosure.extensions import db, limiter
from disclosure.models import Notice

from . import public_bp


def phone_notice_url(notice_id: int) -> str | None:
    """The notice's phone page, if the phone pages are mounted."""
    if "mobile.notice" not in current_app.view_functions:
        return None
    return url_for("mobile.notice", notice_id=notice_id)


def untrusted_if_tampered(result: printing.Verification) -> printing.Verification:
    """Content that no longer hashes to what was published cannot be 现行有效
    (nor trusted as corrected or withdrawn): the one verdict is the mismatch."""
    if result.notice is None or result.is_intact:
        return result
    return replace(result, code="tampered", label="内容核对异常",
                   message="系统中这份公示的内容与发布时登记的不一致，无法确认您手中的公示是否有效。"
                           "请立即向村务监督委员会或乡镇反映。")


@public_bp.get("/v/")
def verify_lookup():
    """A typed code (from the printed 核验码) → its verify page."""
    code = printing.normalize_code(request.args.get("code", ""))
    if not code:
        return render_template("mobile/verify_form.html")
    return redirect(url_for("public.verify", code=code))


@public_bp.get("/v/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    result = untrusted_if_tampered(printing.verify(code))
    status = 404 if result.code == "unknown" else 200
    if result.notice is not None:
        notice = db.session.get(Notice, result.notice.id)
        g.village = public.village_view(notice.village)
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
