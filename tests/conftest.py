"""Fixtures: an app on a fresh database per test, a shared demo database for
read-only tests, user factories and logged-in clients.

The backend comes from TEST_DATABASE_URL (a PostgreSQL server, see .ci/run);
without it every database is an SQLite file in a temporary folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from disclosure import create_app
from disclosure.extensions import db
from disclosure.models import Role, Township, User, Village, VillageGroup
from disclosure.services.users import create_user

PASSWORD = "test-pass-123"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def database_url(name: str, folder: Path) -> str:
    """A new, empty database called ``name``."""
    if not ON_POSTGRES:
        path = folder / f"{name}.sqlite"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def make_app(url: str, instance: Path, **extra: object) -> Flask:
    instance.mkdir(parents=True, exist_ok=True)
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "SERVER_NAME": None,
        # Public PDFs come from the renderer process (disclosure/render.py); a test waits for them.
        "PDF_WAIT_SECONDS": 60,
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def worker_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("board")


@pytest.fixture(scope="session")
def fresh_url(worker_dir: Path) -> str:
    return database_url("board_fresh", worker_dir)


@contextlib.contextmanager
def fresh_app(url: str, instance: Path, **extra: object) -> Iterator[Flask]:
    """An app on ``url`` with empty tables (schema from the models)."""
    app = make_app(url, instance, **extra)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(fresh_url: str, tmp_path: Path) -> Iterator[Flask]:
    with fresh_app(fresh_url, tmp_path / "instance") as app:
        yield app


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The throw-away redis-server that scripts/test.sh starts (TEST_REDIS_URL).
    Without it the tests that need Redis are skipped, except under CI, where
    a missing Redis is a failure."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        reason = "needs Redis: scripts/test.sh starts a redis-server and sets TEST_REDIS_URL"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def demo_app(worker_dir: Path) -> Iterator[Flask]:
    """The demo township, loaded once for the whole run. Do not write to it."""
    yield demo_township("board_demo", worker_dir)


def demo_township(name: str, worker_dir: Path) -> Flask:
    """An app on a new database ``name`` holding the demo township."""
    app = make_app(database_url(name, worker_dir), worker_dir / f"{name}-instance")
    with app.app_context():
        db.create_all()
        from disclosure.demo import load

        load()
        db.session.remove()
    return app


@contextlib.contextmanager
def walkable_demo(name: str, worker_dir: Path, **extra: object) -> Iterator[Flask]:
    """The demo township on a new database ``name`` plus what it lacks for every
    route to be reachable (tools/routes.add_unlinked_objects): for the route walks."""
    from tools.routes import add_unlinked_objects

    app = make_app(database_url(name, worker_dir), worker_dir / f"{name}-instance", **extra)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from disclosure.demo import load

        load()
        add_unlinked_objects()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture
def place(app: Flask) -> dict[str, int]:
    """One township with two villages (3 groups each); returns their ids."""
    with app.app_context():
        township = Township(code="t1", name="测试镇", phone="0851-1234567")
        v1 = Village(code="v1", name="一村", township=township, supervision_phone="0851-1234501",
                     opening_balance_fen=100_000_00, opening_date=dt.date(2024, 12, 31))
        v2 = Village(code="v2", name="二村", township=township, supervision_phone="0851-1234502")
        for v in (v1, v2):
            v.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in (1, 2, 3)]
        db.session.add_all([township, v1, v2])
        db.session.commit()
        return {"township": township.id, "v1": v1.id, "v2": v2.id}


@pytest.fixture
def make_user(app: Flask, place: dict[str, int]) -> Callable[..., int]:
    """make_user(role, village="v1") → user id; usernames are unique per call."""
    counter = iter(range(1, 10_000))

    def _make(role: Role | str = Role.CLERK, village: str | None = "v1", username: str | None = None) -> int:
        role = Role(role)
        with app.app_context():
            township = db.session.get(Township, place["township"])
            v = db.session.get(Village, place[village]) if village and role in (Role.CLERK, Role.SUPERVISOR) else None
            user = create_user(username=username or f"{role.value}-{next(counter)}", display_name="测试用户",
                               password=PASSWORD, role=role, township=township, village=v)
            db.session.commit()
            return user.id

    return _make


def login_as(client: FlaskClient, user_id: int) -> FlaskClient:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


@pytest.fixture
def login() -> Callable[[FlaskClient, int], FlaskClient]:
    return login_as


def get(app: Flask, model: type, ident: int):  # small helper for tests
    with app.app_context():
        return db.session.get(model, ident)


__all__ = ["PASSWORD", "ON_POSTGRES", "login_as", "User"]
