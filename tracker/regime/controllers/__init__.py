"""The regime's page controllers, one module per output: bulletins (通报), the weekly
dispatch (周调度) and scores (红黑榜, 亮灯, 年考评). `blueprint.py` routes to them."""
from __future__ import annotations

from datetime import date

from flask import request

from tracker import clock
from tracker.regime.forms import AsOfForm

PER_PAGE = 30


def as_of_arg() -> tuple[AsOfForm, date]:
    """The page's as-of form and date (today when blank or malformed)."""
    form = AsOfForm(request.args)
    form.validate()
    return form, clock.today(None if form.as_of.errors else form.as_of.data)
