"""tools/verify_board.py, the independent verifier: run with the standard
library only (python -S: no site-packages), it finds a fresh demo download
clean, and names the notice when one line of the downloaded CSV is changed —
from a ZIP on disk and straight from the API of a live server."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from disclosure import clock

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "verify_board.py"


def _verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-S", str(TOOL), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def _period() -> str:
    return str(clock.china_today().year)


@pytest.fixture(scope="module")
def download(demo_app: Flask) -> bytes:
    response = demo_app.test_client().get(f"/api/townships/qingshan/bulk/{_period()}.zip")
    assert response.status_code == 200
    return response.data


def _rewrite(data: bytes, member: str, change) -> bytes:  # noqa: ANN001
    """The same ZIP with one file's rows passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("/" + member):
                rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
                rows = change(rows)
                text = io.StringIO()
                csv.writer(text, lineterminator="\r\n").writerows(rows)
                content = text.getvalue().encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def test_a_fresh_download_is_clean(download: bytes, tmp_path: Path) -> None:
    path = tmp_path / "board.zip"
    path.write_bytes(download)
    result = _verify(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "链条完整" in result.stdout
    checked = int(result.stdout.split("链条完整：", 1)[1].split(" ", 1)[0])
    assert re.search(r"^dongfeng 链头码 \d+-[A-Z2-7]{4}-[A-Z2-7]{4}$", result.stdout, re.M)
    assert checked >= 10  # real recomputation, not only links
    assert "，0 条早期名单公示" in result.stdout  # roster notices (format 3) recomputed too


def _roster_notices(data: bytes) -> set[str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    name = next(n for n in archive.namelist() if n.endswith("/roster.csv"))
    return {row["notice_id"] for row in csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))}


def _verify_changed_cell(download: bytes, tmp_path: Path, member: str, column: str, edit) -> tuple[str, str]:  # noqa: ANN001
    """Verify the download with one cell of one line of ``member`` changed by
    ``edit``: the verifier's output and the notice of that line."""
    changed: dict[str, str] = {}

    def change(rows: list[list[str]]) -> list[list[str]]:
        header, row = rows[0], rows[max(1, len(rows) // 2)]
        row[header.index(column)] = edit(row[header.index(column)])
        changed["notice"] = row[header.index("notice_id")]
        return rows

    path = tmp_path / f"changed-{member}.zip"
    path.write_bytes(_rewrite(download, member, change))
    result = _verify(str(path))
    assert result.returncode == 1
    named = {line.split("#", 1)[1].split("《", 1)[0] for line in result.stdout.splitlines() if "#" in line}
    assert named == {changed["notice"]}  # that notice and no other
    assert "内容与内容哈希不符" in result.stdout and f"{member} 与校验和不符" in result.stdout
    return result.stdout, changed["notice"]


@pytest.mark.parametrize(("column", "edit"), [
    ("public_name", lambda cell: "王" + cell[1:]),  # another masked name
    ("amount_fen", lambda cell: str(int(cell) + 100)),  # one yuan more
    ("commitment", lambda cell: ("0" if cell[0] != "0" else "1") + cell[1:]),  # the private fields' commitment
])
def test_one_changed_roster_line_names_its_notice(download: bytes, tmp_path: Path, column: str, edit) -> None:  # noqa: ANN001
    """A 低保/特困/补贴 roster line changed in the download is found from
    public data alone (hash format 3) and named by its notice."""
    assert len(_roster_notices(download)) >= 3
    _verify_changed_cell(download, tmp_path, "roster.csv", column, edit)


def test_one_changed_ledger_line_names_its_notice(download: bytes, tmp_path: Path) -> None:
    output, notice = _verify_changed_cell(download, tmp_path, "ledger.csv", "amount_fen", lambda cell: str(int(cell) + 100))
    assert f"公示 #{notice}《" in output


def test_a_changed_title_or_relinked_chain_is_named(download: bytes, tmp_path: Path) -> None:
    def retitle(rows: list[list[str]]) -> list[list[str]]:
        rows[2][rows[0].index("title")] += "（改）"
        return rows

    path = tmp_path / "retitled.zip"
    path.write_bytes(_rewrite(download, "notices.csv", retitle))
    result = _verify(str(path))
    assert result.returncode == 1 and "内容与内容哈希不符" in result.stdout

    def drop_link(rows: list[list[str]]) -> list[list[str]]:
        return rows[:3] + rows[4:]  # a version taken out of the chain

    path.write_bytes(_rewrite(download, "chain.csv", drop_link))
    result = _verify(str(path))
    assert result.returncode == 1 and "链条序号不连续" in result.stdout


@pytest.fixture
def live_server(demo_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_the_verifier_reads_the_api_of_a_live_board(live_server: str) -> None:
    result = _verify("--api", live_server, "qingshan", f"{clock.china_today():%Y-%m}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "链条完整" in result.stdout
