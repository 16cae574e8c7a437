"""Serving and operations in one process: /healthz, backup → restore, request and job log
lines, static cache headers, trusted proxies, evidence in an S3-compatible store, and the
web process carrying no document libraries."""
from __future__ import annotations

import io
import json
import logging
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from api_support import world  # noqa: F401 - a fixture
from conftest import NOW, SERVER_ERRORS
from tracker.config import ROOT
from tracker.extensions import db
from tracker.jobs import lease, runner
from tracker.models import Evidence, Notification
from tracker.serving import backup as backups
from tracker.serving.logs import JSONFormatter


# --- /healthz ---------------------------------------------------------------------------------

def test_healthz_answers_without_login_with_the_scheduler_and_the_outbox(app, client, make_unit):
    body = client.get("/healthz").get_json()
    assert body == {"database": "ok",
                    "scheduler": {"holder": None, "heartbeat_at": None, "stale": True},
                    "outbox": {"pending": 0, "dead": 0, "oldest_pending_at": None}}
    lease.acquire("web1:42:abc")
    unit = make_unit("市发展改革局")
    for n, status in enumerate(("pending", "pending", "dead", "sent")):
        db.session.add(Notification(rule="chase", subject="s", recipient=f"r{n}",
                                    period="2026-11-18", channel_kind="email", target="x@y",
                                    unit_id=unit.id, task_ids=[], title="t", body="b", link="/",
                                    status=status, attempts=0, next_attempt_at=NOW, created_at=NOW))
    db.session.commit()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert body["scheduler"] == {"holder": "web1:42:abc", "heartbeat_at": "2026-11-18T10:00:00+08:00",
                                 "stale": False}
    assert body["outbox"] == {"pending": 2, "dead": 1, "oldest_pending_at": "2026-11-18T10:00:00+08:00"}
    app.config["FIXED_NOW"] = NOW + timedelta(seconds=app.config["SETTINGS"]["scheduler"]["lease_seconds"] + 1)
    assert client.get("/healthz").get_json()["scheduler"]["stale"] is True


def test_healthz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/no/such/folder/duban.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "unreachable"}
    SERVER_ERRORS.clear()  # the 503 is the answer under test


# --- backup and restore -----------------------------------------------------------------------

def _contents() -> dict[str, list]:
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = [tuple(r) for r in rows]
    out["alembic_version"] = db.session.execute(text("SELECT version_num FROM alembic_version")).all()
    return out


def _empty_database_url(app_url: str, tmp_path, request) -> str:
    if app_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/restored.db"
    server = request.getfixturevalue("pg_server")
    server.sql("CREATE DATABASE duban_restored")
    return server.url("duban_restored")


