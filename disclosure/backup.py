"""Backups that a village server can take while the board is running.

SQLite: the online backup API (consistent even while others write).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore that did not happen; ``str(err)`` is Chinese."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432),
            "--username", parsed.username or "postgres", "--dbname", parsed.database or "postgres"]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    if shutil.which(command[0]) is None:
        raise BackupError(f"找不到 {command[0]}，请安装 postgresql-client")
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[:500]}")


def _sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy an open SQLite database into ``target`` with the online backup API, then close both."""
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        _sqlite_copy(sqlite3.connect(_sqlite_path(url)), target)
    elif url.startswith("postgresql"):
        args, env = _pg_args(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)
    else:
        raise BackupError("不支持的数据库类型")
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the backup ``source``."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if url.startswith("sqlite"):
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError("备份文件不是有效的 SQLite 数据库") from exc
        _sqlite_copy(src, _sqlite_path(url))
    elif url.startswith("postgresql"):
        args, env = _pg_args(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)], env)
    else:
        raise BackupError("不支持的数据库类型")
