"""The weekly overdue notice (周调度) on the bench data: queue time, delivery time, messages/s.

Seeds the bench data like bench/run.py (--reuse keeps an already seeded bench/out/bench.db)
and copies it to bench/out/notify.db, so every run starts with an empty outbox. Every unit
gets a signed `webhook` channel pointing at a local webhook sink (a threaded HTTP server on
127.0.0.1 that answers 200 at once), and [mail] points at a local SMTP sink (aiosmtpd): the
bench units have email addresses, so their digests also go by email. Then, each as its own
process through the CLI, exactly as an operator would run them:

    queue:    flask tracker run-job weekly-overdue-notice --as-of D --no-send
    delivery: flask tracker run-job dispatch-outbox

and checks that the outbox is empty and the sinks received exactly one message per queued
notification. Times are wall clock including process start, and the job's own run record.

    .venv/bin/python bench/notify.py                  # seed 2,000 units / 100,000 items first
    .venv/bin/python bench/notify.py --reuse --as-of 2026-11-23
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from common import OUT, add_database_options, flask, flask_env, seeded_database
from run import free_port
from sqlalchemy import select

from tracker import clock, create_app
from tracker.extensions import db
from tracker.models import JobRun, Notification, Unit, User
from tracker.notify.channel_settings import add_channel

TARGET_SECONDS = 20
JOB = "weekly-overdue-notice"
DISPATCH = "dispatch-outbox"
SECRET = "bench-webhook-secret"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the notice's date (default: today)")
    args = parser.parse_args()
    as_of = args.as_of or clock.today()
    url = working_copy(seeded_database(args)[0])
    with WebhookSink() as webhook, SmtpSink() as smtp:
        env = bench_env(url, smtp.port)
        os.environ.update(env)
        app = create_app({"scheduler": {"enabled": False}})
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        with app.app_context():
            add_webhooks(webhook)
        load_before = os.getloadavg()[0]
        queue_wall = timed(JOB, "--as-of", as_of.isoformat(), "--no-send", env=env)
        delivery_wall = timed(DISPATCH, env=env)
        with app.app_context():
            result = Result(as_of, load_before, queue_wall, delivery_wall, *read_runs(),
                            read_outbox())
        result.check(webhook.received(), smtp.received())
    result.print()
    return 0 if result.ok else 1


# --- the database and the app -------------------------------------------------------------

def working_copy(url: str) -> str:
    """A fresh copy of the seeded SQLite database in bench/out/notify.db (an empty outbox)."""
    if not url.startswith("sqlite:///"):
        sys.exit("bench/notify.py works on a copy of a SQLite bench database")
    source = url.removeprefix("sqlite:///")
    target = OUT / "notify.db"
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        if not dst.execute("SELECT EXISTS (SELECT 1 FROM tasks)").fetchone()[0]:
            sys.exit(f"{source} holds no bench data yet (still being seeded?)")
    return f"sqlite:///{target}"


def bench_env(url: str, smtp_port: int) -> dict[str, str]:
    """bench/run.py's environment with its own config file: scheduler off, mail to the sink."""
    env = flask_env(url)
    config = OUT / "notify.toml"
    config.write_text(f'[scheduler]\nenabled = false\n\n[mail]\nhost = "127.0.0.1"\n'
                      f'port = {smtp_port}\nsecurity = "none"\n')
    env["TRACKER_CONFIG"] = str(config)
    return env


def add_webhooks(sink: WebhookSink) -> None:
    """A signed webhook channel to the sink for every unit, added by the office."""
    office = db.session.scalar(select(User).where(User.login == "office"))
    for unit in db.session.scalars(select(Unit).order_by(Unit.id)).all():
        add_channel(office, unit, "webhook", sink.url(unit.id), secret=SECRET)
    db.session.commit()


def timed(job: str, *options: str, env: dict[str, str]) -> float:
    """Seconds for `flask tracker run-job JOB OPTIONS`, process start included."""
    started = time.perf_counter()
    flask("tracker", "run-job", job, *options, env=env)
    return time.perf_counter() - started


def read_runs() -> tuple[JobRun, JobRun]:
    runs = {r.job: r for r in db.session.scalars(select(JobRun).where(JobRun.job.in_((JOB, DISPATCH))))}
    return runs[JOB], runs[DISPATCH]


