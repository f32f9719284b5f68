"""Every message the bot sends on Zalo fits a phone screen: at most 300 characters (issue 15.7). The test walks
the flows over the fake Zalo server on a commune of 52 units (the demo's 12 and 40 villages with long names) and 15
group chats: help for each role, the report menu's every group and every form a village head and the commune's
staff file, start to receipt (one report with a long answer, whose check comes as the answers then the question), the
units' pages, /lich, /kiennghi, /cuatoi, /donvi, /nguoi, /chiso, /moi, /thongbao, /nhom, /kyhop, /web and
/tonghop — and measures each message the platform received.

One exception, on purpose: /tonghop's summary (the quarter's figures) is a report read as a whole, not a
conversation message; it is sent as one text (the channel splits it only at Zalo's 2000-character limit) because
cutting it into 300-character messages would spend several of the free plan's 3000 messages a month on each
summary. docs/zalo.md says so."""

from __future__ import annotations

import os
from pathlib import Path

from support.app import invite_code
from support.big_commune import add_groups, add_villages
from support.menus import number_of, page_showing
from support.zalo_harness import ZaloUser, running, zalo_app

from core.menus import MESSAGE_CHARS
from plan.schema import FieldKind, UnitKind

LONG_ANSWER = ("Thôn đã họp dân ở nhà văn hóa, thống nhất làm đường bê tông liên xóm dài 350 mét, mỗi hộ góp "
               "ngày công và 200.000 đồng, con em xa quê ủng hộ thêm xi măng; Ban Công tác Mặt trận cử người "
               "theo dõi, công khai thu chi hằng tháng ở nhà văn hóa và trên nhóm Zalo của thôn cho bà con "
               "cùng biết, cùng giám sát.")


def plain_answer(field) -> str:
    kind = field.kind
    if field.petitions:
        return "Sửa đường liên thôn\nLắp đèn đường"
    if kind is FieldKind.DATE:
        return "hôm qua"
    if kind in (FieldKind.CHOICE, FieldKind.UNIT):
        return "1"
    if kind is FieldKind.YESNO:
        return "có"
    if kind is FieldKind.NUMBER:
        return "500k" if field.means == "money" else str(max(field.min or 1, 1))
    if kind is FieldKind.PHOTO:
        return "bỏ qua"
    return "Nội dung thử" if field.required else "bỏ qua"


async def walk_every_form(user: ZaloUser, app, unit_kind: UnitKind, unit: str | None) -> None:
    forms = app.plan.forms_for(unit_kind)
    groups = [g for g in app.plan.form_groups if {f.id for f in forms} & set(g.forms)]
    for number in range(1, len(groups) + 1):  # the first level, then each group's own menu
        await user.say("bao cao")
        if unit is not None:
            await user.say(unit)
        await user.say(str(number))
        await user.say("/huy")
    for form in forms:
        await user.say("bao cao")
        if unit is not None:
            await user.say(unit)
        await user.say(form.label.vi)  # a form's name typed at the first level opens it
        for field in form.fields:
            await user.say(plain_answer(field))
        await user.say("1")  # send


async def walk_admin(staff: ZaloUser) -> None:
    units = (await staff.say("/donvi"))[0]
    await staff.say(number_of(units, "Xem các đơn vị"))
    for _ in range(8):  # every page of the 52 units, and round again
        await staff.say("0")
    await staff.say("thon khuoi luong tren xa nam cuong so 33")  # a unit's actions, picked by name
    await staff.say("/huy")
    menu = (await staff.say("/nguoi"))[0]
    await page_showing(staff.say, menu, "không thuộc đơn vị")
    await staff.say("/nguoi Thôn Nà Pài (mẫu)")
    await staff.say("1")  # a person: what can be done
    await staff.say("/huy")
    await staff.say("/chiso")
    await staff.say("Thôn Nà Pài (mẫu)")
    await staff.say("/huy")
    await staff.say("/moi")
    await staff.say("1")  # the units for a reporter's code
    await staff.say("/huy")
    audiences = (await staff.say("/thongbao Họp Ban Công tác Mặt trận các thôn lúc 8 giờ sáng thứ Hai"))[0]
    await staff.say(number_of(audiences, "một số đơn vị"))
    await staff.say("0")
    await staff.say("2, 3, 40")  # units of two pages, by their numbers
    await staff.say("/huy")
    groups = (await staff.say("/nhom"))[0]  # 15 group chats: a page at a time
    await staff.say(number_of(await page_showing(staff.say, groups, "Khuổi Luông Trên 12"), "Khuổi Luông Trên 12"))
    for command in ("3", "xong", "/kyhop", "/huy", "/web"):  # a group's broadcasts off, then the others
        await staff.say(command)


