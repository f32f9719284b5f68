"""What /donvi, /nguoi and /chiso share: finding a unit by the name typed, describing it, auditing a change."""

from __future__ import annotations

from typing import Any

from core.menus import option
from core.vnparse import ParseError, clean_text, fold
from handlers.context import Context
from storage.models import Unit
from summaries.text_util import upper_first

MAX_UNIT_NAME = 120  # the column's length


def unit_line(ctx: Context, unit: Unit) -> str:
    """'Thôn Nà Pài (thôn, tổ dân phố)', with the inactive mark when it is."""
    line = f"{unit.name} ({ctx.t(f'unit_kind.{unit.kind}')})"
    return line if unit.active else f"{line} — {ctx.t('admin.inactive')}"


def unit_options(units: list[Unit]) -> list[dict[str, Any]]:
    return [option(unit.id, unit.name) for unit in units]


def role_options(ctx: Context, roles) -> list[dict[str, Any]]:
    """Roles as menu options (/moi, /nguoi, /thongbao's audience): the catalog's role.* names, which read
    mid-sentence ("người báo cáo"), with a capital as a menu line starts ("1. Người báo cáo")."""
    return [option(role, upper_first(ctx.t(f"role.{role}"))) for role in roles]


async def own_unit(ctx: Context, unit_id: int) -> Unit | None:
    """The unit if it belongs to the sender's commune: a menu value is never trusted across communes."""
    unit = await ctx.repos.directory.unit(unit_id)
    return unit if unit is not None and unit.commune_id == ctx.person.commune_id else None


async def unit_named(ctx: Context, name: str) -> Unit | None:
    """The sender's commune's unit with this name (diacritics and case aside), or None after saying why not:
    another commune's unit is refused as such, an unknown name is said to be unknown."""
    wanted = fold(name)
    units = await ctx.repos.directory_admin.all_units(ctx.person.commune_id)
    found = next((unit for unit in units if fold(unit.name) == wanted), None)
    if found is not None:
        return found
    if await ctx.repos.directory_admin.named_elsewhere(ctx.person.commune_id, name):
        ctx.say(ctx.t("admin.unit_other_commune", name=name.strip()[:MAX_UNIT_NAME]))
    else:
        ctx.say(ctx.t("admin.unit_unknown", name=name.strip()[:MAX_UNIT_NAME]))
    return None


async def new_unit_name(ctx: Context, exclude_id: int | None = None) -> str | None:
    """The unit name typed, or None after saying what is wrong (empty, too long, already another unit's)."""
    name = clean_text(ctx.inbound.text, MAX_UNIT_NAME) if ctx.inbound.kind == "text" else \
        ParseError("err.text.empty")
    if isinstance(name, ParseError):
        ctx.say(ctx.t(name.code, **name.params) + "\n" + ctx.t("unit_admin.ask_name"))
        return None
    name = " ".join(name.split())
    units = await ctx.repos.directory_admin.all_units(ctx.person.commune_id)
    taken = next((u for u in units if fold(u.name) == fold(name) and u.id != exclude_id), None)
    if taken is not None:
        ctx.say(ctx.t("unit_admin.name_taken", name=taken.name) + "\n" + ctx.t("unit_admin.ask_name"))
        return None
    return name


async def audit(ctx: Context, entity: str, entity_id: int, action: str, before: dict[str, Any] | None,
                after: dict[str, Any] | None) -> None:
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity=entity, entity_id=entity_id,
                                 action=action, before=before, after=after)
