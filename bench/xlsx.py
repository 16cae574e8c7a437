"""Ledger import from Excel: preview (dry run) and commit of an office's ledger of N rows,
then the re-import (all unchanged) and the export, timed.

Each size runs on a fresh migrated SQLite database (bench/out/xlsx.db, or --database) with
the office and 60 member units. The workbook is laid out as offices send it: a merged title,
a note above the header (header on row 3), 一、（一）1. codes, dates in five spellings, two
co-units in one cell, 亿元 in the target cell, notes below. The import runs in-process
through the same operation the API, the CLI and the pages call (parse → plan → one
transaction through the ledger's create/update operations).

    .venv/bin/python bench/xlsx.py                    # 500 and 5,000 rows
    .venv/bin/python bench/xlsx.py --rows 500 --rows 20000
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_500 = 5.0
DATES = ["2026-12-31", "2026/11/30", "2026.10.31", "2026年9月30日", "2026年12月底", "2026年第三季度",
         date(2026, 8, 31)]
CN = "一二三四五六七八九十"


def ledger(rows: int, units: list[str]) -> bytes:
    """*rows* items: groups 一、 of 10 sub-groups （一） of up to 10 measures 1. each."""
    book = Workbook()
    ws = book.active
    ws.title = "重点任务"
    ws.append(["2026年百千万工程重点任务清单"])
    ws.merge_cells("A1:K1")
    ws.append(["填报单位（盖章）：市百千万工程指挥部办公室"])
    ws.append(["编号", "任务名称", "上级编号", "牵头单位", "配合单位", "责任领导", "开始日期", "完成时限",
               "目标值", "计量单位", "备注"])
    written, group = 0, 0
    while written < rows:
        group += 1
        ws.append([_cn(group) + "、", f"第{group}组任务", None, units[group % len(units)], None, None,
                   None, "年底", None, None, None])
        written += 1
        for sub in range(1, 11):
            if written >= rows:
                break
            ws.append([f"（{_cn(sub)}）", f"第{group}组第{sub}项", None, units[(group + sub) % len(units)],
                       None, "张三", "2026-01-01", "年底", f"{sub * 1.5}亿元", None, None])
            written += 1
            for n in range(1, 9):
                if written >= rows:
                    break
                lead = units[(group * 7 + sub * 3 + n) % len(units)]
                co = "、".join(units[(group + sub + n + k) % len(units)] for k in (1, 2))
                ws.append([f"{n}.", f"第{group}组第{sub}项措施{n}", None, lead, co, None, None,
                           DATES[(group + sub + n) % len(DATES)], n * 10, "个", "备注"])
                written += 1
    ws.append(["备注：本表由各单位填报"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens - 1]) + "十" + (CN[ones - 1] if ones else "")


def run(rows: int, url: str) -> dict[str, float]:
    from tracker.accounts.operations import create_unit, create_user
    from tracker.ledger.operations import task_query
    from tracker.spreadsheets.export import ledger_xlsx
    from tracker.spreadsheets.ledger_import import import_ledger

    app = create_app({"TESTING": True, "database": {"url": url}, "scheduler": {"enabled": False},
                      "security": {"password_hash": "pbkdf2:sha256:1000"}})
    with app.app_context():
        upgrade()
        office_unit = create_unit(None, "市百千万工程指挥部办公室", "office")
        office = create_user(None, "office", "指挥办", office_unit.id, "office", "bench-password-1")
        units = [create_unit(None, f"市直部门{n:03d}局", "department").name for n in range(60)]
        db.session.commit()
        data = ledger(rows, units)
        times = {}
        start, cpu = time.perf_counter(), time.process_time()
        plan = import_ledger(office, data, "ledger.xlsx", dry_run=True)
        db.session.rollback()
        times["preview"] = time.perf_counter() - start
        times["preview (cpu)"] = time.process_time() - cpu
        assert plan.count("create") == rows, plan.summary()
        start, cpu = time.perf_counter(), time.process_time()
        import_ledger(office, data, "ledger.xlsx", dry_run=False)
        db.session.commit()
        times["commit"] = time.perf_counter() - start
        times["commit (cpu)"] = time.process_time() - cpu
        start = time.perf_counter()
        again = import_ledger(office, data, "ledger.xlsx", dry_run=False)
        db.session.commit()
        times["re-import"] = time.perf_counter() - start
        assert again.count("unchanged") == rows, again.summary()
        start = time.perf_counter()
        exported = ledger_xlsx(task_query(office), "任务清单")
        times["export"] = time.perf_counter() - start
        start = time.perf_counter()
        round_trip = import_ledger(office, exported, "export.xlsx", dry_run=True)
        times["export re-preview"] = time.perf_counter() - start
        assert round_trip.count("unchanged") == rows, round_trip.summary()
        db.engine.dispose()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="ledger sizes (default 500, 5000)")
    parser.add_argument("--database", help="a database URL to use instead of bench/out/xlsx.db "
                                           "(must be empty)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    failed = False
    for rows in args.rows or [500, 5000]:
        path = OUT / "xlsx.db"
        path.unlink(missing_ok=True)
        times = run(rows, args.database or f"sqlite:///{path}")
        line = ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
        print(f"{rows} rows: {line}")
        if rows <= 500 and times["preview"] + times["commit"] > TARGET_500:
            print(f"  over the target: preview + commit of {rows} rows must take under {TARGET_500} s")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
