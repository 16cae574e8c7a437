"""In real Chromium: the office assigns an item by typing part of its parent's title (the
suggestions fill from the server), picks the lead unit and two co-units from the searchable
lists (no Ctrl-click), saves, and the item page shows them."""
import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def _pick(page, select_id: str, words: str, name: str) -> None:
    """Type *words* into the searchable picker of the select *select_id* and choose *name*
    (typed again should the list close before the click, as it may under load)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    control = page.locator(f"#{select_id}-ts-control")
    option = page.locator(f"#{select_id}-ts-dropdown .option", has_text=name)
    for _ in range(3):
        control.focus()
        control.fill(words)
        try:
            option.click(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError(f"{name} was never offered in {select_id}")
    if not page.locator(f"#{select_id}").evaluate("select => select.multiple"):
        page.locator(f"#{select_id}-ts-dropdown").wait_for(state="hidden")


def test_the_office_picks_parent_and_units_by_name_in_chromium(live_server, chromium, make_unit,
                                                               make_task, office_user):
    units = {name: make_unit(name, kind) for name, kind in (
        ("遂溪县", "county"), ("县域经济专班", "taskforce"), ("城月镇", "town"), ("市发展改革局", "department"))}
    top = make_task(lead=units["市发展改革局"], title="推进县域经济高质量发展")
    make_task(lead=units["市发展改革局"], title="培育壮大县域主导产业", parent_id=top.id)

    context = chromium.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{live_server}/tasks/new")
    page.fill("input[name=title]", "建设县域产业园区")
    page.click("input[name=parent]")
    page.keyboard.type("主导产业")
    # The browser's suggestion list fills from the server with the item's code and title.
    # A function, not an expression: the expression form failed once here (a PostgreSQL run)
    # with the page's CSP refusing eval(); cause not pinned down, the function form is
    # what Playwright's documentation shows.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#parent-options option')]"
        ".some(o => o.value === '1.1 培育壮大县域主导产业')")
    page.fill("input[name=parent]", "1.1 培育壮大县域主导产业")  # what choosing the suggestion writes
    _pick(page, "lead_unit_id", "经济", "县域经济专班")
    _pick(page, "co_unit_ids", "遂溪", "遂溪县")
    _pick(page, "co_unit_ids", "城月", "城月镇")
    page.keyboard.press("Escape")
    chosen = page.locator(".ts-wrapper.multi .ts-control .item").all_inner_texts()
    assert [text.replace("×", "").strip() for text in chosen] == ["遂溪县", "城月镇"]
    page.fill("input[name=due_date]", "2026-12-31")
    page.click("form button[type=submit].primary")
    page.wait_for_url(lambda url: "/tasks/new" not in url)

    content = page.content()
    assert "建设县域产业园区" in content and "1.1 培育壮大县域主导产业" in content
    assert "县域经济专班" in content and "遂溪县" in content and "城月镇" in content
    assert errors == []
    context.close()
