"""Benchmark (not a test): import a province's directory, 100 communes × 30 units × 60 people, as 100 files.

    .venv/bin/python bench/bench_directory.py [--communes 100] [--units 30] [--people 60] [--no-postgresql]

Goal (issue 14): ≤ 20 s in total on the 2-core machine; a re-import of an unchanged file ≤ 2 s per commune.
Prints, per backend: the first import (all files), then a re-import of every unchanged file, and the share of
the time spent reading the workbooks (openpyxl) rather than comparing and writing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bot.app import create_app
from bot.directory.read import read_tables
from bot.directory.write import Workbook
from bot.directory_cli import import_directory
from bot.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# issue 14: the whole province's first import within 20 s; an unchanged file re-imported within 2 s per commune
GOALS = {"first import": lambda total, files: total <= 20.0, "re-import": lambda total, files: total / files <= 2.0}


def commune_sheets(number: int, units: int, people: int) -> dict[str, list[list]]:
    kinds = ["Xã"] + ["Thôn"] * (units * 2 // 3) + ["Tổ chức", "Chi bộ", "Ban"] * units
    rows = [[f"U{n:03d}", f"Đơn vị {n} xã {number}", kinds[n], "Có"] for n in range(units)]
    baselines = [[r[0], 2026, 120 + n, 9, 6, 40] for n, r in enumerate(rows) if r[2] == "Thôn"]
    persons = [["Quản trị xã", "Quản trị", None, f"09{number:03d}00000", "vi"]]
    persons += [[f"Người {n} xã {number}", "Báo cáo", rows[1 + n % (units - 1)][0], f"09{number:03d}{n:05d}", "vi"]
                for n in range(1, people)]
    return {
        "Xã": [["Tên xã", "Tỉnh", "Múi giờ"], [f"Xã số {number}", "Tỉnh Thử", "Asia/Ho_Chi_Minh"]],
        "Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Loại", "Hoạt động"], *rows],
        "Chỉ số": [["Mã đơn vị", "Năm", "Số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số cán bộ, hội viên cần tập huấn"],
                   *baselines],
        "Người": [["Họ và tên", "Vai trò", "Mã đơn vị", "Điện thoại", "Ngôn ngữ"], *persons],
    }


async def bench(url: str, label: str, files: list[Path]) -> None:
    settings = Settings(_env_file=None, database_url=url)
    app = await create_app(settings, clock=lambda: datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    try:
        for phase in ("first import", "re-import"):
            started = time.perf_counter()
            for path in files:
                out = io.StringIO()
                if await import_directory(app, [str(path)], None, dry_run=False, stdout=out) != 0:
                    raise SystemExit(f"{path.name}: {out.getvalue()}")
            elapsed = time.perf_counter() - started
            goal = GOALS[phase](elapsed, len(files))
            print(f"{label:<10} {phase:<13} {len(files)} files: {elapsed:6.2f} s total, "
                  f"{1000 * elapsed / len(files):6.0f} ms per commune  ({'goal met' if goal else 'GOAL MISSED'})")
    finally:
        await app.close()


def reading_time(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        read_tables([path])
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for number in range(1, args.communes + 1):
            path = Path(tmp) / f"xa_{number:03d}.xlsx"
            Workbook(commune_sheets(number, args.units, args.people)).save(path)
            files.append(path)
        size = sum(p.stat().st_size for p in files) / 1024
        print(f"{args.communes} files of {args.units} units and {args.people} people: {size:.0f} KB in all; "
              f"reading them alone (openpyxl): {reading_time(files):.2f} s")
        await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", "sqlite", files)
        if args.no_postgresql:
            return
        from support.pgcluster import PgCluster, PgUnavailable

        try:
            with PgCluster() as pg:
                await bench(pg.url, "postgresql", files)
        except PgUnavailable as exc:
            print(f"postgresql skipped: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
