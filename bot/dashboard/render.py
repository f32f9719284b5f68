"""Jinja2 templates shipped with the package: autoescaped, every text from the locales/ catalogs."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.dashboard.auth import with_security_headers
from core.i18n import Translator
from summaries.text_util import fmt_date, fmt_number, fmt_value

LANGUAGES = ("vi", "en")
LANG_COOKIE = "mttq_lang"


def environment(tz: ZoneInfo):
    # Imported on the first page view, not at start-up: most processes never serve one.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("bot.dashboard", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, enable_async=False)
    env.filters.update(date=fmt_date, number=fmt_number, value=fmt_value,
                       when=lambda moment: moment.astimezone(tz).strftime("%d/%m/%Y %H:%M"))
    return env


class Pages:
    """Renders one template for one request, in the reader's language."""

    def __init__(self, translator: Translator, tz: ZoneInfo) -> None:
        self.translator, self.tz = translator, tz
        self._env = None

    @property
    def env(self):
        if self._env is None:
            self._env = environment(self.tz)
        return self._env

    def language(self, request: web.Request, default: str) -> str:
        asked = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
        return asked if asked in LANGUAGES else (default if default in LANGUAGES else "vi")

    def render(self, request: web.Request, template: str, *, language: str, status: int = 200,
               **values: Any) -> web.Response:
        t = self.translator.for_language(language)
        html = self.env.get_template(template).render(t=t, lang=language, path=request.path,
                                                      query=dict(request.query), **values)
        response = web.Response(text=html, content_type="text/html", charset="utf-8", status=status)
        if request.query.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, path="/d/", httponly=True,
                                samesite="Lax")
        return with_security_headers(response)

    def message(self, request: web.Request, title: str, text: str, *, language: str, status: int,
                viewer: Any = None) -> web.Response:
        """A clear page with one title and one sentence: a used link, an expired session, a wrong period…"""
        return self.render(request, "message.html", language=language, status=status, title=title, text=text,
                           viewer=viewer)
