"""/chiso (admin, chair, staff): a unit's figures for this year (households, poor households…), shown and corrected.

States: unit → key (each figure numbered, "xong" ends) → value → key again. `/chiso <tên đơn vị>` starts at
that unit; `/chiso <tên đơn vị> 2027` shows next year's figures (entered in December) or last year's. The
figures are the keys of that year's plan (`baselines:` plus any key an indicator divides by), as in the
directory file; percent indicators divide by them, so a corrected figure changes the next /tonghop.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option
from core.numbers import format_number
from core.vnparse import ParseError, parse_number
from handlers.context import Context
from handlers.flows.admin_common import audit, own_unit, unit_named
from storage.models import Unit

FLOW = "baselines_admin"
_YEAR_AT_END = re.compile(r"(?:\s|^)(?:năm\s+|nam\s+)?(\d{4})$", re.IGNORECASE)
MAX_FIGURE = 10_000_000


class BaselinesState(FlowState):
    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"key": ("unit_id", "year"),
                                                   "value": ("unit_id", "year", "key")}

    step: Literal["unit", "key", "value"]
    unit_id: int | None = None
    year: int | None = None
    key: str | None = None  # the figure being corrected

    def takes_free_text(self) -> bool:
        return self.step == "value"


async def start(ctx: Context, args: str) -> None:
    name, year = _name_and_year(ctx, args)
    if name:
        unit = await unit_named(ctx, name)
        if unit is not None:
            await _show(ctx, unit, year)
        return
    await ctx.ask_menu(BaselinesState(step="unit"), "unit", ctx.t("baselines.pick_unit"), await ctx.unit_options())


async def resume(ctx: Context, state: BaselinesState) -> None:
    if state.step == "value":
        await _on_value(ctx, state)
        return
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if picked == "done":
        await ctx.forget()
        ctx.say(ctx.t("baselines.done"))
        return
    unit = await own_unit(ctx, state.unit_id if state.step == "key" else int(picked))
    if unit is None:
        await ctx.forget()
        ctx.say(ctx.t("unit_admin.gone"))
    elif state.step == "unit":
        await _show(ctx, unit, ctx.today.year)
    else:
        ctx.say(_ask_value(ctx, state.year, picked))
        await ctx.remember(BaselinesState(step="value", unit_id=unit.id, year=state.year, key=picked))


async def prompt(ctx: Context, state: BaselinesState) -> None:
    if state.step == "value":
        ctx.say(_ask_value(ctx, state.year, state.key))
    else:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


def _name_and_year(ctx: Context, args: str) -> tuple[str, int]:
    """"Thôn Nà Pài 2027": next year's figures (entered in December), or last year's; else this year's."""
    match = _YEAR_AT_END.search(args.strip())
    if match and abs(int(match.group(1)) - ctx.today.year) <= 1:
        return args.strip()[:match.start()].strip(), int(match.group(1))
    return args.strip(), ctx.today.year


def _labels(ctx: Context, year: int) -> dict[str, str]:
    """The figures the commune's plan of that year divides by, labelled in the reader's language."""
    return {spec.id: spec.label.get(ctx.language) for spec in ctx.plan_for_year(year).baseline_keys()}


def _ask_value(ctx: Context, year: int, key: str) -> str:
    return ctx.t("baselines.ask_value", figure=_labels(ctx, year).get(key, key), year=year)


async def _show(ctx: Context, unit: Unit, year: int) -> None:
    labels = _labels(ctx, year)
    if not labels:
        await ctx.forget()
        ctx.say(ctx.t("baselines.none_in_plan"))
        return
    stored = await ctx.repos.directory_admin.unit_baselines(unit.id, year)
    lines = [ctx.t("baselines.title", unit=unit.name, year=year)]
    options = []
    for key, label in labels.items():
        value = stored.get(key)
        options.append(option(key, f"{label}: {format_number(value, decimals=0, language=ctx.language)}"))
    options.append(option("done", ctx.t("baselines.finish"), "xong", "done"))
    lines.append(ctx.t("baselines.pick_hint"))
    await ctx.ask_menu(BaselinesState(step="key", unit_id=unit.id, year=year), "key", "\n".join(lines), options)


async def _on_value(ctx: Context, state: BaselinesState) -> None:
    value = parse_number(ctx.inbound.text, minimum=0, maximum=MAX_FIGURE) if ctx.inbound.kind == "text" \
        else ParseError("err.number.unreadable")
    if isinstance(value, ParseError):
        ctx.say(ctx.t(value.code, **value.params) + "\n" + _ask_value(ctx, state.year, state.key))
        return
    unit = await own_unit(ctx, state.unit_id)
    if unit is None:
        await ctx.forget()
        ctx.say(ctx.t("unit_admin.gone"))
        return
    before = (await ctx.repos.directory_admin.unit_baselines(unit.id, state.year)).get(state.key)
    await ctx.repos.directory.set_baseline(unit.id, state.year, state.key, value)
    await audit(ctx, "baseline", unit.id, "edit", {"year": state.year, state.key: before},
                {"year": state.year, state.key: value})
    ctx.say(ctx.t("baselines.saved", figure=_labels(ctx, state.year).get(state.key, state.key), value=value))
    await _show(ctx, unit, state.year)
