"""Where uploaded and made files live: receipt photos and their thumbnails,
stored PDFs, batch print output. One small interface, two backends:

* ``db``: the ``stored_files`` table, so every node of a county's board (two
  gunicorn hosts on one PostgreSQL) sees every file, and ``pg_dump`` backs
  them up with the data that names them. The default on PostgreSQL.
* ``folder``: files under the instance folder, as an embedded (SQLite) board
  has always kept them. The default on SQLite.

FILE_STORE chooses ("db" or "folder"; empty: by the database). A name is
``<area>/<file>``; the areas are fixed below, a file name is one plain path
segment, so no name walks out of its folder.

Writes in the ``db`` backend go into the caller's transaction (a photo and its
row are committed together); the caller commits, as with every service.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import db

#: area → (config key of its folder, sub-folder) for the folder backend.
AREAS = {
    "vouchers": ("UPLOAD_DIR", "vouchers"),  # <sha256>.jpg, <sha256>.thumb.jpg
    "pdf-cache": ("JOB_DIR", "pdf-cache"),  # stored PDFs, by content key (disclosure/render.py)
    "batch": ("JOB_DIR", ""),  # batch print output (disclosure/jobs.py)
    "attachments": ("UPLOAD_DIR", "attachments"),  # notices' 附件 and their page pictures (disclosure/attachments.py)
}
_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,150}")


def backend(config: dict | None = None) -> str:
    """"db" or "folder" for this app (or ``config``)."""
    config = current_app.config if config is None else config
    chosen = (config.get("FILE_STORE") or "").strip().lower()
    if chosen in ("db", "folder"):
        return chosen
    return "db" if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "folder"


def _split(name: str) -> tuple[str, str]:
    area, _, file = name.partition("/")
    if area not in AREAS or not _FILE.fullmatch(file) or ".." in file:
        raise ValueError(f"not a stored file name: {name!r}")
    return area, file


def folder_path(name: str) -> Path:
    """Where the folder backend keeps ``name``."""
    area, file = _split(name)
    key, sub = AREAS[area]
    return Path(current_app.config[key]) / sub / file


def put(name: str, data: bytes) -> None:
    """Keep ``data`` under ``name`` (replacing what was there)."""
    _split(name)
    if backend() == "folder":
        path = folder_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return
    from .models import StoredFile

    sha = hashlib.sha256(data).hexdigest()
    row = db.session.get(StoredFile, name)
    if row is not None:
        row.content, row.size, row.sha256 = data, len(data), sha
        db.session.flush()
        return
    try:
        with db.session.begin_nested():
            db.session.add(StoredFile(name=name, content=data, size=len(data), sha256=sha))
    except IntegrityError:
        # Another node stored the same name at the same moment: names are
        # content keys (a photo's hash, a PDF's key, a job's id), so it holds the same bytes.
        pass


def get(name: str) -> bytes | None:
    """The bytes under ``name``, or None."""
    _split(name)
    if backend() == "folder":
        path = folder_path(name)
        return path.read_bytes() if path.is_file() else None
    from .models import StoredFile

    return db.session.execute(select(StoredFile.content).where(StoredFile.name == name)).scalar()


def exists(name: str) -> bool:
    _split(name)
    if backend() == "folder":
        return folder_path(name).is_file()
    from .models import StoredFile

    return db.session.execute(select(StoredFile.name).where(StoredFile.name == name)).first() is not None


def delete(name: str) -> None:
    _split(name)
    if backend() == "folder":
        folder_path(name).unlink(missing_ok=True)
        return
    from .models import StoredFile

    db.session.execute(sql_delete(StoredFile).where(StoredFile.name == name))


def adopt(name: str, made: Path) -> bytes | None:
    """Take a file this node just made (a renderer's PDF, a merged batch) into
    the store under ``name``; the local file is gone afterwards unless it
    already is the folder backend's own copy. Returns its bytes (None: another
    request of this node is adopting it and has not committed yet)."""
    try:
        data = made.read_bytes()
    except FileNotFoundError:  # another request of this node adopted it a moment ago
        return get(name)
    if backend() == "folder" and folder_path(name).resolve() == made.resolve():
        return data
    put(name, data)
    made.unlink(missing_ok=True)
    return data


def import_folder() -> int:
    """Copy the files the folder backend holds (a board that kept them on disk
    before moving to the database) into the database; returns how many were
    new there. The caller commits."""
    from .models import StoredFile

    count = 0
    for area, (key, sub) in AREAS.items():
        folder = Path(current_app.config[key]) / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            name = f"{area}/{path.name}"
            try:
                _split(name)
            except ValueError:  # a temporary or unrelated file
                continue
            if path.is_file() and path.suffix != ".part" and db.session.get(StoredFile, name) is None:
                data = path.read_bytes()
                db.session.add(StoredFile(name=name, content=data, size=len(data),
                                          sha256=hashlib.sha256(data).hexdigest()))
                count += 1
    db.session.flush()
    return count


__all__ = ["AREAS", "adopt", "backend", "delete", "exists", "folder_path", "get", "import_folder", "put"]
