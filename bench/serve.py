"""The five serving figures of issue 12, against `make serve` (gunicorn) on the bench data.

Seeds 500 units / 100,000 items (bench-seed; --reuse keeps an already seeded database),
starts `make serve` with [server] workers = --workers (2) on a free loopback port, and
measures, each request answering 200:

1. overdue list JSON, 100 rows: `GET /api/v1/tasks?overdue=true&per_page=100`, median/p95;
2. overdue ledger page, 100 rows: `GET /tasks?overdue=1&per_page=100` (office session);
3. throughput: 4 connections (threads, one keep-alive session each) on the JSON list for
   --seconds, requests per second;
4. reminders to all units delivered to an SMTP sink (aiosmtpd): `run-job deadline-reminders`
   then `run-job overdue-notices`, each as its own process, the job's own run time (queue and
   delivery) and the process's wall clock; then both again (everything already queued);
5. RSS (and PSS) of all server processes: the gunicorn master and its workers, after the load.

The machine is shared, so it also prints the server's CPU time per request and the load
average before and after.

    .venv/bin/python bench/serve.py                       # SQLite, bench/out/serve.db
    .venv/bin/python bench/serve.py --reuse
    .venv/bin/python bench/serve.py --database postgresql+psycopg://…/duban_bench
    .venv/bin/python bench/serve.py --postgres            # a throwaway server, as the tests start one
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import date

import requests
from aiosmtpd.controller import Controller
from common import OUT, ROOT, flask, flask_env
from run import fetch, free_port, login, percentile

TARGETS = {"json_median": 7, "json_p95": 12, "page_median": 10, "rps": 300, "reminders": 3.0,
           "reminders_again": 0.5, "rss_mib": 160}
JOBS = ("deadline-reminders", "overdue-notices")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="database URL (default: SQLite bench/out/serve.db)")
    parser.add_argument("--postgres", action="store_true",
                        help="seed and serve a throwaway PostgreSQL server (tests/pgserver.py)")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL")
    parser.add_argument("--seconds", type=float, default=10, help="throughput run length")
    args = parser.parse_args()
    return with_throwaway_postgres(args) if args.postgres else main_with(args)


def main_with(args) -> int:
    url = seed(args)
    with SmtpSink() as smtp:
        env = serve_env(url, args.workers, smtp.port)
        token = flask("tracker", "create-token", "office", env=env).strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        load = [os.getloadavg()[0]]
        with (OUT / "serve.log").open("w") as log:
            server = subprocess.Popen(["make", "-s", "serve", f"PORT={port}",
                                       f"VENV={os.path.dirname(os.path.dirname(sys.executable))}"],
                                      cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
            try:
                wait_until_up(base, server)
                figures = measure(base, token, args, server.pid)
                figures.update(reminders(env, smtp))
                figures["rss_mib"], figures["pss_mib"], figures["anon_mib"] = memory(server.pid)
                load.append(os.getloadavg()[0])
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    report(figures, args, url, load)
    return 0


def with_throwaway_postgres(args) -> int:
    """main() on a database `duban_bench` of a PostgreSQL server started for the run."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pgserver import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        server.sql("CREATE DATABASE duban_bench")
        args.database, args.postgres, args.reuse = server.url("duban_bench"), False, False
        return main_with(args)
    finally:
        server.stop()


def seed(args) -> str:
    path = OUT / "serve.db"
    url = args.database or f"sqlite:///{path}"
    if args.reuse:
        flask("db", "upgrade", env=flask_env(url))  # a database seeded before the newest migrations
        return url
    if not args.database and path.exists():
        path.unlink()
    env = flask_env(url)
    flask("db", "upgrade", env=env)
    started = time.perf_counter()
    flask("tracker", "bench-seed", "--units", str(args.units), "--tasks", str(args.tasks),
          "--reports", str(args.reports), env=env)
    print(f"bench-seed: {time.perf_counter() - started:.1f} s")
    return url


