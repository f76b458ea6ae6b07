"""Driving the import page from the Flask test client."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import update

from disclosure import storage
from disclosure.extensions import db
from disclosure.models import StoredFile, utcnow

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def upload(client, name: str, what: str, data: bytes | None = None, **extra: str):  # noqa: ANN001, ANN201
    """Post a sample (or ``data`` under ``name``) to the import form."""
    body = data if data is not None else (SAMPLES / name).read_bytes()
    form = {"what": what, "kind": "", "notice_id": "", "file": (io.BytesIO(body), name)}
    form.update(extra)
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def pending(app: Flask) -> list[str]:
    """The files waiting between preview and confirm (UPLOAD_DIR/pending on the
    folder store, rows on the db store), by name: ``pending/<token>.bin``."""
    with app.app_context():
        return sorted(storage.names("pending"))


def make_old(app: Flask, names: list[str], seconds: float) -> None:
    """Let waiting files look ``seconds`` old (a file's mtime, a row's created_at)."""
    with app.app_context():
        if storage.backend() == "folder":
            then = time.time() - seconds
            for name in names:
                os.utime(storage.folder_path(name), (then, then))
            return
        db.session.execute(update(StoredFile).where(StoredFile.name.in_(names))
                           .values(created_at=utcnow() - dt.timedelta(seconds=seconds)))
        db.session.commit()
