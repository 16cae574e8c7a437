"""Request wiring for serving: trusted proxies, cache headers on static files, and one log
line per request with its duration."""
from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("tracker.request")


def init_app(app: Flask) -> None:
    cfg = app.config["SETTINGS"]["server"]
    proxies = int(cfg["proxies"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_prefix=proxies)
    max_age = int(cfg["static_max_age_seconds"])

    @app.after_request
    def _static_cache(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = max_age
        return response

    if cfg["access_log"]:
        app.before_request(_start_timer)
        app.after_request(_log_request)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response):
    started = g.get("request_started")
    if started is not None:
        ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, ms,
                 extra={"method": request.method, "path": request.path,
                        "status": response.status_code, "duration_ms": ms,
                        "remote_addr": request.remote_addr})
    return response
