"""Shared by the bench scripts: run `flask` commands and get a seeded bench database.

    from common import add_database_options, seeded_database
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--database/--reuse and the bench-seed sizes."""
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file "
                        "bench/out/bench.db)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database as it is if it already holds bench data")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)


def flask_env(database_url: str) -> dict[str, str]:
    """Environment for the app on *database_url*: scheduler off, a throwaway secret key,
    its own instance folder under bench/out."""
    OUT.mkdir(parents=True, exist_ok=True)
    config = OUT / "bench.toml"
    config.write_text("[scheduler]\nenabled = false\n")
    env = dict(os.environ, DATABASE_URL=database_url, TRACKER_CONFIG=str(config),
               SECRET_KEY="bench-" + os.urandom(16).hex(), TRACKER_INSTANCE=str(OUT / "instance"))
    env.pop("TRACKER_DEMO", None)
    return env


def flask(*args: str, env: dict[str, str]) -> str:
    """Run `flask --app app ARGS`; its stdout, or exit with its error."""
    done = subprocess.run([*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def seeded_database(args: argparse.Namespace) -> tuple[str, float | None]:
    """(database URL, seconds bench-seed took, or None when an existing one was reused)."""
    path = OUT / "bench.db"
    url = args.database or f"sqlite:///{path}"
    if args.reuse and (args.database or path.exists()):
        return url, None
    if not args.database and path.exists():
        path.unlink()
    env = flask_env(url)
    flask("db", "upgrade", env=env)
    started = time.perf_counter()
    output = flask("tracker", "bench-seed", "--units", str(args.units), "--tasks",
                   str(args.tasks), "--reports", str(args.reports), "--seed", str(args.seed),
                   env=env)
    seconds = time.perf_counter() - started
    print(output.strip())
    return url, seconds
