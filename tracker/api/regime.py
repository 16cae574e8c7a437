"""API: the regime's outputs — lights, the red/black list, bulletins and the evaluation."""
from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from tracker import clock
from tracker.accounts.lookups import unit_names
from tracker.accounts.permissions import visible_to
from tracker.api.blueprint import bp
from tracker.api.parsing import body, page_of, query_date
from tracker.api.spec import AS_OF, INT, PAGING, STR, obj, enum, nullable, operation, page, path_id, query
from tracker.extensions import db
from tracker.ledger.levels import counted_clause
from tracker.ledger.lights import light_counts
from tracker.models import Task
from tracker.regime import bulletins, downloads
from tracker.regime.adjustments import add_adjustment
from tracker.regime.evaluation import evaluate
from tracker.regime.redblack import redblack


@bp.get("/lights")
def lights():
    today = clock.today(query_date("as_of"))
    counts = light_counts(visible_to(g.api_user, select(Task).where(counted_clause(today))), today)
    names = unit_names(u["unit_id"] for u in counts["units"])
    for unit in counts["units"]:
        unit["unit_name"] = names.get(unit["unit_id"], "")
    return {"as_of": today.isoformat(), **counts}


@bp.get("/redblack")
def red_black():
    return redblack(query_date("as_of"))


@bp.get("/evaluations/<int:year>")
def evaluation(year: int):
    return evaluate(year, query_date("as_of"))


@bp.post("/evaluations/<int:year>/adjustments")
def adjust(year: int):
    data = body()
    adj = add_adjustment(g.api_user, year, data.get("unit_id"), data.get("kind"),
                         data.get("reason"), data.get("points"), data.get("rating"))
    db.session.commit()
    return {"id": adj.id, "year": adj.year, "unit_id": adj.unit_id, "kind": adj.kind,
            "points": adj.points, "rating": adj.rating, "reason": adj.reason}, 201


@bp.get("/bulletins")
def list_bulletins():
    query = bulletins.bulletins_query(g.api_user, request.args.get("kind") or None)
    return page_of(query, lambda b: bulletins.bulletin_dict(b, with_content=False))


@bp.post("/bulletins")
def create_bulletin():
    data = body()
    draft, created = bulletins.compile_draft(g.api_user, data.get("kind"), data.get("period"),
                                             data.get("edits", "keep"))
    db.session.commit()
    return bulletins.bulletin_dict(draft), 201 if created else 200


@bp.get("/bulletins/<int:bulletin_id>")
def get_bulletin(bulletin_id: int):
    return bulletins.bulletin_dict(bulletins.get_bulletin(g.api_user, bulletin_id))


@bp.post("/bulletins/<int:bulletin_id>/publish")
def publish_bulletin(bulletin_id: int):
    bulletin = bulletins.publish(g.api_user, bulletins.get_bulletin(g.api_user, bulletin_id))
    db.session.commit()
    return bulletins.bulletin_dict(bulletin)


@bp.get("/bulletins/<int:bulletin_id>/document.docx")
def bulletin_docx(bulletin_id: int):
    return downloads.bulletin_docx(bulletins.get_bulletin(g.api_user, bulletin_id))


@bp.get("/bulletins/<int:bulletin_id>/table.xlsx")
def bulletin_xlsx(bulletin_id: int):
    return downloads.bulletin_xlsx(bulletins.get_bulletin(g.api_user, bulletin_id))


BULLETIN_KIND = enum("weekly", "monthly", "quarterly", "annual")
RULE = enum("completion_top", "completion_bottom", "overdue_items", "missed_reports")
ENTRY = obj(["unit_id", "series", "task_id", "rule", "reason", "items"], unit_id=INT,
            series={**STR, "description": "the ranking group (序列), by unit kind unless configured"},
            task_id={**nullable(INT), "description": "null: entries are per unit"},
            rule={**RULE, "description": "the most serious of the unit's facts"},
            rules={"type": "array", "items": RULE, "description": "black entries: every rule met"},
            reason={**STR, "description": "Chinese text naming every fact, most serious first"},
            items={"type": "array", "description": "the unit's item-level facts",
                   "items": obj(["task_id", "rule", "reason"], task_id=INT, rule=RULE, reason=STR,
                                task_code=STR, workdays_overdue=INT)},
            unit_name=STR, rank={**nullable(INT), "description": "place in the series (from the bottom on the black list)"},
            escalation={**STR, "description": "black entries: the proposed escalation step"},
            consecutive={**INT, "description": "black entries: consecutive black placings"})
