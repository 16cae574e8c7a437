"""Serving as production runs it, in real processes: `make serve` (gunicorn), schedulers
that hand over the lease when one dies, and the simulated week on PostgreSQL — four web
workers and two schedulers, a test clock advanced Monday to Sunday, every notice sent once
and every job run once per firing."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time as clock_time, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from peers import robots  # noqa: F401 - a fixture
from tracker.clock import LOCAL_TZ
from tracker.config import ROOT
from tracker.extensions import db
from tracker.jobs.registry import DISPATCH, JOBS
from tracker.models import JobRun, Notification, SchedulerLease

VENV_BIN = Path(sys.executable).parent
SECRET = "a-test-secret-that-is-not-the-shipped-one"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str, config: Path | None = None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "DUBAN_"))}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET, **extra)
    if config is not None:
        env["TRACKER_CONFIG"] = str(config)
    return env


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_for(check, seconds: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except (requests.ConnectionError, OSError):
            found = None
        if found:
            return found
        time.sleep(0.1)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def _serve(url: str, tmp_path: Path, workers: int, port: int | None = None):
    """`make serve` on *url* with [server] workers = *workers*; returns (process, base URL, log)."""
    config = tmp_path / "serve.toml"
    config.write_text(f"[server]\nworkers = {workers}\n")
    port = port or _free_port()
    log = tmp_path / "serve.log"
    proc = _start(["make", "-s", "serve", f"VENV={VENV_BIN.parent}", f"PORT={port}"],
                  _env(url, config), log)
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 90, "make serve", log)
    return proc, base, log


def test_make_serve_runs_gunicorn_workers_without_a_scheduler(database_url, tmp_path):
    proc, base, log = _serve(database_url, tmp_path, workers=2)
    try:
        body = requests.get(f"{base}/healthz", timeout=5).json()
        assert body["database"] == "ok" and body["scheduler"]["holder"] is None
        assert requests.get(f"{base}/login", timeout=5).status_code == 200
        assert log.read_text().count("Booting worker with pid") == 2, log.read_text()[-2000:]
        assert "start-up objects frozen for the garbage collector" in log.read_text()
        time.sleep(1)
        assert requests.get(f"{base}/healthz", timeout=5).json()["scheduler"]["holder"] is None
        assert "GET /healthz 200" in log.read_text()
    finally:
        _stop(proc)


def test_make_serve_refuses_the_shipped_key(sqlite_url, tmp_path):
    env = _env(sqlite_url, PORT=str(_free_port()))
    env["SECRET_KEY"] = "dev-only-change-me"
    done = subprocess.run(["make", "-s", "serve", f"VENV={VENV_BIN.parent}"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "refusing to start with the default secret key" in done.stdout + done.stderr


def _holder(app) -> str | None:
    with app.app_context():
        row = db.session.get(SchedulerLease, "scheduler")
        holder = row.holder if row else None
        db.session.remove()
    return holder


def test_a_second_scheduler_takes_over_when_the_first_is_killed(make_app, database_url, tmp_path):
    app = make_app(database_url)
    config = tmp_path / "scheduler.toml"
    config.write_text("[scheduler]\nlease_seconds = 3\nheartbeat_seconds = 1\n")
    cmd = [str(VENV_BIN / "flask"), "--app", "app", "tracker", "scheduler"]
    first = _start(cmd, _env(database_url, config), tmp_path / "first.log")
    try:
        _wait_for(lambda: _holder(app), 60, "the first scheduler to take the lease", tmp_path / "first.log")
        second = _start(cmd, _env(database_url, config), tmp_path / "second.log")
        try:
            _wait_for(lambda: "waits on the lease" in (tmp_path / "second.log").read_text(), 60,
                      "the second scheduler to wait", tmp_path / "second.log")
            assert _holder(app).split(":")[1] == str(first.pid)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
            killed_at = time.monotonic()
            _wait_for(lambda: _holder(app).split(":")[1] == str(second.pid), 15,
                      "the second scheduler to take over", tmp_path / "second.log")
            # lease_seconds + heartbeat_seconds, plus the machine's slack
            assert time.monotonic() - killed_at < 3 + 1 + 6
            assert "holds the lease" in (tmp_path / "second.log").read_text()
        finally:
            _stop(second)
    finally:
        _stop(first, signal.SIGKILL)


# --- the simulated week ------------------------------------------------------------------------

STEPS = (clock_time(8, 0), clock_time(8, 31), clock_time(8, 46), clock_time(9, 1), clock_time(12, 0),
         clock_time(18, 0))


def _next_monday() -> date:
    """The week after the real today, so what the web workers stamp with the real clock is
    already due on the schedulers' test clock."""
    today = datetime.now(LOCAL_TZ).date()
    return today + timedelta(days=7 - today.weekday())


