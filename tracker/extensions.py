"""Flask extensions, created unbound; `create_app` binds them."""
import sqlite3

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
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
