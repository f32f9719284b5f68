"""Fixtures the Zalo tests share: the fake Zalo server, and a client talking to it."""

from __future__ import annotations

import pytest
from support.fake_zalo import FakeZalo

from bot.channels.zalo.client import ZaloClient


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake):
    zalo = ZaloClient(fake.token, fake.url)
    yield zalo
    await zalo.close()
