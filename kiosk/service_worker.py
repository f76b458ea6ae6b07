"""The offline service worker's script, stamped with what it caches.

static/sw.js serves static files cache-first, so a kiosk would keep an old
kiosk.css after an upgrade until someone remembered to bump a version by hand.
Instead the script is served with ``VERSION`` set to a digest of every file
under static/: any change to a style, script or icon changes the script's
bytes, the browser installs the new worker, and its install step fetches the
shell afresh while activate drops the old caches."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

#: The line of static/sw.js that carries the version; served with the digest in it.
PLACEHOLDER = 'var VERSION = "dev";'


@functools.cache
def static_digest(folder: str) -> str:
    """12 hex digits over the names and bytes of every file under ``folder``."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def script(folder: str) -> str:
    """static/sw.js with its version set to :func:`static_digest`."""
    text = (Path(folder) / "sw.js").read_text(encoding="utf-8")
    if PLACEHOLDER not in text:
        raise RuntimeError(f"static/sw.js must contain {PLACEHOLDER!r}")
    return text.replace(PLACEHOLDER, f'var VERSION = "{static_digest(folder)}";', 1)
