"""The dashboard's pages: each reads through repositories and summaries, then renders one template."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.dashboard import province, views
from bot.dashboard.auth import with_security_headers
from bot.dashboard.routes import Dashboard
from bot.dashboard.scope import Viewer
from bot.dashboard.views import Scene
from reminders.answered import answered_count
from summaries.service import DOCX_MIME, XLSX_MIME, file_stem
from summaries.text_util import period_label, upper_first

ZALO = "zalo"


async def _scene(dash: Dashboard, request: web.Request, viewer: Viewer, language: str
                 ) -> tuple[Scene | None, dict[str, Any]]:
    """The commune and period a page is about, and the values every page's frame shows."""
    commune_id = viewer.commune(request.query.get("xa"))
    plan = dash.plan_of(commune_id)  # this year's plan of the commune (plan/book.py)
    period = dash.period(request, plan)
    t = dash.translator.for_language(language)
    periods = [(p.key, upper_first(period_label(t, p))) for p in dash.periods(plan)]  # a menu: capitalised
    common: dict[str, Any] = {"viewer": viewer, "periods": periods}
    if period is None:
        common["plan_year"] = plan.year
        return None, common
    scene = await dash.scenes.scene(dash.db, plan, commune_id, period, dash.clock(), dash.tz)
    common.update(period=period, period_name=period_label(t, period), commune=scene.snapshot.commune_name,
                  province=scene.snapshot.province, commune_id=commune_id, as_of=scene.summary.as_of)
    return scene, common


def _bad_period(dash: Dashboard, request: web.Request, language: str, common: dict[str, Any]) -> web.Response:
    t = dash.translator.for_language(language)
    return dash.pages.message(request, t("dash.bad_period_title"),
                              t("dash.bad_period", text=request.query.get("ky", "")[:20],
                                year=common.get("plan_year", dash.plan.year)),
                              language=language, status=400, viewer=common["viewer"])


