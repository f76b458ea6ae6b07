"""Uploaded files waiting between the import preview and its confirmation.

A clerk's raw file can hold villagers' ID numbers, accounts and phones, so
it waits as little and as privately as possible: in the file store's private
``pending`` area (disclosure/storage.py) as ``<random token>.bin`` with its
choices in ``<token>.json``, never in the session cookie, never under static/.
On the folder backend that is UPLOAD_DIR/pending, readable by the board's own
user only (0600 files in a 0700 folder); on the db backend rows of
``stored_files``, so a preview made on one node is confirmed on another.
Either way it is tied to the user who uploaded it, written and deleted at
once (not with the request's data), and deleted on confirm, on cancel, after
one hour, and by a sweep: at every upload, when the app starts (folder) and
once a minute in the job worker (db). Nothing of the file reaches a log.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from flask import Flask

from .. import storage
from . import ServiceError

AREA = "pending"
TTL_SECONDS = 3600
MSG_EXPIRED = "这次上传超过1小时未确认，文件已删除，请重新上传"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def folder(app: Flask | None = None) -> Path:
    """The folder backend's UPLOAD_DIR/pending, created 0700; refused if it lies under static/."""
    if app is not None:
        with app.app_context():
            return storage.folder(AREA)
    return storage.folder(AREA)


def _names(token: str) -> tuple[str, str]:
    return f"{AREA}/{token}.bin", f"{AREA}/{token}.json"


def _checked(token: str) -> tuple[str, str] | None:
    """The names of a token from a form, or None when it is no token of ours."""
    return _names(token) if _TOKEN.fullmatch(token or "") else None


def store(data: bytes, meta: dict) -> str:
    """Keep ``data`` with ``meta`` (must name ``user_id``) until confirmed; the token."""
    sweep()
    token = secrets.token_hex(16)
    data_name, meta_name = _names(token)
    storage.put(data_name, data, at_once=True)
    storage.put(meta_name, json.dumps(meta, ensure_ascii=False).encode(), at_once=True)  # last: it makes it whole
    return token


def _meta(meta_name: str) -> dict | None:
    raw = storage.get(meta_name)
    try:
        meta = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def load(token: str, user_id: int) -> tuple[bytes, dict] | None:
    """The waiting file and its choices; None when there is no such upload of
    this user. Raises ServiceError (and deletes it) when it has expired."""
    names = _checked(token)
    if names is None:
        return None
    data_name, meta_name = names
    meta = _meta(meta_name)
    if meta is None or meta.get("user_id") != user_id:
        return None
    waited = storage.age(meta_name)
    if waited is None or waited > TTL_SECONDS:
        discard(token)
        raise ServiceError(MSG_EXPIRED)
    data = storage.get(data_name)
    return None if data is None else (data, meta)


def discard(token: str, user_id: int | None = None) -> None:
    """Delete a waiting upload (only ``user_id``'s, when given)."""
    names = _checked(token)
    if names is None:
        return
    data_name, meta_name = names
    if user_id is not None:
        meta = _meta(meta_name)
        if meta is not None and meta.get("user_id") != user_id:
            return
    storage.delete(data_name, at_once=True)
    storage.delete(meta_name, at_once=True)


def sweep(app: Flask | None = None, now: float | None = None) -> int:
    """Delete every waiting upload older than an hour; how many files (rows) went."""
    if app is not None:
        with app.app_context():
            return storage.sweep(AREA, TTL_SECONDS, now)
    return storage.sweep(AREA, TTL_SECONDS, now)


def sweep_at_start(app: Flask) -> None:
    """Uploads left on a node's disk by a crash or a restart go when the app
    starts. The db backend is swept by uploads and the job worker instead: the
    app does not touch the database while it starts (gunicorn --preload forks
    it; the tables may not exist yet)."""
    with app.app_context():
        if storage.backend() == "folder":
            storage.sweep(AREA, TTL_SECONDS)


__all__ = ["MSG_EXPIRED", "TTL_SECONDS", "discard", "folder", "load", "store", "sweep", "sweep_at_start"]
