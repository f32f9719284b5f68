"""The dashboard's routes on the bot's web server, and the request plumbing they share."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.dashboard import auth
from bot.dashboard.cache import SceneCache
from bot.dashboard.province_cache import ProvinceRows
from bot.dashboard.render import Pages
from bot.dashboard.scope import Viewer
from core.i18n import Translator
from plan.book import PlanBook
from plan.periods import Period, business_date, current_quarter
from plan.schema import Plan
from reminders.config import ReminderConfig
from storage.db import Database
from summaries.service import Rendered

log = logging.getLogger(__name__)
Render = Callable[..., Awaitable[Rendered]]
FileLink = Callable[[int, str], "str | None"]
# A province page compiles the rows it has no current copy of for at most this long (plus the commune under way),
# then shows the others as being updated and reloads: the page stays within 1 s (issue 18) even with no row kept.
PROVINCE_BUDGET = 0.4


@dataclass
class Dashboard:
    """What the pages need, handed over by the app factory (nothing module-level)."""

    db: Database
    plan: Plan
    translator: Translator
    tz: ZoneInfo
    clock: Callable[[], datetime]
    session_ttl: timedelta
    secure_cookie: bool
    render_files: Render  # the render jobs' files_of: summary → DOCX, XLSX, PNG (summaries/jobs.py)
    file_link: FileLink  # a short-lived signed /files/ link to a report photo, or None without a secret
    petition_answer_days: int = 30
    zalo_quota: int = 3000
    plans: PlanBook | None = None  # each commune's plan (plan/book.py): the province page compiles each with its own
    reminder_config: ReminderConfig | None = None  # the reminders' schedule: which reminders were answered
    province_budget: float | None = PROVINCE_BUDGET  # seconds a province page may compile rows not kept; None: all

    def __post_init__(self) -> None:
        self.pages = Pages(self.translator, self.tz)
        self.scenes = SceneCache()
        self.province_rows = ProvinceRows()
        if self.plans is None:
            self.plans = PlanBook(self.plan)

    def plan_of(self, commune_id: int | None) -> Plan:
        """The commune's plan of this year (plan/book.py); PLAN_FILE's without a commune."""
        if commune_id is None:
            return self.plan
        return self.plans.for_day(commune_id, business_date(self.clock(), self.tz))

    def current_period(self, plan: Plan | None = None) -> Period:
        now, year = self.clock(), (plan or self.plan).year
        period = current_quarter(now, self.tz)
        if period.year == year:
            return period
        return Period(year, "year") if period.year > year else Period.quarter(year, 1)

    def period(self, request: web.Request, plan: Plan | None = None) -> Period | None:
        """`?ky=2026-Q3` (a period of the plan year), the current quarter when absent, None when not a period."""
        plan = plan or self.plan
        asked = request.query.get("ky")
        if not asked:
            return self.current_period(plan)
        try:
            period = Period.parse_key(asked[:12])
        except ValueError:
            return None
        return period if period.year == plan.year else None

    def periods(self, plan: Plan | None = None) -> list[Period]:
        year = (plan or self.plan).year
        return [*(Period.quarter(year, q) for q in (1, 2, 3, 4)), Period(year, "half"), Period(year, "nine_months"),
                Period(year, "year")]


DASHBOARD = web.AppKey("dashboard", Dashboard)
Page = Callable[[Dashboard, web.Request, Viewer, str], Awaitable[web.StreamResponse]]


def page(handler: Page, *, province_ok: bool = False) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page for a logged-in viewer: without a live session, a clear page asking for a new /web link.

    A province viewer gets only the pages marked `province_ok` (numbers and unit names); the others show people
    of a commune and are a 404 to them, exactly like a page of another commune."""
    async def serve(request: web.Request) -> web.StreamResponse:
        dash: Dashboard = request.app[DASHBOARD]
        async with dash.db.transaction() as repos:
            viewer = await auth.current_viewer(repos, request, dash.clock())
        if viewer is None:
            language = dash.pages.language(request, dash.translator.default_language)
            t = dash.translator.for_language(language)
            return dash.pages.message(request, t("dash.login.needed_title"), t("dash.login.needed"),
                                      language=language, status=401)
        language = dash.pages.language(request, viewer.language)
        try:
            if viewer.province and not province_ok:
                raise web.HTTPNotFound()
            return await handler(dash, request, viewer, language)
        except web.HTTPNotFound:
            t = dash.translator.for_language(language)
            return dash.pages.message(request, t("dash.not_found_title"), t("dash.not_found"), language=language,
                                      status=404, viewer=viewer)
    return serve


