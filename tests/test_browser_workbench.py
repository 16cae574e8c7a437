"""In real Chromium on a 390×844 phone, the unit's loop: notified of an assignment (the unread
count in the header), opens it from its workbench, reports the week owed, asks sign-off, is
sent back and reads why on its home page, reports again, is approved and told so; no page
scrolls sideways."""
import pytest
from sqlalchemy import select

from conftest import PASSWORD
from tracker.extensions import db
from tracker.models import SignoffRequest
from tracker.signoff.operations import approve_signoff, reject_signoff

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def login(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_units_loop_from_notice_to_report_on_a_phone(live_server, chromium, make_world,
                                                         office_user):
    w = make_world(task={"code": "2.3.1", "title": "湛江钢铁三高炉系统改造配套道路建设工程"})
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    login(page, live_server, "lead")
    assert page.url.endswith(f"/units/{w.lead.id}/home")
    assert page.locator(".notices-link .badge").inner_text() == "1"
    assert fits(page)
    page.click("#new a:has-text('2.3.1')")
    page.wait_for_url(f"**/tasks/{w.task.id}")
    assert page.locator(".notices-link .badge").count() == 0  # opened: read
    page.goto(f"{live_server}/units/{w.lead.id}/home")
    page.click("#owed a.button:has-text('报送')")
    assert page.input_value("input[name=period]") == "2026-W47"
    page.fill("input[name=progress]", "60")
    page.fill("textarea[name=text]", "路基完成60%")
    page.click("#report button[type=submit]")
    page.wait_for_load_state()
    assert "第47周（11月16日—22日）" in page.content()

    page.fill("textarea[name=note]", "路基、路面均已完工")
    page.click("#signoff button[type=submit]")
    page.wait_for_load_state()
    assert "待销号" in page.content()

    db.session.expire_all()  # the server changed the item
    req = db.session.scalar(select(SignoffRequest).where(SignoffRequest.task_id == w.task.id))
    reject_signoff(office_user, w.task, req.id, "缺少竣工验收报告")
    db.session.commit()
    page.goto(f"{live_server}/units/{w.lead.id}/home")
    assert page.locator(".notices-link .badge").inner_text() == "1"
    assert "退回理由：缺少竣工验收报告" in page.locator("#sent-back").inner_text()
    assert fits(page)
    page.click("#sent-back a.button:has-text('重新报送')")
    page.fill("input[name=progress]", "100")
    page.fill("textarea[name=text]", "已补充竣工验收报告")
    page.click("#report button[type=submit]")
    page.wait_for_load_state()
    page.fill("textarea[name=note]", "已补充竣工验收报告")
    page.click("#signoff button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/units/{w.lead.id}/home")
    assert page.locator("#sent-back").count() == 0

    db.session.expire_all()
    req = db.session.scalar(select(SignoffRequest).where(SignoffRequest.task_id == w.task.id,
                                                        SignoffRequest.status == "pending"))
    approve_signoff(office_user, w.task, req.id)
    db.session.commit()
    page.goto(f"{live_server}/notify/inbox")
    assert page.locator(".notices-link .badge").inner_text() == "2"
    titles = page.locator(".notice-title").all_inner_texts()
    assert titles[:2] == ["【销号】2.3.1 湛江钢铁三高炉系统改造配套道路建设工程：已同意销号",
                          "【退回】2.3.1 湛江钢铁三高炉系统改造配套道路建设工程：销号申请被退回"]
    assert fits(page)
    page.click(".notice-title >> nth=0")
    page.wait_for_url(f"**/tasks/{w.task.id}")
    assert "已销号" in page.content() and page.locator(".notices-link .badge").inner_text() == "1"
    context.close()
