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

from conftest import IN_CI
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
            assert time.monotonic() - killed_at < 3 + 1 + 4
            assert "holds the lease" in (tmp_path / "second.log").read_text()
        finally:
            _stop(second)
    finally:
        _stop(first, signal.SIGKILL)
