"""Start the board with demo data under gunicorn on a free loopback port, for
the load test and the scanners. Used as a context manager."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Board:
    base: str  # http://127.0.0.1:PORT
    env: dict[str, str]
    log: Path  # gunicorn's and the app's stderr

    def query(self, code: str) -> object:
        """Run `code` (which sets `result`) in an app context of this board; return result (JSON)."""
        script = ("import json\nfrom wsgi import app\nfrom disclosure.extensions import db\n"
                  "with app.app_context():\n" + "".join(f"    {line}\n" for line in code.splitlines())
                  + "print(json.dumps(result))\n")
        out = subprocess.run([str(BIN / "python"), "-c", script], cwd=ROOT, env=self.env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, sig: int, timeout: float = 20) -> None:
    """Send ``sig``; kill the process if it has not ended after ``timeout`` seconds."""
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def running_board(database_url: str | None = None, workers: int = 2, threads: int = 8,
                  app: str = "wsgi:app", extra_env: dict[str, str] | None = None,
                  access_log: Path | None = None) -> Iterator[Board]:
    """Yield a fresh board with demo data, served by gunicorn on 127.0.0.1.
    With `access_log`, every request is logged there as "METHOD PATH QUERY STATUS"."""
    instance = Path(tempfile.mkdtemp(prefix="board-tool-"))
    env = {**os.environ, "BOARD_INSTANCE": str(instance), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    port = free_port()
    log = instance / "server.log"
    logging = ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(q)s %(s)s"] \
        if access_log else []
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", *logging, app], cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the board did not start (see {log})")
        yield Board(base, env, log)
    finally:
        # QUIT: gunicorn's quick shutdown (TERM would wait up to 30 s for open keep-alive connections).
        stop(server, signal.SIGQUIT)
