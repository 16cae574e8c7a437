"""Pages and sessions after issue 10: the dispatch page shows a unit only its own agreed
items, a saved session cookie stops working after logout, a password reset or deactivation,
sessions expire, the headers hold, passwords follow the policy, and the keys are checked."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import NOW, csrf_from
from test_regime_dispatch import _meeting, week  # noqa: F401
from tracker.accounts import operations as accounts
from tracker.errors import ValidationError
from tracker.extensions import db


def test_a_unit_sees_only_its_own_agreed_items_and_no_meeting_notes(browser, week, client):
    browser.login("office")
    assert _meeting(browser, week).status_code == 302
    browser.post("/logout", form_url="/tasks")
    browser.login("gxj")
    this_week = browser.get("/regime/dispatch?period=2026-W46").get_data(as_text=True)
    meetings = this_week.split('id="meetings"')[1]
    assert "协调解决5G基站用地" in meetings and "园区污水管网接入" not in meetings
    assert "研究5G基站建设推进" not in meetings  # the office's notes
    review = browser.get("/regime/dispatch?period=2026-W47").get_data(as_text=True).split(
        'id="agreed-review"')[1].split("</section>")[0]
    assert "协调解决5G基站用地" in review and "园区污水管网接入" not in review


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _signed_in(app, cookie: str) -> bool:
    """Whether a request carrying *cookie* (saved earlier) is signed in."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    with app.app_context():  # a fresh `g`: nothing an earlier request cached
        return other.get("/tasks").status_code == 200


@pytest.mark.parametrize("end", ["logout", "reset", "deactivate", "reactivate"])
def test_a_saved_session_cookie_is_refused_after_it_ended(app, make_world, browser, end):
    world = make_world(task=False)
    browser.login("lead")
    saved = _cookie(browser.client)
    assert _signed_in(app, saved)
    lead = world.users["lead"]
    if end == "logout":
        assert browser.post("/logout", form_url="/tasks").status_code == 302
    elif end == "reset":  # the office's reset, as its page calls it
        accounts.set_password(world.users["office"], lead, "a-new-password-7")
    else:
        accounts.set_user_active(world.users["office"], lead, False)
        if end == "reactivate":
            accounts.set_user_active(world.users["office"], lead, True)
    db.session.commit()
    assert not _signed_in(app, saved)


def test_a_password_reset_revokes_the_users_tokens_unless_kept(app, make_world, token_for):
    world = make_world(task=False)
    office, lead, co = world.users["office"], world.users["lead"], world.users["co"]
    headers = token_for(lead)
    assert app.test_client().get("/api/v1/users/me", headers=headers).status_code == 200
    accounts.set_password(office, lead, "a-new-password-7")
    db.session.commit()
    assert app.test_client().get("/api/v1/users/me", headers=headers).status_code == 401
    kept = token_for(co)
    accounts.set_password(office, co, "a-new-password-8", keep_tokens=True)
    db.session.commit()
    assert app.test_client().get("/api/v1/users/me", headers=kept).status_code == 200


def test_sessions_end_when_idle_or_too_old(app, make_world, browser):
    make_world(task=False)
    browser.login("lead")
    assert browser.get("/tasks").status_code == 200
    app.config["FIXED_NOW"] = NOW + timedelta(hours=8, minutes=1)
    assert browser.get("/tasks").status_code == 302  # idle: to the login page
    app.config["FIXED_NOW"] = NOW
    assert browser.login("lead").status_code == 302
    statuses = {}
    for hours in range(7, 7 * 24 + 8, 7):  # never idle, until past seven days
        app.config["FIXED_NOW"] = NOW + timedelta(hours=hours)
        statuses[hours] = browser.get("/tasks").status_code
    assert set(statuses.values()) == {200, 302}
    assert all(status == (200 if hours <= 7 * 24 else 302) for hours, status in statuses.items())


@pytest.mark.parametrize("password", ["12345678", "aaaaaaaaaa", " " * 10, "1234567890",
                                      "qwertyuiop", "lead"])
def test_weak_passwords_are_refused(app, make_world, password):
    world = make_world(task=False)
    with pytest.raises(ValidationError) as refused:
        accounts.set_password(world.users["office"], world.users["lead"], password)
    assert refused.value.field == "password"


def test_a_password_equal_to_the_login_is_refused(app, make_world):
    world = make_world(task=False, logins={"lead": "liaison-fgj"})
    with pytest.raises(ValidationError):
        accounts.set_password(world.users["office"], world.users["lead"], "Liaison-FGJ")


