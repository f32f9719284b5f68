"""The dashboard of a province viewer (issue 18): the communes of their province side by side with the numbers of
each commune's own /tonghop; one commune's indicators; the DOCX and XLSX; nothing of a person; another province's
commune and every page that shows people a 404. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import io
import random
import re
from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from support.app import ChatUser, attach_recorder, make_app
from support.dashboard_data import add_report, link_in
from support.province_data import SECRET_NOTE, province_invite, three_communes

from bot.dashboard.routes import DASHBOARD
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.load import load_snapshot
from summaries.text_util import fmt_value

BASE = "https://bot.example.org"
PEOPLE_PAGES = ("/d/don-vi", "/d/bao-cao", "/d/kien-nghi", "/d/nhac-viec", "/d/tai-ve", "/d/tai-ve/docx")


@pytest.fixture
async def site(database_url, clock):
    app = await make_app(database_url, clock, public_base_url=BASE, webhook_secret="secret-for-links-1")
    recorder = attach_recorder(app)
    same, other = await three_communes(app)
    app.web.app[DASHBOARD].province_budget = None  # every row at once, however loaded the machine (one test sets 0)
    viewer = ChatUser(app, recorder, "tinh", "Ban Thường trực tỉnh")
    await viewer.say(f"/start {await province_invite(app)}")
    async with TestClient(TestServer(app.web.app)) as client:
        yield app, client, recorder, viewer, same, other
    await app.close()


async def _session(client: TestClient, user: ChatUser) -> dict[str, str]:
    opened = await client.post(link_in(await user.say("/web")).removeprefix(BASE), allow_redirects=False)
    assert opened.status == 303
    return {"Cookie": "mttq_session=" + opened.cookies["mttq_session"].value}  # Secure: sent by hand over http


async def _viewed_once(app, client: TestClient, viewer: ChatUser):
    """The viewer's session after one look at the province page, the kept rows and their misses so far."""
    session = await _session(client, viewer)
    rows = app.web.app[DASHBOARD].province_rows
    await client.get("/d/", headers=session)
    return session, rows, rows.misses


def _rows(page: str) -> dict[str, dict[str, str]]:
    """Per commune row (by name): its cells by indicator id, as the page shows them."""
    rows = {}
    for row in re.findall(r'<tr id="xa-\d+">(.*?)</tr>', page, re.S):
        name = html.unescape(re.search(r"<a [^>]*>([^<]+)</a>", row).group(1))
        rows[name] = dict(re.findall(r'data-(?:indicator|col)="([^"]+)">([^<]*)<', row))
    return rows


def _reasons(page: str) -> dict[tuple[str, str], str]:
    """Per (commune, indicator) shown "—": the footnote its mark links to, as text."""
    notes = {n: html.unescape(text) for n, text in re.findall(r'<li id="ly-do-(\d+)">([^<]*)</li>', page)}
    marked = {}
    for row in re.findall(r'<tr id="xa-\d+">(.*?)</tr>', page, re.S):
        name = html.unescape(re.search(r"<a [^>]*>([^<]+)</a>", row).group(1))
        for indicator, n, label in re.findall(
                r'data-indicator="([^"]+)">—<a class="why" href="#ly-do-(\d+)" aria-label="([^"]+)">', row):
            assert html.unescape(label) == notes[n]  # a screen reader hears the reason at the cell
            marked[name, indicator] = notes[n]
    return marked


async def _assert_own_numbers(app, rows: dict[str, dict[str, str]], clock, reasons=None) -> None:
    """Each commune's row as the page shows it equals that commune's own /tonghop (compiled now, from storage)."""
    async with app.db.transaction() as repos:
        ids = {c.name: c.id for c in await repos.directory.communes()}
        own = {name: compile_summary(app.plan, await load_snapshot(repos, ids[name], app.plan.year),
                                     Period.quarter(2026, 4), clock(), app.settings.tz) for name in rows}
    for name, summary in own.items():
        assert rows[name]["reports"] == str(len(summary.activities))
        assert rows[name]["silent"] == f"{len(summary.silent_units)}/{sum(u.unit.active for u in summary.units)}"
        for r in summary.indicators:
            shown = fmt_value(r.year_to_date.value, r.measure) + (" ✓" if r.status == "dat" else "")
            assert rows[name][r.id] == shown, (name, r.id)
            if reasons is not None and r.year_to_date.value is None and r.no_value:  # "—" and why, as /tonghop
                t = app.translator.for_language("vi")
                assert reasons.pop((name, r.id)) == t("dash.no_value.note", reason=t(r.no_value)), (name, r.id)
    assert not reasons  # no reason where the commune's /tonghop has a number


