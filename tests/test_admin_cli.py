"""``flask import`` for township IT staff, against the sample files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, RosterLine

SAMPLES = Path(__file__).parent / "data" / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
                     for m in (Notice, LedgerLine, RosterLine))


@pytest.fixture
def township(app: Flask, make_user):  # noqa: ANN001, ANN201
    make_user("township_admin", village=None)
    return app


@pytest.mark.parametrize("name", ["ledger_2025Q3.xlsx", "ledger_2025Q3_gbk.csv", "roster_dibao_2025-10.xlsx",
                                  "roster_gengdi_2025.xlsx"])
def test_dry_run_json_prints_expected_numbers_and_writes_nothing(township: Flask, name: str) -> None:
    what = "roster" if name.startswith("roster") else "ledger"
    before = counts(township)
    result = township.test_cli_runner().invoke(
        args=["import", what, str(SAMPLES / name), "--village", "v1", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = EXPECTED[name]
    assert data["lines"] == expected["lines"]
    for key in ("income_total", "expense_total", "amount_total"):
        if key in expected:
            assert data[key] == expected[key] or float(data[key]) == float(expected[key])
    assert counts(township) == before


def test_import_writes_one_draft(township: Flask) -> None:
    result = township.test_cli_runner().invoke(
        args=["import", "roster", str(SAMPLES / "roster_dibao_2025-10.xlsx"), "--village", "v1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with township.app_context():
        notice = db.session.get(Notice, data["notice_id"])
        assert notice.roster_kind == "dibao" and len(notice.roster_lines) == 40
    assert not re.search(r"\d{17}[\dXx]", result.output)  # no ID number printed


def test_bad_ledger_exits_nonzero_and_lists_problems(township: Flask) -> None:
    before = counts(township)
    result = township.test_cli_runner().invoke(
        args=["import", "ledger", str(SAMPLES / "bad_ledger.xlsx"), "--village", "v1", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(p["row"], p["column"]) for p in data["problems"] if not p["is_warning"]] == [
        (p["row"], p["column"]) for p in EXPECTED["bad_ledger.xlsx"]["problems"]]
    assert counts(township) == before
