"""A province viewer: registered with a `--role province` invite, /tonghop shows the communes of their province
side by side (numbered text, then a DOCX and an XLSX), the same numbers as each commune's own /tonghop, and
nothing of a commune but its name, its units' names and numbers."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from support.app import ChatUser, attach_recorder
from support.demo_db import demo_app
from support.menus import pick
from support.province_data import PROVINCE, SECRET_NOTE, province_invite, three_communes

from summaries.compile import compile_summary
from summaries.load import load_snapshot
from summaries.text_util import fmt_value


@pytest.fixture
async def app(tmp_path, clock):
    app = await demo_app(tmp_path, clock)
    yield app
    await app.close()


async def _province_viewer(app, recorder) -> ChatUser:
    viewer = ChatUser(app, recorder, "tinh-tn", "Ban Thường trực tỉnh")
    replies = await viewer.say(f"/start {await province_invite(app)}")
    assert "theo dõi cấp tỉnh" in replies[0], replies
    return viewer


def _documents(recorder, chat_id: str):
    return [reply.document for chat, reply in recorder.sent if chat == chat_id and reply.document is not None]


async def _file(app, file_out) -> bytes:
    async with app.db.transaction() as repos:
        return (await repos.files.get(file_out.file_id)).content


async def test_province_viewer_sees_the_communes_of_their_province_side_by_side(app, clock):
    recorder = attach_recorder(app)
    await three_communes(app)
    viewer = await _province_viewer(app, recorder)
    replies = await viewer.say("/tonghop")
    assert replies[0].startswith("⏳") and "2 xã thuộc Thái Nguyên" in replies[0]
    text = replies[1]
    assert "1. Nam Cường:" in text and "2. Phúc Lộc:" in text and "Minh Tân" not in text
    assert "Phúc Lộc: 2 báo cáo; 2/4 đơn vị chưa báo cáo" in text  # the committee and a village are silent
    assert SECRET_NOTE not in text and "Bà B" not in text and "Ông B" not in text
    docx_out, xlsx_out = _documents(recorder, viewer.target)
    assert docx_out.name.endswith(".docx") and xlsx_out.name == "tong-hop-tinh-2026-Q4-thai-nguyen.xlsx"

    # The XLSX carries each commune's own /tonghop numbers, one row per commune.
    book = load_workbook(io.BytesIO(await _file(app, xlsx_out)))
    rows = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Nam Cường", "Phúc Lộc"}
    async with app.db.transaction() as repos:
        communes = {c.name: c.id for c in await repos.directory.communes()}
        own = {name: compile_summary(app.plan, await load_snapshot(repos, communes[name], app.plan.year),
                                     _q4(), clock(), app.settings.tz) for name in rows}
    for name, summary in own.items():
        assert rows[name][1] == len(summary.activities)
        assert rows[name][3] == len(summary.silent_units)
        values = [None if r.year_to_date.value is None else round(r.year_to_date.value, 2) for r in summary.indicators]
        assert list(rows[name][5:5 + len(values)]) == values
    silent = [row for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert ("Phúc Lộc", "Thôn 3 Phúc Lộc") in silent

    # The DOCX: a table with both communes and the same percentages; no person, no answer text.
    document = zipfile.ZipFile(io.BytesIO(await _file(app, docx_out))).read("word/document.xml").decode()
    assert "Nam Cường" in document and "Phúc Lộc" in document and "Minh Tân" not in document
    first = own["Phúc Lộc"].indicators[0]
    assert fmt_value(first.year_to_date.value, first.measure) in document
    for private in (SECRET_NOTE, "Bà B báo cáo", "Ông B chair", "0912"):
        assert private not in document


def _q4():
    from plan.periods import Period

    return Period.quarter(2026, 4)


async def test_province_viewer_picks_a_period_and_reads_only(app):
    recorder = attach_recorder(app)
    await three_communes(app)
    viewer = await _province_viewer(app, recorder)
    replies = await viewer.say("/tonghop 6 tháng")
    assert "6 tháng đầu năm 2026" in replies[1]
    t = app.translator.for_language("vi")
    for command in ("/baocao", "/thongbao", "/moi", "/kyhop", "/lich", "/kiennghi", "/cuatoi"):
        assert await viewer.say(command) == [t("err.not_allowed")], command
    assert "/tonghop" in (await viewer.say("/trogiup"))[0]
    assert await viewer.say("hôm qua thôn tổ chức ngày hội có 150 người") == [t("hint.province")]  # no report
    assert "tong-hop-tinh" in _documents(recorder, viewer.target)[-1].name


async def test_a_province_viewer_is_nobody_of_the_commune_they_hang_on(app):
    """Not in a broadcast to everyone of the anchor commune, not on its invite sheet, not in its directory file."""
    recorder = attach_recorder(app)
    await three_communes(app)
    viewer = await _province_viewer(app, recorder)
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", viewer.external_id)
        everyone = await repos.addresses.people(person.commune_id)
        pending = await repos.directory.people_without_identity(person.commune_id)
        commune = await repos.directory.commune(person.commune_id)
    assert commune.province == PROVINCE
    assert person.id not in {entry.person.id for entry in everyone}
    assert person.id not in {p.id for p in pending}


async def test_staff_of_the_anchor_commune_cannot_reach_the_province_viewer_in_nguoi(app):
    recorder = attach_recorder(app)
    await _province_viewer(app, recorder)
    staff = ChatUser(app, recorder, "staff", "Cán bộ")
    people = (await pick(staff.say, (await staff.say("/nguoi"))[0], "không thuộc đơn vị"))[0]
    assert "Quản trị viên (mẫu)" in people and "Ban Thường trực tỉnh" not in people


async def test_each_commune_is_compiled_with_its_own_plan(app):
    """Phúc Lộc loaded a plan without indicator 1.5.2 and with 1.1.1's target lowered: its row follows it."""
    recorder = attach_recorder(app)
    same, _other = await three_communes(app)
    base = app.plans.default
    indicators = tuple(i for i in base.indicators if i.id != "1.5.2")
    indicators = tuple(i.model_copy(update={"target": 50.0}) if i.id == "1.1.1" else i for i in indicators)
    app.plans.replace({(same.id, base.year): base.model_copy(update={"indicators": indicators})})
    viewer = await _province_viewer(app, recorder)
    await viewer.say("/tonghop")
    xlsx_out = _documents(recorder, viewer.target)[-1]
    sheet = load_workbook(io.BytesIO(await _file(app, xlsx_out))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    last = next(i for i, title in enumerate(header) if str(title).startswith("1.5.2 "))
    assert rows["Phúc Lộc"][last] is None  # not in its plan
    first = next(i for i, title in enumerate(header) if str(title).startswith("1.1.1 "))
    assert rows["Phúc Lộc"][first] == pytest.approx(66.67) and rows["Phúc Lộc"][4] == 1  # 66,7 % ≥ 50 %: reached


async def test_with_a_render_worker_it_reads_compiles_and_renders_the_province_itself(tmp_path, clock):
    """The bot's process neither reads the communes' years nor renders the files: the worker does all of it."""
    app = await demo_app(tmp_path, clock, render_processes=1, render_timeout_seconds=120)
    try:
        recorder = attach_recorder(app)
        await three_communes(app)
        viewer = await _province_viewer(app, recorder)
        ran, pool = [], app.render_jobs.pool
        real_run = pool.run

        async def watched_run(fn, *args):
            ran.append(fn.__name__)
            return await real_run(fn, *args)

        pool.run = watched_run
        replies = await viewer.say("/tonghop")
        assert ran == ["province_in_worker"]
        assert "1. Nam Cường:" in replies[1] and "Phúc Lộc: 2 báo cáo; 2/4 đơn vị chưa báo cáo" in replies[1]
        docx_out, xlsx_out = _documents(recorder, viewer.target)
        assert xlsx_out.name == "tong-hop-tinh-2026-Q4-thai-nguyen.xlsx"
        book = load_workbook(io.BytesIO(await _file(app, xlsx_out)))
        assert {row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)} >= {"Nam Cường",
                                                                                                  "Phúc Lộc"}
        assert zipfile.ZipFile(io.BytesIO(await _file(app, docx_out))).read("word/document.xml")
    finally:
        await app.close()
