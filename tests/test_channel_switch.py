"""The office switches a unit's channel off and on; a switched-off channel gets nothing."""
from sqlalchemy import select

from conftest import csrf_from
from tracker.notify.channel_settings import add_channel
from tracker.extensions import db
from tracker.models import AuditEvent, Channel, Notification
from tracker.notify import outbox


def test_switched_off_channel_is_skipped_and_the_switch_is_audited(browser, office_user, make_unit):
    unit = make_unit()
    channel = add_channel(office_user, unit, "webhook", "http://127.0.0.1:9/hook")
    db.session.commit()
    browser.login("office")
    page = browser.get(f"/notify/channels?unit_id={unit.id}")
    response = browser.client.post(f"/notify/channels/{channel.id}/active",
                                   data={"active": "0", "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).is_active is False
    assert outbox.enqueue_for_unit("test-rule", unit, "s", "2026-W47", "标题", "内容", "/") == 0
    assert db.session.scalars(select(Notification)).all() == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "channel.deactivate")).one()
    assert event.actor == office_user.label

    page = browser.get(f"/notify/channels?unit_id={unit.id}")
    assert "启用" in page.get_data(as_text=True)
    browser.client.post(f"/notify/channels/{channel.id}/active",
                        data={"active": "1", "csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).is_active is True


def test_a_unit_cannot_switch_channels(browser, office_user, make_unit, make_user):
    unit = make_unit()
    channel = add_channel(office_user, unit, "webhook", "http://127.0.0.1:9/hook")
    db.session.commit()
    make_user("unit", unit=unit, login="liaison")
    browser.login("liaison")
    page = browser.get("/", follow_redirects=True)
    response = browser.client.post(f"/notify/channels/{channel.id}/active",
                                   data={"active": "0", "csrf_token": csrf_from(page)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).is_active is True


def test_switching_without_csrf_token_is_refused(browser, office_user, make_unit):
    unit = make_unit()
    channel = add_channel(office_user, unit, "webhook", "http://127.0.0.1:9/hook")
    db.session.commit()
    browser.login("office")
    response = browser.client.post(f"/notify/channels/{channel.id}/active", data={"active": "0"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).is_active is True
