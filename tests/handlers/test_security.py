"""Who may run what, invite codes, webhook secrets, signed file links: the bot's security promises, checked."""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import math
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.app import ChatUser, attach_recorder, invite_code, make_app
from support.demo_db import demo_app
from support.fake_zalo import FakeZalo
from support.fake_zalo import text_update as zalo_text
from support.province_data import province_invite
from support.report_menu import open_form
from support.telegram_harness import SECRET as TG_SECRET
from support.telegram_harness import TOKEN as TG_TOKEN
from support.telegram_harness import TgUser, telegram_bot
from support.zalo_harness import ZaloUser, running, wait_until, zalo_app

from bot.channels.telegram import webhook as tg_webhook
from bot.channels.zalo import webhook as zalo_webhook
from bot.demo import DEMO_PEOPLE
from bot.links import link_secret, sign
from core import invite_codes
from handlers import invites
from handlers.commands import COMMANDS
from storage.models import Invite, StoredFile

ALL = frozenset({"admin", "chair", "staff", "reporter", "viewer"})
EVERYONE = ALL | {"province"}  # a province viewer (read-only, every commune of a province) has an account too
REPORTING = frozenset({"admin", "chair", "staff", "reporter"})
STAFF = frozenset({"admin", "chair", "staff"})
# The access policy, written out by hand: a command added to COMMANDS must be added here on purpose.
# command: (roles that may run it, only in a private chat)
POLICY = {
    "start": (EVERYONE, False), "trogiup": (EVERYONE, False), "ngonngu": (EVERYONE, True), "huy": (EVERYONE, False),
    "dangkynhom": (ALL, False), "huynhom": (ALL, False),  # they check the role themselves (chair/admin)
    "baocao": (REPORTING, True), "cuatoi": (REPORTING, True), "lich": (REPORTING, False),
    "kiennghi": (REPORTING, True),
    "kyhop": (STAFF, False), "moi": (STAFF, True), "thongbao": (STAFF, True), "nhom": (STAFF, True),
    "tonghop": (STAFF | {"viewer", "province"}, False),
    "web": (STAFF | {"viewer", "province"}, True),  # a single-use login link must not be posted in a group
    "donvi": (STAFF, True), "nguoi": (STAFF, True), "chiso": (STAFF, True),  # directory administration
}
SENDERS = [*(role for _, _, role, _ in DEMO_PEOPLE), "province", "unregistered"]
NAMES = {console_id: name for console_id, name, _, _ in DEMO_PEOPLE} | {"province": "Ban Thường trực tỉnh Thái Nguyên"}


@pytest.fixture
async def app(tmp_path, clock):
    app = await demo_app(tmp_path, clock)
    yield app
    await app.close()


def expected_outcome(command: str, sender: str, chat_kind: str) -> str:
    """What the policy says happens: "runs", "refused", "private_only", "unregistered", "need_code" or "silent"."""
    roles, private_only = POLICY[command]
    if sender == "unregistered":
        if chat_kind == "group":
            return "silent"  # not even /start: registering happens in private
        return "need_code" if command == "start" else "unregistered"
    if sender not in roles:
        return "refused"
    return "private_only" if private_only and chat_kind == "group" else "runs"


def observed_outcome(app, replies: list[str], sender: str) -> str:
    t = app.translator.for_language("vi")
    known = {t("err.not_allowed"): "refused", t("start.unregistered"): "unregistered",
             t("start.need_code"): "need_code",
             t("group.use_private_chat", name=NAMES.get(sender, "")): "private_only"}
    if not replies:
        return "silent"
    return known.get(replies[0], "runs")


def test_the_policy_table_names_every_command():
    assert set(POLICY) == set(COMMANDS)
    for name, (roles, private_only) in POLICY.items():
        assert (COMMANDS[name].roles, COMMANDS[name].private_only) == (roles, private_only), name


