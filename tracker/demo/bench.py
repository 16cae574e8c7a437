"""`bench-seed`: bulk bench data (2,000 units, 100,000 tasks, 1,000,000 reports) in minutes.

Rows go in with SQLAlchemy Core inserts of dicts in batches, not through the operations:
at this size the ORM and per-row audit would take hours. The data is deterministic for a
given seed and "today": the same command on the same day loads the same rows.

Shape: a unit tree (office → task forces, departments, counties → towns); a four-level
task tree (about 1% stage goals, 10% key work, the rest quantified measures) whose items
are spread over the units; about 30% of items overdue, a quarter signed off, a few awaiting
sign-off or suspended; co-units on 40% of leaves; reports spread over the past 52 weeks,
about one in seven late, their progress by the behaviour model (tracker.demo.behaviour);
then every open item's forecast and the problem ledger built from the reports.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text, update
from werkzeug.security import generate_password_hash

from tracker import clock
from tracker.accounts.lookups import ORDER_STEP
from tracker.demo import behaviour, data
from tracker.extensions import db
from tracker.foresight import bulk, forecast
from tracker.ledger.operations import sort_key
from tracker.models import (AuditEvent, Milestone, Plan, Problem, ProgressReport, SignoffRequest, Task,
                            TaskState, Unit, User, task_co_units)
from tracker.reports.periods import period_deadline, period_of

BENCH_PASSWORD = "bench-password"
BATCH = 20_000
WEEKS = 52
LATE_SHARE = 0.15
OFFICE_NAME = data.UNITS[0][1]
TASKFORCES = [name for _, name, kind, _ in data.UNITS if kind == "taskforce"]

Bar = Callable[[int, str], object]


def bench_seed(n_units: int, n_tasks: int, n_reports: int, seed: int, bar: Bar) -> dict[str, int]:
    """Load the bench data into an empty database (the caller commits). *bar(length, label)*
    returns a progress-bar context manager with `update(n)`."""
    rng = random.Random(seed)
    today = clock.today()
    _tune()
    units = _units(n_units, today)
    _insert(Unit, units)
    _insert(User, _users(units, today))
    _insert(Plan, [{"id": 1, "year": today.year, "title": f"{today.year}年度任务清单（基准数据）",
                    "created_at": _created(today)}])
    tasks = _tasks(rng, n_units, n_tasks, today)
    with bar(len(tasks), "tasks  ") as progress:
        for chunk in _chunks(tasks):
            _insert(Task, chunk)
            progress.update(len(chunk))
    _insert(task_co_units, _co_units(rng, tasks, n_units))
    _insert(Milestone, _milestones(rng, tasks))
    _insert(SignoffRequest, _signoffs(tasks, today))
    _insert(AuditEvent, _audit(tasks))
    _insert(TaskState, _states(tasks))
    with bar(n_reports, "reports") as progress:
        for chunk in _chunks(_reports(rng, tasks, n_reports, today)):
            _insert(ProgressReport, chunk)
            progress.update(len(chunk))
    _stamp_last_reports()
    for chunk in _chunks(bulk.problem_rows()):
        _insert(Problem, chunk)
    forecast.refresh_all(today)
    _sync_sequences()
    # Fresh statistics, as after any bulk load: without them SQLite's planner guesses, and
    # picks a 30,000-row status range over a unit's 50 rows for a unit's overdue count.
    db.session.execute(text("ANALYZE"))
    return {"units": len(units), "tasks": len(tasks), "reports": n_reports}


def logins(n_units: int) -> list[tuple[str, str, str]]:
    """(login, unit, role) rows describing the bench users."""
    last = _liaison_login(n_units)
    return [("office", OFFICE_NAME, "office"), ("leader", OFFICE_NAME, "leader"),
            (f"{_liaison_login(2)} … {last}", "one liaison per unit: u + unit id (4 digits)",
             "unit")]


def _tune() -> None:
    """Give SQLite room to build the indexes in memory."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))
        db.session.execute(text("PRAGMA temp_store = MEMORY"))


def _insert(model, rows: list[dict]) -> None:
    table = getattr(model, "__table__", model)
    if rows:
        db.session.execute(insert(table), rows)


