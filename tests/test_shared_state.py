"""Shared state on Redis: with REDIS_URL set, every worker and host counts one
rate limit (the villager's 30 ticket lookups a minute are 30 across the board,
not 30 per process); without it the counters stay in each worker's memory."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from pathlib import Path

import redis

from disclosure.config import limiter_storage_uri
from kiosk.questions import LOOKUP_LIMIT
from tests.conftest import fresh_app
from tests.helpers.processes import board_env, gunicorns
from tools._server import free_port

PER_MINUTE = int(LOOKUP_LIMIT.split("/")[0])


def test_limiter_storage_follows_redis_url() -> None:
    assert limiter_storage_uri({"REDIS_URL": "", "RATELIMIT_STORAGE_URI": ""}) == "memory://"
    assert limiter_storage_uri({"REDIS_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_STORAGE_URI": ""}) \
        == "redis://127.0.0.1:6379/0"
    assert limiter_storage_uri({"REDIS_URL": "redis://a:6379/0", "RATELIMIT_STORAGE_URI": "redis://b:6379/1"}) \
        == "redis://b:6379/1"


def _status(url: str, address: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": address})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_two_gunicorn_processes_share_one_limit(redis_url: str, fresh_url: str, tmp_path: Path) -> None:
    with fresh_app(fresh_url, tmp_path / "instance") as app:
        env = board_env(app, REDIS_URL=redis_url, TRUST_PROXY="1")
        with gunicorns(env, tmp_path / "gunicorn.log", count=2) as (first, second):
            # A device address of its own: the counters of other runs on this Redis never meet it.
            address, other = (f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{n}" for n in (1, 2))
            statuses = [_status(f"{(first, second)[i % 2]}/m/ticket", address) for i in range(PER_MINUTE)]
            assert statuses == [200] * PER_MINUTE  # half on each process: each alone is far from the limit
            assert _status(f"{first}/m/ticket", address) == 429
            assert _status(f"{second}/m/ticket", address) == 429
            # Another villager's phone is not held back by this one.
            assert _status(f"{second}/m/ticket", other) == 200
            # The count is Redis's, under the device's address.
            assert redis.Redis.from_url(redis_url).keys(f"LIMITS:*/{address}/mobile.ticket/*")


def test_pages_are_served_when_redis_does_not_answer(fresh_url: str, tmp_path: Path) -> None:
    """Redis down: the limits count in the worker's memory for a while; the kiosk is not refused."""
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    with fresh_app(fresh_url, tmp_path / "instance", REDIS_URL=nobody, RATELIMIT_ENABLED=True) as app:
        assert app.config["RATELIMIT_STORAGE_URI"] == nobody
        client = app.test_client()
        statuses = [client.get("/m/ticket").status_code for _ in range(PER_MINUTE + 1)]
        assert statuses[:PER_MINUTE] == [200] * PER_MINUTE and statuses[-1] == 429
