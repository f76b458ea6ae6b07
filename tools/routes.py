"""One representative URL per route of app.url_map: a small crawler shared by
the scanners (tools/scan.py, against a live board) and the passive checks
(tests/test_security_passive.py, through Flask's test client).

Pages are fetched through a `fetch(url) -> Page` callable, so the crawler does
not care how. Every link, image, script and form on a page is matched against
the URL map; the first URL of each route (and set of query parameter names) is
kept and fetched, every other variant (another keypad letter, another month,
another notice of the same kind) is only remembered, so the scanners can be
told to leave it alone. Routes no page links to are filled in from argument
values seen on the way (a notice id, a village code, a card kind).
"""

from __future__ import annotations

import itertools
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, Map, MapAdapter, RequestRedirect, Rule

#: Files the crawler fetches (they are routes too) but never parses.
BINARY = (".pdf", ".xlsx", ".csv", ".jpg", ".png", ".woff2", ".ico")
#: How many more URLs of an already represented route the walk tries (see walk()).
EXTRA_TRIES = 8
#: Argument names that hold the same kind of value under another name.
ALIASES = {"village_code": "code", "code": "village_code"}


@dataclass
class Page:
    status: int
    content_type: str
    text: str  # "" for binary bodies
    location: str = ""  # a redirect's target


@dataclass
class Walk:
    #: (endpoint, query parameter names) -> the URL fetched for it (path and query).
    representatives: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    #: Status of each fetched URL.
    status: dict[str, int] = field(default_factory=dict)
    #: Every in-scope URL seen in a page (links, sources, GET and POST form actions).
    seen: set[str] = field(default_factory=set)
    #: POST form actions: endpoint -> first action URL.
    post_forms: dict[str, str] = field(default_factory=dict)
    #: Argument values seen in matched URLs, by argument name.
    values: dict[str, list[object]] = field(default_factory=dict)
    #: More URLs of a represented route, kept because they show routes the first did not.
    extras: list[str] = field(default_factory=list)
    #: Query parameters an OpenAPI document declares, by endpoint (name -> a sample value).
    query_hints: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (method, endpoint, query parameter names) of every link and form seen so far.
    known: set[tuple[str, str, tuple[str, ...]]] = field(default_factory=set)

    def endpoints(self) -> set[str]:
        """Endpoints reached with an answer below 400."""
        return {endpoint for (endpoint, _names), url in self.representatives.items()
                if self.status.get(url, 500) < 400}

    def pages(self) -> list[str]:
        """Every URL worth a scanner's time: the representatives and the extras."""
        return sorted(set(self.representatives.values()) | set(self.extras))

    def variants(self) -> set[str]:
        """URLs seen that are not worth it: the ones a scanner may skip."""
        return self.seen - set(self.pages()) - set(self.post_forms.values())


def adapter_for(url_map: Map, host: str = "localhost") -> MapAdapter:
    return url_map.bind(host)


def match(adapter: MapAdapter, url: str, method: str = "GET") -> tuple[Rule, dict] | None:
    """The rule and arguments `url` (path and query) reaches, or None."""
    path = urllib.parse.urlsplit(url).path
    try:
        rule, args = adapter.match(path, method=method, return_rule=True)
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return rule, args


def links(page_url: str, page: Page) -> tuple[list[str], list[str]]:
    """(GET URLs, POST form actions) named in a page, as paths with query strings."""
    found: list[str] = []
    posts: list[str] = []
    text = page.text
    if page.location:
        found.append(page.location)
    if "html" in page.content_type:
        found += re.findall(r'(?:href|src)="([^"]+)"', text)
        for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", text, re.S):
            action = re.search(r'action="([^"]*)"', attrs)
            target = action.group(1) if action and action.group(1) else page_url.split("?")[0]
            if re.search(r'method="post"', attrs, re.I):
                posts.append(target)
                continue
            fields = {}
            for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", body):
                name = re.search(r'\bname="([^"]+)"', tag)
                if name and not re.search(r'type="(?:submit|button)"', tag):
                    value = re.search(r'\bvalue="([^"]*)"', tag)
                    fields[name.group(1)] = value.group(1) if value and value.group(1) else "1"
            found.append(target + ("?" + urllib.parse.urlencode(fields) if fields else ""))
    elif page.content_type.startswith(("application/json", "application/atom+xml")):
        found += re.findall(r'"((?:https?://[^/"]+)?/[a-z][^"\s{}]*)"', text)
        found += re.findall(r'href="([^"]+)"', text)
    return [_local(page_url, u) for u in found], [_local(page_url, u) for u in posts]


