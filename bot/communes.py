"""Which commune a CLI command acts on: named with --commune, or the only one; never a guess among several."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from core.i18n import Translate
from core.vnparse import fold
from storage.models import Commune
from storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class Choice:
    commune: Commune | None = None
    problem: str | None = None  # a msgid: commune.none, commune.ambiguous, commune.unknown, commune.name_needed
    params: dict | None = None


def matches(commune: Commune, name: str) -> bool:
    """"Nam Cường" or "Nam Cường, Thái Nguyên" (diacritics optional): a name alone when it is unique."""
    wanted, _, province = (part.strip() for part in name.partition(","))
    return fold(commune.name) == fold(wanted) and (not province or fold(commune.province) == fold(province))


async def pick_commune(repos: Repositories, name: str | None) -> Choice:
    communes = await repos.directory.communes()
    if name:
        found = [c for c in communes if matches(c, name)]
        if len(found) == 1:
            return Choice(found[0])
        if found:
            return Choice(problem="commune.ambiguous", params={"name": name, "choices": _listed(found)})
        return Choice(problem="commune.unknown", params={"name": name, "choices": _listed(communes) or "—"})
    if len(communes) == 1:
        return Choice(communes[0])
    if not communes:
        return Choice(problem="commune.none")
    return Choice(problem="commune.name_needed", params={"choices": _listed(communes)})


def _listed(communes: list[Commune]) -> str:
    return "; ".join(f"{c.name}, {c.province}" for c in communes)


async def pick_province(repos: Repositories, name: str | None) -> Choice:
    """The anchor commune of a province (its first, by id): named with --province, or the only province there is.

    A province viewer's person row hangs on this commune; what they see is every commune of its province.
    """
    communes = await repos.directory.communes()
    provinces = sorted({c.province for c in communes})
    if name:
        found = [p for p in provinces if p == name.strip()] or [p for p in provinces if fold(p) == fold(name)]
        if len(found) == 1:
            return Choice(next(c for c in communes if c.province == found[0]))
        if found:  # stored spelt two ways ("Thái Nguyên", "Thai Nguyen"): two provinces to the scope, never a guess
            return Choice(problem="province.ambiguous", params={"name": name, "choices": "; ".join(found)})
        return Choice(problem="province.unknown", params={"name": name, "choices": "; ".join(provinces) or "—"})
    if len(provinces) == 1:
        return Choice(communes[0])
    if not provinces:
        return Choice(problem="commune.none")
    return Choice(problem="province.name_needed", params={"choices": "; ".join(provinces)})


async def commune_or_say_why(repos: Repositories, name: str | None, t: Translate, stderr: TextIO) -> Commune | None:
    """The commune a CLI command acts on; None after printing why not (none yet, several and no --commune…)."""
    choice = await pick_commune(repos, name)
    if choice.commune is None:
        print(f"mttq-bot: {t(choice.problem, **(choice.params or {}))}", file=stderr)
    return choice.commune
