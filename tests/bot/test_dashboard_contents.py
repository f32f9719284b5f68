"""What the dashboard's pages say (issue 18.2), beyond their numbers: /web for every dashboard role and its typed
aliases, the units grid (✓ with date, missing, overdue, head, last report, sorting), the report filters, and the
reminders / broadcasts / Zalo budget page. The numbers themselves: test_dashboard_pages (equal to /tonghop)."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from support.app import ChatUser, attach_recorder, make_app
from support.dashboard_data import ZALO_ID, link_in, seed_commune
from support.reminding import remind

from storage.broadcasts import dedupe_prefix
from storage.models import Broadcast, Identity, Outbox, ReminderOccurrence, Report

BASE = "https://bot.example.org"


@pytest.fixture
async def site(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, public_base_url=BASE, webhook_secret="secret-for-links-1")
    recorder = attach_recorder(app)
    async with app.db.transaction() as repos:
        made = await seed_commune(repos, app.plan, clock(), 1)
    chair = ChatUser(app, recorder, "chair", "Chủ tịch")
    async with TestClient(TestServer(app.web.app)) as client:
        opened = await client.post(link_in(await chair.say("/web")).removeprefix(BASE), allow_redirects=False)
        session = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"].value}
        yield app, client, session, recorder, made
    await app.close()


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row,
                                                                                re.S)]


async def _grid(client, session, query: str) -> list[list[str]]:
    page = await (await client.get("/d/don-vi?" + query, headers=session)).text()
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("said", ["/web", "trang web", "Trang Web", "bảng điều khiển", "bang dieu khien",
                                  "dashboard"])
async def test_web_and_its_typed_aliases_answer_with_a_link(site, said):
    app, _client, _session, recorder, _made = site
    assert link_in(await ChatUser(app, recorder, "staff", "Cán bộ").say(said)).startswith(BASE + "/d/dang-nhap/")


async def test_web_is_for_the_dashboard_roles_only(site):
    app, _client, _session, recorder, _made = site
    for console_id in ("chair", "staff", "admin", "viewer"):
        assert link_in(await ChatUser(app, recorder, console_id, console_id).say("/web"))
    replies = await ChatUser(app, recorder, "reporter", "Trưởng ban").say("/web")
    assert replies and "/d/dang-nhap/" not in "\n".join(replies)  # a village head: no dashboard


async def test_the_units_grid_shows_done_with_its_date_missing_overdue_heads_and_sorts(site):
    app, client, session, _recorder, made = site
    async with app.db.transaction() as repos:
        village = await repos.directory.unit(made["photo"].unit_id)
        head = next(p.name for p in await repos.directory.people(1) if p.role == "reporter")
    t = app.translator.for_language("vi")
    rows = {row[0]: row for row in await _grid(client, session, "ky=2026-Q4")}
    page = await (await client.get("/d/don-vi?ky=2026-Q4", headers=session)).text()
    columns = _cells(re.search(r"<thead><tr>(.*?)</tr></thead>", page, re.S).group(1))
    ngay_hoi = columns.index(app.plan.form("ngay_hoi").label.vi)
    mine = rows[village.name]
    assert mine[1] == head and mine[2] == "02/11/2026"  # its reporter by name; its latest report
    assert mine[ngay_hoi] == "✓ 02/11/2026"  # the photo report of 2 November
    missing = [row for row in rows.values() if row[ngay_hoi] == t("dash.units.missing")]
    assert missing  # Q4 is not over on 25 November: not yet overdue
    over = {row[0]: row for row in await _grid(client, session, "ky=2026-Q3")}  # Q3 is over: overdue
    assert [row for row in over.values() if row[ngay_hoi] == t("dash.units.overdue")]
    assert t("dash.units.missing") not in {cell for row in over.values() for cell in row}

    def missing_count(row: list[str]) -> int:
        return sum(cell in (t("dash.units.missing"), t("dash.units.overdue")) for cell in row)

    by_missing = await _grid(client, session, "ky=2026-Q4&sap=thieu")
    assert [missing_count(r) for r in by_missing] == sorted((missing_count(r) for r in by_missing), reverse=True)
    by_latest = [datetime.strptime(r[2], "%d/%m/%Y").date() if r[2] != "—" else date.min
                 for r in await _grid(client, session, "ky=2026-Q4&sap=moi")]
    assert by_latest == sorted(by_latest, reverse=True) and by_latest[0] == date(2026, 11, 2)


async def test_the_reports_are_filtered_by_activity_unit_and_period(site):
    app, client, session, _recorder, made = site
    village_id = made["photo"].unit_id

    async def listed(**query: str) -> list[list[str]]:
        page = await (await client.get("/d/bao-cao", params={"ky": "2026", **query}, headers=session)).text()
        body = page[page.index("<tbody>"):page.index("</tbody>")]
        return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]

    everything = await listed()
    label = app.plan.form("ngay_hoi").label.vi
    ngay_hoi = await listed(**{"hoat-dong": "ngay_hoi"})
    assert ngay_hoi and len(ngay_hoi) < len(everything) and {r[1] for r in ngay_hoi} == {label}
    async with app.db.transaction() as repos:
        name = (await repos.directory.unit(village_id)).name
        stored = [r for r in await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
                  if r.form_id == "ngay_hoi" and r.unit_id == village_id]
    both = await listed(**{"hoat-dong": "ngay_hoi", "don-vi": str(village_id)})
    assert {r[2] for r in both} == {name} and sorted(r[3] for r in both) == sorted(f"#{r.id}" for r in stored)
    quarter = await listed(ky="2026-Q1")
    assert quarter and all(datetime.strptime(r[0], "%d/%m/%Y").month <= 3 for r in quarter)
    empty = [[app.translator.for_language("vi")("dash.empty")]]
    assert await listed(**{"don-vi": "999999"}) == empty  # an id of no unit of this commune: nothing, no error
    assert len(await listed(**{"don-vi": "abc"})) == len(everything)  # not an id: no filter


async def test_reminders_broadcasts_and_the_zalo_budget_are_shown(site, clock):
    app, client, session, _recorder, _made = site
    now = clock()
    async with app.db.transaction() as repos:
        for n, status in enumerate(("sent", "sent", "sent", "skipped", "unreachable")):
            repos.session.add(ReminderOccurrence(key=f"rule|2026-Q4|p{n}|0", commune_id=1, status=status,
                                                 due_at=now - timedelta(days=n), claimed_at=now))
        repos.session.add(ReminderOccurrence(key="rule|2026-Q3|p9|0", commune_id=1, status="sent",
                                             due_at=datetime(2026, 8, 1, 8, tzinfo=now.tzinfo), claimed_at=now))
        chair = next(p for p in await repos.directory.people(1) if p.role == "chair")
        broadcast = await repos.broadcasts.add(Broadcast(commune_id=1, person_id=chair.id, text="Họp <b>thôn</b>",
                                                         recipients=4, created_at=now))
        for n, status in enumerate(("sent", "sent", "sent", "failed")):
            repos.session.add(Outbox(channel="zalo", chat_id=f"c{n}", payload={}, status=status, created_at=now,
                                     dedupe_key=f"{dedupe_prefix(broadcast.id)}{n}", next_attempt_at=now))
        await repos.usage.add("zalo", "bot", now.strftime("%Y-%m"), 1234)
    page = await (await client.get("/d/nhac-viec?ky=2026-Q4", headers=session)).text()
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    t = app.translator.for_language("vi")
    assert f"{t('dash.reminder.sent')} 3 " in text  # Q3's reminder is not this period's
    assert f"{t('dash.reminder.skipped')} 1 " in text and f"{t('dash.reminder.unreachable')} 1 " in text
    assert "Họp &lt;b&gt;thôn&lt;/b&gt;" in page  # the broadcast's text, escaped
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "Họp" in r)
    assert _cells(row)[2:] == ["4", "3", "1"]  # recipients, delivered, failed
    assert "1.234 / 3.000" in text or "1,234 / 3,000" in text or "1234 / 3000" in text
    assert 'value="1234"' in page and 'max="3000"' in page


async def test_an_indicator_with_no_value_yet_is_a_dash_in_every_column_not_zero_percent(site):
    app, client, session, _recorder, _made = site
    page = await (await client.get("/d/", headers=session)).text()
    rows = {rid: _cells(row) for rid, row in re.findall(r'<tr id="ind-([^"]+)">(.*?)</tr>', page, re.S)}
    chart = dict(re.findall(r'<text x="0" y="13" class="lbl">([^<]+)</text>.*?class="val">([^<]+)</text>', page,
                            re.S))
    empty = [rid for rid, cells in rows.items() if cells[2].startswith("—")]  # achieved: nothing to divide by yet
    assert empty and len(rows) == len(app.plan.indicators)
    for rid in empty:
        assert rows[rid][4] == "—" and chart[rid] == "—", (rid, rows[rid], chart[rid])
    assert all(rows[rid][4].endswith("%") for rid in rows if rid not in empty)


async def _reminder_counts(client, session) -> dict[str, str]:
    page = await (await client.get("/d/nhac-viec?ky=2026-Q1", headers=session)).text()
    return dict(re.findall(r'data-col="([a-z]+)">([^<]*)<', page))


async def test_a_reminder_counts_as_answered_once_reported_or_put_off(sqlite_url, clock):
    """The Q1 quarterly reminder reaches the village head on 9 March: sent, not answered; "nhắc lại sau" answers
    it; in another commune set-up, a report of the quarter answers it (the planner's own test of "done")."""
    nine_march = datetime(2026, 3, 9, 7, 30, tzinfo=clock().tzinfo)
    for answer in ("nhac lai sau", "a report"):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=clock().tzinfo))
        app = await make_app(sqlite_url.replace(".db", f"-{answer[0]}.db"), clock, public_base_url=BASE,
                             webhook_secret="secret-for-links-1")
        recorder = attach_recorder(app)
        try:
            reporter = ChatUser(app, recorder, "reporter", "Trưởng ban")
            await reporter.say("/trogiup")
            assert await remind(app, recorder, reporter, nine_march)
            async with TestClient(TestServer(app.web.app)) as client:
                link = link_in(await ChatUser(app, recorder, "chair", "Chủ tịch").say("/web")).removeprefix(BASE)
                opened = await client.post(link, allow_redirects=False)
                session = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"].value}
                before = await _reminder_counts(client, session)
                assert int(before["sent"]) >= 1 and before["answered"] == "0"
                if answer == "a report":
                    async with app.db.transaction() as repos:
                        unit = (await repos.directory.person_by_identity("console", "reporter")).unit_id
                        await repos.reports.add(Report(commune_id=1, unit_id=unit, person_id=4, form_id="tuyen_truyen",
                                                       activity_date=date(2026, 3, 5), answers={},
                                                       created_at=clock()))
                else:
                    await reporter.say(answer)
                after = await _reminder_counts(client, session)
                assert after["sent"] == before["sent"] and int(after["answered"]) >= 1, answer
        finally:
            await app.close()


