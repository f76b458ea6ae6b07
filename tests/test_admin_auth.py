"""Accounts on the staff side: the real login form with CSRF, lockout,
logout, password change and user management by township admins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from disclosure.extensions import db
from disclosure.models import AuditEntry, Role, User
from tests.conftest import PASSWORD, login_as, make_app

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token in the form"
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf_app(app: Flask, tmp_path: Path) -> Flask:
    """Same database as ``app``, CSRF protection on."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True)


def test_login_through_the_real_form_with_csrf(csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="li")
    client = csrf_app.test_client()
    assert client.post("/admin/login", data={"username": "li", "password": PASSWORD}).status_code == 400  # no token
    page = client.get("/admin/login?next=/admin/notices")
    assert page.status_code == 200 and "工作人员登录" in page.text
    response = client.post("/admin/login?next=/admin/notices",
                           data={"username": "li", "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302 and response.location.endswith("/admin/notices")
    home = client.get("/admin/notices")
    assert home.status_code == 200 and "公示列表" in home.text
    # logout is a POST with a token; a GET does nothing
    assert client.get("/admin/logout").status_code == 405
    client.post("/admin/logout", data={"csrf_token": csrf_token(home.text)})
    assert client.get("/admin/notices").status_code == 302


def _login_message(client, token: str, username: str, password: str, address: str) -> str:  # noqa: ANN001
    r = client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token},
                    environ_base={"REMOTE_ADDR": address})
    assert r.status_code == 200
    return re.search(r'<p class="error" id="password-error">([^<]+)</p>', r.text).group(1)


def test_a_flood_locks_the_address_not_the_account_and_says_the_same_for_any_name(
        csrf_app: Flask, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="wang")
    client = csrf_app.test_client()
    token = csrf_token(client.get("/admin/login").text)
    stranger = "203.0.113.9"
    messages = [_login_message(client, token, "wang", "wrong-pass-1", stranger) for _ in range(3)]
    assert messages == ["用户名或密码错误"] * 3
    # Locked now: the same words for the known clerk and for a name that does not exist.
    known = _login_message(client, token, "wang", "wrong-pass-1", stranger)
    unknown = _login_message(client, token, "nobody-here", "wrong-pass-1", stranger)
    assert "登录失败次数过多" in known
    assert re.sub(r"\d+", "N", known) == re.sub(r"\d+", "N", unknown)
    # an unknown name fails the same way as a known one before the lock, too
    other = "203.0.113.10"
    assert _login_message(client, token, "nobody-here", "x-wrong-1", other) == \
        _login_message(client, token, "wang", "x-wrong-1", other)
    # The clerk at the office logs in at once: the stranger locked an address, not the account.
    office = csrf_app.test_client()
    office_token = csrf_token(office.get("/admin/login").text)
    r = office.post("/admin/login", data={"username": "wang", "password": PASSWORD, "csrf_token": office_token},
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 302
    # the stranger's address stays locked even with the right password, and the wait doubles
    assert "登录失败次数过多" in _login_message(client, token, "wang", PASSWORD, stranger)
    with csrf_app.app_context():
        from disclosure.models import LoginThrottle
        from disclosure.services.users import lock_remaining

        throttle = db.session.get(LoginThrottle, stranger)
        assert throttle.failures == 3  # tries during the lock are refused, not counted
        throttle.locked_until = throttle.last_failure_at  # the wait is over
        db.session.commit()
    assert _login_message(client, token, "wang", "wrong-pass-1", stranger) == "用户名或密码错误"
    with csrf_app.app_context():
        assert 50 <= lock_remaining(stranger).total_seconds() <= 61  # 60 s after 30 s


def test_open_redirect_refused(client, make_user) -> None:  # noqa: ANN001
    make_user(Role.CLERK, username="zhao")
    r = client.post("/admin/login?next=https://evil.example/x", data={"username": "zhao", "password": PASSWORD})
    assert r.status_code == 302 and r.location == "/admin/"


def test_anonymous_sent_to_login_with_chinese_page(client) -> None:  # noqa: ANN001
    r = client.get("/admin/notices")
    assert r.status_code == 302 and "/admin/login" in r.location
    assert '<html lang="zh-CN">' in client.get("/admin/login").text


def test_change_password(client, app: Flask, make_user) -> None:  # noqa: ANN001
    uid = make_user(Role.CLERK)
    login_as(client, uid)
    r = client.post("/admin/password", data={"current": "nope-nope-1", "new": "abc", "confirm": "abc"})
    assert "当前密码不正确" in r.text
    r = client.post("/admin/password", data={"current": PASSWORD, "new": "new-pass-456", "confirm": "other-pass-456"})
    assert "两次输入的新密码不一致" in r.text
    r = client.post("/admin/password", data={"current": PASSWORD, "new": "new-pass-456", "confirm": "new-pass-456"})
    assert r.status_code == 302
    with app.app_context():
        from disclosure.services.users import authenticate

        assert authenticate(db.session.get(User, uid).username, "new-pass-456").id == uid
        assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "user.password")).scalar_one()


def test_township_admin_manages_users(client, app: Flask, make_user, place) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN, village=None)
    login_as(client, admin)
    # a clerk without a village is refused, the message next to the village field
    r = client.post("/admin/users/new", data={"username": "new-clerk", "display_name": "新报账员", "role": "clerk",
                                              "village": "", "password": "first-pass-123"})
    assert r.status_code == 400 and 'id="village-error">村报账员和监督委员会成员必须指定所在村' in r.text
    r = client.post("/admin/users/new", data={"username": "new-clerk", "display_name": "新报账员", "role": "clerk",
                                              "village": str(place["v2"]), "password": "first-pass-123"})
    assert r.status_code == 302
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.username == "new-clerk")).scalar_one()
        uid = user.id
        assert user.village_id == place["v2"] and user.role == Role.CLERK
    assert "new-clerk" in client.get("/admin/users").text
    # deactivate: the account can no longer log in
    assert client.post(f"/admin/users/{uid}/active").status_code == 302
    other = app.test_client()
    r = other.post("/admin/login", data={"username": "new-clerk", "password": "first-pass-123"})
    assert "该账号已停用" in r.text
    # reset password (short one refused next to the field), which also lifts a lock
    r = client.post(f"/admin/users/{uid}/password", data={"password": "short"})
    assert r.status_code == 400 and "密码至少需要10位" in r.text
    client.post(f"/admin/users/{uid}/active")  # reactivate
    assert client.post(f"/admin/users/{uid}/password", data={"password": "second-pass-123"}).status_code == 302
    assert other.post("/admin/login", data={"username": "new-clerk", "password": "second-pass-123"}).status_code == 302
    # an admin cannot deactivate themselves
    client.post(f"/admin/users/{admin}/active")
    with app.app_context():
        assert db.session.get(User, admin).is_active_account
        actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"user.create", "user.deactivate", "user.activate", "user.reset_password"} <= actions


def test_audit_log_page(client, app: Flask, make_user) -> None:  # noqa: ANN001
    admin = make_user(Role.TOWNSHIP_ADMIN, village=None)
    make_user(Role.CLERK, username="audited-clerk")
    login_as(client, admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "user.create" in page.text and "audited-clerk" in page.text
    assert "user.create" not in client.get("/admin/audit?action=notice").text