def _local(page_url: str, href: str) -> str:
    """`href` as a path and query relative to the host, or "" if it leaves the host."""
    href = href.replace("&amp;", "&").split("#")[0]
    if not href or href.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return ""
    absolute = urllib.parse.urljoin("http://board" + page_url, href)
    parts = urllib.parse.urlsplit(absolute)
    if parts.netloc not in ("board", "") and parts.hostname not in ("127.0.0.1", "localhost"):
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


def walk(fetch: Callable[[str], Page], adapter: MapAdapter, starts: Iterable[str],
         in_scope: Callable[[str], bool], limit: int = 400) -> Walk:
    """Breadth-first from `starts`, one URL per route and parameter set, at most `limit` fetches.

    A few more URLs of a route already represented are fetched (EXTRA_TRIES): one
    that shows a form or link to a route nothing else showed (a draft's edit forms,
    a published notice's correction link) is kept too; the others are variants."""
    result = Walk()
    starts = list(starts)
    queue = list(starts)
    tries: dict[tuple[str, tuple[str, ...]], int] = {}
    while queue and len(result.status) < limit:
        url = queue.pop(0)
        if not url or not in_scope(url) or url in result.status:
            continue
        matched = match(adapter, url)
        if matched is None and url not in starts:
            continue
        extra = False
        if matched is not None:
            rule, args = matched
            key = (rule.endpoint, _param_names(url))
            if key in result.representatives and url not in starts:
                if url.split("?")[0].endswith(BINARY) or tries.get(key, 0) >= EXTRA_TRIES:
                    continue
                tries[key] = tries.get(key, 0) + 1
                extra = True
            result.representatives.setdefault(key, url)
            for name, value in args.items():
                result.values.setdefault(name, [])
                if value not in result.values[name]:
                    result.values[name].append(value)
        page = fetch(url)
        result.status[url] = page.status
        if url.split("?")[0].endswith(BINARY) or page.status >= 400:
            continue
        if page.content_type.startswith("application/json") and '"openapi"' in page.text:
            result.query_hints.update(openapi_query_params(adapter, page.text))
        gets, posts = (list(filter(lambda t: t and in_scope(t), found)) for found in links(url, page))
        shown = _endpoints(adapter, gets, "GET") | _endpoints(adapter, posts, "POST")
        if extra:
            if shown <= result.known:
                continue  # a variant: nothing new behind it
            result.extras.append(url)
        result.known |= shown
        result.seen.update(gets, posts)
        queue += gets
        for target in posts:
            post = match(adapter, target, "POST")
            if post is not None:
                result.post_forms.setdefault(post[0].endpoint, target)
    return result


def _endpoints(adapter: MapAdapter, urls: list[str], method: str) -> set[tuple[str, str, tuple[str, ...]]]:
    """(method, endpoint, query parameter names) of each URL that reaches a route."""
    return {(method, m[0].endpoint, _param_names(u)) for u, m in ((u, match(adapter, u, method)) for u in urls)
            if m is not None}


def fill_in(fetch: Callable[[str], Page], adapter: MapAdapter, rules: Iterable[Rule], result: Walk) -> None:
    """Fetch a URL for every GET rule the walk did not reach, built from the values it saw
    (up to three values per argument, until one answers below 400)."""
    done = {endpoint for endpoint, _names in result.representatives}
    for rule in rules:
        if "GET" not in (rule.methods or ()) or rule.endpoint in done:
            continue
        for url in candidates(adapter, rule, result.values):
            result.representatives[(rule.endpoint, ())] = url
            result.status[url] = fetch(url).status
            if result.status[url] < 400:
                break


def fill_in_queries(fetch: Callable[[str], Page], result: Walk) -> None:
    """Fetch each route's first URL again with the query parameters its OpenAPI entry declares."""
    for endpoint, params in result.query_hints.items():
        key = (endpoint, tuple(sorted(params)))
        plain = result.representatives.get((endpoint, ()))
        if plain is None or key in result.representatives:
            continue
        url = plain + "?" + urllib.parse.urlencode(params)
        result.representatives[key] = url
        result.status[url] = fetch(url).status


