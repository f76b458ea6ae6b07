"""Security scanners against a local board on 127.0.0.1 (never anywhere else):
sqlmap on every public and logged-in admin URL that takes a query parameter,
and wapiti over the public and admin surfaces. Prints a summary; exits 1 on
any finding.

    .venv-tools/bin/python tools/scan.py [--quick]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import running_board  # noqa: E402

BIN = Path(sys.executable).parent
DEMO_USER, DEMO_PASSWORD = "admin", "demo-cunwu-2025"


def login(base: str) -> str:
    """Log in through the real form; return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/admin/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    fields = {"username": DEMO_USER, "password": DEMO_PASSWORD}
    if token:
        fields["csrf_token"] = token.group(1)
    opener.open(base + "/admin/login", urllib.parse.urlencode(fields).encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def urls_with_params(base: str, start: str, cookie: str | None, limit: int) -> list[str]:
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
        except OSError:
            continue
        for href in re.findall(r'href="([^"#]+)"', html):
            target = urllib.parse.urljoin(url, href.replace("&amp;", "&"))
            parsed = urllib.parse.urlparse(target)
            if parsed.netloc != urllib.parse.urlparse(base).netloc or "logout" in parsed.path:
                continue
            if parsed.query and target not in found:
                found.append(target)
            queue.append(target)
    # one URL per path is enough for an injection test
    unique = {}
    for url in found:
        unique.setdefault(urllib.parse.urlparse(url).path, url)
    return list(unique.values())


def sqlmap(url: str, cookie: str | None, workdir: Path) -> bool:
    args = [str(BIN / "sqlmap"), "--batch", "-u", url, "--level", "2", "--risk", "1", "--output-dir", str(workdir),
            "--disable-coloring", "--smart"]
    if cookie:
        args += ["--cookie", cookie, "--skip", "csrf_token"]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    return "is vulnerable" in out or "appears to be injectable" in out and "do not appear" not in out


def wapiti(base: str, start: str, cookie: str | None, workdir: Path) -> list[str]:
    report = workdir / f"wapiti{start.replace('/', '-')}.txt"
    args = [str(BIN / "wapiti"), "-u", base + start, "--scope", "folder", "-m", "sql,xss,exec,file,crlf",
            "--flush-session", "-f", "txt", "-o", str(report), "--max-scan-time", "300"]
    if cookie:
        args += ["--header", f"Cookie: {cookie}", "-x", base + "/admin/logout"]
    subprocess.run(args, capture_output=True, text=True, check=False)
    text = report.read_text(encoding="utf-8", errors="replace") if report.exists() else ""
    findings = []
    for block in re.split(r"\n-{5,}\n", text):
        match = re.match(r"\s*(.+?)\s*\n", block)
        count = re.search(r"(\d+) (?:vulnerabilit|anomal)", block)
        if match and count and int(count.group(1)) > 0:
            findings.append(match.group(1))
    if not text:
        findings.append(f"wapiti wrote no report for {start}")
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer URLs")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="scan-"))
    findings: list[str] = []
    with running_board() as base:
        cookie = login(base)
        limit = 40 if args.quick else 200
        public = urls_with_params(base, "/kiosk/", None, limit)
        admin = urls_with_params(base, "/admin/", cookie, limit)
        for url in public:
            if sqlmap(url, None, workdir):
                findings.append(f"sqlmap: {url}")
        for url in admin:
            if sqlmap(url, cookie, workdir):
                findings.append(f"sqlmap (admin): {url}")
        findings += wapiti(base, "/kiosk/", None, workdir)
        findings += wapiti(base, "/m/", None, workdir)
        findings += wapiti(base, "/admin/", cookie, workdir)
    print(f"sqlmap: {len(public)} public and {len(admin)} admin URLs with parameters tested")
    print("wapiti: /kiosk/, /m/ and /admin/ (sql, xss, exec, file, crlf)")
    print(f"findings: {len(findings)}")
    for finding in findings:
        print("  " + finding)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
