"""The app factory: defaults, the environment, and a test config on top."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from disclosure import create_app
from disclosure.extensions import db


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "KIOSK_IDLE_SECONDS", "BOARD_INSTANCE",
                 "SESSION_COOKIE_SECURE", "TRUST_PROXY", "FINGERPRINT_KEYS", "FINGERPRINT_KEY_ID"):
        monkeypatch.delenv(name, raising=False)


def test_test_config_keys_are_honoured(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "PUBLIC_BASE_URL": "https://cunwu.example.gov.cn", "KIOSK_IDLE_SECONDS": 30,
                      "SOMETHING_NEW": 1})
    assert app.testing
    assert app.instance_path == str(tmp_path)
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["PUBLIC_BASE_URL"] == "https://cunwu.example.gov.cn"
    assert app.config["KIOSK_IDLE_SECONDS"] == 30
    assert app.config["SOMETHING_NEW"] == 1
    assert "INSTANCE_PATH" not in app.config
    with app.app_context():
        assert str(db.engine.url) == f"sqlite:///{tmp_path / 'x.sqlite'}"


def test_defaults(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert (tmp_path / "inst").is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'board.sqlite'}"
    assert app.config["PUBLIC_BASE_URL"] == ""
    assert app.config["KIOSK_IDLE_SECONDS"] == 90
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # https, or http://127.0.0.1
    assert app.config["TRUST_PROXY"] is False
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "inst" / "uploads")
    assert not app.testing


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    path = tmp_path / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = first.config["SECRET_KEY"]
    assert len(key) == 64 and key == path.read_text().strip()
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert second.config["SECRET_KEY"] == key  # reused, so sessions survive restarts
    other = create_app({"INSTANCE_PATH": str(tmp_path / "elsewhere")})
    assert other.config["SECRET_KEY"] != key  # another instance, another key


def test_secret_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-0123456789")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment-0123456789"
    assert not (tmp_path / "secret_key").exists()


def test_the_repository_does_not_carry_a_secret() -> None:
    root = Path(__file__).resolve().parents[1]
    ignore = (root / ".gitignore").read_text()
    assert "/instance/" in ignore.splitlines()  # the generated key and the SQLite file live there


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://board:pw@db.example:5432/cunwu", "postgresql+psycopg://board:pw@db.example:5432/cunwu"),
        ("postgresql://board:pw@db.example/cunwu", "postgresql+psycopg://board:pw@db.example/cunwu"),
        ("postgresql+psycopg://board@127.0.0.1:5432/cunwu", "postgresql+psycopg://board@127.0.0.1:5432/cunwu"),
        ("sqlite:////srv/board/board.sqlite", "sqlite:////srv/board/board.sqlite"),
    ],
)
def test_database_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str,
                                           used: str) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used
    with app.app_context():  # the engine is built with the psycopg 3 driver, without connecting
        assert db.engine.url.render_as_string(hide_password=False) == used
        if used.startswith("postgresql"):
            assert db.engine.dialect.driver == "psycopg"


def test_other_environment_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://cunwu.example.gov.cn")
    monkeypatch.setenv("KIOSK_IDLE_SECONDS", "120")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    monkeypatch.setenv("BOARD_INSTANCE", str(tmp_path / "from-env"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "from-env")
    assert (tmp_path / "from-env" / "secret_key").exists()
    assert app.config["PUBLIC_BASE_URL"] == "https://cunwu.example.gov.cn"
    assert app.config["KIOSK_IDLE_SECONDS"] == 120
    assert app.config["SESSION_COOKIE_SECURE"] is False  # a plain-HTTP LAN test


def test_the_wsgi_module_exposes_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOARD_INSTANCE", str(tmp_path))
    import importlib
    import sys

    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    assert wsgi.app.name == "disclosure"
    assert {"health.healthz", "kiosk.village_list"} <= set(wsgi.app.view_functions)
    sys.modules.pop("wsgi", None)
