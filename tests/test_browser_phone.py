"""In real Chromium at 390×844 (a phone) and 1366×768 (a desktop): the nav folds behind 菜单
and opens without script, the review queue's buttons are on screen, tables read as cards,
and no page of the main flows scrolls sideways. Screenshots of each are kept in the test's
temporary folder (tmp_path) for people to look at."""
from datetime import date

import pytest

from test_browser_workbench import fits, login
from tracker.extensions import db
from tracker.regime.bulletins import create_draft, publish
from tracker.reports.operations import submit_report
from tracker.signoff.operations import request_signoff

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(make_world, make_task, office_user):
    w = make_world(task={"code": "2.3.1", "title": "湛江钢铁三高炉系统改造配套道路建设工程（一期）",
                         "due_date": date(2026, 12, 18)})
    sub = make_task(w.lead, code="2.3.1.1", title="路基工程", parent_id=w.task.id,
                    due=date(2026, 11, 6))
    long_name = make_task(w.lead, code="2.3.2", title="霞山区城市更新片区" * 4,
                          due=date(2026, 11, 30))
    for task in (w.task, sub, long_name):
        submit_report(w.users["lead"], task, progress=100, text="主体工程已完工，" * 8,
                      problems="征地补偿款拨付滞后", period="2026-W46")
        request_signoff(w.users["lead"], task, "路基、路面均已完工，附竣工验收报告")
    bulletin, _ = create_draft(office_user, "monthly", "2026-10")
    publish(office_user, bulletin)
    db.session.commit()
    return w, bulletin


def pages(w, bulletin) -> dict[str, list[str]]:
    """The main flows' pages, by who opens them."""
    item = f"/tasks/{w.task.id}"
    return {"lead": [f"/units/{w.lead.id}/home", "/tasks", item, f"{item}#report", "/notify/inbox",
                     "/regime", f"/regime/bulletins/{bulletin.id}", "/regime/redblack", "/account"],
            "office": ["/", "/tasks", item, "/review", "/regime", f"/regime/bulletins/{bulletin.id}",
                       "/regime/redblack", "/admin/users"]}


def test_the_review_queue_works_on_a_phone(live_server, chromium, world, tmp_path):
    w, bulletin = world
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/review")
    assert fits(page)
    width = page.evaluate("window.innerWidth")
    buttons = page.locator("#signoffs .decide button")
    assert buttons.count() == 6  # 同意销号 and 退回 for each of three requests
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, button.inner_text()
    # Rows read as cards: each cell labelled by its column.
    label = page.evaluate("getComputedStyle(document.querySelector('#signoffs td[data-label]'),"
                          " '::before').content")
    assert "事项" in label or "选择" in label
    page.screenshot(path=str(tmp_path / "review-390.png"), full_page=True)
    # The batch approve and a single approval both work from the phone.
    page.check("#signoffs tbody tr >> nth=0 >> input[name=request_ids]")
    page.click("#batch-approve button[type=submit]")
    page.wait_for_load_state()
    assert "已同意 1 项销号申请" in page.inner_text(".flashes")
    page.locator("#signoffs .decide button.primary").first.click()
    page.wait_for_load_state()
    assert "已同意销号" in page.inner_text(".flashes")
    assert page.locator("#signoffs .decide button").count() == 2
    context.close()


def test_the_nav_folds_into_a_menu_that_opens_without_script(live_server, chromium, world):
    w, bulletin = world
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/tasks")
    nav = page.locator("#site-nav")
    assert not nav.is_visible() and page.locator(".nav-toggle-label").is_visible()
    assert page.evaluate("document.querySelector('.topbar').offsetHeight") < 110
    page.click(".nav-toggle-label")
    assert nav.is_visible()
    page.click("#site-nav a:has-text('审核')")
    page.wait_for_url("**/review")
    assert fits(page)
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_no_page_of_the_main_flows_scrolls_sideways(live_server, chromium, world, tmp_path, viewport):
    w, bulletin = world
    for who, urls in pages(w, bulletin).items():
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        login(page, live_server, who)
        for url in urls:
            page.goto(f"{live_server}{url}")
            name = f"{who}{url.replace('/', '_').replace('#', '-')}-{viewport['width']}.png"
            page.screenshot(path=str(tmp_path / name), full_page=True)
            assert fits(page), f"{url} as {who} scrolls sideways at {viewport['width']} px"
        context.close()


def test_chart_text_is_readable_on_a_phone(live_server, chromium, world):
    w, bulletin = world
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/")
    sizes = page.evaluate("""Array.from(document.querySelectorAll('svg.chart:not(.donut) text'))
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0)""")
    assert sizes and min(sizes) >= 9, sizes  # rendered text at least 9 px tall (was ~5)
    context.close()
