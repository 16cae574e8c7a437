"""Fixtures: one app per run whose database is put back to the migrated template before each
test (make_app for another configuration), clients, logins and factories."""
from __future__ import annotations

import copy
import itertools
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import got_request_exception, request_finished
from flask_migrate import upgrade
from sqlalchemy import event

from tracker import create_app
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.models import Task, Unit, User

from pgserver import PostgresServer, binaries

# Wednesday 18 November 2026, 10:00 in Shanghai: the tests' "now" unless a test moves it.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=LOCAL_TZ)
TODAY = NOW.date()
PASSWORD = "correct-horse-1"


# DUBAN_TEST_DB=postgres runs every test on PostgreSQL instead of SQLite.
BACKEND = os.environ.get("DUBAN_TEST_DB", "sqlite")
IN_CI = os.environ.get("CI") == "true"


def settings_for(url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": True,
        "FIXED_NOW": NOW,
        "database": {"url": url},
        "uploads": {"directory": str(tmp_path / "uploads")},
        "scheduler": {"enabled": False},
        # Real hashing, minus the deliberate slowness that only an attacker should pay.
        "security": {"password_hash": "pbkdf2:sha256:1000"},
    }


def _migrate(url: str, folder: Path) -> None:
    app = create_app(settings_for(url, folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """One SQLite file upgraded through every migration; each test gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of the test run's own; required (never skipped) in CI."""
    if binaries() is None:
        if IN_CI:
            pytest.fail("PostgreSQL is not installed, and CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL is not installed")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server, tmp_path_factory) -> str:
    """A database upgraded through every migration; each test clones it."""
    pg_server.sql("CREATE DATABASE duban_template")
    _migrate(pg_server.url("duban_template"), tmp_path_factory.mktemp("pg"))
    return "duban_template"


_databases = itertools.count(1)


@pytest.fixture
def pg_url(pg_server, pg_template) -> str:
    """URL of a fresh migrated PostgreSQL database for this test."""
    name = f"duban_test_{next(_databases)}"
    pg_server.clone(name, pg_template)
    return pg_server.url(name)


@pytest.fixture
def sqlite_url(migrated_db, tmp_path) -> str:
    """URL of a fresh migrated SQLite database for this test."""
    path = tmp_path / "test.db"
    shutil.copy(migrated_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(request) -> str:
    """A fresh migrated database on the run's backend (DUBAN_TEST_DB)."""
    return request.getfixturevalue("pg_url" if BACKEND == "postgres" else "sqlite_url")


# Every 5xx any app of the run answers (also on a live server's threads, where no exception
# reaches the test): a test during which one happened fails (no_server_errors).
SERVER_ERRORS: list[str] = []


def _watch_for_server_errors(app) -> None:
    def answered(sender, response, **_):
        if response.status_code >= 500:
            from flask import request
            SERVER_ERRORS.append(f"{response.status_code} {request.method} {request.full_path}")

    def raised(sender, exception, **_):
        from flask import request
        SERVER_ERRORS.append(f"{type(exception).__name__} {request.method} {request.full_path}")

    request_finished.connect(answered, app, weak=False)
    got_request_exception.connect(raised, app, weak=False)


@pytest.fixture(autouse=True)
def no_server_errors():
    """No test may see the app answer a 5xx (tests of a 5xx clear SERVER_ERRORS themselves)."""
    SERVER_ERRORS.clear()
    yield
    errors = list(SERVER_ERRORS)
    SERVER_ERRORS.clear()
    assert not errors, f"the app answered a server error: {errors}"


@pytest.fixture
def make_app(tmp_path):
    """make_app(url, **settings) → an app on *url* (for tests that need two, or PostgreSQL)."""
    made = []

    def factory(url: str, **overrides):
        settings = settings_for(url, tmp_path)
        for key, value in overrides.items():
            if isinstance(value, dict):
                settings.setdefault(key, {}).update(value)
            else:
                settings[key] = value
        made.append(create_app(settings))
        _watch_for_server_errors(made[-1])
        return made[-1]

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()


class SharedApp:
    """The test run's one app (create_app is half of a test's set-up), on a database of its
    own. reset() gives every test what a fresh app would be: the database as migrated, the
    configuration as create_app left it, and none of the caches earlier tests filled."""

    def __init__(self, app, restore_database: Callable[[], None]):
        self.app = app
        self.restore_database = restore_database
        self.config = copy.deepcopy(dict(app.config))
        self.extensions = set(app.extensions)  # what create_app bound; the rest are caches

    def reset(self, tmp_path: Path):
        app = self.app
        with app.app_context():
            db.engine.dispose()
        self.restore_database()
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))  # tests change FIXED_NOW and SETTINGS
        app.config["SETTINGS"]["uploads"]["directory"] = str(tmp_path / "uploads")
        for key in set(app.extensions) - self.extensions:  # regime_charts, duban.calendar …
            del app.extensions[key]
        return app

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


