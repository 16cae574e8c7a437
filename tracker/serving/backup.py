"""Backups: a consistent copy of the live database, and loading one into an empty database.

SQLite: the online backup API (a consistent copy while the app writes). PostgreSQL:
`pg_dump --format=custom` and `pg_restore`, found on PATH or under
/usr/lib/postgresql/*/bin (the newest), or in `PG_BIN`.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from tracker.extensions import db


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why."""


def backup(directory: str | Path) -> Path:
    """Write a copy of the app's database into *directory*; returns the file written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        target = folder / f"duban-{stamp}.sqlite3"
        with closing(sqlite3.connect(_sqlite_path(url))) as source, \
                closing(sqlite3.connect(target)) as dest:
            source.backup(dest)
        return target
    target = folder / f"duban-{stamp}.pgdump"
    _run_pg("pg_dump", url, ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target)])
    return target


def restore(file: str | Path) -> None:
    """Load the backup *file* into the app's database, which must be empty (no tables)."""
    path = Path(file)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    tables = inspect(db.engine).get_table_names()
    if tables:
        raise BackupError(f"the database is not empty ({len(tables)} tables, e.g. {tables[0]}); "
                          "restore goes into an empty database")
    db.engine.dispose()
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        if not path.read_bytes()[:16].startswith(b"SQLite format 3"):
            raise BackupError(f"{path} is not a SQLite backup")
        with closing(sqlite3.connect(path)) as source, \
                closing(sqlite3.connect(_sqlite_path(url))) as dest:
            source.backup(dest)
        return
    if path.read_bytes()[:5] != b"PGDMP":
        raise BackupError(f"{path} is not a pg_dump custom-format backup")
    _run_pg("pg_restore", url, ["--no-owner", "--no-privileges", "--exit-on-error",
                                "--single-transaction", str(path)])


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore of the installed server: in PG_BIN, else beside `initdb` (on
    PATH, else the last /usr/lib/postgresql/*/bin), else on PATH."""
    folder = os.environ.get("PG_BIN")
    if not folder:
        initdb = shutil.which("initdb")
        found = ([os.path.realpath(initdb)] if initdb else []) or sorted(
            glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        folder = os.path.dirname(found[-1]) if found else None
    if folder and (Path(folder) / name).is_file():
        return str(Path(folder) / name)
    if shutil.which(name):
        return shutil.which(name)
    raise BackupError(f"{name} not found (install the PostgreSQL client, or set PG_BIN)")


def _run_pg(tool: str, url, args: list[str]) -> None:
    url = make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([pg_binary(tool), *args, f"--dbname={dsn}"], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[:500]}")
