"""CLI: `backfill-problems` (the problem ledger from reports stored before it existed).
Forecasts are rebuilt by the `forecasts` job: `tracker run-job forecasts [--as-of DAY]`."""
from __future__ import annotations

import click

from tracker.cli import group, transaction
from tracker.foresight import bulk


@group.command("backfill-problems")
def backfill_problems() -> None:
    """Build the problem ledger of every item that has none from its stored reports."""
    with transaction():
        added = bulk.backfill()
    click.echo(f"problems added: {added}")