@pytest.mark.parametrize("chat_kind", ["private", "group"])
async def test_role_by_command_matrix(app, clock, chat_kind):
    """Every command, sent by every role and a stranger: the allowed ones start, the rest are refused."""
    recorder = attach_recorder(app)
    await ChatUser(app, recorder, "province").say(f"/start {await province_invite(app)}")
    table, wrong = [], []
    for sender in SENDERS:
        user = ChatUser(app, recorder, sender, NAMES.get(sender, "Người lạ"), chat_kind=chat_kind,
                        chat_id=f"group-{sender}" if chat_kind == "group" else None)
        for command in POLICY:
            if command == "tonghop" and sender not in ("chair", "reporter", "province", "unregistered"):
                continue  # renders three files per call: one allowed and the refused roles are enough
            if sender == "unregistered":
                clock.advance(days=1)  # a stranger is answered at most twice a day: each command on a new day
            replies = await user.say(f"/{command}")
            expected, seen = expected_outcome(command, sender, chat_kind), observed_outcome(app, replies, sender)
            table.append((sender, command, expected))
            if seen != expected:
                wrong.append((sender, command, expected, seen, replies[:1]))
    assert not wrong, wrong
    assert {outcome for *_, outcome in table} >= {"runs", "refused", "unregistered" if chat_kind == "private"
                                                  else "silent", *(["private_only"] if chat_kind == "group" else [])}


# --- invite codes ------------------------------------------------------------------------------------------------

