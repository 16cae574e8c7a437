"""发文字号: drawn on publish from a per-kind, per-year sequence with the configured format;
drafts have none; a second version is a new document with the next number."""
from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.models import Bulletin
from tracker.clock import cn_date as written_date
from tracker.regime.bulletins import create_draft, letterhead, publish


def test_numbers_run_per_kind_and_year_in_the_configured_format(app, office_user):
    october, _ = create_draft(office_user, "monthly", "2026-10")
    assert letterhead(october)["number"] == ""
    first = publish(office_user, october)
    november = publish(office_user, create_draft(office_user, "monthly", "2026-11")[0])
    week = publish(office_user, create_draft(office_user, "weekly", "2026-W46")[0])
    again = publish(office_user, first)          # a new version of October's: a new document
    db.session.commit()
    assert [b.number for b in (first, november, week, again)] == [
        "百千万指办通〔2026〕1号", "百千万指办通〔2026〕2号", "百千万指办调〔2026〕1号",
        "百千万指办通〔2026〕3号"]
    assert db.session.get(Bulletin, first.id).serial == 1


def test_the_letterhead_names_the_office_the_recipients_and_the_date(app, office_user):
    bulletin = publish(office_user, create_draft(office_user, "monthly", "2026-10")[0])
    head = letterhead(bulletin)
    assert head["mark"] == "市百千万工程指挥部办公室" and head["issuer"] == "市百千万工程指挥部办公室"
    assert head["recipients"].endswith("：") and head["signed_text"] == "2026年11月18日"
    assert written_date(date(2026, 12, 1), "chinese") == "二〇二六年十二月一日"
    assert written_date(date(2026, 11, 30), "chinese") == "二〇二六年十一月三十日"
    assert written_date(date(2026, 11, 21), "chinese") == "二〇二六年十一月二十一日"


def test_publishing_the_same_draft_twice_keeps_its_number(app, office_user):
    from tracker.errors import Conflict
    from tracker.regime.bulletins import assign_number

    bulletin = publish(office_user, create_draft(office_user, "monthly", "2026-10")[0])
    db.session.commit()
    try:
        assign_number(bulletin)        # what a second, concurrent publish of it would do
    except Conflict:
        pass
    else:
        raise AssertionError("a numbered bulletin was numbered again")
    assert db.session.get(Bulletin, bulletin.id).number == "百千万指办通〔2026〕1号"
