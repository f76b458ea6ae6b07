"""Kiosk and phone pages through the Flask client on the demo database:
totals equal the sums of their lines, no private data on any page, 404 for
what is not public, GET-only routes, pinyin search in SQL agrees with
disclosure.pinyin, no inline script or style."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from disclosure import periods, pinyin, public
from disclosure.extensions import db
from disclosure.models import PUBLIC_STATUSES, Notice, RosterLine, Village
from disclosure.privacy import ACCOUNT_PATTERN, ID_PATTERN, MOBILE_PATTERN
from disclosure.services import finance

MY_MODULES = ("kiosk.views", "kiosk.mobile")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline_style = False
        self.inline_script = False
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs and tag != "svg":
            self.inline_style = True
        if tag == "style":
            self.inline_style = True
        if tag == "script" and not attrs.get("src"):
            self.inline_script = True
        if any(name.startswith("on") for name in attrs):
            self.inline_script = True
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def crawl(client, starts: list[str], limit: int = 700, line_pages: int = 40) -> dict[str, str]:
    """Every /kiosk/ and /m/ page reachable from ``starts`` (no query strings
    beyond one keypad letter; the first ``line_pages`` single-line pages)."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    lines_queued = {"/kiosk/": 0, "/m/": 0}
    while queue and len(seen) < limit:
        url = queue.popleft().split("#")[0]
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen[url] = html
        parser = Links()
        parser.feed(html)
        assert not parser.inline_style, f"inline style on {url}"
        assert not parser.inline_script, f"inline script on {url}"
        for link in parser.links:
            path = link.split("#")[0]
            if not path.startswith(("/kiosk/", "/m/")) or path.endswith(".jpg"):
                continue
            if "?" in path and not re.fullmatch(r"[^?]+\?q=[SZ]", path):
                continue
            if "/line/" in path:
                face = "/kiosk/" if path.startswith("/kiosk/") else "/m/"
                if lines_queued[face] >= line_pages // 2 or path in seen:
                    continue
                lines_queued[face] += 1
            queue.append(path)
    return seen


@pytest.fixture(scope="module")
def pages(demo_app) -> dict[str, str]:
    client = demo_app.test_client()
    return crawl(client, ["/kiosk/", "/m/"])


def totals(html: str) -> tuple[list[int], list[int], int, int]:
    rows = re.findall(r'data-fen="(\d+)" data-direction="(income|expense)"', html)
    income = [int(f) for f, d in rows if d == "income"]
    expense = [int(f) for f, d in rows if d == "expense"]
    m = re.search(r'data-income-fen="(\d+)" data-expense-fen="(\d+)"', html)
    return income, expense, int(m.group(1)), int(m.group(2))


def test_crawl_reaches_every_kind_of_page(pages):
    kinds = {re.sub(r"\d+", "N", re.sub(r"/(dongfeng|hongqi|shiqiao)", "/V", url.split("?")[0])) for url in pages}
    for expected in ("/kiosk/V", "/kiosk/V/home", "/kiosk/V/finance", "/kiosk/V/finance/N-N", "/kiosk/line/N",
                     "/kiosk/V/c/assistance", "/kiosk/V/projects", "/kiosk/notice/N", "/m/V", "/m/notice/N",
                     "/m/V/finance/N-N", "/m/line/N"):
        assert expected in kinds, expected


def test_every_total_equals_the_sum_of_its_lines(pages):
    checked = 0
    for url, html in pages.items():
        if 'data-testid="ledger"' not in html:
            continue
        income, expense, total_income, total_expense = totals(html)
        assert sum(income) == total_income, url
        assert sum(expense) == total_expense, url
        checked += 1
    assert checked >= 20


def test_quarter_figures_equal_the_months_and_the_lines(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "dongfeng")).scalar_one()
        first, last = finance.span(village)
        quarter = periods.quarter_of(last)
        summary = finance.summarize(village, quarter)
        db.session.remove()
    html = client.get(f"/kiosk/dongfeng/finance?p={periods.period_key(quarter)}").get_data(as_text=True)
    shown = [int(f) for f in re.findall(r'<div class="fig (?:income|expense)"><dt>[^<]*</dt><dd data-fen="(\d+)"', html)]
    assert shown == [summary.income_fen, summary.expense_fen]
    opening = int(re.search(r'<div class="fig opening"><dt>期初余额</dt><dd data-fen="(-?\d+)"', html).group(1))
    assert opening == summary.opening_fen
    month_income = month_expense = 0
    for month in periods.months_in(quarter):
        income, expense, ti, te = totals(client.get(f"/kiosk/dongfeng/finance/{periods.period_key(month)}")
                                         .get_data(as_text=True))
        month_income += ti
        month_expense += te
    assert (month_income, month_expense) == (summary.income_fen, summary.expense_fen)


def test_no_private_data_on_any_page(demo_app, pages):
    with demo_app.app_context():
        lines = db.session.execute(select(RosterLine)).scalars().all()
        full_names = {line.name for line in lines if len(line.name) >= 3 and line.name != line.public_name}
        masked = {value for line in lines for value in (line.id_masked, line.account_masked, line.phone_masked) if value}
        db.session.remove()
    assert full_names and masked
    for url, html in pages.items():
        text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)  # QR paths are digits, not people
        assert not ID_PATTERN.search(text), url
        assert not ACCOUNT_PATTERN.search(text), url
        assert not MOBILE_PATTERN.search(text), url
        assert not [n for n in full_names if n in text], url
        assert not [m for m in masked if m in text], url


