"""Uploaded files waiting between the import preview and its confirmation.

A clerk's raw file can hold villagers' ID numbers, accounts and phones, so
it waits as little and as privately as possible: under
UPLOAD_DIR/pending/<random token>.bin with its choices in <token>.json
(never in the session cookie, never under static/), readable by the board's
own user only (0600 files in a 0700 folder), tied to the user who uploaded
it, and deleted on confirm, on cancel, after one hour, and by a sweep when
the app starts.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import Flask, current_app

from . import ServiceError

TTL_SECONDS = 3600
MSG_EXPIRED = "这次上传超过1小时未确认，文件已删除，请重新上传"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def folder(app: Flask | None = None) -> Path:
    """UPLOAD_DIR/pending, created 0700; refused if it lies under static/."""
    app = app or current_app
    path = Path(app.config["UPLOAD_DIR"]).resolve() / "pending"
    static = Path(app.static_folder).resolve() if app.static_folder else None
    if static is not None and (path == static or static in path.parents):
        raise RuntimeError("UPLOAD_DIR must not lie under static/: pending uploads are private")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _paths(token: str, app: Flask | None = None) -> tuple[Path, Path] | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    base = folder(app)
    return base / f"{token}.bin", base / f"{token}.json"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def store(data: bytes, meta: dict) -> str:
    """Keep ``data`` with ``meta`` (must name ``user_id``) until confirmed; the token."""
    sweep()
    token = secrets.token_urlsafe(24)
    paths = _paths(token)
    assert paths is not None
    data_path, meta_path = paths
    _write_private(data_path, data)
    _write_private(meta_path, json.dumps(meta, ensure_ascii=False).encode())
    return token


def load(token: str, user_id: int) -> tuple[bytes, dict] | None:
    """The waiting file and its choices; None when there is no such upload of
    this user. Raises ServiceError (and deletes it) when it has expired."""
    paths = _paths(token)
    if paths is None:
        return None
    data_path, meta_path = paths
    try:
        meta = json.loads(meta_path.read_text())
        expired = _is_expired(meta_path)
        data = b"" if expired else data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id:
        return None
    if expired:
        discard(token)
        raise ServiceError(MSG_EXPIRED)
    return data, meta


def discard(token: str, user_id: int | None = None) -> None:
    """Delete a waiting upload (only ``user_id``'s, when given)."""
    paths = _paths(token)
    if paths is None:
        return
    data_path, meta_path = paths
    if user_id is not None:
        try:
            if json.loads(meta_path.read_text()).get("user_id") != user_id:
                return
        except (OSError, ValueError):
            pass
    data_path.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _is_expired(path: Path, now: float | None = None) -> bool:
    return path.stat().st_mtime < (now or time.time()) - TTL_SECONDS


def sweep(app: Flask | None = None, now: float | None = None) -> int:
    """Delete every waiting upload older than an hour; how many files went."""
    removed = 0
    for path in folder(app).iterdir():
        try:
            if _is_expired(path, now):
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
