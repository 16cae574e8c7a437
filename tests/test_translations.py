"""The English UI (?lang=en): every message the code marks has an English translation, and
the main pages show no Chinese but what users typed, the bulletin wording (lang="zh-CN")
and the language switch's own "中文"."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import NOW, PASSWORD
from test_regime_redblack import at
from tracker.accounts.operations import create_unit, create_user
from tracker.extensions import babel, db
from tracker.ledger.operations import create_task
from tracker.notify import outbox
from tracker.notify.channel_settings import add_channel
from tracker.regime.adjustments import add_adjustment
from tracker.regime.bulletins import create_draft, publish
from tracker.regime.meetings import record_meeting
from tracker.reports.operations import submit_report
from tracker.signoff.operations import request_extension, request_signoff

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "tracker/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Chinese characters and the full-width punctuation an English page must not show. （）
# are left out: the audit trail stores who acted as 姓名（登录名）, which is data.
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff：，、；。【】“”]+")


def _catalog():
    with PO.open("rb") as po:
        return read_po(po)


def _extracted() -> dict[str, str]:
    """msgid → first place it occurs, extracted from the code as babel.cfg says."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, str] = {}
    for filename, lineno, message, *_ in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_marked_message_has_an_english_translation():
    extracted = _extracted()
    # The lazy (`_l`) and no-op (`N_`) markers are extracted too, not only `_()`.
    assert {"首页", "逾期%(days)s个工作日"} <= extracted.keys()
    catalog = _catalog()
    missing = [f"{where}: {msgid}" for msgid, where in extracted.items()
               if not (message := catalog.get(msgid)) or not message.string or message.fuzzy]
    assert not missing, "untranslated; run pybabel extract/update (see babel.cfg):\n" + "\n".join(missing)


