"""Calendar subscriptions: the secret link lists exactly the unit's open deadlines and
milestones (parsed back with icalendar), follows changes, and stops when revoked or rotated."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from conftest import Browser
from tracker.extensions import db
from tracker.ledger.operations import create_task, update_task
from tracker.models import CalendarFeed
from tracker.signoff.operations import approve_signoff, request_signoff


@pytest.fixture
def world(make_world):
    world = make_world(tokens=True)
    office = world.users["office"]
    create_task(office, title="园区提质", due_date=date(2027, 3, 31), lead_unit_id=world.lead.id,
                milestones=[{"due_date": date(2026, 12, 31), "expected_progress": 50, "title": "主体完工"}])
    create_task(office, title="别人的事", due_date=date(2026, 12, 1), lead_unit_id=world.other.id)
    db.session.commit()
    return world


def _subscribe(world, who: str, **body) -> str:
    response = world.call(who, "POST", "/users/me/calendar", json=body or None)
    assert response.status_code == 201, response.json
    return urlsplit(response.json["url"]).path


def _events(client, path: str) -> dict[str, tuple]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    return {str(e["uid"]): (e.decoded("dtstart"), str(e["summary"]), e.walk("VALARM"))
            for e in cal.walk("VEVENT")}


def test_the_feed_lists_exactly_the_units_open_deadlines_and_milestones(world, client):
    path = _subscribe(world, "co")  # the co-unit of the default item only
    events = _events(client, path)
    assert {(day, summary.split("】")[0]) for day, summary, _ in events.values()} == {
        (date(2026, 12, 18), "【完成时限")}
    events = _events(client, _subscribe(world, "lead"))
    days = sorted((day, summary) for day, summary, _ in events.values())
    assert [d for d, _ in days] == [date(2026, 12, 18), date(2026, 12, 31), date(2027, 3, 31)]
    assert "主体完工" in days[1][1]
    alarms = [a for _, _, alarm in events.values() for a in alarm]
    assert len(alarms) == 3 and all(a.decoded("trigger") == -timedelta(days=3) for a in alarms)


def test_the_feed_follows_changes_with_stable_uids(world, client):
    path = _subscribe(world, "lead")
    before = _events(client, path)
    task = world.task
    update_task(world.users["office"], task, task.version, {"due_date": date(2026, 12, 25)})
    db.session.commit()
    after = _events(client, path)
    assert set(after) == set(before)
    uid = f"task-{task.id}-due@127.0.0.1"
    assert after[uid][0] == date(2026, 12, 25)
    request = request_signoff(world.users["lead"], task, "已完成")
    db.session.commit()
    approve_signoff(world.users["office"], task, request.id)
    db.session.commit()
    assert uid not in _events(client, path)  # signed off: no longer open


def test_the_office_feed_covers_every_item_or_a_chosen_unit(world, client):
    everything = _events(client, _subscribe(world, "office"))
    assert len(everything) == 4
    other = _events(client, _subscribe(world, "office", unit_id=world.other.id))
    assert [s for _, s, _ in other.values()] == ["【完成时限】3 别人的事"]
    refused = world.call("lead", "POST", "/users/me/calendar", json={"unit_id": world.other.id})
    assert refused.status_code == 403


def test_a_new_link_revokes_the_old_and_a_revoked_link_answers_404(world, client):
    old = _subscribe(world, "lead")
    new = _subscribe(world, "lead")
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert world.call("lead", "DELETE", "/users/me/calendar").status_code == 204
    assert client.get(new).status_code == 404
    assert client.get("/calendar/forged.ics").status_code == 404
    # Only the secret's hash is kept.
    secret = new.rsplit("/", 1)[-1].removesuffix(".ics")
    assert all(secret not in (f.token_hash, f.prefix * 5) for f in db.session.query(CalendarFeed))


def test_the_page_creates_rotates_and_revokes_the_link(world, client):
    browser = Browser(client)
    browser.login("lead")
    first = browser.post("/calendar", {})
    url = re.search(r'id="feed-url">([^<]+)<', first.get_data(as_text=True))[1]
    assert client.get(urlsplit(url).path).status_code == 200
    second = browser.post("/calendar", {})
    assert "旧链接已失效" in second.get_data(as_text=True)
    assert client.get(urlsplit(url).path).status_code == 404
    newer = re.search(r'id="feed-url">([^<]+)<', second.get_data(as_text=True))[1]
    browser.post("/calendar/revoke", {}, form_url="/calendar")
    assert client.get(urlsplit(newer).path).status_code == 404
    assert "还没有订阅链接" in client.get("/calendar").get_data(as_text=True)
