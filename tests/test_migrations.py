"""Migrations from empty on the current backend (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set): `flask db upgrade` builds exactly the schema the
models describe, and `flask db downgrade base` takes it all away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import database_url, make_app

from disclosure.extensions import db


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_from_empty_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    app = make_app(database_url("board_migrations", tmp_path), tmp_path / "instance")
    runner = app.test_cli_runner()
    assert _tables(app) == set()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    model_tables = {t.name for t in db.metadata.sorted_tables}
    assert _tables(app) == model_tables | {"alembic_version"}

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert differences == [], "the models and the migrations disagree: run `flask db migrate`"

    # Upgrading again is a no-op; the app works on the migrated schema.
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0, again.output
    demo = runner.invoke(args=["demo", "load"])
    assert demo.exit_code == 0, demo.output + repr(demo.exception)
    verify = runner.invoke(args=["verify-chain"])
    assert verify.exit_code == 0, verify.output

    script = ScriptDirectory(str(Path(__file__).resolve().parents[1] / "migrations"))
    assert head == script.get_current_head()  # one line of history, upgraded to its end

    down = runner.invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output + repr(down.exception)
    assert _tables(app) <= {"alembic_version"}
    with app.app_context():
        db.engine.dispose()
