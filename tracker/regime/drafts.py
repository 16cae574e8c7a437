"""The office's hand on a bulletin draft: every generated paragraph editable, escalation
steps printed only once confirmed. Both are kept with the draft (`Bulletin.edits`,
`Bulletin.escalations`), audited, and laid over the compiled content by `apply`, which
the page, the .docx, the .xlsx and the JSON content all read, so all say the same.

Paragraph keys name what the office edits in the compiled content:
- `opening`: the 导语 (also kept in `Bulletin.opening`, the API's field);
- `<section>.<n>`: the n-th generated paragraph of a section (0-based), e.g. `next.1`
  (下步工作 二是…), `overall.0`;
- `<section>.row.<unit>`: the wording (理由) of a unit's row on the 红榜 / 黑榜, by unit name, so
  that a kept edit never lands on another unit's row after recompiling.
An edit is {text, generated (the compiled text it replaced), by, at}; a blank paragraph is
left out of the document, a blank list wording goes back to the compiled one.

Escalation (约谈 …): the black-list section carries the rule's `proposals`, one per unit,
for the office only; a step is printed (a sentence in the 黑榜 section and `escalations` in
the content) only when the office has confirmed that unit's step, and a confirmation holds
for that step alone: if recompiling proposes another, it is a proposal again.
"""
from __future__ import annotations

from typing import Any

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_office
from tracker.errors import Conflict, ValidationError
from tracker.models import Bulletin, User

LIST_SECTIONS = ("red", "black")
# The columns of a red/black table row: 序号, 序列, 单位, 理由.
UNIT_COLUMN, REASON_COLUMN = 2, 3
TEXT_LIMIT = 20000


def paragraphs(content: dict[str, Any]):
    """(key, section title, place, compiled text) of every editable paragraph of compiled
    *content*, in document order; place is the paragraph's number (from 1) in its section,
    the unit's name for a list wording, None for the 导语."""
    yield "opening", None, None, content.get("opening", "")
    for s in content["sections"]:
        for n, text in enumerate(s["paragraphs"]):
            yield f"{s['key']}.{n}", s["title"], n + 1, text
        if s["key"] in LIST_SECTIONS and s.get("table"):
            for row in s["table"]["rows"]:
                yield f"{s['key']}.row.{row[UNIT_COLUMN]}", s["title"], row[UNIT_COLUMN], row[REASON_COLUMN]


def generated_texts(content: dict[str, Any]) -> dict[str, str]:
    """Every editable paragraph of compiled *content*, by key, in document order."""
    return {key: text for key, _, _, text in paragraphs(content)}


def paragraph_places(content: dict[str, Any]) -> dict[str, str]:
    """Where each paragraph key sits, as the API names it: 导语, 六、下步工作 第2段, 四、黑榜 雷州市."""
    return {key: "导语" if title is None else f"{title} 第{place}段" if isinstance(place, int)
            else f"{title} {place}" for key, title, place, _ in paragraphs(content)}


def apply(content: dict[str, Any], bulletin: Bulletin) -> dict[str, Any]:
    """Compiled *content* with the office's edits and confirmed escalation steps, the
    proposals left out."""
    edits = bulletin.edits or {}

    def text(key: str, compiled: str) -> str:
        return edits[key]["text"] if key in edits else compiled

    sections = []
    for s in content["sections"]:
        paragraphs = [text(f"{s['key']}.{n}", p) for n, p in enumerate(s["paragraphs"])]
        out = {k: v for k, v in s.items() if k != "proposals"}
        out["paragraphs"] = [p for p in paragraphs if p.strip()]
        if s["key"] in LIST_SECTIONS and s.get("table"):
            rows = [_reworded(row, edits.get(f"{s['key']}.row.{row[UNIT_COLUMN]}")) for row in s["table"]["rows"]]
            out["table"] = {**s["table"], "rows": rows}
        if s.get("proposals"):
            printed = confirmed(s["proposals"], bulletin)
            if printed:
                out["paragraphs"].append(escalation_sentence(printed))
        sections.append(out)
    opening = text("opening", content.get("opening", ""))
    return {**content, "opening": opening, "sections": sections,
            "escalations": [{k: p[k] for k in ("unit_id", "unit_name", "consecutive", "step")}
                            for p in confirmed(proposals(content), bulletin)]}


def _reworded(row: list[Any], edit: dict[str, Any] | None) -> list[Any]:
    if not edit:
        return row
    return [*row[:REASON_COLUMN], edit["text"], *row[REASON_COLUMN + 1:]]


def escalation_sentence(printed: list[dict[str, Any]]) -> str:
    """The confirmed steps as the bulletin prints them."""
    parts = [f"对{p['unit_name']}（{p['reason']}）{p['step']}" for p in printed]
    return f"根据红黑榜管理规定，{'；'.join(parts)}。"