def openapi_query_params(adapter: MapAdapter, text: str) -> dict[str, dict[str, str]]:
    """{endpoint: {query parameter: sample value}} from an OpenAPI document's GET operations."""
    try:
        paths = json.loads(text).get("paths", {})
    except ValueError:
        return {}
    hints = {}
    for path, operations in paths.items():
        params = [p for p in (operations.get("get") or {}).get("parameters", []) if p.get("in") == "query"]
        matched = match(adapter, re.sub(r"\{[^}]+\}", "1", path)) if params else None
        if matched is not None:
            hints[matched[0].endpoint] = {p["name"]: str((p.get("schema", {}).get("enum") or ["1"])[0])
                                          for p in params}
    return hints


def candidates(adapter: MapAdapter, rule: Rule, values: dict[str, list[object]]) -> Iterator[str]:
    """URLs for `rule` from the values seen for its arguments (a name's alias too)."""
    names = sorted(rule.arguments)
    options = [(values.get(n, []) + values.get(ALIASES.get(n, ""), []))[:3] for n in names]
    for combination in itertools.product(*options):
        try:
            yield adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)))
        except BuildError:
            continue


def get_rules(url_map: Map, prefix: str) -> list[Rule]:
    """The GET rules whose path starts with `prefix`."""
    return sorted((r for r in url_map.iter_rules() if r.rule.startswith(prefix) and "GET" in (r.methods or ())),
                  key=lambda r: r.rule)


def _param_names(url: str) -> tuple[str, ...]:
    query = urllib.parse.urlsplit(url).query
    return tuple(sorted(urllib.parse.parse_qs(query, keep_blank_values=True)))



def add_unlinked_objects() -> None:
    """What the demo township lacks for every route to be reachable: a draft of each
    kind with a line (the forms to add and delete lines, photos, assets, funds), a
    submitted notice (the review form), a receipt photo on a published ledger line
    and a finished batch print. Made through the services where they allow it.
    Run it in an app context."""
    import datetime as dt
    import io

    from PIL import Image

    from disclosure import attachments, periods, storage, vouchers
    from disclosure.extensions import db
    from disclosure.importing.model import LedgerRow, RosterRow
    from disclosure.models import LedgerLine, Notice, NoticeAttachment, PrintJob, Role, User, VoucherImage
    from disclosure.services import intake, notices

    def first(query):  # noqa: ANN001, ANN202
        return db.session.execute(query.limit(1)).scalars().first()

    clerk = first(db.select(User).where(User.role == Role.CLERK).order_by(User.id))
    admin = first(db.select(User).where(User.role == Role.TOWNSHIP_ADMIN).order_by(User.id))
    village, quarter, year = clerk.village, periods.quarter(2025, 3), periods.year(2025)
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, format="JPEG")

    finance = notices.create_draft(village, clerk, category="finance", title="待核对的财务收支", period=quarter)
    [line] = intake.add_ledger_rows(finance, clerk, [LedgerRow(1, dt.date(2025, 7, 3), "记-01", "村部电费", "expense",
                                                               12_345, "management_expense", "", "")])
    vouchers.attach(line, clerk, jpeg.getvalue())
    attachments.add(finance, clerk, jpeg.getvalue(), filename="会议纪要.jpg")  # the forms to mark and delete it
    roster = notices.create_draft(village, clerk, category="subsidy", roster_kind="gengdi", title="待核对的补贴名单",
                                  period=year)
    intake.add_roster_rows(roster, clerk, [RosterRow(1, "卫晓草", 1, None, "", "", "", None, None, None, 10_550, None,
                                                     "", "")])
    assets = notices.create_draft(village, clerk, category="assets", title="待核对的集体资产", period=quarter)
    intake.add_asset_line(assets, clerk, name="村部门面", kind="房屋", annual_income_fen=1_200_000)
    project = notices.create_draft(village, clerk, category="project", title="待核对的项目", period=year)
    intake.set_project(project, clerk, name="产业路硬化", location="2组", content="硬化道路1.2公里",
                       starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 9, 30), implementer="村委会",
                       responsible="村委会主任")
    intake.add_project_fund(project, clerk, source="中央衔接资金", allocated_fen=50_000_000, spent_fen=0)

    submitted = notices.create_draft(village, clerk, category="finance", title="待审核的财务收支", period=quarter)
    intake.add_ledger_rows(submitted, clerk, [LedgerRow(1, dt.date(2025, 8, 5), "记-02", "报刊征订费", "expense",
                                                        50_000, "management_expense", "", "")])
    notices.submit(submitted, clerk)  # the supervisors' review form

    published = first(db.select(LedgerLine).join(Notice).where(Notice.village_id == village.id,
                                                              Notice.status == "published").order_by(LedgerLine.id))
    # A published line takes no new photo through the service: store one as an earlier upload would have.
    photo, thumb, width, height, sha = vouchers.process_image(jpeg.getvalue())
    vouchers.store(photo, thumb, sha)
    db.session.add(VoucherImage(line_id=published.id, sha256=sha, width=width, height=height, is_public=True,
                                uploaded_by_id=clerk.id))
    # Likewise a public attachment on that published notice (its page pictures on kiosk and phone).
    attachments.save_file(attachments.original_name(sha, "image"), photo)
    db.session.add(NoticeAttachment(notice_id=published.notice_id, seq=1, title="会议纪要", kind="image", sha256=sha,
                                    byte_size=len(photo), page_count=1, is_public=True, uploaded_by_id=clerk.id))
    storage.put("batch/walk.pdf", b"%PDF-1.4\n%%EOF\n")
    db.session.add(PrintJob(township_id=admin.township_id, month="2025-10", status="done", done=1, total=1,
                            file_name="walk.pdf", created_by_id=admin.id))
    from disclosure.services import library  # a library document with its PDF (the demo's have text only)

    scan = io.BytesIO()  # a one-page scan: checked and rendered to a page picture as an upload is
    Image.new("RGB", (595, 842), (255, 255, 255)).save(scan, format="PDF", resolution=72)
    library.create(clerk, village.township, village, kind="其他", title="村务公开栏管理办法", effective_on=year.start,
                   pdf=scan.getvalue())
    db.session.commit()