def _without_fsync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def _emptying(conn) -> Callable[[], None]:
    """A restore for *conn*'s database, a clone of the migrated template, whose tables are
    the models' and alembic_version, the models' all empty: delete every row and put the
    sequences back (a few ms, where cloning the template again costs some 0.3 s a test and
    TRUNCATE 0.15 s)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    present = {row[0] for row in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert present == {*tables, "alembic_version"}, present ^ {*tables, "alembic_version"}
    for name in tables:
        assert conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == 0, name
    sequences = conn.execute("SELECT schemaname, sequencename, start_value, last_value "
                             "FROM pg_sequences").fetchall()
    assert all(last is None for *_, last in sequences), sequences  # never used yet
    script = "; ".join(
        ["SET LOCAL lock_timeout = '10s'", *(f'DELETE FROM "{name}"' for name in tables),
         *(f"SELECT setval('\"{schema}\".\"{seq}\"', {start}, false)"
           for schema, seq, start, _ in sequences)])

    def restore() -> None:
        with conn.transaction():
            conn.execute(script)

    return restore


@pytest.fixture(scope="session")
def shared_app(request, tmp_path_factory) -> SharedApp:
    """One app for the run on the run's backend and a database of its own, put back to the
    migrated template before each test: on SQLite the template file is copied over it, on
    PostgreSQL (a clone of the template) its rows are deleted and its sequences reset."""
    folder = tmp_path_factory.mktemp("shared")
    conn = None
    if BACKEND == "postgres":
        server = request.getfixturevalue("pg_server")
        server.clone("duban_shared", request.getfixturevalue("pg_template"))
        url = server.url("duban_shared")
        conn = server.connect("duban_shared")
        restore = _emptying(conn)
    else:
        template, path = request.getfixturevalue("migrated_db"), folder / "shared.db"
        url = f"sqlite:///{path}"

        def restore() -> None:
            shutil.copyfile(template, path)
    shared = SharedApp(create_app(settings_for(url, folder)), restore)
    _watch_for_server_errors(shared.app)
    if BACKEND != "postgres":
        with shared.app.app_context():
            # A test's database is thrown away: no fsync per commit (the PostgreSQL server of
            # the tests runs with fsync=off likewise).
            event.listen(db.engine, "connect", _without_fsync)
    yield shared
    shared.close()
    if conn is not None:
        conn.close()


@pytest.fixture
def app(shared_app, tmp_path):
    """The run's app on a freshly migrated database, inside an app context. A test that needs
    another configuration at start-up builds its own with make_app."""
    app = shared_app.reset(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = itertools.count(1)


@pytest.fixture
def make_unit(app):
    """make_unit(name=None, kind="department", parent=None) → Unit (committed)."""
    from tracker.accounts.operations import create_unit

    def factory(name: str | None = None, kind: str = "department", parent=None, email=None):
        unit = create_unit(None, name or f"单位{next(_seq)}", kind,
                           parent.id if parent else None, email)
        db.session.commit()
        return unit

    return factory


@pytest.fixture
def make_user(app, make_unit):
    """make_user(role="unit", unit=None, login=None) → User (committed), password PASSWORD."""
    from tracker.accounts.operations import create_user

    def factory(role: str = "unit", unit=None, login: str | None = None, email=None):
        unit = unit or make_unit(kind="office" if role == "office" else "department")
        user = create_user(None, login or f"user{next(_seq)}", f"用户{next(_seq)}", unit.id, role,
                           PASSWORD, email)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def office_user(make_user, make_unit):
    return make_user("office", make_unit("市百千万工程指挥部办公室", "office"), login="office")


@pytest.fixture
def make_task(app, office_user, make_unit):
    """make_task(lead=None, co=(), due=TODAY+30d, **fields) → Task, assigned by the office."""
    from tracker.ledger.operations import create_task

    def factory(lead=None, co=(), due: date | None = None, **fields):
        lead = lead or make_unit()
        task = create_task(office_user, title=fields.pop("title", f"事项{next(_seq)}"),
                           due_date=due or date(2026, 12, 18), lead_unit_id=lead.id,
                           co_unit_ids=[u.id for u in co], **fields)
        db.session.commit()
        return task

    return factory


ROLES = ("office", "lead", "co", "other", "leader")


@dataclass
class World:
    """The role world: the office, a task's lead unit and co-unit, another unit, a leader."""

    client: Any
    office: Unit
    lead: Unit | None
    co: Unit | None
    other: Unit | None
    task: Task | None
    users: dict[str, User]
    headers: dict[str, dict[str, str]]

    def call(self, who: str, method: str, url: str, json: Any = None, **kw):
        """Send *method* to /api/v1*url* with *who*'s token (make_world(tokens=True))."""
        return self.client.open(f"/api/v1{url}", method=method, headers=self.headers[who],
                                json=json, **kw)


