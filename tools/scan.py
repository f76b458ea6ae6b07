"""Security scanners against local boards on 127.0.0.1 (never anywhere else).

Each scope gets a fresh demo board of its own (so one scope's attacks cannot
change what another sees): the villagers' side /kiosk/, /m/, /api/, /p/, /v/,
/card/, and /admin/ logged in as each role (township admin, clerk,
supervisor, county admin). In each scope:

  1. a crawl keeps one URL per route of app.url_map (tools/routes.py): not
     every keypad letter, month or notice, which is what made the scan endless;
  2. sqlmap (level 2, risk 1) on each of those URLs that takes a query string;
  3. wapiti (sql, xss, permanentxss, exec, file, crlf) starts from exactly
     those URLs, depth 1 (their links and forms), every other variant excluded,
     its crawl bounded by --max-scan-time and each module by --max-attack-time;
     sqlmap has a time budget per scope (see Limits);
  4. coverage: the board's access log, matched against app.url_map: which of
     the scope's routes answered below 400, which only with a refusal (4xx),
     which were never requested.

Scopes run in parallel, one per core. Prints a summary; exits 1 on any
finding or on a scan that could not run. A time bound that cuts a module or
an sqlmap run short is reported as such, not as a finding. The full scan writes its result to
docs/security-scan.md (linked from the README).

    .venv-tools/bin/python tools/scan.py --quick    # a few minutes
    nice -n 10 .venv-tools/bin/python tools/scan.py # full, under 30 min on 2 idle cores

sqlmap comes from .venv-tools, wapiti from .venv-wapiti (tools/setup-tools.sh).
The boards run tools/_scan_wsgi.py: the real app with its rate limits off,
so that the scanners test the code behind them rather than the 429 page.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import functools
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _server import ROOT, Board, running_board  # noqa: E402
from routes import Page, adapter_for, fill_in, fill_in_queries, get_rules, match, walk  # noqa: E402

BIN = Path(sys.executable).parent
WAPITI = ROOT / ".venv-wapiti" / "bin" / "wapiti"
REPORT = ROOT / "docs" / "security-scan.md"
WAPITI_MODULES = "sql,xss,permanentxss,exec,file,crlf"
# wapiti's report categories for each module asked for.
WAPITI_CATEGORIES = {"sql": ["SQL Injection", "Blind SQL Injection"],
                     "xss": ["Reflected Cross Site Scripting", "Stored Cross Site Scripting"],
                     "exec": ["Command execution"], "file": ["Path Traversal"], "crlf": ["CRLF Injection"]}


@dataclass(frozen=True)
class Scope:
    name: str
    prefix: str  # the folder wapiti stays in and whose routes count for coverage
    role: str | None = None  # log in as a demo user of this role
    starts: tuple[str, ...] = ()  # besides the prefix itself
    weight: int = 1  # bigger scopes get more time


@dataclass(frozen=True)
class Limits:
    """Time bounds, per unit of a scope's weight. wapiti 3.2.3's --max-scan-time bounds
    its crawl only; each attack module has its own --max-attack-time; sqlmap gets a
    time budget per scope. A bound that is hit is reported, not counted as a finding."""

    crawl_seconds: int  # wapiti --max-scan-time
    attack_seconds: int  # wapiti --max-attack-time, for each module
    sqlmap_seconds: int  # all sqlmap runs of the scope together (one run: at most SQLMAP_RUN_SECONDS)
    max_parameters: int  # wapiti --max-parameters: bigger forms are not attacked
    links_per_page: int  # wapiti --max-links-per-page (passed; wapiti 3.2.3 does not apply it)
    smart: bool  # sqlmap --smart


SCOPES = [
    Scope("admin (township admin)", "/admin/", role="township_admin", weight=3),
    Scope("admin (clerk)", "/admin/", role="clerk", weight=3),
    Scope("admin (supervisor)", "/admin/", role="supervisor", weight=3),
    Scope("admin (county admin)", "/admin/", role="county_admin", weight=2),
    Scope("kiosk", "/kiosk/", weight=2),
    Scope("phone /m/", "/m/", weight=2),
    Scope("api", "/api/", starts=("/api/villages", "/api/openapi.json", "/kiosk/", "/m/")),
    Scope("verify /v/", "/v/", starts=("/m/",)),
    Scope("pdf /p/", "/p/", starts=("/m/",)),
    Scope("card /card/", "/card/"),
]
QUICK_SCOPES = ("admin (township admin)", "kiosk", "phone /m/", "api", "verify /v/")
# The full scan's worst case (every bound hit) is about 28 min with two scopes at a
# time; a run usually ends sooner, as the small scopes hit no bound.
FULL = Limits(crawl_seconds=120, attack_seconds=20, sqlmap_seconds=80, max_parameters=25, links_per_page=30,
              smart=False)
QUICK = Limits(crawl_seconds=30, attack_seconds=5, sqlmap_seconds=30, max_parameters=25, links_per_page=10,
               smart=True)
SQLMAP_RUN_SECONDS = 150


@dataclass
class Outcome:
    scope: Scope
    lines: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    #: The scope's routes by how far the scan got: "reached" (an answer below 400),
    #: "refused" (only 4xx answers: a form's validation, a role without the right,
    #: an object out of scope) and "not requested".
    coverage: dict[str, list[str]] = field(default_factory=dict)
    bounds: list[str] = field(default_factory=list)  # time bounds that were hit
    seconds: int = 0

    def coverage_line(self) -> str:
        total = sum(len(v) for v in self.coverage.values())
        parts = [f"{len(self.coverage.get('reached', []))} of {total} routes under {self.scope.prefix} reached"]
        parts += [f"{kind}: {', '.join(names)}" for kind, names in self.coverage.items() if kind != "reached" and names]
        return "; ".join(parts)


# -- talking to a board -----------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def fetcher(base: str, cookie: str | None):  # noqa: ANN201
    opener = urllib.request.build_opener(_NoRedirect())

    def fetch(url: str) -> Page:
        request = urllib.request.Request(base + url, headers={"Cookie": cookie} if cookie else {})
        try:
            with opener.open(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        except OSError:
            return Page(599, "", "")
        kind = headers.get("Content-Type", "")
        text = body.decode("utf-8", "replace") if kind.startswith(
            ("text/", "application/json", "application/atom")) else ""
        location = headers.get("Location", "")
        return Page(status, kind, text, urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl())

    return fetch


def login(base: str, username: str, password: str) -> str:
    """Log in through the real form (CSRF token and all); return the Cookie header value.

    The session cookie is Secure, and urllib's cookie jar, like a browser on a
    non-loopback http:// host, would not send it back over http://; the jar
    here accepts http for this loopback run. After logging in, one page with a
    form is fetched so the session holds its CSRF token: from then on the
    scanners send this one fixed cookie and every token they find in a page
    matches it."""
    assert urllib.parse.urlparse(base).hostname == "127.0.0.1"
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/admin/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    fields = {"username": username, "password": password, "csrf_token": token.group(1) if token else ""}
    with opener.open(base + "/admin/login", urllib.parse.urlencode(fields).encode()) as response:
        landed = response.geturl()
    if "/admin/login" in landed:
        raise RuntimeError(f"login as {username} failed (still on {landed})")
    opener.open(base + "/admin/").read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if not still_logged_in(base, cookie):
        raise RuntimeError("the session cookie does not carry the login")
    return cookie


def still_logged_in(base: str, cookie: str) -> bool:
    with urllib.request.urlopen(urllib.request.Request(base + "/admin/", headers={"Cookie": cookie})) as response:
        return "/admin/login" not in response.geturl()


# -- the scanners ----------------------------------------------------------------------

def sqlmap(url: str, cookie: str | None, workdir: Path, limits: Limits, seconds: float) -> tuple[str, str]:
    """Return (verdict, detail): verdict is 'clean', 'INJECTABLE', 'INCONCLUSIVE' or
    'cut' (the time bound ended the run first)."""
    args = [str(BIN / "sqlmap"), "--batch", "-u", url, "--level", "2", "--risk", "1", "--threads", "4",
            "--output-dir", str(workdir / "sqlmap"), "--disable-coloring", "--flush-session"]
    if limits.smart:
        args.append("--smart")  # full tests only where a heuristic bites
    if cookie:
        # Our login stays as it is. The one cookie is Flask's signed session: a changed value
        # fails its signature before any view or query runs, so level 2's cookie tests would
        # only spend the time budget (the query parameters are still tested at level 2).
        args += ["--cookie", cookie, "--drop-set-cookie", "--skip", "csrf_token,session"]
    try:
        out = subprocess.run(args, capture_output=True, text=True, check=False, timeout=seconds).stdout
    except subprocess.TimeoutExpired:
        return "cut", f"stopped by the time bound after {round(seconds)} s"
    if "identified the following injection point" in out or re.search(r"parameter '[^']+' is vulnerable", out):
        return "INJECTABLE", out[-2000:]
    if "all tested parameters do not appear to be injectable" in out:
        tested = sorted(set(re.findall(r"testing if (\w+ parameter '[^']+') is dynamic", out)))
        return "clean", ", ".join(tested)
    lines = [line for line in out.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line]
    return "INCONCLUSIVE", " | ".join(lines[-3:]) or out[-500:]


def wapiti(base: str, scope: Scope, starts: list[str], excluded: list[str], cookie: str | None, workdir: Path,
           limits: Limits) -> dict:
    tag = re.sub(r"\W+", "-", scope.name).strip("-")
    report = workdir / f"wapiti-{tag}.json"
    args = [str(WAPITI), "-u", base + scope.prefix, "--scope", "folder", "-m", WAPITI_MODULES, "--flush-session",
            "-f", "json", "-o", str(report), "-d", "1",
            "--max-scan-time", str(limits.crawl_seconds * scope.weight),
            "--max-attack-time", str(limits.attack_seconds * scope.weight),
            "--max-parameters", str(limits.max_parameters),
            "--max-links-per-page", str(limits.links_per_page),
            "--tasks", "4", "-v", "1", "--no-bugreport", "-A", f"board-scan ({tag})",
            # Its own session store: scopes under one folder (/admin/ as three roles) run in
            # parallel and would otherwise share wapiti's SQLite session ("database is locked").
            "--store-session", str(workdir / f"wapiti-session-{tag}")]
    for url in starts:
        args += ["-s", base + url]
    for url in excluded:
        args += ["-x", base + url]
    if cookie:
        # A fixed Cookie header (not --drop-set-cookie: in wapiti 3.2.3 that strips the
        # Cookie header from every request, so the scan would run logged out); never press 退出登录.
        args += ["-C", cookie, "-x", base + "/admin/logout"]
    started = time.monotonic()
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    log = run.stdout + run.stderr
    (workdir / f"wapiti-{tag}.log").write_text(log)
    if not report.exists():
        return {"error": f"no report (exit {run.returncode}): {run.stderr[-300:]}"}
    data = json.loads(report.read_text(encoding="utf-8"))
    vulns = data.get("vulnerabilities", {})
    counts = {name: sum(len(vulns.get(c, [])) for c in categories) for name, categories in WAPITI_CATEGORIES.items()}
    missing = [c for categories in WAPITI_CATEGORIES.values() for c in categories if c not in vulns]
    details = [f"{category}: {v.get('method')} {v.get('path')} {v.get('parameter')} — {v.get('info')}"
               for category, items in vulns.items() for v in items]
    anomalies = [f"{category}: {a.get('method')} {a.get('path')} {a.get('parameter')} — {a.get('info')}"
                 for category, items in data.get("anomalies", {}).items() for a in items]
    infos = data.get("infos", {})
    cut = sorted(set(re.findall(r"Max attack time was reached for module (\w+)", log, re.I)))
    removed = re.search(r"(\d+) URLs and forms having more than \d+ parameters were removed", log)
    return {"counts": counts, "details": details, "anomalies": anomalies, "missing": missing,
            "crawled": infos.get("crawled_pages_nbr", len(infos.get("crawled_pages", []))),
            "seconds": round(time.monotonic() - started), "time_cut": cut,
            "scan_cut": "Max scan time was reached" in log,
            "removed": int(removed.group(1)) if removed else 0}


def coverage(access_log: Path, url_map, prefix: str) -> dict[str, list[str]]:  # noqa: ANN001
    """The scope's routes, reached / refused / not requested, from the board's access log."""
    adapter = adapter_for(url_map)
    best: dict[str, int] = {}
    for line in access_log.read_text(errors="replace").splitlines() if access_log.exists() else []:
        parts = line.split(" ")
        if len(parts) < 4 or not parts[-1].isdigit():
            continue
        method, path, status = parts[0], parts[1], int(parts[-1])
        matched = match(adapter, path, method)
        if matched is not None:
            endpoint = matched[0].endpoint
            best[endpoint] = min(best.get(endpoint, 999), status)
    rules = sorted({r.endpoint for r in url_map.iter_rules() if r.rule.startswith(prefix)})
    return {"reached": [e for e in rules if best.get(e, 999) < 400],
            "refused": [f"{e} ({best[e]})" for e in rules if 400 <= best.get(e, 999) < 999],
            "not requested": [e for e in rules if e not in best]}


_claims: dict[tuple, str] = {}
_claims_lock = threading.Lock()


def claim(key: tuple, scope_name: str) -> str:
    """The scope that tests `key` (a route and its query parameter names): the first to ask."""
    with _claims_lock:
        return _claims.setdefault(key, scope_name)


# -- one scope --------------------------------------------------------------------------

def demo_user(board: Board, role: str) -> str:
    return board.query("from disclosure.models import User, Role\n"
                       f"result = db.session.execute(db.select(User.username).where(User.role == Role({role!r}))"
                       ".order_by(User.id)).scalars().first()")


def scan_scope(scope: Scope, limits: Limits, workdir: Path) -> Outcome:
    outcome = Outcome(scope)
    started = time.monotonic()
    tag = re.sub(r"\W+", "-", scope.name).strip("-")
    access_log = workdir / f"access-{tag}.log"
    try:
        with running_board(app="tools._scan_wsgi:app", access_log=access_log) as board:
            _scan(board, scope, limits, workdir, outcome)
    except Exception as error:  # noqa: BLE001 - a scope that cannot run is a finding, the others go on
        outcome.findings.append(f"{scope.name}: could not run: {error!r}")
    outcome.coverage = coverage(access_log, url_map(), scope.prefix)
    outcome.seconds = round(time.monotonic() - started)
    return outcome


@functools.cache
def url_map():  # noqa: ANN201
    """The board's URL map (from an app that is never served)."""
    from disclosure import create_app

    return create_app({"INSTANCE_PATH": tempfile.mkdtemp(prefix="scan-map-")}).url_map