def _chunks(rows: Iterable[dict]) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _created(today: date) -> datetime:
    return clock.local_datetime(date(today.year, 1, 1), time(9))


# --- units and users ---------------------------------------------------------------------

def _units(n: int, today: date) -> list[dict]:
    """Office, task forces, departments, counties, then towns under the counties."""
    rest = n - 1
    n_taskforces = min(len(TASKFORCES), rest)
    rest -= n_taskforces
    n_departments = min(60, (rest + 1) // 2)
    n_counties = min(max(1, rest // 25), rest - n_departments)
    n_towns = rest - n_departments - n_counties
    first_county = 2 + n_taskforces + n_departments
    rows = [(OFFICE_NAME, "office", None)]
    rows += [(name, "taskforce", 1) for name in TASKFORCES[:n_taskforces]]
    rows += [(f"市直部门{i:03d}", "department", 1) for i in range(1, n_departments + 1)]
    rows += [(f"县区{i:03d}", "county", 1) for i in range(1, n_counties + 1)]
    rows += [(f"镇街{i:04d}", "town", first_county + i % n_counties) for i in range(n_towns)]
    created = _created(today)
    # The rows come in kind order (office, 专班, departments, counties, towns): sort_order follows them.
    return [{"id": i, "name": name, "kind": kind, "parent_id": parent, "sort_order": i * ORDER_STEP,
             "email": f"unit{i}@{data.EMAIL_DOMAIN}", "created_at": created}
            for i, (name, kind, parent) in enumerate(rows, start=1)]


def _liaison_login(unit_id: int) -> str:
    return f"u{unit_id:04d}"


def _liaison_id(unit_id: int) -> int:
    """User ids: 1 office, 2 leader, unit u's liaison u + 1 (the office unit's is user 1)."""
    return 1 if unit_id == 1 else unit_id + 1


def _users(units: list[dict], today: date) -> list[dict]:
    # One hash for all: hashing 2,000 passwords would take minutes, and they are equal anyway.
    hashed = generate_password_hash(BENCH_PASSWORD)
    created = _created(today)
    people = [(1, "office", "指挥办（基准）", 1, "office"), (2, "leader", "领导（基准）", 1, "leader")]
    people += [(_liaison_id(u["id"]), _liaison_login(u["id"]), f"{u['name']}联络员", u["id"], "unit")
               for u in units[1:]]
    return [{"id": uid, "login": login, "name": name, "unit_id": unit_id, "role": role,
             "password_hash": hashed, "email": None, "is_active": True, "created_at": created}
            for uid, login, name, unit_id, role in people]


# --- tasks -------------------------------------------------------------------------------

def _level_sizes(n: int) -> list[int]:
    """How many items per level: ~1% stage goals, ~1% main tasks… leaves take the rest."""
    sizes = []
    for share in (1000, 100, 10):
        size = min(max(1, n // share), n - sum(sizes))
        sizes.append(size)
    sizes.append(n - sum(sizes))
    return [s for s in sizes if s]


def _titles() -> list[list[tuple[str, float | None, str]]]:
    """(title, target, unit) templates per level, from the demo ledger."""
    levels: list[list] = [[], [], [], []]

    def walk(items, depth):
        for it in items:
            levels[min(depth, 3)].append((it.title, it.target, it.unit))
            walk(it.kids, depth + 1)

    walk(data.LEDGER, 0)
    return levels


def _tasks(rng: random.Random, n_units: int, n: int, today: date) -> list[dict]:
    titles = _titles()
    created = _created(today)
    leads = _lead_pools(n_units)
    rows: list[dict] = []
    parents: list[dict] = []
    for depth, size in enumerate(_level_sizes(n)):
        level: list[dict] = []
        counters: dict[int | None, int] = {}
        for i in range(size):
            parent = parents[i * len(parents) // size] if parents else None
            key = parent["id"] if parent else None
            counters[key] = counters.get(key, 0) + 1
            code = f"{parent['code']}.{counters[key]}" if parent else str(counters[key])
            title, target, unit = rng.choice(titles[depth])
            lead = rng.choice(leads[min(depth, 2)])
            row = {"id": len(rows) + len(level) + 1, "plan_id": 1, "parent_id": key, "code": code,
                   "sort_key": sort_key(code), "depth": depth, "title": title,
                   "description": "", "lead_unit_id": lead, "leader": "", "version": 1,
                   "target_value": target, "target_unit": unit if target else "",
                   "signed_off_at": None, "last_report_at": None, "status_since": created,
                   "created_at": created, "updated_at": created}
            row.update(_schedule(rng, today))
            row["status_since"] = row["signed_off_at"] or created
            row["actual_value"] = round(target * row["progress"] / 100, 2) if target else None
            level.append(row)
        rows += level
        parents = level
    return rows


def _lead_pools(n_units: int) -> list[list[int]]:
    """Who leads at each level: task forces the goals, departments the main tasks, anyone below."""
    everyone = list(range(2, n_units + 1))
    n_taskforces = min(len(TASKFORCES), n_units - 1)
    taskforces = list(range(2, 2 + n_taskforces)) or everyone
    departments = list(range(2 + n_taskforces, min(2 + n_taskforces + 60, n_units + 1))) or everyone
    return [taskforces, departments, everyone]


def _schedule(rng: random.Random, today: date) -> dict:
    """Status, dates and progress: ~25% signed off, ~30% overdue, the rest open."""
    r = rng.random()
    day = timedelta(days=1)
    signed_off_at = None
    if r < 0.25:
        due = today - rng.randint(1, 300) * day
        status, progress = "signed_off", 100
        signed_off_at = _at(min(due - rng.randint(0, 20) * day, today - day), 15)
    elif r < 0.55:
        due = today - rng.randint(1, 120) * day
        status = rng.choices(["in_progress", "not_started", "signoff_requested"], [85, 10, 5])[0]
        progress = {"in_progress": rng.randint(10, 90), "not_started": 0,
                    "signoff_requested": 100}[status]
    elif r < 0.60:
        due, status, progress = today + rng.randint(0, 7) * day, "in_progress", rng.randint(40, 95)
    elif r < 0.63:
        due, status, progress = today + rng.randint(1, 60) * day, "signoff_requested", 100
    elif r < 0.65:
        due, status, progress = today + rng.randint(10, 200) * day, "suspended", rng.randint(0, 50)
    elif r < 0.75:
        due, status, progress = today + rng.randint(30, 300) * day, "not_started", 0
    else:
        due, status, progress = today + rng.randint(8, 300) * day, "in_progress", rng.randint(5, 90)
    start = min(date(today.year, 1, 1), due - 30 * day)
    if status == "not_started" and due > today:
        start = today + rng.randint(1, 20) * day
    return {"status": status, "progress": progress, "start_date": start, "due_date": due,
            "signed_off_at": signed_off_at}


def _at(day: date, hour: int) -> datetime:
    return clock.local_datetime(day, time(hour))


def _co_units(rng: random.Random, tasks: list[dict], n_units: int) -> list[dict]:
    rows = []
    leaves = (t for t in tasks if t["depth"] == 3)
    for task in leaves:
        if rng.random() < 0.4 and n_units > 2:
            picks = rng.sample(range(2, n_units + 1), min(rng.randint(1, 3), n_units - 2))
            task["co"] = [u for u in picks if u != task["lead_unit_id"]]
            rows += [{"task_id": task["id"], "unit_id": u} for u in task["co"]]
    return rows


def _milestones(rng: random.Random, tasks: list[dict]) -> list[dict]:
    rows = []
    for task in tasks:
        if task["target_value"] and rng.random() < 0.3:
            span = (task["due_date"] - task["start_date"]).days
            for share, expected in ((3, 30), (1.5, 65)):
                rows.append({"task_id": task["id"], "expected_progress": expected, "title": "",
                             "due_date": task["start_date"] + timedelta(days=int(span / share))})
    return rows


def _signoffs(tasks: list[dict], today: date) -> list[dict]:
    """A pending request for each item awaiting sign-off, an approved one for each signed off."""
    rows = []
    for task in tasks:
        if task["status"] not in ("signoff_requested", "signed_off"):
            continue
        decided = task["signed_off_at"]
        asked = decided - timedelta(days=2) if decided else _at(today - timedelta(days=3), 10)
        rows.append({"task_id": task["id"], "unit_id": task["lead_unit_id"],
                     "requested_by_id": _liaison_id(task["lead_unit_id"]), "note": "申请销号",
                     "status": "approved" if decided else "pending",
                     "decided_by_id": 1 if decided else None, "decided_at": decided,
                     "reason": "", "created_at": asked})
    return rows


def _states(tasks: list[dict]) -> list[dict]:
    """Each item's history (tracker.ledger.timeline): in progress until signed off, else as
    it stands, from its creation."""
    rows = []
    for t in tasks:
        if t["signed_off_at"]:
            rows.append({"task_id": t["id"], "status": "in_progress", "due_date": t["due_date"],
                         "valid_from": t["created_at"], "valid_to": t["signed_off_at"]})
        rows.append({"task_id": t["id"], "status": t["status"], "due_date": t["due_date"],
                     "valid_from": t["signed_off_at"] or t["created_at"], "valid_to": None})
    return rows


def _audit(tasks: list[dict]) -> list[dict]:
    return [{"at": t["created_at"], "actor_id": 1, "actor": "指挥办（基准）（office）",
             "action": "task.create", "entity_type": "tasks", "entity_id": t["id"],
             "task_id": t["id"], "detail": {"code": t["code"]}} for t in tasks]


# --- reports -----------------------------------------------------------------------------

def _reports(rng: random.Random, tasks: list[dict], n: int, today: date) -> Iterable[dict]:
    """*n* reports over the past 52 weeks, oldest week first, on items that have started;
    each reports its progress by the behaviour model (tracker.demo.behaviour)."""
    reportable = [t for t in tasks if t["status"] != "not_started"] or tasks
    monday = today - timedelta(days=today.weekday())
    latest = clock.now() - timedelta(minutes=1)
    # The model's draws and noise come from each item's own generator, so the picks and
    # times above stay as they were.
    models: dict[int, tuple[random.Random, dict]] = {}
    last: dict[int, int] = {}
    for back in range(WEEKS, 0, -1):
        quota = n // WEEKS + (1 if WEEKS - back < n % WEEKS else 0)
        period = period_of(monday - timedelta(weeks=back))
        deadline = period_deadline(period)
        sunday = monday - timedelta(weeks=back) + timedelta(days=6)
        picks = (sorted(rng.sample(range(len(reportable)), quota)) if quota <= len(reportable)
                 else sorted(rng.choices(range(len(reportable)), k=quota)))
        for index in picks:
            task = reportable[index]
            if task["id"] not in models:
                own = random.Random(task["id"])
                models[task["id"]] = own, behaviour.draw(own, task, today)
            own, model = models[task["id"]]
            progress = behaviour.reported(own, task, model, sunday, today, last.get(task["id"], 0))
            last[task["id"]] = progress
            yield _report(rng, task, period, deadline, latest, progress)


def _report(rng: random.Random, task: dict, period: str, deadline: datetime, latest: datetime,
            progress: int) -> dict:
    co = task.get("co")
    unit = rng.choice(co) if co and rng.random() < 0.2 else task["lead_unit_id"]
    minutes = rng.randint(10, 4 * 24 * 60)
    submitted = deadline + timedelta(minutes=minutes if rng.random() < LATE_SHARE else -minutes)
    submitted = min(submitted, latest)
    target = task["target_value"]
    return {"task_id": task["id"], "unit_id": unit, "user_id": _liaison_id(unit),
            "period": period, "progress": progress,
            "text": f"{rng.choice(data.PROGRESS_LINES)}，累计完成{progress}%。",
            "problems": rng.choice(data.PROBLEMS) if rng.random() < 0.2 else "",
            "next_steps": rng.choice(data.NEXT_STEPS),
            "actual_value": round(target * progress / 100, 2) if target else None,
            "submitted_at": submitted, "on_time": submitted <= deadline}


def _stamp_last_reports() -> None:
    """tasks.last_report_at from the reports, in one indexed UPDATE."""
    tasks, reports = Task.__table__, ProgressReport.__table__
    latest = (select(func.max(reports.c.submitted_at)).where(reports.c.task_id == tasks.c.id)
              .scalar_subquery())
    db.session.execute(update(tasks).values(last_report_at=latest))


def _sync_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the loaded rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("units", "users", "plans", "tasks"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))
