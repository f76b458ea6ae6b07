"""The import page: the preview accounts for every row, agrees with the
confirm, and the raw file of a preview waits privately and briefly."""

from __future__ import annotations

import json
import re
import stat
import traceback
from pathlib import Path

import pytest
from flask import Flask

from disclosure import storage, workqueue
from disclosure.extensions import db
from disclosure.models import Notice, RosterLine
from disclosure.services import pending_uploads
from tests.conftest import login_as, make_app
from tests.helpers import three_sheet_ledger
from tests.helpers.admin_world import build_world
from tests.helpers.import_page import SAMPLES, make_old, pending, token_of, upload

EXPECTED = json.loads((SAMPLES / "expected.json").read_text())
_TALLY = re.compile(r"表格共 <strong>(\d+)</strong> 行：(.*?)。</p>")


@pytest.fixture
def clerk(app: Flask, client, place):  # noqa: ANN001, ANN201
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    return world


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_preview_says_where_every_row_went(app: Flask, client, clerk, name: str) -> None:  # noqa: ANN001
    what = "roster" if name.startswith("roster") else "ledger"
    html = upload(client, name, what).text
    if name == "not_a_spreadsheet.xlsx":
        assert "这不是 Excel 表格文件" in html and not _TALLY.search(html)
        return
    match = _TALLY.search(html)
    assert match, html[-3000:]
    parts = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", match.group(2))]
    assert int(match.group(1)) == sum(parts)
    assert ("导入 " if "lines" in EXPECTED[name] else "没有错误的行 ") in match.group(2)
    assert "有错误的行" in match.group(2)


def test_the_three_sheet_ledger_through_the_page(app: Flask, client, clerk) -> None:  # noqa: ANN001
    name = "ledger_2025Q3_3sheets.xlsx"
    preview = upload(client, name, "ledger")
    assert preview.status_code == 200, preview.text
    html = preview.text
    assert "读取了工作表“7月”、“8月”、“9月”" in html
    assert "表格自带的合计行 5 个已与明细逐一核对：5 个相符" in html
    assert f"确认导入 {three_sheet_ledger.LINES} 行" in html and "7-9月电费合计" in html
    done = client.post("/admin/import/confirm", data={"token": token_of(html)})
    assert done.status_code == 302 and "/admin/notices/" in done.location
    notice_id = int(done.location.split("/admin/notices/")[1].split("#")[0])
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        assert len(notice.ledger_lines) == three_sheet_ledger.LINES
        assert notice.title == "一村2025年第三季度财务收支公示"  # not the 7月 sheet's title
        assert sum(line.amount_fen for line in notice.ledger_lines) == (
            three_sheet_ledger.INCOME_FEN + three_sheet_ledger.EXPENSE_FEN)


def test_a_total_that_disagrees_is_shown_with_its_sheet_and_row(app: Flask, client, clerk) -> None:  # noqa: ANN001
    sheets = three_sheet_ledger.sheets()
    sheets["8月"][7] = [None, None, "本月合计", 16727.53, 6451.05, None]
    r = upload(client, "q3.xlsx", "ledger", three_sheet_ledger.workbook_bytes(sheets))
    assert r.status_code == 422 and "确认导入" not in r.text
    assert re.search(r'<tr class="bad"><td>8月</td><td>第8行</td><td>支出</td><td>“本月合计”与明细不符', r.text)
    assert pending(app) == []


def test_dates_outside_the_drafts_period_are_refused_at_preview(app: Flask, client, clerk) -> None:  # noqa: ANN001
    """Before: the preview said 检查通过 and the confirm refused the whole file."""
    sheets = three_sheet_ledger.sheets()
    sheets["9月"][4][0] = sheets["9月"][4][0].replace(month=10)  # 村部门面出租租金 dated in October
    data = three_sheet_ledger.workbook_bytes(sheets)
    r = upload(client, "q3.xlsx", "ledger", data, notice_id=str(clerk["finance"]))
    assert r.status_code == 422 and "检查通过" not in r.text and "确认导入" not in r.text
    assert re.search(r"<td>9月</td><td>第5行</td><td>日期</td><td>日期2025-10-10不在本公示期间", r.text)
    with app.app_context():
        assert len(db.session.get(Notice, clerk["finance"]).ledger_lines) == 1


def test_whenever_the_preview_passes_the_confirm_writes(app: Flask, client, clerk) -> None:  # noqa: ANN001
    cases = [("ledger_2025Q3_3sheets.xlsx", "ledger", {"notice_id": str(clerk["finance"])}),
             ("roster_gengdi_2025.xlsx", "roster", {"notice_id": str(clerk["roster"])}),
             ("roster_dibao_2025-10.xlsx", "roster", {"notice_id": str(clerk["project"])}),
             ("roster_dibao_2025-10.xlsx", "roster", {"kind": "linshi"})]
    for name, what, extra in cases:
        preview = upload(client, name, what, **extra)
        assert preview.status_code == 200 and "检查通过" in preview.text, (name, extra)
        done = client.post("/admin/import/confirm", data={"token": token_of(preview.text)})
        assert done.status_code == 302 and "/admin/notices/" in done.location, (name, extra)
    assert pending(app) == []


# -- the raw file of a preview ----------------------------------------------------


def test_the_waiting_file_is_private_and_outside_static(app: Flask, client, clerk) -> None:  # noqa: ANN001
    preview = upload(client, "roster_dibao_2025-10.xlsx", "roster")
    assert preview.status_code == 200
    files = pending(app)
    assert len(files) == 2
    with app.app_context():
        if storage.backend() == "folder":
            paths = [storage.folder_path(name) for name in files]
            folder = paths[0].parent
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {0o600}
            assert Path(app.static_folder).resolve() not in folder.resolve().parents
        else:  # rows every node sees, nothing on this node's disk
            assert not (Path(app.config["UPLOAD_DIR"]) / "pending").exists()
    client.post("/admin/import/cancel", data={"token": token_of(preview.text)})
    assert pending(app) == []


