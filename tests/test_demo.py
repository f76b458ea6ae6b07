"""`flask demo load`: the demo township is big enough to show everything, is
the same every time, loads only once, and carries no raw private numbers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from conftest import database_url, make_app
from flask import Flask

from disclosure import keys
from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, ProjectDetail, RosterLine, Status, Village
from disclosure.privacy import ACCOUNT_PATTERN, ID_PATTERN, MOBILE_PATTERN


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, demo_app: Flask) -> Iterator[Flask]:
    """A fresh database with the demo loaded through the CLI, twice (once per module: read-only tests)."""
    folder = tmp_path_factory.mktemp("demo-cli")
    (folder / "instance").mkdir()
    # The same fingerprint key ring as the shared demo (as the same secret): same fingerprints.
    shutil.copy(demo_app.config["FINGERPRINT_KEYS_FILE"], folder / "instance" / keys.KEYS_FILE)
    app = make_app(database_url("board_demo_cli", folder), folder / "instance")
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "演示数据已载入。" in first.output
    with app.app_context():
        app.extensions["counts_after_first"] = _row_counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "演示数据已存在，未作改动。" in second.output
    for output in (first.output, second.output):  # the demo logins are printed each time
        assert "演示账号" in output and "demo-cunwu-2025" in output
        for username in ("admin", "clerk-dongfeng", "supervisor-dongfeng", "clerk-shiqiao"):
            assert username in output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_loading_twice_changes_nothing(loaded: Flask) -> None:
    with loaded.app_context():
        after_second = _row_counts()
    assert after_second == loaded.extensions["counts_after_first"]
    assert after_second["notices"] > 0 and after_second["audit_log"] > 0


def test_demo_is_big_enough(loaded: Flask) -> None:
    with loaded.app_context():
        villages = db.session.execute(sa.select(Village)).scalars().all()
        assert len(villages) >= 3
        for village in villages:
            months = {(d.year, d.month) for d in db.session.execute(
                sa.select(LedgerLine.occurred_on).where(LedgerLine.village_id == village.id)).scalars()}
            assert len(months) >= 24, village.code
            assert len(village.groups) >= 3
        assert db.session.execute(sa.select(sa.func.count()).select_from(RosterLine)).scalar_one() >= 300
        kinds = set(db.session.execute(sa.select(RosterLine.kind).distinct()).scalars())
        assert len(kinds) >= 3
        groups = set(db.session.execute(sa.select(RosterLine.group_no).distinct()).scalars())
        assert len(groups - {None}) >= 3
        projects = db.session.execute(sa.select(ProjectDetail.project_key, ProjectDetail.stage)).all()
        assert len({key for key, _ in projects}) >= 4
        assert len({stage for _, stage in projects}) >= 3
        statuses = set(db.session.execute(sa.select(Notice.status).distinct()).scalars())
        assert statuses == set(Status)
        # Ledgers carry real Chinese 摘要 in every subject the catalogue knows.
        subjects = set(db.session.execute(sa.select(LedgerLine.subject).distinct()).scalars())
        assert len(subjects) >= 6
        assert all(re.search(r"[\u4e00-\u9fff]", s) for s in db.session.execute(
            sa.select(LedgerLine.summary).limit(50)).scalars())


def test_demo_is_deterministic(loaded: Flask, demo_app: Flask) -> None:
    """Two loads into two databases (same key ring, same day) give the same rosters and books."""

    def snapshot(app: Flask) -> list[tuple]:
        with app.app_context():
            roster = db.session.execute(sa.select(
                Village.code, RosterLine.kind, RosterLine.seq, RosterLine.name, RosterLine.public_name,
                RosterLine.amount_fen, RosterLine.id_hash).join(Village, RosterLine.village_id == Village.id)
                .order_by(Village.code, RosterLine.kind, RosterLine.notice_id, RosterLine.seq)).all()
            ledger = db.session.execute(sa.select(
                Village.code, LedgerLine.occurred_on, LedgerLine.summary, LedgerLine.amount_fen)
                .join(Village, LedgerLine.village_id == Village.id)
                .order_by(Village.code, LedgerLine.notice_id, LedgerLine.id)).all()
            return [tuple(r) for r in roster + ledger]

    assert snapshot(loaded) == snapshot(demo_app)


def _text_columns(table: sa.Table) -> list[sa.Column]:
    # Keyed hashes are hex strings: their digits may look like a phone number by chance.
    return [c for c in table.columns if not c.name.endswith("_hash") and c.name != "verify_code"
            and isinstance(c.type, sa.String | sa.Text | sa.JSON)]


def _leaks(app: Flask, tables: list[str]) -> list[str]:
    found = []
    with app.app_context():
        for name in tables:
            table = db.metadata.tables[name]
            columns = _text_columns(table)
            for values in db.session.execute(sa.select(*columns)).all():
                for column, value in zip(columns, values, strict=True):
                    text = str(value or "")
                    for pattern in (ID_PATTERN, ACCOUNT_PATTERN, MOBILE_PATTERN):
                        if pattern.search(text):
                            found.append(f"{name}.{column.name}: {text[:40]}")
    return found


def test_no_raw_private_numbers_in_the_roster(demo_app: Flask) -> None:
    assert _leaks(demo_app, ["roster_lines"]) == []
    with demo_app.app_context():
        lines = db.session.execute(sa.select(RosterLine)).scalars().all()
        assert len(lines) >= 300
        # the masked forms are there (staff screens), the raw ones are not
        assert all(re.fullmatch(r"\d{4}\*{10}[\dX]{4}", l.id_masked) for l in lines)
        assert all(re.fullmatch(r"尾号\d{4}", l.account_masked) for l in lines)
        assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", l.phone_masked) for l in lines)
        assert all(re.fullmatch(r"[0-9a-f]{64}", l.id_hash) for l in lines)
        assert all(l.public_name[1] == "*" for l in lines)


def test_no_raw_private_numbers_anywhere(demo_app: Flask) -> None:
    """Not in the audit log, the notices, the ledgers: nowhere in the database."""
    assert _leaks(demo_app, [t.name for t in db.metadata.sorted_tables]) == []
