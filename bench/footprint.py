"""Footprint: resident memory (VmRSS from /proc/<pid>/status) of a board web
worker after 200 kiosk/phone pages and 20 public PDF requests, as a ratio to a
bare Flask worker; the renderer's peak (VmHWM); and the whole board (master, 2
web workers, the renderer at its peak) against the 600 MB budget of a 1 GB box.

Both workers run under gunicorn with the flags of scripts/setup.sh. The PDFs
are made by the renderer process (disclosure/render.py); the web worker only
sends the stored files.

    .venv/bin/python -m bench.footprint
    .venv/bin/python -m bench.footprint --probe INSTANCE DATABASE_URL   (one fresh app process, JSON out)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess  # nosec B404 - our own interpreter and gunicorn, fixed argv
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .common import Figure, print_table

ROOT = Path(__file__).resolve().parent.parent
PAGES = 200
PDFS = 20
#: Done means (issue 18): a web worker under 150 MB, the whole board under 600 MB.
WORKER_BUDGET_KB = 150 * 1024
BOARD_BUDGET_KB = 600 * 1024
BOX_KB = 1024 * 1024
#: gunicorn flags for a small box, as scripts/setup.sh serves the board.
GUNICORN_FLAGS = ["--preload", "--max-requests", "1000", "--max-requests-jitter", "100", "--threads", "4"]
SECRET = "bench-footprint-secret"


def rss_kb(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A process's resident memory (or VmHWM, its peak), in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def build_board(folder: Path) -> tuple[Path, str]:
    """A SQLite database with the demo township; returns (instance, url)."""
    from disclosure import create_app
    from disclosure.extensions import db

    instance, url = folder / "instance", f"sqlite:///{folder / 'board.sqlite'}"
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        from disclosure.demo import load

        db.create_all()
        load()
        db.session.commit()
        db.engine.dispose()
    return instance, url


def urls(pages: int = PAGES, pdfs: int = PDFS) -> tuple[list[str], list[str]]:
    """Kiosk and phone pages (every village's screens, every public notice on
    both faces and its 打印版) repeated up to ``pages``, and ``pdfs`` public
    PDF addresses (A4 and A3 of the latest notices). Needs an app context."""
    from sqlalchemy import select

    from disclosure.extensions import db
    from disclosure.models import PUBLIC_STATUSES, Notice, Village

    codes = list(db.session.execute(select(Village.code).order_by(Village.code)).scalars())
    ids = list(db.session.execute(select(Notice.id).where(Notice.status.in_(PUBLIC_STATUSES))
                                  .order_by(Notice.id.desc())).scalars())
    screens = ["/kiosk/"] + [u for c in codes for u in (f"/kiosk/{c}", f"/kiosk/{c}/home", f"/kiosk/{c}/finance",
                                                         f"/m/{c}", f"/kiosk/{c}/projects")]
    screens += [u for i in ids for u in (f"/kiosk/notice/{i}", f"/m/notice/{i}", f"/kiosk/notice/{i}/print")]
    page_list = [screens[n % len(screens)] for n in range(pages)]
    pdf_list = [f"/p/{ids[n // 2 % len(ids)]}.pdf" + ("?size=a3" if n % 2 else "") for n in range(pdfs)]
    return page_list, pdf_list


def probe(instance: Path, url: str, pages: int = PAGES, pdfs: int = PDFS) -> dict:
    """Serve the pages and PDFs with a test client in a fresh app process;
    its RSS afterwards, whether WeasyPrint was imported, and every status."""
    done = subprocess.run([sys.executable, "-m", "bench.footprint", "--probe", str(instance), url,  # nosec B603
                           "--pages", str(pages), "--pdfs", str(pdfs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _probe_main(instance: str, url: str, pages: int, pdfs: int) -> None:
    from disclosure import create_app

    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "RATELIMIT_ENABLED": False, "PDF_WAIT_SECONDS": 0})
    with app.app_context():
        page_list, pdf_list = urls(pages, pdfs)
    client = app.test_client()
    page_status, pdf_status, pending_bodies = [], [], []
    for address in page_list:
        page_status.append(client.get(address).status_code)
    for address in pdf_list:
        response = client.get(address)
        kind = "pdf" if response.data.startswith(b"%PDF") else "html"
        pdf_status.append([response.status_code, kind])
        if response.status_code == 202 and not pending_bodies:
            pending_bodies.append(response.get_data(as_text=True))
    print(json.dumps({"rss_kb": rss_kb(), "weasyprint": any(m.split(".")[0] == "weasyprint" for m in sys.modules),
                      "pages": page_status, "pdfs": pdf_status, "pending_body": (pending_bodies or [""])[0],
                      "store": app.config["JOB_DIR"] + "/pdf-cache"}, ensure_ascii=False))


def wait_idle(app, seconds: float = 300) -> bool:  # noqa: ANN001 - a Flask app
    """Wait until the app's render queue is empty and no renderer of its node runs."""
    from disclosure import render

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            if render.renderer_idle():
                return True
        time.sleep(0.2)
    return False


