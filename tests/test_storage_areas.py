"""What used to stay on one node's disk now lives in the file store
(disclosure/storage.py): an import's raw file between preview and confirm,
the renderer's queue and the kiosk's pictures of PDF pages. Two apps with
instance folders of their own on one database are two nodes: on the db store
each sees what the other made; on the folder store (the embedded default)
each keeps its own, as before. Both stores run on either database here."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import PIL.Image
import pytest
from flask import Flask

from disclosure import render, storage
from disclosure.extensions import db
from disclosure.models import RosterLine
from disclosure.services import pending_uploads
from kiosk import printed
from tests.conftest import login_as, make_app
from tests.helpers.admin_world import build_world
from tests.helpers.import_page import token_of, upload

STORES = ["folder", "db"]


def _node(app: Flask, folder: Path, store: str) -> Flask:
    """A second node: the same database, an instance folder of its own."""
    app.config["FILE_STORE"] = store
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], folder, FILE_STORE=store)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name not in ("secret_key", "fingerprint_keys")]


@pytest.mark.parametrize("store", STORES)
def test_an_import_previewed_on_one_node_is_confirmed_on_the_other(app: Flask, place, tmp_path: Path,
                                                                   store: str) -> None:  # noqa: ANN001
    other = _node(app, tmp_path / "node-b", store)
    world = build_world(app, place)
    on_a, on_b = app.test_client(), other.test_client()
    for client in (on_a, on_b):
        login_as(client, world["clerk1"])
    preview = upload(on_a, "roster_dibao_2025-10.xlsx", "roster")
    assert preview.status_code == 200 and "确认导入" in preview.text
    done = on_b.post("/admin/import/confirm", data={"token": token_of(preview.text)})
    with app.app_context():
        lines = db.session.execute(db.select(db.func.count()).select_from(RosterLine)).scalar_one()
    if store == "db":
        assert done.status_code == 302 and "/admin/notices/" in done.location
        assert lines > 1  # build_world's one and the file's
        with app.app_context():
            assert storage.names("pending") == []  # gone with the confirmation, on every node
        assert not _files(tmp_path / "node-b") and not _files(Path(app.config["UPLOAD_DIR"]) / "pending")
    else:  # the embedded default: the file waits on node A's disk, node B has never seen it
        assert done.status_code == 404 and lines == 1
        with app.app_context():
            assert len(storage.names("pending")) == 2


@pytest.mark.parametrize("store", STORES)
def test_a_kiosk_page_picture_made_on_one_node_is_served_by_the_other(app: Flask, tmp_path: Path,
                                                                      store: str) -> None:
    other = _node(app, tmp_path / "node-b", store)
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (595, 842), (250, 250, 250)).save(buffer, "PDF")
    pdf = buffer.getvalue()
    with app.app_context():
        assert printed.page_pictures(pdf) == 1
        made = printed.page_picture(pdf, 1)
        assert made[:8] == b"\x89PNG\r\n\x1a\n" and printed.page_picture(pdf, 2) is None
    before = _files(tmp_path / "node-b")
    with other.app_context():
        if store == "db":
            assert storage.exists(f"{printed._pictures_stem(pdf)}.count")
            assert printed.page_picture(pdf, 1) == made
            assert _files(tmp_path / "node-b") == before  # served, not made again
        else:
            assert not storage.exists(f"{printed._pictures_stem(pdf)}.count")


@pytest.mark.parametrize("store", STORES)
def test_a_request_queued_on_one_node_is_rendered_by_the_others_renderer(app: Flask, tmp_path: Path,
                                                                         store: str) -> None:
    """Node A queued a PDF and went down before its renderer ran; node B's renderer makes it."""
    other = _node(app, tmp_path / "node-b", store)
    key = ("test", store)
    name = render.stored_name(key)
    entry = f"{render.QUEUE}/{Path(name).stem}.json"
    html = '<!doctype html><html lang="zh-CN"><body><p>村务公开</p></body></html>'
    with app.app_context():
        storage.put(entry, json.dumps({"html": html, "base_url": "http://localhost/", "target": Path(name).name})
                    .encode(), at_once=True)
    with other.app_context():
        assert render.run_queue() == 0
        made = storage.get(name)
    with app.app_context():
        if store == "db":
            assert made[:5] == b"%PDF-" and storage.get(name) == made and render.pending() == 0
        else:  # node B's renderer never saw node A's queue
            assert made is None and render.pending() == 1


@pytest.mark.parametrize("store", STORES)
def test_areas_know_age_order_and_sweep(app: Flask, store: str) -> None:
    app.config["FILE_STORE"] = store
    with app.app_context():
        first, second = f"pending/{'a' * 32}.bin", f"pending/{'b' * 32}.bin"
        storage.put(first, b"1", at_once=True)
        time.sleep(0.02)
        storage.put(second, b"2", at_once=True)
        assert storage.names("pending") == [first, second] and storage.names("pending", ".json") == []
        assert storage.get(second) == b"2" and 0 <= storage.age(first) < 60 and storage.age("pending/none") is None
        assert storage.hold(first) and not storage.hold(f"pending/{'c' * 32}.bin")
        db.session.rollback()
        assert storage.sweep("pending", pending_uploads.TTL_SECONDS) == 0
        assert storage.sweep("pending", pending_uploads.TTL_SECONDS, now=time.time() + 2 * 3600) == 2
        assert storage.names("pending") == []
        with pytest.raises(ValueError):
            storage.put("pending/../secret_key", b"x", at_once=True)