class Schedulers:
    """Scheduler processes on one test clock file; `step(at)` waits for every live one."""

    def __init__(self, folder: Path, env: dict) -> None:
        self.folder, self.env = folder, env
        self.clock = folder / "clock.txt"
        self.procs: dict[str, subprocess.Popen] = {}
        self.count = 0

    def start(self, name: str) -> None:
        (self.folder / f"{name}.ack").unlink(missing_ok=True)
        self.procs[name] = _start([sys.executable, str(ROOT / "tests" / "sim_scheduler.py"),
                                   str(self.clock), str(self.folder / f"{name}.ack")],
                                  self.env, self.folder / f"{name}.log")

    def kill(self, name: str) -> None:
        _stop(self.procs.pop(name), signal.SIGKILL)

    def step(self, at: datetime) -> None:
        self.count += 1
        self.clock.write_text(f"{self.count} {at.isoformat()}")
        for name, proc in self.procs.items():
            ack = self.folder / f"{name}.ack"
            _wait_for(lambda: proc.poll() is not None or (ack.exists() and ack.read_text() == str(self.count)),
                      120, f"scheduler {name} at {at}", self.folder / f"{name}.log")
            assert proc.poll() is None, (self.folder / f"{name}.log").read_text()[-3000:]

    def stop(self) -> None:
        self.clock.write_text("stop")
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                _stop(proc, signal.SIGKILL)


def _build_world(app, robots, monday: date) -> tuple[dict, list[int]]:
    """The office (with a token) and twelve units with a webhook each, four items apiece due
    from two weeks before the simulated week to two weeks after it."""
    from tracker.accounts.operations import create_token, create_unit, create_user
    from tracker.ledger.operations import create_task
    from tracker.models import Channel

    with app.app_context():
        office_unit = create_unit(None, "市百千万工程指挥部办公室", "office")
        office = create_user(None, "office", "办公室", office_unit.id, "office", "correct-horse-1")
        units = [office_unit] + [create_unit(None, f"单位{n:02d}", "department") for n in range(12)]
        for unit in units:
            db.session.add(Channel(unit_id=unit.id, kind="webhook", target=robots.url(f"/webhook/u{unit.id}")))
        db.session.flush()
        tasks = []
        for n, unit in enumerate(units[1:]):
            for k in range(4):
                due = monday + timedelta(days=(n * 4 + k) % 28 - 14)
                tasks.append(create_task(office, title=f"事项{n}-{k}", due_date=due,
                                         lead_unit_id=unit.id).id)
        headers = {"Authorization": f"Bearer {create_token(None, office)}"}
        db.session.commit()
        db.session.remove()
    return headers, tasks


@pytest.mark.postgres
def test_a_simulated_week_with_four_workers_and_two_schedulers_sends_each_notice_once(
        make_app, pg_url, robots, tmp_path):
    app = make_app(pg_url)
    monday = _next_monday()
    headers, tasks = _build_world(app, robots, monday)
    proc, base, serve_log = _serve(pg_url, tmp_path, workers=4)
    config = tmp_path / "sim.toml"
    config.write_text("[notify]\nworkers = 4\n")
    schedulers = Schedulers(tmp_path, _env(pg_url, config))
    web = ThreadPoolExecutor(8)
    answers: list[int] = []

    def office_work(day_index: int) -> list:
        """What the office does through the web workers that day: chase three items, hand out two."""
        calls = [("POST", f"/api/v1/tasks/{tasks[(day_index * 3 + i) % len(tasks)]}/chase", {})
                 for i in range(3)]
        calls += [("POST", "/api/v1/tasks", {"title": f"第{day_index}天交办{i}", "lead_unit_id": 2 + i,
                                              "due_date": (monday + timedelta(days=20)).isoformat()})
                  for i in range(2)]
        calls += [("GET", "/healthz", None)] * 4
        return [web.submit(lambda c=c: requests.request(c[0], base + c[1], json=c[2], headers=headers,
                                                       timeout=30).status_code) for c in calls]

    try:
        schedulers.start("a")
        schedulers.start("b")
        for day_index in range(7):
            day = monday + timedelta(days=day_index)
            if day_index == 3:
                schedulers.start("c")  # b's replacement, racing a from now on
            pending = office_work(day_index)
            for at in STEPS:
                schedulers.step(datetime.combine(day, at, tzinfo=LOCAL_TZ))
                if day_index == 2 and at == clock_time(9, 1):
                    schedulers.kill("b")  # dies mid-week; a goes on, or takes over
            answers += [f.result() for f in pending]
        for extra in (1, 2):  # let the outbox drain what the last steps queued
            schedulers.step(datetime.combine(monday + timedelta(days=6), clock_time(23, extra),
                                             tzinfo=LOCAL_TZ))
    finally:
        schedulers.stop()
        web.shutdown()
        _stop(proc)
    assert Counter(answers) == Counter({201: 7 * 5, 200: 7 * 4}), serve_log.read_text()[-3000:]

    with app.app_context():
        rows = db.session.execute(select(Notification.id, Notification.rule, Notification.status)).all()
        runs = db.session.execute(select(JobRun.job, JobRun.as_of, JobRun.error)
                                  .where(JobRun.job != DISPATCH)).all()
        expected = {(name, monday + timedelta(days=d)) for name in JOBS if name != DISPATCH
                    for d in range(7) if JOBS[name].fires(monday + timedelta(days=d))}
        db.session.remove()
    # Every job once per firing, whichever scheduler held the lease then.
    assert Counter((job, as_of) for job, as_of, _ in runs) == Counter(expected)
    assert all(error is None for *_, error in runs)
    # Every notice sent, and delivered exactly once.
    assert rows and {status for _, _, status in rows} == {"sent"}
    delivered = Counter(json.loads(r.raw)["id"] for r in robots.delivered)
    assert set(delivered) == {id_ for id_, _, _ in rows} and set(delivered.values()) == {1}
    rules = {rule for _, rule, _ in rows}
    assert {"assignment", "chase", "deadline-reminder", "overdue-notice",
            "weekly-overdue-notice", "weekly-overdue-summary"} <= rules, rules
