"""The office's judgements on a unit's annual score: quality ratings, adjustments, vetoes."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from tracker import audit, validation
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.labels import ADJUSTMENT_KINDS
from tracker.models import EvaluationAdjustment, Unit, User

MAX_POINTS = 20


def add_adjustment(actor: User, year: Any, unit_id: Any, kind: Any, reason: Any,
                   points: Any = None, rating: Any = None) -> EvaluationAdjustment:
    """Record a rating (by name, points from config), a ± points adjustment or a veto for
    *unit_id*'s *year* score. A reason is always required; the change is audited."""
    require_office(actor)
    if not validation.is_integer(year) or not 2000 <= year <= 2100:
        raise ValidationError("year must be a year such as 2026", "year")
    validation.one_of(kind, ADJUSTMENT_KINDS, "kind")
    if not validation.is_integer(unit_id) or db.session.get(Unit, unit_id) is None:
        raise ValidationError(f"unit_id: unit {unit_id!r} does not exist", "unit_id",
                              text=_l("请选择单位"))
    reason = validation.text(reason, "reason", required=True)
    adj = EvaluationAdjustment(year=year, unit_id=unit_id, kind=kind, reason=reason,
                               created_by_id=actor.id, points=0.0, rating="")
    if kind == "rating":
        ratings = current_app.config["SETTINGS"]["evaluation"]["ratings"]
        adj.rating = validation.one_of(rating, ratings, "rating")
    elif kind == "adjustment":
        adj.points = _points(points)
    db.session.add(adj)
    db.session.flush()
    audit.record(actor, "evaluation.adjust", adj,
                 detail={"year": year, "unit_id": unit_id, "kind": kind, "points": adj.points,
                         "rating": adj.rating, "reason": reason})
    return adj


def _points(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0 \
            or abs(value) > MAX_POINTS or round(value, 1) != value:
        raise ValidationError(f"points must be a non-zero number from -{MAX_POINTS} to "
                              f"{MAX_POINTS} with at most one decimal", "points")
    return float(value)


def adjustments_query(year: int) -> Select:
    """The year's adjustments, oldest first."""
    return (select(EvaluationAdjustment).where(EvaluationAdjustment.year == year)
            .order_by(EvaluationAdjustment.id))
