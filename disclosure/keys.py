"""The board's keys for villagers' identities: a versioned key ring of its
own, apart from SECRET_KEY (which signs sessions and may change freely).

Each version of the ring is one random secret. From it come:

- the **ID fingerprint** step (``roster_lines.id_hash``, the cadre register,
  the lookup log), used to catch the same person paid twice and for the
  self-lookup. Version 1 is ``HMAC(key_1, ID)`` (privacy.id_fingerprint);
  every later version wraps the one before: ``fp_v = HMAC(key_v, fp_{v-1})``.
  So a stored fingerprint can be re-keyed without the ID number (which the
  board never keeps): :func:`lift` carries it from its version to the
  current one, and a new ID is fingerprinted straight into the current one.
  After ``flask keys rotate`` every stored fingerprint is in the new version,
  an old key alone no longer reveals anything in the database, and the same
  person still has one fingerprint before and after.
- the **roster commitment** key (hash format 3, services/chain.py):
  ``HMAC(key_v, "roster-commitment")``: a keyed commitment over a published
  roster line's private fields (full name, ID fingerprint).

Every stored fingerprint records its key version (``id_key``); a published
version records the version of its commitments (``Notice.commit_key``).
Keys are never deleted from the ring: old commitments stay checkable and
version 1 is the root every fingerprint starts from.

Where the ring comes from: ``FINGERPRINT_KEYS`` in the environment (``1:hex,
2:hex``) with ``FINGERPRINT_KEY_ID`` naming the current version, else the file
``instance/fingerprint_keys`` (JSON, 0600), generated on first start like
``instance/secret_key``. The file is re-read when it changes, so every worker
follows ``flask keys rotate`` without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from . import privacy

KEYS_FILE = "fingerprint_keys"
_COMMITMENT = b"roster-commitment"


class KeyRingError(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: dict[int, bytes]
    current: int
    source: str  # "file", "environment" or "config"

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyRingError("指纹密钥环为空")
        if sorted(self.keys) != list(range(1, max(self.keys) + 1)):
            raise KeyRingError(f"指纹密钥版本必须从 1 起连续编号，现有：{sorted(self.keys)}")
        if self.current not in self.keys:
            raise KeyRingError(f"当前指纹密钥版本 {self.current} 不在密钥环中")

    def key(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise KeyRingError(f"缺少第 {version} 版指纹密钥（密钥不可删除）") from None

    def fingerprint(self, id_number: str) -> str:
        """The fingerprint of an ID number in the current version."""
        return self.lift(privacy.id_fingerprint(id_number, self.key(1)), 1)

    def lift(self, fingerprint: str, version: int, to: int | None = None) -> str:
        """A fingerprint of ``version`` carried to version ``to`` (default: current)."""
        to = self.current if to is None else to
        if version > to:
            raise KeyRingError(f"指纹版本 {version} 比目标版本 {to} 新，无法转换")
        for step in range(version + 1, to + 1):
            fingerprint = hmac.new(self.key(step), fingerprint.encode(), hashlib.sha256).hexdigest()
        return fingerprint

    def commitment_key(self, version: int | None = None) -> bytes:
        base = self.key(self.current if version is None else version)
        return hmac.new(base, _COMMITMENT, hashlib.sha256).digest()

    def rotated(self) -> KeyRing:
        """The ring with one new random version, made current."""
        version = max(self.keys) + 1
        return KeyRing({**self.keys, version: secrets.token_hex(32).encode()}, version, self.source)


# Loading and storing ----------------------------------------------------------------

def parse_env(text: str, current: str | None) -> KeyRing:
    """``1:hex,2:hex`` and an optional current version (default: the newest)."""
    keys: dict[int, bytes] = {}
    for part in (p.strip() for p in text.split(",")):
        version, sep, value = part.partition(":")
        if not sep or not version.strip().isdigit() or len(value.strip()) < 32:
            raise KeyRingError("FINGERPRINT_KEYS 的格式应为 1:密钥,2:密钥（每个密钥至少 32 个字符）")
        keys[int(version)] = value.strip().encode()
    return KeyRing(keys, int(current) if current else max(keys), "environment")


def _from_json(text: str, source: str) -> KeyRing:
    data = json.loads(text)
    return KeyRing({int(v): k.encode() for v, k in data["keys"].items()}, int(data["current"]), source)


def _to_json(ring: KeyRing) -> str:
    return json.dumps({"current": ring.current, "keys": {str(v): k.decode() for v, k in sorted(ring.keys.items())}},
                      indent=1) + "\n"


def write_file(path: Path, ring: KeyRing) -> None:
    """Replace the key file atomically, 0600 from the first byte."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_to_json(ring))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def ensure_file(instance_path: Path, *, adopt: str | None) -> Path:
    """Create ``instance/fingerprint_keys`` once. ``adopt``: the SECRET_KEY an
    existing instance fingerprinted IDs with before the ring existed; it
    becomes version 1 so those fingerprints keep matching (``flask keys
    rotate`` then moves them to a key of their own). Otherwise a fresh key."""
    path = instance_path / KEYS_FILE
    if not path.exists():
        write_file(path, KeyRing({1: (adopt or secrets.token_hex(32)).encode()}, 1, "file"))
    return path


_cache: dict[str, tuple[tuple[int, int], KeyRing]] = {}


def ring() -> KeyRing:
    """The app's key ring (config FINGERPRINT_KEYS, else the key file)."""
    config = current_app.config
    if config.get("FINGERPRINT_KEYS"):
        value = config["FINGERPRINT_KEYS"]
        if isinstance(value, KeyRing):
            return value
        return parse_env(value, config.get("FINGERPRINT_KEY_ID"))
    path = str(config["FINGERPRINT_KEYS_FILE"])
    info = os.stat(path)
    stamp = (info.st_mtime_ns, info.st_ino)  # write_file replaces the file: a new inode
    cached = _cache.get(path)
    if cached is None or cached[0] != stamp:
        with open(path, encoding="utf-8") as handle:
            cached = (stamp, _from_json(handle.read(), "file"))
        _cache[path] = cached
    return cached[1]


def fingerprint(id_number: str) -> tuple[int, str]:
    """(current key version, fingerprint) of an ID number."""
    keys = ring()
    return keys.current, keys.fingerprint(id_number)


def root_key() -> bytes:
    """The version-1 key pure parsers fingerprint with (importing/): their
    fingerprints are version 1 until :func:`stored` lifts them."""
    return ring().key(1)


def stored(root_fingerprint: str | None) -> tuple[int | None, str | None]:
    """(version, fingerprint) to store for a version-1 fingerprint from a parser."""
    if root_fingerprint is None:
        return None, None
    keys = ring()
    return keys.current, keys.lift(root_fingerprint, 1)


def current(stored_fingerprint: str | None, version: int | None) -> str | None:
    """A stored fingerprint in the current version (rows not yet re-keyed
    compare with re-keyed ones)."""
    if stored_fingerprint is None:
        return None
    return ring().lift(stored_fingerprint, version or 1)
