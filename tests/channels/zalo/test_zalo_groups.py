"""Groups on Zalo: a chair mentions the bot with /dangkynhom; others are refused; strangers are not answered."""

from __future__ import annotations

from support.fake_zalo import text_update
from support.zalo_harness import ZaloUser, running, wait_until, zalo_app

from handlers.invites import create_invite

GROUP, CHAIR, REPORTER, STRANGER = "9aa1b2c3d4e5f6a7b8c9", "c0000000000000000001", "r0000000000000000001", "s1"


async def register(app, fake, external_id: str, role: str) -> None:
    async with app.db.transaction() as repos:
        unit = (await repos.directory.units(1))[1]
        code = await create_invite(repos, commune_id=1, role=role, unit_id=unit.id, now=app.clock(),
                                   ttl=app.pipeline.settings.invite_ttl)
    await ZaloUser(app, fake, external_id).say(f"/start {code}")


async def in_group(app, fake, sender: str, text: str) -> list[str]:
    """Say something in the group as `sender`, mentioning the bot as Zalo requires; the bot's answers."""
    seen = len(fake.texts_to(GROUP))
    before = await _group_rows(app)
    fake.push(text_update(GROUP, f"@MTTQ Nam Cường {text}", sender_id=sender, chat_type="GROUP"))
    await wait_until(lambda: fake.pending == 0)
    if sender == STRANGER:
        return []
    await wait_until(lambda: _group_rows_sent(app, before))
    return fake.texts_to(GROUP)[seen:]


async def _group_rows(app) -> int:
    async with app.db.transaction() as repos:
        return len(await repos.outbox.for_chat("zalo", GROUP))


async def _group_rows_sent(app, before: int) -> bool:
    async with app.db.transaction() as repos:
        rows = await repos.outbox.for_chat("zalo", GROUP)
    return len(rows) > before and all(row.status == "sent" for row in rows)


async def registered(app) -> tuple[bool, int | None]:
    async with app.db.transaction() as repos:
        chat = await repos.chats.get("zalo", GROUP)
    return chat.registered, chat.commune_id


async def test_group_registration_by_chair_only(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await register(app, fake, CHAIR, "chair")
        await register(app, fake, REPORTER, "reporter")
        refused = await in_group(app, fake, REPORTER, "/dangkynhom")
        assert "Chỉ Quản trị viên hoặc Chủ tịch" in refused[0]
        await in_group(app, fake, STRANGER, "bao cao")  # not answered, never starts a report
        answer = await in_group(app, fake, CHAIR, "dang ky nhom")
        assert len(answer) == 1 and "Đã đăng ký nhóm" in answer[0]
        assert await registered(app) == (True, 1)
        in_private = await ZaloUser(app, fake, CHAIR).say("/dangkynhom")
        assert "dùng trong nhóm" in in_private[0]
        assert "Đã hủy đăng ký nhóm" in (await in_group(app, fake, CHAIR, "/huynhom"))[0]
        assert (await registered(app))[0] is False
    async with app.db.transaction() as repos:
        assert await repos.conversations.get("zalo", GROUP, STRANGER) is None
        assert await repos.directory.person_by_identity("zalo", STRANGER) is None
    await app.close()
