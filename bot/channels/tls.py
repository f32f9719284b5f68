"""One TLS context for every HTTP client the channels build: reading the CA bundle costs ~50 ms each time.

Zalo's API and media clients and python-telegram-bot's two clients each loaded the same bundle at start-up
(four loads, ~0.2 s before `/healthz`); an `ssl.SSLContext` is safe to share between clients.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def shared_tls_context() -> ssl.SSLContext:
    """httpx's own default (certifi, or SSL_CERT_FILE / SSL_CERT_DIR from the environment), built once."""
    return httpx.create_ssl_context()
