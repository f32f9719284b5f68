"""Chat administration of the directory (/donvi, /nguoi, /chiso) through the console path, as a user types it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support.app import ChatUser, attach_recorder, make_app
from support.menus import number_of, page_showing, pick

from storage.models import AuditLog, Commune, Person, Report, Unit

NA_PAI = "Thôn Nà Pài (mẫu)"


@pytest.fixture
async def app(database_url, clock):  # SQLite and PostgreSQL
    app = await make_app(database_url, clock)
    yield app
    await app.close()


@pytest.fixture
def users(app):
    recorder = attach_recorder(app)
    return {who: ChatUser(app, recorder, who) for who in ("admin", "chair", "staff", "reporter", "viewer")}


async def rows(app, model, **where):
    async with app.db.transaction() as repos:
        return list((await repos.session.execute(select(model).filter_by(**where).order_by(model.id))).scalars())


async def test_a_reporter_is_refused_every_admin_command_and_nothing_changes(app, users):
    t = app.translator.for_language("vi")
    for command in ("/donvi", "/nguoi", "/chiso", "/donvi Thôn Nà Pài (mẫu)"):
        assert await users["reporter"].say(command) == [t("err.not_allowed")]
    assert await rows(app, AuditLog) == []


async def test_units_are_added_renamed_deactivated_and_reactivated_with_an_audit_trail(app, users):
    staff = users["staff"]
    listing = (await staff.say("/donvi"))[0]  # 12 units do not fit above the actions: they are a menu of their own
    assert NA_PAI not in listing and "Thêm đơn vị" in listing and len(listing) <= 300
    units = (await pick(staff.say, listing, "Xem các đơn vị"))[0]
    assert NA_PAI in units and "0. ➡️ Xem tiếp (trang 2/" in units and len(units) <= 300
    assert "Đổi tên" in (await pick(staff.say, units, NA_PAI))[0]  # a unit picked: what can be done with it
    listing = (await staff.say("/donvi"))[0]
    kinds = (await pick(staff.say, listing, "Thêm đơn vị"))[0]
    assert "Tên" not in kinds
    assert (await pick(staff.say, kinds, "thôn, khu dân cư"))[0].startswith("Gõ tên đơn vị")
    assert "đã có đơn vị" in (await staff.say("thôn nà pài (mẫu)"))[0]  # another unit's name, any case
    assert (await staff.say("Thôn Bản Mới"))[0].startswith("Đã thêm đơn vị: Thôn Bản Mới")
    [unit] = await rows(app, Unit, name="Thôn Bản Mới")
    assert (unit.kind, unit.active, unit.code) == ("village", True, None)

    menu = (await staff.say("/donvi Thôn Bản Mới"))[0]
    await staff.say(number_of(menu, "Đổi tên"))
    assert "Thôn Bản Mới Hai" in (await staff.say("Thôn Bản Mới Hai"))[0]
    menu = (await staff.say("/donvi"))[0]
    units = (await pick(staff.say, menu, "Ngừng hoạt động"))[0]
    confirm = (await pick(staff.say, units, "Thôn Bản Mới Hai"))[0]  # the 13th unit: on the menu's second page
    assert "còn 0 người" in confirm
    assert "Đã ngừng hoạt động" in (await staff.say("có"))[0]
    menu = (await staff.say("/donvi"))[0]
    units = await page_showing(staff.say, (await pick(staff.say, menu, "Xem các đơn vị"))[0], "Thôn Bản Mới Hai")
    assert "Thôn Bản Mới Hai — ngừng hoạt động" in units
    menu = (await staff.say("/donvi"))[0]
    units = (await pick(staff.say, menu, "Cho hoạt động lại"))[0]
    assert "hoạt động lại" in (await pick(staff.say, units, "Thôn Bản Mới Hai"))[0]
    [unit] = await rows(app, Unit, id=unit.id)
    assert (unit.name, unit.active) == ("Thôn Bản Mới Hai", True)
    actions = [(a.action, a.after) for a in await rows(app, AuditLog, entity="unit", entity_id=unit.id)]
    assert actions == [("create", {"name": "Thôn Bản Mới", "kind": "village"}),
                       ("edit", {"name": "Thôn Bản Mới Hai"}), ("deactivate", {"active": False}),
                       ("activate", {"active": True})]


async def test_a_unit_of_another_commune_is_refused_by_name(app, users):
    async with app.db.transaction() as repos:
        other = await repos.directory.add(Commune(name="Xã Khác", province="Tỉnh Khác"))
        await repos.directory.add(Unit(commune_id=other.id, name="Thôn Bên Kia", kind="village"))
    t = app.translator.for_language("vi")
    refusal = t("admin.unit_other_commune", name="Thôn Bên Kia")
    for command in ("/donvi", "/nguoi", "/chiso"):
        assert await users["staff"].say(f"{command} Thôn Bên Kia") == [refusal]
    assert await users["staff"].say("/nguoi THÔN BÊN KIA") == [t("admin.unit_other_commune", name="THÔN BÊN KIA")]
    assert await users["staff"].say("/chiso Thôn Không Có") == [t("admin.unit_unknown", name="Thôn Không Có")]
    # a forged button press with the other commune's unit id, at each unit menu: refused, nothing shown or changed
    [theirs] = await rows(app, Unit, name="Thôn Bên Kia")
    for opening in (["/chiso"], ["/nguoi"], ["/donvi", "2"], ["/donvi", "3"]):
        for text in opening:
            await users["staff"].say(text)
        answer = await users["staff"].say(choice=str(theirs.id))
        assert answer[0].startswith("Chưa rõ đồng chí chọn mục nào"), answer
        await users["staff"].say("/huy")
    assert await rows(app, AuditLog) == []
    [theirs_now] = await rows(app, Unit, id=theirs.id)
    assert (theirs_now.name, theirs_now.active) == ("Thôn Bên Kia", True)


async def test_a_deactivated_reporter_is_unregistered_at_once_and_their_reports_stay(app, users, clock):
    recorder_reports = len(await rows(app, Report))
    staff, reporter = users["staff"], users["reporter"]
    people = (await staff.say(f"/nguoi {NA_PAI}"))[0]
    actions = (await pick(staff.say, people, "Trưởng ban"))[0]
    confirm = (await pick(staff.say, actions, "Ngừng hoạt động"))[0]
    assert "thôi dùng được ngay" in confirm
    assert "Đã ngừng hoạt động" in (await staff.say("1"))[0]
    t = app.translator.for_language("vi")
    assert await reporter.say("/baocao") == [t("start.unregistered")]
    assert len(await rows(app, Report)) == recorder_reports
    [person] = await rows(app, Person, role="reporter")
    assert person.active is False
    # the new head of the village: an invite for the same unit (/moi), history stays with the unit
    people = (await staff.say(f"/nguoi {NA_PAI}"))[0]
    assert "ngừng hoạt động" in people


async def test_a_new_invite_registers_its_user_as_the_same_person(app, users):
    staff = users["staff"]
    people = (await staff.say(f"/nguoi {NA_PAI}"))[0]
    actions = (await pick(staff.say, people, "Trưởng ban"))[0]
    answer = (await pick(staff.say, actions, "Cấp mã mời mới"))[0]
    code = re.search(r": (\S+)\n", answer).group(1)
    new_phone = ChatUser(app, staff.sender, "new-zalo-account")
    assert "Trưởng ban" in (await new_phone.say(f"/start {code}"))[0]
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "new-zalo-account")
    assert person.role == "reporter" and person.name.startswith("Trưởng ban")


async def test_role_changes_and_moves_with_their_refusals(app, users):
    admin, staff = users["admin"], users["staff"]
    t = app.translator.for_language("vi")
    # the only administrator may neither deactivate nor demote themselves
    people = (await admin.say("/nguoi"))[0]
    own = (await pick(admin.say, people, "Cấp xã"))[0]
    actions = (await admin.say(number_of(own, "Quản trị viên (mẫu)")))[0]
    assert await admin.say(number_of(actions, "Ngừng hoạt động")) == [
        t("people.refused.last_admin", name="Quản trị viên (mẫu)")]
    # staff may not touch an administrator
    people = (await staff.say("/nguoi"))[0]
    own = (await pick(staff.say, people, "Cấp xã"))[0]
    actions = (await staff.say(number_of(own, "Quản trị viên (mẫu)")))[0]
    roles = (await pick(staff.say, actions, "Đổi vai trò"))[0]
    admin_name = "Quản trị viên (mẫu)"
    assert await staff.say(number_of(roles, "Người theo dõi")) == [t("people.refused.admin_only", name=admin_name)]
    # a viewer without a unit cannot become a reporter; moved to a village first, it can
    actions = (await pick(staff.say, (await staff.say("/nguoi"))[0], "Cấp xã"))[0]
    actions = (await pick(staff.say, actions, "Thường trực"))[0]
    roles = (await pick(staff.say, actions, "Đổi vai trò"))[0]
    assert "Quản trị" not in roles  # only an administrator grants that role
    name = "Thường trực Đảng ủy (mẫu)"
    assert await staff.say(number_of(roles, "Người báo cáo")) == [t("people.refused.reporter_needs_unit", name=name)]
    actions = (await pick(staff.say, (await staff.say("/nguoi"))[0], "Cấp xã"))[0]
    actions = (await pick(staff.say, actions, "Thường trực"))[0]
    units = (await pick(staff.say, actions, "Chuyển sang"))[0]
    assert "Đã chuyển" in (await pick(staff.say, units, "Thôn Bản Quân"))[0]
    actions = (await pick(staff.say, (await staff.say("/nguoi Thôn Bản Quân (mẫu)"))[0], "Thường trực"))[0]
    roles = (await pick(staff.say, actions, "Đổi vai trò"))[0]
    assert "Đã đổi vai trò" in (await pick(staff.say, roles, "Người báo cáo"))[0]
    [viewer] = await rows(app, Person, name=name)
    assert viewer.role == "reporter"
    assert [a.after for a in await rows(app, AuditLog, entity="person", entity_id=viewer.id)] == [
        {"unit_id": viewer.unit_id}, {"role": "reporter"}]
    # nor demote themselves
    actions = (await pick(admin.say, (await admin.say("/nguoi"))[0], "Cấp xã"))[0]
    roles = (await admin.say(number_of(actions, "Quản trị viên (mẫu)")))[0]
    roles = (await pick(admin.say, roles, "Đổi vai trò"))[0]
    assert await admin.say(number_of(roles, "Cán bộ Ủy ban")) == [t("people.refused.last_admin", name=admin_name)]


async def test_a_units_figures_are_shown_and_corrected(app, users):
    staff = users["staff"]
    figures = (await staff.say(f"/chiso {NA_PAI}"))[0]
    assert "Chỉ số năm 2026 của Thôn Nà Pài (mẫu)" in figures and "Số hộ nghèo" in figures
    ask = (await pick(staff.say, figures, "Số hộ nghèo"))[0]
    assert ask.startswith("Nhập Số hộ nghèo năm 2026")
    wrong = await staff.say("-5")
    assert "Nhập Số hộ nghèo" in wrong[0]  # the same question again, with what was wrong
    saved = await staff.say("37")
    assert saved[0] == "Đã lưu: Số hộ nghèo = 37." and "Số hộ nghèo: 37" in saved[1]
    assert (await staff.say("xong"))[0].startswith("Đã xong")
    async with app.db.transaction() as repos:
        unit = await repos.directory.unit_by_name(1, NA_PAI)
        assert (await repos.directory_admin.unit_baselines(unit.id, 2026))["poor_households"] == 37
    [entry] = await rows(app, AuditLog, entity="baseline")
    assert entry.after == {"year": 2026, "poor_households": 37}


async def test_next_years_figures_are_entered_in_december(app, users):
    staff = users["staff"]
    figures = (await staff.say(f"/chiso {NA_PAI} năm 2027"))[0]
    assert "Chỉ số năm 2027 của Thôn Nà Pài (mẫu)" in figures and "Số hộ nghèo: —" in figures
    await staff.say(number_of(figures, "Số hộ nghèo"))
    assert (await staff.say("12"))[0] == "Đã lưu: Số hộ nghèo = 12."
    async with app.db.transaction() as repos:
        unit = await repos.directory.unit_by_name(1, NA_PAI)
        assert (await repos.directory_admin.unit_baselines(unit.id, 2027)) == {"poor_households": 12}
        assert (await repos.directory_admin.unit_baselines(unit.id, 2026))["poor_households"] != 12