def _scan(board: Board, scope: Scope, limits: Limits, workdir: Path, outcome: Outcome) -> None:
    base = board.base
    cookie = None
    if scope.role:
        password = board.query("from flask import current_app\nresult = current_app.config['DEMO_PASSWORD']")
        cookie = login(base, demo_user(board, scope.role), password)
    adapter = adapter_for(url_map())
    extra = board.query("from tools.routes import add_unlinked_objects, unlinked_starts\n"
                        "add_unlinked_objects()\nresult = unlinked_starts()")
    starts = [scope.prefix, *scope.starts, *(u for u in extra if u.startswith(scope.prefix))]
    fetch = fetcher(base, cookie)
    # The crawl may pass through other folders to find this one's links (the
    # phone pages link the PDFs); only this folder's URLs are kept.
    staff = scope.prefix.startswith("/admin/")
    found = walk(fetch, adapter, starts, lambda url: not url.startswith(("/static/", "/admin/logout"))
                 and url.startswith("/admin/") == staff, limit=250)
    fill_in(fetch, adapter, get_rules(url_map(), scope.prefix), found)
    fill_in_queries(fetch, found)
    representatives = [u for u in found.pages() if u.startswith(scope.prefix)]
    excluded = sorted(u for u in found.variants() if u.startswith(scope.prefix))
    # sqlmap: the first URL of each route and query (not the extra pages of a route), once
    # per run: the staff roles share their query parameters (only the scope filter differs).
    # A route's parameter set inside a bigger one of the same route (?q= inside ?q=&g=) adds nothing.
    keys = [key for key, u in found.representatives.items() if u.startswith(scope.prefix) and key[1]]
    keys = [(endpoint, names) for endpoint, names in keys
            if not any(e == endpoint and set(names) < set(other) for e, other in keys)]
    with_query = sorted(found.representatives[key] for key in keys if claim(key, scope.name) == scope.name)
    outcome.lines.append(f"{scope.name}: {len(representatives)} representative URLs "
                         f"({len(with_query)} with a query string not tested in another scope), "
                         f"{len(excluded)} variants left out")

    deadline = time.monotonic() + limits.sqlmap_seconds * scope.weight
    for url in with_query:
        left = deadline - time.monotonic()
        verdict, detail = sqlmap(base + url, cookie, workdir, limits, min(left, SQLMAP_RUN_SECONDS)) \
            if left > 5 else ("cut", "not run: the scope's sqlmap time was used up")
        outcome.lines.append(f"  sqlmap {verdict:12s} {url}  [{detail}]" if verdict in ("clean", "cut")
                             else f"  sqlmap {verdict:12s} {url}")
        if verdict == "cut":
            outcome.bounds.append(f"sqlmap cut on {url}")
        elif verdict != "clean":
            outcome.findings.append(f"{scope.name}: sqlmap {verdict}: {url}: {detail}")

    result = wapiti(base, scope, representatives, excluded, cookie, workdir, limits)
    if "error" in result:
        outcome.findings.append(f"{scope.name}: wapiti {result['error']}")
        outcome.lines.append(f"  wapiti ERROR {result['error']}")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in result["counts"].items())
        bounds = []
        if result["time_cut"]:
            bounds.append(f"wapiti attack time cut for {', '.join(result['time_cut'])}")
        if result["scan_cut"]:
            bounds.append("wapiti crawl time reached")
        if result["removed"]:
            bounds.append(f"{result['removed']} forms over {limits.max_parameters} fields not attacked")
        outcome.bounds += bounds
        outcome.lines.append(f"  wapiti: {result['crawled']} resources in {result['seconds']} s; {counts}; "
                             f"anomalies {len(result['anomalies'])}" + (f" ({'; '.join(bounds)})" if bounds else ""))
        outcome.findings += [f"{scope.name}: wapiti {d}" for d in result["details"]]
        outcome.findings += [f"{scope.name}: wapiti module {m} did not report" for m in result["missing"]]
        outcome.lines += [f"  anomaly: {a}" for a in result["anomalies"]]
        # A 500 under attack is a bug even when nothing leaks: it counts (timeouts on 2 cores do not).
        outcome.findings += [f"{scope.name}: wapiti {a}" for a in result["anomalies"]
                             if a.startswith("Internal Server Error")]
    if cookie:
        still = still_logged_in(base, cookie)
        outcome.lines.append(f"  session still valid after the scans: {'yes' if still else 'NO'}")
        if not still:
            outcome.findings.append(f"{scope.name}: the session was lost during the scan (coverage incomplete)")


