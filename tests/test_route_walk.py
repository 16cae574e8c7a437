"""Every registered route (app.url_map) walked as each role against one permission matrix,
so a new route cannot ship without its line here. GET routes are fetched anonymously and as
every role; routes that change things are sent anonymously (refused: a page's form without
its CSRF token is 400, the API without a token 401). What each role may change is the
business of test_permissions_api.py and test_permissions_ui.py."""
import io
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage

from conftest import Browser
from tracker.extensions import db
from tracker.regime.bulletins import create_draft, publish
from tracker.reports.operations import submit_report
from tracker.signoff.operations import request_extension

WHO = ("anonymous", "office", "lead", "co", "other", "leader")
# Statuses: answered, to the login page (anonymous pages) or back with a message, refused,
# hidden (another unit's item answers like no item), unknown id, not signed in (API).
A, LOGIN, NO, H, GONE, AUTH = 200, 302, 403, 404, 404, 401
BACK = 302

# endpoint → GET status for (anonymous, office, lead, co, other, leader)
GET = {
    "accounts.login": (A, BACK, BACK, BACK, BACK, BACK),  # signed in: to the home page
    "accounts.tokens": (LOGIN, A, A, A, A, A),  # one's own tokens
    "accounts.units": (LOGIN, A, NO, NO, NO, NO),
    "accounts.users": (LOGIN, A, NO, NO, NO, NO),
    "dashboard.home": (LOGIN, A, BACK, BACK, BACK, A),  # a unit goes to its unit's home
    "dashboard.unit_home": (LOGIN, A, A, NO, NO, A),  # the lead unit's home
    "ledger.index": (LOGIN, A, A, A, A, A),
    "ledger.new": (LOGIN, A, NO, NO, NO, NO),
    "ledger.show": (LOGIN, A, A, A, H, A),
    "ledger.edit": (LOGIN, A, NO, NO, NO, NO),
    "ledger.parent_suggestions": (LOGIN, A, NO, NO, NO, NO),  # the parent picker's JSON
    "ledger.evidence": (LOGIN, A, A, A, H, A),
    "notify.ack": (LOGIN, GONE, GONE, GONE, GONE, GONE),  # a forged receipt link
    "notify.channels": (LOGIN, A, NO, NO, NO, NO),
    "notify.jobs": (LOGIN, A, NO, NO, NO, NO),
    "notify.log": (LOGIN, A, NO, NO, NO, NO),
    "notify.notices": (LOGIN, A, A, A, A, A),  # each its own unit's in-app notices
    "notify.open_notice": (LOGIN, H, BACK, H, H, H),  # the lead unit's notice: to its link
    "regime.index": (LOGIN, A, A, A, A, A),
    "regime.show": (LOGIN, A, A, A, A, A),  # a published bulletin goes to every unit
    "regime.document": (LOGIN, A, A, A, A, A),
    "regime.table": (LOGIN, A, A, A, A, A),
    "regime.edit": (LOGIN, A, NO, NO, NO, NO),
    "regime.recompile_confirm": (LOGIN, BACK, NO, NO, NO, NO),  # a published bulletin: back
    "regime.dispatch_page": (LOGIN, A, A, A, A, A),  # each sees its own items
    "regime.dispatch_xlsx": (LOGIN, A, A, A, A, A),
    "regime.evaluation": (LOGIN, A, A, A, A, A),
    "regime.evaluation_xlsx": (LOGIN, A, A, A, A, A),
    "regime.lights": (LOGIN, A, A, A, A, A),
    "regime.redblack_page": (LOGIN, A, A, A, A, A),
    "signoff.queue": (LOGIN, A, NO, NO, NO, NO),
    # office tools (issue 9, point 6)
    "accounts.edit_unit": (LOGIN, A, NO, NO, NO, NO),
    "accounts.edit_user": (LOGIN, A, NO, NO, NO, NO),
    "accounts.account": (LOGIN, A, A, A, A, A),  # one's own password; a way to one's tokens
    "regime.ledger_xlsx": (LOGIN, A, A, A, A, A),  # what each may see on the ledger page
    "ledger.print_view": (LOGIN, A, A, A, A, A),
    "ledger.preview_evidence": (LOGIN, A, A, A, H, A),
    "ledger.correct_report": (LOGIN, NO, A, NO, H, NO),  # the lead unit filed the report
    "static": (A, A, A, A, A, A),
    "favicon": (A, A, A, A, A, A),  # the static icon, for clients that ask /favicon.ico
    "api.openapi": (A, A, A, A, A, A),
    "api.me": (AUTH, A, A, A, A, A),
    "api.list_units": (AUTH, A, A, A, A, A),
    "api.list_users": (AUTH, A, NO, NO, NO, NO),
    "api.list_channels": (AUTH, A, NO, NO, NO, NO),
    "api.list_notifications": (AUTH, A, NO, NO, NO, NO),
    "api.list_tasks": (AUTH, A, A, A, A, A),
    "api.get_task": (AUTH, A, A, A, H, A),
    "api.history": (AUTH, A, A, A, H, A),
    "api.list_reports": (AUTH, A, A, A, H, A),
    "api.list_signoff_requests": (AUTH, A, A, A, H, A),
    "api.list_extension_requests": (AUTH, A, A, A, H, A),
    "api.list_exemptions": (AUTH, A, A, A, H, A),
    "api.lights": (AUTH, A, A, A, A, A),
    "api.red_black": (AUTH, A, A, A, A, A),
    "api.evaluation": (AUTH, A, A, A, A, A),
    "api.list_bulletins": (AUTH, A, A, A, A, A),
    "api.get_bulletin": (AUTH, A, A, A, A, A),
    "api.bulletin_docx": (AUTH, A, A, A, A, A),
    "api.bulletin_xlsx": (AUTH, A, A, A, A, A),
    # Serving (issue 12): the health check needs no sign-in.
    "health.healthz": (A, A, A, A, A, A),
    # Spreadsheets and calendars (issue 11).
    "spreadsheets.ledger_import": (LOGIN, A, NO, NO, NO, NO),
    "spreadsheets.template": (LOGIN, A, A, A, A, A),
    "spreadsheets.export": (LOGIN, A, A, A, A, A),  # each sees its own items
    "spreadsheets.report_sheet": (LOGIN, A, A, NO, NO, A),  # the lead unit's sheet
    "spreadsheets.report_upload": (LOGIN, NO, A, NO, NO, NO),  # only the unit's own people
    "ical.subscription": (LOGIN, A, A, A, A, A),
    "ical.feed": (GONE, GONE, GONE, GONE, GONE, GONE),  # a forged link
    "api.ledger_template": (AUTH, A, A, A, A, A),
    "api.tasks_xlsx": (AUTH, A, A, A, A, A),
    # Foresight: the problem ledger (another unit's problem answers like none).
    "foresight.index": (LOGIN, A, A, A, A, A),
    "foresight.show": (LOGIN, A, A, A, H, A),
    "api.list_problems": (AUTH, A, A, A, A, A),
    "api.get_problem": (AUTH, A, A, A, H, A),
}
# Routes that change things, sent anonymously: pages refuse a form without its CSRF token
# (400) before anything else, the API a request without a token (401).
CHANGES = {
    "accounts.logout", "accounts.reset_password", "accounts.revoke_token", "accounts.set_active",
    "ledger.report", "ledger.status", "notify.retry", "notify.set_channel_active",
    "notify.test_channel", "regime.compile_draft", "regime.publish", "regime.recompile",
    "signoff.approve_extension", "signoff.approve_signoff", "signoff.reject_extension",
    "signoff.reject_signoff", "signoff.request_extension", "signoff.request_signoff",
    "api.add_channel", "api.adjust", "api.approve_extension", "api.approve_signoff",
    "api.create_bulletin", "api.create_task", "api.create_unit", "api.create_user",
    "api.publish_bulletin", "api.reject_extension", "api.reject_signoff",
    "api.request_extension", "api.request_signoff", "api.retry_notification", "api.submit",
    "api.update_task", "api.chase_task", "api.chase_unit", "notify.chase_task",
    "notify.chase_unit", "ledger.exempt", "ledger.revoke_exemption", "regime.escalations",
    "api.mark_exemption", "api.revoke_exemption",
    "signoff.approve_batch",  # office tools (issue 9, point 6)
    "spreadsheets.ledger_confirm", "spreadsheets.report_confirm", "ical.revoke",
    "api.import_ledger_file", "api.create_calendar", "api.revoke_calendar",
    "foresight.classify", "foresight.assign", "foresight.resolve", "foresight.note",
    "api.assign_problem", "api.resolve_problem",
}


