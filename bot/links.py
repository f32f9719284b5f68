"""Signed, expiring links to stored files (how Zalo users receive documents and charts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

MAX_FILE_ID = 2**31 - 1  # the largest integer key PostgreSQL's INTEGER holds


def _signature(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(file_id: int, expires_at: datetime, secret: bytes) -> str:
    """A token naming the file and its expiry, forgeable only with the secret."""
    message = f"{file_id}.{int(expires_at.timestamp())}"
    return f"{message}.{_signature(secret, message)}"


def verify(token: str, secret: bytes, now: datetime) -> int | None:
    """The file id if the token is authentic and unexpired, else None."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_plain_number(part) for part in parts[:2]):
        return None
    message = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(secret, message), parts[2]):
        return None
    if int(parts[1]) < now.timestamp():
        return None
    file_id = int(parts[0])
    return file_id if 0 < file_id <= MAX_FILE_ID else None  # an absurd id is "not found", not a database error


def _plain_number(text: str) -> bool:
    """ASCII digits only, and not absurdly many ("²" or "١" pass str.isdigit but are no id or time)."""
    return 0 < len(text) <= 20 and text.isascii() and text.isdigit()


def link_secret(configured: str | None, webhook_secret: str | None) -> bytes | None:
    """FILE_LINK_SECRET, else one derived from WEBHOOK_SECRET (so one secret is enough to set up)."""
    if configured:
        return configured.encode()
    if webhook_secret:
        return hmac.new(webhook_secret.encode(), b"mttq-bot file links", hashlib.sha256).digest()
    return None


DEFAULT_LINK_TTL = timedelta(days=7)
