"""Shared state on Redis: with REDIS_URL set, every worker and host counts one
rate limit (the villager's 30 ticket lookups a minute are 30 across the board,
not 30 per process); without it the counters stay in each worker's memory.
And two nodes (two gunicorn hosts on one PostgreSQL and one Redis) are one board."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask

from disclosure import render, storage
from disclosure.clock import china_today
from disclosure.config import limiter_storage_uri
from disclosure.extensions import db
from disclosure.models import Notice, RosterLine, User, VoucherImage
from disclosure.services import notices
from kiosk.questions import LOOKUP_LIMIT
from tests.conftest import ON_POSTGRES, PASSWORD, fresh_app
from tests.helpers.admin_world import build_world, jpeg_bytes
from tests.helpers.import_page import SAMPLES, token_of
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


def assert_one_limit(first: str, second: str, redis_url: str) -> None:
    """The ticket lookups of one phone, alternating between two servers, meet one limit."""
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


def test_two_gunicorn_processes_share_one_limit(redis_url: str, fresh_url: str, tmp_path: Path) -> None:
    with fresh_app(fresh_url, tmp_path / "instance") as app:
        env = board_env(app, REDIS_URL=redis_url, TRUST_PROXY="1")
        with gunicorns(env, tmp_path / "gunicorn.log", count=2) as (first, second):
            assert_one_limit(first, second, redis_url)


# Two nodes ------------------------------------------------------------------------

def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, url
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def _post(session: requests.Session, base: str, path: str, form_page: str, **kwargs) -> requests.Response:  # noqa: ANN003
    """A staff form sent as the browser sends it: its CSRF token, its Origin."""
    data = {"csrf_token": _csrf(session, base + form_page), **kwargs.pop("data", {})}
    return session.post(base + path, data=data, headers={"Origin": base}, allow_redirects=False, timeout=60,
                        **kwargs)


def _pdf(session: requests.Session, url: str, seconds: float = 180) -> requests.Response:
    """The PDF once it is made (正在生成 until then)."""
    deadline = time.monotonic() + seconds
    while True:
        response = session.get(url, timeout=60)
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


@pytest.mark.skipif(not ON_POSTGRES, reason="two nodes share one PostgreSQL: files live in the database there only")
def test_two_nodes_on_one_postgresql_and_one_redis(app: Flask, place: dict[str, int], redis_url: str,
                                                   tmp_path: Path) -> None:
    """Two gunicorn instances, each with an instance folder of its own (two
    hosts), on one PostgreSQL and one Redis: a staff session, a photo, an
    import's preview, a publication, a PDF and the kiosk's picture of its
    page made on one are there on the other; a limit counts across both."""
    world = build_world(app, place)
    folders = [tmp_path / "node-a", tmp_path / "node-b"]
    # Both behind one public address, as a county's load balancer puts them (it is in the QR codes).
    envs = [board_env(app, REDIS_URL=redis_url, TRUST_PROXY="1", BOARD_INSTANCE=str(f),
                      PUBLIC_BASE_URL="https://cunwu.example.cn/") for f in folders]
    with gunicorns(envs, tmp_path / "gunicorn.log", count=2) as (a, b):
        staff = requests.Session()
        login = _post(staff, a, "/admin/login", "/admin/login", data={"username": "clerk1", "password": PASSWORD})
        assert login.status_code == 302
        draft = f"/admin/notices/{world['finance']}"

        # A receipt photo uploaded on node A shows on node B.
        photo = jpeg_bytes((80, 60), (20, 160, 40))
        upload = _post(staff, a, f"{draft}/ledger/{world['ledger_line']}/vouchers", draft,
                       files={"file": ("receipt.jpg", photo, "image/jpeg")})
        assert upload.status_code == 302
        with app.app_context():
            newest = db.session.scalars(db.select(VoucherImage).order_by(VoucherImage.id.desc())).first()
            newest.is_public = True  # as the village's supervisor would decide
            db.session.commit()
            voucher_id = newest.id
        on_a, on_b = (staff.get(f"{base}/admin/vouchers/{voucher_id}.jpg", timeout=30) for base in (a, b))
        assert on_b.status_code == 200 and on_b.headers["Content-Type"] == "image/jpeg"
        assert on_b.content == on_a.content and on_b.content[:2] == b"\xff\xd8"

        # An import previewed on node A is confirmed on node B (the raw file waited in the database).
        preview = _post(staff, a, "/admin/import", "/admin/import", data={"what": "roster", "kind": "", "notice_id": ""},
                        files={"file": ("低保名单.xlsx", (SAMPLES / "roster_dibao_2025-10.xlsx").read_bytes())})
        assert preview.status_code == 200 and "确认导入" in preview.text
        confirmed = _post(staff, b, "/admin/import/confirm", "/admin/import", data={"token": token_of(preview.text)})
        assert confirmed.status_code == 302 and "/admin/notices/" in confirmed.headers["Location"]
        with app.app_context():
            assert db.session.execute(db.select(db.func.count()).select_from(RosterLine)).scalar_one() > 1
            assert storage.names("pending") == []  # deleted with the confirmation

        # A notice published on node A is served by node B.
        with app.app_context():
            notice = db.session.get(Notice, world["finance"])
            notices.submit(notice, db.session.get(User, world["clerk1"]))
            notices.approve(notice, db.session.get(User, world["sup1"]))
            db.session.commit()
        today = china_today().isoformat()
        published = _post(staff, a, f"{draft}/publish", draft,
                          data={"notice_start": today, "notice_end": (china_today() + dt.timedelta(days=10)).isoformat()})
        assert published.status_code == 302
        page = requests.get(f"{b}/m/notice/{world['finance']}", timeout=30)
        assert page.status_code == 200 and "一村2025年第三季度财务收支公示" in page.text
        thumb = requests.get(f"{b}/kiosk/voucher/{voucher_id}.thumb.jpg", timeout=30)
        assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"

        # The PDF the publication on node A queued is served by node B once a renderer made it; both
        # nodes serve the same bytes, and neither keeps a PDF or a queued request on its own disk.
        served = _pdf(requests.Session(), f"{b}/p/{world['finance']}.pdf")
        assert served.status_code == 200 and served.content.startswith(b"%PDF")
        on_a = requests.get(f"{a}/p/{world['finance']}.pdf", timeout=30)
        assert on_a.status_code == 200 and on_a.content == served.content

        # The kiosk's picture of a printed page, made on node A, is served by node B.
        kiosk_page = requests.get(f"{a}/kiosk/notice/{world['finance']}/print", timeout=60)
        assert kiosk_page.status_code == 200
        picture = f"/kiosk/notice/{world['finance']}/print/1.png"
        assert picture in kiosk_page.text
        made = requests.get(a + picture, timeout=60)
        assert made.status_code == 200 and made.content.startswith(b"\x89PNG")
        again = requests.get(b + picture, timeout=60)
        assert again.status_code == 200 and again.content == made.content
        for folder in folders:
            kept = [p.relative_to(folder) for p in folder.glob("*/**/*") if p.is_file() and p.name != render.STATUS_FILE
                    and p.suffix in (".pdf", ".json", ".png", ".jpg", ".bin", ".xlsx")]
            assert kept == [], kept

        # One limit across both.
        assert_one_limit(a, b, redis_url)


def test_pages_are_served_when_redis_does_not_answer(fresh_url: str, tmp_path: Path) -> None:
    """Redis down: the limits count in the worker's memory for a while; the kiosk is not refused."""
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    with fresh_app(fresh_url, tmp_path / "instance", REDIS_URL=nobody, RATELIMIT_ENABLED=True) as app:
        assert app.config["RATELIMIT_STORAGE_URI"] == nobody
        client = app.test_client()
        statuses = [client.get("/m/ticket").status_code for _ in range(PER_MINUTE + 1)]
        assert statuses[:PER_MINUTE] == [200] * PER_MINUTE and statuses[-1] == 429
