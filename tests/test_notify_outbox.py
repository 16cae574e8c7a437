"""The outbox against real peers: exactly-once delivery through failures, hangs and races."""
from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import NOW
from peers import robots, smtp  # noqa: F401 - fixtures
from tracker.notify.channel_settings import add_channel
from tracker.extensions import db
from tracker.models import Notification
from tracker.notify import outbox
from tracker.notify.delivery import _deliver_batch, deliver


@pytest.fixture
def mail(app, smtp):  # noqa: F811 - fixture use
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=smtp.port)
    return smtp


def queue(unit, n=1, rule="test-rule"):
    for i in range(n):
        outbox.enqueue_for_unit(rule, unit, f"s{i}", "2026-W47", f"标题{i}", f"第一行\n- 事项{i}",
                                "http://duban.test/tasks")
    db.session.commit()


def at(app, **delta):
    app.config["FIXED_NOW"] = NOW + timedelta(**delta)


def rows():
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_enqueue_is_idempotent_per_rule_subject_recipient_period(make_unit, office_user):
    unit = make_unit(email="unit@gov.test")
    add_channel(office_user, unit, "wecom", "http://127.0.0.1:9/wecom")
    add_channel(office_user, unit, "email", "UNIT@gov.test")  # same address as the unit's email
    assert outbox.enqueue_for_unit("r", unit, "s", "p", "t", "b", "l", [7]) == 2
    assert outbox.enqueue_for_unit("r", unit, "s", "p", "t", "b", "l", [7]) == 0
    assert outbox.enqueue_for_unit("r", unit, "s", "p2", "t", "b", "l", [7]) == 2
    db.session.commit()
    assert {(r.channel_kind, r.period) for r in rows()} == {
        ("wecom", "p"), ("email", "p"), ("wecom", "p2"), ("email", "p2")}


def test_peer_failing_twice_then_succeeding_gets_exactly_one_delivery(app, robots, make_unit,  # noqa: F811
                                                                      office_user):
    unit = make_unit()
    add_channel(office_user, unit, "wecom", robots.url("/wecom/a"))
    queue(unit)
    robots.fail_times["/wecom/a"] = 2
    assert deliver()["failed"] == 1
    [row] = rows()
    assert row.status == "failed" and row.attempts == 1 and "HTTP 500" in row.last_error
    # the first retry comes within a minute, the next one later
    assert timedelta(0) < row.next_attempt_at - NOW <= timedelta(minutes=1)
    assert deliver() == {"sent": 0, "failed": 0, "dead": 0, "deferred": 0}  # not due yet
    at(app, seconds=61)
    deliver()
    [row] = rows()
    assert row.attempts == 2 and row.next_attempt_at - (NOW + timedelta(seconds=61)) > timedelta(minutes=1)
    at(app, minutes=10)
    assert deliver()["sent"] == 1
    [row] = rows()
    assert row.status == "sent" and row.attempts == 3 and row.last_error is None
    assert len(robots.requests) == 3 and len(robots.delivered_to("/wecom/a")) == 1
    at(app, hours=10)
    deliver()
    assert len(robots.delivered_to("/wecom/a")) == 1


def test_a_hanging_peer_does_not_block_the_others(app, robots, make_unit, office_user):  # noqa: F811
    app.config["SETTINGS"]["notify"]["http_timeout_seconds"] = 1
    slow, fast = make_unit(), make_unit()
    add_channel(office_user, slow, "webhook", robots.url("/webhook/slow"))
    add_channel(office_user, fast, "webhook", robots.url("/webhook/fast"))
    robots.hang_paths.add("/webhook/slow")
    queue(slow)
    queue(fast, n=5)
    started = time.monotonic()
    counts = deliver()
    assert time.monotonic() - started < 5
    assert counts["sent"] == 5 and counts["failed"] == 1
    assert len(robots.delivered_to("/webhook/fast")) == 5
    [hung] = [r for r in rows() if r.unit_id == slow.id]
    assert hung.status == "failed" and "timed out" in hung.last_error


def test_dead_after_the_limit_shown_and_retryable(app, robots, make_unit, office_user):  # noqa: F811
    app.config["SETTINGS"]["notify"]["max_attempts"] = 3
    unit = make_unit()
    add_channel(office_user, unit, "dingtalk", robots.url("/dingtalk/x"))
    robots.fail_times["/dingtalk/x"] = 3
    queue(unit)
    for hours in (0, 1, 2):
        at(app, hours=hours)
        deliver()
    [row] = rows()
    assert row.status == "dead" and row.attempts == 3
    at(app, hours=5)
    assert deliver()["sent"] == 0  # dead stays dead until the office retries
    outbox.retry(office_user, row)
    db.session.commit()
    assert deliver()["sent"] == 1
    assert rows()[0].status == "sent" and len(robots.delivered_to("/dingtalk/x")) == 1


def test_a_crash_mid_send_loses_nothing_the_claim_lapses(app, robots, make_unit, office_user):  # noqa: F811
    unit = make_unit()
    add_channel(office_user, unit, "webhook", robots.url("/webhook/c"))
    queue(unit, n=3)
    assert len(outbox.claim("crashed-dispatcher", 10)) == 3  # claimed, never finished
    assert deliver()["sent"] == 0
    at(app, seconds=app.config["SETTINGS"]["notify"]["claim_seconds"] + 1)
    assert deliver()["sent"] == 3
    assert len(robots.delivered_to("/webhook/c")) == 3


