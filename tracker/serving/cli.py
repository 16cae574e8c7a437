"""`flask tracker backup DIR` and `flask tracker restore FILE`."""
from __future__ import annotations

import click

from tracker.cli import group
from tracker.serving import backup as backups


@group.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup(directory: str) -> None:
    """Write a consistent copy of the database into DIRECTORY; prints the file written."""
    try:
        click.echo(backups.backup(directory))
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None


@group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
def restore(file: str) -> None:
    """Load the backup FILE into the configured database, which must be empty."""
    try:
        backups.restore(file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {file}")
