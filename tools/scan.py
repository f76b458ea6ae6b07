"""Security scanners against a local board on 127.0.0.1 (never anywhere else):
sqlmap on every public and logged-in admin URL that takes a query parameter,
and wapiti (sql, xss, exec, file, crlf) over /kiosk/, /m/ and, logged in, /admin/.
Prints a summary; exits 1 on any finding or on a scan that could not run.

    .venv-tools/bin/python tools/scan.py [--quick]

sqlmap comes from .venv-tools, wapiti from .venv-wapiti (tools/setup-tools.sh).
The board runs from tools/_scan_wsgi.py: the real app with its rate limits off,
so that the scanners test the code behind them rather than the 429 page.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import ROOT, running_board  # noqa: E402

BIN = Path(sys.executable).parent
WAPITI = ROOT / ".venv-wapiti" / "bin" / "wapiti"
DEMO_USER, DEMO_PASSWORD = "admin", "demo-cunwu-2025"
WAPITI_MODULES = "sql,xss,permanentxss,exec,file,crlf"
# wapiti's report categories for each module asked for.
WAPITI_CATEGORIES = {"sql": ["SQL Injection", "Blind SQL Injection"],
                     "xss": ["Reflected Cross Site Scripting", "Stored Cross Site Scripting"],
                     "exec": ["Command execution"], "file": ["Path Traversal"], "crlf": ["CRLF Injection"]}
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".atom", ".json", ".jpg", ".png", ".js", ".css", ".woff2")


def login(base: str) -> str:
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
    fields = {"username": DEMO_USER, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""}
    with opener.open(base + "/admin/login", urllib.parse.urlencode(fields).encode()) as response:
        landed = response.geturl()
    if "/admin/login" in landed:
        raise SystemExit(f"login as {DEMO_USER} failed (still on {landed})")
    opener.open(base + "/admin/").read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # The plain header alone (no jar) must reach a staff page.
    with urllib.request.urlopen(urllib.request.Request(base + "/admin/", headers={"Cookie": cookie})) as response:
        if "/admin/login" in response.geturl():
            raise SystemExit("the session cookie does not carry the login")
    return cookie


def urls_with_params(base: str, start: str, cookie: str | None, limit: int) -> tuple[list[str], int]:
    """Crawl GET links from `start`; return one URL with a query string per path, and pages seen."""
    seen, queue, found = set(), [base + start], []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if "text/html" not in response.headers.get("Content-Type", ""):
                    continue
                html = response.read().decode("utf-8", "replace")
                url = response.geturl()  # after redirects: relative links and empty form actions
        except OSError:
            continue
        links = re.findall(r'href="([^"#]+)"', html)
        # GET forms (search boxes, 核验码 and ticket lookups) as a URL with every field filled in.
        for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", html, re.S):
            if re.search(r'method="post"', attrs, re.I):
                continue
            action = re.search(r'action="([^"]*)"', attrs)
            names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', body)
            if names:
                links.append((action.group(1) if action else url.split("?")[0]) + "?"
                             + urllib.parse.urlencode({n: "1" for n in names}))
        for href in links:
            target = urllib.parse.urljoin(url, href.replace("&amp;", "&")).split("#")[0]
            parsed = urllib.parse.urlparse(target)
            if parsed.netloc != urllib.parse.urlparse(base).netloc or "logout" in parsed.path:
                continue
            if cookie and not parsed.path.startswith("/admin/"):
                continue
            if parsed.query and target not in found:
                found.append(target)
            if not parsed.path.endswith(SKIP_SUFFIXES):
                queue.append(target)
    unique: dict[tuple[str, tuple[str, ...]], str] = {}
    for url in found:  # one URL per path and set of parameter names
        parsed = urllib.parse.urlparse(url)
        path = re.sub(r"/\d+", "/<n>", parsed.path)
        unique.setdefault((path, tuple(sorted(urllib.parse.parse_qs(parsed.query, keep_blank_values=True)))), url)
    return list(unique.values()), len(seen)


def sqlmap(url: str, cookie: str | None, workdir: Path, quick: bool) -> tuple[str, str]:
    """Return (verdict, detail): verdict is 'clean', 'INJECTABLE' or 'INCONCLUSIVE'."""
    args = [str(BIN / "sqlmap"), "--batch", "-u", url, "--level", "2", "--risk", "1", "--threads", "4",
            "--output-dir", str(workdir / "sqlmap"), "--disable-coloring", "--flush-session"]
    if quick:
        args.append("--smart")  # full tests only where a heuristic bites
    if cookie:
        # Our login stays as it is; sqlmap still injects into the cookie values at level 2.
        args += ["--cookie", cookie, "--drop-set-cookie", "--skip", "csrf_token"]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    if "identified the following injection point" in out or re.search(r"parameter '[^']+' is vulnerable", out):
        return "INJECTABLE", out[-2000:]
    if "all tested parameters do not appear to be injectable" in out:
        tested = sorted(set(re.findall(r"testing if (\w+ parameter '[^']+') is dynamic", out)))
        return "clean", ", ".join(tested)
    lines = [line for line in out.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line]
    return "INCONCLUSIVE", " | ".join(lines[-3:]) or out[-500:]


def wapiti(base: str, start: str, cookie: str | None, workdir: Path, quick: bool) -> dict:
    report = workdir / f"wapiti{start.replace('/', '-')}json"
    args = [str(WAPITI), "-u", base + start, "--scope", "folder", "-m", WAPITI_MODULES, "--flush-session",
            "-f", "json", "-o", str(report), "--max-scan-time", "300" if quick else "900",
            "--tasks", "8", "-v", "1", "--no-bugreport"]
    if quick:
        args += ["--max-links-per-page", "20", "-d", "3"]
    if cookie:
        # A fixed Cookie header (not --drop-set-cookie: in wapiti 3.2.3 that strips the
        # Cookie header from every request, so the scan would run logged out); never press 退出登录.
        args += ["-C", cookie, "-x", base + "/admin/logout"]
    started = time.monotonic()
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    (workdir / f"wapiti{start.replace('/', '-')}log").write_text(run.stdout + run.stderr)
    if not report.exists():
        return {"start": start, "error": f"no report (exit {run.returncode}): {run.stderr[-300:]}"}
    data = json.loads(report.read_text(encoding="utf-8"))
    vulns = data.get("vulnerabilities", {})
    counts = {name: sum(len(vulns.get(c, [])) for c in categories) for name, categories in WAPITI_CATEGORIES.items()}
    missing = [c for categories in WAPITI_CATEGORIES.values() for c in categories if c not in vulns]
    details = [f"{category}: {v.get('method')} {v.get('path')} {v.get('parameter')} — {v.get('info')}"
               for category, items in vulns.items() for v in items]
    anomalies = [f"{category}: {a.get('method')} {a.get('path')} {a.get('parameter')} — {a.get('info')}"
                 for category, items in data.get("anomalies", {}).items() for a in items]
    infos = data.get("infos", {})
    return {"start": start, "counts": counts, "details": details, "anomalies": anomalies, "missing": missing,
            "crawled": infos.get("crawled_pages_nbr", len(infos.get("crawled_pages", []))),
            "seconds": round(time.monotonic() - started), "report": str(report)}


class Progress(list):
    """Summary lines, printed as they come (a full scan takes a while)."""

    def append(self, line: str) -> None:
        print(line, flush=True)

    def __iadd__(self, more):  # noqa: ANN001, ANN204
        for line in more:
            self.append(line)
        return self


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer pages, sqlmap --smart, shorter wapiti")
    args = parser.parse_args()
    if not WAPITI.exists():
        raise SystemExit("run tools/setup-tools.sh first (.venv-wapiti is missing)")
    workdir = Path(tempfile.mkdtemp(prefix="scan-"))
    findings: list[str] = []
    lines = Progress()
    with running_board(app="tools._scan_wsgi:app") as board:
        base = board.base
        cookie = login(base)
        limit = 60 if args.quick else 300
        public, public_pages = urls_with_params(base, "/kiosk/", None, limit)
        mobile, mobile_pages = urls_with_params(base, "/m/", None, limit)
        public += [u for u in mobile if u not in public]
        admin, admin_pages = urls_with_params(base, "/admin/", cookie, limit)
        lines.append(f"sqlmap (level 2, risk 1{', --smart' if args.quick else ''}): crawled {public_pages + mobile_pages} "
                     f"public and {admin_pages} admin pages; {len(public)} public and {len(admin)} admin URLs with "
                     f"query parameters")
        for url, who in [(u, None) for u in public] + [(u, cookie) for u in admin]:
            verdict, detail = sqlmap(url, who, workdir, args.quick)
            label = f"{'admin ' if who else ''}{url.removeprefix(base)}"
            lines.append(f"  {verdict:12s} {label}  [{detail}]" if verdict == "clean" else f"  {verdict:12s} {label}")
            if verdict != "clean":
                findings.append(f"sqlmap {verdict}: {label}: {detail}")
        for start, who in (("/kiosk/", None), ("/m/", None), ("/admin/", cookie)):
            result = wapiti(base, start, who, workdir, args.quick)
            if "error" in result:
                findings.append(f"wapiti {start}: {result['error']}")
                lines.append(f"wapiti {start}: ERROR {result['error']}")
                continue
            counts = ", ".join(f"{k} {v}" for k, v in result["counts"].items())
            lines.append(f"wapiti {start}{' (logged in)' if who else ''}: {result['crawled']} resources crawled in "
                         f"{result['seconds']} s; vulnerabilities: {counts}; anomalies: {len(result['anomalies'])}")
            findings += [f"wapiti {start}: {d}" for d in result["details"]]
            findings += [f"wapiti {start}: module {m} did not report" for m in result["missing"]]
            lines += [f"  anomaly: {a}" for a in result["anomalies"]]
            # A 500 under attack is a bug even when nothing leaks: it counts (timeouts on 2 cores do not).
            findings += [f"wapiti {start}: {a}" for a in result["anomalies"] if a.startswith("Internal Server Error")]
        # The admin scans must have stayed logged in all along.
        with urllib.request.urlopen(urllib.request.Request(base + "/admin/", headers={"Cookie": cookie})) as r:
            still = "/admin/login" not in r.geturl()
        lines.append(f"admin session still valid after the scans: {'yes' if still else 'NO'}")
        if not still:
            findings.append("the admin session was lost during the scan (admin coverage incomplete)")
    print(f"findings: {len(findings)}   (reports and logs: {workdir})")
    for finding in findings:
        print("  " + finding)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