def test_translations_keep_every_placeholder():
    wrong = [m.id for m in _catalog() if m.id and m.string
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert not wrong


@pytest.fixture
def english(app):
    """The catalog as committed: compile the .po if the .mo is missing or older (a stale .mo
    would hide new entries), and drop catalogs Flask-Babel cached for earlier tests."""
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < PO.stat().st_mtime:
        with mo.open("wb") as out:
            write_mo(out, _catalog())
    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


@pytest.fixture
def ascii_world(app, english):
    """A ledger whose every name and text is ASCII, so any Chinese on a page is UI text."""
    app.config["SETTINGS"]["evaluation"]["ratings"] = {"Excellent": 3, "Poor": -3}
    # Problem categories are the office's words too.
    app.config["SETTINGS"]["foresight"].update(categories=["Land", "Funds", "Other"],
                                               keywords={"Land": ["Land"]})
    office_unit = create_unit(None, "Command Office", "office")
    roads = create_unit(None, "Dept of Roads", "department", email="roads@example.cn")
    county = create_unit(None, "North County", "county")
    office = create_user(None, "office", "Olive Office", office_unit.id, "office", PASSWORD, None)
    liaison = create_user(None, "liaison", "Liam Liaison", roads.id, "unit", PASSWORD, None)
    at(app, date(2026, 10, 1))
    bridge = create_task(office, title="Rebuild the river bridge", due_date=date(2026, 11, 6),
                         lead_unit_id=roads.id, co_unit_ids=[county.id], leader="Deputy Mayor Wang")
    paving = create_task(office, title="Pave village roads", due_date=date(2026, 12, 31),
                         lead_unit_id=roads.id, start_date=date(2026, 10, 1))
    create_task(office, title="Open the job fair", due_date=date(2026, 11, 20), lead_unit_id=county.id)
    db.session.commit()
    app.config["FIXED_NOW"] = NOW
    submit_report(liaison, paving, progress=10, text="Surveyed 3 km", problems="Land",
                  next_steps="Tender", period="2026-W46")
    request_signoff(liaison, bridge, "Open to traffic")
    request_extension(liaison, paving, date(2027, 1, 31), "Frozen ground")
    record_meeting(office, period="2026-W46", held_on=date(2026, 11, 16), title="Week 46 meeting",
                   items=[{"title": "Fix the ferry", "lead_unit_id": county.id,
                           "due_date": date(2026, 12, 1), "leader": "Mr Zhao"}])
    add_adjustment(office, 2026, roads.id, "adjustment", "Flood duty", points=2)
    add_channel(office, roads, "wecom", "http://127.0.0.1:9/hook")
    publish(office, create_draft(office, "monthly", "2026-10")[0])
    outbox.enqueue_for_unit("overdue-notice", roads, f"unit:{roads.id}", "2026-11-18",
                            "Overdue: 1 item", "- bridge", "http://127.0.0.1:5000/tasks")
    db.session.commit()
    return {"bridge": bridge.id, "paving": paving.id, "roads": roads.id}


class _VisibleText(HTMLParser):
    """The text and attribute values of a page outside elements marked lang="zh-CN"."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open tags since the zh-CN element began

    def handle_starttag(self, tag, attrs):
        if self.skipping or ("lang", "zh-CN") in attrs:
            self.skipping.append(tag)
        else:
            self.parts += [value for _, value in attrs if value]

    def handle_endtag(self, tag):
        while self.skipping and self.skipping.pop() != tag:
            pass

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _chinese_on(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    return [text[max(0, m.start() - 30):m.end() + 10].replace("\n", " ")
            for m in CHINESE.finditer(text)]


PAGES = {
    "office": ["/", "/tasks", "/tasks/{bridge}", "/tasks/{paving}", "/tasks/new", "/tasks/{bridge}/edit",
               "/review", "/units/{roads}/home", "/regime/", "/regime/dispatch", "/regime/redblack",
               "/regime/lights", "/regime/evaluation", "/notify/", "/notify/channels?unit_id={roads}",
               "/notify/jobs", "/admin/units", "/admin/users", "/admin/tokens",
               "/admin/units/{roads}/edit", "/tasks/print", "/account", "/problems", "/problems/1"],
    # The liaison's view of an item carries the report, sign-off and extension forms.
    "liaison": ["/", "/tasks/{paving}", "/tasks/{bridge}", "/regime/dispatch", "/regime/evaluation",
                "/account"],
}


@pytest.mark.parametrize("login", PAGES)
def test_key_pages_in_english_show_no_chinese(browser, ascii_world, login):
    assert not _chinese_on(browser.get("/login?lang=en").get_data(as_text=True))
    browser.login(login)
    found = {}
    for url in (page.format(**ascii_world) for page in PAGES[login]):
        query = "&lang=en" if "?" in url else "?lang=en"
        response = browser.get(url + query, follow_redirects=True)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html and ">中文</a>" in html, url
        if hits := _chinese_on(html):
            found[url] = hits
    assert not found, "\n".join(f"{url}: {hits}" for url, hits in found.items())


def test_bulletin_page_keeps_its_chinese_wording_but_translates_the_toolbar(browser, ascii_world):
    browser.login("office")
    html = browser.get("/regime/?lang=en").get_data(as_text=True)
    url = re.search(r'href="(/regime/bulletins/\d+)"', html).group(1)
    page = browser.get(url).get_data(as_text=True)
    assert "Monthly bulletin" in page and "Republish as a new version" in page
    assert "2026年10月工作推进情况通报" in page  # the document itself stays Chinese
    # Only the document and its name in the window title stay Chinese.
    assert not _chinese_on(re.sub(r"<title>.*?</title>", "", page, flags=re.S))


def test_switching_language_between_requests_switches_every_text(browser, ascii_world):
    """Light texts and dates are looked up once per request (tracker.i18n), and the lookups
    end with the request: the next one, in the other language, is in that language."""
    browser.login("office")
    english = browser.get("/tasks?lang=en").get_data(as_text=True)
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} 20\d\d\b", english) and "年" not in english.split("<tbody>")[1]
    chinese = browser.get("/tasks?lang=zh").get_data(as_text=True)
    rows = chinese.split("<tbody>")[1]
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", rows)
    assert not re.search(r"\b\d{1,2} [A-Z][a-z]{2} 20\d\d\b", rows)
