"""PDFs made outside the web workers.

WeasyPrint with the Noto CJK fonts costs a process a few hundred MB, and a
web worker never gives that back. So a web worker only writes the print HTML
(it needs the database and the templates) and a renderer process makes the
PDF:

* Stored PDFs (a published notice's A4/A3, the public 明白卡): the web worker
  puts a request into the file store's ``render-queue`` area
  (:func:`request_pdf`; disclosure/storage.py: rows every node sees on the db
  store, JOB_DIR/pdf-cache/queue/ on the folder store) and, if no renderer of
  this node holds the node's lock, starts ``python -m disclosure.render``.
  That process renders every queued request (any node's), puts each PDF into
  the store's ``pdf-cache`` area under its content key, deletes the request,
  and exits when the queue is empty (or re-executes itself after
  :data:`MAX_DOCUMENTS`, so its memory is bounded). The request is deleted
  only with its PDF written: a restart loses no render, and the next request
  for that PDF (on any node, or ``setup.sh``) starts a renderer again. On the
  db store a renderer holds the request's row while it works (``SKIP
  LOCKED``), so the renderers of two nodes never make the same PDF.
* One-off PDFs (the staff's draft preview, stickers, the lookup slip):
  :func:`render_isolated` pipes the HTML through ``python -m disclosure.render
  --one`` and waits for the bytes.

Either way the bytes are exactly what :func:`disclosure.printing.render_pdf`
makes in-process (WeasyPrint 70 writes no creation date or random ID).
This module imports no WeasyPrint itself; only the renderer process does.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import logging
import os
import signal
import subprocess  # nosec B404 - our own interpreter on our own module, no shell
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
#: A renderer process re-executes itself after this many PDFs (bounded memory:
#: WeasyPrint's caches grow ~25 MB a document; one notice's A4+A3 peak near 205 MB).
MAX_DOCUMENTS = 2
#: Seconds one document may take before the renderer gives up on it.
DOCUMENT_TIMEOUT = 300
#: The file store's area of queued requests (disclosure/storage.py).
QUEUE = "render-queue"
#: The last renderer's count and peak memory, for the footprint bench: {"pdfs": n, "peak_kb": k}
#: (in this node's :func:`local_folder`, beside the lock that keeps to one renderer a node).
STATUS_FILE = "renderer.json"
_LOCK = "renderer.lock"
_PEAK_ENV = "BOARD_RENDER_PEAK_KB"
#: The web worker's store settings for the renderer it starts (JSON; see :func:`store_app`).
_CONFIG_ENV = "BOARD_RENDER_CONFIG"
_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "FILE_STORE", "JOB_DIR", "UPLOAD_DIR")
#: Renderers this process started, by node folder (reaped when they end).
_children: dict[Path, subprocess.Popen] = {}


# Keys and paths -----------------------------------------------------------------

def design_stamp() -> str:
    """Changes whenever a print template or stylesheet changes (cache key part)."""
    folders = (ROOT / "templates" / "print", ROOT / "static" / "print")
    stamps = [f"{p.name}:{p.stat().st_mtime_ns}" for folder in folders for p in sorted(folder.glob("*")) if p.is_file()]
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:12]


def digest(key: tuple) -> str:
    """The content key of the PDF for ``key`` (with the print design)."""
    return hashlib.sha256(repr((*key, design_stamp())).encode()).hexdigest()[:32]


def stored_name(key: tuple) -> str:
    """The name of the PDF for ``key`` in the file store (disclosure/storage.py)."""
    return f"pdf-cache/{digest(key)}.pdf"


def _entry(name: str) -> str:
    """The queue entry of a stored PDF's name."""
    return f"{QUEUE}/{Path(name).stem}.json"


def _failed(entry: str) -> str:
    return entry.removesuffix(".json") + ".failed"


def local_folder() -> Path:
    """This node's own folder for its renderer's lock and status: JOB_DIR/pdf-cache."""
    from flask import current_app

    return Path(current_app.config["JOB_DIR"]) / "pdf-cache"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


