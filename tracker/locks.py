"""One writer at a time for a check-then-write: `hold(name)` before reading what the write
depends on (is this login free? which code is next? is there an open draft?), so a second
request doing the same waits for the first's commit and then reads it, instead of both
passing the check and the later one failing on the unique key with a 500.

PostgreSQL takes a transaction-scoped advisory lock on the name (at READ COMMITTED, the
default, each statement after it sees what the first holder committed). SQLite has one writer
for the whole file, and its Python driver reads outside a transaction, so the lock is the
database's write lock, taken at once (BEGIN IMMEDIATE) unless this transaction already
holds it (the driver begins one only to write). Either is released when the transaction
ends: commit or rollback.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import text

from tracker.extensions import db


def hold(name: str) -> None:
    """Hold *name* (e.g. "login:li.si") until this transaction ends; a second holder of the
    same name waits (on SQLite, of any name; up to the busy timeout)."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key(name)})


def key(name: str) -> int:
    """A stable signed 64-bit number for *name* (PostgreSQL's advisory lock key)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
