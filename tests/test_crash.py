"""A process killed with SIGKILL in the middle of an import leaves no half
import and loses nothing already committed."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role

ROOT = Path(__file__).resolve().parent.parent
LINES = 6000


def _big_ledger() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "凭证号", "摘要", "收入", "支出"])
    start = dt.date(2025, 1, 1)
    for i in range(LINES):
        ws.append([start + dt.timedelta(days=i % 365), f"记{i:05d}", "村部电费", None, 12.34 + i % 50])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        notices = db.session.execute(select(func.count()).select_from(Notice)).scalar_one()
        lines = db.session.execute(select(func.count()).select_from(LedgerLine)).scalar_one()
        db.session.remove()
        return notices, lines


@pytest.mark.slow
def test_sigkill_mid_import_leaves_all_or_nothing(app, place, make_user, tmp_path: Path):
    make_user(Role.TOWNSHIP_ADMIN, None)
    data = tmp_path / "big.xlsx"
    data.write_bytes(_big_ledger())
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    # One import that completes: it must survive every later crash.
    done = subprocess.run([sys.executable, "-m", "tests.helpers.slow_import", url, str(tmp_path / "i"), str(data)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "committed" in done.stdout, done.stderr[-2000:]
    assert _counts(app) == (1, LINES)

    killed_mid_write = 0
    for delay in (0.05, 0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen([sys.executable, "-m", "tests.helpers.slow_import", url, str(tmp_path / "i"), str(data)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        if "committed" not in out:
            killed_mid_write += 1
        notices, lines = _counts(app)
        # Every notice in the database is whole: the first one, plus a whole second one at most.
        assert lines == notices * LINES, (delay, notices, lines)
        assert notices >= 1
    assert killed_mid_write >= 2  # the kills really landed inside the write