def serve_env(url: str, workers: int, smtp_port: int) -> dict:
    env = flask_env(url)
    config = OUT / "serve.toml"
    config.write_text(f"[scheduler]\nenabled = false\n[server]\nworkers = {workers}\n"
                      f"[mail]\nhost = \"127.0.0.1\"\nport = {smtp_port}\n")
    env["TRACKER_CONFIG"] = str(config)
    return env


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"make serve exited with {server.returncode}; see {OUT / 'serve.log'}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    sys.exit(f"make serve did not answer within {timeout:.0f} s; see {OUT / 'serve.log'}")


# --- latency and throughput ----------------------------------------------------------------

def measure(base: str, token: str, args, root_pid: int) -> dict:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    json_url = f"{base}/api/v1/tasks?overdue=true&per_page=100"
    rows = api.get(json_url, timeout=60).json()
    assert len(rows["items"]) == 100, rows.keys()
    page_url = f"{base}/tasks?overdue=1&per_page=100"
    browser = login(base)
    out = {"overdue_total": rows.get("total")}
    for name, session, url in (("json", api, json_url), ("page", browser, page_url)):
        for _ in range(10):
            fetch(session, url)
        cpu = server_cpu(root_pid)
        samples = [fetch(session, url) for _ in range(args.requests)]
        out[f"{name}_cpu_ms"] = (server_cpu(root_pid) - cpu) * 1000 / args.requests
        out[f"{name}_median"], out[f"{name}_p95"] = statistics.median(samples), percentile(samples, 95)
    cpu = server_cpu(root_pid)
    out["rps"] = throughput(json_url, token, args.seconds)
    out["rps_cpu_ms"] = (server_cpu(root_pid) - cpu) * 1000 / max(out["rps"] * args.seconds, 1)
    return out


def throughput(url: str, token: str, seconds: float, connections: int = 4) -> float:
    done = [0] * connections
    stop = time.monotonic() + seconds

    def hammer(i: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while time.monotonic() < stop:
            if session.get(url, timeout=60).status_code == 200:
                done[i] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


# --- the server's processes --------------------------------------------------------------------

def server_pids(root: int) -> list[int]:
    """The process group of `make serve`: make, the shell, the gunicorn master, the workers."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == root:
                    pids.append(int(entry))
            except ProcessLookupError:
                pass
    return pids


def _comm(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as fh:
        return fh.read().decode(errors="replace")


def server_cpu(root: int) -> float:
    """CPU seconds (user + system) the gunicorn processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server_pids(root):
        try:
            if "gunicorn" not in _comm(pid):
                continue
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / ticks


def memory(root: int) -> tuple[float, float, float]:
    """(RSS, PSS, anonymous RSS) in MiB summed over the gunicorn master and workers.
    Anonymous leaves out file-backed pages: with SQLite those are mostly the memory-mapped
    database file, which is the kernel's page cache shown in each process that maps it."""
    rss = pss = anon = 0
    for pid in server_pids(root):
        if "gunicorn" not in _comm(pid):
            continue
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Anonymous:"):
                    anon += int(line.split()[1])
    return rss / 1024, pss / 1024, anon / 1024


# --- reminders ---------------------------------------------------------------------------------

class SmtpSink:
    """aiosmtpd on a loopback port, counting messages."""

    def __init__(self) -> None:
        self.count = 0
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"

    def __enter__(self):
        import logging
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def reminders(env: dict, smtp: SmtpSink) -> dict:
    """Both reminder jobs as of today, twice: job seconds (the run record) and wall clock.
    What an earlier bench run queued for today is removed first, so the first run sends."""
    as_of = date.today().isoformat()
    forget_todays_reminders(env, as_of)
    out = {}
    for label in ("reminders", "reminders_again"):
        before = smtp.count
        job_seconds = wall = 0.0
        for job in JOBS:
            started = time.perf_counter()
            line = flask("tracker", "run-job", job, "--as-of", as_of, env=env).strip()
            wall += time.perf_counter() - started
            job_seconds += float(flask_sql_duration(env, job))
            out[f"{label}_{job}"] = line
        out[label], out[f"{label}_wall"], out[f"{label}_mails"] = job_seconds, wall, smtp.count - before
    return out


def forget_todays_reminders(env: dict, as_of: str) -> None:
    rules = "('deadline-reminder', 'overdue-notice', 'overdue-escalation')"
    code = ("from tracker import create_app; from tracker.extensions import db; "
            "from sqlalchemy import text; "
            "app = create_app({'scheduler': {'enabled': False}}); ctx = app.app_context(); ctx.push(); "
            f"db.session.execute(text(\"DELETE FROM notifications WHERE period = '{as_of}' AND rule IN {rules}\")); "
            f"db.session.execute(text(\"DELETE FROM unit_notices WHERE period = '{as_of}' AND rule IN {rules}\")); "
            "db.session.commit()")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)


