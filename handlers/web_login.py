"""Dashboard login links: 128 random bits, single use, 10 minutes; only the SHA-256 of the token is stored.

The chat (/web) issues a link; the web server (bot/dashboard/auth.py) redeems it for a session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from storage.repositories import Repositories

LOGIN_TTL = timedelta(minutes=10)
LOGIN_PATH = "/d/dang-nhap/"
TOKEN_BYTES = 16  # 128 bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    """Only what new_token makes (22 url-safe characters): anything else is not even looked up."""
    return len(token) == 22 and all(c.isalnum() or c in "-_" for c in token)


async def issue_login(repos: Repositories, person_id: int, now: datetime, ttl: timedelta = LOGIN_TTL) -> str:
    """Store a new single-use login link's hash; the token itself is only ever sent to its person."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await repos.web_sessions.add_login(token_hash(token), person_id, now, now + ttl)
    return token
