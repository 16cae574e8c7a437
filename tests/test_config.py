"""Configuration layers and the refusal to serve with the shipped secret key."""
import logging

import click
import pytest

from tracker import create_app
from tracker.config import DEFAULT_SECRET_KEY, ConfigError, load_settings


def test_override_file_then_environment_win_over_defaults(tmp_path, monkeypatch):
    override = tmp_path / "site.toml"
    override.write_text('[app]\nbase_url = "https://duban.example.gov.cn"\n'
                        '[database]\nurl = "sqlite:///from-file.db"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONFIG", str(override))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = load_settings()
    assert settings["app"]["base_url"] == "https://duban.example.gov.cn"
    assert settings["database"]["url"] == "postgresql+psycopg://u@h/db"
    assert settings["reporting"]["weekly_deadline_weekday"] == 2  # untouched default


def test_unknown_keys_are_warned_about(tmp_path, monkeypatch, caplog):
    override = tmp_path / "site.toml"
    override.write_text("[app]\nbase_ulr = \"typo\"\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONFIG", str(override))
    with caplog.at_level(logging.WARNING):
        load_settings()
    assert "unknown config key app.base_ulr" in caplog.text


def test_missing_override_file_stops_start_up_with_a_clear_line(monkeypatch):
    monkeypatch.setenv("TRACKER_CONFIG", "/nonexistent/duban.toml")
    with pytest.raises(ConfigError, match="/nonexistent/duban.toml"):
        load_settings()


def _serving_app(tmp_path, **app_settings):
    return create_app({"database": {"url": f"sqlite:///{tmp_path}/x.db"},
                       "scheduler": {"enabled": False},
                       "app": {"secret_key": DEFAULT_SECRET_KEY, **app_settings}})


def test_serving_with_the_default_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_DEMO", raising=False)
    with pytest.raises(ConfigError, match="default secret key"):
        _serving_app(tmp_path, demo=False)


def test_demo_mode_may_serve_with_the_default_key(tmp_path):
    assert _serving_app(tmp_path, demo=True).config["SECRET_KEY"] == DEFAULT_SECRET_KEY


def test_cli_maintenance_commands_may_run_with_the_default_key(tmp_path):
    with click.Context(click.Command("tracker"), info_name="tracker"):
        assert _serving_app(tmp_path, demo=False) is not None
    with click.Context(click.Command("run"), info_name="run"), pytest.raises(ConfigError):
        _serving_app(tmp_path, demo=False)


def test_a_real_secret_key_serves(tmp_path):
    app = create_app({"database": {"url": f"sqlite:///{tmp_path}/x.db"},
                      "scheduler": {"enabled": False},
                      "app": {"secret_key": "a-long-random-production-key"}})
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
