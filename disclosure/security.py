"""Request and response guards for the whole app:

- response headers: a strict Content-Security-Policy (no inline script or
  style anywhere), framing, sniffing and referrer rules;
- staff sessions: a server-side session version on the user (logout and a
  password change end every session of the account) and an idle limit;
- CSRF beyond the token: a POST from another origin is refused;
- integers in URLs and query strings are bounded (an overflow is a 404, on
  SQLite and PostgreSQL alike);
- errors every face shares (refusals, 429, CSRF, an untrusted Host).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, current_app, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from .errors import register as register_errors

#: The largest id or number a URL or query may carry: PostgreSQL's ``integer``.
MAX_INT = 2**31 - 1

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)


def register(app: Flask) -> None:
    """Call before any blueprint is registered (the int converter binds at route registration)."""
    from .extensions import login_manager

    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = BoundedRequest
    login_manager.user_loader(load_user)
    register_errors(app)
    app.before_request(_check_origin)
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


# Integers ------------------------------------------------------------------

class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that refuses (404) what no id column can hold."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: ANN001, A002
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: str) -> int:
    """int() for query and form values; a number beyond MAX_INT names nothing: 404."""
    number = int(value)
    if abs(number) > MAX_INT:
        abort(404)
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query and form values whose ``get(..., type=int)`` is bounded."""

    def get(self, key, default=None, type=None):  # noqa: ANN001, ANN201, A002
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):  # noqa: ANN001, ANN201, A002
        return super().getlist(key, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


# Staff sessions ----------------------------------------------------------------

def start_session(user) -> None:  # noqa: ANN001 - User
    """After a login or a password change: this session carries the account's
    current session version and counts idle time from now."""
    session.permanent = True
    session["_sv"] = user.session_version
    session["_seen"] = int(time.time())


def load_user(user_id: str):  # noqa: ANN201
    """Flask-Login's loader, on every request: the account still exists, the
    session's version is the account's (no logout or password change since),
    and it was used within SESSION_IDLE_SECONDS. Otherwise the session is
    emptied, its CSRF token with it."""
    from .extensions import db
    from .models import User

    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    now = int(time.time())
    seen = session.get("_seen")
    idle = current_app.config["SESSION_IDLE_SECONDS"]
    if user is None or session.get("_sv", 1) != user.session_version or (seen is not None and now - seen > idle):
        session.clear()
        return None
    if seen is None or now - seen >= 60:  # re-sign the cookie at most once a minute
        session["_seen"] = now
    return user


# CSRF: the origin as well as the token -------------------------------------------

def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins() -> set[str]:
    origins = {_origin(request.host_url)}
    if current_app.config.get("PUBLIC_BASE_URL"):
        origins.add(_origin(current_app.config["PUBLIC_BASE_URL"]))
    return origins


def _check_origin() -> None:
    """A state-changing request whose Origin (or, without one, Referer) names
    another site is refused, whatever token it carries. A request with
    neither header (not a browser) still needs its token."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not current_app.config.get("CSRF_CHECK_ORIGIN", True):
        return
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is not None and _origin(source) not in allowed_origins():
        raise CSRFError("来源不明的提交")