async def test_the_province_page_shows_each_communes_own_numbers_side_by_side(site, clock):
    app, client, _recorder, viewer, same, _other = site
    session = await _session(client, viewer)
    response = await client.get("/d/", headers=session)
    page = await response.text()
    assert response.status == 200 and "Các xã của Thái Nguyên" in page
    rows = _rows(page)
    assert set(rows) == {"Nam Cường", "Phúc Lộc"}  # Minh Tân is of Hà Giang
    reasons = _reasons(page)
    assert reasons and "“—”: chưa có tỉ lệ vì" in page
    await _assert_own_numbers(app, rows, clock, reasons)
    assert "Thôn 3 Phúc Lộc" in page  # a silent unit, by name
    for private in (SECRET_NOTE, "Bà B", "Ông B", "0912", "Trưởng ban Công tác Mặt trận thôn Nà Pài"):
        assert private not in page
    commune = await client.get(f"/d/?xa={same.id}&ky=2026-Q4", headers=session)
    assert commune.status == 200 and "Phúc Lộc" in await commune.text()


async def test_a_province_viewer_gets_404_for_another_province_and_for_pages_with_people(site):
    _app, client, _recorder, viewer, same, other = site
    session = await _session(client, viewer)
    assert (await client.get(f"/d/?xa={other.id}", headers=session)).status == 404
    for path in (*PEOPLE_PAGES, f"/d/bao-cao/{same.reports[0]}", f"/d/don-vi/{same.units['Thôn 1 Phúc Lộc']}",
                 f"/d/bao-cao/{other.reports[0]}", "/d/tinh/tai-ve/pdf", "/d/tinh/tai-ve/docx?ky=2025-Q1"):
        response = await client.get(path, headers=session)
        assert response.status == 404, path
        assert "Bà B" not in await response.text()


async def test_the_province_files_download_and_a_commune_session_cannot_fetch_them(site):
    app, client, recorder, viewer, _same, _other = site
    session = await _session(client, viewer)
    xlsx = await client.get("/d/tinh/tai-ve/xlsx?ky=2026-Q4", headers=session)
    assert xlsx.status == 200 and "tong-hop-tinh-2026-Q4-thai-nguyen.xlsx" in xlsx.headers["Content-Disposition"]
    names = [row[0] for row in load_workbook(io.BytesIO(await xlsx.read())).worksheets[0].iter_rows(
        min_row=2, values_only=True)]
    assert names == ["Nam Cường", "Phúc Lộc"]
    docx = await client.get("/d/tinh/tai-ve/docx", headers=session)
    assert docx.status == 200 and (await docx.read())[:2] == b"PK"
    staff = await _session(client, ChatUser(app, recorder, "staff", "Cán bộ"))
    assert (await client.get("/d/tinh/tai-ve/xlsx", headers=staff)).status == 404
    page = await (await client.get("/d/", headers=staff)).text()
    assert "Các xã của" not in page and "Phúc Lộc" not in page


async def test_rows_are_kept_until_a_commune_changes(site, clock):
    app, client, _recorder, viewer, same, _other = site
    session, rows, misses = await _viewed_once(app, client, viewer)
    await client.get("/d/", headers=session)
    assert rows.misses == misses and rows.hits >= 2  # both communes' rows reused
    async with app.db.transaction() as repos:  # a report arrives in Phúc Lộc's silent village
        unit = await repos.directory.unit(same.units["Thôn 3 Phúc Lộc"])
        await add_report(repos, app.plan, "ngay_hoi", unit, same.people["b-reporter-3"], date(2026, 11, 20),
                         clock(), random.Random(1))
    page = await (await client.get("/d/", headers=session)).text()
    assert rows.misses == misses + 1  # only Phúc Lộc was read again
    assert _rows(page)["Phúc Lộc"]["reports"] == "3"


async def test_the_minute_ticker_keeps_the_province_rows_warm(site):
    """After a restart the ticker makes the rows, so the province viewer's first page reads no commune."""
    app, client, _recorder, viewer, _same, _other = site
    rows = app.web.app[DASHBOARD].province_rows
    await app.tick()
    assert rows.misses == 2 and rows.hits == 0  # Nam Cường and Phúc Lộc; Minh Tân has no province viewer
    await app.tick()
    assert rows.misses == 2 and rows.hits == 2  # unchanged: kept
    session = await _session(client, viewer)
    assert (await client.get("/d/", headers=session)).status == 200
    assert rows.misses == 2