@pytest.fixture
def make_world(client, office_user):
    """make_world(**options) → World, built in one transaction (many tests build one).

    Units (name, or None for no such unit): lead="市发展改革局", co="市工业和信息化局",
    other="市投资促进局"; emails={role: address} for them. users: the roles that get a user
    besides the office (login `login.format(role=role)` unless logins={role: login}); the
    leader sits in a unit of its own, 市领导, unless leader_unit names the role of another.
    task: a task the office assigns to lead with co as co-unit, True for the default one, a
    dict for its fields (title, due_date …) or False for none. tokens=True gives every user
    a bearer token in world.headers."""
    from tracker.accounts import operations as accounts
    from tracker.ledger.operations import create_task

    def factory(*, lead: str | None = "市发展改革局", co: str | None = "市工业和信息化局",
                other: str | None = "市投资促进局", emails: dict[str, str] | None = None,
                users=ROLES[1:], login: str = "{role}", logins: dict[str, str] | None = None,
                leader_unit: str | None = None, task: dict | bool = True,
                tokens: bool = False) -> World:
        emails, logins = emails or {}, logins or {}
        units = {"office": office_user.unit}
        for role, name in (("lead", lead), ("co", co), ("other", other)):
            units[role] = name and accounts.create_unit(None, name, "department", None,
                                                        emails.get(role))
        people = {"office": office_user}
        for role in users:
            if role == "leader":
                unit = units[leader_unit] if leader_unit else \
                    accounts.create_unit(None, "市领导", "other")
            else:
                unit = units[role]
            people[role] = accounts.create_user(
                None, logins.get(role, login.format(role=role)), f"{role}用户", unit.id,
                "leader" if role == "leader" else "unit", PASSWORD)
        item = None
        if task:
            fields = {"title": "重点产业项目完成投资", "due_date": date(2026, 12, 18),
                      **(task if isinstance(task, dict) else {})}
            item = create_task(office_user, lead_unit_id=units["lead"].id,
                               co_unit_ids=[units["co"].id] if units["co"] else [], **fields)
        headers = {role: {"Authorization": f"Bearer {accounts.create_token(None, user)}"}
                   for role, user in people.items()} if tokens else {}
        db.session.commit()
        return World(client, units["office"], units["lead"], units["co"], units["other"], item,
                     people, headers)

    return factory


@pytest.fixture
def token_for(app):
    """token_for(user) → headers dict with a fresh bearer token."""
    from tracker.accounts.operations import create_token

    def factory(user) -> dict[str, str]:
        raw = create_token(None, user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return factory


class Browser:
    """A logged-in test client that fetches CSRF tokens from forms like a person would."""

    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post("/login", data={"login": login, "password": password,
                                                "csrf_token": csrf_from(page)})

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, form_url=None, **kw):
        """POST *data* with the CSRF token taken from *form_url* (default: *url*'s page)."""
        page = self.client.get(form_url or url)
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_from(page))
        return self.client.post(url, data=data, **kw)


def csrf_from(response) -> str:
    import re

    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', response.data) or \
        re.search(rb'name="csrf-token" content="([^"]+)"', response.data)
    assert match, "page has no CSRF token"
    return match.group(1).decode()


@pytest.fixture
def browser(client):
    """browser.login(user.login) then browser.get/post."""
    return Browser(client)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port (for Chromium); yields its URL."""
    import threading

    from werkzeug.serving import make_server

    def buffered(environ, start_response):
        # Each answer read whole (and a sent file closed) before it is written: when Chromium
        # drops a connection mid-answer (a favicon it no longer wants), Werkzeug's
        # development server can skip closing the response, and the open file then fails the
        # test that happens to be running as an unraisable ResourceWarning.
        chunks = app(environ, start_response)
        try:
            return [b"".join(chunks)]
        finally:
            if hasattr(chunks, "close"):
                chunks.close()

    server = make_server("127.0.0.1", 0, buffered, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; required (never skipped) in CI."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        if IN_CI:
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()
