"""In real Chromium: the office compiles, edits and publishes the monthly bulletin; the
notice reaches a unit by email (a real SMTP peer), the unit's liaison opens the bulletin
from the link in it, and the office's notification log shows the notice as read."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from conftest import NOW
from peers import smtp  # noqa: F401 - fixture
from test_browser_ledger import login
from test_regime_redblack import at, report, sign_off
from tracker.extensions import db
from tracker.models import Bulletin, Notification
from tracker.notify.delivery import deliver

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger(app, make_unit, make_task, make_user, office_user, live_server, smtp):  # noqa: F811
    app.config["SETTINGS"]["app"]["base_url"] = live_server
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=smtp.port)
    fgj = make_unit("市发展改革局", email="fgj@example.cn")
    gxj = make_unit("市工业和信息化局", email="gxj@example.cn")
    at(app, date(2026, 10, 1))
    done = make_task(lead=fgj, due=date(2026, 11, 10), code="1", title="标准厂房建设")
    late = make_task(lead=gxj, due=date(2026, 11, 6), code="2", title="5G基站建设")
    make_task(lead=gxj, due=date(2026, 12, 15), code="3", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    sign_off(done, date(2026, 11, 5))
    report(late, "2026-W46")
    make_user("unit", unit=gxj, login="gxj")
    deliver()  # the units' 交办 and 销号 notices
    smtp.messages.clear()
    return {"gxj": gxj}


def test_office_publishes_the_monthly_bulletin_and_a_unit_opens_it_from_its_notice(
        live_server, chromium, ledger, smtp, tmp_path):  # noqa: F811
    office = chromium.new_context()
    page = office.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/regime/")
    page.select_option("#compile select[name=kind]", "monthly")
    page.fill("#compile input[name=period]", "2026-11")
    page.click("#compile button[type=submit]")
    page.wait_for_url(re.compile(r"/regime/bulletins/\d+$"))
    bulletin_url = page.url
    assert "关于2026年11月百千万工程工作推进情况的通报" in page.content()
    assert page.inner_text("#bulletin-status") == "草稿"

    page.click("text=编辑草稿")
    page.fill("textarea[name=opening]", "11月全市重点任务总体推进有序，现将有关情况通报如下。")
    page.fill("textarea[name=commentary]", "请上黑榜单位对照问题清单限期整改。")
    page.fill("textarea[name=key_points]", "全力冲刺年度目标")
    page.click("#draft button[type=submit]")
    page.wait_for_url(bulletin_url)
    assert "11月全市重点任务总体推进有序" in page.inner_text(".bulletin")
    assert "全力冲刺年度目标" in page.inner_text("#section-next")

    page.click("#publish button[type=submit]")
    page.wait_for_load_state()
    assert "通知所有单位" in page.inner_text("#confirm")  # the confirmation step comes first
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#bulletin-status") == "已发布"
    assert "请上黑榜单位对照问题清单限期整改。" in page.inner_text(".bulletin")
    page.screenshot(path=str(tmp_path / "bulletin.png"), full_page=True)

    # The outbox delivers the notices; the unit's email carries the link to the bulletin.
    assert deliver()["sent"] == 2
    mail = next(msg for to, msg in smtp.messages if to == ["gxj@example.cn"])
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"查看事项：(\S+)", text)[1]
    assert link == bulletin_url

    unit = chromium.new_context()
    upage = unit.new_page()
    login(upage, live_server, "gxj")
    upage.goto(link)
    assert "已签收" in upage.inner_text(".flashes")
    assert "关于2026年11月百千万工程工作推进情况的通报" in upage.inner_text(".bulletin")
    assert "全力冲刺年度目标" in upage.inner_text("#section-next")
    assert upage.locator("#publish").count() == 0

    bulletin_id = int(bulletin_url.rsplit("/", 1)[1])
    db.session.expire_all()
    notice = db.session.scalar(select(Notification).where(
        Notification.subject == f"bulletin-{bulletin_id}", Notification.unit_id == ledger["gxj"].id))
    page.goto(f"{live_server}/notify/?unit_id={ledger['gxj'].id}")
    row = page.inner_text(f"tr:has-text('{notice.title}')")
    assert "已签收" in row and "未签收" not in row
    assert db.session.get(Bulletin, bulletin_id).content["opening"].startswith("11月全市重点任务")
    office.close()
    unit.close()