async def walk_petition_and_mine(user: ZaloUser, unit: str | None) -> None:
    for text in ("/kiennghi", "1", "1", *([unit] if unit else []), "Đường liên thôn hỏng nặng sau mưa lũ", "hôm qua",
                 "bỏ qua", "1"):
        await user.say(text)
    for text in ("/cuatoi", "1", "1", "1", "/huy", "/lich", "/lich 2"):
        await user.say(text)


async def report_with_a_long_answer(reporter: ZaloUser, app) -> list[str]:
    """A report whose text answer is long: the check is the answers (whole), then "Gửi báo cáo này?"."""
    form, long = next((f, x) for f in app.plan.forms_for(UnitKind.VILLAGE) for x in f.fields if x.kind is FieldKind.TEXT
                      and not x.means and not x.petitions and x.max_length > len(LONG_ANSWER))
    await reporter.say("bao cao")
    await reporter.say(form.label.vi)
    check: list[str] = []
    for field in form.fields:
        check = await reporter.say(LONG_ANSWER if field is long else plain_answer(field))
    await reporter.say("1")
    return check


def dump(sent: list[str]) -> None:
    """MTTQ_DUMP_MESSAGES=path writes every message walked, to read them as a user would."""
    path = os.environ.get("MTTQ_DUMP_MESSAGES")
    if path:
        Path(path).write_text("\n\n=====\n".join(f"[{len(text)}] {text}" for text in sent), encoding="utf-8")


async def test_no_message_on_zalo_is_longer_than_a_phone_screen(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    await add_villages(app)
    await add_groups(app)
    roles = (("reporter", "Thôn Nà Pài (mẫu)"), ("staff", "Ủy ban MTTQ Việt Nam xã"), ("chair", None),
             ("viewer", None))
    codes = {role: await invite_code(app, role, unit) for role, unit in roles}
    async with running(app, tmp_path):
        users = {role: ZaloUser(app, fake, f"zalo-{role}") for role in codes}
        for role, user in users.items():
            await user.say(f"/start {codes[role]}")
            await user.say("/trogiup")
        reporter, staff = users["reporter"], users["staff"]
        await walk_every_form(reporter, app, UnitKind.VILLAGE, None)
        await walk_every_form(staff, app, UnitKind.COMMUNE, "Ủy ban MTTQ Việt Nam xã")
        check = await report_with_a_long_answer(reporter, app)
        await walk_petition_and_mine(reporter, None)
        await walk_petition_and_mine(staff, "Thôn Nà Pài (mẫu)")
        await walk_admin(staff)
        summaries = [*await users["chair"].say("/tonghop"), *await users["viewer"].say("/tonghop")]
        await users["viewer"].say("/web")
    sent = [text for user in users.values() for text in fake.texts_to(user.chat_id)]
    dump(sent)
    too_long = [(len(text), text[:80]) for text in sent if len(text) > MESSAGE_CHARS and text not in summaries]
    assert len(sent) > 300 and not too_long, too_long
    forms = len(app.plan.forms_for(UnitKind.VILLAGE)) + len(app.plan.forms_for(UnitKind.COMMUNE))
    assert sum("Đã ghi báo cáo số" in text for text in sent) >= forms + 1  # every form was walked to its receipt
    assert LONG_ANSWER in " ".join(" ".join(check).split()) and check[-1].startswith("Gửi báo cáo này?")  # whole
    assert len(check) >= 3  # the answers in two messages (the long one cut between words), then the question
    assert any(len(text) > MESSAGE_CHARS for text in summaries)  # the exception is real: else drop it
    await app.close()
