"""In real Chromium: the office assigns an item, the unit reports and asks for sign-off with a
file, the office approves, and the item page shows 已销号 with every step in its history."""
import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def login(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_assign_report_signoff_approve_in_chromium(live_server, chromium, office_user, make_unit,
                                                   make_user, tmp_path):
    lead = make_unit("市工业和信息化局")
    make_user("unit", unit=lead, login="gxj")
    evidence = tmp_path / "竣工验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 demo evidence\n")

    office = chromium.new_context()
    page = office.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/tasks/new")
    page.fill("input[name=title]", "新建标准厂房50万平方米")
    page.select_option("select[name=lead_unit_id]", label="市工业和信息化局")
    page.fill("input[name=due_date]", "2026-12-31")
    page.fill("input[name=target_value]", "50")
    page.fill("input[name=target_unit]", "万平方米")
    page.click("form button[type=submit].primary")
    page.wait_for_url(lambda url: "/tasks/new" not in url)
    item_url = page.url
    assert "新建标准厂房50万平方米" in page.content()

    unit = chromium.new_context()
    upage = unit.new_page()
    login(upage, live_server, "gxj")
    upage.goto(f"{live_server}/tasks")
    upage.click("text=新建标准厂房50万平方米")
    assert upage.url == item_url
    upage.fill("input[name=progress]", "100")
    upage.fill("textarea[name=text]", "厂房主体完工，已通过竣工验收")
    upage.fill("textarea[name=problems]", "无")
    upage.click("button:has-text('报送')")
    upage.wait_for_load_state()
    assert "厂房主体完工，已通过竣工验收" in upage.content()
    upage.fill("textarea[name=note]", "已完成，申请销号")
    upage.set_input_files("form[action$='/signoff'] input[type=file]", str(evidence))
    upage.click("button:has-text('申请销号')")
    upage.wait_for_load_state()
    assert "待销号" in upage.content()
    assert "竣工验收报告.pdf" in upage.content()

    page.goto(f"{live_server}/review")
    page.click("button:has-text('同意销号')")
    page.wait_for_load_state()
    page.goto(item_url)
    content = page.content()
    assert "已销号" in content
    history = page.inner_text("#history")
    for step in ("新建事项", "报送进展", "申请销号", "同意销号"):
        assert step in history, step
    assert "牵头单位：市工业和信息化局" in history
    assert "状态：待销号 → 已销号" in history
    page.screenshot(path=str(tmp_path / "item.png"), full_page=True)

    upage.goto(item_url)
    assert "已销号" in upage.content()
    office.close()
    unit.close()