def test_unpublished_notices_and_unknown_places_are_404(demo_client, demo_app):
    with demo_app.app_context():
        hidden = db.session.execute(select(Notice.id).where(Notice.status.not_in(PUBLIC_STATUSES))).scalars().all()
        db.session.remove()
    assert len(hidden) >= 3
    for notice_id in hidden:
        assert demo_client.get(f"/kiosk/notice/{notice_id}").status_code == 404
        assert demo_client.get(f"/m/notice/{notice_id}").status_code == 404
    for url in ("/kiosk/nowhere", "/kiosk/nowhere/home", "/m/nowhere", "/kiosk/dongfeng/c/bogus",
                "/kiosk/dongfeng/finance/not-a-month", "/kiosk/notice/999999", "/kiosk/line/999999",
                "/kiosk/voucher/999999.jpg"):
        assert demo_client.get(url).status_code == 404, url


def test_my_routes_are_get_only(demo_app):
    mine = [rule for rule in demo_app.url_map.iter_rules()
            if demo_app.view_functions[rule.endpoint].__module__ in MY_MODULES]
    assert len(mine) >= 15
    for rule in mine:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_roster_search_in_sql_agrees_with_pinyin_matches(demo_app):
    with demo_app.app_context():
        notice = db.session.execute(select(Notice).where(Notice.roster_kind == "gengdi")).scalars().first()
        lines = notice.roster_lines
        for typed in ("Z", "ZS", "W", "S", "LJ", "X"):
            expected = [l for l in lines if pinyin.matches(l.initials, typed)]
            page = public.roster_search(notice, typed, limit=1000)
            assert page.found == len(expected), typed
            assert page.found_fen == sum(l.amount_fen for l in expected)
            assert [r.seq for r in page.lines] == [l.seq for l in expected]
        page = public.roster_search(notice, "", group_no=2, limit=1000)
        assert page.found == sum(1 for l in lines if l.group_no == 2)
        assert page.total == len(lines) and page.total_fen == sum(l.amount_fen for l in lines)
        assert public.roster_search(notice, "' -- 1=1 %").found == page.total  # letters only, else no filter
        assert public.clean_initials("z' or 1=1") == "ZOR"
        db.session.remove()


def test_surname_read_as_surname_is_found(demo_app):
    """单 is read S as a surname: typing S… finds 单*林 (and D… does too)."""
    client = demo_app.test_client()
    with demo_app.app_context():
        line = db.session.execute(select(RosterLine).where(RosterLine.name.like("单%"))).scalars().first()
        assert line is not None
        alternatives = line.initials.split()
        notice_id = line.notice_id
        public_name = line.public_name
        db.session.remove()
    assert alternatives[0].startswith("S")
    for option in alternatives:
        html = client.get(f"/kiosk/notice/{notice_id}?q={option}").get_data(as_text=True)
        assert f'<td class="name">{public_name}</td>' in html, option


def test_notice_page_states_and_links(demo_client, demo_app):
    with demo_app.app_context():
        superseded = db.session.execute(select(Notice).where(Notice.status == "superseded")).scalars().first()
        successor = db.session.execute(select(Notice).where(Notice.supersedes_id == superseded.id)).scalar_one()
        withdrawn = db.session.execute(select(Notice).where(Notice.status == "withdrawn")).scalars().first()
        ids = (superseded.id, successor.id, withdrawn.id, withdrawn.withdrawal_reason)
        db.session.remove()
    old, new, gone, reason = ids
    html = demo_client.get(f"/kiosk/notice/{old}").get_data(as_text=True)
    assert "已更正" in html and f'href="/kiosk/notice/{new}"' in html
    html = demo_client.get(f"/m/notice/{new}").get_data(as_text=True)
    assert "更正原因" in html and f'href="/m/notice/{old}"' in html
    html = demo_client.get(f"/kiosk/notice/{gone}").get_data(as_text=True)
    assert "已撤回" in html and reason in html


def test_projects_show_latest_version_and_hotline(demo_client):
    html = demo_client.get("/kiosk/dongfeng/projects").get_data(as_text=True)
    assert html.count('class="project-card"') == 1  # planned + completed of one project → one card
    assert "已完工" in html and "12317" in html
    for field in ("实施地点", "建设内容", "补助标准", "实施期限", "实施单位", "绩效目标", "受益群众", "带贫减贫机制",
                  "招标采购", "实施结果", "公示期", "监督电话", "资金来源及规模"):
        assert field in html, field


def test_kiosk_pages_carry_idle_time_and_phone_qr(demo_client):
    html = demo_client.get("/kiosk/dongfeng/finance").get_data(as_text=True)
    assert 'data-idle-seconds="90"' in html
    assert 'aria-label="手机扫码查看本页"' in html
    phone = demo_client.get("/m/dongfeng/finance")
    assert phone.status_code == 200 and "kiosk.js" not in phone.get_data(as_text=True)
    sw = demo_client.get("/sw.js")
    assert sw.status_code == 200 and sw.mimetype == "text/javascript" and "网络中断" in sw.get_data(as_text=True)


def test_the_service_worker_version_follows_the_static_files(demo_client, tmp_path):
    """Static files are served cache-first offline: a changed kiosk.css must
    change the worker's script, or kiosks keep the old one."""
    import re
    import shutil

    from kiosk import service_worker

    served = demo_client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', served)
    assert version and service_worker.PLACEHOLDER not in served
    folder = tmp_path / "static"
    shutil.copytree(demo_client.application.static_folder, folder)
    assert service_worker.static_digest(str(folder)) == version.group(1)
    css = folder / "kiosk" / "kiosk.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: red; }\n", encoding="utf-8")
    service_worker.static_digest.cache_clear()
    assert service_worker.static_digest(str(folder)) != version.group(1)
