"""`mttq-bot province list | deactivate | reactivate`: the province viewers, who belong to no commune's file.

A province viewer's person row hangs on a commune of the province, but no commune's staff may change it (they
are left out of /nguoi and the directory file), so the office that invited them (with `invite create --role
province`) deactivates them here when they leave: their chat accounts stop working at once and their dashboard
session ends at its next page.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.app import App
from core.i18n import Translate
from core.roles import PROVINCE
from core.vnparse import fold
from storage.models import Person
from storage.repositories import Repositories


def add_commands(commands) -> None:
    province = commands.add_parser("province", help="province viewers (read-only, every commune of a province)")
    actions = province.add_subparsers(dest="province_command", required=True)
    listing = actions.add_parser("list", help="the province viewers, active or not")
    listing.add_argument("--province", help="only this province")
    for action in ("deactivate", "reactivate"):
        one = actions.add_parser(action, help=f"{action} a province viewer (their chat and dashboard at once)")
        one.add_argument("--name", required=True, help="the viewer's name")
        one.add_argument("--province", help="needed when two provinces have a viewer of that name")


async def run(app: App, args: argparse.Namespace) -> int:
    if args.province_command == "list":
        return await list_viewers(app, args.province)
    return await set_active(app, args.name, args.province, active=args.province_command == "reactivate")


async def _viewers(repos: Repositories, province: str | None) -> list[tuple[Person, str]]:
    """(person, province) of every province viewer, of one province (diacritics optional) when named."""
    found = []
    for commune in await repos.directory.communes():
        if province and fold(commune.province) != fold(province):
            continue
        found += [(p, commune.province) for p in await repos.directory.people(commune.id) if p.role == PROVINCE]
    return found


async def list_viewers(app: App, province: str | None, stdout: TextIO | None = None) -> int:
    t = app.speech()
    async with app.db.transaction() as repos:
        viewers = await _viewers(repos, province)
        registered = {p.id for p, _ in viewers if await repos.directory.identities(p.id)}
    for person, name in viewers:
        chat = "province.cli.registered" if person.id in registered else "province.cli.not_registered"
        print(t("province.cli.line", province=name, name=person.name, state=_state(t, person.active), chat=t(chat)),
              file=stdout or sys.stdout)
    print(t("province.cli.count", count=len(viewers)), file=stdout or sys.stdout)
    return 0


async def set_active(app: App, name: str, province: str | None, *, active: bool) -> int:
    """Deactivate (or reactivate) the one province viewer of that name; several of that name need --province."""
    t = app.speech()
    async with app.db.transaction() as repos:
        viewers = await _viewers(repos, province)
        matched = [(p, prov) for p, prov in viewers if fold(p.name) == fold(name)]
        if len(matched) != 1:
            listed = "; ".join(f"{p.name}, {prov}" for p, prov in viewers) or "—"
            problem = "province.cli.several_named" if matched else "province.cli.none_named"
            print("mttq-bot: " + t(problem, name=name, viewers=listed), file=sys.stderr)
            return 1
        person, _province = matched[0]
        if person.active != active:
            before = await repos.directory_admin.change(person, active=active)
            await repos.audit.record(at=app.clock(), person_id=None, entity="person", entity_id=person.id,
                                     action="edit", before=before, after={"active": active})
    print(t("province.cli.changed", name=person.name, state=_state(t, active)))
    return 0


def _state(t: Translate, active: bool) -> str:
    return t("province.cli.active" if active else "province.cli.deactivated")
