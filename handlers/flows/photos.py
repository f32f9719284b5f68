"""Photos sent before any question (issue 17.2): kept at once, then attached to the report they belong to.

Village heads send the photos first, as they do in their Zalo groups. A photo that arrives while no report is
being filled is stored and the sender is asked where it belongs: one of their reports of the last days, or a new
report. The photos that follow (an album arrives as one message per photo) join the same question without an
answer each, up to the plan's limit per report; a caption is read as a one-message report (report_text).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar, Literal

from core.flowstate import FlowState
from core.menus import option
from core.vnparse import ParseError
from handlers.context import Context
from handlers.flows import report
from handlers.forms import explain, store_photo
from plan.schema import FieldKind

FLOW = "photos"
RECENT_DAYS = 7  # "a report of the last days": older reports are edited from /cuatoi
RECENT_SHOWN = 3
NEW_REPORT = "new"


class PhotosState(FlowState):
    """Photos kept before anyone said which report they belong to."""

    FLOW: ClassVar[str] = FLOW

    step: Literal["which"]
    files: list[int] = []
    dropped: int = 0  # photos past the plan's limit: not kept, said once

    def takes_photos(self) -> bool:
        return True

    def reads_sentences(self) -> bool:
        return True  # "hôm qua thôn tổ chức …" typed after the photos is their report (resume)


async def start(ctx: Context) -> None:
    """A photo with no question asked: keep it; its caption may be the whole report."""
    stored = await store_photo(ctx, "anh")
    if isinstance(stored, ParseError):
        ctx.say(explain(ctx, stored))
        return
    if ctx.inbound.text.strip() and await report.start_from_text(ctx, photos=[stored]):
        return
    await _ask_which(ctx, PhotosState(step="which", files=[stored]))


async def resume(ctx: Context, state: PhotosState) -> None:
    if ctx.inbound.kind == "photo":
        await _another_photo(ctx, state)
        return
    picked = ctx.picked(state.options)
    if picked is None:  # "hôm qua thôn tổ chức ngày hội …" typed after the photos is their report
        if not await report.start_from_text(ctx, photos=state.files):
            ctx.pick_or_ask_again(state.options)
        return
    if picked == NEW_REPORT:
        await report.start_with_photos(ctx, state.files)
    else:
        await _attach(ctx, int(picked), state.files)


async def prompt(ctx: Context, state: PhotosState) -> None:
    await _ask_which(ctx, state)


async def _another_photo(ctx: Context, state: PhotosState) -> None:
    """An album's next photo: kept without a reply (the question stands); past the limit, said once."""
    limit = ctx.plan.settings.max_photos_per_report
    if len(state.files) >= limit:
        state.dropped += 1
        if state.dropped == 1:
            ctx.say(ctx.t("photos.limit", max=limit))
        await ctx.remember(state)
        return
    stored = await store_photo(ctx, "anh")
    if isinstance(stored, ParseError):
        ctx.say(explain(ctx, stored))
        return
    state.files.append(stored)
    await ctx.remember(state)


async def _ask_which(ctx: Context, state: PhotosState) -> None:
    today = ctx.today
    recent = await ctx.repos.reports.by_person(ctx.person.id, today - timedelta(days=RECENT_DAYS), today)
    options: list[dict[str, Any]] = []
    for row in sorted(recent, key=lambda r: r.id, reverse=True)[:RECENT_SHOWN]:
        label = ctx.t("photos.attach_to", id=row.id, form=ctx.plan.form(row.form_id).label.get(ctx.language),
                      date=row.activity_date.strftime("%d/%m"))
        options.append(option(str(row.id), label))
    options.append(option(NEW_REPORT, ctx.t("photos.new_report")))
    await ctx.ask_menu(state, "which", ctx.t("photos.which", max=ctx.plan.settings.max_photos_per_report), options)


async def _attach(ctx: Context, report_id: int, files: list[int]) -> None:
    """Add the photos to one of the sender's recent reports; its photo answer takes the first if it had none."""
    row = await ctx.repos.reports.get(report_id)
    if row is None or row.person_id != ctx.person.id or row.deleted_at is not None:
        await ctx.forget()
        ctx.say(ctx.t("photos.report_gone"))
        return
    form = ctx.plan.form(row.form_id)
    before = dict(row.answers)
    empty = next((f for f in form.fields if f.kind is FieldKind.PHOTO and not row.answers.get(f.id)), None)
    if empty is not None:
        await ctx.repos.reports.update_answers(row, {**row.answers, empty.id: files[0]}, row.activity_date, ctx.now)
    await ctx.repos.files.attach(files, row.id)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="report", entity_id=row.id,
                                 action="attach_photos", before=before, after=dict(row.answers))
    await ctx.forget()
    ctx.say(ctx.t("photos.attached", count=len(files), id=row.id, form=form.label.get(ctx.language)))