def test_robot_rate_limit_defers_beyond_twenty_a_minute(app, robots, make_unit, office_user):  # noqa: F811
    unit = make_unit()
    add_channel(office_user, unit, "wecom", robots.url("/wecom/busy"))
    queue(unit, n=25)
    counts = deliver()
    assert counts["sent"] == 20 and counts["deferred"] == 5
    at(app, seconds=61)
    assert deliver()["sent"] == 5
    assert len(robots.delivered_to("/wecom/busy")) == 25


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_two_dispatchers_racing_deliver_each_message_once(request, make_app, backend, robots):  # noqa: F811
    """Two dispatchers in threads, each with its own session, over one database."""
    from tracker.accounts.operations import create_unit, create_user

    app = make_app(request.getfixturevalue(backend), notify={"batch_size": 7})
    with app.app_context():
        office = create_user(None, "office", "办公室", create_unit(None, "指挥办", "office").id,
                             "office", "password-123")
        for n in range(6):
            unit = create_unit(None, f"单位{n}", "department")
            add_channel(office, unit, "webhook", robots.url(f"/webhook/{n}"))
            queue(unit, n=10)
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(deliver())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["sent"] for r in results) == 60
    ids = [r.body["id"] for r in robots.delivered]
    assert len(ids) == 60 and len(set(ids)) == 60
    with app.app_context():
        assert {r.status for r in rows()} == {"sent"}


def test_email_goes_out_as_text_and_html_with_links(app, mail, make_unit):
    unit = make_unit(email="liaison@gov.test")
    queue(unit)
    assert deliver()["sent"] == 1
    [(to, msg)] = mail.messages
    assert to == ["liaison@gov.test"] and msg["Subject"] == "标题0"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "事项0" in text and "http://duban.test/tasks" in text and "/notify/ack/" in text
    assert "<li>事项0</li>" in html and 'href="http://duban.test/tasks"' in html


def test_one_delivery_run_sends_many_mails_over_few_connections_each_once(app, mail, make_unit):
    app.config["SETTINGS"]["notify"]["workers"] = 2
    units = [make_unit(email=f"liaison{i}@gov.test") for i in range(12)]
    for unit in units:
        queue(unit)
    assert deliver()["sent"] == 12
    assert sorted(to for [to], _ in mail.messages) == sorted(f"liaison{i}@gov.test" for i in range(12))
    assert len(set(mail.connections)) <= 2   # each sending thread kept its connection
    # The run closed its connections: the next run connects afresh and still delivers.
    queue(make_unit(email="later@gov.test"))
    assert deliver()["sent"] == 1
    assert mail.connections[-1] not in mail.connections[:-1]
    # A relay that takes one message a session: a connection per message.
    app.config["SETTINGS"]["mail"]["messages_per_connection"] = 1
    for i in range(3):
        queue(make_unit(email=f"strict{i}@gov.test"))
    assert deliver()["sent"] == 3
    assert len(set(mail.connections[-3:])) == 3


def test_mail_sessions_belong_to_their_run(app, mail):
    """Outside a delivery run each mail has its connection; a run's thread keeps one, and
    another run ending does not close it (a QUIT on it mid-message would corrupt that mail)."""
    from tracker.notify.channels import Outgoing, email

    settings = app.config["SETTINGS"]
    out = Outgoing(kind="email", target="a@gov.test", secret=None, title="标题", body="正文",
                   link="http://duban.test/tasks", ack_link="http://duban.test/ack")
    email.send(out, settings)
    email.send(out, settings)
    assert len(set(mail.connections)) == 2
    mine, other = email.Sessions(), email.Sessions()
    try:
        mine.keep_in_this_thread()
        email.send(out, settings)
        other.close()
        email.send(out, settings)
        assert mail.connections[-1] == mail.connections[-2]
    finally:
        mine.close()
        email._local.__dict__.clear()
    email.send(out, settings)
    assert mail.connections[-1] != mail.connections[-2] and len(mail.messages) == 5


def test_a_kept_session_the_server_dropped_is_replaced_not_failed(app, mail):
    from tracker.notify.channels import Outgoing, email

    settings = app.config["SETTINGS"]
    out = Outgoing(kind="email", target="a@gov.test", secret=None, title="标题", body="正文",
                   link="http://duban.test/tasks", ack_link="http://duban.test/ack")
    run = email.Sessions()
    try:
        run.keep_in_this_thread()
        email.send(out, settings)
        email._local.kept.smtp.sock.shutdown(socket.SHUT_RDWR)  # the session ended meanwhile
        email.send(out, settings)             # a NOOP finds it gone: a new session sends
        assert len(mail.messages) == 2 and mail.connections[0] != mail.connections[1]
    finally:
        run.close()
        email._local.__dict__.clear()


def test_unreachable_mail_server_is_a_recorded_failure(app, make_unit):
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=9)
    queue(make_unit(email="x@gov.test"))
    assert deliver()["failed"] == 1
    assert "SMTP 127.0.0.1:9" in rows()[0].last_error


def test_no_send_starts_once_the_claim_could_lapse_rows_go_back_untried(app, robots, make_unit,  # noqa: F811
                                                                         office_user):
    unit = make_unit()
    add_channel(office_user, unit, "webhook", robots.url("/webhook/a"))
    queue(unit, n=3)
    token = "late-dispatcher"
    batch = outbox.claim(token, 10)
    counts: Counter = Counter()
    with ThreadPoolExecutor(2) as pool:
        _deliver_batch(batch, token, pool, app.config["SETTINGS"], counts, send_by=time.monotonic() - 1)
    db.session.commit()
    assert robots.requests == []
    assert counts["deferred"] == 3
    assert [(r.status, r.attempts, r.claim_token) for r in rows()] == [("pending", 0, None)] * 3
    assert deliver()["sent"] == 3  # the next claim sends them, once
    assert len(robots.delivered_to("/webhook/a")) == 3
