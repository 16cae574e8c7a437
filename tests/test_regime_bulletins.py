"""Bulletins through the API: draft → publish → frozen, new versions, one notice per unit,
and the .docx / .xlsx read back."""
import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from test_regime_redblack import at, report, sign_off
from conftest import NOW
from tracker.extensions import db
from tracker.foresight import problems
from tracker.models import Notification, ProgressReport
from tracker.regime.documents import DOCX_TABLE_ROWS, docx_bytes
from tracker.regime.bulletins import notify_units

MONTHLY_SECTIONS = ["overall", "units", "red", "black", "problems", "next", "due_next"]


@pytest.fixture
def world(app, make_world, make_task):
    """The role world's 市发展改革局 (a, with a unit user and the leader) and 市工业和信息化局
    (b), each with an email, everyone with a token; four items as of 18 November 2026."""
    w = make_world(other=None, task=False,
                   emails={"lead": "fgj@example.cn", "co": "gxj@example.cn"},
                   users=("lead", "leader"), leader_unit="lead", tokens=True)
    a, b = w.lead, w.co
    at(app, date(2026, 10, 1))
    goal = make_task(lead=a, due=date(2026, 12, 31), code="1", title="县域经济高质量发展")
    done = make_task(lead=a, due=date(2026, 11, 10), code="1.1", title="标准厂房建设",
                     parent_id=goal.id)
    late = make_task(lead=b, due=date(2026, 11, 6), code="1.2", title="5G基站建设",
                     parent_id=goal.id)
    road = make_task(lead=b, due=date(2026, 12, 15), code="2", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    sign_off(done, date(2026, 11, 5))
    late.status, late.progress = "in_progress", 50
    goal.progress, road.progress = 60, 70     # ahead of 序时进度 (52 and 64): green
    db.session.commit()
    report(late, "2026-W46")
    db.session.execute(ProgressReport.__table__.update().values(problems="用地指标未落实"))
    for row in db.session.scalars(select(ProgressReport)):   # into the problem ledger, as reported
        problems.record_from_report(row)
    db.session.commit()
    return {"a": a, "b": b, "late": late, "office": w.headers["office"],
            "unit": w.headers["lead"], "leader": w.headers["leader"]}


def _create(client, headers, kind="monthly", period="2026-11"):
    return client.post("/api/v1/bulletins", json={"kind": kind, "period": period}, headers=headers)


def test_office_compiles_a_monthly_draft_with_every_section(client, world):
    response = _create(client, world["office"])
    assert response.status_code == 201
    draft = response.get_json()
    assert draft["status"] == "draft" and draft["version"] == 1
    content = draft["content"]
    assert content["title"] == "关于2026年11月百千万工程工作推进情况的通报"
    assert content["as_of"] == "2026-11-18"
    assert content["opening"].startswith("为推动百千万工程各项任务落地见效") and content["opening"].endswith("通报如下：")
    assert [s["key"] for s in content["sections"]] == MONTHLY_SECTIONS
    sections = {s["key"]: s for s in content["sections"]}
    # Leaf items only (goal 1 is the parent of 1.1 and 1.2): 1.1 done, 2 on track, 1.2
    # overdue; the shares add up to 100%.
    assert sections["overall"]["paragraphs"][0] == (
        "截至2026年11月18日，纳入统计的事项共3项：已完成1项（33.4%），正常推进1项（33.3%），"
        "逾期未完成1项（33.3%），暂缓0项（0%）。")
    assert content["summary"] == {"as_of": "2026-11-18", "total": 3, "overdue": 1,
                                  "by_status": {"not_started": 1, "in_progress": 1, "signoff_requested": 0,
                                                "signed_off": 1, "suspended": 0},
                                  "lights": {"green": 2, "yellow": 0, "red": 1}}
    # One reporting window for the whole document, the red/black list included: the weeks
    # whose reports fell due in November and closed by the 18th, W44 to W46. 1.1 owed W45
    # (signed off on 5 November) and was not reported; 1.2 and 2 owed all three weeks, 1.2
    # reported W46 on time: 1 of 6.
    assert sections["units"]["table"]["rows"] == [
        ["市直部门", 1, "市发展改革局", 1, 1, 1, 1, 1.0, 1.0, 0, 0.0],
        ["市直部门", 2, "市工业和信息化局", 2, 1, 0, 0, 0.0, 0.0, 1, 0.1667]]
    assert sections["units"]["annex"] is True
    # 存在问题 from the problem ledger, by category, the oldest open problem named.
    assert sections["problems"]["paragraphs"] == [
        "截至统计日，问题清单中尚未解决的问题共1个：一是用地问题1个，涉及1项任务，其中已交办协调0个，"
        "提出最早的有“用地指标未落实”（1.2，已提出1天）。"]
    assert sections["problems"]["table"]["rows"] == [["用地", 1, 1, 0, "1.2", "用地指标未落实（1.2，1天）"]]
    steps = sections["next"]["paragraphs"]
    assert steps[0].startswith("一是全力攻坚逾期事项。对1项逾期未完成事项，各牵头单位要于2026年11月25日前")
    assert steps[1].startswith("二是着力破解用地等问题") and steps[-1].startswith("四是抓好下月到期事项。下月到期事项1项")
    assert [r[1] for r in sections["due_next"]["table"]["rows"]] == ["2"]  # the leaf due in December
    again = _create(client, world["office"])
    assert again.status_code == 200 and again.get_json()["id"] == draft["id"]


@pytest.mark.parametrize("body, field", [
    ({"kind": "daily", "period": "2026-11"}, "kind"),
    ({"kind": "monthly", "period": "2026-13"}, "period"),
    ({"kind": "quarterly", "period": "2026-11"}, "period"),
    ({"kind": "weekly", "period": "2026-W60"}, "period"),
])
def test_bad_kind_or_period_is_refused_naming_the_field(client, world, body, field):
    response = client.post("/api/v1/bulletins", json=body, headers=world["office"])
    assert response.status_code == 400 and response.get_json()["field"] == field


def test_units_cannot_compile_publish_or_read_drafts(client, world):
    assert _create(client, world["unit"]).status_code == 403
    draft = _create(client, world["office"]).get_json()
    assert client.get(f"/api/v1/bulletins/{draft['id']}", headers=world["unit"]).status_code == 403
    assert client.get(f"/api/v1/bulletins/{draft['id']}", headers=world["leader"]).status_code == 200
    assert client.post(f"/api/v1/bulletins/{draft['id']}/publish",
                       headers=world["leader"]).status_code == 403
    assert client.get("/api/v1/bulletins", headers=world["unit"]).get_json()["total"] == 0
    assert client.get("/api/v1/bulletins/999", headers=world["office"]).status_code == 404
    assert client.get("/api/v1/bulletins").status_code == 401


def _notices(bulletin_id):
    return db.session.execute(
        select(Notification.unit_id, func.count()).where(Notification.subject == f"bulletin-{bulletin_id}")
        .group_by(Notification.unit_id)).all()


def test_publishing_freezes_the_content_and_notifies_each_unit_once(client, world):
    draft = _create(client, world["office"]).get_json()
    published = client.post(f"/api/v1/bulletins/{draft['id']}/publish", headers=world["office"])
    assert published.status_code == 200
    frozen = published.get_json()
    assert frozen["status"] == "published" and frozen["id"] == draft["id"]
    assert sorted(_notices(draft["id"])) == sorted([(world["a"].id, 1), (world["b"].id, 1)])
    assert notify_units(_bulletin(draft["id"])) == 0     # re-queueing adds nothing
    # The ledger moves on; the published bulletin does not.
    world["late"].status, world["late"].title = "suspended", "改名后的事项"
    db.session.commit()
    again = client.get(f"/api/v1/bulletins/{draft['id']}", headers=world["unit"]).get_json()
    assert again["content"] == frozen["content"]
    # Publishing again makes version 2 from today's ledger, notified once more.
    second = client.post(f"/api/v1/bulletins/{draft['id']}/publish",
                         headers=world["office"]).get_json()
    assert second["id"] != draft["id"] and second["version"] == 2
    assert second["content"] != frozen["content"]
    assert sorted(_notices(second["id"])) == sorted([(world["a"].id, 1), (world["b"].id, 1)])
    listed = client.get("/api/v1/bulletins", headers=world["unit"]).get_json()
    assert [(b["id"], b["version"]) for b in listed["items"]] == [(second["id"], 2), (draft["id"], 1)]


def _bulletin(bulletin_id):
    from tracker.models import Bulletin

    return db.session.get(Bulletin, bulletin_id)


def test_docx_and_xlsx_read_back(client, world):
    draft = _create(client, world["office"]).get_json()
    client.post(f"/api/v1/bulletins/{draft['id']}/publish", headers=world["office"])
    response = client.get(f"/api/v1/bulletins/{draft['id']}/document.docx", headers=world["unit"])
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "市百千万工程指挥部办公室" and texts[1] == "百千万指办通〔2026〕1号"
    assert "关于2026年11月百千万工程工作推进情况的通报" in texts
    for heading in ("一、总体情况", "二、各单位推进情况", "三、红榜", "四、黑榜", "五、存在问题", "六、下步工作"):
        assert heading in texts
    assert len(doc.inline_shapes) == 1   # the completion chart
    assert any("市工业和信息化局" in cell.text for table in doc.tables for row in table.rows
               for cell in row.cells)

    response = client.get(f"/api/v1/bulletins/{draft['id']}/table.xlsx", headers=world["unit"])
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:3] == ["概况", "一、总体情况", "二、各单位推进情况"]
    rows = [row for row in book["五、存在问题"].values if any(row)]
    assert ("问题类别", "问题数", "涉及事项", "已交办协调", "事项编号", "提出最早的问题") in rows
    assert ("用地", 1, 1, 0, "1.2", "用地指标未落实（1.2，1天）") in rows


