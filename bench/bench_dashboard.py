"""Benchmark (not a test): dashboard page render times over HTTP, for a commune and a province-size database.

    .venv/bin/python bench/bench_dashboard.py [--units 2000] [--reports-per-unit 50] [--repeat 5]

Each page is requested through the real web server with a logged-in session (a /web link redeemed); the time is
the client's, request to last byte, median of --repeat. "warm": the commune's data unchanged since the previous
view (the scene cache, bot/dashboard/cache.py, answers); "cold": the cache emptied before every request, as
the first view after a report arrives. Three databases:

- commune: one commune of 20 units × 50 reports (1,000 reports);
- province: --units units × --reports-per-unit reports in communes of 20 units; one commune's pages;
- one scope: the same numbers of units and reports all in one commune (what a province-wide page must read).

`--province-viewer`: only the province-size database, seen by a province viewer (every commune side by side,
one commune's indicators, the province XLSX/DOCX): warm; after one report arrived; the first view after a restart
(a new App on the same database, its web server started, the session cookie kept); and "never made": the kept
rows deleted before each request (a province's first view ever, or the first after a deploy that changed the
code that compiles the numbers).

Targets (issue 18): ≤ 200 ms for a commune, ≤ 1 s for a province-size database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import delete

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the dashboard tests' data helpers

from support.app import FakeClock, make_app
from support.dashboard_data import answers_for, seed_commune
from support.zalo_harness import free_port

from bot.dashboard import auth
from bot.dashboard.routes import DASHBOARD
from core.roles import PROVINCE
from handlers.web_login import issue_login
from storage.models import Commune, Person, ProvinceRow, Report, Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
KINDS = ("village",) * 6 + ("organisation", "organisation", "party_cell", "board")  # a commune's mix
PAGES = ("/d/", "/d/don-vi", "/d/bao-cao", "/d/bao-cao?trang=9999", "/d/bao-cao?ky=2026", "/d/kien-nghi",
         "/d/nhac-viec", "/d/tai-ve", "REPORT", "UNIT")


async def grow(app, units: int, per_unit: int, per_commune: int) -> None:
    """`units` more units (the first `per_commune` in commune 1, then new communes of `per_commune` units), each
    with `per_unit` reports of the forms its kind reports, spread over the year."""
    rng = random.Random(5)
    plan = app.plan
    by_kind = {kind: [f for f in plan.forms if kind in {str(k) for k in f.reporters}] for kind in set(KINDS)}
    async with app.db.transaction() as repos:
        person = next(p for p in await repos.directory.people(1) if p.role == "staff")
        communes = [1]
        province = (await repos.directory.commune(1)).province  # one province: its viewer sees every commune
        for n in range(1, -(-units // per_commune)):
            communes.append((await repos.directory.add(Commune(name=f"Xã số {n}", province=province))).id)
        rows = [Unit(commune_id=communes[n // per_commune], name=f"Đơn vị số {n}", kind=KINDS[n % len(KINDS)])
                for n in range(units)]
        repos.session.add_all(rows)
        await repos.session.flush()
    for start in range(0, len(rows), 200):  # a few thousand rows per transaction
        async with app.db.transaction() as repos:
            batch = []
            for unit in rows[start:start + 200]:
                forms = by_kind[unit.kind]
                for _ in range(per_unit):
                    form = rng.choice(forms)
                    day = date(plan.year, 1, 1) + timedelta(days=rng.randrange(0, 328))
                    batch.append(Report(commune_id=unit.commune_id, unit_id=unit.id, person_id=person.id,
                                        form_id=form.id, activity_date=day, created_at=NOW,
                                        answers=answers_for(form, day, rng, unit_id=unit.id)))
            repos.session.add_all(batch)


async def measure(app, repeat: int, *, cold: bool) -> dict[str, float]:
    async with app.db.transaction() as repos:
        chair = next(p for p in await repos.directory.people(1) if p.role == "chair")
        token = await issue_login(repos, chair.id, app.clock())
        report = (await repos.reports.in_commune(1, date(2026, 10, 1), date(2026, 12, 31)))[-1]
    base = app.settings.public_base_url
    results = {}
    async with httpx.AsyncClient(timeout=120) as http:
        opened = await http.post(f"{base}/d/dang-nhap/{token}")
        cookie = {"Cookie": f"{auth.SESSION_COOKIE}={opened.cookies[auth.SESSION_COOKIE]}"}
        for page in PAGES:
            path = {"REPORT": f"/d/bao-cao/{report.id}", "UNIT": f"/d/don-vi/{report.unit_id}"}.get(page, page)
            times = []
            for attempt in range(repeat + 1):
                if cold:
                    app.web.app[DASHBOARD].scenes._entries.clear()
                started = time.perf_counter()
                response = await http.get(base + path, headers=cookie)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, (path, response.status_code)
                if attempt:  # the first is a warm-up (template compilation; for "warm", the cache)
                    times.append(elapsed)
            results[page if page not in ("REPORT", "UNIT") else page.lower() + " page"] = statistics.median(times)
    return results


PROVINCE_PAGES = ("/d/", "/d/?xa=2", "/d/?ky=2026", "/d/tinh/tai-ve/xlsx", "/d/tinh/tai-ve/docx")


async def province_session(app) -> dict[str, str]:
    """A province viewer, logged in through a /web link: the session cookie (kept in the database)."""
    async with app.db.transaction() as repos:
        viewer = await repos.directory.add(Person(commune_id=1, name="Ban Thường trực tỉnh", role=PROVINCE,
                                                  created_at=NOW))
        token = await issue_login(repos, viewer.id, app.clock())
    async with httpx.AsyncClient() as http:
        opened = await http.post(f"{app.settings.public_base_url}/d/dang-nhap/{token}")
    return {"Cookie": f"{auth.SESSION_COOKIE}={opened.cookies[auth.SESSION_COOKIE]}"}


async def measure_province(app, repeat: int, cookie: dict[str, str], *, cold: str) -> dict[str, float]:
    """A province viewer's pages. cold: "warm" (rows kept), "one report" (a report arrived in one commune just
    before each request: that commune's row is made again), "never made" (the kept rows deleted: every row
    read and compiled again)."""
    async with app.db.transaction() as repos:
        staff = next(p for p in await repos.directory.people(1) if p.role == "staff")
        unit = (await repos.directory.units(2))[0]
    base, dash = app.settings.public_base_url, app.web.app[DASHBOARD]
    rng, results = random.Random(9), {}
    async with httpx.AsyncClient(timeout=300) as http:
        for path in PROVINCE_PAGES:
            times = []
            for attempt in range(repeat + 1):
                if cold == "never made":
                    async with app.db.transaction() as repos:
                        await repos.session.execute(delete(ProvinceRow))
                    dash.scenes._entries.clear()
                elif cold == "one report":
                    async with app.db.transaction() as repos:
                        form = app.plan.form("ngay_hoi")
                        day = date(2026, 11, 20)
                        repos.session.add(Report(commune_id=unit.commune_id, unit_id=unit.id, person_id=staff.id,
                                                 form_id=form.id, activity_date=day, created_at=NOW,
                                                 answers=answers_for(form, day, rng, unit_id=unit.id)))
                started = time.perf_counter()
                response = await http.get(base + path, headers=cookie)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, (path, response.status_code)
                if attempt:
                    times.append(elapsed)
            results[path] = statistics.median(times)
    return results


async def restarted(url: str, port: int, repeat: int, cookie: dict[str, str]) -> dict[str, float]:
    """Each page's first view after a restart: the App stopped, a new one made on the same database and its web
    server started (nothing of the old process kept but the database), then one request."""
    results = {}
    for path in PROVINCE_PAGES:
        times = []
        for _ in range(repeat):
            app = await started_app(url, port, demo=False)
            try:
                async with httpx.AsyncClient(timeout=300) as http:
                    started = time.perf_counter()
                    response = await http.get(f"http://127.0.0.1:{port}{path}", headers=cookie)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
            finally:
                await app.web.stop()
                await app.close()
        results[path] = statistics.median(times)
    return results


async def until_complete(app, cookie: dict[str, str]) -> None:
    """With no row kept, the province page's views (each within its budget, the rest marked as being updated and
    reloaded by the page) until every commune is shown: how many, and how long together."""
    async with app.db.transaction() as repos:
        await repos.session.execute(delete(ProvinceRow))
    views, started = 0, time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as http:
        while True:
            views += 1
            page = (await http.get(f"{app.settings.public_base_url}/d/", headers=cookie)).text
            if "http-equiv" not in page:
                break
    print(f"  no row kept: {views} views of /d/ until every commune is shown, {time.perf_counter() - started:.1f} s"
          " of views (the page's own 2 s reloads not counted)")


async def warm_up(app) -> None:
    """The minute ticker with nothing kept: every commune's row made (the province page then reads none)."""
    from bot.dashboard.province_cache import ProvinceWarmer

    warmer = next(t for t in app.tickers if isinstance(t, ProvinceWarmer))
    async with app.db.transaction() as repos:
        await repos.session.execute(delete(ProvinceRow))
    started = time.perf_counter()
    await warmer(NOW)
    print(f"  warm-up tick with no row kept (every commune's row made): {time.perf_counter() - started:.1f} s")


