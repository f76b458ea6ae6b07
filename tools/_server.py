"""Start the board with demo data under gunicorn on a free loopback port, for
the load test and the scanners. Used as a context manager."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
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
    base: str  # http://127.0.0.1:PORT (the first node's)
    env: dict[str, str]
    log: Path  # gunicorn's and the app's stderr
    bases: tuple[str, ...] = ()  # every node's, when there are several

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
                  access_log: Path | None = None, nodes: int = 1,
                  gunicorn_args: tuple[str, ...] = ()) -> Iterator[Board]:
    """Yield a fresh board with demo data, served by gunicorn on 127.0.0.1.
    With `access_log`, every request is logged there as "METHOD PATH QUERY STATUS".
    With `nodes` > 1 (a shared database: PostgreSQL), that many gunicorn
    instances, each with an instance folder of its own, as separate hosts would be."""
    instance = Path(tempfile.mkdtemp(prefix="board-tool-"))
    env = {**os.environ, "BOARD_INSTANCE": str(instance), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    if nodes > 1:
        env.setdefault("SECRET_KEY", secrets.token_hex(32))  # one key: a session holds on every node
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    log = instance / "server.log"
    logging = ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(q)s %(s)s"] \
        if access_log else []
    servers, bases = [], []
    with open(log, "wb") as log_file:
        for node in range(nodes):
            node_env = env if node == 0 else {**env, "BOARD_INSTANCE": str(instance / f"node-{node + 1}")}
            port = free_port()
            servers.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                 "--log-level", "warning", *logging, *gunicorn_args, app], cwd=ROOT, env=node_env, stdout=log_file, stderr=log_file))
            bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"the board did not start (see {log})")
        yield Board(bases[0], env, log, tuple(bases))
    finally:
        # QUIT: gunicorn's quick shutdown (TERM would wait up to 30 s for open keep-alive connections).
        for server in servers:
            stop(server, signal.SIGQUIT)


def _as_postgres(*command: str) -> list[str]:
    """``command`` run as the postgres user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@contextlib.contextmanager
def throwaway_postgres(port: int | None = None) -> Iterator[str]:
    """A PostgreSQL cluster of its own on a loopback port (as scripts/test.sh
    starts one), removed at the end; yields its SQLAlchemy URL. The port is
    ``port``, else $BOARD_PG_PORT, else a free one: a port the kernel just
    called free can be taken before the server binds it (another process, or
    a fixed port that lies in the ephemeral range), so then it tries another."""
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="board-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    fixed = port or int(os.environ.get("BOARD_PG_PORT") or 0)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": folder}
    subprocess.run(_as_postgres(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                                "-E", "UTF8", "--locale=C.UTF-8"), check=True, **quiet)
    for _ in range(1 if fixed else 5):
        port = fixed or free_port()
        started = subprocess.run(_as_postgres(
            str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w",
            "-o", f"-k {folder} -p {port} -c listen_addresses=127.0.0.1", "start"), check=False, **quiet)
        if started.returncode == 0:
            break
    else:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1:{port}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"),
                       check=False, **quiet)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def throwaway_redis() -> Iterator[str]:
    """A redis-server of its own on a free loopback port, nothing saved; yields its URL."""
    import shutil

    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="board-redis-"))
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)