def test_quarterly_review_rolls_progress_up_the_tree(client, world):
    content = _create(client, world["office"], "quarterly", "2026-Q4").get_json()["content"]
    assert content["title"] == "2026年第4季度工作推进情况"
    tree = next(s for s in content["sections"] if s["key"] == "tree")
    # Goal 1 = mean of 1.1 (signed off: 100) and 1.2 (50) = 75; item 2 is a goal of its own.
    assert tree["table"]["rows"][:3] == [["1", "县域经济高质量发展", "阶段目标", 2, "75.0%"],
                                         ["1.1", "标准厂房建设", "主要任务", 0, "100.0%"],
                                         ["1.2", "5G基站建设", "主要任务", 0, "50.0%"]]
    units = next(s for s in content["sections"] if s["key"] == "units")
    # Leaf items due in the quarter: the goal is not counted again.
    assert units["table"]["rows"] == [[1, "市发展改革局", 1, 1, 0, 0, "100%"],
                                      [2, "市工业和信息化局", 2, 0, 0, 2, "0%"]]
    # Open problems by category and age, from the problem ledger; none assigned yet.
    by_key = {s["key"]: s for s in content["sections"]}
    assert by_key["problems"]["table"]["rows"] == [["用地", 1, 1, 0, 0]]
    assert by_key["coordinators"]["paragraphs"] == ["本期无交办协调的问题。"]
    assert by_key["forecast"]["paragraphs"] == ["按近期报送进度推算，暂无预计不能按期完成的事项。"]


