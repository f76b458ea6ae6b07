"""Published versions never change: serve them like it.

Every public page that only shows published data gets a key made of what it
shows and everything else its bytes depend on:

- the page's URL (path and query), face and host (QR codes carry the host);
- the data it reads: a notice's content hash and status, or its village's
  ``public_rev`` (bumped here on every flush that changes what the public sees
  of that village: a publish, correction, withdrawal, an answer, a receipt
  photo made public, the village's or township's settings; every village's
  on a change of the catalogue), or, for pages
  about every village, the sum of all of them;
- China today (公示中 turns into 公示结束 at midnight, deadlines move);
- the release: a hash of the templates, static files and code, and the
  settings that appear on pages.

The key is the response's strong ETag (a conditional GET with it gets a 304
without rendering) and names the rendered bytes in the cache (Flask-Caching:
SimpleCache in each worker, or Redis when REDIS_URL is set). Because the key
is read from the database, a publish on one worker is seen by every worker
and node at their next request; nothing has to be deleted.

Never cached, never given an ETag: a response that read or wrote the session
(a CSRF token, a flash message, a logged-in user), set a cookie, or is not a
200; staff pages (admin/) are never candidates and stay no-store.

A shared page with a form (the phone notice page's 我有疑问, mobile.notice)
carries no CSRF token at all, rather than a placeholder filled per request:
its bytes are the same for everyone, so it keeps its strong ETag, its 304s
and the service worker's offline copy. A token inside a page is only valid
for one session, and a browser that got a 304 (or the back button, or the
offline copy) would reuse the page with whatever token it held first, to be
refused later on 提交. Instead the form is hidden in the page, and
static/common/ask.js shows it and, on 提交, fetches the visitor's own token
from mobile.form_token (JSON, no-store, never a candidate here) and sends it
with the form: the token is always this session's and current. Without
script a link to the form page (mobile.question, uncached: it renders its
own token) stands where the form would be. CSRF itself is unchanged: the POST
is checked against the session as before.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import event, func, select, true, update
from sqlalchemy.orm import Session

from . import clock
from .extensions import cache, db

ROOT = Path(__file__).resolve().parent.parent
#: Public endpoints whose pages depend only on published data, the date and the release.
CACHEABLE = frozenset({
    "kiosk.village_list", "kiosk.attract", "kiosk.home", "kiosk.finance", "kiosk.finance_month",
    "kiosk.category", "kiosk.projects", "kiosk.notice", "kiosk.ledger_line", "kiosk.voucher_page",
    "mobile.village_list", "mobile.home", "mobile.finance", "mobile.finance_month", "mobile.category",
    "mobile.projects", "mobile.notice", "mobile.ledger_line", "mobile.voucher_page",
    "api.villages", "api.village_notices", "api.village_finance", "api.village_chain", "api.notice",
    "api.notice_csv", "api.notice_xlsx", "api.openapi", "public.catalog_jsonld", "public.catalog_well_known",
    "public.feed", "public.card",
})
#: Headers of a rendered page that belong to its bytes (the rest each request sets anew).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link", "Access-Control-Allow-Origin")
#: Settings that appear on public pages.
SHOWN_SETTINGS = ("PUBLIC_BASE_URL", "KIOSK_IDLE_SECONDS", "LOOKUP_SCOPE", "LOOKUP_IDLE_SECONDS")
#: Models nobody outside sees: writing them changes no public page.
PRIVATE_TABLES = frozenset({"audit_log", "print_jobs", "lookup_log", "users", "login_throttles",
                            "cadre_relatives", "red_flags"})


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL") or ""
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
        app.config.setdefault("CACHE_KEY_PREFIX", "board:")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 24 * 3600)  # keys carry the date: older ones are dead
    app.config.setdefault("CACHE_THRESHOLD", 200)  # SimpleCache entries per worker (a page is 3-40 KB)
    cache.init_app(app)
    app.extensions["page_release"] = release_stamp(app)
    app.before_request(_serve_cached)  # last of the before-request hooks (rate limits, origin checks first)
    # First in the list = run last: it sees the finished response (links, headers) it keeps.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep)


# The key ----------------------------------------------------------------------

def release_stamp(app: Flask) -> str:
    """What changes the bytes of every page at once: the code, templates and
    static files of this release (by content, so two nodes agree) and the
    settings that appear on pages."""
    digest = hashlib.sha256(_files_digest().encode())
    for name in SHOWN_SETTINGS:
        digest.update(f"{name}={app.config.get(name)!r}".encode())
    digest.update(os.environ.get("BOARD_RELEASE", "").encode())
    return digest.hexdigest()[:16]


@functools.cache
def _files_digest() -> str:
    """The release's files, read once per process (a worker runs one release)."""
    digest = hashlib.sha256()
    for folder, pattern in (("templates", "**/*"), ("static", "**/*"), ("kiosk", "*.py"), ("disclosure", "**/*.py")):
        for path in sorted((ROOT / folder).glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: (kind, id) -> (stamp, monotonic time it was read): data_stamp remembered for
#: PAGE_STAMP_SECONDS, so a warm page costs no query. This worker forgets them at
#: once when it commits a public change; other workers and nodes see it within
#: that time (0 turns the memory off).
_stamps: dict[tuple[str, object, str], tuple[str | None, float]] = {}


def remembered_stamp(view_args: dict) -> str | None:
    seconds = current_app.config.get("PAGE_STAMP_SECONDS", 1.0)
    ident = next(((name, view_args[name]) for name in ("notice_id", "code", "village_code") if name in view_args),
                 ("all", None)) + (current_app.config["SQLALCHEMY_DATABASE_URI"],)
    now = time.monotonic()
    found = _stamps.get(ident)
    if found is not None and now - found[1] < seconds:
        return found[0]
    stamp = data_stamp(view_args)
    if seconds > 0:
        if len(_stamps) > 5000:
            _stamps.clear()
        _stamps[ident] = (stamp, now)
    return stamp


def data_stamp(view_args: dict) -> str | None:
    """What the page reads, as a short string; None when there is nothing
    public to show (a 404 is rendered, not cached)."""
    from .models import PUBLIC_STATUSES, Notice, Village

    if "notice_id" in view_args:
        row = db.session.execute(
            select(Notice.content_hash, Notice.status, Village.public_rev).join(Village, Notice.village_id == Village.id)
            .where(Notice.id == view_args["notice_id"])).first()
        if row is None or row.status not in PUBLIC_STATUSES:
            return None
        return f"n:{row.content_hash}:{row.status.value}:{row.public_rev}"
    code = view_args.get("code") or view_args.get("village_code")
    if code is not None:
        rev = db.session.execute(select(Village.public_rev).where(Village.code == code)).scalar()
        return None if rev is None else f"v:{code}:{rev}"
    count, total = db.session.execute(select(func.count(), func.coalesce(func.sum(Village.public_rev), 0))).one()
    return f"all:{count}:{total}"


def page_key() -> str | None:
    """The cache key and ETag of this request's page, or None if it has none."""
    stamp = remembered_stamp(request.view_args or {})
    if stamp is None:
        return None
    parts = (current_app.extensions["page_release"], request.endpoint, request.full_path, request.host_url,
             clock.china_today().isoformat(), stamp)
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:32]


