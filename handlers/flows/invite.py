"""/moi (staff): make an invite code for a new reporter, staff member or viewer, from the chat.

States: role → unit (reporters only) → code shown.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of
from core.roles import REPORTER, STAFF, VIEWER
from handlers.context import Context
from handlers.flows.admin_common import role_options
from handlers.invites import create_invite

FLOW = "invite"


class InviteState(FlowState):
    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"unit": ("role",)}

    step: Literal["role", "unit"]
    role: str | None = None  # chosen at the first step


async def start(ctx: Context) -> None:
    await ctx.ask_menu(InviteState(step="role"), "role", ctx.t("invite.choose_role"),
                       role_options(ctx, (REPORTER, STAFF, VIEWER)))


async def resume(ctx: Context, state: InviteState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if state.step == "role" and picked == REPORTER:
        await ctx.ask_menu(InviteState(step="unit", role=picked), "unit", ctx.t("invite.choose_unit"),
                           await ctx.unit_options())
    elif state.step == "role":
        await _issue(ctx, picked, None)
    else:
        await _issue(ctx, state.role, int(picked))


async def prompt(ctx: Context, state: InviteState) -> None:
    ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _issue(ctx: Context, role: str, unit_id: int | None) -> None:
    code = await create_invite(ctx.repos, commune_id=ctx.person.commune_id, role=role, unit_id=unit_id,
                               now=ctx.now, ttl=ctx.settings.invite_ttl)
    await ctx.forget()
    days = ctx.settings.invite_ttl.days
    ctx.say(ctx.t("invite.created", code=code, role=ctx.t(f"role.{role}"), days=days))
