"""A throwaway PostgreSQL server for the tests: its own cluster in a temp folder, on loopback.

Found through `initdb` on PATH or under /usr/lib/postgresql/*/bin. As root the server runs as
the `postgres` system user (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


class PostgresServer:
    """Start with `start()`, stop with `stop()`; `url(dbname)` gives a SQLAlchemy URL."""

    user = "duban"

    def __init__(self) -> None:
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb found)")
        self.dir = Path(tempfile.mkdtemp(prefix="duban-pg-"))
        self.port = _free_port()
        self._version: int | None = None

    def start(self) -> None:
        data = self.dir / "data"
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_owner([str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", self.user,
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._as_owner([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                        "-l", str(self.dir / "server.log"), "start"])

    def stop(self) -> None:
        self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                        "-w", "stop"], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def sql(self, statement: str) -> None:
        """Run one statement (e.g. CREATE DATABASE) outside a transaction."""
        with self.connect() as conn:
            conn.execute(statement)

    def connect(self, dbname: str = "postgres"):
        """An autocommit psycopg connection to *dbname* (the caller closes it)."""
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}",
                               autocommit=True)

    def clone(self, name: str, template: str) -> None:
        """CREATE DATABASE *name* as a copy of *template*: by copying its files where
        PostgreSQL offers the choice (15+), several times faster for a small database than
        the default of writing every page through the WAL."""
        if self._version is None:
            with self.connect() as conn:
                self._version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        strategy = " STRATEGY FILE_COPY" if self._version >= 150000 else ""
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template}{strategy}")

    def _as_owner(self, cmd: list[str], check: bool = True) -> None:
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=check, capture_output=True, cwd="/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
