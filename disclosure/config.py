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


def build_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "JOB_DIR": str(instance_path / "jobs"),
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
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Shared state for several workers or nodes; the page cache uses it when set (pagecache.py).
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "PAGE_STAMP_SECONDS": float(os.environ.get("PAGE_STAMP_SECONDS", "1")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "DEMO_PASSWORD": "demo-cunwu-2025",
    }
