"""Two writers at once: the database, not luck, keeps a stale edit from landing."""
import threading
from datetime import date

import pytest

from tracker.accounts.operations import create_unit, create_user
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.ledger.operations import create_task, update_task
from tracker.models import Task, User


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_two_editors_with_the_same_version_one_wins_one_gets_conflict(request, make_app, backend):
    app = make_app(request.getfixturevalue(backend))
    with app.app_context():
        office = create_unit(None, "指挥办", "office")
        lead = create_unit(None, "市发展改革局", "department")
        user = create_user(None, "office", "办公室", office.id, "office", "password-123")
        task = create_task(user, title="重点项目投资", due_date=date(2026, 12, 31),
                           lead_unit_id=lead.id)
        db.session.commit()
        task_id, user_id, version = task.id, user.id, task.version

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(title: str) -> None:
        with app.app_context():
            editor = db.session.get(User, user_id)
            item = db.session.get(Task, task_id)
            barrier.wait()
            try:
                update_task(editor, item, version, {"title": title})
                db.session.commit()
                outcomes.append("saved")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("甲的修改", "乙的修改")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes) == ["conflict", "saved"]
    with app.app_context():
        final = db.session.get(Task, task_id)
        assert final.version == version + 1
        assert final.title in ("甲的修改", "乙的修改")
