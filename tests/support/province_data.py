"""Several communes in one database: the demo commune (Nam Cường, Thái Nguyên), a second commune of the same
province (Phúc Lộc) and one of another province (Minh Tân, Hà Giang), each with units, baselines, people who
chat on the console and reports; and a province viewer registered through a `--role province` invite."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.app import App
from handlers.invites import create_invite
from plan.schema import Plan
from storage.models import Commune, Identity, Person, Unit
from storage.repositories import Repositories
from support.dashboard_data import add_report, tiny_png

PROVINCE = "Thái Nguyên"
SECRET_NOTE = "Ghi chú riêng của xã B: ông Nguyễn Văn Bí mật, 0912 345 678"  # never shown outside commune B


@dataclass
class Commune2:
    """One extra commune as the tests address it: ids, and the console ids of its people."""

    id: int
    name: str
    province: str
    units: dict[str, int] = field(default_factory=dict)  # name -> id
    people: dict[str, int] = field(default_factory=dict)  # console id -> person id
    reports: list[int] = field(default_factory=list)
    photo_file: int | None = None


async def add_commune(repos: Repositories, plan: Plan, now: datetime, *, name: str, province: str, prefix: str,
                      villages: int = 3) -> Commune2:
    """A commune with a committee unit, `villages` villages (with baselines), a chair, staff, a reporter per
    village (console ids `{prefix}-chair`, `{prefix}-staff`, `{prefix}-reporter-N`) and one report per village
    (the first with a photo and a private note)."""
    commune = await repos.directory.add(Commune(name=name, province=province))
    made = Commune2(commune.id, name, province)
    committee = await repos.directory.add(Unit(commune_id=commune.id, name=f"Ủy ban MTTQ {name}", kind="commune"))
    made.units[committee.name] = committee.id
    for role in ("chair", "staff"):
        await _person(repos, made, f"{prefix}-{role}", f"Ông {prefix.upper()} {role}", role, committee.id, now)
    rng = random.Random(commune.id)
    for number in range(1, villages + 1):
        village = await repos.directory.add(Unit(commune_id=commune.id, name=f"Thôn {number} {name}",
                                                 kind="village"))
        made.units[village.name] = village.id
        for key, value in (("households", 100), ("poor_households", 10), ("near_poor_households", 5)):
            await repos.directory.set_baseline(village.id, plan.year, key, value)
        reporter = await _person(repos, made, f"{prefix}-reporter-{number}", f"Bà {prefix.upper()} báo cáo {number}",
                                 "reporter", village.id, now)
        if number < villages:  # the last village stays silent
            first = number == 1
            report = await add_report(repos, plan, "ngay_hoi", village, reporter, date(plan.year, 10, 1 + number),
                                      now, rng, photo=tiny_png() if first else None,
                                      note=SECRET_NOTE if first else "")
            made.reports.append(report.id)
            if first:
                made.photo_file = report.answers.get("anh")
    return made


async def _person(repos: Repositories, made: Commune2, console_id: str, name: str, role: str, unit_id: int | None,
                  now: datetime) -> int:
    person = await repos.directory.add(Person(commune_id=made.id, unit_id=unit_id, name=name, role=role,
                                              created_at=now))
    await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=console_id))
    made.people[console_id] = person.id
    return person.id


async def three_communes(app: App) -> tuple[Commune2, Commune2]:
    """Phúc Lộc (same province as the demo commune) and Minh Tân (Hà Giang), added to the demo database."""
    async with app.db.transaction() as repos:
        same = await add_commune(repos, app.plan, app.clock(), name="Phúc Lộc", province=PROVINCE, prefix="b")
        other = await add_commune(repos, app.plan, app.clock(), name="Minh Tân", province="Hà Giang", prefix="c")
    return same, other


async def province_invite(app: App, province: str = PROVINCE) -> str:
    """An invite for a province viewer, anchored as the CLI anchors it (the province's first commune)."""
    from bot.communes import pick_province

    async with app.db.transaction() as repos:
        choice = await pick_province(repos, province)
        return await create_invite(repos, commune_id=choice.commune.id, role="province", unit_id=None,
                                   now=app.clock(), ttl=app.pipeline.settings.invite_ttl,
                                   person_name=f"Ban Thường trực tỉnh {province}")
