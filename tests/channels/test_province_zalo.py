"""A province viewer on Zalo (numbered text, no buttons, no attachments): registers with a `--role province`
invite, and /tonghop answers with the communes as numbered lines and the DOCX/XLSX as signed links."""

from __future__ import annotations

import re

import httpx
import pytest
from support.fake_zalo import TEXT_LIMIT, FakeZalo
from support.province_data import province_invite, three_communes
from support.zalo_harness import ZaloUser, free_port, running, wait_until, zalo_app

ZALO_VIEWER = "9f8e7d6c5b4a39281706"
LINK = re.compile(r"Tệp (\S+): (http://\S+)")


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def test_a_province_viewer_on_zalo_reads_the_communes_as_numbered_text_and_gets_links(fake, sqlite_url, clock,
                                                                                            tmp_path):
    port = free_port()
    app = await zalo_app(fake, sqlite_url, clock, port=port, public_base_url=f"http://127.0.0.1:{port}",
                         receive_updates="polling", file_link_secret="link-secret-0123456789abcdef")
    await three_communes(app)
    viewer = ZaloUser(app, fake, ZALO_VIEWER)
    async with running(app, tmp_path), httpx.AsyncClient() as http:
        welcome = await viewer.say(f"bắt đầu {await province_invite(app)}")
        assert "theo dõi cấp tỉnh" in welcome[0]
        await viewer.say("tong hop")  # typed, without the slash or diacritics
        await wait_until(lambda: len(LINK.findall("\n".join(fake.texts_to(ZALO_VIEWER)))) == 2)
        texts = fake.texts_to(ZALO_VIEWER)
        assert all(1 <= len(text) <= TEXT_LIMIT for text in texts)
        whole = "\n".join(texts)
        assert re.search(r"^1\. Nam Cường: \d+ báo cáo", whole, re.M)
        assert re.search(r"^2\. Phúc Lộc: 2 báo cáo; 2/4 đơn vị chưa báo cáo", whole, re.M)
        assert "Minh Tân" not in whole
        links = dict(LINK.findall(whole))
        assert sorted(links) == ["tong-hop-tinh-2026-Q4-thai-nguyen.docx", "tong-hop-tinh-2026-Q4-thai-nguyen.xlsx"]
        for url in links.values():
            response = await http.get(url)
            assert response.status_code == 200 and response.content[:2] == b"PK"
        assert not [m for m in fake.sent if m.chat_id == ZALO_VIEWER and m.method == "sendPhoto"]
    await app.close()
