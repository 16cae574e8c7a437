"""The problem ledger (问题清单): a problem reported week after week is one record; the office
classifies, assigns (telling the coordinating unit once, through a real SMTP server) and
closes it; the coordinating unit sees it and notes; nobody else may act."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conftest import Browser, csrf_from
from peers import smtp  # noqa: F401 - fixture
from tracker.extensions import db
from tracker.foresight import problems
from tracker.models import AuditEvent, Problem, ProblemNote, ProgressReport, UnitNotice
from tracker.reports.operations import correct_report


@pytest.fixture
def world(app, make_world, smtp):  # noqa: F811 - fixture use
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=smtp.port)
    return make_world(login="{role}-user", tokens=True, emails={"other": "tzj@gov.test"})


def _report(world, period, problems_text, who="lead", progress=30):
    response = world.call(who, "POST", f"/tasks/{world.task.id}/reports",
                          {"progress": progress, "text": "推进中", "problems": problems_text,
                           "period": period})
    assert response.status_code == 201, response.get_json()


def _problems(world, who="office", **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = world.call(who, "GET", f"/problems?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_problem_reported_three_weeks_running_is_one_record(world):
    _report(world, "2026-W45", "项目用地指标尚未落实。")
    _report(world, "2026-W46", "项目用地指标尚未落实")
    _report(world, "2026-W47", "1. 项目用地指标 尚未落实，正在对接自然资源局\n2. 配套资金未到位", who="co")
    [land, funds] = _problems(world)
    assert land["text"] == "项目用地指标 尚未落实，正在对接自然资源局"
    assert (land["category"], land["status"], land["times_reported"]) == ("用地", "open", 3)
    assert land["unit_id"] == world.co.id
    assert (funds["text"], funds["category"], funds["times_reported"]) == ("配套资金未到位", "资金", 1)


def test_a_corrected_report_puts_its_problem_in_the_ledger(world):
    """A unit that first wrote 无 and corrects the report, while its period is open, to name
    a problem has that problem recorded as if it had been written the first time."""
    _report(world, "2026-W47", "无")
    assert _problems(world) == []
    report = db.session.scalars(select(ProgressReport)).one()
    correct_report(world.users["lead"], report, progress=30, text="推进中", problems="征地拆迁尚未完成")
    db.session.commit()
    [problem] = _problems(world)
    assert (problem["text"], problem["category"]) == ("征地拆迁尚未完成", "拆迁")


def test_no_problem_words_make_no_record(world):
    _report(world, "2026-W46", "无")
    _report(world, "2026-W47", "暂无问题")
    assert _problems(world) == []


def test_dedup_is_per_item_and_by_normalised_text(world):
    assert problems.normalise("用地指标，尚未 落实！") == problems.normalise("用地指标尚未落实")
    assert problems.split("一是审批慢；二是资金缺口大") == ["审批慢", "资金缺口大"]


def test_assigning_tells_the_coordinating_unit_once_and_closing_records_the_note(world, smtp, runner):
    _report(world, "2026-W47", "拆迁补偿协议未签订")
    [problem] = _problems(world)
    assign = {"coordinator_unit_id": world.other.id, "due_date": "2026-11-30", "note": "请牵头协调"}
    response = world.call("office", "POST", f"/problems/{problem['id']}/assign", assign)
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert (got["status"], got["coordinator_unit_id"], got["due_date"]) == (
        "assigned", world.other.id, "2026-11-30")
    # The same assignment again (a new deadline) does not tell the unit a second time.
    assert world.call("office", "POST", f"/problems/{problem['id']}/assign",
                      {**assign, "due_date": "2026-12-04"}).status_code == 200
    result = runner.invoke(args=["tracker", "run-job", "dispatch-outbox"])
    assert result.exit_code == 0, result.output
    mails = [(to, msg) for to, msg in smtp.messages if to == ["tzj@gov.test"]]
    assert len(mails) == 1
    body = mails[0][1].get_body(("plain",)).get_content()
    assert "拆迁补偿协议未签订" in body and "2026年11月30日前" in body and "请牵头协调" in body
    notices = db.session.scalars(select(UnitNotice).where(UnitNotice.unit_id == world.other.id)).all()
    assert [n.rule for n in notices] == ["problem-assigned"]
    # The coordinating unit sees it and notes; it may not close it.
    assert [p["id"] for p in _problems(world, "other")] == [problem["id"]]
    assert world.call("other", "POST", f"/problems/{problem['id']}/resolve", {"note": "已办"}).status_code == 403
    response = world.call("office", "POST", f"/problems/{problem['id']}/resolve", {"note": "协议已签订"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["resolution"]) == ("resolved", "协议已签订")
    assert world.call("office", "POST", f"/problems/{problem['id']}/resolve", {"note": "再次"}).status_code == 409
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("problem.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["problem.create", "problem.assign", "problem.assign", "problem.resolve"]


def test_a_resolved_problem_reported_again_is_reopened(world):
    _report(world, "2026-W46", "施工图设计未审定")
    [problem] = _problems(world)
    world.call("office", "POST", f"/problems/{problem['id']}/resolve", {"note": "已审定"})
    _report(world, "2026-W47", "施工图设计未审定")
    [again] = _problems(world)
    assert (again["id"], again["status"], again["times_reported"]) == (problem["id"], "open", 2)


@pytest.mark.parametrize("who", ["lead", "co", "other", "leader"])
def test_only_the_office_classifies_assigns_and_closes(world, who):
    _report(world, "2026-W47", "环评手续未批复")
    problem_id = db.session.scalar(select(Problem.id))
    for url, body in (("assign", {"coordinator_unit_id": world.co.id, "due_date": "2026-11-30"}),
                      ("resolve", {"note": "已办"})):
        response = world.call(who, "POST", f"/problems/{problem_id}/{url}", body)
        # A unit with nothing to do with the item is answered as if there were no problem.
        assert response.status_code == (404 if who == "other" else 403), response.get_json()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["problem.assign", "problem.resolve"]))) == 0


def test_other_units_do_not_see_an_items_problems(world):
    _report(world, "2026-W47", "资金缺口较大")
    assert _problems(world, "other") == []
    assert len(_problems(world, "co")) == 1 and len(_problems(world, "leader")) == 1


def test_bad_assignments_name_the_field(world):
    _report(world, "2026-W47", "资金缺口较大")
    problem_id = db.session.scalar(select(Problem.id))
    for body, field in (({"coordinator_unit_id": 999999, "due_date": "2026-11-30"}, "coordinator_unit_id"),
                        ({"coordinator_unit_id": world.co.id}, "due_date"),
                        ({"coordinator_unit_id": world.co.id, "due_date": "2026-11-30",
                          "category": "天气"}, "category")):
        response = world.call("office", "POST", f"/problems/{problem_id}/assign", body)
        assert (response.status_code, response.get_json()["field"]) == (400, field)


def test_the_office_classifies_assigns_and_closes_on_the_pages(world, browser):
    _report(world, "2026-W47", "审批手续办理缓慢")
    problem_id = db.session.scalar(select(Problem.id))
    browser.login("office")
    page = browser.get(f"/problems/{problem_id}")
    assert "审批手续办理缓慢" in page.get_data(as_text=True)
    csrf = csrf_from(page)
    response = browser.client.post(f"/problems/{problem_id}/classify",
                                   data={"category": "审批", "csrf_token": csrf})
    assert response.status_code == 302
    response = browser.client.post(f"/problems/{problem_id}/assign", data={
        "coordinator_unit_id": "999999", "due_date": "2026-11-30", "csrf_token": csrf})
    assert response.status_code == 400 and "请从列表中选择协调单位" in response.get_data(as_text=True)
    response = browser.client.post(f"/problems/{problem_id}/assign", data={
        "coordinator_unit_id": str(world.other.id), "due_date": "2026-11-30", "csrf_token": csrf})
    assert response.status_code == 302
    listing = browser.get("/problems?status=assigned&category=审批").get_data(as_text=True)
    assert "审批手续办理缓慢" in listing and world.other.name in listing
    problem = db.session.get(Problem, problem_id)
    assert (problem.category, problem.is_classified, problem.status) == ("审批", True, "assigned")


def test_the_coordinating_unit_notes_what_it_did_and_others_may_not(world, app):
    _report(world, "2026-W47", "资金拨付滞后")
    problem_id = db.session.scalar(select(Problem.id))
    world.call("office", "POST", f"/problems/{problem_id}/assign",
               {"coordinator_unit_id": world.other.id, "due_date": "2026-11-30"})
    for login, status in (("other-user", 302), ("lead-user", 403)):
        browser = Browser(app.test_client())
        browser.login(login)
        page = browser.get(f"/problems/{problem_id}")
        assert page.status_code == 200
        response = browser.client.post(f"/problems/{problem_id}/notes",
                                       data={"note": "已协调财政局加快拨付", "csrf_token": csrf_from(page)})
        assert response.status_code == status
    notes = db.session.scalars(select(ProblemNote.text).where(ProblemNote.kind == "note")).all()
    assert notes == ["已协调财政局加快拨付"]


def test_the_items_history_names_problem_steps_in_words(world):
    """The item page's history says 提出问题 / 再次反映问题 and labels the problem 存在问题,
    never the event's code or 进展情况."""
    import re
    _report(world, "2026-W45", "项目用地指标尚未落实。")
    _report(world, "2026-W46", "项目用地指标尚未落实")
    db.session.commit()
    browser = Browser(world.client)
    browser.login("office")
    page = browser.get(f"/tasks/{world.task.id}").get_data(as_text=True)
    assert "problem.create" not in page and "problem.repeat" not in page
    assert "提出问题" in page and "再次反映问题" in page
    words = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))
    assert re.search(r"提出问题.{0,80}存在问题：?项目用地指标尚未落实", words), words[-2000:]
