"""Issue 16 §4 and issue 17: the ID fingerprint key is a versioned secret of
its own (not SECRET_KEY); ``flask keys rotate`` re-keys every stored
fingerprint and double-payment detection keeps working across the change;
hash format 3 lets anyone recompute a roster notice's hash from the download
while the board still catches a changed private field."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import stat
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure import clock, create_app, keys, periods
from disclosure.extensions import db
from disclosure.models import AuditEntry, Notice, RedFlag, Role, RosterLine, Township, User, Village
from disclosure.services import bulk, chain, lookup, oversight
from tests.helpers.feedback_data import Person, roster_notice, valid_id

ROOT = Path(__file__).resolve().parent.parent
OCT = periods.month(2025, 10)


def _verifier():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("verify_board", ROOT / "tools" / "verify_board.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("verify_board", module)
    spec.loader.exec_module(module)
    return module


def cli(app: Flask, *args: str):  # noqa: ANN201
    return app.test_cli_runner().invoke(args=list(args))


def sql(app: Flask, statement: str, **params: object) -> None:
    with app.app_context(), db.engine.begin() as conn:  # behind the app's back
        conn.execute(sa.text(statement), params)


def test_the_key_ring_is_its_own_secret_generated_once(tmp_path: Path) -> None:
    config = {"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    app = create_app(config)
    path = tmp_path / keys.KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with app.app_context():
        ring = keys.ring()
        assert ring.current == 1 and len(ring.key(1)) == 64
        assert ring.key(1) != app.config["SECRET_KEY"].encode()
        first = ring.fingerprint(valid_id(1))
    with create_app(config).app_context():  # a restart reads the same ring
        assert keys.ring().fingerprint(valid_id(1)) == first


def test_the_key_ring_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINGERPRINT_KEYS", f"1:{'a' * 64}, 2:{'b' * 64}")
    monkeypatch.setenv("FINGERPRINT_KEY_ID", "1")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        ring = keys.ring()
        assert (ring.current, ring.source, sorted(ring.keys)) == (1, "environment", [1, 2])
    assert not (tmp_path / keys.KEYS_FILE).exists()
    monkeypatch.setenv("FINGERPRINT_KEYS", f"1:{'a' * 64},3:{'b' * 64}")  # a version missing
    with pytest.raises(keys.KeyRingError, match="连续编号"):
        create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})


def test_an_existing_instance_keeps_its_fingerprints(tmp_path: Path) -> None:
    """Before the ring, IDs were fingerprinted with the generated SECRET_KEY:
    on the first start after the upgrade that key becomes version 1."""
    (tmp_path / "secret_key").write_text("an-old-generated-secret-key-0123456789abcdef\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert keys.ring().key(1) == b"an-old-generated-secret-key-0123456789abcdef"


def test_rotation_rekeys_and_double_payment_is_still_caught(app: Flask, place: dict[str, int], make_user) -> None:  # noqa: ANN001
    admin_id = make_user(Role.TOWNSHIP_ADMIN)
    twice, other = valid_id(11), valid_id(12)
    with app.app_context():
        v1 = db.session.get(Village, place["v1"])
        before = roster_notice(v1, "dibao", OCT, [Person("张三明", 50000, twice)])
        # A duplicate flagged before the rotation must not be raised again after it.
        roster_notice(v1, "linshi", periods.quarter(2025, 3), [Person("赵六", 100000, other)])
        roster_notice(v1, "linshi", periods.month(2025, 8), [Person("赵六", 50000, other)])
        township = db.session.get(Township, place["township"])
        assert [f.kind for f in oversight.run_checks(township, db.session.get(User, admin_id))] == ["duplicate_payment"]
        oversight.add_cadre_relative(db.session.get(User, admin_id), v1, name="张三明", id_number=twice,
                                     cadre_name="李书记", relation="子女")
        db.session.commit()
        line = before.roster_lines[0]
        old_hash, line_id, before_id = line.id_hash, line.id, before.id
        assert (line.id_key, before.hash_format, before.commit_key) == (1, 3, 1)

    result = cli(app, "keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "第 2 版" in result.output

    with app.app_context():
        assert keys.ring().current == 2
        line = db.session.get(RosterLine, line_id)
        assert line.id_key == 2 and line.id_hash != old_hash
        assert (line.sealed_id_hash, line.sealed_id_key) == (old_hash, 1)  # what the published version sealed
        assert line.id_hash == keys.fingerprint(twice)[1]  # what the new key makes of the number
        # The same person imported after the rotation, in another village, same month and kind.
        v2 = db.session.get(Village, place["v2"])
        after = roster_notice(v2, "dibao", OCT, [Person("张三明", 50000, twice)])
        assert after.commit_key == 2
        new = oversight.run_checks(db.session.get(Township, place["township"]), db.session.get(User, admin_id))
        dups = [f for f in new if f.kind == "duplicate_payment"]
        assert len(dups) == 1 and set(dups[0].roster_line_ids) == {line_id, after.roster_lines[0].id}
        # the cadre-register entry made before the rotation matches the lines before and after it
        cadre = [f for f in new if f.kind == "cadre_relative"]
        assert {tuple(f.roster_line_ids) for f in cadre} == {(line_id,), (after.roster_lines[0].id,)}
        assert db.session.execute(sa.select(sa.func.count(RedFlag.id)).where(
            RedFlag.kind == "duplicate_payment")).scalar_one() == 2
        # the self-lookup finds both payments
        found = lookup.find(lookup.fingerprint(twice), "张", None, clock.china_today())
        assert found.found and len(found.lines) == 2
        db.session.commit()

    result = cli(app, "verify-chain")
    assert result.exit_code == 0, result.output  # format-3 commitments checked with their own key versions
    sql(app, "UPDATE roster_lines SET id_hash = :h WHERE id = :id", h="0" * 64, id=line_id)
    result = cli(app, "verify-chain")
    assert result.exit_code == 1 and f"公示 #{before_id}" in result.output and "身份证指纹被改动" in result.output
    status = cli(app, "keys", "status")
    assert "当前版本：2" in status.output and "roster_lines: 第2版" in status.output


def test_rotation_refuses_keys_from_the_environment(app: Flask) -> None:
    with app.app_context():
        app.config["FINGERPRINT_KEYS"] = "1:" + "a" * 64
        result = cli(app, "keys", "rotate")
    assert result.exit_code != 0 and "FINGERPRINT_KEY_ID" in result.output


def _download(app: Flask, place: dict[str, int]) -> bytes:
    with app.app_context():
        township = db.session.get(Township, place["township"])
        return bulk.bulk_zip(township, periods.year(2025))  # roster_notice publishes in Nov 2025


def test_format_3_rosters_verify_from_the_download_and_private_changes_are_caught(
        app: Flask, place: dict[str, int]) -> None:
    with app.app_context():
        notice = roster_notice(db.session.get(Village, place["v1"]), "dibao", OCT,
                               [Person("张三明", 50000, valid_id(1)), Person("李四", 40000, valid_id(2))])
        db.session.commit()
        notice_id = notice.id
        content = chain.notice_content(notice)
        assert "张三明" not in json.dumps(content, ensure_ascii=False)
        assert notice.roster_lines[0].id_hash not in json.dumps(content)
    verifier = _verifier()
    report = verifier.verify(verifier.read_zip(_download(app, place)))
    assert report.problems == [] and (report.checked, report.links_only) == (1, 0)

    # A full name changed behind the app's back: the public cells are the same,
    # but the commitment is not, so both the board and an outside verifier see it.
    sql(app, "UPDATE roster_lines SET name = '张三丰' WHERE notice_id = :id AND seq = 1", id=notice_id)
    result = cli(app, "verify-chain")
    assert result.exit_code == 1 and f"公示 #{notice_id}" in result.output and "内容哈希不符" in result.output
    report = verifier.verify(verifier.read_zip(_download(app, place)))
    assert len(report.problems) == 1 and f"#{notice_id}《" in report.problems[0]


def test_format_2_roster_versions_keep_verifying(app: Flask, place: dict[str, int]) -> None:
    """A roster version sealed before format 3 checks under its own format, on
    the board and (link only, as before) from the download."""
    with app.app_context():
        notice = roster_notice(db.session.get(Village, place["v1"]), "dibao", OCT, [Person("张三明", 50000, valid_id(1))])
        notice.hash_format, notice.commit_key = 2, None  # sealed as a board before this change did
        notice.content_hash = chain.content_hash(notice)
        notice.chain_hash = chain.link_hash(None, notice.content_hash)
        notice.verify_code = chain.verify_code(notice.content_hash)
        for entry in db.session.execute(sa.select(AuditEntry)).scalars():  # the seal it logged
            entry.after = {k: v for k, v in (entry.after or {}).items() if k != "chain_code"}
        db.session.commit()
        notice_id = notice.id
    result = cli(app, "verify-chain")
    assert result.exit_code == 0, result.output
    verifier = _verifier()
    report = verifier.verify(verifier.read_zip(_download(app, place)))
    assert report.problems == [] and (report.checked, report.links_only) == (0, 1)
    # after a rotation the sealed fingerprint keeps the format-2 hash intact
    assert cli(app, "keys", "rotate").exit_code == 0
    assert cli(app, "verify-chain").exit_code == 0
    sql(app, "UPDATE roster_lines SET name = '张三丰' WHERE notice_id = :id", id=notice_id)
    assert "内容哈希不符" in cli(app, "verify-chain").output
    with app.app_context():
        assert db.session.get(Notice, notice_id).hash_format == 2


def test_the_verifier_lists_the_roster_cells_the_board_hashes() -> None:
    """tools/verify_board.py cannot import the board: its copy of the format-3
    roster layout must stay the board's, and every cell must be in roster.csv."""
    cells = _verifier().CONTENT_FORMAT_3["roster"][2]
    assert cells == [*chain.PUBLIC_ROSTER, "commitment"]
    assert set(cells) <= {c.name for c in bulk.ROSTER_COLUMNS}
