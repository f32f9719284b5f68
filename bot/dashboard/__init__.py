"""The web dashboard: read-only pages for the chair, staff and viewers, opened with a /web link from the chat.

Routes live under /d/ on the bot's one web server (bot/web.py); they read data only through storage/
repositories and summaries/. Everything a page shows is scoped to the communes of the session's person.
"""

from bot.dashboard.routes import register

__all__ = ["register"]
