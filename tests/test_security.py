"""Headers, cookies, CSRF on every state-changing route, rate limits, and no
inline script or style anywhere (so the strict CSP holds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from disclosure.models import Role
from disclosure.security import CSP

from tests.conftest import PASSWORD, login_as, make_app

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PAGES = ["/kiosk/", "/kiosk/dongfeng", "/kiosk/dongfeng/home", "/kiosk/dongfeng/finance", "/m/dongfeng",
                "/api/villages", "/healthz", "/admin/login", "/v/NOSUCHCODE", "/feed/dongfeng.atom"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_response_carries_the_security_headers(demo_client, path: str):
    response = demo_client.get(path)
    assert response.status_code in (200, 404)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_policy_allows_no_inline_code():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";") if " " in part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in CSP
    assert directives["frame-ancestors"] == "'none'"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html")))
def test_templates_have_no_inline_script_or_style(template: str):
    text = (ROOT / template).read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template}: {found}"


def _csrf_app(fresh_url: str, tmp_path: Path, **extra) -> Flask:
    """A second app on the database the `app` fixture prepared, with CSRF on."""
    return make_app(fresh_url, tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True, **extra)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_login_sets_secure_httponly_samesite_cookie(app, make_user, fresh_url, tmp_path):
    make_user(Role.CLERK, "v1", username="cookie-clerk")
    client = _csrf_app(fresh_url, tmp_path).test_client()
    token = _token(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={"username": "cookie-clerk", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_state_changing_route_refuses_a_post_without_csrf_token(app, make_user, fresh_url, tmp_path):
    user = make_user(Role.TOWNSHIP_ADMIN, None)
    csrf_app = _csrf_app(fresh_url, tmp_path)
    client = login_as(csrf_app.test_client(), user)
    checked = 0
    for rule in csrf_app.url_map.iter_rules():
        if not (rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>", "1", url)
        response = client.post(url, data={"anything": "x"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"
        checked += 1
    assert checked >= 20  # the admin side and the villagers' question forms


def test_repeated_failed_logins_from_one_address_get_429(app, make_user, fresh_url, tmp_path):
    make_user(Role.CLERK, "v1", username="target")
    limited = make_app(fresh_url, tmp_path / "rl-instance", RATELIMIT_ENABLED=True)
    from disclosure.extensions import limiter

    limiter.reset()
    client = limited.test_client()
    codes = [client.post("/admin/login", data={"username": f"nobody{i}", "password": "wrong-password-1"}).status_code
             for i in range(12)]
    assert codes[:10] == [200] * 10  # the form again, with its error
    assert codes[10:] == [429, 429]
    page = client.post("/admin/login", data={"username": "target", "password": PASSWORD})
    assert page.status_code == 429 and "请稍后再试" in page.get_data(as_text=True)
    limiter.reset()


def test_successful_logins_do_not_use_up_the_failure_allowance(app, make_user, fresh_url, tmp_path):
    make_user(Role.CLERK, "v1", username="often")
    limited = make_app(fresh_url, tmp_path / "rl2-instance", RATELIMIT_ENABLED=True)
    from disclosure.extensions import limiter

    limiter.reset()
    for _ in range(12):
        client = limited.test_client()
        assert client.post("/admin/login", data={"username": "often", "password": PASSWORD}).status_code == 302
    limiter.reset()