def read_outbox() -> list[tuple]:
    """(id, channel kind, target, status) of every notification."""
    return db.session.execute(select(Notification.id, Notification.channel_kind,
                                     Notification.target, Notification.status)).all()


# --- the sinks -------------------------------------------------------------------------------

@dataclass
class WebhookSink:
    """Answers every POST with 200 at once; records the notification id it carried and whether
    its X-Duban-Signature verified."""

    ids: list[int] = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> WebhookSink:
        self.server = _Server(("127.0.0.1", 0), _webhook_handler(self))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, unit_id: int) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhook/{unit_id}"

    def record(self, raw: bytes, signature: str | None) -> None:
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        with self.lock:
            self.ids.append(json.loads(raw)["id"])
            self.bad_signatures += signature != expected

    def received(self) -> tuple[Counter, int]:
        return Counter(self.ids), self.bad_signatures


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 would make parallel senders wait for SYN retries


def _webhook_handler(sink: WebhookSink):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            sink.record(self.rfile.read(int(self.headers["Content-Length"])),
                        self.headers.get("X-Duban-Signature"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that accepts every message and counts its recipients."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recipients: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def received(self) -> Counter[str]:
        return self.recipients


# --- the figures -----------------------------------------------------------------------------

@dataclass
class Result:
    as_of: date
    load_before: float
    queue_wall: float
    delivery_wall: float
    queue_run: JobRun
    delivery_run: JobRun
    outbox: list[tuple]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.total <= TARGET_SECONDS

    @property
    def total(self) -> float:
        return self.queue_wall + self.delivery_wall

    def check(self, webhook: tuple[Counter, int], smtp: Counter) -> None:
        """Every notification sent, and received exactly once by its sink."""
        ids, bad_signatures = webhook
        statuses = Counter(status for *_, status in self.outbox)
        if set(statuses) != {"sent"}:
            self.problems.append(f"outbox not empty: {dict(statuses)}")
        hooks = Counter(n_id for n_id, kind, _, _ in self.outbox if kind == "webhook")
        if ids != hooks:
            self.problems.append(f"webhook sink: {ids.total()} requests for {hooks.total()} "
                                 f"notifications, {len(ids - hooks) + len(hooks - ids)} ids off")
        if bad_signatures:
            self.problems.append(f"webhook sink: {bad_signatures} bad signatures")
        mails = Counter(target for _, kind, target, _ in self.outbox if kind == "email")
        if smtp != mails:
            self.problems.append(f"SMTP sink: {smtp.total()} messages for {mails.total()} "
                                 f"email notifications")

    def print(self) -> None:
        counts = self.queue_run.counts
        kinds = Counter(kind for _, kind, _, _ in self.outbox)
        messages = len(self.outbox)
        print(f"\n{JOB} as of {self.as_of}: {counts['units']} units with {counts['items']} "
              f"overdue items, plus the office summary")
        print(f"queue     {self.queue_wall:6.1f} s  ({seconds(self.queue_run):.1f} s in the job)  "
              f"{counts['queued']} notifications: "
              + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
        print(f"delivery  {self.delivery_wall:6.1f} s  ({seconds(self.delivery_run):.1f} s in the "
              f"job)  {messages} messages, {messages / self.delivery_wall:.0f} messages/s "
              f"({messages / seconds(self.delivery_run):.0f}/s in the job)")
        print(f"total     {self.total:6.1f} s  (target ≤ {TARGET_SECONDS} s: "
              f"{'yes' if self.total <= TARGET_SECONDS else 'NO'}); wall clock includes two "
              f"process starts")
        print("sinks     " + ("; ".join(self.problems) if self.problems else
                              "each notification received exactly once, signatures verified"))
        # The machine is shared: a busy neighbour slows delivery as much as any code does.
        print(f"load average (1 min) {self.load_before:.2f} before, {os.getloadavg()[0]:.2f} "
              f"after; {os.cpu_count()} CPUs")


def seconds(run: JobRun) -> float:
    return (run.finished_at - run.started_at).total_seconds()


if __name__ == "__main__":
    sys.exit(main())