# The web worker's side ------------------------------------------------------------

def request_pdf(key: tuple, make_html, base_url: str) -> None:  # noqa: ANN001
    """Queue ``make_html()`` for the PDF of ``key`` (once, on any node) and
    make sure this node runs a renderer. RuntimeError if a renderer already
    failed on it (the board's 500 page). The caller found no stored PDF."""
    from . import storage

    entry = _entry(stored_name(key))
    if storage.exists(_failed(entry)):  # the renderer logged why; a retry would fail the same way
        raise RuntimeError(f"rendering {entry} failed; see the renderer's log")
    if not storage.exists(entry):
        payload = {"html": make_html(), "base_url": base_url, "target": Path(stored_name(key)).name}
        storage.put(entry, json.dumps(payload, ensure_ascii=False).encode(), at_once=True)
    ensure_renderer()


def wait_for(name: str, seconds: float) -> bytes | None:
    """Wait up to ``seconds`` for a queued PDF (tests only; the board answers 正在生成 at once)."""
    from . import storage

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = storage.get(name)
        if data is not None:
            return data
        ensure_renderer()
        time.sleep(0.1)
    return storage.get(name)


def renderer_idle() -> bool:
    """Nothing queued and no renderer of this node running."""
    return not pending() and not _renderer_running(local_folder())


def pending() -> int:
    """Requests in the queue (every node's, on the db store)."""
    from . import storage

    return len(storage.names(QUEUE, ".json"))


def _renderer_running(folder: Path) -> bool:
    lock = folder / _LOCK
    if not lock.exists():
        return False
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def ensure_renderer() -> None:
    """Start a renderer process on this node unless one runs or nothing waits."""
    from flask import current_app

    for folder, child in list(_children.items()):  # reap finished renderers: no zombies in the web worker
        if child.poll() is not None:
            del _children[folder]
    folder = local_folder()
    # One we started may not hold the lock yet (it is still importing): never start a second.
    if folder in _children or not pending() or _renderer_running(folder):
        return
    from . import storage

    config = {key: current_app.config.get(key) for key in _CONFIG_KEYS}
    config["FILE_STORE"] = storage.backend()
    env = {**os.environ, _CONFIG_ENV: json.dumps(config)}
    _children[folder] = subprocess.Popen(  # nosec B603 - fixed argv
        [sys.executable, "-m", "disclosure.render"], cwd=ROOT, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, start_new_session=True, env=env)