async def test_after_a_restart_the_kept_rows_are_shown_without_reading_a_commune(site, database_url, clock):
    """The rows are kept in the database: a new process on the same database reads no commune for the first view,
    and shows the same numbers — still each commune's own /tonghop."""
    _app, client, _recorder, viewer, _same, _other = site
    session = await _session(client, viewer)
    before = _rows(await (await client.get("/d/", headers=session)).text())
    restarted = await make_app(database_url, clock, demo=False, public_base_url=BASE,
                               webhook_secret="secret-for-links-1")
    restarted.web.app[DASHBOARD].province_budget = None
    try:
        async with TestClient(TestServer(restarted.web.app)) as again:
            response = await again.get("/d/", headers=session)
            after = _rows(await response.text())
        rows = restarted.web.app[DASHBOARD].province_rows
        assert response.status == 200 and rows.misses == 0 and rows.hits == 2
        assert after == before
        await _assert_own_numbers(restarted, after, clock)
    finally:
        await restarted.close()


async def test_a_renamed_unit_or_a_new_baseline_is_shown_at_the_next_view(site, clock):
    """Units and baselines are part of a row's version: a kept row is never shown after they change."""
    app, client, _recorder, viewer, same, _other = site
    session, rows, misses = await _viewed_once(app, client, viewer)
    async with app.db.transaction() as repos:
        unit = await repos.directory.unit(same.units["Thôn 3 Phúc Lộc"])
        await repos.directory_admin.change(unit, name="Thôn Ba Phúc Lộc")
    page = await (await client.get("/d/", headers=session)).text()
    assert rows.misses == misses + 1 and "Thôn Ba Phúc Lộc" in page and "Thôn 3 Phúc Lộc" not in page
    async with app.db.transaction() as repos:  # the village that reported reaches more households than thought
        await repos.directory.set_baseline(same.units["Thôn 1 Phúc Lộc"], app.plan.year, "households", 1000)
    page = await (await client.get("/d/", headers=session)).text()
    assert rows.misses == misses + 2
    await _assert_own_numbers(app, _rows(page), clock)


async def test_rows_not_made_within_the_budget_are_marked_as_updating_and_the_page_reloads(site, clock):
    """With no row kept (a province's first view, a deploy that changed the compiler) a view compiles only within
    its time budget (at least one commune): the others are shown as being updated — no number, old or new — and
    the page asks again by itself (<meta> refresh: no script under the CSP); the next view completes them."""
    app, client, _recorder, viewer, _same, _other = site
    app.web.app[DASHBOARD].province_budget = 0  # one commune per view
    session = await _session(client, viewer)
    first = await client.get("/d/", headers=session)
    page = await first.text()
    assert first.status == 200 and "script-src" not in first.headers["Content-Security-Policy"]
    assert '<meta http-equiv="refresh" content="2">' in page and "<script" not in page
    assert "Đang cập nhật số liệu của 1/2 xã" in page
    [ready] = _rows(page)
    waiting = re.search(r'<tr id="xa-dang-cap-nhat-\d+" class="pending">\s*<th scope="row">([^<]+)</th>', page)
    assert waiting and html.unescape(waiting.group(1)) == ({"Nam Cường", "Phúc Lộc"} - {ready}).pop()
    await _assert_own_numbers(app, _rows(page), clock)
    second = await (await client.get("/d/", headers=session)).text()
    assert set(_rows(second)) == {"Nam Cường", "Phúc Lộc"} and "http-equiv" not in second
    assert "đang cập nhật" not in second
    await _assert_own_numbers(app, _rows(second), clock)
    xlsx = await client.get("/d/tinh/tai-ve/xlsx", headers=session)  # a file waits for every row
    assert xlsx.status == 200


@pytest.mark.parametrize(("seconds_per_commune", "shown"), [(0.4, 2), (0.5, 1)])
async def test_a_page_compiles_rows_until_its_budget_is_spent_measured_on_an_injected_timer(
        site, monkeypatch, seconds_per_commune, shown):
    """The budget in seconds (0.5 here), measured by the rows' timer: each compile advances a fake timer, so the
    split does not depend on how loaded the machine is. A commune compiled in 0.4 s leaves room for the next
    (0.4 < 0.5); one that took 0.5 s spends it, and the other waits for the next view."""
    from bot.dashboard import province_cache

    app, client, _recorder, viewer, _same, _other = site
    dash = app.web.app[DASHBOARD]
    elapsed = [0.0]
    compile_row = province_cache.compile_row

    def slow_compile(*args):
        elapsed[0] += seconds_per_commune
        return compile_row(*args)

    monkeypatch.setattr(province_cache, "compile_row", slow_compile)
    dash.province_rows.timer, dash.province_budget = lambda: elapsed[0], 0.5
    page = await (await client.get("/d/?ky=2026-Q3", headers=await _session(client, viewer))).text()
    assert len(_rows(page)) == shown and elapsed[0] == shown * seconds_per_commune
    assert ("Đang cập nhật số liệu của 1/2 xã" in page) == (shown == 1)
