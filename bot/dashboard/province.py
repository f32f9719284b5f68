"""The province viewer's pages: the communes of their province side by side, and its DOCX/XLSX.

The same numbers as the province's /tonghop (summaries/province.py): each commune compiled as its own /tonghop
is, reduced to one row; the rows are kept between views (bot/dashboard/province_cache.py).

A province viewer sees numbers and unit names only: the commune pages that show people (unit heads, report
authors, answers, petitions, reminders) are not open to them — those paths answer 404 (routes.page).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.dashboard.auth import with_security_headers
from bot.dashboard.province_cache import Pending
from bot.dashboard.routes import Dashboard
from bot.dashboard.scope import Viewer
from plan.periods import Period
from summaries.province import ProvinceSummary, province_of
from summaries.render_province import province_stem, render_province_docx, render_province_xlsx
from summaries.service import DOCUMENT_LANGUAGE, DOCX_MIME, XLSX_MIME
from summaries.text_util import period_label, upper_first


async def _province_summary(dash: Dashboard, viewer: Viewer, period: Period, budget: float | None = None
                            ) -> tuple[ProvinceSummary, tuple[Pending, ...]]:
    async with dash.db.transaction() as repos:
        province = await province_of(repos, viewer.commune_ids[0])
    return await dash.province_rows.view(dash.db, dash.plans, province or "", viewer.commune_ids, period,
                                         dash.clock(), dash.tz, budget)


async def province(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    """/d/ of a province viewer (without ?xa=): one row per commune, one column per indicator."""
    t = dash.translator.for_language(language)
    plan = dash.plan_of(viewer.commune_ids[0])  # the anchor commune's plan: its periods, its indicators as columns
    periods = [(p.key, upper_first(period_label(t, p))) for p in dash.periods(plan)]  # a menu: capitalised
    period = dash.period(request, plan)
    if period is None:
        return dash.pages.message(request, t("dash.bad_period_title"),
                                  t("dash.bad_period", text=request.query.get("ky", "")[:20], year=plan.year),
                                  language=language, status=400, viewer=viewer)
    summary, pending = await _province_summary(dash, viewer, period, dash.province_budget)
    return dash.pages.render(request, "communes.html", language=language, viewer=viewer, periods=periods,
                             period=period, period_name=period_label(t, summary.period),
                             ytd_name=period_label(t, summary.year_to_date), summary=summary, pending=pending,
                             refresh=REFRESH_SECONDS, commune=summary.province, as_of=summary.as_of)


PROVINCE_FILES = {"docx": DOCX_MIME, "xlsx": XLSX_MIME}
REFRESH_SECONDS = 2  # a page with communes being updated asks again this soon (a <meta> refresh: no script)


async def province_download(dash: Dashboard, request: web.Request, viewer: Viewer,
                            language: str) -> web.StreamResponse:
    """The province summary's DOCX or XLSX of the period, rendered now (in a worker thread)."""
    kind = request.match_info["kind"]
    period = dash.period(request, dash.plan_of(viewer.commune_ids[0]))
    if kind not in PROVINCE_FILES or period is None or not viewer.province:
        raise web.HTTPNotFound()
    summary, _pending = await _province_summary(dash, viewer, period)  # a file: every row, however long
    t = dash.translator.for_language(DOCUMENT_LANGUAGE)
    if kind == "docx":
        columns = dash.plans.for_year(viewer.commune_ids[0], summary.period.year)
        content = await asyncio.to_thread(render_province_docx, summary, columns, t)
    else:
        content = await asyncio.to_thread(render_province_xlsx, summary, t)
    name = f"{province_stem(summary.province, summary.period)}.{kind}"
    response = web.Response(body=content, content_type=PROVINCE_FILES[kind],
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return with_security_headers(response)
