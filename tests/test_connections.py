"""Pooled connections are pinged only after they sat idle (disclosure/connections.py):
no round trip on a busy board's requests, and a connection the server closed
while idle is replaced before a request uses it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure.extensions import db
from tests.conftest import ON_POSTGRES, database_url, make_app


def _counting_pings(app: Flask) -> list[float]:
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[float] = []
    real = dialect.do_ping

    def do_ping(dbapi_connection) -> bool:  # noqa: ANN001
        pings.append(time.monotonic())
        return real(dbapi_connection)

    dialect.do_ping = do_ping  # on this app's engine only
    return pings


def test_a_connection_in_use_moments_ago_is_not_pinged(tmp_path: Path) -> None:
    app = make_app(database_url("board_ping_busy", tmp_path), tmp_path / "instance")
    pings = _counting_pings(app)
    client = app.test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert pings == []
    with app.app_context():
        db.engine.dispose()


def test_an_idle_connection_is_pinged_before_use(tmp_path: Path) -> None:
    app = make_app(database_url("board_ping_idle", tmp_path), tmp_path / "instance", DB_IDLE_PING_SECONDS=0.2)
    pings = _counting_pings(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    time.sleep(0.3)
    assert client.get("/healthz").status_code == 200
    assert len(pings) == 1
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="a server that closes connections: PostgreSQL")
def test_a_connection_the_server_closed_while_idle_is_replaced(tmp_path: Path) -> None:
    url = database_url("board_ping_closed", tmp_path)
    app = make_app(url, tmp_path / "instance", DB_IDLE_PING_SECONDS=0.2)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # a pooled connection now
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a server restart does to it
        closed = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert closed >= 1
    time.sleep(0.3)
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        db.engine.dispose()
