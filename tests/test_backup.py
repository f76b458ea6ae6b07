"""`flask backup` / `flask restore` round-trip, on the backend under test."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Village


def _village_names(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(select(Village.name).order_by(Village.code)).scalars())


def test_backup_then_restore_brings_back_what_was_there(app, place, tmp_path: Path):
    runner = app.test_cli_runner()
    target = tmp_path / "board.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    before = _village_names(app)
    assert before == ["一村", "二村"]

    with app.app_context():  # a change after the backup …
        db.session.execute(select(Village).where(Village.code == "v2")).scalar_one().name = "改过的名字"
        db.session.commit()
        db.session.remove()
    assert _village_names(app) == ["一村", "改过的名字"]

    result = runner.invoke(args=["restore", str(target), "--yes"])  # … is undone by the restore
    assert result.exit_code == 0, result.output
    assert _village_names(app) == before
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Village)).scalar_one() == 2


def test_restore_refuses_a_file_that_is_not_a_backup(app, place, tmp_path: Path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    result = app.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert _village_names(app) == ["一村", "二村"]  # nothing lost


def test_restore_asks_before_overwriting(app, place, tmp_path: Path):
    target = tmp_path / "b.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert "确定继续" in result.output


def test_files_in_the_database_come_back_with_a_restore(app, place, tmp_path: Path):
    """Photos and PDFs in the database (FILE_STORE=db, PostgreSQL's default) are in the backup."""
    from disclosure import storage

    app.config["FILE_STORE"] = "db"
    name, photo = "vouchers/" + "b" * 64 + ".jpg", b"\xff\xd8 a receipt"
    with app.app_context():
        storage.put(name, photo)
        db.session.commit()
    target = tmp_path / "files.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    with app.app_context():
        storage.delete(name)
        db.session.commit()
        assert storage.get(name) is None
        db.session.remove()
    assert app.test_cli_runner().invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    with app.app_context():
        assert storage.get(name) == photo
