"""Response headers: a strict Content-Security-Policy (no inline script or
style anywhere), framing, sniffing and referrer rules."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template_string, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)


def register(app: Flask) -> None:
    register_errors(app)
    register_no_store(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def register_no_store(app: Flask) -> None:
    """Staff pages show villagers' full names, ID numbers and phones: no browser
    or proxy may keep a copy (a township office PC is shared; its back button
    and disk cache must not show the last user's pages)."""

    @app.after_request
    def _no_store(response: Response) -> Response:
        if request.blueprint == "admin":
            response.headers["Cache-Control"] = "no-store"
        return response


_TOO_MANY = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>请稍后再试</title>
<link rel="stylesheet" href="/static/common/error.css"></head><body><main><h1>操作太频繁，请稍后再试</h1>
<p>为防止恶意提交，同一地址短时间内的请求次数有限制。请等几分钟再试。</p></main></body></html>"""


_REFUSED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>未能保存</title>
<link rel="stylesheet" href="/static/common/error.css"></head><body><main><h1>未能保存</h1>
<p>{{ message }}</p><p>没有写入任何内容。请返回上一页修改后再试。</p></main></body></html>"""


def register_errors(app: Flask) -> None:
    from .errors import ServiceError
    from .extensions import db

    @app.errorhandler(ServiceError)
    def _refused(error: ServiceError):  # noqa: ANN202
        """A refusal that reached the commit (e.g. text longer than its column):
        nothing is written, the person reads why."""
        db.session.rollback()
        if request.path.startswith("/api/"):
            return jsonify(error="refused", message=error.message), 400
        return render_template_string(_REFUSED, message=error.message), 400

    @app.errorhandler(429)
    def _too_many(error):  # noqa: ANN001, ANN202
        if request.path.startswith("/api/"):
            return jsonify(error="too_many_requests", message="请求过于频繁，请稍后再试"), 429
        return render_template_string(_TOO_MANY), 429
