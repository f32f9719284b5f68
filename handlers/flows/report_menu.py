"""The report menu in two levels when one is too long for a message (issue 15.7): the plan's form groups
first ("Giám sát, phản biện, kiểm tra"), then the group's forms. A form's name typed at either level opens it."""

from __future__ import annotations

from typing import Any

from core.i18n import Translator
from core.menus import MESSAGE_CHARS, menu_chars, option
from core.vnparse import loose
from handlers.context import Context
from plan.schema import Form, FormGroup, LocalText, Plan

GROUP = "group:"  # the value prefix of a first-level option
OTHER_ID = "__khac__"  # the group of the forms the plan placed in none (not a plan's group id: those are words)


def other_label(translator: Translator) -> LocalText:
    """"Hoạt động khác" / "Other activities", from the catalogs."""
    return LocalText(**{lang: translator.for_language(lang)("report.group.other") for lang in ("vi", "en")})


def groups_for(plan: Plan, forms: list[Form], other: LocalText) -> list[FormGroup]:
    """The plan's groups that hold at least one of `forms` (a unit sees only what it reports), then `other`
    ("Hoạt động khác") with the forms no group holds (a plan may add a form without placing it)."""
    ids = {f.id for f in forms}
    groups = [g for g in plan.form_groups if ids.intersection(g.forms)]
    placed = {f for g in plan.form_groups for f in g.forms}
    loose_forms = tuple(f.id for f in forms if f.id not in placed)
    if not (loose_forms and groups):
        return groups
    return [*groups, FormGroup.model_construct(id=OTHER_ID, label=other, forms=loose_forms)]


def group(plan: Plan, value: str, forms: list[Form], other: LocalText) -> FormGroup:
    return next(g for g in groups_for(plan, forms, other) if g.id == value.removeprefix(GROUP))


def form_options(ctx: Context, forms: list[Form]) -> list[dict[str, Any]]:
    return [option(f.id, f.label.get(ctx.language), f.label.vi, f.label.en) for f in forms]


def group_options(ctx: Context, groups: list[FormGroup]) -> list[dict[str, Any]]:
    return [option(GROUP + g.id, g.label.get(ctx.language), g.label.vi, g.label.en) for g in groups]


def fits(ctx: Context, text: str, forms: list[Form]) -> bool:
    """Whether every form fits one numbered menu of at most MESSAGE_CHARS."""
    labels = [f.label.get(ctx.language) for f in forms]
    return menu_chars(text, labels, ctx.t("menu.type_number", last=len(labels))) <= MESSAGE_CHARS


def typed_form(ctx: Context, forms: list[Form]) -> str | None:
    """A form named exactly (its label or an alias, accents aside) rather than picked by number."""
    key = loose(ctx.inbound.text)
    if not key or key.isdigit():
        return None
    return next((f.id for f in forms if key in {loose(f.label.vi), loose(f.label.en), *map(loose, f.aliases)}),
                None)
