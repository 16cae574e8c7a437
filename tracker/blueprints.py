"""The one list of features: their blueprints, the jobs a feature adds to the registry, and
what listens to the audit trail (the units' event notices)."""
from flask import Flask


def register(app: Flask) -> None:
    """Register every feature's blueprint on *app* and its jobs in the job registry."""
    from tracker.accounts.views import bp as accounts
    from tracker.api import bp as api
    from tracker.dashboard.views import bp as dashboard
    from tracker.ledger import tools as _ledger_tools  # noqa: F401 - its routes join the ledger's
    from tracker.foresight import jobs as foresight_jobs
    from tracker.foresight.views import bp as foresight
    from tracker.ledger.views import bp as ledger
    from tracker.notify import events as notify_events
    from tracker.notify.views import bp as notify
    from tracker.regime import jobs as regime_jobs
    from tracker.regime.blueprint import bp as regime
    from tracker.serving.health import bp as health
    from tracker.signoff.views import bp as signoff
    from tracker.ical.views import bp as ical
    from tracker.spreadsheets.views import bp as spreadsheets

    for blueprint in (accounts, dashboard, ledger, signoff, notify, regime, spreadsheets, ical, foresight,
                      api, health):
        app.register_blueprint(blueprint)
    regime_jobs.register()
    foresight_jobs.register()
    notify_events.register()
