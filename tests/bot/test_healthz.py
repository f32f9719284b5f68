"""GET /healthz: what a load balancer or systemd watchdog asks each bot process (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.app import make_app
from support.zalo_harness import free_port

from core.messages import Reply


async def test_healthz_answers_ok_with_the_pending_outbox_then_503_when_the_database_is_gone(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, web_port=free_port())
    await app.web.start()
    url = f"http://127.0.0.1:{app.settings.web_port}/healthz"
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            empty = await http.get(url)
            async with app.db.transaction() as repos:
                for n in range(3):
                    await repos.outbox.enqueue(channel="zalo", chat_id="c1", payload=Reply(text=f"m{n}").to_payload(),
                                               dedupe_key=f"k{n}", now=clock())
            pending = await http.get(url)
            await app.db.dispose()
            for suffix in ("", "-wal", "-shm"):  # the database file vanishes under the running process
                Path(sqlite_url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
            broken = await http.get(url)
    finally:
        await app.web.stop()
        await app.close()
    def summary(response: httpx.Response) -> tuple:
        body = response.json()
        return response.status_code, body["ok"], body["database"], body["outbox_pending"], body["channels"]

    assert summary(empty) == (200, True, "ok", 0, {})  # no channel runs here: nothing to report on
    assert summary(pending) == (200, True, "ok", 3, {})
    assert (broken.status_code, broken.json()) == (503, {"ok": False, "database": "unavailable"})
