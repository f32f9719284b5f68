"""A province viewer's /tonghop as a render job: the side-by-side text, the DOCX and the XLSX, all after the commit.

A province is up to a hundred communes: loading and compiling them all costs far more than one commune, so the
inbound transaction only records the job (as for a commune's files) and answers "being compiled"; the job
then compiles every commune of the province as of the request's time and renders, and queues the text and the
two files in one short transaction, under dedupe keys derived from the job. With a render worker that can open
the database, the worker reads every commune's year itself, compiles and renders (`province_in_worker`): only
the request goes over, and the small side-by-side summary and the file bytes come back; otherwise the years are
read beside the writer and compiled and rendered in threads of the bot's process.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.messages import FileOut, Reply
from plan.periods import Period
from plan.schema import Plan
from storage.models import RenderJob, StoredFile
from storage.reading import read_in_process
from summaries.gc_pause import paused_gc
from summaries.load import snapshot_in
from summaries.province import ProvinceSummary, compile_province, province_communes, read_province
from summaries.render_pool import worker_context
from summaries.render_province import (
    province_stem,
    render_province_docx,
    render_province_text,
    render_province_xlsx,
)
from summaries.service import DOCUMENT_LANGUAGE, DOCX_MIME, XLSX_MIME

if TYPE_CHECKING:
    from summaries.jobs import RenderJobs


@dataclass(frozen=True, slots=True)
class ProvinceMade:
    summary: ProvinceSummary
    docx: bytes
    xlsx: bytes


@dataclass(frozen=True, slots=True)
class ProvinceRequest:
    """What a render worker needs to read, compile and render a province itself: ids, plans and the time."""

    database_url: str
    province: str
    communes: tuple[int, ...]
    plans: dict[int, Plan]  # each commune's own plan of the period's year (pickled once when they are one)
    columns: Plan
    period: Period
    requested_at: datetime
    tz: ZoneInfo


async def make(jobs: RenderJobs, job: RenderJob) -> ProvinceMade:
    period = Period.parse_key(job.period)
    columns = jobs.plans.for_year(job.commune_id, period.year)  # the viewer's anchor commune's plan

    def plan_of(commune_id: int) -> Plan:  # each commune compiled with its own plan, as its /tonghop is
        return jobs.plans.for_year(commune_id, period.year)

    if jobs.in_worker():  # the worker reads the communes itself: nothing of their years passes through the bot
        async with jobs.db.transaction() as repos:
            communes = tuple(c.id for c in await province_communes(repos, job.province))
        request = ProvinceRequest(jobs.db.url, job.province, communes, {c: plan_of(c) for c in communes}, columns,
                                  period, job.requested_at, jobs.tz)
        async with jobs.rendering:
            return await jobs.pool.run(province_in_worker, request)
    snapshots = await read_province(jobs.db, job.province, period.year)
    summary = await asyncio.to_thread(compile_province, columns, plan_of, job.province, snapshots, period,
                                      job.requested_at, jobs.tz)
    t = jobs.translator.for_language(DOCUMENT_LANGUAGE)  # the files are official documents: Vietnamese
    async with jobs.rendering:
        docx = await asyncio.to_thread(render_province_docx, summary, columns, t)
        xlsx = await asyncio.to_thread(render_province_xlsx, summary, t)
    return ProvinceMade(summary, docx, xlsx)


def province_in_worker(request: ProvinceRequest) -> ProvinceMade:
    """In a render worker: each commune's year read beside the bot's writer, compiled, and the two files."""
    year = request.columns.year
    with paused_gc():
        snapshots = [(commune_id, read_in_process(request.database_url,  # through this worker's report cache
                                                  lambda connection, c=commune_id: snapshot_in(
                                                      connection, c, year, request.database_url)))
                     for commune_id in request.communes]
        summary = compile_province(request.columns, request.plans.__getitem__, request.province, snapshots,
                                   request.period, request.requested_at, request.tz)
        t = worker_context()["translator"].for_language(DOCUMENT_LANGUAGE)
        return ProvinceMade(summary, render_province_docx(summary, request.columns, t),
                            render_province_xlsx(summary, t))


async def deliver(jobs: RenderJobs, job: RenderJob, made: ProvinceMade) -> int:
    """Store the files and queue the text and both files to the reader: one short transaction."""
    now = jobs.clock()
    t = jobs.translator.for_language(job.language)
    stem = province_stem(made.summary.province, made.summary.period)
    async with jobs.db.transaction() as repos:
        if not await repos.render_jobs.finish(job, now):
            return 0  # another worker took it over; the replies are theirs
        files = []
        for suffix, mime, content in (("docx", DOCX_MIME, made.docx), ("xlsx", XLSX_MIME, made.xlsx)):
            stored = await repos.files.add(StoredFile(kind="document", name=f"{stem}.{suffix}", mime=mime,
                                                      size=len(content), content=content,
                                                      source=f"province:{made.summary.period.key}", created_at=now))
            files.append(FileOut(file_id=stored.id, name=stored.name, mime=mime))
        replies = [("text", Reply(text=render_province_text(made.summary, t, job.language), language=job.language)),
                   ("docx", Reply(text=t("province.file.docx"), document=files[0], language=job.language)),
                   ("xlsx", Reply(text=t("province.file.xlsx"), document=files[1], language=job.language))]
        await repos.outbox.enqueue_many([(job.channel, job.chat_id, reply.to_payload(), f"{job.key}:{suffix}")
                                         for suffix, reply in replies], now)
    jobs.on_queued()
    return 1
