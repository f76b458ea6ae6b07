"""Issue 11 §4: sessions and requests. Logout and a password change end every
session of the account; sessions end after 8 idle hours, their CSRF tokens
with them; a POST from another origin is refused whatever its token;
integers too large for any id are a 404 in URLs and queries; an untrusted
Host header never reaches a QR code or a cache file's name."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Flask

from disclosure.extensions import db
from disclosure.models import Notice, Role, Status, User
from disclosure.security import BoundedIntConverter
from tests.conftest import PASSWORD
from tests.test_admin_auth import csrf_app, csrf_token  # noqa: F401 (csrf_app: a fixture)

HUGE = "99999999999999999999"


def logged_in(app: Flask, username: str, password: str = PASSWORD):  # noqa: ANN201
    client = app.test_client()
    token = csrf_token(client.get("/admin/login").text)
    r = client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.text
    return client


def is_logged_in(client) -> bool:  # noqa: ANN001
    return client.get("/admin/notices").status_code == 200


def test_logout_ends_every_session_of_the_account(csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="li")
    office, phone = logged_in(csrf_app, "li"), logged_in(csrf_app, "li")
    assert is_logged_in(office) and is_logged_in(phone)
    stolen = phone.get_cookie("session").value  # a copy of the phone's cookie
    office.post("/admin/logout", data={"csrf_token": csrf_token(office.get("/admin/password").text)})
    assert not is_logged_in(office)
    assert not is_logged_in(phone)
    replay = csrf_app.test_client()
    replay.set_cookie("session", stolen)
    assert not is_logged_in(replay)
    assert is_logged_in(logged_in(csrf_app, "li"))  # a new login works


def test_password_change_ends_the_other_sessions(csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="zhang")
    office, phone = logged_in(csrf_app, "zhang"), logged_in(csrf_app, "zhang")
    token = csrf_token(office.get("/admin/password").text)
    r = office.post("/admin/password", data={"current": PASSWORD, "new": "new-pass-456", "confirm": "new-pass-456",
                                             "csrf_token": token})
    assert r.status_code == 302
    assert is_logged_in(office)  # the session that changed it goes on
    assert not is_logged_in(phone)


def test_admin_reset_and_deactivation_end_sessions(app: Flask, client, make_user, login) -> None:  # noqa: ANN001
    admin, clerk = make_user(Role.TOWNSHIP_ADMIN, village=None), make_user(Role.CLERK, username="wu")
    clerk_client = app.test_client()
    clerk_client.post("/admin/login", data={"username": "wu", "password": PASSWORD})
    assert is_logged_in(clerk_client)
    login(client, admin)
    client.post(f"/admin/users/{clerk}/password", data={"password": "second-pass-123"})
    assert not is_logged_in(clerk_client)
    clerk_client.post("/admin/login", data={"username": "wu", "password": "second-pass-123"})
    assert is_logged_in(clerk_client)
    client.post(f"/admin/users/{clerk}/active")
    assert not is_logged_in(clerk_client)


def test_idle_session_and_its_csrf_token_expire_after_8_hours(csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    from disclosure.config import SESSION_IDLE

    make_user(Role.CLERK, username="sun")
    assert SESSION_IDLE.total_seconds() == 8 * 3600
    assert csrf_app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600
    client = logged_in(csrf_app, "sun")
    token = csrf_token(client.get("/admin/password").text)
    with client.session_transaction() as session:  # the last request was 7 hours ago: still fine
        session["_seen"] = int(time.time()) - 7 * 3600
    assert is_logged_in(client)
    with client.session_transaction() as session:  # 8 hours and a minute ago
        session["_seen"] = int(time.time()) - 8 * 3600 - 60
    r = client.post("/admin/password", data={"current": PASSWORD, "new": "new-pass-456", "confirm": "new-pass-456",
                                             "csrf_token": token})
    assert r.status_code in (302, 400) and "/admin/login" in (r.location or "/admin/login")
    with csrf_app.app_context():
        user = db.session.execute(db.select(User).where(User.username == "sun")).scalar_one()
        from disclosure.services.users import authenticate

        assert authenticate("sun", PASSWORD).id == user.id  # the password was not changed
    assert not is_logged_in(client)
    with client.session_transaction() as session:
        assert "csrf_token" not in session  # the token's secret went with the session


def test_session_cookie_is_signed_for_8_hours_only(csrf_app: Flask, make_user, monkeypatch) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="qian")
    client = logged_in(csrf_app, "qian")
    later = time.time() + 8 * 3600 + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert not is_logged_in(client)


# CSRF: origin as well as token -------------------------------------------------------

def test_post_from_another_origin_is_refused_even_with_a_token(csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="zhou")
    client = logged_in(csrf_app, "zhou")
    token = csrf_token(client.get("/admin/password").text)
    data = {"current": PASSWORD, "new": "new-pass-456", "confirm": "new-pass-456", "csrf_token": token}
    r = client.post("/admin/password", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 400 and "来源不明" in r.text
    r = client.post("/admin/password", data=data, headers={"Referer": "https://evil.example/form.html"})
    assert r.status_code == 400
    r = client.post("/admin/password", data=data, headers={"Origin": "null"})
    assert r.status_code == 400
    # the villagers' question form is guarded the same way
    assert client.get("/m/notice/1/question").status_code in (200, 404)  # the route exists
    r = client.post("/m/notice/1/question", data={}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 400 and "来源不明" in r.text
    with csrf_app.app_context():
        from disclosure.services.users import authenticate

        assert authenticate("zhou", PASSWORD)  # unchanged
    r = client.post("/admin/password", data=data, headers={"Origin": "http://localhost"})
    assert r.status_code == 302  # same origin: accepted


def test_configured_public_origin_is_accepted(app: Flask, make_user, login) -> None:  # noqa: ANN001
    uid = make_user(Role.CLERK)
    app.config["PUBLIC_BASE_URL"] = "https://cunwu.example.gov.cn"
    client = login(app.test_client(), uid)
    r = client.post("/admin/password", data={"current": PASSWORD, "new": "new-pass-456", "confirm": "new-pass-456"},
                    headers={"Origin": "https://cunwu.example.gov.cn"})
    assert r.status_code == 302


# Integers ------------------------------------------------------------------------------

def test_integer_overflow_in_any_url_is_a_404(demo_app: Flask) -> None:
    client = demo_app.test_client()
    assert client.get(f"/m/line/{HUGE}").status_code == 404
    checked = 0
    for rule in demo_app.url_map.iter_rules():
        numbers = {a for a in rule.arguments if isinstance(rule._converters[a], BoundedIntConverter)}
        if "GET" not in rule.methods or not numbers:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>", HUGE if arg in numbers else "dongfeng", url)
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 10


def test_integer_overflow_in_a_query_is_a_404(demo_app: Flask, make_user) -> None:  # noqa: ANN001
    client = demo_app.test_client()
    with demo_app.app_context():
        admin_id = db.session.execute(db.select(User.id).where(User.username == "admin")).scalar_one()
        roster = db.session.execute(db.select(Notice.id).where(Notice.roster_kind == "dibao",
                                                               Notice.status == Status.PUBLISHED)).scalars().first()
    with client.session_transaction() as session:
        session["_user_id"] = str(admin_id)
    for url in ("/admin/audit?entity_id=", "/admin/notices?village=", "/admin/questions?village=",
                f"/kiosk/notice/{roster}?g=", f"/kiosk/notice/{roster}?page="):
        assert client.get(url + "1").status_code == 200, url
        assert client.get(url + HUGE).status_code == 404, url


# Hosts -----------------------------------------------------------------------------------

def test_untrusted_host_never_reaches_a_qr_code_or_a_cache_name(demo_app: Flask) -> None:
    assert not demo_app.config["PUBLIC_BASE_URL"]
    client = demo_app.test_client()
    cache = Path(demo_app.config["JOB_DIR"]) / "pdf-cache"
    before = set(cache.glob("*")) if cache.exists() else set()
    for url in ("/p/1.pdf", "/card/dongfeng/dibao", "/kiosk/dongfeng", "/feed/dongfeng.atom", "/api/openapi.json"):
        r = client.get(url, headers={"Host": "evil.example"})
        assert r.status_code == 400, url
        assert b"evil.example" not in r.data
    assert (set(cache.glob("*")) if cache.exists() else set()) == before
    assert client.get("/kiosk/dongfeng", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/kiosk/dongfeng", headers={"Host": "127.0.0.1"}).status_code == 200


def test_trusted_hosts_from_the_environment_or_the_public_url(monkeypatch) -> None:  # noqa: ANN001
    from disclosure.config import trusted_hosts

    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    hosts = trusted_hosts("https://cunwu.example.gov.cn")
    assert "cunwu.example.gov.cn" in hosts and "127.0.0.1" in hosts and "evil.example" not in hosts
    monkeypatch.setenv("TRUSTED_HOSTS", "board.lan, 192.168.1.5")
    assert trusted_hosts("") == ["board.lan", "192.168.1.5"]