def test_only_the_uploader_confirms_or_cancels(app: Flask, client, clerk) -> None:  # noqa: ANN001
    preview = upload(client, "roster_dibao_2025-10.xlsx", "roster")
    token = token_of(preview.text)
    other = app.test_client()
    login_as(other, clerk["sup1"])
    assert other.post("/admin/import/confirm", data={"token": token}).status_code == 404
    other.post("/admin/import/cancel", data={"token": token})
    assert len(pending(app)) == 2
    assert client.post("/admin/import/confirm", data={"token": token}).status_code == 302
    assert pending(app) == []


def test_an_upload_waiting_over_an_hour_is_gone(app: Flask, client, clerk) -> None:  # noqa: ANN001
    preview = upload(client, "roster_dibao_2025-10.xlsx", "roster")
    make_old(app, pending(app), pending_uploads.TTL_SECONDS + 60)
    done = client.post("/admin/import/confirm", data={"token": token_of(preview.text)}, follow_redirects=True)
    assert "超过1小时未确认" in done.text
    assert pending(app) == []
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(RosterLine)).scalar_one() == 1  # build_world's own


def test_a_new_upload_sweeps_expired_ones(app: Flask, client, clerk) -> None:  # noqa: ANN001
    upload(client, "roster_dibao_2025-10.xlsx", "roster")
    stale = pending(app)
    make_old(app, stale, pending_uploads.TTL_SECONDS + 60)
    upload(client, "roster_gengdi_2025.xlsx", "roster")
    assert not set(stale) & set(pending(app)) and len(pending(app)) == 2


def test_expired_uploads_are_swept_when_the_app_starts_or_by_the_job_worker(app: Flask, client, clerk) -> None:  # noqa: ANN001
    upload(client, "roster_dibao_2025-10.xlsx", "roster")
    stale = pending(app)
    make_old(app, stale, pending_uploads.TTL_SECONDS + 60)
    upload(client, "roster_gengdi_2025.xlsx", "roster")  # sweeps the first
    fresh = pending(app)
    upload(client, "roster_gengdi_2025.xlsx", "roster")
    stale = sorted(set(pending(app)) - set(fresh))
    make_old(app, stale, pending_uploads.TTL_SECONDS + 60)
    with app.app_context():
        if storage.backend() == "folder":  # a node's disk: swept when the app starts
            make_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
        else:  # rows: the job worker sweeps them, whoever uploads next
            workqueue.chores()
    assert pending(app) == fresh


def test_pending_uploads_refuse_a_folder_under_static(app: Flask) -> None:
    app.config["UPLOAD_DIR"] = str(Path(app.static_folder) / "uploads")
    with app.app_context(), pytest.raises(RuntimeError):
        pending_uploads.folder()


def test_a_failing_database_write_keeps_the_raw_file_out_of_the_error(app: Flask) -> None:
    """The error a failed write raises (and the log then shows) names the row, not its bytes."""
    secret = "张三 520102199001011234 6222020200112233445".encode()
    app.config["FILE_STORE"] = "db"
    with app.app_context():
        db.session.execute(db.text("DROP TABLE stored_files"))  # any failure of the database will do
        db.session.commit()
        with pytest.raises(RuntimeError) as raised:
            storage.put("pending/" + "0" * 32 + ".bin", secret, at_once=True)
    text = "".join(traceback.format_exception(raised.value))
    assert "pending/" in text and "520102" not in text and "6222" not in text


# -- the command line ------------------------------------------------------------------


def test_an_unknown_roster_kind_on_the_command_line_is_said_in_chinese(app: Flask, place) -> None:  # noqa: ANN001
    build_world(app, place)
    result = app.test_cli_runner().invoke(
        args=["import", "roster", str(SAMPLES / "roster_dibao_2025-10.xlsx"), "--village", "v1", "--kind", "unknown"])
    assert result.exit_code != 0
    assert "未知的名单类型：unknown" in result.output and "dibao" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_a_utf16_csv_imports_from_the_command_line(app: Flask, place, tmp_path: Path) -> None:  # noqa: ANN001
    build_world(app, place)
    text = "日期\t凭证号\t摘要\t收入\t支出\r\n2025-11-02\t记001\t7-9月电费合计\t\t1,050.00\r\n,,本月合计,,\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.replace(",,", "\t\t").replace(",", "\t").encode("utf-16-le"))
    result = app.test_cli_runner().invoke(args=["import", "ledger", str(path), "--village", "v1"])
    assert result.exit_code == 0, result.output
    assert "已导入1行" in result.output and "表格共3行：导入1行，合计行1行" in result.output


def test_excel_unicode_text_uploads_through_the_page(app: Flask, client, clerk) -> None:  # noqa: ANN001
    """Excel's "Unicode text" (.txt, UTF-16 LE with BOM, tab-separated) is accepted by the form."""
    text = "日期\t凭证号\t摘要\t收入\t支出\r\n2025-08-02\t记001\t7-9月电费合计\t\t1,050.00\r\n"
    r = upload(client, "账目.txt", "ledger", data=b"\xff\xfe" + text.encode("utf-16-le"),
               notice_id=str(clerk["finance"]))
    assert r.status_code == 200, r.text
    assert "7-9月电费合计" in r.text and "确认导入" in r.text
