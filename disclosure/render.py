"""PDFs made outside the web workers.

WeasyPrint with the Noto CJK fonts costs a process a few hundred MB, and a
web worker never gives that back. So a web worker only writes the print HTML
(it needs the database and the templates) and a renderer process makes the
PDF:

* Stored PDFs (a published notice's A4/A3, the public 明白卡): the web worker
  drops a request file into ``<store>/queue/`` (:func:`request_pdf`) and, if
  no renderer holds the lock, starts ``python -m disclosure.render <store>``.
  That process renders every queued request, writes each PDF atomically under
  its content key, deletes the request, and exits when the queue is empty (or
  re-executes itself after :data:`MAX_DOCUMENTS`, so its memory is bounded).
  The request is deleted only after its PDF is written: a restart loses no
  render, and the next request for that PDF (or ``setup.sh``) starts a
  renderer again.
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
_QUEUE = "queue"
#: The last renderer's count and peak memory, for the footprint bench: {"pdfs": n, "peak_kb": k}.
STATUS_FILE = "renderer.json"
_LOCK = "renderer.lock"
_PEAK_ENV = "BOARD_RENDER_PEAK_KB"
#: Renderers this process started, by store (reaped when they end).
_children: dict[Path, subprocess.Popen] = {}


# Keys and paths -----------------------------------------------------------------

def design_stamp() -> str:
    """Changes whenever a print template or stylesheet changes (cache key part)."""
    folders = (ROOT / "templates" / "print", ROOT / "static" / "print")
    stamps = [f"{p.name}:{p.stat().st_mtime_ns}" for folder in folders for p in sorted(folder.glob("*")) if p.is_file()]
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:12]


def pdf_path(store: str | os.PathLike, key: tuple) -> Path:
    """Where the PDF for ``key`` is (or will be) kept."""
    digest = hashlib.sha256(repr((*key, design_stamp())).encode()).hexdigest()[:32]
    return Path(store) / f"{digest}.pdf"


def stored_name(key: tuple) -> str:
    """The name of the PDF for ``key`` in the file store (disclosure/storage.py)."""
    return f"pdf-cache/{pdf_path('.', key).name}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


# The web worker's side ------------------------------------------------------------

def request_pdf(store: str | os.PathLike, key: tuple, make_html, base_url: str) -> Path | None:  # noqa: ANN001
    """The stored PDF for ``key`` if it is there; else queue ``make_html()``
    for the renderer (once), make sure a renderer runs, and return None.
    RuntimeError if the renderer already failed on it (the board's 500 page)."""
    path = pdf_path(store, key)
    if path.is_file():
        return path
    entry = Path(store) / _QUEUE / f"{path.stem}.json"
    if entry.with_suffix(".failed").is_file():  # the renderer logged why; a retry would fail the same way
        raise RuntimeError(f"rendering {path.name} failed; see the renderer's log")
    if not entry.is_file():
        payload = {"html": make_html(), "base_url": base_url, "target": path.name}
        _write_atomic(entry, json.dumps(payload, ensure_ascii=False).encode())
    ensure_renderer(store)
    return None


def wait_for(path: Path, store: str | os.PathLike, seconds: float) -> Path | None:
    """Wait up to ``seconds`` for a queued PDF (tests only; the board answers 正在生成 at once)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file():
            return path
        ensure_renderer(store)
        time.sleep(0.1)
    return path if path.is_file() else None


def renderer_idle(store: str | os.PathLike) -> bool:
    """Nothing queued and no renderer running."""
    return not pending(store) and not _renderer_running(Path(store))


def pending(store: str | os.PathLike) -> int:
    folder = Path(store) / _QUEUE
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def _renderer_running(store: Path) -> bool:
    lock = store / _LOCK
    if not lock.exists():
        return False
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def ensure_renderer(store: str | os.PathLike) -> None:
    """Start a renderer process for ``store`` unless one runs or nothing waits."""
    for folder, child in list(_children.items()):  # reap finished renderers: no zombies in the web worker
        if child.poll() is not None:
            del _children[folder]
    store = Path(store)
    # One we started may not hold the lock yet (it is still importing): never start a second.
    if store in _children or not pending(store) or _renderer_running(store):
        return
    _children[store] = subprocess.Popen(  # nosec B603 - fixed argv
        [sys.executable, "-m", "disclosure.render", str(store)], cwd=ROOT, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, start_new_session=True)


def render_isolated(html: str, base_url: str, *, timeout: float = DOCUMENT_TIMEOUT) -> bytes:
    """Print HTML → PDF bytes, made in a short-lived renderer process."""
    done = subprocess.run([sys.executable, "-m", "disclosure.render", "--one", base_url],  # nosec B603
                          input=html.encode(), cwd=ROOT, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError(f"renderer failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


# The renderer's side ----------------------------------------------------------------

def drain(store: str | os.PathLike, *, limit: int = MAX_DOCUMENTS) -> tuple[int, bool]:
    """Render queued requests under ``store`` while holding its lock (in the
    renderer process's main thread: a document is stopped after
    :data:`DOCUMENT_TIMEOUT` seconds and set aside as ``.failed``). Returns
    (documents made, whether the queue still holds work). Another renderer
    holding the lock: (0, False) at once."""
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGALRM, _too_long)
    made = 0
    with open(store / _LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0, False
        while made < limit:
            entries = sorted((store / _QUEUE).glob("*.json"), key=lambda p: p.stat().st_mtime_ns) \
                if (store / _QUEUE).is_dir() else []
            if not entries:
                return made, False
            from .printing import render_pdf  # only now: an empty queue costs no WeasyPrint

            for entry in entries[: limit - made]:
                try:
                    job = json.loads(entry.read_text(encoding="utf-8"))
                    target = store / Path(job["target"]).name
                    if not target.is_file():
                        signal.alarm(DOCUMENT_TIMEOUT)  # a stuck document must not hold the lock for ever
                        try:
                            data = render_pdf(job["html"], job["base_url"], reuse=True)
                        finally:
                            signal.alarm(0)
                        _write_atomic(target, data)
                    made += 1
                except Exception:  # one bad document must not block the queue
                    log.exception("rendering %s failed", entry.name)
                    os.replace(entry, entry.with_suffix(".failed"))
                    continue
                entry.unlink(missing_ok=True)
        return made, pending(store) > 0


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
    parser.add_argument("store", nargs="?", help="the PDF store whose queue to render (JOB_DIR/pdf-cache)")
    parser.add_argument("--one", metavar="BASE_URL", help="render HTML from stdin to a PDF on stdout")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s render %(levelname)s %(message)s")
    if args.one is not None:
        from .printing import render_pdf

        sys.stdout.buffer.write(render_pdf(sys.stdin.buffer.read().decode(), args.one))
        return 0
    if not args.store:
        parser.error("name a store, or --one")
    total = 0
    while True:
        made, more = drain(args.store)
        total += made
        if more:  # bounded lifetime: a fresh process for the rest
            log.info("rendered %d PDF(s), peak %d MB; continuing in a fresh process", total, peak_kb() // 1024)
            os.environ[_PEAK_ENV] = str(max(peak_kb(), int(os.environ.get(_PEAK_ENV, "0"))))
            os.execv(sys.executable, [sys.executable, "-m", "disclosure.render", args.store])  # nosec B606
        # A request queued while the lock was being let go has nobody else to start it.
        if not pending(args.store) or _renderer_running(Path(args.store)):
            break
    if total:
        log.info("rendered %d PDF(s), peak %d MB", total, peak_kb() // 1024)
        peak = max(peak_kb(), int(os.environ.get(_PEAK_ENV, "0")))  # across re-executions
        _write_atomic(Path(args.store) / STATUS_FILE, json.dumps({"pdfs": total, "peak_kb": peak}).encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
