"""GET /healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import socket
from pathlib import Path

from conftest import make_app
from flask import Flask


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_healthz_ok(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_healthz_on_an_unreachable_postgresql(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/board"
    app = make_app(url, tmp_path / "instance", SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 3}})
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    # and it keeps answering (no broken session left behind)
    assert client.get("/healthz").status_code == 503


def test_healthz_on_an_sqlite_file_that_cannot_exist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'deeper' / 'board.sqlite'}"
    app = make_app(url, tmp_path / "instance")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert not (tmp_path / "no-such-dir").exists()


def test_healthz_recovers_when_the_database_comes_back(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    app = make_app(f"sqlite:///{folder / 'board.sqlite'}", tmp_path / "instance")
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    folder.mkdir()
    assert client.get("/healthz").status_code == 200
