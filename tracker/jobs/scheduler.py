"""The scheduler (APScheduler 3, Asia/Shanghai): fires each job at its configured time on
the days its rule allows, dispatches the outbox every minute, renews its lease, and on
taking the lease makes up a run missed while no scheduler held it (once, as of the missed
date, within the grace period).

`flask tracker scheduler` runs it in the foreground (production: one such process). Under
`flask run` (`make run`) it runs in the background of the serving process, never in CLI
commands, the reloader's parent, tests, or when [scheduler] enabled = false. Every action
first takes the database lease, so a second scheduler anywhere stays idle.
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime, time, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker import clock
from tracker.jobs import lease, runner
from tracker.jobs.registry import DISPATCH, JOBS
from tracker.notify.delivery import deliver

log = logging.getLogger("tracker.scheduler")
DEFAULT_TIME = "09:00"


def fire_time(app: Flask, name: str) -> time:
    return time.fromisoformat(app.config["SETTINGS"]["scheduler"]["times"].get(name, DEFAULT_TIME))


def build(app: Flask, kind: type[BaseScheduler]) -> BaseScheduler:
    """A scheduler with every job of the registry on its trigger."""
    cfg = app.config["SETTINGS"]["scheduler"]
    scheduler = kind(timezone=clock.LOCAL_TZ, job_defaults={"coalesce": True, "max_instances": 1,
                                                            "misfire_grace_time": 300})
    for name in JOBS:
        if name != DISPATCH:
            at = fire_time(app, name)
            scheduler.add_job(fire, CronTrigger(hour=at.hour, minute=at.minute, timezone=clock.LOCAL_TZ),
                              args=[app, name], id=name)
    scheduler.add_job(tick, IntervalTrigger(seconds=cfg["dispatch_interval_seconds"]), args=[app],
                      id=DISPATCH)
    scheduler.add_job(heartbeat, IntervalTrigger(seconds=cfg["heartbeat_seconds"]), args=[app],
                      id="heartbeat", next_run_time=clock.now())  # at once, then every few seconds
    return scheduler


_held: dict[str, bool | None] = {"now": None}  # this process's last word on the lease


def heartbeat(app: Flask) -> bool:
    """Renew the lease (the holder) or wait on it (a second scheduler): take it when the
    holder has stopped renewing, and make up what the holder missed."""
    with app.app_context():
        held = lease.acquire()
    if held != _held["now"]:
        _held["now"] = held
        log.info("scheduler %s %s the lease", lease.HOLDER, "holds" if held else "waits on")
        if held:
            catch_up(app)
    return held


def fire(app: Flask, name: str) -> None:
    """The scheduled moment of *name*: run it as of today if today is one of its days."""
    with app.app_context():
        day = clock.today()
        if lease.acquire() and JOBS[name].fires(day) and not runner.has_run(name, day):
            runner.run(name, day, trigger="schedule")


def tick(app: Flask) -> None:
    """Deliver what is due; also keeps the lease renewed."""
    with app.app_context():
        if lease.acquire():
            counts = deliver()
            if any(counts.values()):
                log.info("outbox: %s", counts)


def catch_up(app: Flask) -> list[tuple[str, date]]:
    """Run once, as of its date, each job whose last scheduled firing within the grace
    period has no finished run (the server was down). A job that never ran before (a fresh
    install, a new job) has missed nothing."""
    done = []
    with app.app_context():
        if not lease.acquire():
            return done
        for name in JOBS:
            if name == DISPATCH:
                continue
            missed = last_firing(app, name, clock.now())
            if (missed is not None and runner.has_history(name, missed)
                    and not runner.has_run(name, missed)):
                log.info("catching up %s as of %s", name, missed)
                runner.run(name, missed, trigger="catch-up")
                done.append((name, missed))
    return done


def last_firing(app: Flask, name: str, at: datetime) -> date | None:
    """The date of *name*'s latest scheduled firing at or before *at*, within the grace period."""
    grace = timedelta(hours=app.config["SETTINGS"]["scheduler"]["catch_up_grace_hours"])
    day = clock.local(at).date()
    while True:
        fired_at = clock.local_datetime(day, fire_time(app, name))
        if at - fired_at > grace:
            return None
        if fired_at <= at and JOBS[name].fires(day):
            return day
        day -= timedelta(days=1)


def run_forever(app: Flask) -> None:
    """`flask tracker scheduler`: run in the foreground until interrupted. A second one
    waits on the lease and takes over within `lease_seconds` + `heartbeat_seconds` of the
    first one's end."""
    log.info("scheduler %s starting (jobs: %s)", lease.HOLDER, ", ".join(JOBS))
    build(app, BlockingScheduler).start()


def init_app(app: Flask) -> None:
    """Start the in-process scheduler when this process serves requests and may run it."""
    from tracker import is_serving

    if app.testing or not app.config["SETTINGS"]["scheduler"]["enabled"] or not is_serving():
        return
    if _is_reloader_parent():
        return
    scheduler = build(app, BackgroundScheduler)
    scheduler.start()
    app.extensions["duban.scheduler"] = scheduler
    log.info("in-process scheduler %s started", lease.HOLDER)


def _is_reloader_parent() -> bool:
    """`flask run --reload` loads the app in a watcher process that never serves."""
    import click
    from flask.helpers import get_debug_flag

    ctx = click.get_current_context(silent=True)
    reload = ctx.params.get("reload") if ctx is not None else None
    if reload is None:
        reload = get_debug_flag()
    return bool(reload) and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
