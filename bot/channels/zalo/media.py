"""Downloading the photos users send: Zalo's media URLs are public and expire, so fetch them promptly."""

from __future__ import annotations

import logging

import httpx

from bot.channels.tls import shared_tls_context
from bot.channels.zalo.platform import LIMITS
from core.messages import PhotoIn

log = logging.getLogger(__name__)


class PhotoDownloader:
    """The `fetch_photo` given to app.handle: bytes of a photo URL, or None when missing or too large."""

    def __init__(self, *, max_bytes: int = LIMITS.photo_bytes, timeout: float = 20.0,
                 http: httpx.AsyncClient | None = None) -> None:
        self.max_bytes = max_bytes
        self._http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=shared_tls_context())

    async def __call__(self, photo: PhotoIn) -> bytes | None:
        if not photo.url:
            return None
        try:
            return await self._download(photo.url)
        except httpx.HTTPError as exc:
            log.warning("photo download failed: %s", type(exc).__name__)
            return None

    async def _download(self, url: str) -> bytes | None:
        async with self._http.stream("GET", url) as response:
            if response.status_code != 200:
                log.warning("photo download refused: HTTP %s", response.status_code)
                return None
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                log.warning("photo too large: %s bytes declared", declared)
                return None
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:  # the header may be missing or lie: count what arrives
                    log.warning("photo too large: more than %s bytes", self.max_bytes)
                    return None
                chunks.append(chunk)
        return b"".join(chunks) or None

    async def close(self) -> None:
        await self._http.aclose()