def test_backup_then_restore_into_an_empty_database_is_identical(app, runner, make_world, make_app,
                                                                tmp_path, request):
    world = make_world(tokens=True)
    world.call("lead", "POST", f"/tasks/{world.task.id}/reports", {"progress": 40, "text": "完成投资"})
    db.session.commit()
    before = _contents()
    assert before["tasks"] and before["progress_reports"] and before["audit_events"]
    result = runner.invoke(args=["tracker", "backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    written = result.output.strip()
    assert written.startswith(str(tmp_path / "backups")) and (tmp_path / "backups").exists()

    restored = make_app(_empty_database_url(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, request))
    with restored.app_context():  # the CLI runs in the app context it finds
        restore = restored.test_cli_runner().invoke(args=["tracker", "restore", written])
        assert restore.exit_code == 0, restore.output
        assert _contents() == before
        again = restored.test_cli_runner().invoke(args=["tracker", "restore", written])
        assert again.exit_code == 1 and "not empty" in again.output
        db.session.remove()


def test_restore_refuses_what_is_not_a_backup(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/empty.db")
    (tmp_path / "notes.txt").write_text("not a database")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["tracker", "restore", str(tmp_path / "notes.txt")])
        assert result.exit_code == 1 and "not a SQLite backup" in result.output
        assert inspect(db.engine).get_table_names() == []


def test_pg_tools_are_found_beside_the_servers_initdb():
    from pgserver import binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed")
    assert backups.pg_binary("pg_dump") == str(binaries() / "pg_dump")


# --- logs -------------------------------------------------------------------------------------

def test_one_log_line_per_request_with_its_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.request"):
        client.get("/healthz")
    [line] = [r for r in caplog.records if r.name == "tracker.request"]
    assert line.path == "/healthz" and line.status == 200 and line.duration_ms >= 0
    assert line.getMessage().startswith("GET /healthz 200 ")


def test_one_log_line_per_job_run_and_json_when_configured(app, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.jobs"):
        runner.run("deadline-reminders", NOW.date())
    [line] = [r for r in caplog.records if r.name == "tracker.jobs"]
    record = json.loads(JSONFormatter().format(line))
    assert record["job"] == "deadline-reminders" and record["as_of"] == "2026-11-18"
    assert record["counts"]["queued"] == 0 and record["duration_ms"] >= 0
    assert record["level"] == "INFO" and record["message"].startswith("deadline-reminders as of")


# --- static files and proxies -----------------------------------------------------------------

def test_static_files_are_cached_and_pages_are_not(client, browser, office_user):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.cache_control.public and response.cache_control.max_age == 86400
        assert not response.cache_control.no_cache
    browser.login(office_user.login)
    assert browser.get("/").headers["Cache-Control"] == "no-store"


def test_proxy_headers_are_trusted_only_when_configured(make_app, sqlite_url):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "duban.example.gov.cn"}
    for proxies, expected in ((0, "http://localhost/"), (1, "https://duban.example.gov.cn/")):
        app = make_app(sqlite_url, server={"proxies": proxies})

        @app.route(f"/_whoami{proxies}")
        def whoami():
            from flask import request
            return {"url": request.host_url, "addr": request.remote_addr}

        body = app.test_client().get(f"/_whoami{proxies}", headers=headers).get_json()
        assert body["url"] == expected
        assert (body["addr"] == "203.0.113.9") is bool(proxies)


# --- the web process ----------------------------------------------------------------------------

def test_importing_the_app_does_not_import_the_document_libraries():
    code = ("import sys, app; heavy = [m for m in ('matplotlib', 'numpy', 'openpyxl', 'docx', 'boto3')"
            " if m in sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"SECRET_KEY": "import-check", "PATH": "/usr/bin:/bin",
                               "DATABASE_URL": "sqlite:///:memory:"}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_served_app_leaves_out_commands_migrations_and_the_scheduler():
    """`make serve`'s workers load tracker.serving.wsgi: none of Alembic, APScheduler or
    requests (posting is the scheduler's), while `flask db` still has its commands."""
    code = ("import sys; from tracker.serving.wsgi import app; heavy = [m for m in ('alembic', "
            "'flask_migrate', 'apscheduler', 'requests', 'matplotlib', 'openpyxl') if m in sys.modules];"
            " print(','.join(heavy), 'tracker' in app.cli.commands)")
    env = {"SECRET_KEY": "import-check-" + "x" * 32, "PATH": "/usr/bin:/bin",
           "DATABASE_URL": "sqlite:///:memory:"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "current"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


# --- evidence in an S3-compatible store ----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a loopback port: real HTTP, real S3 wire protocol."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_evidence_uploads_and_downloads_through_the_object_store(app, world, browser, s3_server,
                                                                 tmp_path):
    import boto3

    options = {"endpoint_url": s3_server, "region_name": "us-east-1", "aws_access_key_id": "test",
               "aws_secret_access_key": "test"}
    boto3.client("s3", **options).create_bucket(Bucket="duban-evidence")
    app.config["SETTINGS"]["storage"].update(
        backend="s3", s3_bucket="duban-evidence", s3_prefix="city/", s3_endpoint_url=s3_server,
        s3_access_key_id="test", s3_secret_access_key="test")
    app.extensions.pop("duban.storage", None)
    pdf = "%PDF-1.4 竣工验收报告".encode()
    response = world.client.post(
        f"/api/v1/tasks/{world.task.id}/reports", content_type="multipart/form-data",
        headers=world.headers["lead"],
        data={"progress": "60", "text": "主体完工", "evidence": [(io.BytesIO(pdf), "验收报告.pdf")]})
    assert response.status_code == 201, response.get_json()
    row = db.session.scalar(select(Evidence))
    stored = boto3.client("s3", **options).get_object(Bucket="duban-evidence",
                                                      Key=f"city/{row.stored_name}")["Body"].read()
    assert stored == pdf
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    browser.login("lead-user")
    with browser.get(f"/evidence/{row.id}") as served:
        assert served.status_code == 200 and served.data == pdf
        assert served.mimetype == "application/pdf"
    boto3.client("s3", **options).delete_object(Bucket="duban-evidence", Key=f"city/{row.stored_name}")
    assert browser.get(f"/evidence/{row.id}").status_code == 404


# --- the ledger's page size ---------------------------------------------------------------------

@pytest.mark.parametrize("asked,shown", [(None, 50), ("100", 100), ("200", 120), ("75", 50)])
def test_the_ledger_shows_50_100_or_200_items_a_page(browser, office_user, make_task, make_unit,
                                                     asked, shown):
    from datetime import date

    from tracker.ledger.operations import create_task
    lead = make_unit("市发展改革局")
    for n in range(120):
        create_task(office_user, title=f"事项{n}", due_date=date(2026, 12, 18), lead_unit_id=lead.id)
    db.session.commit()
    browser.login(office_user.login)
    page = browser.get("/tasks" + (f"?per_page={asked}" if asked else ""))
    assert page.status_code == 200
    assert page.data.count(b'href="/tasks/') - page.data.count(b'href="/tasks/new') \
        - page.data.count(b'href="/tasks/print') == shown