# gunicorn ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    return [int(p) for t in Path(f"/proc/{pid}/task").iterdir()
            for p in (t / "children").read_text().split()]


def _get(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:  # nosec B310 - our own local server
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


class Gunicorn:
    """gunicorn serving ``app`` (``wsgi:app`` or a bare app module) with the setup.sh flags."""

    def __init__(self, app: str, workers: int, env: dict[str, str], cwd: Path = ROOT) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), *GUNICORN_FLAGS,
             "--bind", f"127.0.0.1:{self.port}", app], cwd=cwd, env={**os.environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if len(self.workers()) >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        return _children(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


_BARE = '''from flask import Flask
app = Flask(__name__)
@app.get("/")
def index():
    return "<!doctype html><title>bare</title><p>" + "村务公开" * 2000
'''


def bare_worker_kb(folder: Path) -> int:
    """A bare Flask worker under the same gunicorn flags, after 200 requests."""
    (folder / "bare_app.py").write_text(_BARE, encoding="utf-8")
    server = Gunicorn("bare_app:app", 1, {}, cwd=folder)
    try:
        for _ in range(PAGES):
            _get(server.base, "/")
        return max(rss_kb(pid) for pid in server.workers())
    finally:
        server.stop()


def board_figures(folder: Path) -> dict:
    """One gunicorn web worker after 200 pages and 20 PDFs (pre-rendered by the
    renderer, as after publishing); then the idle board of two workers."""
    instance, url = build_board(folder)
    env = {"BOARD_INSTANCE": str(instance), "DATABASE_URL": url, "SECRET_KEY": SECRET,
           "RATELIMIT_STORAGE_URI": "memory://", "SESSION_COOKIE_SECURE": "0"}
    store = instance / "jobs" / "pdf-cache"
    from disclosure import create_app

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        page_list, pdf_list = urls()
    server = Gunicorn("wsgi:app", 1, env)
    try:
        for path in pdf_list:  # queue them: the renderer makes them while we wait
            _get(server.base, path)
        wait_idle(app)
        statuses = [_get(server.base, p) for p in page_list] + [_get(server.base, p) for p in pdf_list]
        worker = max(rss_kb(pid) for pid in server.workers())
        master = rss_kb(server.proc.pid)
    finally:
        server.stop()
    renderer = json.loads((store / "renderer.json").read_text())["peak_kb"]
    board = Gunicorn("wsgi:app", 2, env)
    try:
        for path in page_list + pdf_list:
            _get(board.base, path)
        time.sleep(1)
        idle = rss_kb(board.proc.pid) + sum(rss_kb(pid) for pid in board.workers())
    finally:
        board.stop()
    if statuses.count(200) != len(statuses):
        raise RuntimeError(f"the board answered {sorted(set(statuses))}, not only 200")
    return {"worker_kb": worker, "master_kb": master, "renderer_kb": renderer, "board_idle_kb": idle,
            "errors": [s for s in statuses if s != 200]}


def figures(quick: bool = False) -> list[Figure]:  # noqa: ARG001 - the same run either way
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = bare_worker_kb(folder)
        got = board_figures(folder)
    mb = 1024
    return [
        Figure("footprint", f"web worker after {PAGES} pages + {PDFS} PDFs (RSS)", got["worker_kb"] / mb, "MB",
               got["worker_kb"] / bare, f"bare Flask worker ({bare / mb:.0f} MB)"),
        Figure("footprint", "web worker against its 150 MB budget", got["worker_kb"] / mb, "MB",
               got["worker_kb"] / WORKER_BUDGET_KB, "150 MB"),
        Figure("footprint", "renderer process peak (VmHWM)", got["renderer_kb"] / mb, "MB",
               got["renderer_kb"] / bare, f"bare Flask worker ({bare / mb:.0f} MB)"),
        Figure("footprint", "board idle: master + 2 web workers (RSS sum)", got["board_idle_kb"] / mb, "MB",
               got["board_idle_kb"] / BOARD_BUDGET_KB, "600 MB"),
        Figure("footprint", "board rendering: idle board + renderer peak", (got["board_idle_kb"] + got["renderer_kb"]) / mb,
               "MB", (got["board_idle_kb"] + got["renderer_kb"]) / BOX_KB, "1 GB box"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.footprint")
    parser.add_argument("--probe", nargs=2, metavar=("INSTANCE", "DATABASE_URL"))
    parser.add_argument("--pages", type=int, default=PAGES)
    parser.add_argument("--pdfs", type=int, default=PDFS)
    args = parser.parse_args(argv)
    if args.probe:
        _probe_main(*args.probe, args.pages, args.pdfs)
        return 0
    print_table(figures())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
