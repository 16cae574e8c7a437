"""The regime's outputs on the bench data: compiling the monthly bulletin and the red/black list.

Seeds the bench data like bench/run.py (--reuse keeps an already seeded bench/out/bench.db),
then, in this process, times `redblack(as_of)` and `compile_content("monthly", period)`
(the draft the monthly-bulletin job compiles: every section, red/black list with escalations
included) --repeat times each and prints the median and best against the target.

    .venv/bin/python bench/regime.py                   # seed 2,000 units / 100,000 items first
    .venv/bin/python bench/regime.py --reuse --as-of 2026-11-18 --repeat 5
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from common import add_database_options, flask_env, seeded_database

from tracker import clock, create_app
from tracker.regime.compile import compile_content
from tracker.regime.redblack import redblack

TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--as-of", help="the red/black list's date, YYYY-MM-DD (default: today)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()
    os.environ.update(flask_env(seeded_database(args)[0]))
    app = create_app({"scheduler": {"enabled": False}})
    load_before = os.getloadavg()[0]
    with app.app_context():
        as_of = clock.parse_date(args.as_of, "--as-of") if args.as_of else clock.today()
        month = as_of.replace(day=1) - timedelta(days=1)
        period = f"{month.year}-{month.month:02d}"
        rows = [measure(f"red/black list as of {as_of}", lambda: _redblack(as_of), args.repeat),
                measure(f"monthly bulletin {period}", lambda: _monthly(period, as_of), args.repeat)]
    print_table(rows, load_before)
    return 0 if all(row[-1] for row in rows) else 1


def _redblack(as_of: date) -> str:
    result = redblack(as_of)
    return f"{len(result['red'])} red, {len(result['black'])} black entries"


def _monthly(period: str, as_of: date) -> str:
    content = compile_content("monthly", period, as_of)
    rows = sum(len(s["table"]["rows"]) for s in content["sections"] if s["table"])
    return f"{len(content['sections'])} sections, {rows} table rows"


def measure(name: str, run: Callable[[], str], repeat: int) -> tuple:
    """(name, what it produced, median s, best s, ok) over *repeat* timed runs."""
    samples, produced = [], ""
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        produced = run()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    return name, produced, median, min(samples), median <= TARGET_SECONDS


def print_table(rows: list[tuple], load_before: float) -> None:
    print(f"{'output':<34} {'median s':>9} {'best s':>7} {'target':>7}  result")
    for name, produced, median, best, ok in rows:
        print(f"{name:<34} {median:>9.2f} {best:>7.2f} {TARGET_SECONDS:>6.1f}s  "
              f"{'ok' if ok else 'SLOW'}  ({produced})")
    print(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
          f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