# Serving ------------------------------------------------------------------------

def _serve_cached() -> Response | None:
    g.page_key = None
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE:
        return None
    key = page_key()
    if key is None:
        return None
    g.page_key = key
    if request.if_none_match.contains(key):
        g.page_hit = True
        return _tagged(Response(status=304), key)
    stored = cache.get(f"page:{key}")
    if stored is None:
        return None
    g.page_hit = True
    body, headers = stored
    return _tagged(Response(body, headers=headers), key)


def _tagged(response: Response, key: str) -> Response:
    response.set_etag(key)
    # Stored by browsers and the service worker, but asked about every time:
    # a date change or a publish is seen at once, an unchanged page costs a 304.
    response.headers["Cache-Control"] = "no-cache"
    return response


def is_shareable(response: Response) -> bool:
    """A response anyone may be given: a 200 rendered for a visitor without a
    session (so no login, flash or earlier token could show in it) that wrote
    nothing into one (no CSRF token) and sets no cookie. (Every template
    render reads the session: Flask-Login's context processor asks it for a
    user; an empty session is what every anonymous visitor has.)"""
    return (response.status_code == 200 and not session.modified and not session
            and "Set-Cookie" not in response.headers)


def _keep(response: Response) -> Response:
    key = g.get("page_key")
    if key is None or g.get("page_hit"):
        return response
    if not is_shareable(response):
        response.headers.pop("ETag", None)
        return response
    if request.method == "GET":
        response.direct_passthrough = False  # a CSV/XLSX download from memory: read it once, keep the bytes
        headers = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
        cache.set(f"page:{key}", (response.get_data(), headers))
    return _tagged(response, key)


