"""The office's hand on a bulletin draft, as it sees it: every generated paragraph and each
red/black row's wording can be edited, and the page, the .docx and the JSON content then say
the same; 重新生成 asks before it replaces edited text; the escalation step the rule proposes
is printed only once the office confirms it; a published bulletin is frozen.

The world of test_regime_pages as of Wed 18 Nov 2026, ranked from one due item: 市发展改革局
signed off its item on time (红榜); 市工业和信息化局's 5G基站建设 is open past 6 Nov, 0 of 1 on
time, the bottom of 市直部门 (黑榜, its first placing: the ladder proposes 约谈分管领导)."""
from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from sqlalchemy import select

from test_redblack_rules import _rules, at
from test_regime_pages import _csrf, _office, world  # noqa: F401
from tracker.extensions import db
from tracker.models import AuditEvent, Bulletin
from tracker.regime.bulletins import create_draft

GXJ = "市工业和信息化局"
STEP = "根据红黑榜管理规定，对市工业和信息化局（连续第1次上黑榜）约谈分管领导。"


def _draft(app):
    _rules(app)
    draft, _ = create_draft(_office(), "monthly", "2026-11")
    db.session.commit()
    return draft, f"/regime/bulletins/{draft.id}"


def _section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


def _article(browser, url) -> str:
    page = browser.get(url).get_data(as_text=True)
    return page[page.index('<article class="card bulletin"'):]


def _docx(browser, url) -> tuple[list[str], list[str]]:
    doc = Document(io.BytesIO(browser.get(f"{url}/document.docx").data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs], cells


def _json(client, token_for, draft):
    return client.get(f"/api/v1/bulletins/{draft.id}", headers=token_for(_office())).get_json()


def test_every_generated_paragraph_is_editable_and_every_output_says_the_same(
        app, browser, client, token_for, world):
    draft, url = _draft(app)
    compiled_next = _section(draft.content, "next")["paragraphs"][0]
    compiled_lights = _section(draft.content, "overall")["paragraphs"][1]
    browser.login("office")
    form = browser.get(f"{url}/edit").get_data(as_text=True)
    for name in ("p:overall.0", "p:overall.1", "p:units.0", "p:problems.0", "p:next.0",
                 f"p:black.row.{GXJ}", "p:red.row.市发展改革局"):
        assert f'name="{name}"' in form, name

    ours = "一是全力攻坚逾期事项。5G基站建设要于11月25日前完成设备安装。"
    wording = "5G基站建设逾期未完成，完成率0%，在市直部门中排名末位"
    saved = browser.post(f"{url}/edit", {"p:next.0": ours, f"p:black.row.{GXJ}": wording,
                                         "p:overall.1": "", "p:overall.0": _section(
                                             draft.content, "overall")["paragraphs"][0]})
    assert saved.status_code == 302

    article = _article(browser, url)
    assert ours in article and compiled_next not in article
    assert wording in article and compiled_lights not in article
    paragraphs, cells = _docx(browser, url)
    assert ours in paragraphs and compiled_next not in paragraphs
    assert compiled_lights not in paragraphs and wording in cells
    content = _json(client, token_for, draft)
    assert _section(content["content"], "next")["paragraphs"][0] == ours
    assert compiled_lights not in _section(content["content"], "overall")["paragraphs"]
    assert _section(content["content"], "black")["table"]["rows"][0][3] == wording
    assert {e["key"] for e in content["edited"]} == {"next.0", f"black.row.{GXJ}", "overall.1"}

    # One audit event naming exactly what changed (the unchanged 总体情况 first paragraph not).
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.edit"))
    assert set(event.detail) == {"next.0", f"black.row.{GXJ}", "overall.1"}
    assert event.detail["next.0"] == {"before": compiled_next, "after": ours}
    assert event.actor_id == _office().id
    db.session.refresh(draft)
    assert draft.edits["next.0"]["by"] == _office().label and draft.edits["next.0"]["generated"] == compiled_next
    assert "已修改3段文字" in browser.get(url).get_data(as_text=True)


def test_recompiling_asks_first_and_keeps_or_replaces_the_edits(app, browser, world):
    draft, url = _draft(app)
    compiled_next = _section(draft.content, "next")["paragraphs"][0]
    browser.login("office")
    browser.post(f"{url}/edit", {"p:next.0": "一是办公室的话。"})
    world["road"].title = "改名后的农村公路"
    db.session.commit()

    asked = browser.post(f"{url}/compile", form_url=url)
    assert asked.location.endswith(f"{url}/compile")
    confirm = browser.get(f"{url}/compile").get_data(as_text=True)
    assert "六、下步工作 第1段" in confirm and "一是办公室的话。" in confirm
    assert "保留修改并重新生成" in confirm and "放弃修改，全部重新生成" in confirm
    db.session.refresh(draft)
    assert "改名后的农村公路" not in str(draft.content)          # nothing recompiled yet

    browser.post(f"{url}/compile", {"edits": "keep"}, form_url=f"{url}/compile")
    article = _article(browser, url)
    assert "改名后的农村公路" in article and "一是办公室的话。" in article

    browser.post(f"{url}/compile", {"edits": "replace"}, form_url=f"{url}/compile")
    article = _article(browser, url)
    assert "一是办公室的话。" not in article and compiled_next in article
    db.session.refresh(draft)
    assert draft.edits == {}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.compile")
                                .order_by(AuditEvent.id)).all()
    assert [e.detail["edits"] for e in events] == ["keep", "replace"]
    assert events[1].detail["replaced"] == {"next.0": "一是办公室的话。"}     # kept in the trail


