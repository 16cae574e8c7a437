"""CLI: create units, users and API tokens."""
from __future__ import annotations

import sys

import click
from sqlalchemy import select

from tracker.accounts import operations
from tracker.cli import group, transaction
from tracker.extensions import db
from tracker.labels import ROLES, UNIT_KINDS
from tracker.models import User


@group.command("create-unit")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(UNIT_KINDS))
@click.option("--parent", "parent_name", help="Name of the parent unit.")
@click.option("--email", help="Contact email of the unit.")
def create_unit(name: str, kind: str, parent_name: str | None, email: str | None) -> None:
    """Create a unit (单位)."""
    with transaction():
        parent_id = operations.unit_by_name(parent_name, "parent").id if parent_name else None
        unit = operations.create_unit(None, name, kind, parent_id, email)
    click.echo(f"created unit {unit.id} {unit.name} ({unit.kind})")


@group.command("create-user")
@click.argument("login")
@click.option("--unit", "unit_name", required=True, help="Name of the user's unit.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", help="Display name (defaults to LOGIN).")
@click.option("--email", help="Email address.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input.")
def create_user(login: str, unit_name: str, role: str, name: str | None, email: str | None,
                password_stdin: bool) -> None:
    """Create a user; the password is read from stdin."""
    password = sys.stdin.readline().rstrip("\r\n")
    with transaction():
        unit = operations.unit_by_name(unit_name, "unit")
        user = operations.create_user(None, login, name or login, unit.id, role, password, email)
    click.echo(f"created user {user.id} {user.login} ({user.role}, {unit.name})")


@group.command("create-token")
@click.argument("login")
def create_token(login: str) -> None:
    """Print a new API token for LOGIN (and only it)."""
    with transaction():
        user = db.session.scalar(select(User).where(User.login == login))
        if user is None:
            raise click.ClickException(f"no user with login {login}")
        raw = operations.create_token(None, user)
    click.echo(raw)
