"""A roster line's grade (等级: 保障类别 一类, 供养方式 集中供养, 补贴类别 护理补贴), issue 14 §1:
read from a clerk's sheet under its many header words and cleaned; shown on
every face under the kind's own label; part of the version hash without
disturbing any version sealed before grades existed; added by a migration
that also updates the stored catalogue."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure import catalogue, periods
from disclosure.demo import _roster_xlsx
from disclosure.extensions import db
from disclosure.importing import parse_roster
from disclosure.models import Notice, Role, RosterLine, Township, Village
from disclosure.public import views
from disclosure.services import bulk, chain
from tests.conftest import database_url, login_as, make_app
from tests.helpers.feedback_data import Person, roster_notice, staff, valid_id
from tests.test_keys import _verifier

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "samples" / "catalogue"
KEY = b"test-instance-secret"
OCT = periods.month(2025, 10)


def _sheet(header: list[str], rows: list[list[object]], title: str = "一村2025年10月城乡低保名单") -> bytes:
    return _roster_xlsx(title, header, rows)


# The importer ------------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["等级", "保障等级", "保障类别", "类别", "供养方式", "补贴类别", "保障类别（A/B/C类）"])
def test_the_importer_reads_the_grade_under_each_header_word(word: str) -> None:
    data = _sheet(["序号", "户主姓名", "保障人口", word, "月保障金额（元）"], [[1, "张三明", 2, "一类", 300]])
    result = parse_roster(data, "dibao.xlsx", id_key=KEY)
    assert result.roster_kind == "dibao" and not [p for p in result.problems if not p.is_warning]
    assert [r.grade for r in result.rows] == ["一类"]


def test_other_category_columns_are_not_taken_for_the_grade() -> None:
    """类别 is a whole header word: 事由类别, 人员类别, 救助类别 stay what they were (unread here)."""
    header = ["序号", "户主姓名", "人员类别", "事由类别", "救助类别", "保障类别", "月保障金额（元）"]
    result = parse_roster(_sheet(header, [[1, "张三明", "脱贫户", "因病", "常规", "二类", 300]]), "d.xlsx", id_key=KEY)
    assert [r.grade for r in result.rows] == ["二类"]
    only_others = parse_roster(_sheet([h for h in header if h != "保障类别"],
                                      [[1, "张三明", "脱贫户", "因病", "常规", 300]]), "d.xlsx", id_key=KEY)
    assert [r.grade for r in only_others.rows] == [None]


def test_a_hostile_grade_is_cleaned_or_named_on_its_row_never_dropped_silently() -> None:
    rows = [
        [1, "张三明", "\u200bＡ类\u3000", 300],  # zero-width space, full-width letter, ideographic space
        [2, "李四", "－", 200],  # a dash for "none"
        [3, "王小红", "一类（因病致贫长期卧床不起）", 100],  # a story, not a grade
        [4, "赵六", "13812345678", 100],  # a phone typed into the wrong column
        [5, "钱七", "集中供养", 100],
    ]
    result = parse_roster(_sheet(["序号", "户主姓名", "保障类别", "月保障金额（元）"], rows), "d.xlsx", id_key=KEY)
    assert [(r.name, r.grade) for r in result.rows] == [("张三明", "A类"), ("李四", None), ("钱七", "集中供养")]
    bad = [(p.row, p.column, p.code) for p in result.problems if not p.is_warning]
    assert bad == [(5, "保障类别", "bad_grade"), (6, "保障类别", "bad_grade")]
    messages = " ".join(p.message for p in result.problems)
    assert f"等级最多{catalogue.GRADE_MAX_CHARS}个字" in messages and "13812345678" not in messages


@pytest.mark.parametrize("word", ["残疾等级", "护理等级", "残疾类别", "健康状况"])
def test_a_disability_or_health_column_is_never_read_nor_taken_for_the_grade(word: str) -> None:
    """DESIGN.md: disability and health detail never appear in public. A clerk's
    残疾人两项补贴 sheet often has a 残疾等级 column: it is listed as unread."""
    data = _sheet(["序号", "姓名", word, "补贴类别", "月补贴金额（元）"], [[1, "张三明", "一级", "护理补贴", 90]],
                  title="一村2025年残疾人两项补贴发放名单")
    result = parse_roster(data, "c.xlsx", id_key=KEY)
    assert result.roster_kind == "canbu" and [r.grade for r in result.rows] == ["护理补贴"]
    assert word in result.ignored_columns
    alone = parse_roster(_sheet(["序号", "姓名", word, "月补贴金额（元）"], [[1, "张三明", "一级", 90]],
                                title="一村2025年残疾人两项补贴发放名单"), "c.xlsx", id_key=KEY)
    assert [r.grade for r in alone.rows] == [None] and word in alone.ignored_columns


def test_a_kind_without_a_grade_column_says_it_did_not_import_one() -> None:
    data = _sheet(["序号", "姓名", "等级", "金额"], [[1, "张三明", "一级", 300]], title="一村2025年高龄津贴发放名单")
    result = parse_roster(data, "g.xlsx", id_key=KEY)
    assert result.roster_kind == "gaoling" and [r.grade for r in result.rows] == [None]
    assert [(p.column, p.code, p.is_warning) for p in result.problems] == [("等级", "grade_not_shown", True)]
    assert "高龄津贴名单不公示等级" in result.problems[0].message


def test_the_committed_samples_import_with_their_grades(app: Flask, place, make_user) -> None:  # noqa: ANN001
    make_user(Role.TOWNSHIP_ADMIN, village=None)
    runner = app.test_cli_runner()
    expected = {"dibao": ["一类", "二类", "三类"], "tekun": ["分散供养", "集中供养", "分散供养"],
                "canbu": ["生活补贴", "护理补贴", "生活补贴"]}
    for code, grades in expected.items():
        result = runner.invoke(args=["import", "roster", str(SAMPLES / f"{code}.xlsx"), "--village", "v1", "--json"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            notice = db.session.get(Notice, json.loads(result.output.strip().splitlines()[-1])["notice_id"])
            assert notice.roster_kind == code and [line.grade for line in notice.roster_lines] == grades


def test_the_staff_form_enters_a_grade_and_refuses_a_long_one(app: Flask, client, place, make_user) -> None:  # noqa: ANN001
    clerk = make_user(Role.CLERK)
    with app.app_context():
        from disclosure.models import User
        from disclosure.services import notices

        notice = notices.create_draft(db.session.get(Village, place["v1"]), db.session.get(User, clerk),
                                      category="assistance", roster_kind="dibao", period=OCT, title="低保名单")
        db.session.commit()
        notice_id = notice.id
    login_as(client, clerk)
    page = client.get(f"/admin/notices/{notice_id}")
    assert 'name="grade"' in page.text and "公示在“保障类别”列" in page.text
    ok = client.post(f"/admin/notices/{notice_id}/roster", data={"name": "张三明", "amount": "300", "grade": "Ｂ类 "})
    assert ok.status_code == 302, ok.text
    long = client.post(f"/admin/notices/{notice_id}/roster", data={"name": "李四", "amount": "300",
                                                                  "grade": "一类因病致贫长期卧床不起"})
    assert long.status_code == 400 and f"等级最多{catalogue.GRADE_MAX_CHARS}个字" in long.text
    with app.app_context():
        assert [(l.public_name, l.grade) for l in db.session.get(Notice, notice_id).roster_lines] == [("张*明", "B类")]


def test_a_correction_keeps_the_grades(app: Flask, place) -> None:  # noqa: ANN001
    notice_id = _graded(app, place)
    with app.app_context():
        from disclosure.services import notices

        old = db.session.get(Notice, notice_id)
        new = notices.start_correction(old, staff(old.village)[0], "第3户保障人口有误")
        assert [line.grade for line in new.roster_lines] == ["一类", "二类", None]


# Every face ---------------------------------------------------------------------------------------

def _published(app: Flask, place, people: list[Person]) -> int:  # noqa: ANN001
    """A published 低保 roster of 一村 (October 2025) with ``people``: its notice id."""
    with app.app_context():
        notice = roster_notice(db.session.get(Village, place["v1"]), "dibao", OCT, people)
        db.session.commit()
        return notice.id


def _graded(app: Flask, place) -> int:  # noqa: ANN001
    return _published(app, place, [Person("张三明", 65000, valid_id(1), household_size=3, grade="一类"),
                                   Person("李四", 40000, valid_id(2), household_size=2, grade="二类"),
                                   Person("王小红", 20000, valid_id(3), household_size=1)])


def test_the_grade_shows_on_every_face_under_the_kinds_label(app: Flask, client, place, tmp_path: Path) -> None:  # noqa: ANN001
    notice_id = _graded(app, place)
    columns = ["序号", "村民小组", "户主姓名", "保障人口", "保障类别", "月保障金额（元）"]
    for url in (f"/kiosk/notice/{notice_id}", f"/m/notice/{notice_id}"):
        page = client.get(url).text
        assert '<th scope="col"' in page and "保障类别" in page, url
        assert 'class="grade" data-label="保障类别">一类</td>' in page, url
    api = client.get(f"/api/notices/{notice_id}").get_json()
    assert api["tables"][0]["columns"] == columns
    assert [line["grade"] for line in api["roster"]] == ["一类", "二类", ""]
    rows = list(csv.reader(io.StringIO(client.get(f"/api/notices/{notice_id}.csv").data.decode("utf-8-sig"))))
    assert rows[1] == columns and [r[4] for r in rows[2:5]] == ["一类", "二类", ""]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/notices/{notice_id}.xlsx").data)).active
    assert [c.value for c in sheet[2]] == columns and sheet["E3"].value == "一类"
    assert "&lt;th&gt;保障类别&lt;/th&gt;" in client.get("/feed/v1.atom").text
    pdf = client.get(f"/p/{notice_id}.pdf")
    assert pdf.status_code == 200
    (tmp_path / "n.pdf").write_bytes(pdf.data)
    text = "".join(subprocess.run(["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    assert "保障类别" in text and "一类" in text and "二类" in text


def test_a_roster_without_grades_shows_no_grade_column(app: Flask, client, place) -> None:  # noqa: ANN001
    notice_id = _published(app, place, [Person("张三明", 65000, valid_id(1), household_size=3)])
    assert "保障类别" not in client.get(f"/kiosk/notice/{notice_id}").text
    assert client.get(f"/api/notices/{notice_id}").get_json()["tables"][0]["columns"] == [
        "序号", "村民小组", "户主姓名", "保障人口", "月保障金额（元）"]


def test_the_search_pages_and_the_files_decide_the_shape_by_one_definition(app: Flask, place) -> None:  # noqa: ANN001
    """views.SHAPE_FIELDS: the SQL count (search pages) and the Python check (PDF, files) agree."""
    notice_id = _graded(app, place)
    with app.test_request_context("/"):
        notice = db.session.get(Notice, notice_id)
        in_sql = views.roster_summary(notice).shape
        in_python = views.line_shape(notice.roster_lines, notice.roster_kind)
        assert in_sql == in_python and {"grade", "household_size"} <= in_sql.present
        assert set(views.SHAPE_FIELDS) >= set(catalogue.COLUMN_KEYS) - {"amount"}


# The version hash ---------------------------------------------------------------------------------

def _download(app: Flask, place) -> bytes:  # noqa: ANN001
    with app.app_context():
        return bulk.bulk_zip(db.session.get(Township, place["township"]), periods.year(2025))


def _edit_roster(data: bytes, edit) -> bytes:  # noqa: ANN001
    """The download with roster.csv passed through ``edit`` (a list of dict rows → rows), checksums kept."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("/roster.csv"):
                rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
                rows = edit(rows)
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(rows)
                content = text.getvalue().encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def _cli(app: Flask, *args: str):  # noqa: ANN202
    return app.test_cli_runner().invoke(args=list(args))


