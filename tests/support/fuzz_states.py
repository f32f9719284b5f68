"""Every conversation state the bot can be in, reached by chatting, kept as a template database + state table.

The fuzz tests copy the template (cheap) and put a user back into any recorded state before each example,
so hypothesis can aim arbitrary input at every question of every form without replaying the whole chat.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import App, create_app
from core.messages import PhotoIn
from handlers.commands import read_state
from handlers.forms import FieldQuestion
from plan.loader import SHIPPED_PLAN, load_plan
from plan.schema import FieldKind, Form, FormField, UnitKind
from reminders.tick import ReminderTicker
from support.app import VN, ChatUser, FakeClock, attach_recorder, test_settings
from support.demo_db import demo_app

PLAN = load_plan(SHIPPED_PLAN)
# Thursday 17 December 2026, 07:30: a working morning when the Ngày hội reminder is due (see test_reminder_chat).
FUZZ_NOW = datetime(2026, 12, 8, 7, 30, tzinfo=VN)  # the Q4 reminders to villages (cut-off 15/12 − 7)
PHOTO = PhotoIn(file_id="photo-1", content=b"\xff\xd8\xff\xe0 a small jpeg", mime="image/jpeg")
WHO = ("staff", "reporter")
SAVE = {"giam_sat": ("1",)}  # a saved supervision report, so a petition can name it as its origin
# The steps the explorer must reach; a flow that gains a step shows up here as a failing coverage check.
EXPECTED_STEPS = {
    "report": {"unit", "form", "field", "confirm", "edit_pick", "activity", "next"},
    "my_reports": {"list", "detail", "edit_pick", "field", "delete_confirm"},
    "invite": {"role", "unit"},
    "language": {"pick"},
    "broadcast": {"text", "audience", "units", "unit_kind", "role", "confirm"},
    "petition": {"menu", "source", "unit", "content", "received", "origin", "forwarded", "confirm", "transition",
                 "date", "result"},
    "group_prefs": {"group", "prefs"},
    "reminder": {"answer"},
}


@dataclass(frozen=True)
class Snapshot:
    """A stored conversation: who is in it, and its flow and state row exactly as the bot saved them."""

    who: str
    flow: str
    state: dict[str, Any]  # the row's JSON, so the fuzzer stores it back the way a restart would find it


@dataclass
class Explored:
    database: Path
    snapshots: dict[str, Snapshot]


_explored: list[Explored] = []


def valid_answer(field: FormField) -> tuple[str, PhotoIn | None]:
    """A valid answer to any field (the plan's own bounds), as a reporter would type it."""
    kind = field.kind
    if kind is FieldKind.DATE:
        return "hôm qua", None
    if kind is FieldKind.NUMBER:
        return str(max(field.min or 0, 1)), None
    if kind is FieldKind.YESNO:
        return "có", None
    if kind is FieldKind.PHOTO:
        return "", PHOTO
    if kind in (FieldKind.CHOICE, FieldKind.UNIT):
        return "2", None
    return "Thử nghiệm", None


class Explorer:
    """Chats through every flow and records each state it passes through, keyed by flow and step."""

    def __init__(self, app: App) -> None:
        self.app = app
        recorder = attach_recorder(app)
        self.users = {who: ChatUser(app, recorder, who, who) for who in WHO}
        self.snapshots: dict[str, Snapshot] = {}

    async def say(self, who: str, text: str = "", photo: PhotoIn | None = None) -> None:
        user = self.users[who]
        await self.app.handle(user.inbound(text, photo=photo))  # the replies are not read: no outbox drain
        async with self.app.db.transaction() as repos:
            row = await repos.conversations.get("console", who, who)
        if row is not None:
            state = read_state(row.flow, row.state)  # every state the bot stores reads back
            key = f"{row.flow}:{state.step}"
            field = state.asked_field(PLAN) if isinstance(state, FieldQuestion) else None
            if field is not None:
                key += f":{state.form}:{field.id}"
            self.snapshots.setdefault(key, Snapshot(who, row.flow, dict(row.state)))

    async def script(self, who: str, *texts: str) -> None:
        for text in texts:
            await self.say(who, text)

    async def report_every_field(self) -> None:
        """Staff open every form for a unit that may report it, and answer every field once."""
        async with self.app.db.transaction() as repos:
            units = await repos.directory.units(1)
        for form_number, form in enumerate(PLAN.forms):
            unit_number = next(n for n, u in enumerate(units, 1) if UnitKind(u.kind) in form.reporters)
            await self.script("staff", "/baocao", str(unit_number), form.label.vi)  # a name opens it at either level
            await self._answer_all(form)
            await self.script("staff", *(("2", "1") if form_number == 0 else ()), *SAVE.get(form.id, ("/huy",)))

    async def _answer_all(self, form: Form, who: str = "staff") -> None:
        for field in form.fields:
            text, photo = valid_answer(field)
            await self.say(who, text, photo)

    async def other_flows(self) -> None:
        await self.script("reporter", "/trogiup")
        await next(t for t in self.app.tickers if isinstance(t, ReminderTicker))(self.app.clock())
        await self.script("reporter", "/lich", "/baocao", "1", "1")  # /lich records the reminder state; group, form
        await self._answer_all(PLAN.form("ngay_hoi"), "reporter")
        await self.script("reporter", "1", "/cuatoi", "1", "1", "2", "/huy", "/cuatoi", "1", "2", "/huy")
        await self.script("staff", "/moi", "1", "/huy", "/ngonngu", "/huy")
        await self.script("staff", "/thongbao", "Họp lúc 8 giờ", "2", "2", "/huy")
        for audience in ("3", "4"):
            await self.script("staff", "/thongbao", "Họp lúc 8 giờ", audience, "/huy")
        await self.script("staff", "/kiennghi", "1", "1", "2", "Đường liên thôn hỏng", "hôm qua", "UBND xã", "1")
        await self.script("staff", "/kiennghi", "1", "2", "1", "Cần sửa cầu", "hôm qua", "1", "bỏ qua", "1")
        for target in ("1", "2", "3", "4"):
            await self.script("staff", "/kiennghi KN-2026-001", target, "hôm nay", "/huy")
        group = ChatUser(self.app, self.users["staff"].sender, "chair", "chair", chat_kind="group", chat_id="g1")
        await self.app.handle(group.inbound("/dangkynhom"))
        await self.script("staff", "/nhom", "1", "/huy")
        # a one-message report naming two activities: which first (activity), then the other offered (next)
        await self.script("reporter", "hôm qua ngày hội ở nhà văn hóa 100 người, có đánh giá hương ước, và thăm 10 hộ "
                          "nghèo", "1", "1", "/huy")


async def explored_template() -> Explored:
    """Build (once per test process) the explored database and its state table."""
    if not _explored:
        directory = Path(tempfile.mkdtemp(prefix="mttq-fuzz-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        app = await demo_app(directory, FakeClock(FUZZ_NOW))
        explorer = Explorer(app)
        await explorer.report_every_field()
        await explorer.other_flows()
        await app.close()
        _explored.append(Explored(directory / "mttq.db", explorer.snapshots))
    return _explored[0]


async def explored_app(directory: Path, clock: FakeClock) -> tuple[App, dict[str, Snapshot]]:
    """A fresh copy of the explored database, and the states recorded on it."""
    explored = await explored_template()
    for suffix in ("", "-wal"):
        if Path(f"{explored.database}{suffix}").exists():
            shutil.copyfile(f"{explored.database}{suffix}", directory / f"mttq.db{suffix}")
    settings = test_settings(f"sqlite+aiosqlite:///{directory}/mttq.db")
    return await create_app(settings, clock=clock, migrate=False), explored.snapshots
