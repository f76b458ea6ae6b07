"""The board as separate processes for tests: gunicorn instances and the
``flask jobs worker``, on the database and instance folder of a test's app."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from tools._server import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: ``flask jobs worker`` of this virtualenv (add ``--once`` or ``--poll S``).
WORKER = [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"]


def board_env(app: Flask, **extra: str) -> dict[str, str]:
    """The environment of a board process on ``app``'s database, instance folder and secret."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI")}
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BOARD_INSTANCE": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": str(ROOT),
        "SESSION_COOKIE_SECURE": "0",
    })
    env.update(extra)
    return env


@contextlib.contextmanager
def job_worker(env: dict[str, str], log: Path, poll: float = 0.5) -> Iterator[subprocess.Popen]:
    """``flask jobs worker`` running until the block ends (stopped with SIGTERM, as systemd does)."""
    with open(log, "wb") as out:
        worker = subprocess.Popen([*WORKER, "--poll", str(poll)], cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        yield worker
    finally:
        stop(worker, signal.SIGTERM, timeout=30)


@contextlib.contextmanager
def gunicorns(env: dict[str, str] | list[dict[str, str]], log: Path, count: int = 1,
              workers: int = 1) -> Iterator[list[str]]:
    """``count`` gunicorn instances serving the board, each on a free loopback
    port of its own, started side by side; yields their base URLs. ``env`` is
    one environment for all, or a list of one per instance (two nodes, each
    with its own instance folder)."""
    envs = env if isinstance(env, list) else [env] * count
    servers, bases = [], []
    with open(log, "ab") as out:
        for env in envs:
            port = free_port()
            servers.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level",
                 "warning", "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out))
            bases.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        for server, base in zip(servers, bases):
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not start: {log.read_text(errors='replace')[-2000:]}") \
                            from None
                    time.sleep(0.1)
        yield bases
    finally:
        for server in servers:
            stop(server, signal.SIGQUIT)  # gunicorn's quick shutdown
