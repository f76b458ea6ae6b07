"""村务公开 disclosure board: the core (app factory, models, services)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import build_config, limiter_storage_uri
from .connections import ping_when_idle
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    app = Flask(
        __name__,
        instance_path=test_config.pop("INSTANCE_PATH", None) or os.environ.get("BOARD_INSTANCE") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(build_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)

    app.config["RATELIMIT_STORAGE_URI"] = limiter_storage_uri(app.config)

    if app.config.get("TRUST_PROXY"):
        # Behind nginx: trust one proxy's X-Forwarded-For/-Proto/-Host, so rate
        # limits see the villager's address and URLs use https.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["DB_IDLE_PING_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import filters, health, pagecache, security
    from .cli import register_cli

    filters.register(app)
    security.register(app)
    from .services import workcalendar

    workcalendar.init_app(app)  # working days read the holidays the township entered
    app.register_blueprint(health.bp)
    register_cli(app)

    from admin import bp as admin_bp
    from kiosk import register as register_public

    register_public(app)
    app.register_blueprint(admin_bp)
    pagecache.init_app(app)  # after the blueprints: it answers before their views, after their hooks

    @app.get("/")
    def index():  # the bare host: villagers' side first
        return redirect(url_for("kiosk.village_list"))

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """WAL, a busy timeout and enforced foreign keys on SQLite."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
