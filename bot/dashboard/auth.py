"""Logging in with a /web link, the session cookie, logging out (CSRF-checked), and the security headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from aiohttp import web

from bot.dashboard.scope import Viewer, commune_scope
from handlers.web_login import token_hash, well_formed
from storage.repositories import Repositories

SESSION_COOKIE = "mttq_session"
SESSION_BYTES = 32  # 256 random bits; only their SHA-256 is stored
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the login token and report ids never leave in a Referer
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def with_security_headers(response: web.StreamResponse) -> web.StreamResponse:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def login_state(repos: Repositories, token: str, now: datetime) -> str:
    """What a login link is now: "ok", "used", "expired", "inactive" or "unknown" (forged or mistyped)."""
    login = await repos.web_sessions.login(token_hash(token)) if well_formed(token) else None
    if login is None:
        return "unknown"
    if login.used_at is not None:
        return "used"
    if login.expires_at <= now:
        return "expired"
    person = await repos.directory.person(login.person_id)
    return "ok" if person is not None and person.active else "inactive"


async def redeem(repos: Repositories, token: str, now: datetime, ttl: timedelta) -> tuple[str, str | None]:
    """Use the link once and open a session: (state, the new session id for the cookie or None)."""
    state = await login_state(repos, token, now)
    if state != "ok":
        return state, None
    login = await repos.web_sessions.login(token_hash(token))
    if not await repos.web_sessions.use_login(login.id, now):
        return "used", None  # another request won the race for the same link
    session_id = secrets.token_urlsafe(SESSION_BYTES)
    await repos.web_sessions.open(session_hash(session_id), login.person_id, secrets.token_urlsafe(24), now,
                                  now + ttl)
    return "ok", session_id


async def current_viewer(repos: Repositories, request: web.Request, now: datetime) -> Viewer | None:
    """The session's viewer, or None (no cookie, tampered, expired, logged out, or the person deactivated)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie or len(cookie) > 100:
        return None
    found = await repos.web_sessions.live(session_hash(cookie), now)
    if found is None:
        return None
    session, person = found
    return Viewer(session_id=session.id, csrf_token=session.csrf_token, person_id=person.id, name=person.name,
                  role=person.role, language=person.language, commune_ids=await commune_scope(repos, person))


def csrf_ok(viewer: Viewer, submitted: str) -> bool:
    return bool(submitted) and hmac.compare_digest(viewer.csrf_token.encode(), submitted.encode())


def set_session_cookie(response: web.StreamResponse, session_id: str, ttl: timedelta, *, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, session_id, max_age=int(ttl.total_seconds()), path="/d/", httponly=True,
                        secure=secure, samesite="Strict")


def clear_session_cookie(response: web.StreamResponse, *, secure: bool) -> None:
    response.del_cookie(SESSION_COOKIE, path="/d/", secure=secure, httponly=True, samesite="Strict")
