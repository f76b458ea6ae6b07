"""`python -m bench [--quick]`: every figure of the project in one table of ratios.

kiosk pages vs a bare Flask route of the same size (and the first screen vs
its 150 KB budget), the same pages on PostgreSQL vs SQLite (a throw-away
cluster the bench starts), PDF pages vs bare WeasyPrint, import vs a raw openpyxl
read, search over 1,000,000 roster lines vs a primary-key lookup, a web
worker's resident memory vs a bare Flask worker (and the renderer's peak). Ratios, not
pass/fail: the machine decides the seconds, the ratios show our overhead.
"""

from __future__ import annotations

import argparse
import sys
import time

from . import footprint, importing, kiosk, lookup, postgres, printing, search
from .common import Figure, print_table

AREAS = {"kiosk": kiosk, "postgres": postgres, "printing": printing, "import": importing, "search": search, "lookup": lookup,
         "footprint": footprint}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller version of every figure (under 2 minutes)")
    parser.add_argument("--only", choices=sorted(AREAS), action="append", help="only these areas")
    args = parser.parse_args()
    figures: list[Figure] = []
    started = time.perf_counter()
    for name, module in AREAS.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        figures += module.figures(quick=args.quick)
        print(f"[{name}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
    print_table(figures)
    print(f"\n{'quick' if args.quick else 'full'} run, {time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
