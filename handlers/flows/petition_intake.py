"""Recommendations written in an activity report feed the petition register (issue 15: one register).

A supervision, a phản biện, a dialogue, a voters' meeting or a "Tháng nghe dân nói" report asks for its
recommendations, one a line (plan: a text field with `petitions: <source>`). When the report is saved, in the
same transaction, each line becomes a register item (KN-<year>-<number>) with that source, the report's unit
and date, linked to the report; so every figure about recommendations is counted from the register alone.
Editing the report later (/cuatoi) adds, changes and removes the items it made, and deleting it removes them;
an item staff have already moved along (forwarded, answered…) belongs to the register then and is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.vnparse import fold
from handlers.context import Context
from plan import petition_lifecycle as life
from plan.schema import Form, FormField
from storage.models import Petition, Report

ITEM_CHARS = 500  # as /kiennghi's content
NONE_WORDS = ("khong", "khong co", "chua co", "khong co kien nghi", "0", "none", "no")
_BULLET = re.compile(r"^\s*(?:[-+*•]+|\d{1,2}[.)]\s)\s*")


def split_items(text: str) -> list[str]:
    """The recommendations of an answer: one a line (or separated by ';'), bullets and numbering dropped."""
    if fold(text) in NONE_WORDS:
        return []
    items = (_BULLET.sub("", part).strip() for part in re.split(r"[\n;]+", text or ""))
    return [item[:ITEM_CHARS] for item in items if item and fold(item) not in NONE_WORDS]


async def record(ctx: Context, form: Form, report: Report) -> list[str]:
    """Store the report's recommendations in the register; returns their references (KN-2026-014…)."""
    references = []
    for asked in form.fields:
        if asked.petitions is not None:
            for content in _lines(report, asked):
                references.append(await _create(ctx, report, asked, content))
    return references


async def _create(ctx: Context, report: Report, asked: FormField, content: str) -> str:
    petition = await ctx.repos.petitions.create(Petition(
        commune_id=report.commune_id, unit_id=report.unit_id, person_id=ctx.person.id,
        year=report.activity_date.year, number=0, source_kind=asked.petitions, content=content,
        received_on=report.activity_date, origin_report_id=report.id, origin_field=asked.id,
        status=life.RECEIVED, forwarded_to="", created_at=ctx.now, updated_at=ctx.now))
    ref = _ref(petition)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=petition.id,
                                 action="create", after={"reference": ref, "status": petition.status,
                                                         "source_kind": petition.source_kind, "report_id": report.id})
    return ref


@dataclass
class Follow:
    """What an edit or a deletion of a report did to the items it made, as references (KN-2026-014)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # content or date of receipt
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # moved along by staff meanwhile: corrected with /kiennghi

    def lines(self, ctx: Context) -> list[str]:
        found = (("petition.edit.added", self.added), ("petition.edit.changed", self.changed),
                 ("petition.edit.removed", self.removed), ("petition.edit.kept", self.kept))
        return [ctx.t(msgid, refs=", ".join(refs)) for msgid, refs in found if refs]


async def follow_edit(ctx: Context, form: Form, report: Report, edited: FormField) -> Follow:
    """After `edited` changed in a stored report: the register's items of that report say what it says now.

    Lines still named keep their item; the other untouched items take the new lines in order (their
    reference stays), then new lines become new items and untouched items left over are removed. A new
    activity date moves the date of receipt of the untouched items. Items staff moved along are kept.
    """
    follow = Follow()
    items = await ctx.repos.petitions.from_report(report.id)
    if edited.petitions is not None:
        mine = [item for item in items if item.origin_field == edited.id]
        await _follow_lines(ctx, report, edited, mine, follow)
    if edited.id == form.date_field:
        for item in items:
            if item.received_on == report.activity_date:
                continue
            if item.status != life.RECEIVED:
                follow.kept.append(_ref(item))
                continue
            await _change(ctx, item, follow, received_on=report.activity_date)
    return follow


async def _follow_lines(ctx: Context, report: Report, asked: FormField, items: list[Petition],
                        follow: Follow) -> None:
    lines = _lines(report, asked)
    unmatched = []
    for item in items:
        if item.content in lines:
            lines.remove(item.content)  # still named: unchanged (a repeated line keeps one item per repeat)
        elif item.status != life.RECEIVED:
            follow.kept.append(_ref(item))
        else:
            unmatched.append(item)
    for item, content in zip(unmatched, lines, strict=False):
        await _change(ctx, item, follow, content=content)
    for content in lines[len(unmatched):]:
        follow.added.append(await _create(ctx, report, asked, content))
    for item in unmatched[len(lines):]:
        await _remove(ctx, item, follow)


async def withdraw(ctx: Context, report: Report) -> Follow:
    """A deleted report's items leave the register, except those staff moved along (kept, said so)."""
    follow = Follow()
    for item in await ctx.repos.petitions.from_report(report.id):
        if item.status == life.RECEIVED:
            await _remove(ctx, item, follow)
        else:
            follow.kept.append(_ref(item))
    return follow


async def _change(ctx: Context, item: Petition, follow: Follow, **changes: object) -> None:
    before = {name: _plain(getattr(item, name)) for name in changes}
    await ctx.repos.petitions.update(item, ctx.now, **changes)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=item.id,
                                 action="edit", before=before,
                                 after={name: _plain(value) for name, value in changes.items()})
    follow.changed.append(_ref(item))


async def _remove(ctx: Context, item: Petition, follow: Follow) -> None:
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=item.id,
                                 action="delete", before={"reference": _ref(item), "content": item.content,
                                                          "source_kind": item.source_kind,
                                                          "received_on": item.received_on.isoformat(),
                                                          "report_id": item.origin_report_id})
    await ctx.repos.petitions.delete(item)
    follow.removed.append(_ref(item))


def _lines(report: Report, asked: FormField) -> list[str]:
    return split_items(str(report.answers.get(asked.id) or ""))


def _ref(item: Petition) -> str:
    return life.reference(item.year, item.number)


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def receipt_line(ctx: Context, references: list[str]) -> str:
    """One line for the report's receipt: the items now in the register (empty when there are none)."""
    if not references:
        return ""
    return ctx.t("petition.from_report", count=len(references), refs=", ".join(references))
