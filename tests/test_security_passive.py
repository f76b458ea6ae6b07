"""Passive checks the scanners skip (as ZAP's passive rules would), over every
GET route of app.url_map on both faces: the villagers' side (kiosk, phone,
API, PDFs, verify pages, cards) anonymously, and the staff side logged in
through the real form as each role.

For every response: the security headers; no cookie without Secure, HttpOnly
and SameSite; no staff page and no page that shows a villager's full name is
cacheable (Cache-Control: no-store). The walk keeps one URL per route
(tools/routes.py, shared with tools/scan.py) and must reach every GET route."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from disclosure.extensions import db
from disclosure.models import CadreRelative, Role, RosterLine, User
from disclosure.security import CSP
from tests.conftest import walkable_demo
from tools.routes import (
    Page, Walk, adapter_for, fill_in, fill_in_queries, get_rules, unlinked_starts, walk,
)

HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}
PUBLIC_STARTS = ["/", "/kiosk/", "/m/", "/v/", "/api/villages", "/api/openapi.json", "/healthz", "/sw.js",
                 "/admin/login"]
#: Staff GET routes a role may not open: answered 403 or, for an object outside their
#: scope, 404 (still checked), never reached.
TOWNSHIP_ONLY = {"admin.print_batch_show", "admin.print_batch_status", "admin.print_batch_download",
                 "admin.audit_list", "admin.cadre_list", "admin.flag_list", "admin.user_list", "admin.user_new",
                 "admin.lookup_counts", "admin.calendar_page",
                 "admin.catalogue_list", "admin.catalogue_kind_new"}
#: A county admin opens nothing of a village (the dashboard is read-only): every village object
#: a start URL names is refused, and no page links one (UNLINKED).
COUNTY_REFUSED = {"admin.attachment_file", "admin.attachment_page", "admin.voucher_image", "admin.voucher_thumb",
                  "admin.import_upload", "admin.notice_new", "admin.library_new"}
REFUSED = {
    Role.COUNTY_ADMIN: (TOWNSHIP_ONLY - {"admin.user_list", "admin.user_new", "admin.catalogue_list",
                                         "admin.catalogue_kind_new"}) | COUNTY_REFUSED,
    Role.TOWNSHIP_ADMIN: {"admin.catalogue_kind_new"},  # the county's
    Role.CLERK: TOWNSHIP_ONLY,
    Role.SUPERVISOR: TOWNSHIP_ONLY | {"admin.import_upload", "admin.notice_correct", "admin.notice_withdraw",
                                      "admin.notice_new", "admin.library_new"},
}
#: Staff GET routes with an object no page shows to that role (the township's users, red flags).
UNLINKED = {
    Role.COUNTY_ADMIN: {"admin.flag_detail", "admin.library_detail", "admin.notice_correct", "admin.notice_detail",
                        "admin.notice_export", "admin.notice_withdraw", "admin.print_card", "admin.print_notice",
                        "admin.print_notice_pdf", "admin.print_stickers", "admin.question_detail",
                        "admin.request_detail", "admin.request_letter"},
    Role.TOWNSHIP_ADMIN: set(),
    Role.CLERK: {"admin.flag_detail", "admin.user_reset_password", "admin.catalogue_kind_edit"},
    Role.SUPERVISOR: {"admin.flag_detail", "admin.user_reset_password", "admin.catalogue_kind_edit"},
}


@pytest.fixture(scope="module")
def board(worker_dir: Path) -> Iterator[Flask]:
    """The demo township with CSRF on (so pages set the session cookie), plus
    what the demo lacks: a receipt photo and a finished batch print."""
    with walkable_demo("board_passive", worker_dir, WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture(scope="module")
def full_names(board: Flask) -> set[str]:
    """Villagers' names as imported: roster lines whose public name is masked
    and the cadre-relatives register."""
    with board.app_context():
        masked = db.select(RosterLine.name).where(RosterLine.name != RosterLine.public_name)
        names = set(db.session.execute(masked).scalars())
        names |= set(db.session.execute(db.select(CadreRelative.name)).scalars())
    names = {n for n in names if len(n) >= 2}
    assert len(names) > 20  # the demo has rosters
    return names


@pytest.fixture(scope="module")
def extra_starts(board: Flask) -> list[str]:
    with board.app_context():
        return unlinked_starts()


def problems_of(url: str, response, full_names: set[str]) -> list[str]:  # noqa: ANN001
    found = [f"{url}: {name} is {response.headers.get(name)!r}" for name, value in HEADERS.items()
             if response.headers.get(name) != value]
    for cookie in response.headers.getlist("Set-Cookie"):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        missing = {"secure", "httponly", "samesite"} - flags
        if missing:
            found.append(f"{url}: cookie {cookie.split('=')[0]} without {sorted(missing)}")
    cache = response.headers.get("Cache-Control", "")
    if url.startswith("/admin/") and "no-store" not in cache:
        found.append(f"{url}: staff page with Cache-Control {cache!r}")
    if response.mimetype.startswith("text/") or response.mimetype.endswith("json"):
        text = response.get_data(as_text=True)
        shown = sorted(n for n in full_names if n in text)
        if shown and "no-store" not in cache:
            found.append(f"{url}: shows full names {shown[:3]} with Cache-Control {cache!r}")
    return found


def fetcher(client: FlaskClient, full_names: set[str], problems: list[str]):  # noqa: ANN201
    def fetch(url: str) -> Page:
        response = client.get(url)
        problems.extend(problems_of(url, response, full_names))
        kind = response.mimetype
        text = response.get_data().decode("utf-8", "replace") if kind.startswith("text/") or kind.startswith(
            ("application/json", "application/atom")) else ""
        return Page(response.status_code, response.content_type or "", text, response.headers.get("Location", ""))

    return fetch


def statuses(result: Walk) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for (endpoint, _names), url in result.representatives.items():
        out.setdefault(endpoint, []).append(result.status[url])
    return out


def test_villagers_side_passes_the_passive_checks_on_every_route(board, full_names, extra_starts):
    problems: list[str] = []
    fetch = fetcher(board.test_client(), full_names, problems)
    adapter = adapter_for(board.url_map)
    rules = [r for r in get_rules(board.url_map, "/") if not r.rule.startswith(("/admin/", "/static/"))]
    public_starts = [u for u in extra_starts if not u.startswith("/admin/")]
    result = walk(fetch, adapter, PUBLIC_STARTS + public_starts,
                  lambda url: url == "/admin/login" or not url.startswith(("/admin/", "/static/")))
    fill_in(fetch, adapter, rules, result)
    fill_in_queries(fetch, result)
    assert not problems, "\n".join(problems)
    answered = statuses(result)
    unreached = {r.endpoint: answered.get(r.endpoint) for r in rules
                 if not any(s < 400 for s in answered.get(r.endpoint, []))}
    assert not unreached, f"routes the walk did not reach (add a start URL): {unreached}"


@pytest.mark.parametrize("role", list(Role))
def test_staff_side_passes_the_passive_checks_on_every_route(board, full_names, extra_starts, role):
    with board.app_context():
        first = db.select(User.username).where(User.role == role).order_by(User.id).limit(1)
        username = db.session.execute(first).scalar_one()
    client = board.test_client()
    problems: list[str] = []
    fetch = fetcher(client, full_names, problems)
    page = fetch("/admin/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    login = client.post("/admin/login", data={"username": username, "password": board.config["DEMO_PASSWORD"],
                                               "csrf_token": token})
    assert login.status_code == 302 and "session=" in login.headers.get("Set-Cookie", "")
    problems += problems_of("/admin/login (POST)", login, full_names)

    adapter = adapter_for(board.url_map)
    rules = get_rules(board.url_map, "/admin/")
    staff_starts = [u for u in extra_starts if u.startswith("/admin/")]
    result = walk(fetch, adapter, ["/admin/", *staff_starts], lambda url: url.startswith("/admin/"))
    fill_in(fetch, adapter, rules, result)
    assert not problems, "\n".join(problems)
    answered = statuses(result)
    refused = {e for e, codes in answered.items() if codes and all(c in (403, 404) for c in codes)}
    assert refused == {e for e in REFUSED[role] if e in board.view_functions}
    unreached = {r.endpoint for r in rules if r.endpoint not in answered} - UNLINKED[role]
    assert not unreached, f"staff routes the walk did not reach: {sorted(unreached)}"
    failed = {e: codes for e, codes in answered.items() if e not in refused and not any(c < 400 for c in codes)}
    assert not failed, f"staff routes that answered with an error: {failed}"