@pytest.fixture
def walk(app, make_world):
    """The role world with one of everything a path can name: a published bulletin, a
    report's evidence file, an extension request."""
    world = make_world(tokens=True)
    lead, office = world.users["lead"], world.users["office"]
    submit_report(lead, world.task, progress=30, text="推进中", problems="用地指标未落实", files=[
        FileStorage(io.BytesIO(b"%PDF-1.4 evidence"), "验收.pdf", content_type="application/pdf")])
    request_extension(lead, world.task, date(2027, 1, 31), "汛期影响")
    bulletin, _ = create_draft(office, "weekly", "2026-W47")
    publish(office, bulletin)
    db.session.commit()
    world.ids = {"task_id": world.task.id, "unit_id": world.lead.id, "year": 2026,
                 "user_id": lead.id, "period": "2026-W46", "filename": "style.css",
                 "token": "forged-receipt", "token_id": 1, "bulletin_id": bulletin.id,
                 "request_id": 1, "evidence_id": 1, "notification_id": 1, "channel_id": 1, "notice_id": 1,
                 "exemption_id": 1, "report_id": 1, "problem_id": 1}
    return world


def _url(rule, ids) -> str:
    url = rule.rule
    for arg in rule.arguments:
        for form in (f"<int:{arg}>", f"<{arg}>", f"<path:{arg}>"):
            url = url.replace(form, str(ids[arg]))
    return url


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods)))


def test_every_route_has_a_line_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    assert endpoints == set(GET) | CHANGES, (endpoints - set(GET) - CHANGES,
                                             (set(GET) | CHANGES) - endpoints)


def test_every_route_answers_each_role_as_the_matrix_says(app, walk):
    clients = {}
    for who in WHO:
        clients[who] = app.test_client()
        if who != "anonymous":
            with app.app_context():  # a fresh g for each sign-in
                assert Browser(clients[who]).login(who).status_code == 302
    found, expected = {}, {}
    for rule in _rules(app):
        url, api = _url(rule, walk.ids), rule.rule.startswith("/api/")
        if "GET" not in rule.methods:
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            with app.app_context():
                response = clients["anonymous"].open(url, method=method)
            found[f"{method} {rule.endpoint}"] = response.status_code
            expected[f"{method} {rule.endpoint}"] = AUTH if api else 400
            response.close()
            continue
        row = []
        for who in WHO:
            headers = walk.headers.get(who, {}) if api else {}
            with app.app_context():
                response = clients[who].get(url, headers=headers)
            row.append(response.status_code)
            response.close()
        found[rule.endpoint] = tuple(row)
        expected[rule.endpoint] = GET[rule.endpoint]
    wrong = {k: (found[k], expected[k]) for k in found if found[k] != expected[k]}
    assert not wrong, wrong
