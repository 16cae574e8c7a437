"""CLI: `tracker import-xlsx FILE` and `tracker export-xlsx FILE`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from tracker.accounts.operations import unit_by_name
from tracker.cli import group, transaction
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.ledger.operations import task_query
from tracker.models import User
from tracker.spreadsheets.export import ledger_xlsx
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.ledger_import import commit, import_ledger


def _office_user(login: str | None) -> User:
    """The office user the command acts as: *login*, or the first active office user."""
    query = select(User).where(User.role == "office", User.is_active.is_(True))
    user = db.session.scalar(query.where(User.login == login) if login else query.order_by(User.id))
    if user is None:
        raise click.ClickException(f"no active office user {login or ''}".strip()
                                   + " (create one with tracker create-user … --role office)")
    return user


@group.command("import-xlsx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and compare only; write nothing.")
@click.option("--create-units", is_flag=True, help="Create the units the sheet names that do not exist.")
@click.option("--as", "login", help="Office user to act as (default: the first office user).")
def import_xlsx(file: Path, dry_run: bool, create_units: bool, login: str | None) -> None:
    """Import a ledger workbook (.xlsx, .xls, .et, .ods); all or nothing. Errors go to
    stderr as `SHEET 第R行「COLUMN」：message`, one a line, and the exit status is 1."""
    actor = _office_user(login)
    with transaction():
        try:
            plan = import_ledger(actor, file.read_bytes(), file.name, dry_run=True,
                                 create_units=create_units)
            if not dry_run:
                with click.progressbar(length=max(1, len(plan.rows)), label="导入",
                                       file=sys.stderr) as bar:
                    commit(actor, plan, file.name, lambda done: bar.update(done - bar.pos))
        except SheetRejected as exc:
            for issue in exc.issues:
                click.echo(issue.text(), err=True)
            raise click.exceptions.Exit(1) from None
    s = plan.summary()
    click.echo(f"rows {s['rows']}: created {s['created']}, updated {s['updated']}, "
               f"unchanged {s['unchanged']}" + (" (dry run, nothing written)" if dry_run else ""))


@group.command("export-xlsx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_name", help="Only the items this unit leads or co-handles.")
def export_xlsx(file: Path, unit_name: str | None) -> None:
    """Write the ledger (or one unit's items) in the import layout, with each item's state."""
    actor = _office_user(None)
    try:
        unit = unit_by_name(unit_name, "unit") if unit_name else None
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    tasks = task_query(actor, unit_id=unit.id if unit else None)
    title = f"{unit.name}事项清单" if unit else "任务清单"
    file.write_bytes(ledger_xlsx(tasks, title))
    click.echo(f"wrote {file}")
