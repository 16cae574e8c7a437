"""Flask extensions, created unbound; `create_app` binds them."""
import os
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool, SingletonThreadPool, StaticPool
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


# Statements that only read, by their first word: any other statement, and any the compiler
# knows writes (an UPDATE led by a WITH clause), marks its connection as holding writes until
# its transaction ends (`_note_writes`), which is what `read_aside` asks.
_READS = frozenset({"SELECT", "WITH", "PRAGMA", "EXPLAIN", "SHOW", "VALUES"})
_WROTE = "duban_wrote"


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    if _WROTE in connection.info:
        return
    words = statement.lstrip()[:8].split(None, 1)
    if (not words or words[0].upper() not in _READS
            or (context is not None and (context.isinsert or context.isupdate or context.isdelete
                                         or context.isddl))):
        connection.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_over(connection) -> None:
    connection.info.pop(_WROTE, None)


@event.listens_for(Pool, "reset")
def _reset(_dbapi_connection, record, _state) -> None:
    record.info.pop(_WROTE, None)


class Aside:
    """The rows of a read started by `read_aside`: `all()` waits for them."""

    def __init__(self, future: Future):
        self._future = future

    def all(self) -> list:
        return self._future.result()


_pool: tuple[int, ThreadPoolExecutor] | None = None


def read_aside(statement) -> Aside:
    """Start a read of plain columns on a pooled connection of its own, in a thread, and go
    on: SQLite and PostgreSQL work without Python's lock, so on a second core the read
    overlaps what this thread does meanwhile (a regime output's largest read, 0.5–1.2 s at
    bench scale, behind its other reads). The rows are what `read_rows` would give when the
    session holds no writes yet to commit, which another connection could not see: then,
    and where the database is one connection (in-memory SQLite), the read runs here, now.
    Each statement still sees the database as committed when it starts, as on the session's
    own connection (SQLite begins no transaction to read, PostgreSQL reads committed)."""
    if db.session.autoflush:
        db.session.flush()
    engine = db.engine
    session_connection = db.session.connection()
    if session_connection.info.get(_WROTE) or isinstance(engine.pool, (StaticPool, SingletonThreadPool)):
        return Aside(_done(session_connection.execute(statement).all()))
    return Aside(_executor().submit(_read, engine, statement))


def _read(engine: Engine, statement) -> list:
    with engine.connect() as connection:
        return connection.execute(statement).all()


def _done(rows: list) -> Future:
    future: Future = Future()
    future.set_result(rows)
    return future


def _executor() -> ThreadPoolExecutor:
    """This process's reader threads (made after a fork, as a worker's)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="duban-read"))
    return _pool[1]