def proposals(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The escalation steps the rule proposes in compiled *content*, one per black unit."""
    return [p for s in content["sections"] for p in s.get("proposals", [])]


def confirmed(candidates: list[dict[str, Any]], bulletin: Bulletin) -> list[dict[str, Any]]:
    """The proposals whose unit the office confirmed for this very step."""
    marks = bulletin.escalations or {}
    return [p for p in candidates if marks.get(str(p["unit_id"]), {}).get("step") == p["step"]]


def proposal_rows(bulletin: Bulletin) -> list[dict[str, Any]]:
    """The draft's proposals for the office's page, each with whether (by whom, when) it is
    confirmed."""
    marks = bulletin.escalations or {}
    rows = []
    for p in proposals(bulletin.content):
        mark = marks.get(str(p["unit_id"]))
        rows.append({**p, "confirmed": bool(mark and mark.get("step") == p["step"]),
                     "by": mark and mark.get("by"), "at": mark and mark.get("at")})
    return rows


def _require_draft(actor: User, bulletin: Bulletin) -> None:
    require_office(actor)
    if bulletin.is_published:
        raise Conflict("通报已发布，不能修改；可重新发布为新版本 (bulletin already published)", "status")


def edit_paragraphs(actor: User, bulletin: Bulletin, texts: dict[str, Any]) -> dict[str, Any]:
    """The office's text for the paragraphs named in *texts* (keys of generated_texts); a
    text equal to the compiled one undoes the edit. Returns the audit detail of what
    changed ({key: {before, after}}); the caller audits it with the draft's other fields."""
    _require_draft(actor, bulletin)
    compiled = generated_texts(bulletin.content)
    edits = dict(bulletin.edits or {})
    changed = {}
    stamp = {"by": actor.label, "at": clock.local(clock.now()).isoformat()}
    for key, value in texts.items():
        if key not in compiled:
            raise ValidationError(f"no such paragraph: {key}", "paragraphs")
        new = validation.text(value, key, TEXT_LIMIT).replace("\r\n", "\n")
        if not new and (key == "opening" or key.split(".")[1:2] == ["row"]):
            new = compiled[key]            # the 导语 and a list entry keep a wording
        before = edits[key]["text"] if key in edits else compiled[key]
        if new == before:
            continue
        changed[key] = {"before": before, "after": new}
        if new == compiled[key]:
            edits.pop(key, None)
        else:
            edits[key] = {"text": new, "generated": compiled[key], **stamp}
    bulletin.edits = edits
    if "opening" in texts:
        bulletin.opening = edits["opening"]["text"] if "opening" in edits else ""
    return changed


def edited(bulletin: Bulletin) -> list[dict[str, Any]]:
    """The draft's edited paragraphs, in document order where they still are: {key, place,
    text, generated, by, at}."""
    edits = bulletin.edits or {}
    places = paragraph_places(bulletin.content)
    order = list(places) + [k for k in edits if k not in places]
    return [{"key": k, "place": places.get(k, k), **edits[k]} for k in order if k in edits]


def carry(bulletin: Bulletin, content: dict[str, Any], choice: str) -> dict[str, Any]:
    """Recompiling a draft into *content*: keep the office's edits ("keep": each on its
    paragraph, now replacing the newly compiled text) or replace them ("replace"). Returns
    the audit detail: the edits replaced, or kept and those whose paragraph is gone (not
    kept, named in the audit trail)."""
    if choice not in ("keep", "replace"):
        raise ValidationError("edits must be keep or replace", "edits")
    edits = bulletin.edits or {}
    if not edits:
        return {}
    if choice == "replace":
        bulletin.edits, bulletin.opening = {}, ""
        return {"edits": "replace", "replaced": {k: e["text"] for k, e in edits.items()}}
    compiled = generated_texts(content)
    kept = {k: {**e, "generated": compiled[k]} for k, e in edits.items() if k in compiled}
    gone = {k: e["text"] for k, e in edits.items() if k not in compiled}
    bulletin.edits = kept
    bulletin.opening = kept["opening"]["text"] if "opening" in kept else ""
    return {"edits": "keep", "kept": sorted(kept), **({"dropped": gone} if gone else {})}


def confirm_escalations(actor: User, bulletin: Bulletin, unit_ids: set[int]) -> dict[str, Any]:
    """The office confirms the proposed steps of *unit_ids* for printing and withdraws its
    confirmation of the others; audited as `bulletin.escalation` with what changed."""
    _require_draft(actor, bulletin)
    offered = {p["unit_id"]: p for p in proposals(bulletin.content)}
    unknown = set(unit_ids) - set(offered)
    if unknown:
        raise ValidationError(f"no escalation is proposed for unit {min(unknown)}", "units")
    marks = dict(bulletin.escalations or {})
    changed = {}
    stamp = {"by": actor.label, "at": clock.local(clock.now()).isoformat()}
    for unit_id, p in offered.items():
        was = marks.get(str(unit_id), {}).get("step") == p["step"]
        if unit_id in unit_ids and not was:
            marks[str(unit_id)] = {"step": p["step"], "consecutive": p["consecutive"], **stamp}
            changed[p["unit_name"]] = {"before": None, "after": p["step"]}
        elif unit_id not in unit_ids and was:
            marks.pop(str(unit_id))
            changed[p["unit_name"]] = {"before": p["step"], "after": None}
    bulletin.escalations = marks
    if changed:
        audit.record(actor, "bulletin.escalation", bulletin, detail=changed)
    return changed
