"""extensions.read_aside: a read started on a connection of its own, in a thread, gives the
rows the session would have read; while the session holds writes not yet committed it
reads on the session's own connection instead, so those writes are counted, never missed.
Runs on both databases (DUBAN_TEST_DB)."""
from __future__ import annotations

import threading

from sqlalchemy import event, func, select, text

from tracker import extensions
from tracker.extensions import db, read_aside
from tracker.models import Unit
from tracker.accounts.operations import create_unit
from tracker.reports import cycles


def _threads_reading_units():
    """The names of the threads that ran a SELECT on units, as they run."""
    names: list[str] = []

    def note(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT COUNT") and "units" in statement:
            names.append(threading.current_thread().name)

    event.listen(db.engine, "before_cursor_execute", note)
    return names, lambda: event.remove(db.engine, "before_cursor_execute", note)


def test_a_committed_ledger_is_read_in_a_thread_of_its_own(app, make_unit):
    make_unit("甲局")
    make_unit("乙局")
    names, stop = _threads_reading_units()
    try:
        count = read_aside(select(func.count()).select_from(Unit)).all()
    finally:
        stop()
    assert count == [(2,)]
    assert len(names) == 1 and names[0] != threading.current_thread().name


def test_writes_not_yet_committed_are_read_on_the_sessions_connection(app, make_unit):
    make_unit("甲局")
    create_unit(None, "乙局", "department", None, None)   # flushed, not committed
    names, stop = _threads_reading_units()
    try:
        count = read_aside(select(func.count()).select_from(Unit)).all()
    finally:
        stop()
    assert count == [(2,)]   # another connection would see one
    assert names == [threading.current_thread().name]
    db.session.rollback()
    # After the rollback nothing is pending: the next read goes aside again and sees one.
    names, stop = _threads_reading_units()
    try:
        assert read_aside(select(func.count()).select_from(Unit)).all() == [(1,)]
    finally:
        stop()
    assert len(names) == 1 and names[0] != threading.current_thread().name


def test_a_pending_object_is_flushed_and_counted(app, make_unit):
    make_unit("甲局")
    db.session.add(Unit(name="乙局", kind="department"))   # not even flushed
    assert read_aside(select(func.count()).select_from(Unit)).all() == [(2,)]
    db.session.rollback()


def test_report_summaries_count_a_report_not_yet_committed(app, make_unit, make_task, office_user):
    """The red/black list's report summaries read the reports sent aside: a report the
    session has made and not committed still counts."""
    from datetime import date, datetime

    from tracker.clock import LOCAL_TZ
    from tracker.models import ProgressReport

    unit = make_unit("甲局")
    app.config["FIXED_NOW"] = datetime(2026, 11, 2, 10, tzinfo=LOCAL_TZ)
    task = make_task(lead=unit, due=date(2026, 12, 18))
    app.config["FIXED_NOW"] = datetime(2026, 11, 18, 10, tzinfo=LOCAL_TZ)
    before = cycles.unit_summaries(["2026-W46"])["2026-W46"][unit.id]
    assert before["missing"] == 1 and before["on_time"] == 0
    db.session.add(ProgressReport(task_id=task.id, unit_id=unit.id, period="2026-W46",
                                  progress=10, text="推进中", on_time=False,
                                  submitted_at=datetime(2026, 11, 18, 1, tzinfo=LOCAL_TZ)))
    view = ("2026-W46", None)
    after = cycles.start_view_summaries([view])()[view][unit.id]   # the reports sent read aside
    assert after["late"] == 1 and after["missing"] == 0
    db.session.rollback()


def test_an_update_led_by_a_with_clause_counts_as_a_write(app, make_unit):
    """Its first word reads as a read; the database knows it wrote. (On SQLite the driver
    opens no transaction for a statement led by WITH, so there it is committed at once and
    any connection sees it; on PostgreSQL only the session's does.)"""
    from sqlalchemy import update

    unit = make_unit("甲局")
    chosen = select(Unit.id).where(Unit.id == unit.id).cte("chosen")
    statement = update(Unit).where(Unit.id.in_(select(chosen.c.id))).values(name="乙局")
    db.session.execute(statement)
    names = select(Unit.name)
    assert read_aside(names).all() == [("乙局",)]

    # The same as SQL text, which no compiler flag describes.
    db.session.execute(text("WITH chosen AS (SELECT id FROM units) "
                            "UPDATE units SET name = '丙局' WHERE id IN (SELECT id FROM chosen)"))
    assert read_aside(names).all() == [("丙局",)]
    db.session.rollback()


def test_past_its_readers_a_read_runs_on_the_sessions_connection(app, make_unit):
    make_unit("甲局")
    _, slots = extensions._executor()
    held = 0
    try:
        while slots.acquire(blocking=False):
            held += 1
        names, stop = _threads_reading_units()
        try:
            assert read_aside(select(func.count()).select_from(Unit)).all() == [(1,)]
        finally:
            stop()
        assert names == [threading.current_thread().name]
    finally:
        for _ in range(held):
            slots.release()
    assert held == extensions.READERS


def test_a_caller_with_nothing_to_overlap_reads_on_the_sessions_connection(app, make_unit):
    make_unit("甲局")
    names, stop = _threads_reading_units()
    try:
        assert read_aside(select(func.count()).select_from(Unit), aside=False).all() == [(1,)]
    finally:
        stop()
    assert names == [threading.current_thread().name]


def test_a_repeatable_read_snapshot_is_read_on_the_sessions_connection(app, make_unit):
    """PostgreSQL at REPEATABLE READ: the session's snapshot, taken at its first read, does
    not see a unit committed after it; a read aside would. So it reads on the session's."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's driver keeps no snapshot between reads: nothing to hold
    make_unit("甲局")
    db.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
    with db.engine.begin() as other:
        other.execute(Unit.__table__.insert().values(name="乙局", kind="department", sort_order=9))
    assert read_aside(select(func.count()).select_from(Unit)).all() == [(1,)]
    db.session.rollback()
    assert read_aside(select(func.count()).select_from(Unit)).all() == [(2,)]