def unlinked_starts() -> list[str]:
    """URLs that no page links to (a notice's printed verify code, the 明白卡 cards,
    receipt photos, a batch print job), built from the database. Run it in an app context."""
    from flask import current_app

    from disclosure.catalogue import ROSTER_KINDS
    from disclosure.clock import china_time
    from disclosure.extensions import db
    from disclosure.models import InfoRequest, Notice, NoticeAttachment, PrintJob, Village, VoucherImage

    adapter = current_app.url_map.bind("localhost")

    def first(model, *where):  # noqa: ANN001, ANN202
        return db.session.execute(db.select(model).where(*where).order_by(model.id).limit(1)).scalar_one_or_none()

    wanted: list[tuple[str, dict]] = []
    village = first(Village)
    if village is not None:
        kind = next(iter(ROSTER_KINDS))
        wanted += [(e, {"village_code": village.code, "kind": kind}) for e in ("public.card", "public.card_pdf")]
    notice = first(Notice, Notice.verify_code.is_not(None))
    if notice is not None:
        wanted.append(("public.verify", {"code": notice.verify_code}))
        if notice.published_at is not None:  # the township bulk ZIPs are listed only in the DCAT catalogue
            year = str(china_time(notice.published_at).year)
            wanted.append(("api.township_bulk", {"township": notice.village.township.code, "period": year}))
    answered = first(InfoRequest, InfoRequest.attachment_pdf.is_not(None))
    if answered is not None:  # a reply's 告知书 and released documents: reached by ticket number only
        wanted += [(e, {"no": answered.ticket_no}) for e in ("public.request_letter", "public.request_documents")]
    voucher = first(VoucherImage)
    if voucher is not None:
        wanted += [(e, {"voucher_id": voucher.id}) for e in
                   ("kiosk.voucher", "kiosk.voucher_thumb", "admin.voucher_image", "admin.voucher_thumb")]
    attachment = first(NoticeAttachment, NoticeAttachment.is_public.is_(True))
    if attachment is not None:
        wanted += [(e, {"attachment_id": attachment.id}) for e in
                   ("kiosk.attachment", "mobile.attachment", "kiosk.attachment_file", "admin.attachment_file")]
        wanted.append(("kiosk.attachment_page_image", {"attachment_id": attachment.id, "page_no": 1}))
        wanted.append(("admin.attachment_page", {"attachment_id": attachment.id, "page_no": 1}))
    job = first(PrintJob)
    if job is not None:
        wanted += [(e, {"job_id": job.id}) for e in
                   ("admin.print_batch_show", "admin.print_batch_status", "admin.print_batch_download")]
    return [adapter.build(endpoint, values) for endpoint, values in wanted if endpoint in current_app.view_functions]