# -- the whole run ------------------------------------------------------------------------

def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return head.strip() + (" (with uncommitted changes)" if dirty else "")


def write_report(outcomes: list[Outcome], findings: list[str], seconds: int, lanes: int, load: str,
                 note: str) -> None:
    now = dt.datetime.now(dt.UTC)
    lines = ["# Last full security scan", "",
             "Written by `nice -n 10 .venv-tools/bin/python tools/scan.py` (the full scan; see README, "
             "\"Load and security checks\"). Do not edit by hand: run the scan again.", "",
             f"- finished: {now:%Y-%m-%d %H:%M} UTC",
             f"- commit: {commit()}",
             f"- wall time: {seconds // 60} min {seconds % 60} s, {lanes} scopes at a time on {os.cpu_count()} cores "
             f"(load average {load})" + (f"; {note}" if note else ""),
             f"- findings: {len(findings)}", ""]
    lines += [f"  - {f}" for f in findings]
    lines += ["", "Routes of app.url_map under each scope's folder: reached (an answer below 400), refused (only",
              "4xx answers: a form's validation, a role without the right, an object out of scope), not requested.",
              "Bounds hit: a wapiti module or sqlmap run that its time bound cut short (not a finding; what it did",
              "not try is not evidence either).",
              "", "| scope | time | reached | refused | not requested | bounds hit |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        total = sum(len(v) for v in o.coverage.values())
        lines.append(f"| {o.scope.name} | {o.seconds} s | {len(o.coverage.get('reached', []))} of {total} | "
                     f"{', '.join(o.coverage.get('refused', [])) or '—'} | "
                     f"{', '.join(o.coverage.get('not requested', [])) or '—'} | {'; '.join(o.bounds) or '—'} |")
    lines += ["", "## Output", "", "```"]
    for o in outcomes:
        lines += o.lines
    lines += ["```", ""]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer scopes (admin as township admin only), sqlmap --smart, shorter wapiti bounds")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="scopes at a time (default: cores)")
    parser.add_argument("--only", default="", help="only the scopes whose name contains this (no report file)")
    parser.add_argument("--note", default="", help="a remark for the report (e.g. other load on the machine)")
    args = parser.parse_args()
    if not WAPITI.exists():
        raise SystemExit("run tools/setup-tools.sh first (.venv-wapiti is missing)")
    limits = QUICK if args.quick else FULL
    scopes = [s for s in SCOPES if args.only in s.name] if args.only else \
        [s for s in SCOPES if not args.quick or s.name in QUICK_SCOPES]
    workdir = Path(tempfile.mkdtemp(prefix="scan-"))
    load_before = os.getloadavg()[1]
    started = time.monotonic()
    print(f"{len(scopes)} scopes, {args.jobs} at a time; reports and logs in {workdir}", flush=True)
    outcomes: list[Outcome] = []
    url_map()  # built once, before the threads share it
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(scan_scope, scope, limits, workdir) for scope in scopes]
        for future in concurrent.futures.as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            print("\n".join(outcome.lines), flush=True)
            print(f"  coverage: {outcome.coverage_line()}  [{outcome.seconds} s]", flush=True)
    outcomes.sort(key=lambda o: scopes.index(o.scope))
    findings = [f for o in outcomes for f in o.findings]
    seconds = round(time.monotonic() - started)
    bounds = sum(len(o.bounds) for o in outcomes)
    print(f"\nfinished in {seconds // 60} min {seconds % 60} s; findings: {len(findings)}; time bounds hit: {bounds}"
          f"   (logs: {workdir})")
    for finding in findings:
        print("  " + finding)
    if not args.quick and not args.only:
        load = f"{load_before:.1f} over the 5 min before the run, {os.getloadavg()[1]:.1f} at its end"
        write_report(outcomes, findings, seconds, args.jobs, load, args.note)
        print(f"result written to {REPORT.relative_to(ROOT)}")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
