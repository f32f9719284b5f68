"""Issue 19's small cases, one row each: a clear answer or a clean refusal, nothing stored half, no traceback."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.app import ChatUser, attach_recorder, invite_code, make_app
from support.demo_db import demo_app
from support.fake_zalo import FakeZalo
from support.zalo_harness import free_port, running, wait_until, zalo_app

from bot.channels.telegram import webhook as tg_webhook
from bot.channels.zalo import webhook as zalo_webhook
from bot.links import sign
from storage.models import StoredFile

SECRET = "s3cret_Webhook-0123456789"
INVISIBLE = "\x00\u202e\u200b\u2066\x07\ufeff"


@pytest.mark.parametrize(("path", "header"), [("/zalo", zalo_webhook.SECRET_HEADER),
                                              ("/telegram", tg_webhook.SECRET_HEADER)])
@pytest.mark.parametrize("given", [b"\xff\xfe\xfd", "sécrét".encode(), SECRET.encode() + b"\xc3"],
                         ids=["invalid utf-8", "latin letters", "secret plus a stray byte"])
async def test_a_secret_header_that_is_not_ascii_is_403_not_500(path, header, given, caplog):
    calls = []

    async def record(update):
        calls.append(update)
        return True

    site = web.Application()
    site.router.add_post("/zalo", zalo_webhook.WebhookEndpoint(SECRET, record).handle)
    site.router.add_post("/telegram", tg_webhook.webhook_handler(record, SECRET))
    async with TestServer(site) as server, httpx.AsyncClient() as http:
        response = await http.post(str(server.make_url(path)), json={"update_id": 1}, headers={header: given})
    assert response.status_code == 403 and calls == []
    assert not [r for r in caplog.records if r.exc_info]


async def test_strangers_get_no_answer_in_groups_not_even_to_start(app, clock):
    recorder = attach_recorder(app)
    code = await invite_code(app)
    stranger = ChatUser(app, recorder, "stranger-in-group", chat_kind="group", chat_id="group-1")
    for text in (f"/start {code}", "/start", "/dangkynhom", "xin chào", "/trogiup"):
        assert await stranger.say(text) == [], text
    async with app.db.transaction() as repos:
        assert await repos.directory.person_by_identity("console", "stranger-in-group") is None
    private = ChatUser(app, recorder, "stranger-in-group")  # the same person, privately: the code still works
    assert "Chào đồng chí" in (await private.say(f"/start {code}"))[0]


async def test_names_titles_and_echoed_commands_are_cleaned_before_storing_or_echoing(database_url, clock):
    app = await make_app(database_url, clock)
    try:
        recorder = attach_recorder(app)
        code = await invite_code(app, role="chair", unit=None)
        chair = ChatUser(app, recorder, "chair-x", name=f"Bà{INVISIBLE} Lan\nGiả")
        assert "Chào đồng chí Bà Lan Giả" in (await chair.say(f"/start {code}"))[0]
        unknown = await chair.say(f"/xy{INVISIBLE}z")
        assert unknown[0] == app.translator.for_language("vi")("err.unknown_command", command="xyz")
        group = ChatUser(app, recorder, "chair-x", name=f"Bà{INVISIBLE} Lan", chat_kind="group", chat_id="g-nul")
        group.inbound = _titled(group.inbound, f"Thôn{INVISIBLE} Một")
        assert await group.say("/dangkynhom")  # answered: the NUL in the title no longer breaks PostgreSQL
        assert await chair.say("/trogiup")  # and every later message of that person still works
        async with app.db.transaction() as repos:
            person = await repos.directory.person_by_identity("console", "chair-x")
            chat = await repos.chats.get("console", "g-nul")
        assert person.name == "Bà Lan Giả" and chat.title == "Thôn Một"
    finally:
        await app.close()


def _titled(make_inbound, title):
    from dataclasses import replace

    def inbound(*args, **kwargs):
        return replace(make_inbound(*args, **kwargs), chat_title=title)
    return inbound


async def test_a_half_sent_request_is_cut_off(app):
    app.web.head_timeout = 0.3
    app.web.port = free_port()
    await app.web.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", app.web.port)
        writer.write(b"POST /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never the rest
        await writer.drain()
        async with asyncio.timeout(5):
            assert await reader.read() == b""  # the server closed the connection
        writer.close()
    finally:
        await app.web.stop()


async def test_a_newline_in_an_event_name_forges_no_log_line(tmp_path, clock, caplog):
    fake = await FakeZalo().start()
    app = await zalo_app(fake, f"sqlite+aiosqlite:///{tmp_path}/z.db", clock, webhook=True)
    try:
        async with running(app, tmp_path):
            await wait_until(lambda: fake.webhook_url)
            forged = {"event_name": "message.x\n2026-01-01 ERROR bot: FORGED", "message": {"text": "no chat"}}
            with caplog.at_level(logging.INFO):
                assert await fake.deliver(forged) == 200
        lines = [r.getMessage() for r in caplog.records if "skipping update" in r.getMessage()]
        assert lines and all("\n" not in line for line in lines) and "\\n" in lines[0]
    finally:
        await app.close()
        await fake.stop()


@pytest.fixture
async def served(tmp_path, clock):
    app = await demo_app(tmp_path, clock, public_base_url="https://bot.example.org", file_link_secret="k" * 32)
    async with app.db.transaction() as repos:
        files = {name: await repos.files.add(StoredFile(kind=kind, name=name, mime=mime, size=5, content=b"HELLO",
                                                        created_at=clock()))
                 for name, kind, mime in (("tong hop.docx", "document", "application/vnd.openxmlformats-officedocument"
                                           ".wordprocessingml.document"), ("anh.jpg", "photo", "image/jpeg"),
                                          ("page.html", "document", "text/html"))}
    async with TestClient(TestServer(app.web.app)) as client:
        yield app, client, {name: row.id for name, row in files.items()}
    await app.close()


async def test_a_signed_link_with_an_absurd_id_is_404(served, clock):
    _, client, _ = served
    for absurd in (10**30, 2**31, 0):
        token = sign(absurd, clock() + timedelta(hours=1), b"k" * 32)
        assert (await client.get(f"/files/{token}/x.docx")).status == 404, absurd
    superscript = sign(1, clock() + timedelta(hours=1), b"k" * 32).replace("1", "\u00b9", 1)
    assert (await client.get(f"/files/{superscript}/x.docx")).status == 404


@pytest.mark.parametrize(("name", "disposition"), [("tong hop.docx", "attachment"), ("page.html", "attachment"),
                                                   ("anh.jpg", "inline")])
async def test_files_are_served_with_nosniff_and_documents_as_attachments(served, name, disposition):
    app, client, ids = served
    response = await client.get(app.web.file_url(ids[name], name).removeprefix("https://bot.example.org"))
    assert response.status == 200 and await response.read() == b"HELLO"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith(disposition + ";")
