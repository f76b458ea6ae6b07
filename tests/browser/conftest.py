"""Browser fixtures: the demo app served on 127.0.0.1 in a thread, and one
headless Debian Chromium for the whole session (see /work/shared/TOOLS.md)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}


class Server:
    def __init__(self, app: Flask) -> None:
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.thread.join(5)


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[Server]:
    s = Server(app)
    yield s
    s.stop()


def idle_twin(app: Flask, instance: Path) -> Flask:
    """An app on the same database whose kiosk forgets after 2 s."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], instance, KIOSK_IDLE_SECONDS=2)


@pytest.fixture(scope="session")
def server(demo_app: Flask) -> Iterator[Server]:
    with serve(demo_app) as s:
        yield s


@pytest.fixture(scope="session")
def idle_server(demo_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same demo database, served by an app whose kiosk forgets after 2 s."""
    with serve(idle_twin(demo_app, tmp_path_factory.mktemp("idle"))) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@dataclass
class Tab:
    page: object
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urlsplit(u).netloc for u in self.requests if not u.startswith(("data:", "blob:"))}


@pytest.fixture
def open_tab(browser) -> Iterator[Callable[..., Tab]]:
    contexts = []

    def _open(viewport: dict = LANDSCAPE, *, service_workers: str = "block") -> Tab:
        context = browser.new_context(viewport=viewport, has_touch=True, locale="zh-CN",
                                      service_workers=service_workers)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)
        page.on("request", lambda r: tab.requests.append(r.url))
        page.on("console", lambda m: tab.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: tab.console.append(f"pageerror: {e}"))
        return tab

    yield _open
    for context in contexts:
        context.close()


def shot(page, name: str, *, full_page: bool = False) -> Path:
    """What the villager sees (the viewport); ``full_page`` for the whole scroll."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# Staff journeys ---------------------------------------------------------------------

DEMO_PASSWORD = "demo-cunwu-2025"


@pytest.fixture(scope="session")
def staff_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A demo township of its own (the journeys write), served as in production:
    CSRF on with real tokens, Secure cookies (Chromium keeps them on
    http://127.0.0.1, a secure context), rate limits off for the test runs."""
    from tests.helpers.admin_world import demo_township

    with demo_township("board_staff", tmp_path_factory.mktemp("staff"), WTF_CSRF_ENABLED=True,
                       SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True) as app:
        yield app


@pytest.fixture(scope="session")
def staff_server(staff_app: Flask) -> Iterator[Server]:
    s = Server(staff_app)
    yield s
    s.stop()


def log_in(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Through the login page, as a person: type, press 登录."""
    page.goto(base_url + "/admin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/admin/notices" in url or "/admin/dashboard" in url)  # a county admin's home