def test_a_version_without_grades_hashes_exactly_as_before(app: Flask, place) -> None:  # noqa: ANN001
    """Sealed before grades existed: its rows are the format-3 cells and the
    commitment, nothing more; its download without the grade column verifies."""
    notice_id = _published(app, place, [Person("张三明", 50000, valid_id(1)), Person("李四", 40000, valid_id(2))])
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        content = chain.notice_content(notice)
        key = chain.commitment_key(notice)
        before = [[getattr(r, c).isoformat() if c == "paid_on" and r.paid_on else getattr(r, c)
                   for c in chain.PUBLIC_ROSTER] + [chain.roster_commitment(notice, n, r, key)]
                  for n, r in enumerate(notice.roster_lines, 1)]  # the pre-grade formula
        assert content["roster"] == before
        # a version sealed under format 2 keeps its own rows too
        assert all(len(row) == 12 for row in chain.notice_content(notice, 2)["roster"])
    assert _cli(app, "verify-chain").exit_code == 0
    verifier = _verifier()

    def without_grade(rows: list[dict]) -> list[dict]:  # a download made before the column existed
        return [{k: v for k, v in row.items() if k != "grade"} for row in rows]

    report = verifier.verify(verifier.read_zip(_edit_roster(_download(app, place), without_grade)))
    assert [p for p in report.problems if "校验和" not in p] == [] and report.checked == 1
    # a grade slipped into the old version afterwards breaks its hash
    with app.app_context():
        db.session.execute(sa.update(RosterLine).where(RosterLine.notice_id == notice_id, RosterLine.seq == 1)
                           .values(grade="一类"))
        db.session.commit()
    result = _cli(app, "verify-chain")
    assert result.exit_code == 1 and f"公示 #{notice_id}" in result.output and "内容哈希不符" in result.output


