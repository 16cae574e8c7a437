"""Duban (督办): the application factory.

Importing this package touches no configuration and no database; `create_app` does.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import click
from flask import Flask

from tracker.config import DEFAULT_SECRET_KEY, ROOT, ConfigError, flask_config, load_settings


def create_app(test_config: dict[str, Any] | None = None, *, web_only: bool = False) -> Flask:
    """Build the app. *test_config* is a settings tree (section → key → value) merged last;
    its upper-case top-level keys go straight into `app.config`. *web_only*: the app as a
    WSGI server's workers load it (`make serve`): no commands, no migrations and no
    in-process scheduler, so none of their libraries (Alembic, Mako, APScheduler) is
    imported into every worker."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                instance_path=os.environ.get("TRACKER_INSTANCE", str(ROOT / "instance")))
    test_config = dict(test_config or {})
    flat = {k: test_config.pop(k) for k in list(test_config) if k.isupper()}
    settings = load_settings(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(flask_config(settings, app.instance_path))
    app.config["SETTINGS"] = settings
    app.config.update(flat)
    _check_secret_key(app)
    from tracker.serving import logs
    logs.configure(settings["server"]["log_format"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from tracker import extensions, web
    from tracker.ledger import timeline  # noqa: F401 - records every status and deadline change
    extensions.db.init_app(app)
    if not web_only:
        from flask_migrate import Migrate

        Migrate(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    web.init_app(app)
    from tracker.serving import web as serving_web
    serving_web.init_app(app)

    from tracker import blueprints
    blueprints.register(app)
    if not web_only:
        from tracker import cli
        from tracker.jobs import scheduler
        cli.register(app)
        scheduler.init_app(app)  # only when serving and [scheduler] enabled
    return app


def _check_secret_key(app: Flask) -> None:
    """Refuse an empty secret key always, and the shipped one when serving outside debug,
    demo and tests.

    Maintenance commands (`flask tracker …`, `flask db …`) may run with the shipped key;
    serving (`flask run`, a WSGI server) may not, nor may a command that signs links
    (`require_signing_key`).
    """
    if not app.config["SECRET_KEY"] or is_serving():
        problem = signing_key_problem(app)
        if problem:
            raise ConfigError(problem)


def signing_key_problem(app: Flask) -> str | None:
    """Why *app* may not sign anything (a session, a receipt link), or None when it may."""
    if not app.config["SECRET_KEY"]:
        return ("refusing to start with an empty secret key: set SECRET_KEY in the environment "
                "(or [app] secret_key in the TRACKER_CONFIG file)")
    if app.config["SECRET_KEY"] != DEFAULT_SECRET_KEY:
        return None
    if app.debug or app.testing or app.config["SETTINGS"]["app"]["demo"]:
        return None
    return ("refusing to start with the default secret key: set SECRET_KEY in the environment "
            "(or [app] secret_key in the TRACKER_CONFIG file), or TRACKER_DEMO=1 for a demo")


def require_signing_key(app: Flask) -> None:
    """For a command that signs links (run-job, scheduler): stop with the one-line reason
    when the key is empty or the shipped one outside demo mode."""
    problem = signing_key_problem(app)
    if problem:
        raise click.ClickException(problem)


def is_serving() -> bool:
    """True when this process serves requests (`flask run` or a WSGI server), False inside
    other CLI commands (`flask tracker …`, `flask db …`)."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.info_name == "run"
