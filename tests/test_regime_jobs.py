"""The regime's scheduled jobs create drafts for the period just ended and tell the office."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Bulletin, Notification


def _run(runner, job, as_of):
    return runner.invoke(args=["tracker", "run-job", job, "--as-of", as_of, "--no-send"])


def test_jobs_draft_the_period_just_ended_once(runner, office_user, make_unit):
    office = db.session.get(type(office_user.unit), office_user.unit_id)
    office.email = "office@example.cn"
    db.session.commit()
    for job, as_of in (("monthly-bulletin", "2026-11-02"), ("quarterly-review", "2026-10-09"),
                       ("annual-evaluation", "2026-01-04"), ("monthly-bulletin", "2026-11-02")):
        result = _run(runner, job, as_of)
        assert result.exit_code == 0, result.output
    drafts = db.session.execute(select(Bulletin.kind, Bulletin.period, Bulletin.status)
                                .order_by(Bulletin.id)).all()
    assert drafts == [("monthly", "2026-10", "draft"), ("quarterly", "2026-Q3", "draft"),
                      ("annual", "2025", "draft")]
    notices = db.session.scalars(select(Notification.title).where(
        Notification.rule == "bulletin-draft").order_by(Notification.id)).all()
    assert notices == ["2026-10月通报草稿已生成", "2026-Q3季推进草稿已生成", "2025年考评草稿已生成"]