async def test_no_page_shows_a_phone_number_or_a_chat_id(site):
    """People appear by name only: the directory's phone numbers and the platforms' chat ids never reach a page."""
    app, client, session, _recorder, made = site
    phones = {"chair": "0912345678", "staff": "0987654321", "reporter": "0903111222"}
    async with app.db.transaction() as repos:
        for person in await repos.directory.people(1):
            person.phone = phones.get(person.role, person.phone)
        query = select(Identity.external_id).where(Identity.channel != "console")  # Zalo/Telegram user ids
        chat_ids = list((await repos.session.execute(query)).scalars())
    assert ZALO_ID in chat_ids
    paths = ["/d/", "/d/don-vi", "/d/bao-cao", "/d/kien-nghi", "/d/nhac-viec", "/d/tai-ve",
             f"/d/bao-cao/{made['scripted'].id}", f"/d/bao-cao/{made['photo'].id}",
             f"/d/don-vi/{made['photo'].unit_id}"]
    for path in paths:
        page = await (await client.get(path, headers=session)).text()
        digits = re.sub(r"\D", "", re.sub(r"<[^>]+>", " ", page))
        for phone in phones.values():
            assert phone not in digits, (path, phone)
        for chat_id in chat_ids:
            assert chat_id not in page, (path, chat_id)