# Invalidation: every flush that changes what the public sees bumps the village -----

def _public_village_ids(objects: Iterable[object]) -> tuple[set[int], set[int]]:
    """(village ids, township ids) whose public pages these changed rows touch."""
    from .models import PUBLIC_STATUSES, Notice, Township, Village

    villages: set[int] = set()
    townships: set[int] = set()
    for obj in objects:
        table = getattr(obj, "__tablename__", None)
        if table is None or table in PRIVATE_TABLES:
            continue
        if isinstance(obj, Notice):
            history = db.inspect(obj).attrs.status.history
            if obj.status in PUBLIC_STATUSES or any(s in PUBLIC_STATUSES for s in history.deleted or ()):
                villages.add(obj.village_id)
            continue
        if isinstance(obj, Township):
            townships.add(obj.id)
            continue
        if isinstance(obj, Village):
            if obj.id is not None:
                villages.add(obj.id)
            continue
        notice = getattr(obj, "notice", None)
        if isinstance(notice, Notice) and notice.status not in PUBLIC_STATUSES:
            continue  # a line of a draft
        line = getattr(obj, "line", None)  # a receipt photo
        village_id = getattr(obj, "village_id", None) or getattr(line, "village_id", None) or getattr(
            notice, "village_id", None)
        if village_id is None and getattr(obj, "project", None) is not None:  # a project's fund
            village_id = obj.project.notice.village_id
        if village_id is not None:
            villages.add(village_id)
    return villages, townships


@event.listens_for(Session, "after_flush")
def _bump(session: Session, flush_context) -> None:  # noqa: ANN001
    """After the rows are written (ids and foreign keys are known; the lists of
    new, changed and deleted objects and their history are still there)."""
    from .models import Village
    from .models.catalogue import touches_catalogue

    with session.no_autoflush:
        changed = [o for o in chain(session.dirty, session.deleted) if o in session.deleted or session.is_modified(o)]
        villages, townships = _public_village_ids(chain(session.new, changed))
        every = touches_catalogue(chain(session.new, changed))  # the catalogue shows on every village's pages
    villages.discard(None)
    townships.discard(None)
    table = Village.__table__
    condition = None
    if villages:
        condition = table.c.id.in_(sorted(villages))
    if townships:
        by_township = table.c.township_id.in_(sorted(townships))
        condition = by_township if condition is None else condition | by_township
    if every:
        condition = true()
    if condition is not None:
        session.connection().execute(update(table).where(condition).values(public_rev=table.c.public_rev + 1))
        session.info["public_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget(session: Session) -> None:
    if session.info.pop("public_changed", False):
        _stamps.clear()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop("public_changed", None)


__all__ = ["CACHEABLE", "init_app", "is_shareable", "page_key", "release_stamp"]
