"""Where uploaded and made files live: receipt photos and their thumbnails,
stored PDFs, batch print output, the renderer's queue, the kiosk's pictures
of PDF pages and an import's raw file between preview and confirm. One small
interface, two backends:

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
``at_once=True`` writes or deletes in a transaction of its own, committed
before the call returns, as a file would be: for what is not part of the
request's data (a queued render, a waiting upload, a page picture). Such
names are content keys or fresh random tokens, so a name already stored (by
another node at the same moment) holds the same bytes and is left as it is.

A private area (``pending``) holds files no page may ever show: in the folder
backend a 0700 folder (never under static/) of 0600 files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import delete as sql_delete
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from .extensions import db

#: area → (config key of its folder, sub-folder) for the folder backend.
AREAS = {
    "vouchers": ("UPLOAD_DIR", "vouchers"),  # <sha256>.jpg, <sha256>.thumb.jpg
    "pdf-cache": ("JOB_DIR", "pdf-cache"),  # stored PDFs, by content key (disclosure/render.py)
    "batch": ("JOB_DIR", ""),  # batch print output (disclosure/jobs.py)
    "attachments": ("UPLOAD_DIR", "attachments"),  # notices' 附件 and their page pictures (disclosure/attachments.py)
    "render-queue": ("JOB_DIR", "pdf-cache/queue"),  # print HTML waiting for the renderer (disclosure/render.py)
    "pdf-pages": ("JOB_DIR", "pdf-pages"),  # the kiosk's pictures of a stored PDF's pages (kiosk/printed.py)
    "pending": ("UPLOAD_DIR", "pending"),  # an import's raw file until confirmed (services/pending_uploads.py)
}
#: Areas whose files are private: a 0700 folder that must not lie under static/.
PRIVATE = frozenset({"pending"})
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


def folder(area: str) -> Path:
    """The folder backend's folder of ``area`` (a private one: created 0700,
    refused under static/)."""
    key, sub = AREAS[area]
    path = Path(current_app.config[key]) / sub
    if area in PRIVATE:
        path = path.resolve()
        static = Path(current_app.static_folder).resolve() if current_app.static_folder else None
        if static is not None and (path == static or static in path.parents):
            raise RuntimeError(f"{key} must not lie under static/: the {area} area is private")
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)
    return path


def folder_path(name: str) -> Path:
    """Where the folder backend keeps ``name``."""
    area, file = _split(name)
    return folder(area) / file


def put(name: str, data: bytes, *, at_once: bool = False) -> None:
    """Keep ``data`` under ``name`` (replacing what was there)."""
    _split(name)
    if backend() == "folder":
        path = folder_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")  # 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return
    from .models import StoredFile
    from .models.notice import utcnow

    sha = hashlib.sha256(data).hexdigest()
    if at_once:
        table = StoredFile.__table__
        try:
            with db.engine.begin() as conn:
                conn.execute(sql_delete(table).where(table.c.name == name))
                conn.execute(insert(table).values(name=name, content=data, size=len(data), sha256=sha,
                                                  created_at=utcnow()))
        except IntegrityError:  # another node stored this content key at the same moment (see below)
            pass
        except DBAPIError as err:  # its message would carry the bytes (a villager's raw file) into the log
            raise RuntimeError(f"storing {name} failed: {type(err.orig).__name__}") from None
        return
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


def delete(name: str, *, at_once: bool = False) -> None:
    _split(name)
    if backend() == "folder":
        folder_path(name).unlink(missing_ok=True)
        return
    from .models import StoredFile

    statement = sql_delete(StoredFile).where(StoredFile.name == name)
    if at_once:
        with db.engine.begin() as conn:
            conn.execute(statement)
        return
    db.session.execute(statement)


def age(name: str) -> float | None:
    """Seconds since ``name`` was stored (None: not there)."""
    _split(name)
    if backend() == "folder":
        try:
            return time.time() - folder_path(name).stat().st_mtime
        except FileNotFoundError:
            return None
    from .models import StoredFile
    from .models.notice import utcnow

    stored_at = db.session.execute(select(StoredFile.created_at).where(StoredFile.name == name)).scalar()
    return None if stored_at is None else (utcnow() - stored_at).total_seconds()


def names(area: str, suffix: str = "") -> list[str]:
    """The names in ``area`` (ending in ``suffix``), oldest first."""
    if area not in AREAS:
        raise ValueError(f"no such area: {area!r}")
    if backend() == "folder":
        path = folder(area)
        found = []
        for entry in path.glob(f"*{suffix}") if path.is_dir() else ():
            try:
                found.append((entry.stat().st_mtime_ns, entry.name))
            except FileNotFoundError:  # taken a moment ago
                continue
        return [f"{area}/{file}" for _, file in sorted(found) if _FILE.fullmatch(file) and not file.endswith(".part")]
    from .models import StoredFile

    prefix = f"{area}/"
    rows = db.session.execute(select(StoredFile.name).where(StoredFile.name.startswith(prefix, autoescape=True))
                              .order_by(StoredFile.created_at, StoredFile.name)).scalars()
    return [row for row in rows if row.endswith(suffix)]


def sweep(area: str, max_age_seconds: float, now: float | None = None) -> int:
    """Delete what ``area`` has kept longer than ``max_age_seconds``, at once
    (leftover ``.part`` files of the folder backend too); how many went."""
    if area not in AREAS:
        raise ValueError(f"no such area: {area!r}")
    now = time.time() if now is None else now
    if backend() == "folder":
        path = folder(area)
        removed = 0
        for entry in path.iterdir() if path.is_dir() else ():
            try:
                if entry.is_file() and entry.stat().st_mtime < now - max_age_seconds:
                    entry.unlink(missing_ok=True)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
    from .models import StoredFile

    cutoff = dt.datetime.fromtimestamp(now - max_age_seconds, dt.UTC).replace(tzinfo=None)
    table = StoredFile.__table__
    with db.engine.begin() as conn:
        return conn.execute(sql_delete(table).where(table.c.name.startswith(f"{area}/", autoescape=True),
                                                    table.c.created_at < cutoff)).rowcount


def hold(name: str) -> bool:
    """Take ``name`` for the rest of the caller's transaction, so another node
    working the same area skips it (db: a row lock, ``SKIP LOCKED``; SQLite and
    the folder backend have one node, and its own lock). False: gone or held."""
    _split(name)
    if backend() == "folder":
        return folder_path(name).is_file()
    from .models import StoredFile

    found = db.session.execute(select(StoredFile.name).where(StoredFile.name == name)
                               .with_for_update(skip_locked=True)).first()
    return found is not None


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
        where = Path(current_app.config[key]) / sub
        if area in PRIVATE or not where.is_dir():  # a raw upload waits an hour at most: not worth moving
            continue
        for path in sorted(where.iterdir()):
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


__all__ = ["AREAS", "PRIVATE", "adopt", "age", "backend", "delete", "exists", "folder", "folder_path", "get", "hold",
           "import_folder", "names", "put", "sweep"]
