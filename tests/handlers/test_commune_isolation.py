"""Two communes in one deployment (issue 14.3), on SQLite and PostgreSQL: the people of commune A never see,
change, remind, broadcast to or download anything of commune B — on every command, through forged button
presses, in reminders and broadcasts, in the files and file links, and on the dashboard; and B's the same of A.

A is the demo commune (Nam Cường); B is Phúc Lộc (the same province, so a province viewer sees both) and C is
Minh Tân (Hà Giang). Each has people chatting on the console and reports, B's first with a photo and a note.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from support.app import VN, ChatUser, attach_recorder, make_app
from support.dashboard_data import link_in
from support.province_data import SECRET_NOTE, three_communes
from support.reminding import ticker_of

from handlers.commands import COMMANDS

BASE = "https://bot.example.org"
SECRET = "file-link-secret-isolation-0123456789"
A_MARKS = ("Nà Pài", "(mẫu)", "Nam Cường")  # what only commune A has
B_MARKS = ("Phúc Lộc", "Ông B", "Bà B", SECRET_NOTE, "0912")  # what only commune B has
NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s", re.MULTILINE)
SKIPPED = {"start", "huy", "ngonngu", "dangkynhom", "huynhom"}  # about the sender's own account or a group


@pytest.fixture
async def world(database_url, clock):
    app = await make_app(database_url, clock, public_base_url=BASE, file_link_secret=SECRET)
    same, other = await three_communes(app)
    recorder = attach_recorder(app)
    yield app, recorder, same, other
    await app.close()


def _leaks(texts: list[str], marks: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(mark, text[:200]) for text in texts for mark in marks if mark in text]


async def _explore(user: ChatUser, role: str) -> list[str]:
    """Every command the role may run, then each numbered option of its first menu: all the answers."""
    seen: list[str] = []
    for name, spec in COMMANDS.items():
        if name in SKIPPED or role not in spec.roles:
            continue
        first = await user.say(f"/{name}")
        seen += first
        if name == "tonghop":
            continue  # renders three files per call; its files are checked apart
        for number in NUMBERED.findall(first[-1] if first else "")[:12]:
            seen += await user.say(number)
            await user.say("/huy")
            seen += await user.say(f"/{name}")
    return seen


async def test_every_command_of_a_shows_nothing_of_b_and_b_nothing_of_a(world):
    app, recorder, *_ = world
    staff_a = ChatUser(app, recorder, "staff", "Cán bộ")
    chair_b = ChatUser(app, recorder, "b-chair", "Ông B chair")
    seen_a = await _explore(staff_a, "staff")
    seen_b = await _explore(chair_b, "chair")
    assert len(seen_a) > 60 and len(seen_b) > 40  # the walk went somewhere (B has fewer units to list)
    assert any("Nà Pài" in text for text in seen_a) and any("Phúc Lộc" in text for text in seen_b)
    assert not _leaks(seen_a, B_MARKS)
    assert not _leaks(seen_b, ("Nà Pài", "(mẫu)"))


async def _rows_of(app, commune_id: int) -> tuple:
    """Everything of a commune a chat action could change, as comparable values."""
    async with app.db.transaction() as repos:
        units = [(u.id, u.name, u.kind, u.active) for u in await repos.directory.units(commune_id, active_only=False)]
        people = [(p.id, p.name, p.role, p.unit_id, p.active) for p in await repos.directory.people(commune_id)]
        baselines = sorted((await repos.directory.all_baselines(commune_id)).items())
        reports = [tuple(map(str, row)) for row in await repos.reports.rows_in_commune(
            commune_id, datetime(2025, 1, 1).date(), datetime(2027, 12, 31).date())]
        petitions = [(p.id, p.status) for p in await repos.petitions.open_items(commune_id)]
    return units, people, baselines, reports, petitions


async def test_staff_of_a_cannot_change_anything_of_b(world):
    app, recorder, same, _other = world
    before = await _rows_of(app, same.id)
    staff = ChatUser(app, recorder, "staff", "Cán bộ")
    village = "Thôn 1 Phúc Lộc"
    for command in ("/donvi", "/nguoi", "/chiso"):  # naming B's unit
        replies = await staff.say(f"{command} {village}")
        assert not _leaks(replies, ("Ông B", "Bà B")), replies
        await staff.say("/huy")
    forged = [str(same.units[village]), str(same.people["b-chair"]), str(same.reports[0]), "b-chair"]
    for command in ("/donvi", "/nguoi", "/chiso", "/baocao", "/cuatoi", "/moi", "/thongbao Họp", "/kiennghi"):
        for value in forged:  # a Telegram button press carrying B's ids, at every menu the command shows
            await staff.say(command)
            replies = await staff.say(choice=value)
            assert not _leaks(replies, B_MARKS), (command, value, replies)
            await staff.say("/huy")
    assert await _rows_of(app, same.id) == before


async def test_reminders_of_each_commune_reach_only_its_people_and_name_only_its_units(world, clock):
    app, recorder, same, other = world
    users = {console_id: ChatUser(app, recorder, console_id) for console_id in
             ("reporter", "chair", "staff", *same.people, *other.people)}
    for user in users.values():
        await user.say("/trogiup")  # their private chats become known, as after any first message
    start = len(recorder.sent)
    moment = datetime(2026, 12, 1, 7, 30, tzinfo=VN)
    while moment < datetime(2026, 12, 16, tzinfo=VN):
        clock.set(moment)
        await ticker_of(app)(moment)
        await app.outbox.drain()
        moment += timedelta(hours=12)
    sent = recorder.sent[start:]
    texts = {cid: [r.text for chat, r in sent if chat == cid] for cid in users}
    a_ids, b_ids = ("reporter", "chair", "staff"), tuple(same.people)
    assert any(texts[cid] for cid in a_ids) and any(texts[cid] for cid in b_ids)  # both communes were reminded
    assert not _leaks([t for cid in a_ids for t in texts[cid]], B_MARKS)
    assert not _leaks([t for cid in b_ids for t in texts[cid]], A_MARKS)
    assert not _leaks([t for cid in other.people for t in texts[cid]], ("Nà Pài", "Phúc Lộc", "Nam Cường"))


async def test_a_broadcast_to_everyone_reaches_only_the_senders_commune(world):
    app, recorder, same, other = world
    outsiders = [ChatUser(app, recorder, cid) for cid in (*same.people, *other.people)]
    for user in outsiders:
        await user.say("/trogiup")
    reporter_a = ChatUser(app, recorder, "reporter")
    await reporter_a.say("/trogiup")
    chair = ChatUser(app, recorder, "chair")
    for text in ("/thongbao", "Họp toàn xã Nam Cường sáng thứ Hai", "6"):
        await chair.say(text)
    await chair.say("1")
    assert any("Họp toàn xã Nam Cường" in t for t in recorder.texts_for(reporter_a.target))
    for user in outsiders:
        assert not any("Họp toàn xã" in t for t in recorder.texts_for(user.target)), user.external_id
    async with app.db.transaction() as repos:
        assert await repos.broadcasts.latest(same.id) == [] and await repos.broadcasts.latest(other.id) == []


async def _content(app, file_id: int) -> bytes:
    async with app.db.transaction() as repos:
        return (await repos.files.get(file_id)).content


def _file_text(name: str, content: bytes) -> str:
    if name.endswith(".docx"):
        return zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content))
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    return ""


async def test_files_and_file_links_of_a_hold_and_open_nothing_of_b(world):
    app, recorder, same, _other = world
    staff = ChatUser(app, recorder, "staff", "Cán bộ")
    await staff.say("/tonghop")
    files = [r.document or r.photo for chat, r in recorder.sent if chat == staff.target and (r.document or r.photo)]
    assert {f.name.rsplit(".", 1)[1] for f in files} == {"docx", "xlsx", "png"}
    for out in files:
        text = _file_text(out.name, await _content(app, out.file_id))
        assert not _leaks([text], B_MARKS), out.name
    docx = next(f for f in files if f.name.endswith(".docx"))
    async with TestClient(TestServer(app.web.app)) as client:
        path = app.web.file_url(docx.file_id, docx.name, ttl=timedelta(hours=1)).removeprefix(BASE)
        assert (await client.get(path)).status == 200
        _number, expiry, signature = path.split("/")[2].split(".")
        for b_file in (same.photo_file, docx.file_id + 1, docx.file_id - 1):  # B's photo, the files around
            response = await client.get(f"/files/{b_file}.{expiry}.{signature}/{docx.name}")
            assert response.status == 404, b_file


async def test_the_dashboard_of_a_answers_404_for_every_id_of_b(world):
    app, recorder, same, _other = world
    staff = ChatUser(app, recorder, "staff", "Cán bộ")
    login = link_in(await staff.say("/web")).removeprefix(BASE)
    async with TestClient(TestServer(app.web.app)) as client:
        opened = await client.post(login, allow_redirects=False)
        assert opened.status == 303
        session = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"].value}  # Secure: sent by hand
        overview = await (await client.get("/d/", headers=session)).text()
        assert "Nam Cường" in overview and not _leaks([overview], B_MARKS)
        for path in (f"/d/bao-cao/{same.reports[0]}", f"/d/don-vi/{same.units['Thôn 1 Phúc Lộc']}",
                     f"/d/?xa={same.id}", f"/d/bao-cao?xa={same.id}", f"/d/tai-ve/docx?xa={same.id}"):
            response = await client.get(path, headers=session)
            assert response.status == 404, path
            assert not _leaks([await response.text()], B_MARKS), path



async def test_an_invite_made_in_b_registers_into_b_and_shows_b_units_only(world):
    app, recorder, same, _other = world
    chair_b = ChatUser(app, recorder, "b-chair", "Ông B chair")
    roles = (await chair_b.say("/moi"))[0]
    units = (await chair_b.say(next(n for n, label in re.findall(r"^(\d+)\. (.+)$", roles, re.M)
                                    if "báo cáo" in label.lower())))[0]
    assert "Thôn 1 Phúc Lộc" in units and not _leaks([units], ("Nà Pài", "(mẫu)"))
    code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", "\n".join(await chair_b.say("2"))).group(0)
    newcomer = ChatUser(app, recorder, "newcomer", "Người mới")
    welcome = (await newcomer.say(f"/start {code}"))[0]
    assert "Trưởng ban Công tác Mặt trận thôn 1 Phúc Lộc" in welcome
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "newcomer")
    assert person.commune_id == same.id and person.unit_id == same.units["Thôn 1 Phúc Lộc"]
    listing = await newcomer.say("/baocao")
    assert not _leaks(listing, ("Nà Pài", "(mẫu)"))


async def test_the_quarter_end_summary_of_each_commune_goes_to_its_own_chair_only(world, clock):
    from summaries.auto import QuarterlySummaryTicker

    app, recorder, _same, _other = world
    chairs = {"A": ChatUser(app, recorder, "chair"), "B": ChatUser(app, recorder, "b-chair")}
    for user in chairs.values():
        await user.say("/trogiup")
    start = len(recorder.sent)
    moment = datetime(2026, 12, 16, 8, 0, tzinfo=VN)  # the first working day after Quý IV's cut-off (15/12)
    clock.set(moment)
    ticker = next(t for t in app.tickers if isinstance(t, QuarterlySummaryTicker))
    assert await ticker(moment) >= 2
    await app.outbox.drain()
    got = {name: [r for chat, r in recorder.sent[start:] if chat == user.target] for name, user in chairs.items()}
    # B uses the shipped plan until it loads its own, and the plan's reference names "Đảng ủy xã Nam Cường": so in
    # B's files the commune's name may appear as the plan's text; A's units and people never.
    for name, mine, theirs in (("A", "Nam Cường", B_MARKS), ("B", "Phúc Lộc", ("Nà Pài", "(mẫu)"))):
        texts = [r.text for r in got[name]]
        assert any(mine in text for text in texts), (name, texts[:1])
        assert not _leaks(texts, theirs), name
        for reply in got[name]:
            out = reply.document or reply.photo
            if out is not None:
                assert not _leaks([_file_text(out.name, await _content(app, out.file_id))], theirs), out.name


async def test_a_group_registered_by_a_cannot_be_taken_over_or_cancelled_by_b(world):
    app, recorder, same, _other = world
    t = app.translator.for_language("vi")
    chair_a = ChatUser(app, recorder, "chair", chat_kind="group", chat_id="g-shared")
    chair_b = ChatUser(app, recorder, "b-chair", chat_kind="group", chat_id="g-shared")
    assert "Nam Cường" in (await chair_a.say("/dangkynhom"))[0]
    await ChatUser(app, recorder, "b-reporter-1", chat_kind="group", chat_id="g-shared").say("/trogiup")  # B speaks
    for command in ("/dangkynhom", "/huynhom"):
        assert await chair_b.say(command) == [t("group_reg.other_commune")], command
    async with app.db.transaction() as repos:
        chat = await repos.chats.get("console", "g-shared")
        assert chat.registered and chat.commune_id != same.id
    assert await chair_a.say("/huynhom") == [t("group_reg.unregistered")]
    assert "Phúc Lộc" in (await chair_b.say("/dangkynhom"))[0]  # no longer anyone's: B may register it
    async with app.db.transaction() as repos:
        assert (await repos.chats.get("console", "g-shared")).commune_id == same.id