async def overview(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    if viewer.province and not request.query.get("xa"):
        return await province.province(dash, request, viewer, language)  # the communes side by side
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    summary = scene.summary
    bars = [(r, views.bar_percent(r)) for r in summary.indicators]
    return dash.pages.render(request, "overview.html", language=language, summary=summary, bars=bars,
                             with_period=summary.period != summary.year_to_date,
                             ytd_name=period_label(dash.translator.for_language(language), summary.year_to_date),
                             **common)


async def units(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    async with dash.db.transaction() as repos:
        heads = await views.unit_heads(repos, scene.commune_id)
    sort = request.query.get("sap", "ten")
    forms, rows = views.unit_grid(scene.plan, scene, heads, sort)
    labels = {f.id: f.label.get(language) for f in scene.plan.forms}
    return dash.pages.render(request, "units.html", language=language, forms=forms, rows=rows, labels=labels,
                             sort=sort, **common)


async def unit(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    unit_id = _id(request)
    async with dash.db.transaction() as repos:
        row = await repos.directory.unit(unit_id)
    if row is None or not viewer.sees(row.commune_id):
        raise web.HTTPNotFound()
    request_xa = str(row.commune_id)
    scene, common = await _scene(dash, _with_commune(request, request_xa), viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    reports = views.filter_reports(scene, None, unit_id)
    return await _report_cards(dash, request, language, common, scene, reports, unit_name=row.name,
                               template="unit.html")


async def reports(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    form_id = request.query.get("hoat-dong") or None
    unit_text = request.query.get("don-vi") or ""
    unit_id = int(unit_text) if unit_text.isdigit() and len(unit_text) < 10 else None
    rows = views.filter_reports(scene, form_id, unit_id)
    shown, number, pages = views.page_of(rows, request.query.get("trang"))
    names = {u.id: u.name for u in scene.snapshot.units}
    labels = {f.id: f.label.get(language) for f in scene.plan.forms}
    return dash.pages.render(request, "reports.html", language=language, rows=shown, page=number, pages=pages,
                             total=len(rows), names=names, labels=labels, form_id=form_id or "", unit_id=unit_id,
                             units=scene.snapshot.units, **common)


async def report(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    report_id = _id(request)
    async with dash.db.transaction() as repos:
        row = await repos.reports.get(report_id)
        if row is None or row.deleted_at is not None or not viewer.sees(row.commune_id):
            raise web.HTTPNotFound()  # another commune's report looks exactly like one that does not exist
        files = await repos.files.listed_for([row.id])
        history = await repos.audit.for_entity("report", row.id)
        people = {p.id: p.name for p in await repos.directory.people(row.commune_id)}
        unit_names = {u.id: u.name for u in await repos.directory.units(row.commune_id, active_only=False)}
        commune = await repos.directory.commune(row.commune_id)
    t = dash.translator.for_language(language)
    plan = dash.plans.for_year(row.commune_id, row.activity_date.year)  # the plan of the report's year
    form = next((f for f in plan.forms if f.id == row.form_id), None)
    field_labels = {f.id: f.label.get(language) for f in form.fields} if form else {}
    return dash.pages.render(
        request, "report_detail.html", language=language, viewer=viewer, report=row, commune=commune.name,
        form_label=form.label.get(language) if form else row.form_id, unit_name=unit_names.get(row.unit_id, ""),
        author=people.get(row.person_id, ""),
        answers=views.answer_lines(plan, row.form_id, dict(row.answers or {}), t, language, unit_names),
        photos=[(name, dash.file_link(file_id, name)) for file_id, _report, name, mime in files
                if mime.startswith("image/")],
        history=views.audit_lines(history, people, plan, language), field_labels=field_labels)


async def petitions(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    rows = views.petition_rows(scene, dash.petition_answer_days)
    return dash.pages.render(request, "petitions.html", language=language, rows=rows,
                             answer_days=dash.petition_answer_days, **common)


async def messages(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    month = dash.clock().astimezone(dash.tz).strftime("%Y-%m")
    async with dash.db.transaction() as repos:
        occurrences = await repos.reminders.occurrences(scene.commune_id)
        reminders = views.reminder_counts(occurrences, scene.period, dash.tz)
        if dash.reminder_config is not None:
            sent = [o.key for o in occurrences if o.status == "sent"
                    and scene.period.contains(o.due_at.astimezone(dash.tz).date())]
            reminders["answered"] = await answered_count(repos, scene.plan, dash.reminder_config,
                                                         scene.commune_id, sent)
        broadcasts = [(b, await repos.broadcasts.delivery_counts(b.id))
                      for b in await repos.broadcasts.latest(scene.commune_id, limit=10)]
        used = await repos.usage.month_total(ZALO, month)
    return dash.pages.render(request, "messages.html", language=language, reminders=reminders,
                             broadcasts=broadcasts, zalo_used=used, zalo_quota=dash.zalo_quota, month=month,
                             **common)


async def downloads(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    return dash.pages.render(request, "downloads.html", language=language, kinds=list(DOWNLOADS), **common)


DOWNLOADS = {"docx": ("docx", DOCX_MIME, False), "docx-dang-uy": ("docx", DOCX_MIME, True),
             "xlsx": ("xlsx", XLSX_MIME, False), "png": ("png", "image/png", False)}


async def download(dash: Dashboard, request: web.Request, viewer: Viewer, language: str) -> web.StreamResponse:
    """One of the period's files, rendered now by the render jobs (summaries/jobs.RenderJobs.files_of: a worker
    process that reads the period itself, or a thread)."""
    kind = DOWNLOADS.get(request.match_info["kind"])
    if kind is None:
        raise web.HTTPNotFound()
    scene, common = await _scene(dash, request, viewer, language)
    if scene is None:
        return _bad_period(dash, request, language, common)
    suffix, mime, party = kind
    rendered = await dash.render_files(scene.summary, commune_id=scene.commune_id, now=dash.clock(), party=party,
                                       chart_language=language, plan=scene.plan)
    name = f"{file_stem(scene.summary, party=party)}.{suffix}"
    response = web.Response(body=getattr(rendered, suffix), content_type=mime,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return with_security_headers(response)


def _id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPNotFound()
    return int(text)


def _with_commune(request: web.Request, commune: str) -> web.Request:
    return request.clone(rel_url=request.rel_url.update_query(xa=commune))


async def _report_cards(dash: Dashboard, request: web.Request, language: str, common: dict[str, Any], scene: Scene,
                        reports: list, *, unit_name: str, template: str) -> web.StreamResponse:
    """A unit's page: its reports of the period, each with answers and photo thumbnails."""
    t = dash.translator.for_language(language)
    shown, number, pages = views.page_of(reports, request.query.get("trang"))
    async with dash.db.transaction() as repos:
        files = await repos.files.listed_for([r.id for r in shown])
    photos: dict[int, list] = {}
    for file_id, report_id, name, mime in files:
        if mime.startswith("image/"):
            photos.setdefault(report_id, []).append((name, dash.file_link(file_id, name)))
    names = {u.id: u.name for u in scene.snapshot.units}
    labels = {f.id: f.label.get(language) for f in scene.plan.forms}
    cards = [(r, views.answer_lines(scene.plan, r.form_id, dict(r.answers), t, language, names),
              photos.get(r.id, [])) for r in shown]
    return dash.pages.render(request, template, language=language, cards=cards, unit_name=unit_name, labels=labels,
                             page=number, pages=pages, total=len(reports), **common)


PAGES = {
    "/d/": overview,
    "/d/don-vi": units,
    "/d/don-vi/{id}": unit,
    "/d/bao-cao": reports,
    "/d/bao-cao/{id}": report,
    "/d/kien-nghi": petitions,
    "/d/nhac-viec": messages,
    "/d/tai-ve": downloads,
    "/d/tai-ve/{kind}": download,
    "/d/tinh/tai-ve/{kind}": province.province_download,
}
# What a province viewer may open: the communes side by side, one commune's indicators (?xa=), the files.
PROVINCE_PAGES = {"/d/", "/d/tinh/tai-ve/{kind}"}