def test_invite_codes_are_unguessable():
    assert len(set(invite_codes.ALPHABET)) == len(invite_codes.ALPHABET) == 32
    bits = invite_codes.CODE_LENGTH * math.log2(len(invite_codes.ALPHABET))
    assert bits >= 60, bits
    assert "secrets." in inspect.getsource(invite_codes.new_code)  # a CSPRNG, not random.random
    codes = [invite_codes.new_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    assert all(len(invite_codes.normalise_code(code)) == invite_codes.CODE_LENGTH for code in codes)
    assert set("".join(codes).replace("-", "")) == set(invite_codes.ALPHABET)  # every symbol is used


async def _invite(app, **ttl) -> str:
    return await invite_code(app, ttl=timedelta(**ttl) if ttl else None)


async def test_invite_codes_are_stored_hashed_single_use_and_expiring(app, clock):
    recorder = attach_recorder(app)
    t = app.translator.for_language("vi")
    code, short_lived = await _invite(app), await _invite(app, hours=1)
    async with app.db.transaction() as repos:
        rows = [await repos.invites.by_hash(invites.code_hash(c)) for c in (code, short_lived)]
    pairs = zip(rows, (code, short_lived), strict=True)
    assert all(row.code_hash != invite_codes.normalise_code(c) for row, c in pairs)
    first, second = ChatUser(app, recorder, "first"), ChatUser(app, recorder, "second")
    assert "Chào đồng chí" in (await first.say(f"/start {code}"))[0]
    assert await second.say(f"/start {code}") == [t("start.invite_used")]
    clock.advance(hours=1)
    assert await second.say(f"/start {short_lived}") == [t("start.invite_expired")]


async def test_failed_invite_attempts_are_rate_limited_per_sender(database_url, clock):
    app = await make_app(database_url, clock)
    try:
        recorder = attach_recorder(app)
        t = app.translator.for_language("vi")
        code = await _invite(app)
        guesser, neighbour = ChatUser(app, recorder, "guesser"), ChatUser(app, recorder, "neighbour")
        for number in range(invites.MAX_FAILED_ATTEMPTS):
            assert await guesser.say(f"/start ABCD-EFGH-JKMN-{number:04d}") == [t("start.invite_unknown")]
        too_many = [t("start.too_many_attempts", minutes=60)]
        assert await guesser.say(f"/start {code}") == too_many  # even the right code waits: nothing is learnt
        assert await guesser.say("/start 12") == too_many
        assert await neighbour.say("/start 12") == [t("start.invite_malformed")]  # others are not affected
        async with app.db.transaction() as repos:
            assert await repos.invite_attempts.failures_since("console", "guesser", clock() - timedelta(hours=1)) == 5
            assert await repos.directory.person_by_identity("console", "guesser") is None
        clock.advance(hours=1, seconds=1)
        assert "Chào đồng chí" in (await guesser.say(f"/start {code}"))[0]
    finally:
        await app.close()


def test_the_rate_limit_message_is_kind_in_both_languages(app):
    vi, en = app.translator.for_language("vi"), app.translator.for_language("en")
    assert "đồng chí" in vi("start.too_many_attempts", minutes=60).lower() and "60" in en("start.too_many_attempts",
                                                                                            minutes=60)


# --- webhook secrets ---------------------------------------------------------------------------------------------

SECRET = "s3cret_Webhook-0123456789"
WRONG_SECRETS = [("missing", None), ("empty", ""), ("wrong", "s3cret_Webhook-0123456780"),
                 ("prefix", SECRET[:-1]), ("too long", SECRET + "x" * 5000), ("case", SECRET.upper())]
# (no "padded" case: HTTP itself trims the spaces around a header value)


def _routes(calls: list) -> web.Application:
    async def on_update(update):
        calls.append(update)
        return True

    async def process(data):
        calls.append(data)

    site = web.Application()
    site.router.add_post("/zalo", zalo_webhook.WebhookEndpoint(SECRET, on_update).handle)
    site.router.add_post("/telegram", tg_webhook.webhook_handler(process, SECRET))
    return site


@pytest.mark.parametrize(("path", "header"), [("/zalo", zalo_webhook.SECRET_HEADER),
                                              ("/telegram", tg_webhook.SECRET_HEADER)])
async def test_webhooks_refuse_a_wrong_secret_without_processing(path, header, monkeypatch):
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    calls: list = []
    async with TestClient(TestServer(_routes(calls))) as client:
        for case, given in WRONG_SECRETS:
            headers = {} if given is None else {header: given}
            response = await client.post(path, json={"update_id": 1, "message": {}}, headers=headers)
            assert response.status == 403, case
        assert calls == [] and len(compared) == len(WRONG_SECRETS)  # every check went through compare_digest
        response = await client.post(path, json={"update_id": 1}, headers={header: SECRET})
        assert response.status == 200 and len(calls) == 1


def test_webhook_secret_checks_are_constant_time_in_the_code():
    for source in (inspect.getsource(zalo_webhook.WebhookEndpoint.handle),
                   inspect.getsource(tg_webhook.webhook_handler)):
        assert "hmac.compare_digest(" in source
        assert "== self._secret" not in source and "== expected" not in source


# --- signed file links -------------------------------------------------------------------------------------------

LINK_SECRET = "file-link-secret-0123456789abcdef"


@pytest.fixture
async def linked(tmp_path, clock):
    app = await demo_app(tmp_path, clock, public_base_url="https://bot.example.org", file_link_secret=LINK_SECRET)
    async with app.db.transaction() as repos:
        stored = await repos.files.add(StoredFile(kind="document", name="bao cao.docx", mime="application/x-test",
                                                  size=5, content=b"HELLO", created_at=clock()))
    async with TestClient(TestServer(app.web.app)) as client:
        yield app, client, stored.id
    await app.close()


async def test_signed_file_links_expire_and_cannot_be_forged(linked, clock):
    app, client, file_id = linked
    url = app.web.file_url(file_id, "bao cao.docx", ttl=timedelta(hours=1))
    path = url.removeprefix("https://bot.example.org")
    token = path.split("/")[2]
    number, expiry, signature = token.split(".")
    assert (await client.get(path)).status == 200 and await (await client.get(path)).read() == b"HELLO"
    later = int(expiry) + 86_400 * 365
    forged = {
        "another file": f"{int(number) + 1}.{expiry}.{signature}",
        "later expiry": f"{number}.{later}.{signature}",
        "wrong secret": sign(file_id, clock() + timedelta(hours=1), b"not the secret"),
        "no signature": f"{number}.{expiry}.",
        "bad shape": f"{number}.{expiry}",
        "letters": "a.b.c",
        "huge": "9" * 5000 + f".{expiry}.{signature}",
        "signature of another": f"{number}.{expiry}.{signature[::-1]}",
    }
    for case, bad in forged.items():
        response = await client.get(f"/files/{bad}/x.docx")
        assert response.status == 404 and await response.read() != b"HELLO", case
    clock.advance(hours=1, seconds=1)
    assert (await client.get(path)).status == 404  # expired


def test_the_file_link_secret_is_never_the_webhook_secret():
    derived = link_secret(None, SECRET)
    assert derived and SECRET.encode() not in derived and derived != SECRET.encode()
    assert link_secret(LINK_SECRET, SECRET) == LINK_SECRET.encode()
    assert link_secret(None, None) is None  # no secret: no links at all (files are not served)


async def test_unregistered_and_deactivated_people_get_nothing(app):
    recorder = attach_recorder(app)
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "reporter")
        person.active = False
        await repos.session.flush()
    gone = ChatUser(app, recorder, "reporter")
    t = app.translator.for_language("vi")
    assert await gone.say("/baocao") == [t("start.unregistered")]
    assert await gone.say("/cuatoi") == [t("start.unregistered_reminder")]
    assert await gone.say("/lich") == []  # and then nothing more today, like any stranger