def test_a_version_with_grades_is_covered_and_the_verifier_names_a_changed_grade(app: Flask, place) -> None:  # noqa: ANN001
    notice_id = _graded(app, place)
    with app.app_context():
        content = chain.notice_content(db.session.get(Notice, notice_id))
        assert [row[-1] for row in content["roster"][:2]] == ["一类", "二类"]
        assert len(content["roster"][2]) == len(chain.PUBLIC_ROSTER) + 1  # no grade: no cell
    assert _cli(app, "verify-chain").exit_code == 0
    verifier = _verifier()
    download = _download(app, place)
    report = verifier.verify(verifier.read_zip(download))
    assert report.problems == [] and report.checked == 1

    for edit in ({"一类": "二类"}, {"一类": ""}, {"": "三类"}):
        def change(rows: list[dict], edit: dict = edit) -> list[dict]:
            for row in rows:
                if row["grade"] in edit:
                    row["grade"] = edit[row["grade"]]
                    break
            return rows

        report = verifier.verify(verifier.read_zip(_edit_roster(download, change)))
        named = [p for p in report.problems if "内容与内容哈希不符" in p]
        assert len(named) == 1 and f"#{notice_id}《" in named[0], (edit, report.problems)
    # the board's own check sees a changed grade too
    with app.app_context():
        db.session.execute(sa.update(RosterLine).where(RosterLine.notice_id == notice_id, RosterLine.seq == 2)
                           .values(grade="一类"))
        db.session.commit()
    assert "内容哈希不符" in _cli(app, "verify-chain").output


