"""Driving the import page from the Flask test client."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def upload(client, name: str, what: str, data: bytes | None = None, **extra: str):  # noqa: ANN001, ANN201
    """Post a sample (or ``data`` under ``name``) to the import form."""
    body = data if data is not None else (SAMPLES / name).read_bytes()
    form = {"what": what, "kind": "", "notice_id": "", "file": (io.BytesIO(body), name)}
    form.update(extra)
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def pending(app: Flask) -> list[Path]:
    """The files waiting between preview and confirm."""
    folder = Path(app.config["UPLOAD_DIR"]) / "pending"
    return sorted(folder.iterdir()) if folder.exists() else []
