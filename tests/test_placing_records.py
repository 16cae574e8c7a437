"""Placings of days that are over are counted once and kept: the escalation's look-back and
the evaluation's monthly placings read them back, a day not over is never kept, and a
changed rule set judges afresh instead of quoting a placing made by other rules.

Today is Wed 2026-11-18. 甲局's only item was due on Thu 2026-10-15 and is still open, so
as of Sat 2026-10-31 it was 11 working days late: black under the standard rules' 10-day
line."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from conftest import NOW, TODAY
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.models import PlacingRecord, Unit
from tracker.regime.redblack import placings, rule_set

OCT_31 = date(2026, 10, 31)


def _late_unit(app, make_unit, make_task):
    """甲局 with one item due 2026-10-15 and still open; rules that rank a single item and
    leave its unsent reports aside."""
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "black_bottom": 0,
                                                       "missed_report_weeks": 99}
    unit = make_unit("甲局")
    app.config["FIXED_NOW"] = datetime(2026, 10, 1, 10, tzinfo=LOCAL_TZ)
    task = make_task(lead=unit, due=date(2026, 10, 15))
    app.config["FIXED_NOW"] = NOW
    return unit, task


def _kept_days() -> list[date]:
    return sorted(db.session.scalars(select(PlacingRecord.day)))


def test_a_past_placing_is_kept_and_a_placing_of_today_is_not(app, make_unit, make_task):
    unit, _ = _late_unit(app, make_unit, make_task)
    result = placings([OCT_31, TODAY], rule_set())
    assert unit.id in result[OCT_31][1] and unit.id in result[TODAY][1]
    assert _kept_days() == [OCT_31]
    kept = db.session.scalars(select(PlacingRecord)).one()
    assert kept.black == [unit.id] and kept.red == []


def test_a_kept_placing_is_read_back_and_not_recounted(app, make_unit, make_task):
    unit, task = _late_unit(app, make_unit, make_task)
    assert unit.id in placings([OCT_31], rule_set())[OCT_31][1]
    # Rewrite the past behind the ledger's back (a sign-off dated before the deadline): a
    # recount would now clear 甲局, the kept placing still says what was judged then.
    task.status, task.progress = "signed_off", 100
    task.signed_off_at = datetime(2026, 10, 14, 15, tzinfo=LOCAL_TZ)
    db.session.commit()
    assert unit.id in placings([OCT_31], rule_set())[OCT_31][1]
    db.session.execute(PlacingRecord.__table__.delete())
    db.session.commit()
    assert unit.id not in placings([OCT_31], rule_set())[OCT_31][1]


def test_changed_rules_judge_afresh(app, make_unit, make_task):
    unit, _ = _late_unit(app, make_unit, make_task)
    assert unit.id in placings([OCT_31], rule_set())[OCT_31][1]
    app.config["SETTINGS"]["redblack"]["overrides"]["overdue_workdays"] = 20
    assert unit.id not in placings([OCT_31], rule_set())[OCT_31][1]
    assert _kept_days() == [OCT_31, OCT_31]  # one per rule set


def test_a_placing_counted_inside_a_write_does_not_wait_on_it(app, make_unit, make_task):
    """Counting in a transaction that has written (a draft being compiled) answers at once;
    on SQLite the placing cannot be kept beside the open write and is counted next time."""
    unit, _ = _late_unit(app, make_unit, make_task)
    db.session.add(Unit(name="乙局", kind="department"))
    db.session.flush()
    assert unit.id in placings([OCT_31], rule_set())[OCT_31][1]
    db.session.commit()
    kept = _kept_days()
    assert kept == ([] if db.engine.dialect.name == "sqlite" else [OCT_31])


def test_a_list_as_of_a_day_that_is_over_keeps_its_own_placing(app, make_unit, make_task):
    """The red/black list as of 31 October keeps that day's placing besides its look-back,
    so the next month's escalation and the evaluation read it back, also when a bulletin
    rates reporting over a window of its own (the list's own placing is kept); today's
    list keeps none of its own."""
    from tracker.regime.redblack import redblack

    unit, _ = _late_unit(app, make_unit, make_task)
    result = redblack(OCT_31, discipline={})
    assert [e["unit_id"] for e in result["black"]] == [unit.id]
    assert _kept_days() == [date(2026, 8, 31), date(2026, 9, 30), OCT_31]
    kept = db.session.scalars(select(PlacingRecord).where(PlacingRecord.day == OCT_31)).one()
    assert kept.black == [unit.id] and kept.red == []
    redblack(TODAY)
    assert TODAY not in _kept_days()


def test_the_nightly_job_keeps_every_placing_readers_look_back_at(app, runner, make_unit, make_task):
    """`keep-placings` as of 18 November counts, once, the month ends of 2025 and of 2026 so
    far (the evaluations') and the two month ends a list as of that day looks back at; the
    next run, and a run for a past date, count nothing; what it kept is what the list
    judges."""
    from tracker.regime.redblack import redblack

    unit, _ = _late_unit(app, make_unit, make_task)
    result = runner.invoke(args=["tracker", "run-job", "keep-placings", "--as-of", "2026-11-18", "--no-send"])
    assert result.exit_code == 0, result.output
    assert "keep-placings as of 2026-11-18: placings 22, counted 22, kept 22" in result.output
    months = [*_month_ends(2025, 12), *_month_ends(2026, 10)]
    assert _kept_days() == months
    kept = {r.day: r.black for r in db.session.scalars(select(PlacingRecord))}
    assert kept[OCT_31] == [unit.id] and kept[date(2026, 9, 30)] == []
    again = runner.invoke(args=["tracker", "run-job", "keep-placings", "--no-send"])
    assert "placings 22, counted 0, kept 22" in again.output
    past = runner.invoke(args=["tracker", "run-job", "keep-placings", "--as-of", "2026-03-02", "--no-send"])
    assert "placings 14, counted 0, kept 14" in past.output     # 2025's and 2026-01, 2026-02
    assert [e["unit_id"] for e in redblack(OCT_31)["black"]] == [unit.id]
    assert _kept_days() == months                      # read back, not counted again


def _month_ends(year: int, months: int) -> list[date]:
    return [date(year + m // 12, m % 12 + 1, 1) - timedelta(days=1) for m in range(1, months + 1)]


def test_the_job_on_new_year_keeps_the_year_just_ended(app, make_unit, make_task):
    """On 1 January the year that has just ended is the one the annual evaluation scores:
    all twelve of its month ends are kept, 31 December included."""
    from tracker.regime.redblack import keep_placings

    _late_unit(app, make_unit, make_task)
    app.config["FIXED_NOW"] = datetime(2027, 1, 1, 0, 30, tzinfo=LOCAL_TZ)
    assert keep_placings() == {"placings": 12, "counted": 12, "kept": 12}
    assert _kept_days() == _month_ends(2026, 12)


def test_with_the_weekly_cycle_the_job_keeps_yesterday(app, make_unit, make_task):
    """Weekly placings are a week apart from any list's day: the job keeps the day that has
    just ended (next week's lists look back at it) and the three a list as of today looks
    back at, besides the month ends."""
    from tracker.regime.redblack import keep_placings

    _late_unit(app, make_unit, make_task)
    app.config["SETTINGS"]["redblack"]["preset"] = "weekly"
    done = keep_placings(TODAY)
    weeks = [date(2026, 10, 28), date(2026, 11, 4), date(2026, 11, 11), date(2026, 11, 17)]
    assert done["counted"] == done["kept"] == 22 + 4
    assert set(weeks) <= set(_kept_days())


def test_a_list_as_of_a_day_already_kept_writes_nothing(app, make_unit, make_task, monkeypatch):
    """A day's placing once kept (by the nightly job) is not written again by each list
    as of that day: the list reads on, and on SQLite takes no write lock."""
    from tracker.regime import placing_records
    from tracker.regime.redblack import keep_placings, redblack

    _late_unit(app, make_unit, make_task)
    keep_placings(TODAY)
    written = []
    monkeypatch.setattr(placing_records, "record", lambda placings, *a, **k: written.extend(placings))
    assert redblack(OCT_31)["black"]
    assert written == []