def render_isolated(html: str, base_url: str, *, timeout: float = DOCUMENT_TIMEOUT) -> bytes:
    """Print HTML → PDF bytes, made in a short-lived renderer process."""
    done = subprocess.run([sys.executable, "-m", "disclosure.render", "--one", base_url],  # nosec B603
                          input=html.encode(), cwd=ROOT, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError(f"renderer failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


# The renderer's side ----------------------------------------------------------------

def store_app(job_dir: str | os.PathLike | None = None):  # noqa: ANN201 - a Flask app
    """The smallest app that reaches the file store: the settings the web
    worker passed (BOARD_RENDER_CONFIG), else the board's own from the
    environment, as ``create_app`` reads them (``setup.sh``, systemd);
    ``job_dir`` overrides JOB_DIR."""
    from flask import Flask

    from .extensions import db

    passed = os.environ.get(_CONFIG_ENV)
    if passed:
        config = json.loads(passed)
    else:
        from .config import build_config

        config = build_config(Path(os.environ.get("BOARD_INSTANCE") or ROOT / "instance"))
    if job_dir is not None:
        config["JOB_DIR"] = str(job_dir)
    app = Flask("disclosure.render", root_path=str(ROOT), static_folder=str(ROOT / "static"))
    app.config.update({key: config.get(key) for key in _CONFIG_KEYS})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"] or {}
    db.init_app(app)
    return app


def drain(*, limit: int = MAX_DOCUMENTS) -> tuple[int, bool, set[str]]:
    """Render queued requests while holding this node's lock (in the renderer
    process's main thread, in an app context of :func:`store_app`: a document
    is stopped after :data:`DOCUMENT_TIMEOUT` seconds and set aside as
    ``.failed``). Returns (documents made, whether the queue still holds
    work, the requests another node's renderer holds). Another renderer of
    this node holding the lock: (0, False, ∅) at once."""
    from . import storage

    folder = local_folder()
    folder.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGALRM, _too_long)
    made = 0
    with open(folder / _LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0, False, set()
        while True:
            held = set()
            for entry in storage.names(QUEUE, ".json"):
                if made >= limit:
                    return made, True, held
                if _render_entry(entry):
                    made += 1
                else:
                    held.add(entry)
            if not set(storage.names(QUEUE, ".json")) - held:
                return made, False, held


def _render_entry(entry: str) -> bool:
    """Make the PDF of one queued request and delete the request, in one
    transaction; False when another node's renderer holds it (or it is gone)."""
    from . import storage
    from .extensions import db

    try:
        if not storage.hold(entry):
            db.session.rollback()
            return False
        job = json.loads(storage.get(entry) or b"null")
        target = f"pdf-cache/{Path(job['target']).name}"
        if not storage.exists(target):
            from .printing import render_pdf  # only now: an empty queue costs no WeasyPrint

            signal.alarm(DOCUMENT_TIMEOUT)  # a stuck document must not hold the lock for ever
            try:
                data = render_pdf(job["html"], job["base_url"], reuse=True)
            finally:
                signal.alarm(0)
            storage.put(target, data)
        storage.delete(entry)
        db.session.commit()
    except Exception:  # one bad document must not block the queue
        db.session.rollback()
        log.exception("rendering %s failed", entry)
        request = storage.get(entry)
        if request is not None:
            storage.put(_failed(entry), request)
            storage.delete(entry)
            db.session.commit()
    return True


def _too_long(signum, frame) -> None:  # noqa: ANN001, ARG001
    raise TimeoutError(f"a document took more than {DOCUMENT_TIMEOUT} s")


def peak_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m disclosure.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("store", nargs="?", help="this node's JOB_DIR/pdf-cache (default: the board's own)")
    parser.add_argument("--one", metavar="BASE_URL", help="render HTML from stdin to a PDF on stdout")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s render %(levelname)s %(message)s")
    if args.one is not None:
        from .printing import render_pdf

        sys.stdout.buffer.write(render_pdf(sys.stdin.buffer.read().decode(), args.one))
        return 0
    app = store_app(Path(args.store).parent if args.store else None)
    with app.app_context():
        return run_queue(args.store)


def run_queue(store: str | None = None) -> int:
    """Render the queue (in an app context of :func:`store_app`, or the board's own in a test)."""
    from . import storage
    from .extensions import db

    total = 0
    while True:
        made, more, held = drain()
        total += made
        if more:  # bounded lifetime: a fresh process for the rest
            log.info("rendered %d PDF(s), peak %d MB; continuing in a fresh process", total, peak_kb() // 1024)
            os.environ[_PEAK_ENV] = str(max(peak_kb(), int(os.environ.get(_PEAK_ENV, "0"))))
            db.session.remove()
            os.execv(sys.executable, [sys.executable, "-m", "disclosure.render", *([store] if store else [])])  # nosec B606
        # A request queued while the lock was being let go has nobody else to start it
        # (those another node's renderer holds are its to finish).
        if not set(storage.names(QUEUE, ".json")) - held or _renderer_running(local_folder()):
            break
    db.session.remove()
    if total:
        log.info("rendered %d PDF(s), peak %d MB", total, peak_kb() // 1024)
        peak = max(peak_kb(), int(os.environ.get(_PEAK_ENV, "0")))  # across re-executions
        _write_atomic(local_folder() / STATUS_FILE, json.dumps({"pdfs": total, "peak_kb": peak}).encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
