"""Layered configuration: config.toml → TRACKER_CONFIG file → environment → test mapping.

config.toml at the repository root is both the defaults and the schema: keys in an
override file that config.toml does not define are reported as unknown.
"""
from __future__ import annotations

import copy
import logging
import os
import tomllib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = ROOT / "config.toml"
DEFAULT_SECRET_KEY = "dev-only-change-me"


class ConfigError(RuntimeError):
    """Configuration that keeps the app from starting; the message says what to fix."""


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Return the merged settings tree (section → key → value)."""
    settings = _read_toml(DEFAULTS_FILE)
    override_path = os.environ.get("TRACKER_CONFIG")
    if override_path:
        path = Path(override_path)
        if not path.is_file():
            raise ConfigError(f"TRACKER_CONFIG names {path}, which is not a file")
        _merge(settings, _read_toml(path), source=str(path))
    env = {}
    if os.environ.get("DATABASE_URL"):
        env.setdefault("database", {})["url"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        env.setdefault("app", {})["secret_key"] = os.environ["SECRET_KEY"]
    if os.environ.get("TRACKER_DEMO") in ("1", "true", "yes"):
        env.setdefault("app", {})["demo"] = True
    _merge(settings, env, source="environment")
    if overrides:
        _merge(settings, overrides, source="test mapping")
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _merge(base: dict[str, Any], extra: dict[str, Any], source: str) -> None:
    """Merge *extra* into *base* section by section, warning about unknown keys."""
    for section, values in extra.items():
        if section not in base:
            log.warning("%s: unknown config section [%s]", source, section)
            base[section] = copy.deepcopy(values)
            continue
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in values.items():
            if key not in base[section]:
                log.warning("%s: unknown config key %s.%s", source, section, key)
            base[section][key] = value


def flask_config(settings: dict[str, dict[str, Any]], instance_path: str) -> dict[str, Any]:
    """Translate the settings tree into the Flask and extension keys they drive."""
    app = settings["app"]
    return {
        "SECRET_KEY": app["secret_key"],
        "SQLALCHEMY_DATABASE_URI": database_url(settings["database"]["url"], instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": int(app["max_content_length"]),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": bool(app["session_cookie_secure"]),
        "PERMANENT_SESSION_LIFETIME": int(settings["security"]["session_max_days"]) * 86400,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "BABEL_DEFAULT_LOCALE": app["language"],
        "BABEL_DEFAULT_TIMEZONE": app["timezone"],
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_SORT_KEYS": False,
    }


def database_url(url: str, instance_path: str) -> str:
    """Resolve a relative SQLite path under the instance folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = url[len(prefix):]
        if path and not os.path.isabs(path):
            return prefix + os.path.join(instance_path, path)
    return url


def instance_file(app_config: dict[str, Any], instance_path: str, section: str, key: str) -> str:
    """Resolve a path setting relative to the instance folder."""
    value = app_config["SETTINGS"][section][key]
    return value if os.path.isabs(value) else os.path.join(instance_path, value)