def test_the_login_form_takes_every_password_the_policy_allows(app, make_world, client):
    world = make_world(task=False)
    long = "长" * 100 + "x" * 100
    accounts.set_password(world.users["office"], world.users["lead"], long)
    db.session.commit()
    page = client.get("/login")
    response = client.post("/login", data={"login": "lead", "password": long,
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 302


def test_an_unknown_login_costs_a_hash_check_like_a_known_one(app, make_world, monkeypatch):
    make_world(task=False)
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, pw: checked.append(stored) or real(stored, pw))
    for login in ("lead", "nobody-here"):
        with pytest.raises(ValidationError):
            accounts.authenticate(login, "wrong-password-1", "10.0.0.1")
    assert len(checked) == 2 and checked[1].startswith("pbkdf2:sha256:1000")


def test_pages_carry_a_csp_and_authenticated_pages_are_not_stored(app, make_world, browser):
    make_world(task=False)
    login = browser.get("/login")
    csp = login.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert login.headers["Referrer-Policy"]
    browser.login("lead")
    tokens = browser.post("/admin/tokens", {})
    assert "dbn_" in tokens.get_data(as_text=True)
    assert tokens.headers["Cache-Control"] == "no-store"
    assert browser.get("/tasks").headers["Cache-Control"] == "no-store"
    assert "onclick=" not in browser.get("/regime/").get_data(as_text=True)


def test_every_template_is_free_of_inline_script():
    from pathlib import Path
    import re

    for path in (Path(__file__).resolve().parent.parent / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=", text), path


def _signing_app(make_app, database_url, key, demo=False):
    """An app as `flask tracker …` builds it outside tests (maintenance may use any key)."""
    import click

    with click.Context(click.Command("tracker"), info_name="tracker"):
        return make_app(database_url, TESTING=False, SECRET_KEY=key, app={"demo": demo})


def test_run_job_and_the_scheduler_refuse_the_shipped_key(make_app, database_url):
    from tracker.config import DEFAULT_SECRET_KEY

    app = _signing_app(make_app, database_url, DEFAULT_SECRET_KEY)
    for args in (["tracker", "run-job", "deadline-reminders", "--no-send"], ["tracker", "scheduler"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0
        assert "default secret key" in result.output and len(result.output.strip().splitlines()) == 1
    demo = _signing_app(make_app, database_url, DEFAULT_SECRET_KEY, demo=True)
    assert demo.test_cli_runner().invoke(
        args=["tracker", "run-job", "deadline-reminders", "--no-send"]).exit_code == 0


def test_an_empty_secret_key_stops_start_up(make_app, database_url):
    from tracker.config import ConfigError

    with pytest.raises(ConfigError, match="empty secret key"):
        make_app(database_url, SECRET_KEY="")


def _upload(world, name: str, content: bytes):
    import io

    return world.client.post(f"/api/v1/tasks/{world.task.id}/reports", headers=world.headers["lead"],
                             data={"progress": "20", "text": "进展", "evidence": [(io.BytesIO(content), name)]},
                             content_type="multipart/form-data")


@pytest.mark.parametrize("name,content", [
    ("通知.pdf", b"<html><script>alert(1)</script></html>"),
    ("照片.png", b"%PDF-1.4 not a picture"),
    ("台账.xlsx", b"PK\x03\x04 not a workbook"),
    ("说明.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
])
def test_an_upload_whose_content_is_not_its_extension_is_refused(make_world, name, content):
    world = make_world(tokens=True)
    response = _upload(world, name, content)
    assert response.status_code == 400 and response.get_json()["field"] == "evidence"


def test_evidence_is_served_with_the_type_of_its_content(make_world, browser):
    from tracker.models import Evidence

    world = make_world(tokens=True)
    assert _upload(world, "验收报告.pdf", b"%PDF-1.4 report").status_code == 201
    row = db.session.scalars(select(Evidence)).one()
    assert row.content_type == "application/pdf"
    row.content_type = "text/html"  # as a row stored before uploads were sniffed may say
    db.session.commit()
    browser.login("lead")
    with browser.get(f"/evidence/{row.id}") as served:
        assert served.mimetype == "application/pdf"
    from tracker.reports.evidence import path_of
    path_of(row).write_bytes(b"<html>swapped on disk</html>")
    with browser.get(f"/evidence/{row.id}") as served:
        assert served.mimetype == "application/octet-stream"


def test_search_words_are_matched_literally(make_world, make_task):
    world = make_world(tokens=True)
    make_task(title="完成率100%的事项")
    for q, titles in (("%", ["完成率100%的事项"]), ("_", []), ("重点", ["重点产业项目完成投资"])):
        found = world.call("office", "GET", f"/tasks?q={requests_quote(q)}").get_json()["items"]
        assert [t["title"] for t in found] == titles, q


def requests_quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def test_another_units_item_answers_like_no_item(make_world):
    world = make_world(tokens=True)
    hidden = world.call("other", "GET", f"/tasks/{world.task.id}")
    missing = world.call("other", "GET", f"/tasks/{world.task.id + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"].replace(str(world.task.id), "N") == \
        missing.get_json()["error"].replace(str(world.task.id + 1000), "N")


def test_a_server_error_is_answered_in_the_users_language_and_fails_the_suite(make_app, database_url):
    import conftest

    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and "服务器出错" in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and set(api.get_json()) == {"error", "field"}
    # The suite's watch saw both: any test that met a 5xx fails (conftest.no_server_errors).
    assert [e.split()[0] for e in conftest.SERVER_ERRORS] == ["RuntimeError", "500"] * 2
    conftest.SERVER_ERRORS.clear()