# The migration ------------------------------------------------------------------------------------

#: The revision just before this one (the lead may chain others in between).
BEFORE = "c4d2a8e6f931-1"


def test_the_migration_adds_the_column_and_the_stored_kinds_grade_and_takes_them_away(tmp_path: Path) -> None:
    app = make_app(database_url("board_grade_migration", tmp_path), tmp_path / "instance")
    runner = app.test_cli_runner()

    def kinds() -> dict[str, list]:
        with app.app_context():
            rows = db.session.execute(sa.text("SELECT code, columns FROM catalogue_kinds")).all()
            db.session.remove()
        return {code: json.loads(cols) if isinstance(cols, str) else cols for code, cols in rows}

    def has_grade_column() -> bool:
        with app.app_context():
            found = "grade" in {c["name"] for c in sa.inspect(db.engine).get_columns("roster_lines")}
            db.engine.dispose()
        return found

    assert runner.invoke(args=["db", "upgrade", BEFORE]).exit_code == 0
    stored = kinds()  # as the catalogue migration seeded them (today's seed), then as a database of yesterday:
    with app.app_context():
        for code in ("dibao", "tekun", "canbu"):
            old = [c for c in stored[code] if c[0] != "grade"]
            db.session.execute(sa.text("UPDATE catalogue_kinds SET columns = :c WHERE code = :code"),
                               {"c": json.dumps(old, ensure_ascii=False), "code": code})
        db.session.commit()
        db.session.remove()
    assert not has_grade_column()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert has_grade_column()
    after = kinds()
    assert after["dibao"] == [["household_size", "保障人口"], ["grade", "保障类别"], ["amount", "月保障金额（元）"]]
    assert ["grade", "供养方式"] in after["tekun"] and after["canbu"][0] == ["grade", "补贴类别"]
    assert after["gaoling"] == stored["gaoling"]  # other kinds untouched
    assert after == {k.code: [list(c) for c in k.columns] for k in catalogue.SEED_KINDS}
    result = runner.invoke(args=["db", "downgrade", BEFORE])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert not has_grade_column() and all(c[0] != "grade" for cols in kinds().values() for c in cols)
    with app.app_context():
        db.engine.dispose()
