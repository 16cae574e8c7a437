"""In real Chromium on a 390 px wide screen: the office marks an item exempt on its page,
edits a paragraph of the monthly draft, confirms the proposed escalation, and compiles the
draft again through the keep-or-replace question; no page is wider than the screen."""
import re
from datetime import date

import pytest

from conftest import NOW
from test_browser_ledger import login
from test_redblack_rules import _rules
from test_regime_redblack import at, sign_off
from tracker.extensions import db

pytestmark = pytest.mark.browser
WIDTH = 390


@pytest.fixture
def ledger(app, make_unit, make_task, office_user):
    _rules(app)
    fgj, gxj = make_unit("市发展改革局"), make_unit("市工业和信息化局")
    at(app, date(2026, 10, 1))
    done = make_task(lead=fgj, due=date(2026, 11, 10), code="1", title="标准厂房建设")
    late = make_task(lead=gxj, due=date(2026, 11, 6), code="2", title="5G基站建设")
    make_task(lead=gxj, due=date(2026, 11, 6), code="3", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    sign_off(done, date(2026, 11, 5))
    db.session.commit()
    return {"late": late}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def test_exempting_editing_confirming_and_recompiling_on_a_phone(live_server, chromium, ledger):
    context = chromium.new_context(viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    login(page, live_server, "office")

    page.goto(f"{live_server}/tasks/{ledger['late'].id}")
    _fits(page)
    page.select_option("#exemption-form select[name=kind]", label="上级要求")
    page.fill("#exemption-form textarea[name=reason]", "省里要求调整建设方案")
    page.fill("#exemption-form input[name=start_date]", "2026-11-01")
    page.click("#exemption-form button[type=submit]")
    assert "请勾选确认" in page.inner_text("#exemption-form")
    page.check("#exemption-form input[name=confirm]")
    page.click("#exemption-form button[type=submit]")
    page.wait_for_load_state()
    assert "豁免中" in page.inner_text("#exemptions") and "省里要求调整建设方案" in page.inner_text("#exemptions")
    _fits(page)

    page.goto(f"{live_server}/regime/")
    page.select_option("#compile select[name=kind]", "monthly")
    page.fill("#compile input[name=period]", "2026-11")
    page.click("#compile button[type=submit]")
    page.wait_for_url(re.compile(r"/regime/bulletins/\d+$"))
    url = page.url
    assert "2 5G基站建设（市工业和信息化局）：上级要求，省里要求调整建设方案" in page.inner_text("#section-black")
    _fits(page)
    assert "未确认（仅为提议）" in page.inner_text("#escalations")
    assert "约谈分管领导" not in page.inner_text(".bulletin")
    page.check("#escalations input[name=unit_id]")
    page.click("#escalations button[type=submit]")
    page.wait_for_load_state()
    assert "对市工业和信息化局（连续第1次上黑榜）约谈分管领导" in page.inner_text("#section-black")
    _fits(page)

    page.click("text=编辑草稿")
    _fits(page)
    page.fill("textarea[name='p:next.0']", "一是抓好年底冲刺。")
    page.click("#draft button[type=submit]")
    page.wait_for_url(url)
    assert page.inner_text("#section-next").count("一是抓好年底冲刺。") == 1

    page.click("#recompile button[type=submit]")
    page.wait_for_url(f"{url}/compile")
    _fits(page)
    assert "一是抓好年底冲刺。" in page.inner_text("#recompile-confirm")
    page.click("text=保留修改并重新生成")
    page.wait_for_url(url)
    assert "一是抓好年底冲刺。" in page.inner_text("#section-next")
    context.close()
