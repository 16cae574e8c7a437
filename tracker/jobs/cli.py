"""`flask tracker run-job` and `flask tracker scheduler`."""
from __future__ import annotations

import click
from flask import current_app

from tracker import clock, require_signing_key, validation
from tracker.cli import group
from tracker.errors import ValidationError
from tracker.jobs import runner, scheduler
from tracker.jobs.registry import JOBS


@group.command("run-job")
@click.argument("name")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Run as of this date (default: today).")
@click.option("--no-send", is_flag=True, help="Queue the messages but do not deliver them now.")
def run_job(name: str, as_of: str | None, no_send: bool) -> None:
    """Run one scheduled job as of a date, then deliver what it queued."""
    require_signing_key(current_app)
    if name not in JOBS:
        raise click.ClickException(f"unknown job {name}; jobs: {', '.join(sorted(JOBS))}")
    try:
        day = validation.parse_day(as_of, "--as-of") if as_of else clock.today()
    except ValidationError as exc:
        raise click.ClickException(exc.message) from None
    try:
        record = runner.run(name, day, send=not no_send)
    except Exception as exc:
        raise click.ClickException(f"{name} as of {day} failed: {type(exc).__name__}: {exc}") from None
    if record.warning:
        click.echo(f"warning: {record.warning}", err=True)
    click.echo(runner.summary(record))


@group.command("scheduler")
def run_scheduler() -> None:
    """Run the scheduler in the foreground (production: exactly one such process)."""
    require_signing_key(current_app)
    scheduler.run_forever(current_app._get_current_object())
