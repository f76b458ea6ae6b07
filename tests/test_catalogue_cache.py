"""The catalogue is kept per process under its revision token
(disclosure/catalogue.py): a public page reads none of it from the database
while it is unchanged, and an edit on the staff page is seen by the next
request of every worker, its page cache included, in every township (the
catalogue is the county's)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from disclosure import catalogue
from disclosure.extensions import cache, db
from disclosure.models import CatalogueKind, Notice, Role, Status, Township
from disclosure.services import users
from tests.conftest import PASSWORD, login_as
from tests.helpers.admin_world import demo_township
from tests.helpers.processes import board_env, gunicorns


@pytest.fixture(scope="module")
def board(worker_dir: Path) -> Iterator[Flask]:
    with demo_township("board_catalogue_cache", worker_dir / "catalogue-cache") as app:
        yield app


def _roster_of_kind(app: Flask) -> tuple[int, str]:
    with app.app_context():
        notice = db.session.execute(select(Notice).where(Notice.status == Status.PUBLISHED,
                                                         Notice.roster_kind.is_not(None)).order_by(Notice.id)).scalars().first()
        return notice.id, notice.roster_kind


def _form(kind: catalogue.RosterKind, name: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": name, "category": kind.category, "title_words": "、".join(kind.title_words),
        "period": kind.period, "frequency": kind.frequency, "notice_days": "", "head_word": kind.head_word,
        "who": kind.who, "how_much": kind.how_much, "how_to_apply": kind.how_to_apply, "standards": "",
    }
    for key in catalogue.COLUMN_KEYS:
        data[f"col_{key}"] = kind.label(key) or ""
    return data


def _statements(app: Flask, url: str) -> list[str]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, *_: object) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_public_page_reads_the_catalogue_only_when_it_changed(board: Flask) -> None:
    notice_id, _ = _roster_of_kind(board)
    url = f"/kiosk/notice/{notice_id}"
    with board.app_context():  # rendered pages, not the page cache
        cache.clear()
    _statements(board, url)  # this process keeps the catalogue now
    with board.app_context():
        cache.clear()
    again = _statements(board, url)
    assert not [s for s in again if "catalogue_kinds" in s or "catalogue_categories" in s], again
    with board.app_context():  # a change anywhere (here: the ORM, as the staff page does) gives a new token
        row = db.session.execute(select(CatalogueKind).where(CatalogueKind.code == "dibao")).scalar_one()
        row.name = "城乡最低生活保障"
        db.session.commit()
        cache.clear()
    changed = _statements(board, url)
    assert [s for s in changed if "FROM catalogue_kinds" in s]
    with board.app_context():
        assert catalogue.ROSTER_KINDS["dibao"].name == "城乡最低生活保障"


def test_an_edit_is_on_the_next_page_of_another_worker_in_another_township(board: Flask, tmp_path: Path) -> None:
    notice_id, code = _roster_of_kind(board)
    with board.app_context():
        for township in db.session.execute(select(Township)).scalars():
            township.county = "示范县"
        other = Township(code="lianhe", name="联合乡", phone="0857-8123411", county="示范县")
        db.session.add(other)
        db.session.flush()
        # The county's admin, who sits in another township than the notice's: the county's catalogue.
        admin = users.create_user(username="admin-lianhe", display_name="县管理员", password=PASSWORD,
                                  role=Role.COUNTY_ADMIN, township=other)
        db.session.commit()
        admin_id, kind = admin.id, catalogue.ROSTER_KINDS[code]
    # Another worker (a gunicorn process), its catalogue and page cache warm; the stamp read every request.
    with gunicorns(board_env(board, PAGE_STAMP_SECONDS="0"), tmp_path / "gunicorn.log") as [base]:
        def page() -> str:
            with urllib.request.urlopen(f"{base}/kiosk/notice/{notice_id}", timeout=10) as response:
                return response.read().decode()

        assert kind.name in page() and kind.name in page()
        staff = login_as(board.test_client(), admin_id)
        saved = staff.post(f"/admin/catalogue/kinds/{code}", data=_form(kind, "改过名的名单类型"))
        assert saved.status_code == 302, saved.text
        shown = page()
        assert "改过名的名单类型" in shown and kind.name not in shown
