"""Staff accounts: creation, argon2 password hashes, a wait for an address
that keeps failing to log in, and session versions."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from flask import current_app, has_app_context
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginThrottle, Role, Township, User, Village, utcnow
from . import ServiceError, audit

_HASHERS = {
    "default": PasswordHasher(),
    # Real argon2 at its smallest cost, for test suites only (PASSWORD_HASH_FAST).
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}


def _hasher() -> PasswordHasher:
    fast = has_app_context() and current_app.config.get("PASSWORD_HASH_FAST")
    return _HASHERS["fast" if fast else "default"]
MIN_PASSWORD = 10
#: After this many failures in a row from one address, that address waits, doubling each time.
FREE_FAILURES = 3
MAX_LOCK = dt.timedelta(hours=1)
#: A throttle row is forgotten a day after its last failure.
THROTTLE_MEMORY = dt.timedelta(days=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少需要{MIN_PASSWORD}位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字"
    return None


def create_user(
    *, username: str, display_name: str, password: str, role: Role, township: Township,
    village: Village | None = None, actor: User | None = None,
) -> User:
    username = username.strip().lower()
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ServiceError("用户名只能包含字母、数字、点、横线和下划线", "username")
    if db.session.execute(select(func.count()).where(User.username == username)).scalar_one():
        raise ServiceError("该用户名已存在", "username")
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, "password")
    _check_creator(actor, role, township)
    village_free = role in (Role.TOWNSHIP_ADMIN, Role.COUNTY_ADMIN)
    if not village_free and village is None:
        raise ServiceError("村报账员和监督委员会成员必须指定所在村", "village")
    if village is not None and village.township_id != township.id:
        raise ServiceError("该村不属于此乡镇", "village")
    if role == Role.COUNTY_ADMIN and not township.county:
        raise ServiceError(f"{township.name}没有填写所属县，不能设县级管理员（先用 flask places 写明所属县）", "township")
    user = User(
        username=username, display_name=display_name.strip() or username, password_hash=hash_password(password),
        role=role, township_id=township.id, village_id=village.id if village and not village_free else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, township_id=township.id,
                 after={"username": user.username, "role": role.value, "village_id": user.village_id})
    return user


def _check_creator(actor: User | None, role: Role, township: Township) -> None:
    """A township admin creates its township's staff (no county admin); a
    county admin creates township admins of its county; the CLI (no actor) anyone."""
    from . import access

    if actor is None:
        return
    if actor.role == Role.TOWNSHIP_ADMIN and role != Role.COUNTY_ADMIN and township.id == actor.township_id:
        return
    if actor.role == Role.COUNTY_ADMIN and role == Role.TOWNSHIP_ADMIN \
            and township.id in {t.id for t in access.county_townships(actor)}:
        return
    raise ServiceError("您无权创建这个账号", "role")


def managed_accounts(actor: User) -> list[User]:
    """The accounts ``actor`` manages (access.can_manage_account), by township, role and name."""
    from . import access

    if actor.role == Role.COUNTY_ADMIN:
        ids = [t.id for t in access.county_townships(actor)]
        query = select(User).where(User.township_id.in_(ids), User.role == Role.TOWNSHIP_ADMIN)
    elif actor.role == Role.TOWNSHIP_ADMIN:
        query = select(User).where(User.township_id == actor.township_id, User.role != Role.COUNTY_ADMIN)
    else:
        return []
    return list(db.session.execute(query.order_by(User.township_id, User.role, User.username)).scalars())


def lock_remaining(address: str, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long ``address`` must still wait before it may try to log in again."""
    now = now or utcnow()
    throttle = db.session.get(LoginThrottle, address[:64])
    if throttle is not None and throttle.locked_until and throttle.locked_until > now:
        return throttle.locked_until - now
    return None


def _failed(address: str, now: dt.datetime) -> None:
    throttle = db.session.get(LoginThrottle, address[:64])
    if throttle is None:
        throttle = LoginThrottle(address=address[:64], failures=0, last_failure_at=now)
        db.session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= FREE_FAILURES:
        seconds = 30 * 2 ** min(throttle.failures - FREE_FAILURES, 12)
        throttle.locked_until = now + min(dt.timedelta(seconds=seconds), MAX_LOCK)


def authenticate(username: str, password: str, address: str = "", now: dt.datetime | None = None) -> User:
    """The user, or ServiceError. Failures from one address lengthen that
    address's wait: 3 free tries, then 30 s, 60 s, 120 s … up to an hour. The
    messages are the same for a known and an unknown username, and a stranger's
    failures never lock the account out for its owner at another address."""
    now = now or utcnow()
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - THROTTLE_MEMORY))
    wait = lock_remaining(address, now)
    if wait is not None:
        raise ServiceError(f"登录失败次数过多，请{int(wait.total_seconds()) + 1}秒后再试")
    user = db.session.execute(select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
    try:
        if user is None:
            _hasher().hash(password)  # same work as a real check: no timing oracle for usernames
            raise VerificationError
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _failed(address, now)
        raise ServiceError("用户名或密码错误") from None
    if not user.is_active_account:
        raise ServiceError("该账号已停用，请联系乡镇管理员")
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.address == address[:64]))
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(user: User) -> None:
    """End every session of the account (each carries the old version)."""
    user.session_version = (user.session_version or 1) + 1


def change_password(user: User, current: str, new: str) -> None:
    try:
        _hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise ServiceError("当前密码不正确", "current") from None
    problem = password_problem(new)
    if problem:
        raise ServiceError(problem, "new")
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record(user, "user.password", "user", user.id)


def set_active(user: User, actor: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; a township admin cannot lock themselves out."""
    if user.id == actor.id and not active:
        raise ServiceError("不能停用自己的账号")
    before = {"is_active": user.is_active_account}
    user.is_active_account = bool(active)
    if not active:
        end_sessions(user)
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 township_id=user.township_id, before=before, after={"is_active": user.is_active_account})


def reset_password(user: User, actor: User, new: str) -> None:
    """A township admin sets a new password for a staff member (ending their sessions)."""
    problem = password_problem(new)
    if problem:
        raise ServiceError(problem, "password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record(actor, "user.reset_password", "user", user.id, township_id=user.township_id)
