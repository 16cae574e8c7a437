"""CLI: `seed-demo` (the demo ledger) and `bench-seed` (bulk data for the benchmarks)."""
from __future__ import annotations

import time

import click

from tracker.cli import group, transaction
from tracker.demo import bench, data, seed
from tracker.regime.redblack import keep_placings


@group.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already holds data.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo ledger, units and users (only into an empty database)."""
    if not seed.is_empty():
        if if_empty:
            click.echo("database not empty: demo data not loaded (seed-demo --if-empty)")
            return
        raise click.ClickException(
            "database not empty: seed-demo only loads into an empty database")
    with transaction():
        counts = seed.seed_demo(lambda items: click.progressbar(items, label="演示数据"))
    click.echo(f"demo loaded: {counts['units']} units, {counts['users']} users, "
               f"{counts['tasks']} items, {counts['reports']} reports")
    _print_logins(seed.logins(), data.DEMO_PASSWORD)


@group.command("bench-seed")
@click.option("--units", type=click.IntRange(2), default=2000, show_default=True)
@click.option("--tasks", type=click.IntRange(1), default=100_000, show_default=True)
@click.option("--reports", type=click.IntRange(0), default=1_000_000, show_default=True)
@click.option("--seed", "random_seed", type=int, default=1, show_default=True,
              help="Random seed: the same seed (and day) gives the same data.")
def bench_seed(units: int, tasks: int, reports: int, random_seed: int) -> None:
    """Bulk-load bench data (units, users, tasks, reports) into an empty database."""
    if not seed.is_empty():
        raise click.ClickException(
            "database not empty: bench-seed only loads into an empty database")
    started = time.perf_counter()
    with transaction():
        counts = bench.bench_seed(units, tasks, reports, random_seed,
                                  lambda n, label: click.progressbar(length=n, label=label))
    # The placings a year of nightly keep-placings runs would have kept (after the load is
    # committed: they are written on a connection of their own).
    kept = keep_placings()
    click.echo(f"bench data: {counts['units']} units, {counts['tasks']} tasks, "
               f"{counts['reports']} reports, {kept['counted']} placings kept in "
               f"{time.perf_counter() - started:.1f} s")
    _print_logins(bench.logins(counts["units"]), bench.BENCH_PASSWORD)


def _print_logins(rows: list[tuple[str, str, str]], password: str) -> None:
    click.echo(f"password for every login below: {password}")
    width = max(len(login) for login, _, _ in rows)
    for login, unit, role in rows:
        click.echo(f"  {login:<{width}}  {role:<6}  {unit}")