async def test_invites_table_holds_no_plain_code(app):
    code = await _invite(app)
    async with app.db.transaction() as repos:
        row = await repos.invites.by_hash(invites.code_hash(code))
    assert isinstance(row, Invite)
    assert invite_codes.normalise_code(code) not in " ".join(str(v) for v in row.model_dump().values())


# --- nothing secret (or private) in the logs ----------------------------------------------------------------------

PRIVATE_TEXT = "Ông Nguyễn Văn Bí Mật phản ánh 4711"


def _log_texts(records: list[logging.LogRecord]) -> list[tuple[int, str]]:
    """Each record as everything a log handler could write: message, arguments, traceback."""
    formatter = logging.Formatter()
    texts = []
    for record in records:
        parts = [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        texts.append((record.levelno, "\n".join(parts)))
    return texts


async def _console_scenario(app) -> None:
    reporter = ChatUser(app, attach_recorder(app), "reporter")
    await open_form(reporter.say)
    for text in ("hôm qua", PRIVATE_TEXT, "120", "có", "-", "-", "-", "1"):  # the private text as the place
        await reporter.say(text)


async def _zalo_scenario(url: str, clock, lock_dir) -> None:
    fake = await FakeZalo().start()
    try:
        app = await zalo_app(fake, url, clock, webhook=True, file_link_secret=LINK_SECRET)
        code = await _invite(app)
        async with running(app, lock_dir) as channel:
            await wait_until(channel.webhook_ready.is_set)
            user = ZaloUser(app, fake, "6ede9afa66b88fe6d6a9", webhook=True)
            for text in (f"/start {code}", "/kiennghi", "1", "1", "2", PRIVATE_TEXT):
                await user.say(text)
            assert await fake.deliver(zalo_text("x", "hi"), secret="wrong") == 403
            fake.fail_next(1, status=500, description=f"bad {fake.token}")  # an error that quotes the token
            await _answered_after_a_retry(app, clock, user, "/huy")
        await app.close()
    finally:
        await fake.stop()


async def _answered_after_a_retry(app, clock, user: ZaloUser, text: str) -> None:
    """Only the outbox retries a failed send, after its backoff in business time: move the fake clock on (and wake
    the outbox) until the reply is through."""
    answer = asyncio.create_task(user.say(text))
    while not answer.done():
        await asyncio.sleep(0.05)
        clock.advance(seconds=5)
        app.outbox_wake.set()
    await answer


async def _telegram_scenario(url: str, clock) -> None:
    async with telegram_bot(url, clock, webhook=True, file_link_secret=LINK_SECRET) as bot:
        user = TgUser(bot, 4242)
        await user.say(f"/start {await bot.invite()}")
        await user.say("/baocao")
        await user.press("Ngày hội")
        await user.say(PRIVATE_TEXT)
        response = await bot.web.post(tg_webhook.webhook_path(TG_SECRET), json={}, headers={})
        assert response.status == 403


async def test_no_token_or_secret_in_any_log_record_and_no_message_text_at_info(tmp_path, clock, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):  # as LOG_LEVEL=DEBUG leaves them when only Zalo runs
        logging.getLogger(name).setLevel(logging.DEBUG)
    console = await make_app(f"sqlite+aiosqlite:///{tmp_path}/console.db", clock, file_link_secret=LINK_SECRET,
                             webhook_secret=SECRET)
    await _console_scenario(console)
    await console.close()
    await _zalo_scenario(f"sqlite+aiosqlite:///{tmp_path}/zalo.db", clock, tmp_path)
    await _telegram_scenario(f"sqlite+aiosqlite:///{tmp_path}/telegram.db", clock)
    texts = _log_texts(caplog.records)
    assert len(texts) > 20 and any(level == logging.DEBUG for level, _ in texts)  # the capture did capture
    secrets_ = {FakeZalo.token: "Zalo token", TG_TOKEN: "Telegram token", SECRET: "Zalo webhook secret",
                TG_SECRET: "Telegram webhook secret", LINK_SECRET: "file link secret"}
    leaks = [(what, text[:200]) for _, text in texts for secret, what in secrets_.items() if secret in text]
    assert not leaks, leaks
    chatty = [text[:200] for level, text in texts if level >= logging.INFO and "Bí Mật" in text]
    assert not chatty, chatty
