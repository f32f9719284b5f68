"""Recommendations written in an activity report feed the petition register (issue 15: one register).

A supervision, a phản biện, a dialogue, a voters' meeting or a "Tháng nghe dân nói" report asks for its
recommendations, one a line (plan: a text field with `petitions: <source>`). When the report is saved, in the
same transaction, each line becomes a register item (KN-<year>-<number>) with that source, the report's unit
and date, linked to the report; so every figure about recommendations is counted from the register alone.
"""

from __future__ import annotations

import re

from core.vnparse import fold
from handlers.context import Context
from plan import petition_lifecycle as life
from plan.schema import Form
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
    for field in form.fields:
        if field.petitions is None:
            continue
        for content in split_items(str(report.answers.get(field.id) or "")):
            petition = await ctx.repos.petitions.create(Petition(
                commune_id=report.commune_id, unit_id=report.unit_id, person_id=ctx.person.id,
                year=report.activity_date.year, number=0, source_kind=field.petitions, content=content,
                received_on=report.activity_date, origin_report_id=report.id, status=life.RECEIVED,
                forwarded_to="", created_at=ctx.now, updated_at=ctx.now))
            ref = life.reference(petition.year, petition.number)
            await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=petition.id,
                                         action="create", after={"reference": ref, "status": petition.status,
                                                                 "source_kind": petition.source_kind,
                                                                 "report_id": report.id})
            references.append(ref)
    return references


def receipt_line(ctx: Context, references: list[str]) -> str:
    """One line for the report's receipt: the items now in the register (empty when there are none)."""
    if not references:
        return ""
    return ctx.t("petition.from_report", count=len(references), refs=", ".join(references))
