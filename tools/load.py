"""Load test: 300 kiosks refreshing plus bursts of phone QR scans for 60 s
against gunicorn, on SQLite (WAL, busy timeout) and, with --postgres URL, on
PostgreSQL. Prints p50/p95/p99 and the error count; exits 1 on any error.

    .venv-tools/bin/python tools/load.py [--seconds 60] [--users 350] [--postgres URL]

Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import ROOT, running_board  # noqa: E402

LOCUST = Path(sys.executable).parent / "locust"


def crawl(base: str, limit: int = 400) -> dict[str, list[str]]:
    """Same-origin public pages reachable from /kiosk/ (GET only, no admin)."""
    seen, queue, pages = set(), [base + "/kiosk/"], []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if "text/html" not in response.headers.get("Content-Type", ""):
                    continue
                html = response.read().decode("utf-8", "replace")
        except OSError:
            continue
        pages.append(url)
        for href in re.findall(r'href="([^"#]+)"', html):
            target = urljoin(url, href.replace("&amp;", "&"))
            parsed = urlparse(target)
            if parsed.netloc == urlparse(base).netloc and not parsed.path.startswith(("/admin", "/static")) \
                    and not parsed.path.endswith((".pdf", ".xlsx", ".csv", ".atom", ".json")):
                queue.append(target.split("#")[0])
    paths = [urlparse(p).path + (("?" + urlparse(p).query) if urlparse(p).query else "") for p in pages]
    kiosk = [p for p in paths if p.startswith("/kiosk/")]
    return {
        "kiosk_home": [p for p in kiosk if re.fullmatch(r"/kiosk/[\w-]+(/home)?/?", p)] or kiosk[:1],
        "kiosk": kiosk,
        "mobile": [p for p in paths if p.startswith("/m/")] or kiosk,
        "verify": [p for p in paths if p.startswith("/v/")],
    }


def run(database_url: str | None, seconds: int, users: int) -> dict[str, float]:
    with running_board(database_url) as base:
        targets = crawl(base)
        folder = Path(tempfile.mkdtemp(prefix="load-"))
        (folder / "targets.json").write_text(json.dumps(targets, ensure_ascii=False))
        env = {**os.environ, "LOAD_TARGETS": str(folder / "targets.json")}
        subprocess.run([str(LOCUST), "-f", str(ROOT / "tools" / "locustfile.py"), "--headless", "-u", str(users),
                        "-r", str(max(users // 10, 1)), "-t", f"{seconds}s", "--host", base, "--csv",
                        str(folder / "stats"), "--only-summary", "--loglevel", "WARNING"],
                       env=env, check=False, stdout=subprocess.DEVNULL)
        with open(folder / "stats_stats.csv", encoding="utf-8") as f:
            total = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
        return {"requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
                "rps": float(total["Requests/s"]), "p50": float(total["50%"]), "p95": float(total["95%"]),
                "p99": float(total["99%"]), "pages": len(targets["kiosk"]) + len(targets["mobile"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=350, help="300 kiosks + 50 phones by the 6:1 weights")
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (an empty database)")
    args = parser.parse_args()
    backends = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    failed = False
    print(f"{'backend':12s} {'requests':>9s} {'errors':>7s} {'req/s':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s}")
    for name, url in backends:
        r = run(url, args.seconds, args.users)
        failed |= r["errors"] > 0
        print(f"{name:12s} {r['requests']:9d} {r['errors']:7d} {r['rps']:7.1f} {r['p50']:7.0f} {r['p95']:7.0f} {r['p99']:7.0f}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
