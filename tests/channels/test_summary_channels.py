"""/tonghop over both fake platforms: Zalo gets split text and signed links that download the right bytes,
Telegram gets the text, two documents and a photo."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx
import pytest
from support.fake_zalo import TEXT_LIMIT, FakeZalo
from support.telegram_harness import TgUser, telegram_bot
from support.zalo_harness import ZaloUser, free_port, running, zalo_app

from core.messages import Reply
from storage.models import Report

ZALO_CHAIR = "7a1b2c3d4e5f60718293"
TG_CHAIR = 424242
LINK = re.compile(r"Tệp (\S+): (http://\S+)")


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def _chair_on(app, channel: str, external_id: str) -> None:
    """The demo chair's account on a platform, and one report so the summary has data."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        chair = next(p for p in await repos.directory.people(commune.id) if p.role == "chair")
        await repos.directory.bind_identity(chair.id, channel, external_id)
        unit = next(u for u in await repos.directory.units(commune.id) if u.kind == "village")
        await repos.reports.add(Report(commune_id=commune.id, unit_id=unit.id, person_id=chair.id, form_id="ngay_hoi",
                                       activity_date=app.clock().date(), created_at=app.clock(),
                                       answers={"ngay": app.clock().date().isoformat(), "so_nguoi_tham_gia": 150}))


async def test_zalo_chair_gets_split_text_and_signed_links_that_download(fake, sqlite_url, clock, tmp_path):
    port = free_port()
    app = await zalo_app(fake, sqlite_url, clock, port=port, public_base_url=f"http://127.0.0.1:{port}",
                         receive_updates="polling",
                         file_link_secret="link-secret-0123456789abcdef")
    await _chair_on(app, "zalo", ZALO_CHAIR)
    async with running(app, tmp_path), httpx.AsyncClient() as http:
        await ZaloUser(app, fake, ZALO_CHAIR).say("/tonghop")
        files = await _files_sent(app, "zalo", ZALO_CHAIR)
        assert (ZALO_CHAIR, "typing") in fake.chat_actions  # shown while the files rendered
        sent = [m for m in fake.sent if m.chat_id == ZALO_CHAIR]
        texts = [m.text for m in sent if m.method == "sendMessage"]
        assert all(1 <= len(t) <= TEXT_LIMIT for t in texts)
        summary = [t for t in texts if not LINK.search(t)]
        assert len(summary) >= 2 and summary[0].startswith("📊 Tổng hợp quý IV năm 2026")  # split at 2000
        assert "1.5.2." in "".join(summary)
        links = dict(LINK.findall("\n".join(texts)))
        photos = [m.photo for m in sent if m.method == "sendPhoto"]
        assert sorted(links) == ["bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx"]
        assert len(photos) == 1 and photos[0].startswith(f"http://127.0.0.1:{port}/files/")
        for url in [*links.values(), photos[0]]:
            response = await http.get(url)
            assert response.status_code == 200
            assert response.content == files[unquote(url.rsplit("/", 1)[1])]
        assert (await http.get(links["bao-cao-2026-Q4-nam-cuong.docx"])).content[:2] == b"PK"
        token = links["bao-cao-2026-Q4-nam-cuong.xlsx"].split("/")[-2]
        file_id, expires, signature = token.split(".")
        forged = [f"{int(file_id) - 1}.{expires}.{signature}", f"{file_id}.{int(expires) + 86400}.{signature}",
                  f"{file_id}.{expires}.{signature[:-2]}xx"]
        for bad in forged:
            assert (await http.get(f"http://127.0.0.1:{port}/files/{bad}/x.xlsx")).status_code == 404, bad
        clock.advance(days=8)  # links live 7 days
        assert (await http.get(links["bao-cao-2026-Q4-nam-cuong.docx"])).status_code == 404
    await app.close()


async def test_zalo_without_a_public_url_says_so_instead_of_a_link(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    assert app.settings.public_base_url is None
    await _chair_on(app, "zalo", ZALO_CHAIR)
    async with running(app, tmp_path):
        await ZaloUser(app, fake, ZALO_CHAIR).say("/tonghop")
    await app.close()
    sent = [m for m in fake.sent if m.chat_id == ZALO_CHAIR]
    text = "\n".join(m.text for m in sent)
    assert [m.method for m in sent if m.method != "sendMessage"] == []
    assert "http" not in text
    for name in ("bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx", "bao-cao-2026-Q4-nam-cuong.png"):
        assert f"Chưa gửi được tệp {name} qua Zalo vì máy chủ của bot chưa có địa chỉ công khai." in text


async def test_telegram_chair_gets_text_two_documents_and_a_photo(database_url, clock):
    async with telegram_bot(database_url, clock) as h:
        await _chair_on(h.app, "telegram", str(TG_CHAIR))
        texts = await TgUser(h, TG_CHAIR).say("/tonghop")
        files = await _files_sent(h.app, "telegram", str(TG_CHAIR))
        assert texts[0].startswith("📊 Tổng hợp quý IV năm 2026") and "1.5.2." in texts[0]
        documents = h.fake.of("sendDocument", TG_CHAIR)
        photos = h.fake.of("sendPhoto", TG_CHAIR)
        assert [(c.ok, sorted(c.files)) for c in documents] == [
            (True, ["bao-cao-2026-Q4-nam-cuong.docx"]), (True, ["bao-cao-2026-Q4-nam-cuong.xlsx"])]
        assert len(photos) == 1 and photos[0].ok
        for call in [*documents, *photos]:
            [(name, content)] = call.files.items()
            assert content == files[name], name
        assert len(h.fake.of("sendMessage", TG_CHAIR)) == 1
        actions = h.fake.of("sendChatAction", TG_CHAIR)
        assert actions and actions[0].params["action"] == "typing"  # shown while the files rendered
        assert actions[0].at < documents[0].at


async def _files_sent(app, channel: str, chat_id: str) -> dict[str, bytes]:
    """The stored files the outbox rows to this chat carry, by name (what the platform must have received)."""
    files = {}
    async with app.db.transaction() as repos:
        for row in await repos.outbox.for_chat(channel, chat_id):
            reply = Reply.from_payload(row.payload)
            for ref in filter(None, (reply.document, reply.photo)):
                files[ref.name] = (await repos.files.get(ref.file_id)).content
    assert sorted(files) == [f"bao-cao-2026-Q4-nam-cuong.{ext}" for ext in ("docx", "png", "xlsx")]
    return files
