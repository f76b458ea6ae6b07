"""Load test: 300 kiosks refreshing plus bursts of phone QR scans for 60 s
against gunicorn, on SQLite (WAL, busy timeout) and, with --postgres URL, on
PostgreSQL; with --two-nodes, also against two gunicorn instances (each its
own instance folder, as two hosts) on one PostgreSQL and one Redis, which it
starts itself (throw-away, on free loopback ports) unless --postgres and
--redis name them. Prints p50/p95/p99, req/s and the error count; exits 1 on
any error.

    .venv-tools/bin/python tools/load.py [--seconds 60] [--kiosks 300] [--phones 50] [--postgres URL]
                                         [--two-nodes [--redis URL]] [--only-two-nodes]

The board runs as deployed (README): gunicorn behind a proxy with TRUST_PROXY=1,
so each simulated kiosk and phone sends its own X-Forwarded-For address and
the app's per-address rate limits apply to each device, as they would in a
county, instead of lumping 350 devices onto 127.0.0.1. Traffic goes to
127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
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
from _server import ROOT, Board, running_board, throwaway_postgres, throwaway_redis  # noqa: E402

LOCUST = Path(sys.executable).parent / "locust"
#: Seconds gunicorn keeps an unread connection (see run()).
KEEP_ALIVE = 30
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".atom", ".json", ".jpg", ".png", ".js")


def crawl(base: str, start: str, limit: int) -> list[str]:
    """Same-origin HTML pages under `start` reachable from it (GET only), as paths."""
    seen, queue, pages = set(), [base + start], []
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
        parsed = urlparse(url)
        pages.append(parsed.path + ("?" + parsed.query if parsed.query else ""))
        for href in re.findall(r'href="([^"#]+)"', html):
            target = urlparse(urljoin(url, href.replace("&amp;", "&")))
            if target.netloc == parsed.netloc and target.path.startswith(start) \
                    and not target.path.endswith(SKIP_SUFFIXES):
                queue.append(target._replace(fragment="").geturl())
    return pages


def targets(board: Board) -> dict:
    """Each village's kiosk pages; phone pages; the QR codes printed on paper."""
    villages = board.query("from disclosure.models import Village\n"
                           "result = [v.code for v in db.session.scalars(db.select(Village))]")
    scans = board.query(
        "from disclosure.models import Notice, Status\n"
        "rows = db.session.scalars(db.select(Notice).where(Notice.verify_code.is_not(None)))\n"
        "result = [['/v/' + n.verify_code, f'/m/notice/{n.id}' if n.status == Status.PUBLISHED else None]"
        " for n in rows]")
    kiosk = crawl(board.base, "/kiosk/", 600)
    per_village = {}
    for code in villages:
        pages = [p for p in kiosk if p.startswith(f"/kiosk/{code}/")]
        per_village[code] = {"home": [f"/kiosk/{code}", f"/kiosk/{code}/home"], "pages": pages or [f"/kiosk/{code}"]}
    return {"villages": per_village, "mobile": crawl(board.base, "/m/", 300), "scans": scans}


