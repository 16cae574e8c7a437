"""A draft keeps the content it was compiled with: viewing it never recompiles it; the
office compiles it again on demand (重新生成, or POST /bulletins for the open draft), the
page says when it was compiled, and publishing freezes the content as last compiled."""
from datetime import date

from sqlalchemy import select

from conftest import NOW
from test_regime_pages import _compile, _csrf, _office, _only_bulletin, _published, world  # noqa: F401
from test_regime_redblack import at
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.regime.bulletins import create_draft


def _next_titles(content) -> list[str]:
    [section] = [s for s in content["sections"] if s["key"] == "due_next"]
    return [row[2] for row in section["table"]["rows"]]


def test_a_draft_keeps_its_content_until_the_office_compiles_it_again(browser, world, app):
    browser.login("office")
    _compile(browser)
    url = f"/regime/bulletins/{_only_bulletin().id}"
    browser.post(f"{url}/edit", {"opening": "11月总体推进有序。", "commentary": "", "key_points": ""})
    world["road"].title = "改名后的农村公路"
    db.session.commit()
    at(app, date(2026, 11, 19), 9)
    browser.login("office")  # the next morning: yesterday's session has been idle too long

    page = browser.get(url).get_data(as_text=True)
    assert "农村公路" in page and "改名后的农村公路" not in page
    assert "草稿内容生成于 2026年11月18日 10:00，统计截至 2026年11月18日" in page

    # The opening was edited: 重新生成 asks first, keep or replace.
    response = browser.post(f"{url}/compile", form_url=url)
    assert response.status_code == 302 and response.location.endswith(f"{url}/compile")
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.compile")).all()
    response = browser.post(f"{url}/compile", {"edits": "keep"}, form_url=f"{url}/compile")
    assert response.status_code == 302 and response.location.endswith(url)
    page = browser.get(url).get_data(as_text=True)
    assert "改名后的农村公路" in page and "11月总体推进有序。" in page
    assert "草稿内容生成于 2026年11月19日 09:00，统计截至 2026年11月19日" in page
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.compile"))
    assert event.detail == {"kind": "monthly", "period": "2026-11", "as_of": "2026-11-19",
                            "edits": "keep", "kept": ["opening"]}


def test_publishing_freezes_the_draft_as_last_compiled(browser, world):
    draft, _ = create_draft(_office(), "monthly", "2026-11")
    db.session.commit()
    world["road"].title = "改名后的农村公路"
    db.session.commit()
    browser.login("office")
    url = f"/regime/bulletins/{draft.id}"
    assert browser.post(f"{url}/publish", {"confirmed": "1"}, form_url=url).status_code == 302
    db.session.refresh(draft)
    assert draft.is_published and _next_titles(draft.content) == ["农村公路"]
    assert draft.content["compiled_at"] == NOW.isoformat()


def test_posting_the_open_draft_again_compiles_it_again(client, world, office_user, token_for):
    office = token_for(office_user)
    first = client.post("/api/v1/bulletins", json={"kind": "monthly", "period": "2026-11"},
                        headers=office)
    assert first.status_code == 201
    world["road"].title = "改名后的农村公路"
    db.session.commit()
    seen = client.get(f"/api/v1/bulletins/{first.get_json()['id']}", headers=office).get_json()
    assert _next_titles(seen["content"]) == ["农村公路"]
    again = client.post("/api/v1/bulletins", json={"kind": "monthly", "period": "2026-11"},
                        headers=office)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert _next_titles(again.get_json()["content"]) == ["改名后的农村公路"]


def test_only_the_office_compiles_again_and_never_a_published_bulletin(browser, world):
    draft, _ = create_draft(_office(), "monthly", "2026-11")
    db.session.commit()
    for login in ("gxj", "leader"):
        browser.login(login)
        token = _csrf(browser.get("/regime/"))
        assert browser.client.post(f"/regime/bulletins/{draft.id}/compile",
                                   data={"csrf_token": token}).status_code == 403
        browser.client.post("/logout", data={"csrf_token": token})
    published = _published()
    frozen = dict(published.content)
    browser.login("office")
    url = f"/regime/bulletins/{published.id}"
    assert browser.client.post(f"{url}/compile").status_code == 400          # no CSRF token
    page = browser.post(f"{url}/compile", form_url=url, follow_redirects=True).get_data(as_text=True)
    assert "通报已发布，不能重新生成" in page
    db.session.refresh(published)
    assert published.content == frozen
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.compile")).all()
