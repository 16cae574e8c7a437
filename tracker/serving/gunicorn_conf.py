"""gunicorn settings for `make serve`, read from the layered config ([server]).

The app is loaded once in the master (`preload_app`), the garbage collector then freezes
what start-up built, so the workers share those pages and full collections skip them; each
worker opens its own database connections after the fork.
"""
import gc
import os

from tracker.config import load_settings

_server = load_settings()["server"]

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(_server["workers"]) or os.cpu_count() or 1
threads = int(_server["threads"])
timeout = int(_server["timeout_seconds"])
preload_app = True
# Our own request lines (tracker.serving.logs) replace gunicorn's access log.
accesslog = None
errorlog = "-"


def when_ready(server) -> None:
    """After the preloaded app is built, before the first fork."""
    gc.collect()
    gc.freeze()
    server.log.info("start-up objects frozen for the garbage collector: %d", gc.get_freeze_count())


def post_fork(server, worker) -> None:
    """Drop connections the master may have opened: a socket shared across processes breaks."""
    from tracker.extensions import db
    from tracker.serving.wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