SCHEMAS = {
    "RedBlack": obj(["as_of", "red", "black", "unranked"], as_of={"type": "string", "format": "date"},
                     preset=STR, red={"type": "array", "items": ENTRY},
                     black={"type": "array", "items": ENTRY},
                     unranked={"type": "array", "description": "units below the minimum of due items",
                               "items": obj(["unit_id", "reason"], unit_id=INT, reason=STR,
                                            series=STR, unit_name=STR)}),
    "Lights": obj(["as_of", "totals", "units"], as_of={"type": "string", "format": "date"},
                   totals=obj(["green", "yellow", "red"], green=INT, yellow=INT, red=INT),
                   units={"type": "array", "items": obj(
                       ["unit_id", "green", "yellow", "red"], unit_id=INT, unit_name=STR,
                       green=INT, yellow=INT, red=INT)}),
    "Evaluation": obj(
        ["year", "items", "unscored"], year=INT, as_of=STR,
        grading=enum("thresholds", "quotas"), min_items=INT,
        series={"type": "array", "description": "the ranking series (序列) in order, with the "
                "count of scored and unscored units and of each grade",
                "items": obj(["name"], name=STR, scored=INT, unscored=INT,
                             grades={"type": "object", "additionalProperties": INT})},
        items={"type": "array", "description": "scored units by series, best first",
               "items": obj(
                   ["unit_id", "score", "rank", "parts", "bottom"], unit_id=INT, unit_name=STR,
                   series={**STR, "description": "ranking series (序列); rank is within it"},
                   score={"type": "number"}, rank={**INT, "description": "1 is the best of the series"},
                   grade=enum("优秀", "良好", "一般", "较差"), grade_reason=STR,
                   bottom={"type": "boolean"}, vetoed={"type": "boolean"}, veto_reason=STR,
                   parts={"type": "object", "additionalProperties": {"type": "number"},
                          "description": "flat {name: number}; the values add up to score: base, "
                          "completion, timeliness, reports, quality, redblack, office, cap"},
                   rates={"type": "object", "additionalProperties": {"type": "number"},
                          "description": "completion, timeliness, reports, quality as 0..1"},
                   counts={"type": "object", "additionalProperties": INT},
                   lines={"type": "array", "description": "each scoring line, naming its item or fact; "
                          "a part's lines add up to it",
                          "items": obj(["part", "points", "reason"], part=STR, points={"type": "number"},
                                       reason=STR, task_id=nullable(INT), task_code=nullable(STR))})},
        unscored={"type": "array", "description": "units below min_items (不参与评分), never ranked",
                  "items": obj(["unit_id", "reason"], unit_id=INT, unit_name=STR, series=STR,
                               items=INT, reason=STR, vetoed={"type": "boolean"}, veto_reason=STR)}),
    "AdjustmentInput": obj(["unit_id", "kind", "reason"], unit_id=INT,
                            kind=enum("rating", "adjustment", "veto"), reason=STR,
                            points={"type": "number", "description": "kind adjustment: ±20"},
                            rating={**STR, "description": "kind rating: 优秀 良好 一般 较差"}),
    "Bulletin": obj(["id", "kind", "period", "version", "status"], id=INT, kind=BULLETIN_KIND,
                     period={**STR, "examples": ["2026-W47", "2026-11", "2026-Q4", "2026"]},
                     version=INT, status=enum("draft", "published"), opening=STR,
                     commentary=STR, key_points=STR, created_at=STR, published_at=nullable(STR),
                     content={"type": "object", "description": "title, as_of, compiled_at (a draft "
                              "keeps it until compiled again), chart, sections "
                              "[{key, title, paragraphs, table {columns, rows}}] with the office's "
                              "edits, and escalations (the steps the office confirmed for printing)"},
                     edited={"type": "array", "description": "drafts: the paragraphs the office edited",
                             "items": obj(["key", "place"], key=STR, place=STR, by=STR, at=STR)},
                     escalation_proposals={"type": "array", "description": "drafts: the escalation "
                                           "steps the rule proposes; printed only once confirmed",
                                           "items": obj(["unit_id", "step", "confirmed"], unit_id=INT,
                                                        unit_name=STR, consecutive=INT, step=STR,
                                                        reason=STR, confirmed={"type": "boolean"})}),
    "BulletinInput": obj(["kind", "period"], kind=BULLETIN_KIND, period=STR,
                         edits={**enum("keep", "replace"), "default": "keep",
                                "description": "an open draft compiled again: keep the office's "
                                "edited paragraphs (default) or replace them with the new text"}),
}
BULLETIN_ID = path_id("bulletin_id", "bulletin id")
PATHS = {
    "/lights": {"get": operation("Counts per light and per lead unit", tag="regime",
                                 returns="Lights", params=[AS_OF], errors=(400,))},
    "/redblack": {"get": operation("The red/black list (红黑榜)", tag="regime", returns="RedBlack",
                                   params=[AS_OF], errors=(400,))},
    "/evaluations/{year}": {"get": operation(
        "The annual evaluation (年考评)", tag="regime", returns="Evaluation",
        params=[path_id("year", "plan year"), AS_OF], errors=(400,))},
    "/evaluations/{year}/adjustments": {"post": operation(
        "Rate, adjust or veto a unit's score (office; reason required)", tag="regime",
        body="AdjustmentInput", status=201, params=[path_id("year", "plan year")], errors=(403,))},
    "/bulletins": {
        "get": operation("List bulletins (units see published ones)", tag="regime",
                         returns=page("Bulletin"),
                         params=[query("kind", BULLETIN_KIND, "only this kind"), *PAGING]),
        "post": operation("Compile a draft (office); an open draft is compiled again from today's "
                          "ledger and returned with 200",
                          tag="regime", body="BulletinInput", returns="Bulletin", status=201,
                          errors=(403,)),
    },
    "/bulletins/{bulletin_id}": {"get": operation(
        "A bulletin with its content (frozen once published)", tag="regime", returns="Bulletin",
        params=[BULLETIN_ID], errors=(403, 404))},
    "/bulletins/{bulletin_id}/publish": {"post": operation(
        "Publish (office): freeze and notify every unit; a published one gets a new version",
        tag="regime", returns="Bulletin", params=[BULLETIN_ID], errors=(403, 404))},
    "/bulletins/{bulletin_id}/document.docx": {"get": operation(
        "The bulletin as .docx", tag="regime", params=[BULLETIN_ID], errors=(403, 404))},
    "/bulletins/{bulletin_id}/table.xlsx": {"get": operation(
        "The bulletin's tables as .xlsx", tag="regime", params=[BULLETIN_ID], errors=(403, 404))},
}