def test_lights_and_redblack_endpoints(app, client, world):
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "red_min_reporting": 0}
    lights = client.get("/api/v1/lights?as_of=2026-11-18", headers=world["office"]).get_json()
    assert lights["totals"] == {"green": 2, "yellow": 0, "red": 1}   # leaf items
    assert client.get("/api/v1/lights?as_of=2026-13-01", headers=world["office"]).status_code == 400
    mine = client.get("/api/v1/lights", headers=world["unit"]).get_json()
    assert [u["unit_id"] for u in mine["units"]] == [world["a"].id]
    result = client.get("/api/v1/redblack?as_of=2026-11-18", headers=world["unit"]).get_json()
    assert result["as_of"] == "2026-11-18"
    # Unit a completed its one leaf item on time (its goal, a parent, counts for nothing);
    # unit b missed reports and is the bottom one.
    assert [(e["unit_id"], e["rule"]) for e in result["red"]] == [(world["a"].id, "completion_top")]
    assert [(e["unit_id"], e["rules"]) for e in result["black"]] == [
        (world["b"].id, ["missed_reports", "completion_bottom"])]
    assert all({"unit_id", "series", "task_id", "rule", "reason", "items"} <= set(e)
               for e in result["red"] + result["black"])
    assert not {e["unit_id"] for e in result["red"]} & {e["unit_id"] for e in result["black"]}
    assert "unranked" in result
    assert client.get("/api/v1/redblack").status_code == 401


def test_docx_prints_the_first_rows_of_a_long_table_and_points_to_the_xlsx(app):
    rows = [[n, f"单位{n}", f"逾期{n}个工作日"] for n in range(1, DOCX_TABLE_ROWS + 51)]
    content = {"title": "2026年10月工作通报", "as_of": "2026-10-31", "opening": "", "commentary": "",
               "chart": None, "sections": [{"key": "black", "title": "四、黑榜", "paragraphs": [],
                                            "table": {"columns": ["序号", "单位", "理由"], "rows": rows}}]}
    letterhead = {"mark": "市百千万工程指挥部办公室", "number": "第10期", "recipients": "",
                  "issuer": "市百千万工程指挥部办公室", "signed_on": date(2026, 11, 1),
                  "date_style": "arabic"}
    doc = Document(io.BytesIO(docx_bytes(content, letterhead)))
    [table] = doc.tables
    assert len(table.rows) == DOCX_TABLE_ROWS + 1
    assert table.rows[-1].cells[1].text == f"单位{DOCX_TABLE_ROWS}"
    assert any(f"共{DOCX_TABLE_ROWS + 50}行" in p.text and "table.xlsx" in p.text
               for p in doc.paragraphs)
