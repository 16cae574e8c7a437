"""Logging set-up: one readable line, or one JSON object a line (`[server] log_format`).
Fields passed in `extra=` (a request's duration, a job's counts) become JSON keys."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """A log record as one JSON object: time (UTC), level, logger, message and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        out.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_format: str) -> None:
    """Set the root logger's one handler to *log_format* ("text" or "json")."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JSONFormatter() if log_format == "json" else logging.Formatter(TEXT)
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and not _is_pytest(handler):
            handler.setFormatter(formatter)
    if root.level == logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # APScheduler logs every addition and every run; our job lines say what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _is_pytest(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")