async def started_app(url: str, port: int, *, demo: bool = True):
    app = await make_app(url, FakeClock(NOW), demo=demo, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="bench-secret-123")
    await app.web.start()
    return app


async def run(label: str, url: str, units: int, per_unit: int, per_commune: int, repeat: int
              ) -> dict[str, dict[str, float]]:
    port = free_port()
    app = await started_app(url, port)
    try:
        async with app.db.transaction() as repos:
            await seed_commune(repos, app.plan, NOW, 1)
        if units:
            started = time.perf_counter()
            await grow(app, units, per_unit, per_commune)
            print(f"  ({label}: {units} units × {per_unit} reports stored in {time.perf_counter() - started:.0f} s)")
        if label == "province viewer":
            cookie = await province_session(app)
            found = {kind: await measure_province(app, repeat, cookie, cold=kind) for kind in ("warm", "one report")}
            await app.web.stop()
            await app.close()
            found["restart"] = await restarted(url, port, repeat, cookie)
            app = await started_app(url, port, demo=False)
            found["never made"] = await measure_province(app, repeat, cookie, cold="never made")
            await until_complete(app, cookie)
            await warm_up(app)
            return found
        return {"warm": await measure(app, repeat, cold=False), "cold": await measure(app, repeat, cold=True)}
    finally:
        await app.web.stop()
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--reports-per-unit", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--province-viewer", action="store_true",
                        help="only the province viewer's pages on the province-size database")
    parser.add_argument("--url", help="with --province-viewer: an empty database to use (e.g. PostgreSQL), "
                                      "else a temporary SQLite file")
    args = parser.parse_args()
    units, per_unit = args.units, args.reports_per_unit
    if args.province_viewer:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.url or f"sqlite+aiosqlite:///{tmp}/province.db"
            found = asyncio.run(run("province viewer", url, units, per_unit, 20, args.repeat))
        print(f"{'province viewer page':<24}" + "".join(f"{kind:>14}" for kind in found))
        for path in PROVINCE_PAGES:
            print(f"{path:<24}" + "".join(f"{found[kind][path] * 1000:>11.0f} ms" for kind in found))
        print("target: ≤ 1000 ms on a province-size database")
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, count, per_commune in (("commune", 20, 20), ("province", units, 20), ("one scope", units, units)):
            url = f"sqlite+aiosqlite:///{tmp}/{label.replace(' ', '-')}.db"
            results[label] = asyncio.run(run(label, url, count, per_unit if label != "commune" else 50, per_commune,
                                             args.repeat))
    columns = [(label, kind) for label in results for kind in ("warm", "cold")]
    print(f"{'page':<24}" + "".join(f"{label + ' ' + kind:>18}" for label, kind in columns))
    for page in results["commune"]["warm"]:
        print(f"{page:<24}" + "".join(f"{results[label][kind][page] * 1000:>15.0f} ms" for label, kind in columns))
    print("worst: " + ", ".join(f"{label} {kind} {max(results[label][kind].values()) * 1000:.0f} ms"
                                 for label, kind in columns))
    print("targets: commune ≤ 200 ms, province-size database ≤ 1000 ms")


if __name__ == "__main__":
    main()
