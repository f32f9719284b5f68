"""/donvi (admin, chair, staff): the commune's units — list, add, rename, deactivate, reactivate.

States: action → kind → name (add); action → unit → name (rename); action → unit → confirm (deactivate);
action → unit (reactivate); action → unit → action (list: a list too long to show above the actions is a
paged menu of its own, a unit picked there offers its actions). `/donvi <tên đơn vị>` goes straight to what
can be done with that unit.
A unit is never deleted: deactivated, its reports stay in every summary of the periods it reported in.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import MESSAGE_CHARS, choices_of, option, rendered_chars, yes_no_options
from handlers.context import Context
from handlers.flows.admin_common import (
    audit,
    new_unit_name,
    own_unit,
    unit_line,
    unit_named,
    unit_options,
)
from plan.schema import UnitKind
from storage.models import Unit

FLOW = "units_admin"
ACTIONS = ("add", "rename", "deactivate", "reactivate")
LIST = "list"  # a commune's units too many to list above the actions: a paged menu, a unit picked opens its actions


class UnitsAdminState(FlowState):
    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"unit": ("action",), "name": ("action",),
                                                   "confirm": ("unit_id",)}

    step: Literal["action", "kind", "unit", "name", "confirm"]
    action: str | None = None  # list, add, rename, deactivate, reactivate
    kind: str | None = None  # the new unit's kind
    unit_id: int | None = None  # the unit renamed or deactivated

    def takes_free_text(self) -> bool:
        return self.step == "name"


async def start(ctx: Context, args: str) -> None:
    if args.strip():
        unit = await unit_named(ctx, args)
        if unit is not None:
            await _offer_unit_actions(ctx, unit)
        return
    units = await ctx.repos.directory_admin.all_units(ctx.person.commune_id)
    title = ctx.t("unit_admin.title", count=sum(u.active for u in units))
    listed = "\n".join([title, *(f"- {unit_line(ctx, unit)}" for unit in units)])
    options = [option(action, ctx.t(f"unit_admin.action.{action}")) for action in ACTIONS]
    if rendered_chars(listed, choices_of(options), ctx.t) > MESSAGE_CHARS:  # a long list: a menu of its own
        listed = title
        options.insert(0, option(LIST, ctx.t("unit_admin.action.list")))
    await ctx.ask_menu(UnitsAdminState(step="action"), "action", listed, options)


async def resume(ctx: Context, state: UnitsAdminState) -> None:
    if state.step == "name":
        await _on_name(ctx, state)
        return
    if state.step == "confirm":
        await _on_confirm(ctx, state)
        return
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if state.step == "action" and state.unit_id is not None:  # /donvi <name>: the unit is already chosen
        await _on_unit(ctx, UnitsAdminState(step="unit", action=picked), state.unit_id)
    elif state.step == "action":
        await _on_action(ctx, picked)
    elif state.step == "kind":
        await _ask_name(ctx, UnitsAdminState(step="name", action="add", kind=picked))
    else:
        await _on_unit(ctx, state, int(picked))


async def prompt(ctx: Context, state: UnitsAdminState) -> None:
    if state.step == "name":
        ctx.say(ctx.t("unit_admin.ask_name"))
    else:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _on_action(ctx: Context, action: str) -> None:
    if action == "add":
        options = [option(kind.value, ctx.t(f"unit_kind.{kind.value}")) for kind in UnitKind]
        await ctx.ask_menu(UnitsAdminState(step="kind", action="add"), "kind", ctx.t("unit_admin.ask_kind"), options)
        return
    if action == LIST:
        units = await ctx.repos.directory_admin.all_units(ctx.person.commune_id)
        options = [option(unit.id, _listed(ctx, unit), unit.name) for unit in units]
        await ctx.ask_menu(UnitsAdminState(step="unit", action=LIST), "unit", ctx.t("unit_admin.pick.list"), options)
        return
    active = action != "reactivate"
    units = [u for u in await ctx.repos.directory_admin.all_units(ctx.person.commune_id) if u.active == active]
    if not units:
        await ctx.forget()
        ctx.say(ctx.t("unit_admin.none_inactive" if action == "reactivate" else "unit_admin.none"))
        return
    await ctx.ask_menu(UnitsAdminState(step="unit", action=action), "unit", ctx.t(f"unit_admin.pick.{action}"),
                       unit_options(units))


def _listed(ctx: Context, unit: Unit) -> str:
    """A unit as the paged list shows it: its name, marked when inactive (its kind is shown once it is picked)."""
    return unit.name if unit.active else f"{unit.name} — {ctx.t('admin.inactive')}"


async def _offer_unit_actions(ctx: Context, unit: Unit) -> None:
    actions = ("rename", "deactivate") if unit.active else ("reactivate",)
    options = [option(action, ctx.t(f"unit_admin.action.{action}")) for action in actions]
    state = UnitsAdminState(step="action", unit_id=unit.id)
    await ctx.ask_menu(state, "action", ctx.t("unit_admin.one", unit=unit_line(ctx, unit)), options)


async def _on_unit(ctx: Context, state: UnitsAdminState, unit_id: int) -> None:
    unit = await own_unit(ctx, unit_id)
    if unit is None:
        await ctx.forget()
        ctx.say(ctx.t("unit_admin.gone"))
    elif state.action == LIST:
        await _offer_unit_actions(ctx, unit)
    elif state.action == "rename":
        await _ask_name(ctx, UnitsAdminState(step="name", action="rename", unit_id=unit.id))
    elif state.action == "deactivate":
        people = await ctx.repos.directory_admin.active_people_in_unit(unit.id)
        options = yes_no_options(ctx.t)
        await ctx.ask_menu(UnitsAdminState(step="confirm", action="deactivate", unit_id=unit.id), "confirm",
                           ctx.t("unit_admin.confirm_deactivate", name=unit.name, people=people), options)
    else:
        await _set_active(ctx, unit, True)


async def _ask_name(ctx: Context, state: UnitsAdminState) -> None:
    ctx.say(ctx.t("unit_admin.ask_name"))
    await ctx.remember(state)


async def _on_name(ctx: Context, state: UnitsAdminState) -> None:
    name = await new_unit_name(ctx, exclude_id=state.unit_id)
    if name is None:
        return
    await ctx.forget()
    if state.action == "add":
        unit = await ctx.repos.directory.add(Unit(commune_id=ctx.person.commune_id, name=name, kind=state.kind))
        await audit(ctx, "unit", unit.id, "create", None, {"name": name, "kind": state.kind})
        ctx.say(ctx.t("unit_admin.added", unit=unit_line(ctx, unit)))
        return
    unit = await own_unit(ctx, state.unit_id)
    if unit is None:
        ctx.say(ctx.t("unit_admin.gone"))
        return
    before = await ctx.repos.directory_admin.change(unit, name=name)
    await audit(ctx, "unit", unit.id, "edit", before, {"name": name})
    ctx.say(ctx.t("unit_admin.renamed", old=before["name"], name=name))


async def _on_confirm(ctx: Context, state: UnitsAdminState) -> None:
    answer = ctx.yes_or_no(state.options)
    if answer is None:
        ctx.ask_again(state.options)
        return
    await ctx.forget()
    unit = await own_unit(ctx, state.unit_id)
    if answer == "no" or unit is None:
        ctx.say(ctx.t("unit_admin.unchanged"))
        return
    await _set_active(ctx, unit, False)


async def _set_active(ctx: Context, unit: Unit, active: bool) -> None:
    await ctx.forget()
    if unit.active == active:
        ctx.say(ctx.t("unit_admin.unchanged"))
        return
    before = await ctx.repos.directory_admin.change(unit, active=active)
    await audit(ctx, "unit", unit.id, "activate" if active else "deactivate", before, {"active": active})
    ctx.say(ctx.t("unit_admin.reactivated" if active else "unit_admin.deactivated", name=unit.name))
