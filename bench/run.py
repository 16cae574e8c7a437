"""Page and API latency on the bench data (issue 2's targets).

Seeds a fresh SQLite database under bench/out/ (or uses --database; --reuse keeps an
already seeded one), starts the app with `flask run` (Werkzeug's threaded server, scheduler
off) on a free 127.0.0.1 port, logs in as the office, and prints median and p95 latency over
--requests sequential requests for each measured URL.

    .venv/bin/python bench/run.py                   # 2,000 units / 100,000 items / 1,000,000 reports
    .venv/bin/python bench/run.py --reuse --requests 200
"""
from __future__ import annotations

import argparse
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import requests
from common import FLASK, OUT, ROOT, add_database_options, flask, flask_env, seeded_database

from tracker.demo.bench import BENCH_PASSWORD

# (name, target p95 in ms); the URLs come from the data, see `targets`.
TARGETS = {"dashboard": 100, "ledger, overdue": 25, "item page": 50, "unit home": 50,
           "API tasks, overdue": 25}
SEED_TARGET_SECONDS = 180


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per URL first")
    args = parser.parse_args()
    url, seed_seconds = seeded_database(args)
    env = flask_env(url)
    token = flask("tracker", "create-token", "office", env=env).strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "server.log").open("w") as log:
        server = subprocess.Popen([*FLASK, "run", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-reload", "--no-debugger"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, server)
            load_before = os.getloadavg()[0]
            rows = measure(base, token, args.requests, args.warmup)
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print_table(rows, seed_seconds, args)
    # The machine is shared: a busy neighbour shows up here before it shows in the p95s.
    print(f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after; "
          f"{os.cpu_count()} CPUs")
    return 0 if all(ok for *_, ok in rows) else 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the app exited with {server.returncode}; see {OUT / 'server.log'}")
        try:
            requests.get(f"{base}/login", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    sys.exit(f"the app did not answer within {timeout:.0f} s; see {OUT / 'server.log'}")


def login(base: str) -> requests.Session:
    """A session logged in as the office through the login form, CSRF token and all."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        sys.exit("no CSRF token on the login page")
    answer = session.post(f"{base}/login", timeout=10, data={
        "login": "office", "password": BENCH_PASSWORD, "csrf_token": match[1]})
    if answer.status_code != 200 or answer.url.endswith("/login"):
        sys.exit(f"login as office failed ({answer.status_code})")
    return session


def targets(base: str, api: requests.Session) -> list[tuple[str, str, requests.Session | None]]:
    """(name, URL, session) per measured request; the item is the first overdue one (earliest
    deadline) and the unit its lead unit. None: use the logged-in browser session."""
    first = api.get(f"{base}/api/v1/tasks?overdue=true&per_page=1", timeout=30).json()["items"][0]
    return [("dashboard", f"{base}/", None),
            ("ledger, overdue", f"{base}/tasks?overdue=1", None),
            ("item page", f"{base}/tasks/{first['id']}", None),
            ("unit home", f"{base}/units/{first['lead_unit_id']}/home", None),
            ("API tasks, overdue", f"{base}/api/v1/tasks?overdue=true", api)]


def measure(base: str, token: str, count: int, warmup: int) -> list[tuple]:
    browser = login(base)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    rows = []
    for name, url, session in targets(base, api):
        session = session or browser
        for _ in range(warmup):
            fetch(session, url)
        samples = [fetch(session, url) for _ in range(count)]
        median, p95 = statistics.median(samples), percentile(samples, 95)
        rows.append((name, url.removeprefix(base), median, p95, TARGETS[name],
                     p95 <= TARGETS[name]))
    return rows


def fetch(session: requests.Session, url: str) -> float:
    """Milliseconds for one GET, which must answer 200 with the page itself (no redirect)."""
    started = time.perf_counter()
    answer = session.get(url, timeout=60, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        sys.exit(f"GET {url} answered {answer.status_code}")
    return elapsed


def percentile(samples: list[float], pct: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def print_table(rows: list[tuple], seed_seconds: float | None, args: argparse.Namespace) -> None:
    print(f"\n{args.requests} requests per URL after {args.warmup} warm-up; milliseconds")
    print(f"| {'what':<20} | {'URL':<28} | median | p95    | target p95 | ok  |")
    print(f"| {'-' * 20} | {'-' * 28} | ------ | ------ | ---------- | --- |")
    for name, path, median, p95, target, ok in rows:
        print(f"| {name:<20} | {path:<28} | {median:6.1f} | {p95:6.1f} | ≤ {target:<8} | "
              f"{'yes' if ok else 'NO':<3} |")
    if seed_seconds is not None:
        verdict = "yes" if seed_seconds <= SEED_TARGET_SECONDS else "NO"
        print(f"\nbench-seed {args.units} units / {args.tasks} items / {args.reports} reports: "
              f"{seed_seconds:.1f} s (target ≤ {SEED_TARGET_SECONDS} s: {verdict})")


if __name__ == "__main__":
    sys.exit(main())