def run(database_url: str | None, seconds: int, kiosks: int, phones: int, *, redis_url: str = "",
        nodes: int = 1) -> dict:
    extra = {"TRUST_PROXY": "1"}
    if redis_url:
        # One public address in front of the nodes (it is in the QR codes and PDF keys).
        extra.update(REDIS_URL=redis_url, PUBLIC_BASE_URL="https://cunwu.example.cn/")
    # Two nodes share the machine's two cores: one worker each, the same two workers in all.
    workers = 2 if nodes == 1 else 1
    # gunicorn 27's gthread worker closes a connection whose request it has not read within
    # --keep-alive seconds (2 by default), also a new one waiting for a free thread: on two
    # cores shared with 350 devices that is "connection reset", not a slow page. nginx in front
    # holds the villagers' connections in a county; here the devices talk to gunicorn directly.
    with running_board(database_url, workers=workers, extra_env=extra, nodes=nodes,
                       gunicorn_args=("--keep-alive", str(KEEP_ALIVE))) as board:
        found = targets(board)
        folder = Path(tempfile.mkdtemp(prefix="load-"))
        (folder / "targets.json").write_text(json.dumps(found, ensure_ascii=False))
        env = {**os.environ, "LOAD_TARGETS": str(folder / "targets.json")}
        users = kiosks + phones
        # Kiosk and PhoneScan carry fixed_count, so exactly `kiosks` + `phones` users run.
        env.update(LOAD_KIOSKS=str(kiosks), LOAD_PHONES=str(phones), LOAD_HOSTS=" ".join(board.bases))
        subprocess.run([str(LOCUST), "-f", str(ROOT / "tools" / "locustfile.py"), "--headless", "-u", str(users),
                        "-r", str(max(users // 10, 1)), "-t", f"{seconds}s", "--host", board.base, "--csv",
                        str(folder / "stats"), "--only-summary", "--loglevel", "WARNING"],
                       env=env, check=False, stdout=subprocess.DEVNULL, stderr=open(folder / "locust.log", "w"))
        with open(folder / "stats_stats.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with open(folder / "stats_failures.csv", encoding="utf-8") as f:
            failures = [f"{r['Occurrences']}x {r['Name']}: {r['Error']}" for r in csv.DictReader(f)]
        total = next(row for row in rows if row["Name"] == "Aggregated")
        return {"requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
                "rps": float(total["Requests/s"]), "p50": float(total["50%"]), "p95": float(total["95%"]),
                "p99": float(total["99%"]), "failures": failures, "folder": folder, "log": board.log,
                "rows": [r for r in rows if r["Name"] != "Aggregated"],
                "pages": sum(len(v["pages"]) for v in found["villages"].values()) + len(found["mobile"]),
                "scans": len(found["scans"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--kiosks", type=int, default=300)
    parser.add_argument("--phones", type=int, default=50, help="phones scanning QR codes in bursts")
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (an empty database)")
    parser.add_argument("--two-nodes", action="store_true",
                        help="also run two nodes on PostgreSQL + Redis (throw-away servers unless named)")
    parser.add_argument("--only-two-nodes", action="store_true", help="the two-node run alone")
    parser.add_argument("--redis", help="the Redis URL for --two-nodes (default: a throw-away redis-server)")
    args = parser.parse_args()
    args.two_nodes = args.two_nodes or args.only_two_nodes
    backends = [] if args.only_two_nodes else \
        [("SQLite", None, 1)] + ([("PostgreSQL", args.postgres, 1)] if args.postgres else [])
    print(f"{dt.date.today()}  {os.cpu_count()} cores  {args.kiosks} kiosks + {args.phones} phones, "
          f"{args.seconds} s, gunicorn 2 workers x 8 threads (two nodes: 1 worker x 8 threads each)")
    results = []
    with contextlib.ExitStack() as servers:
        if args.two_nodes:
            # The single-node PostgreSQL run has loaded the demo into --postgres: a fresh cluster then.
            pg = args.postgres if args.only_two_nodes and args.postgres else servers.enter_context(throwaway_postgres())
            redis_url = args.redis or servers.enter_context(throwaway_redis())
            backends.append(("2 nodes PG+Redis", (pg, redis_url), 2))
        for name, url, nodes in backends:
            database, redis_url = url if isinstance(url, tuple) else (url, "")
            results.append((name, report(name, run(database, args.seconds, args.kiosks, args.phones,
                                                   redis_url=redis_url, nodes=nodes))))
    print(f"\n{'backend':17s} {'requests':>9s} {'errors':>7s} {'req/s':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s}")
    for name, r in results:
        print(f"{name:17s} {r['requests']:9d} {r['errors']:7d} {r['rps']:7.1f} {r['p50']:7.0f} {r['p95']:7.0f} "
              f"{r['p99']:7.0f}")
    return 1 if any(r["errors"] for _, r in results) else 0


def report(name: str, r: dict) -> dict:
    """Print one run's rows (per request kind) and its errors; return it."""
    print(f"\n{name}: {r['pages']} public pages and {r['scans']} QR codes in the mix (details: {r['folder']})")
    print(f"  {'request':22s} {'count':>7s} {'errors':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s}")
    for row in r["rows"]:
        print(f"  {row['Name']:22s} {int(row['Request Count']):7d} {int(row['Failure Count']):7d} "
              f"{float(row['50%']):7.0f} {float(row['95%']):7.0f} {float(row['99%']):7.0f}")
    for failure in r["failures"]:
        print("  ERROR " + failure)
    return r


if __name__ == "__main__":
    raise SystemExit(main())
