"""Flask extensions, created unbound; `create_app` binds them."""
import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations name things the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


@event.listens_for(Engine, "connect")
def _tune_sqlite(connection, _record) -> None:
    """SQLite's defaults suit a small file: 2 MB of page cache and temporary B-trees on
    disk. A ledger at province scale is hundreds of MB and its reports group in temporary
    B-trees, so each connection keeps 64 MB of pages, sorts in memory and maps the file
    (reads without a system call per page). PostgreSQL connections are left alone."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA mmap_size = 268435456")
        cursor.close()


def read_rows(statement):
    """Run a read of plain columns on the session's connection (flushed first when the
    session autoflushes, as its own execute would): the same rows without the ORM's layer
    per row, which costs a tenth of a second on the 20,000–90,000 rows of the regime's
    largest reads."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement)



class Aside:
    """The rows of a read started by `read_aside`: `all()` waits for them."""

    def __init__(self, future: Future):
        self._future = future

    def all(self) -> list:
        return self._future.result()


# Reads aside at once per process, each on a connection of its own: a bound on the extra
# connections (two, above one per request), past which a read runs on the session's.
READERS = 2
_readers: tuple[int, ThreadPoolExecutor, threading.BoundedSemaphore] | None = None
_readers_lock = threading.Lock()


def read_aside(statement, *, aside: bool = True) -> Aside:
    """Start a read of plain columns on a pooled connection of its own, in a thread, and go
    on: SQLite and PostgreSQL work without Python's lock, so on a second core the read
    overlaps what this thread does meanwhile (a regime output's largest read, 0.5–1.2 s at
    bench scale, behind its other reads). The read runs here, now, on the session's
    connection (`read_rows`) instead when *aside* is false (a caller with nothing to do
    meanwhile), when the session's transaction has written anything, which another
    connection could not see (the database is asked: `_has_written`), when the database
    is one connection (in-memory SQLite) or when `READERS` reads are aside already. Either
    way each statement sees the database as committed when it starts, plus the session's
    own writes (SQLite begins no transaction to read, PostgreSQL reads committed)."""
    if db.session.autoflush:
        db.session.flush()
    engine = db.engine
    connection = db.session.connection()
    if aside and not isinstance(engine.pool, (StaticPool, SingletonThreadPool)) \
            and not _has_written(connection):
        executor, slots = _executor()
        if slots.acquire(blocking=False):
            try:
                return Aside(executor.submit(_read, engine, statement, slots))
            except RuntimeError:  # the executor is shut down (the interpreter exiting)
                slots.release()
    return Aside(_done(connection.execute(statement).all()))


def _has_written(connection) -> bool:
    """Whether *connection*'s transaction holds writes not yet committed, as its database
    knows: SQLite's driver opens a transaction only to write; PostgreSQL assigns a
    transaction id at the first write (savepoints and writes inside a CTE included). On
    PostgreSQL also when the transaction is not READ COMMITTED (a server or session set to
    repeatable read keeps a snapshot another connection would not share). Any other
    database: assume it has."""
    name = connection.dialect.name
    if name == "sqlite":
        return connection.connection.dbapi_connection.in_transaction
    if name == "postgresql":
        return connection.exec_driver_sql(
            "SELECT txid_current_if_assigned() IS NOT NULL"
            " OR current_setting('transaction_isolation') <> 'read committed'").scalar()
    return True


def _read(engine: Engine, statement, slots: threading.BoundedSemaphore) -> list:
    """The read aside; its slot is free again before its rows are handed over."""
    try:
        with engine.connect() as connection:
            return connection.execute(statement).all()
    finally:
        slots.release()


def _done(rows: list) -> Future:
    future: Future = Future()
    future.set_result(rows)
    return future


def _executor() -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    """This process's reader threads and their slots (made anew after a fork, in a worker)."""
    global _readers
    with _readers_lock:
        if _readers is None or _readers[0] != os.getpid():
            _readers = (os.getpid(), ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="duban-read"),
                        threading.BoundedSemaphore(READERS))
        return _readers[1], _readers[2]
