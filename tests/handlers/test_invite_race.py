"""An invite is single-use under any concurrency: many people sending the same /start CODE at once."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from support.app import ChatUser, attach_recorder, invite_code, make_app

from handlers import invites
from storage.models import Identity, Invite

REDEEMERS = 40


async def test_forty_people_racing_for_one_invite_register_exactly_one(database_url, clock):
    app = await make_app(database_url, clock)
    try:
        recorder = attach_recorder(app)
        t = app.translator.for_language("vi")
        for round_number in range(3):  # PostgreSQL interleaves two batches differently each time
            code = await invite_code(app)
            users = [ChatUser(app, recorder, f"racer-{round_number}-{n}") for n in range(REDEEMERS)]
            await asyncio.gather(*(app.handle(user.inbound(f"/start {code}")) for user in users))
            await app.outbox.drain()
            answers = [recorder.texts_for(user.target) for user in users]
            welcomed = [a for a in answers if a and "Chào đồng chí" in a[0]]
            refused = [a for a in answers if a == [t("start.invite_used")]]
            assert (len(welcomed), len(refused)) == (1, REDEEMERS - 1), answers
            async with app.db.transaction() as repos:
                racers = (await repos.session.execute(
                    select(Identity).where(Identity.external_id.like(f"racer-{round_number}-%")))).scalars().all()
                invite = await repos.invites.by_hash(invites.code_hash(code))
            assert len(racers) == 1 and invite.used_by == racers[0].person_id
        async with app.db.transaction() as repos:
            used = (await repos.session.execute(select(Invite).where(Invite.used_at.is_not(None)))).scalars().all()
        assert len({row.used_by for row in used}) == len(used)  # no person holds two invites, no invite two people
    finally:
        await app.close()
