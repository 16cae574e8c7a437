"""The `forecasts` job: every open item's forecast rebuilt as of a day (the scheduler: each
working day before the weekly notice; `run-job forecasts --as-of` for a past day)."""
from __future__ import annotations

from datetime import date

from tracker.foresight import forecast
from tracker.jobs import fires, registry


def forecasts(as_of: date, **_) -> dict[str, int]:
    return forecast.refresh_all(as_of)


def register() -> None:
    registry.add("forecasts", forecasts, fires.every_workday)