def test_an_escalation_is_printed_only_once_the_office_confirms_it(
        app, browser, client, token_for, world):
    draft, url = _draft(app)
    browser.login("office")
    page = browser.get(url).get_data(as_text=True)
    assert "拟议督办措施" in page and "未确认（仅为提议）" in page and "约谈分管领导" in page
    assert "约谈分管领导" not in _article(browser, url)
    assert not any("约谈" in p for p in _docx(browser, url)[0])
    content = _json(client, token_for, draft)
    assert "约谈" not in str(content["content"]) and content["content"]["escalations"] == []
    assert content["escalation_proposals"] == [{
        "unit_id": world["b"].id, "unit_name": GXJ, "consecutive": 1, "step": "约谈分管领导",
        "reason": "连续第1次上黑榜", "confirmed": False}]

    assert browser.post(f"{url}/escalations", {"unit_id": str(world["b"].id)}, form_url=url).status_code == 302
    assert STEP in _article(browser, url)
    assert STEP in _docx(browser, url)[0]
    content = _json(client, token_for, draft)
    assert STEP in _section(content["content"], "black")["paragraphs"]
    assert content["content"]["escalations"] == [{"unit_id": world["b"].id, "unit_name": GXJ,
                                                  "consecutive": 1, "step": "约谈分管领导"}]
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.escalation"))
    assert event.detail == {GXJ: {"before": None, "after": "约谈分管领导"}}

    # Withdrawn: a proposal again.
    browser.post(f"{url}/escalations", {}, form_url=url)
    assert STEP not in _article(browser, url)
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.escalation")).all()) == 2

    browser.post(f"{url}/escalations", {"unit_id": str(world["b"].id)}, form_url=url)
    browser.post(f"{url}/publish", {"confirmed": "1"}, form_url=url)
    published = db.session.get(Bulletin, draft.id)
    assert STEP in _section(published.content, "black")["paragraphs"]
    assert "proposals" not in _section(published.content, "black")


def test_only_the_office_edits_or_confirms_and_a_published_bulletin_is_frozen(app, browser, world):
    draft, url = _draft(app)
    for login in ("gxj", "leader"):
        browser.login(login)
        token = _csrf(browser.get("/regime/"))
        assert browser.client.post(f"{url}/edit", data={"p:next.0": "改", "csrf_token": token}).status_code == 403
        assert browser.client.post(f"{url}/escalations", data={"unit_id": str(world["b"].id),
                                                                "csrf_token": token}).status_code == 403
        browser.client.post("/logout", data={"csrf_token": token})
    db.session.refresh(draft)
    assert draft.edits == {} and draft.escalations == {}

    browser.login("office")
    browser.post(f"{url}/edit", {"p:next.0": "一是办公室的话。"})
    browser.post(f"{url}/publish", {"confirmed": "1"}, form_url=url)
    frozen = db.session.get(Bulletin, draft.id).content
    assert _section(frozen, "next")["paragraphs"][0] == "一是办公室的话。"
    assert browser.post(f"{url}/edit", {"p:next.0": "再改"}).status_code == 409
    assert browser.post(f"{url}/escalations", {"unit_id": str(world["b"].id)}, form_url=url,
                        follow_redirects=True).status_code == 200
    db.session.refresh(draft)
    assert draft.content == frozen and draft.escalations == {}
    assert "再改" not in _article(browser, url)


def test_the_api_keeps_edits_when_compiling_again_unless_told_to_replace_them(
        app, browser, client, token_for, world):
    draft, url = _draft(app)
    browser.login("office")
    browser.post(f"{url}/edit", {"p:next.0": "一是办公室的话。"})
    office = token_for(_office())
    body = {"kind": "monthly", "period": "2026-11"}
    kept = client.post("/api/v1/bulletins", json=body, headers=office)
    assert kept.status_code == 200
    assert _section(kept.get_json()["content"], "next")["paragraphs"][0] == "一是办公室的话。"
    assert client.post("/api/v1/bulletins", json={**body, "edits": "maybe"}, headers=office).status_code == 400
    replaced = client.post("/api/v1/bulletins", json={**body, "edits": "replace"}, headers=office)
    assert _section(replaced.get_json()["content"], "next")["paragraphs"][0] != "一是办公室的话。"
    assert replaced.get_json()["edited"] == []


def test_an_edit_made_on_an_earlier_compilation_changes_nothing(app, browser, world):
    draft, url = _draft(app)
    browser.login("office")
    form = browser.get(f"{url}/edit").get_data(as_text=True)
    stamp = re.search(r'name="compiled_at" value="([^"]+)"', form)[1]
    at(app, date(2026, 11, 18), 11)
    browser.post(f"{url}/compile", form_url=url)               # another office user recompiles
    stale = browser.post(f"{url}/edit", {"p:next.0": "一是办公室的话。", "compiled_at": stamp})
    assert stale.status_code == 409 and "草稿已重新生成" in stale.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.edits == {}
