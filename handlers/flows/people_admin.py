"""/nguoi (admin, chair, staff): the commune's people by unit — change a role, move to another unit, deactivate,
reactivate, issue a new invite.

States: unit → person → action → role | move | confirm. `/nguoi <tên đơn vị>` starts at that unit's people.
A deactivated person's chat accounts stop working at once (the pipeline answers them as unregistered); their
reports stay with their unit. Refused with a reason: deactivating or demoting the last administrator, anyone
but an administrator granting or taking the administrator role, a reporter without a unit.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option, yes_no_options
from core.roles import ADMIN, REPORTER, ROLES
from handlers.context import Context
from handlers.flows.admin_common import audit, own_unit, role_options, unit_named, unit_options
from handlers.invites import create_invite
from storage.models import Person

FLOW = "people_admin"
NO_UNIT = "none"  # the menu value of "people without a unit" (commune-level staff, viewers)


class PeopleAdminState(FlowState):
    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {step: ("person_id",) for step in ("action", "role", "move",
                                                                                      "confirm")}

    step: Literal["unit", "person", "action", "role", "move", "confirm"]
    person_id: int | None = None


async def start(ctx: Context, args: str) -> None:
    if args.strip():
        unit = await unit_named(ctx, args)
        if unit is not None:
            await _show_people(ctx, unit.id)
        return
    options = await ctx.unit_options()
    if await ctx.repos.directory_admin.has_people_without_unit(ctx.person.commune_id):
        options.append(option(NO_UNIT, ctx.t("people.no_unit")))
    await ctx.ask_menu(PeopleAdminState(step="unit"), "unit", ctx.t("people.pick_unit"), options)


async def resume(ctx: Context, state: PeopleAdminState) -> None:
    picked = ctx.yes_or_no(state.options) if state.step == "confirm" else ctx.picked(state.options)
    if picked is None:
        ctx.ask_again(state.options)
        return
    if state.step == "unit":
        await _show_people(ctx, None if picked == NO_UNIT else int(picked))
        return
    person = await _own_person(ctx, state.person_id if state.step != "person" else int(picked))
    if person is None:
        await ctx.forget()
        ctx.say(ctx.t("people.gone"))
    elif state.step == "person":
        await _offer_actions(ctx, person)
    elif state.step == "action":
        await _on_action(ctx, person, picked)
    elif state.step == "role":
        await _change_role(ctx, person, picked)
    elif state.step == "move":
        await _move(ctx, person, int(picked))
    elif picked == "yes":
        await _set_active(ctx, person, False)
    else:
        await ctx.forget()
        ctx.say(ctx.t("people.unchanged"))


async def prompt(ctx: Context, state: PeopleAdminState) -> None:
    ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _own_person(ctx: Context, person_id: int) -> Person | None:
    person = await ctx.repos.directory.person(person_id)
    return person if person is not None and person.commune_id == ctx.person.commune_id else None


async def _show_people(ctx: Context, unit_id: int | None) -> None:
    if unit_id is not None and await own_unit(ctx, unit_id) is None:
        await ctx.forget()
        ctx.say(ctx.t("unit_admin.gone"))
        return
    people = await ctx.repos.directory_admin.people_of_unit(ctx.person.commune_id, unit_id)
    if not people:
        await ctx.forget()
        ctx.say(ctx.t("people.none"))
        return
    options = [option(p.id, _describe(ctx, p)) for p in people]
    await ctx.ask_menu(PeopleAdminState(step="person"), "person", ctx.t("people.pick_person"), options)


def _describe(ctx: Context, person: Person) -> str:
    line = f"{person.name} ({ctx.t(f'role.{person.role}')})"
    return line if person.active else f"{line} — {ctx.t('admin.inactive')}"


async def _offer_actions(ctx: Context, person: Person) -> None:
    actions = ("role", "move", "deactivate", "invite") if person.active else ("reactivate",)
    options = [option(action, ctx.t(f"people.action.{action}")) for action in actions]
    unit = await ctx.repos.directory.unit(person.unit_id) if person.unit_id else None
    text = ctx.t("people.one", person=_describe(ctx, person), unit=unit.name if unit else ctx.t("people.no_unit"))
    await ctx.ask_menu(PeopleAdminState(step="action", person_id=person.id), "action", text, options)


async def _on_action(ctx: Context, person: Person, action: str) -> None:
    state = PeopleAdminState(step="action", person_id=person.id)
    if action == "role":
        roles = [role for role in ROLES if role != person.role and (role != ADMIN or ctx.role == ADMIN)]
        await ctx.ask_menu(state, "role", ctx.t("people.pick_role", name=person.name),
                           role_options(ctx, roles))
    elif action == "move":
        units = [u for u in await ctx.repos.directory.units(ctx.person.commune_id) if u.id != person.unit_id]
        await ctx.ask_menu(state, "move", ctx.t("people.pick_unit_to", name=person.name), unit_options(units))
    elif action == "deactivate":
        if await _refused(ctx, person, losing_admin=True):
            return
        options = yes_no_options(ctx.t)
        await ctx.ask_menu(state, "confirm", ctx.t("people.confirm_deactivate", name=person.name), options)
    elif action == "reactivate":
        await _set_active(ctx, person, True)
    else:
        await _invite(ctx, person)


async def _refused(ctx: Context, person: Person, *, losing_admin: bool) -> bool:
    """Say why this change may not be made, if it may not; the conversation then ends and nothing changes."""
    reason = None
    if person.role == ADMIN and ctx.role != ADMIN:
        reason = "people.refused.admin_only"
    elif losing_admin and person.role == ADMIN and await ctx.repos.directory_admin.active_admins(
            person.commune_id) <= 1:
        reason = "people.refused.last_admin"
    if reason is not None:
        await ctx.forget()
        ctx.say(ctx.t(reason, name=person.name))
    return reason is not None


async def _change_role(ctx: Context, person: Person, role: str) -> None:
    if await _refused(ctx, person, losing_admin=role != ADMIN):
        return
    await ctx.forget()
    if role == ADMIN and ctx.role != ADMIN:
        ctx.say(ctx.t("people.refused.admin_only", name=person.name))
        return
    if role == REPORTER and person.unit_id is None:
        ctx.say(ctx.t("people.refused.reporter_needs_unit", name=person.name))
        return
    before = await ctx.repos.directory_admin.change(person, role=role)
    await audit(ctx, "person", person.id, "edit", before, {"role": role})
    ctx.say(ctx.t("people.role_changed", name=person.name, role=ctx.t(f"role.{role}")))


async def _move(ctx: Context, person: Person, unit_id: int) -> None:
    await ctx.forget()
    unit = await own_unit(ctx, unit_id)
    if unit is None or not unit.active:
        ctx.say(ctx.t("unit_admin.gone"))
        return
    before = await ctx.repos.directory_admin.change(person, unit_id=unit.id)
    await audit(ctx, "person", person.id, "edit", before, {"unit_id": unit.id})
    ctx.say(ctx.t("people.moved", name=person.name, unit=unit.name))


async def _set_active(ctx: Context, person: Person, active: bool) -> None:
    if not active and await _refused(ctx, person, losing_admin=True):
        return  # checked again: another admin may have been deactivated since the question was asked
    await ctx.forget()
    before = await ctx.repos.directory_admin.change(person, active=active)
    await audit(ctx, "person", person.id, "activate" if active else "deactivate", before, {"active": active})
    ctx.say(ctx.t("people.reactivated" if active else "people.deactivated", name=person.name))


async def _invite(ctx: Context, person: Person) -> None:
    """A fresh code that registers its user as this person (a lost phone, a new Zalo account)."""
    await ctx.forget()
    code = await create_invite(ctx.repos, commune_id=person.commune_id, role=person.role, unit_id=person.unit_id,
                               now=ctx.now, ttl=ctx.settings.invite_ttl, person_name=person.name,
                               person_id=person.id)
    await audit(ctx, "person", person.id, "invite", None, {"role": person.role})
    ctx.say(ctx.t("people.invite_created", name=person.name, code=code, days=ctx.settings.invite_ttl.days))