async def login_page(request: web.Request) -> web.StreamResponse:
    """GET: a button, not a login — link previews of chat apps fetch links and must not use them up."""
    dash: Dashboard = request.app[DASHBOARD]
    language = dash.pages.language(request, dash.translator.default_language)
    async with dash.db.transaction() as repos:
        state = await auth.login_state(repos, request.match_info["token"], dash.clock())
    if state != "ok":
        return _login_refused(dash, request, state, language)
    return dash.pages.render(request, "login.html", language=language, viewer=None)


async def login(request: web.Request) -> web.StreamResponse:
    dash: Dashboard = request.app[DASHBOARD]
    language = dash.pages.language(request, dash.translator.default_language)
    async with dash.db.transaction() as repos:
        state, session_id = await auth.redeem(repos, request.match_info["token"], dash.clock(), dash.session_ttl)
    if session_id is None:
        return _login_refused(dash, request, state, language)
    log.info("dashboard session opened")
    response = web.Response(status=303, headers={"Location": "/d/"})
    auth.set_session_cookie(response, session_id, dash.session_ttl, secure=dash.secure_cookie)
    auth.with_security_headers(response)
    return response


def _login_refused(dash: Dashboard, request: web.Request, state: str, language: str) -> web.StreamResponse:
    t = dash.translator.for_language(language)
    return dash.pages.message(request, t("dash.login.refused_title"), t(f"dash.login.{state}"), language=language,
                              status=410 if state in ("used", "expired") else 403 if state == "inactive" else 404)


async def logout(request: web.Request) -> web.StreamResponse:
    dash: Dashboard = request.app[DASHBOARD]
    form = await request.post()
    async with dash.db.transaction() as repos:
        viewer = await auth.current_viewer(repos, request, dash.clock())
        if viewer is not None and auth.csrf_ok(viewer, str(form.get("csrf", ""))):
            await repos.web_sessions.end(viewer.session_id, dash.clock())
        elif viewer is not None:
            language = dash.pages.language(request, viewer.language)
            t = dash.translator.for_language(language)
            return dash.pages.message(request, t("dash.logout.refused_title"), t("dash.logout.refused"),
                                      language=language, status=403, viewer=viewer)
    language = dash.pages.language(request, viewer.language if viewer else dash.translator.default_language)
    t = dash.translator.for_language(language)
    response = dash.pages.message(request, t("dash.logout.done_title"), t("dash.logout.done"), language=language,
                                  status=200)
    auth.clear_session_cookie(response, secure=dash.secure_cookie)
    return response


async def stylesheet(_request: web.Request) -> web.StreamResponse:
    css = resources.files("bot.dashboard").joinpath("static/dashboard.css").read_bytes()
    response = web.Response(body=css, content_type="text/css", headers={"Cache-Control": "private, max-age=3600"})
    return auth.with_security_headers(response)


def secure_cookie_for(public_base_url: str | None) -> bool:
    """Secure cookies unless the dashboard is served over plain http on a non-loopback host (development)."""
    if not public_base_url or public_base_url.startswith("https://"):
        return True
    host = urlsplit(public_base_url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1")  # browsers treat loopback as a secure context


def register(app: web.Application, dashboard: Dashboard) -> None:
    """Add the dashboard's routes (all under /d/) to the web server's application."""
    from bot.dashboard import pages

    app[DASHBOARD] = dashboard
    router = app.router
    router.add_get("/d/dang-nhap/{token}", login_page)
    router.add_post("/d/dang-nhap/{token}", login)
    router.add_post("/d/dang-xuat", logout)
    router.add_get("/d/static/dashboard.css", stylesheet)
    for path, handler in pages.PAGES.items():
        router.add_get(path, page(handler, province_ok=path in pages.PROVINCE_PAGES))
