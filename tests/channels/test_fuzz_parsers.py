"""Malformed platform payloads: both parsers skip them with a reason, both webhooks answer without crashing."""

from __future__ import annotations

import copy
import json
import logging
from datetime import datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.app import VN
from support.fake_telegram import press_update
from support.fake_telegram import text_update as tg_text
from support.fake_zalo import image_update
from support.fake_zalo import text_update as zalo_text
from support.telegram_harness import SECRET, telegram_bot

from bot.channels.telegram import parse as tg_parse
from bot.channels.telegram.webhook import SECRET_HEADER as TG_HEADER
from bot.channels.telegram.webhook import webhook_path as tg_path
from bot.channels.zalo import parse as zalo_parse
from bot.channels.zalo.webhook import SECRET_HEADER as ZALO_HEADER
from bot.channels.zalo.webhook import WebhookEndpoint
from core.messages import Inbound

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["", "PRIVATE", "GROUP", "private", "group", "channel",
                                                           "/baocao", "k:abc:1", "message.text.received"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                             max_size=4), max_leaves=12)
ZALO_SEEDS = [zalo_text("u1", "bao cao"), zalo_text("g1", "@Bot /baocao", chat_type="GROUP"),
              image_update("u1", "https://example.org/a.jpg")]
TG_SEEDS = [{"update_id": 7, **tg_text(5, "/baocao")}, {"update_id": 8, **press_update(5, 3, "k:abc:1")},
            {"update_id": 9, **tg_text(5, "hi", chat={"id": -100, "type": "supergroup", "title": "Nhóm"})}]


def _paths(value, prefix=()):
    """Every place in a JSON document where a value sits."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))


@st.composite
def mutated(draw, seeds: list[dict]) -> dict:
    """A real-shaped update with one to three values replaced by arbitrary JSON (or removed)."""
    update = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(update) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = update
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent[path[-1]] = draw(JSON)
        else:
            parent.pop(path[-1], None)
    return update


def _zalo_outcome(body) -> Inbound | str | None:
    """What the Zalo adapter makes of a body: an Inbound, a ParseProblem's reason, or None (empty)."""
    try:
        update = zalo_parse.unwrap(body)
        return None if update is None else zalo_parse.parse_update(update, now=NOW, bot_names=("Bot",))
    except zalo_parse.ParseProblem as problem:
        return str(problem)


def _sane(inbound: Inbound) -> None:
    assert isinstance(inbound.chat_id, str) and isinstance(inbound.sender_id, str) and inbound.chat_id
    assert isinstance(inbound.text, str) and len(inbound.text) <= zalo_parse.TEXT_CAP
    assert inbound.received_at.tzinfo is not None and inbound.chat_kind in ("private", "group")


@FAST
@given(st.one_of(JSON, mutated(ZALO_SEEDS)))
def test_zalo_parser_skips_what_it_cannot_use(body):
    outcome = _zalo_outcome(body)
    if isinstance(outcome, Inbound):
        _sane(outcome)
        assert len(outcome.chat_id) <= zalo_parse.ID_CAP
    elif isinstance(outcome, str):
        assert outcome  # a reason to log; never an exception


@FAST
@given(st.one_of(JSON, mutated(TG_SEEDS)))
@example({"update_id": 7, **tg_text(5, "/baocao", chat={"id": "", "type": "private"})})  # found: an empty chat id
@example({"update_id": 7, **tg_text(5, "/baocao", chat={"id": True, "type": "private"})})
def test_telegram_parser_skips_what_it_cannot_use(body):
    parsed = tg_parse.parse_update(body, bot_username="mttq_bot", now=NOW)
    assert parsed.inbound is not None or parsed.press is not None or parsed.skipped
    if parsed.inbound is not None:
        _sane(parsed.inbound)


BAD_BODIES = [
    ("not json", b"{not json", {400, 200}),
    ("not utf-8", b"\xff\xfe\x00{", {400, 200}),
    ("json array", b"[1, 2, 3]", {200}),
    ("json number", b"42", {200}),
    ("json string", b'"hello"', {200}),
    ("null", b"null", {200}),
    ("deep nesting", b"[" * 5000 + b"]" * 5000, {200, 400}),
    ("update without message", b'{"event_name": "message.text.received"}', {200}),
    ("update_id only", b'{"update_id": 1}', {200}),
    ("message is a list", b'{"update_id": 2, "event_name": "x", "message": []}', {200}),
    ("ids are objects", json.dumps(zalo_text("u", "hi") | {"message": {"chat": {"id": {}}, "from": []}}).encode(),
     {200}),
    ("too large", b'{"a": "' + b"x" * (2 << 20) + b'"}', {413}),
]


@pytest.fixture
def errors():
    caught: list[logging.LogRecord] = []
    catcher = logging.Handler(logging.ERROR)
    catcher.emit = caught.append
    logging.getLogger().addHandler(catcher)
    yield caught
    logging.getLogger().removeHandler(catcher)


async def test_zalo_webhook_answers_malformed_bodies_without_crashing(errors):
    handled: list[dict] = []

    async def on_update(update: dict) -> bool:
        outcome = _zalo_outcome(update)
        handled.append(update)
        return isinstance(outcome, Inbound)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/hook", WebhookEndpoint("secret-0123456789", on_update).handle)
    async with TestClient(TestServer(app)) as client:
        for case, body, statuses in BAD_BODIES:
            response = await client.post("/hook", data=body, headers={ZALO_HEADER: "secret-0123456789"})
            assert response.status in statuses, case
    assert not errors and all(isinstance(update, dict) for update in handled)


async def test_telegram_webhook_answers_malformed_bodies_without_crashing(sqlite_url, clock, errors):
    async with telegram_bot(sqlite_url, clock, webhook=True) as bot:
        for case, body, statuses in BAD_BODIES:
            response = await bot.web.post(tg_path(SECRET), data=body, headers={TG_HEADER: SECRET})
            assert response.status in statuses | {200}, case
            assert response.status != 500, case
        fine = await bot.web.post(tg_path(SECRET), json={"update_id": 99, **tg_text(5, "xin chào")},
                                  headers={TG_HEADER: SECRET})
        await bot.app.outbox.drain()
        assert fine.status == 200 and bot.fake.texts(5), "the bot still answers after the garbage"
    assert not errors, [r.getMessage() for r in errors]
