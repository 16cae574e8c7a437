"""A scheduler process on a test clock, for the simulated week (test_serving_processes).

It calls what APScheduler calls in `flask tracker scheduler` — `heartbeat`, `fire` for each
job whose time of day has come, and `tick` — at each instant the test writes to the clock
file, then acknowledges the step in its own file. Run as
`python tests/sim_scheduler.py CLOCK_FILE ACK_FILE` with DATABASE_URL, SECRET_KEY and
TRACKER_CONFIG in the environment.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from tracker import clock, create_app
from tracker.jobs import scheduler
from tracker.jobs.registry import DISPATCH, JOBS


def main(clock_file: Path, ack_file: Path) -> None:
    app = create_app()
    fired: set[tuple[str, str]] = set()
    done = ""
    while True:
        text = clock_file.read_text().strip() if clock_file.exists() else ""
        if not text or text == done:
            time.sleep(0.05)
            continue
        if text == "stop":
            return
        step, instant = text.split(" ", 1)
        at = datetime.fromisoformat(instant)
        app.config["FIXED_NOW"] = at
        scheduler.heartbeat(app)
        local = clock.local(at)
        for name in JOBS:
            key = (name, local.date().isoformat())
            if name != DISPATCH and key not in fired and scheduler.fire_time(app, name) <= local.time():
                fired.add(key)  # APScheduler's cron fires each job once a day, in every process
                scheduler.fire(app, name)
        scheduler.tick(app)
        ack_file.write_text(step)
        done = text


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