async def test_a_units_page_lists_its_reports_with_answers_and_photo_thumbnails(site):
    app, client, session, _recorder, made = site
    photo = made["photo"]
    page = await (await client.get(f"/d/don-vi/{photo.unit_id}?ky=2026-Q4", headers=session)).text()
    cards = re.findall(r'<article class="card">(.*?)</article>', page, re.S)
    async with app.db.transaction() as repos:
        stored = [r for r in await repos.reports.in_commune(1, date(2026, 10, 1), date(2026, 12, 31))
                  if r.unit_id == photo.unit_id]
    assert len(cards) == len(stored) >= 2  # the unit's reports of the quarter, each a card
    card = next(c for c in cards if f"/d/bao-cao/{photo.id}\"" in c)
    assert "<dt>" in card and "<dd>" in card  # its answers
    [thumb] = re.findall(r'<img src="(/files/[^"]+)"', card)
    image = await client.get(html.unescape(thumb))
    assert image.status == 200 and image.headers["Content-Type"] == "image/png"  # a signed link that works


async def test_error_pages_and_downloads_carry_the_security_headers_too(site):
    _app, client, session, _recorder, _made = site
    for path, status in (("/d/bao-cao/999999", 404), ("/d/?ky=2026-Q9", 400), ("/d/", 401),
                         ("/d/dang-nhap/forged-token", 404), ("/d/tai-ve/docx", 200)):
        headers = session if status != 401 else {}
        response = await client.get(path, headers=headers)
        assert response.status == status, path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