def flask_sql_duration(env: dict, job: str) -> str:
    """Seconds of the latest run of *job*, from its run record (started → finished)."""
    code = ("from tracker import create_app; from tracker.extensions import db; "
            "from tracker.models import JobRun; from sqlalchemy import select; "
            "app = create_app({'scheduler': {'enabled': False}}); ctx = app.app_context(); ctx.push(); "
            f"r = db.session.scalars(select(JobRun).where(JobRun.job == '{job}')"
            ".order_by(JobRun.id.desc()).limit(1)).one(); "
            "print((r.finished_at - r.started_at).total_seconds())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


# --- the table -----------------------------------------------------------------------------------

def report(f: dict, args, url: str, load: list[float]) -> None:
    def verdict(value, target, lower=True):
        return "yes" if (value <= target if lower else value >= target) else "**no**"

    backend = url.split(":", 1)[0].split("+")[0]
    print(f"\n{backend}, {args.units} units / {args.tasks} items / {args.reports} reports, "
          f"`make serve` with {args.workers} workers; overdue items: {f['overdue_total']}")
    print("| figure | measured | target | met | server CPU |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| overdue JSON, 100 rows, median | {f['json_median']:.1f} ms | ≤ 7 ms | "
          f"{verdict(f['json_median'], 7)} | {f['json_cpu_ms']:.1f} ms/request |")
    print(f"| same, p95 | {f['json_p95']:.1f} ms | ≤ 12 ms | {verdict(f['json_p95'], 12)} | |")
    print(f"| overdue ledger page, 100 rows, median | {f['page_median']:.1f} ms (p95 {f['page_p95']:.1f}) "
          f"| ≤ 10 ms | {verdict(f['page_median'], 10)} | {f['page_cpu_ms']:.1f} ms/request |")
    print(f"| throughput, 4 connections | {f['rps']:.0f} req/s | ≥ 300 req/s | "
          f"{verdict(f['rps'], 300, lower=False)} | {f['rps_cpu_ms']:.1f} ms/request |")
    print(f"| reminders to all units (2 jobs), to an SMTP sink | {f['reminders']:.2f} s "
          f"({f['reminders_mails']} mails; {f['reminders_wall']:.1f} s with process start) | ≤ 3 s | "
          f"{verdict(f['reminders'], 3)} | |")
    print(f"| same, second run | {f['reminders_again']:.2f} s ({f['reminders_again_mails']} mails; "
          f"{f['reminders_again_wall']:.1f} s with process start) | ≤ 0.5 s | "
          f"{verdict(f['reminders_again'], 0.5)} | |")
    print(f"| server memory, all processes | RSS {f['rss_mib']:.0f} MiB (PSS {f['pss_mib']:.0f} MiB, "
          f"anonymous {f['anon_mib']:.0f} MiB) "
          f"| ≤ 160 MiB RSS | {verdict(f['rss_mib'], 160)} | |")
    for job in JOBS:
        print(f"  {f['reminders_' + job]}\n  again: {f['reminders_again_' + job]}")
    print(f"load average (1 min) {load[0]:.2f} before, {load[-1]:.2f} after; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
