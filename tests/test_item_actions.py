"""The item page offers exactly the actions the operations accept, for every status and
role, before and after the deadline (ledger/state.py decides both)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import PASSWORD
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.reports.operations import submit_report
from tracker.signoff.operations import approve_signoff, request_extension, request_signoff

STATUSES = ("not_started", "in_progress", "signoff_requested", "signed_off", "suspended")
ROLES = ("office", "lead", "co", "other", "leader")
FUTURE, PAST = date(2026, 12, 18), date(2026, 11, 2)  # the tests' today is 2026-11-18


@pytest.fixture
def people(make_unit, make_user, office_user):
    lead, co, other = make_unit("市发展改革局"), make_unit("市自然资源局"), make_unit("市交通运输局")
    users = {"office": office_user, "lead": make_user("unit", lead, login="lead"),
             "co": make_user("unit", co, login="co"), "other": make_user("unit", other, login="other"),
             "leader": make_user("leader", login="leader")}
    return users, lead, co


def _item(make_task, users, lead, co, status: str, due: date):
    """A fresh item brought to *status* through the operations."""
    task = make_task(lead=lead, co=[co], due=due)
    if status == "in_progress":
        submit_report(users["lead"], task, progress=30, text="已开工")
    elif status in ("signoff_requested", "signed_off"):
        request = request_signoff(users["lead"], task, "已完工")
        if status == "signed_off":
            approve_signoff(users["office"], task, request.id)
    elif status == "suspended":
        update_task(users["office"], task, task.version, {"status": "suspended"})
    db.session.commit()
    return task


def _pending_request_id(task) -> int:
    from tracker.models import SignoffRequest

    return db.session.scalar(db.select(SignoffRequest.id).where(
        SignoffRequest.task_id == task.id, SignoffRequest.status == "pending"))


ATTEMPTS = {
    "report": lambda user, task: submit_report(user, task, progress=50, text="进展"),
    "signoff": lambda user, task: request_signoff(user, task, "已完工"),
    "extension": lambda user, task: request_extension(user, task, date(2027, 3, 31), "受汛期影响"),
    "edit": lambda user, task: update_task(user, task, task.version, {"title": "改名"}),
    "suspend": lambda user, task: update_task(user, task, task.version, {"status": "suspended"}),
    "resume": lambda user, task: update_task(user, task, task.version, {"status": "in_progress"}),
    "decide": lambda user, task: approve_signoff(user, task, _pending_request_id(task)),
}


def _offered(page: str, task_id: int) -> set[str]:
    """The actions the item page offers, read from its forms and links."""
    found = {
        "report": f'action="/tasks/{task_id}/reports"' in page,
        "signoff": f'action="/tasks/{task_id}/signoff"' in page,
        "extension": f'action="/tasks/{task_id}/extension"' in page,
        "edit": f'href="/tasks/{task_id}/edit"' in page,
        "suspend": 'name="status" value="suspended"' in page,
        "resume": 'name="status" value="in_progress"' in page,
        "decide": re.search(rf'action="/tasks/{task_id}/signoff/\d+/approve', page) is not None,
    }
    return {action for action, shown in found.items() if shown}


@pytest.mark.parametrize("due", [FUTURE, PAST], ids=["before-deadline", "overdue"])
@pytest.mark.parametrize("status", STATUSES)
def test_the_item_page_offers_exactly_what_the_operations_accept(people, make_task, client,
                                                                 status, due):
    users, lead, co = people
    shown_on = _item(make_task, users, lead, co, status, due)
    for role in ROLES:
        client.get("/logout")
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        client.post("/login", data={"login": users[role].login, "password": PASSWORD,
                                    "csrf_token": token})
        offered = _offered(client.get(f"/tasks/{shown_on.id}").get_data(as_text=True), shown_on.id)
        accepted = set()
        for action, attempt in ATTEMPTS.items():
            task = _item(make_task, users, lead, co, status, due)
            if action == "decide" and _pending_request_id(task) is None:
                continue  # nothing to decide: the page shows no decision buttons
            before = task.status
            try:
                attempt(users[role], task)
            except DomainError:
                db.session.rollback()
                continue
            db.session.commit()
            # PATCH may resend the status an item has: accepted, but nothing was resumed.
            if action not in ("suspend", "resume") or task.status != before:
                accepted.add(action)
        if _pending_request_id(shown_on) is None:
            offered.discard("decide")
        assert offered == accepted, (status, role)
        client.post("/logout", data={"csrf_token": token})
