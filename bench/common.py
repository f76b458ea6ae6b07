"""Shared bits of the benchmarks: a figure row and a best-of-n timer."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    area: str  # kiosk | printing | import | search
    name: str
    value: float
    unit: str
    ratio: float | None  # value / baseline (or budget), lower is better
    against: str  # what the ratio compares with


def sqlite_app(name: str):  # noqa: ANN201 - a Flask app
    """The board on a new, empty SQLite database in a temporary folder (tables created)."""
    import tempfile
    from pathlib import Path

    from disclosure import create_app
    from disclosure.extensions import db

    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'{name}.sqlite'}"})
    with app.app_context():
        db.create_all()
    return app


def best_of(fn: Callable[[], object], repeat: int = 5, clock: Callable[[], float] = time.perf_counter) -> float:
    """Fastest time of ``repeat`` runs, in seconds (the least disturbed run): wall
    time, or ``clock=time.process_time`` for this process's CPU time (work done in
    this process only, less disturbed by other work on a busy machine)."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def print_table(figures: list[Figure]) -> None:
    print(f"{'area':9s} {'figure':52s} {'value':>12s} {'ratio':>8s}  against")
    for f in figures:
        value = f"{f.value:,.3f} {f.unit}" if f.value < 100 else f"{f.value:,.0f} {f.unit}"
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×" if f.ratio >= 0.01 else f"{f.ratio:.4f}×"
        print(f"{f.area:9s} {f.name:52s} {value:>12s} {ratio:>8s}  {f.against}")
