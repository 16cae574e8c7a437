"""The `flask tracker …` command group; each feature adds its commands to `group`."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.errors import DomainError
from tracker.extensions import db

group = AppGroup("tracker", help="Duban (督办) administration and jobs.")


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Commit on success; on a refused rule roll back and exit 1 with a one-line reason."""
    try:
        yield
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        where = f" ({exc.field})" if exc.field else ""
        raise click.ClickException(f"{exc.message}{where}") from None
    except Exception:
        db.session.rollback()
        raise


def register(app: Flask) -> None:
    """Attach the group, with every feature's commands, to *app*."""
    from tracker.accounts import cli as _accounts  # noqa: F401 - registers commands
    from tracker.demo import cli as _demo  # noqa: F401 - registers commands
    from tracker.foresight import cli as _foresight  # noqa: F401 - registers commands
    from tracker.jobs import cli as _jobs  # noqa: F401 - registers commands
    from tracker.serving import cli as _serving  # noqa: F401 - registers commands
    from tracker.spreadsheets import cli as _spreadsheets  # noqa: F401 - registers commands

    app.cli.add_command(group)
