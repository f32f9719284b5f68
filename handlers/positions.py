"""The position a person holds, as the welcome names it: "Trưởng ban Công tác Mặt trận thôn Nà Pài",
"Chủ tịch Ủy ban MTTQ Việt Nam xã Nam Cường" — never the bot's own word for the role ("người báo cáo")."""

from __future__ import annotations

from core.i18n import Translate
from storage.models import Person, Unit

UNIT_POSITIONS = ("village", "organisation", "board", "party_cell", "commune")  # reporters: by their unit's kind


def lower_first(text: str) -> str:
    """A unit name inside a title: "Thôn Nà Pài" → "thôn Nà Pài" (proper names further on keep their capitals)."""
    return text[:1].lower() + text[1:]


def position(t: Translate, person: Person, unit: Unit | None, commune_name: str) -> str:
    if person.role == "reporter" and unit is not None and unit.kind in UNIT_POSITIONS:
        name = lower_first(unit.name) if unit.kind == "village" else unit.name
        return t(f"position.reporter.{unit.kind}", unit=name)
    return t(f"position.{person.role}", commune=commune_name)
