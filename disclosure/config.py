"""Configuration: defaults here, the environment on top, a test dict last."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

#: Staff sessions end after this long without a request; CSRF tokens with them.
SESSION_IDLE = dt.timedelta(hours=8)


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        # Created 0600 from the first byte (write_text then chmod leaves a
        # moment in which the key is world-readable).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def public_base(configured: str | None, host_url: str) -> str:
    """The address villagers' phones reach, without a trailing slash:
    PUBLIC_BASE_URL when set, else the request's host. Every QR code and
    absolute public link starts with it."""
    return (configured or host_url).rstrip("/")


def trusted_hosts(public_base_url: str) -> list[str]:
    """Hosts a request may name. TRUSTED_HOSTS (comma-separated) when set;
    else the PUBLIC_BASE_URL's host and this machine's own names, so a forged
    Host header can never become the address printed in a QR code or part of
    a cache file's name. A leading dot allows subdomains (werkzeug)."""
    listed = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if listed:
        return listed
    hosts = ["localhost", "127.0.0.1", "::1", "[::1]"]
    if public_base_url:
        hosts.append(urlsplit(public_base_url).hostname or "")
    name = socket.gethostname()
    hosts += [name, socket.getfqdn(name)]
    return sorted({h for h in hosts if h})


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # the form many hosts hand out
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or f"sqlite:///{instance_path / 'board.sqlite'}"


def limiter_storage_uri(config: dict) -> str:
    """Where Flask-Limiter counts: RATELIMIT_STORAGE_URI if given, else Redis
    at REDIS_URL (every worker and host shares one count), else this worker's memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def _fingerprint_keys(instance_path: Path) -> dict:
    """The ID fingerprint key ring (disclosure/keys.py): FINGERPRINT_KEYS from
    the environment, else instance/fingerprint_keys, generated once. An
    instance that already had a generated secret_key fingerprinted IDs with
    it: that key becomes version 1 of the ring, so they keep matching."""
    from . import keys

    if os.environ.get("FINGERPRINT_KEYS"):
        ring = keys.parse_env(os.environ["FINGERPRINT_KEYS"], os.environ.get("FINGERPRINT_KEY_ID"))
        return {"FINGERPRINT_KEYS": ring, "FINGERPRINT_KEYS_FILE": ""}
    legacy = instance_path / "secret_key"
    adopt = legacy.read_text().strip() if legacy.exists() and not os.environ.get("SECRET_KEY") else None
    return {"FINGERPRINT_KEYS": None, "FINGERPRINT_KEYS_FILE": str(keys.ensure_file(instance_path, adopt=adopt))}


def build_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "")
    fingerprint_keys = _fingerprint_keys(instance_path)  # before secret_key is first generated
    return {
        **fingerprint_keys,
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # No pool_pre_ping (a round trip on every request): connections idle this long are pinged
        # before use instead (disclosure/connections.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "DB_IDLE_PING_SECONDS": float(os.environ.get("DB_IDLE_PING_SECONDS", "10")),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "JOB_DIR": str(instance_path / "jobs"),
        # Where photos and PDFs live (disclosure/storage.py): "db" (every node
        # sees them; the default on PostgreSQL) or "folder" (UPLOAD_DIR and
        # JOB_DIR; the default on SQLite).
        "FILE_STORE": os.environ.get("FILE_STORE", ""),
        # Public base URL printed into QR codes; falls back to the request host,
        # which must then be one of TRUSTED_HOSTS (refused with a 400 otherwise).
        "PUBLIC_BASE_URL": public_base_url,
        "TRUSTED_HOSTS": trusted_hosts(public_base_url),
        "KIOSK_IDLE_SECONDS": int(os.environ.get("KIOSK_IDLE_SECONDS", "90")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies by default (browsers accept them from https:// and from
        # http://127.0.0.1); SESSION_COOKIE_SECURE=0 only for a plain-HTTP LAN test.
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "TRUST_PROXY": _flag("TRUST_PROXY", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_IDLE_SECONDS": int(SESSION_IDLE.total_seconds()),
        "PERMANENT_SESSION_LIFETIME": SESSION_IDLE,
        "WTF_CSRF_TIME_LIMIT": int(SESSION_IDLE.total_seconds()),
        "CSRF_CHECK_ORIGIN": True,
        # Shared state for several workers or hosts: rate-limit counters (and the
        # page cache) live in Redis when REDIS_URL is set (redis://host:6379/0);
        # without it they stay in each worker's memory (the embedded install).
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Empty: REDIS_URL, else memory:// (see limiter_storage_uri).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", ""),
        # Redis unreachable: count per worker in memory rather than refuse the kiosk.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # The job worker (flask jobs worker): seconds between looks at the queue,
        # and before a failed job's one retry.
        "JOBS_POLL_SECONDS": float(os.environ.get("JOBS_POLL_SECONDS", "2")),
        "JOBS_RETRY_SECONDS": float(os.environ.get("JOBS_RETRY_SECONDS", "30")),
        "PAGE_STAMP_SECONDS": float(os.environ.get("PAGE_STAMP_SECONDS", "1")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "DEMO_PASSWORD": "demo-cunwu-2025",
    }
