"""Arbitrary input into every conversation state: never a traceback, always an answer, never an invalid row.

The states come from chatting through every form and flow once (fuzz_states.py); each example puts the user
back into one state and sends one generated message through app.handle, as a channel would.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from support.app import ChatUser, FakeClock, attach_recorder
from support.fuzz_states import EXPECTED_STEPS, FUZZ_NOW, PHOTO, PLAN, explored_app

from core.messages import PhotoIn
from handlers.commands import COMMANDS
from plan.schema import FieldKind, Form
from storage.models import Petition, Report, StoredFile

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Every command and typed alias. /tonghop answers with its text at once; its files render after the commit.
COMMAND_WORDS = sorted({f"/{name}" for name in COMMANDS}
                       | {alias for spec in COMMANDS.values() for alias in spec.aliases})
NASTY = ["", " ", "\x00", "\x1b[2J", "\u202e\u200b", "😀🙏", "0", "-1", "1e9", "99999999999999999999999", "3,5",
         "31/2", "29/2/2026", "1/1/1900", "99/99/9999", "ngày mai", "bỏ qua", "quay lại", "có", "không", "1", "12",
         "1,3,5", "KN-2026-999", "/huy", "/baocao", "/start ABCD", "x" * 10_001, "a" * 1001, "%s {name} {0}"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e]")


def texts() -> st.SearchStrategy[str]:
    """What people (and broken phones) type: any text, numbers, dates, commands with junk after them."""
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters(categories=("Cc", "Cf", "So", "Zs", "Mn")), max_size=12),
        st.integers(-10**22, 10**22).map(str),
        st.builds("{} {}".format, st.integers(-5, 10**8), st.sampled_from(["người", "hộ", "nghìn", "triệu", "%"])),
        st.builds("{}/{}/{}".format, st.integers(-1, 40), st.integers(-1, 14), st.integers(0, 3000)),
        st.sampled_from(NASTY + COMMAND_WORDS),
        st.builds("{} {}".format, st.sampled_from(COMMAND_WORDS), st.text(max_size=15)),
    )


@st.composite
def messages(draw) -> dict[str, Any]:
    """Inbound fields: mostly text, sometimes a pressed button with any value, a photo, a sticker…"""
    kind = draw(st.sampled_from(["text"] * 6 + ["photo", "sticker", "voice", "document", "unsupported"]))
    fields: dict[str, Any] = {"kind": kind, "text": draw(texts()) if kind in ("text", "photo") else ""}
    if kind == "text" and draw(st.integers(0, 5)) == 0:
        fields["choice"] = draw(st.one_of(st.text(max_size=8), st.integers(-3, 30).map(str)))
    if kind == "photo":
        fields["photo"] = draw(st.sampled_from([PHOTO, PhotoIn(file_id="gone"), PhotoIn(content=b"x" * (6 << 20))]))
    return fields


class Fuzzer:
    """Puts a user back into a recorded state, sends one message, and checks what happened."""

    def __init__(self, app, snapshots, errors: list[logging.LogRecord]) -> None:
        self.app, self.snapshots, self.errors = app, snapshots, errors
        recorder = attach_recorder(app)
        self.users = {who: ChatUser(app, recorder, who, who) for who in ("staff", "reporter")}
        vi, en = app.translator.for_language("vi"), app.translator.for_language("en")
        self.internal = {vi("err.internal"), en("err.internal")}
        self.sent = recorder.sent

    async def send(self, key: str, fields: dict[str, Any]) -> None:
        snapshot = self.snapshots[key]
        user = self.users[snapshot.who]
        async with self.app.db.transaction() as repos:
            await repos.conversations.save("console", user.target, user.external_id, snapshot.flow,
                                           dict(snapshot.state), self.app.clock())
        before, self.errors[:] = len(self.sent), []
        assert await self.app.handle(replace(user.inbound(), **fields)) is True
        await self.app.render_jobs.drain()  # /tonghop answers from its job, right after the commit
        await self.app.outbox.drain()
        replies = [reply.text for chat, reply in self.sent[before:] if chat == user.target]
        assert replies, f"no answer in {key} to {fields!r}"
        assert not self.internal & set(replies), f"apology in {key} to {fields!r}"
        assert not self.errors, f"logged {[r.getMessage() for r in self.errors]} in {key} to {fields!r}"
        await self.check_rows()

    async def check_rows(self) -> None:
        async with self.app.db.transaction() as repos:
            units = {u.id for u in await repos.directory.units(1, active_only=False)}
            reports = (await repos.session.execute(select(Report))).scalars().all()
            photos = set((await repos.session.execute(select(StoredFile.id))).scalars().all())
            petitions = (await repos.session.execute(select(Petition))).scalars().all()
        today = self.app.clock().date()
        for report in reports:
            check_report(report, PLAN.form(report.form_id), units, photos, today)
        for petition in petitions:
            assert 0 < len(petition.content) <= 500 and not CONTROL.search(petition.content), petition
            assert petition.received_on <= today and (petition.closed_on or today) <= today, petition


def check_report(report: Report, form: Form, units: set[int], photos: set[int], today: date) -> None:
    """Every stored answer satisfies its field: kind, bounds, options, length; the date is in the plan year."""
    assert date(PLAN.year, 1, 1) <= report.activity_date <= today, report
    assert report.answers[form.date_field] == report.activity_date.isoformat(), report
    for field in form.fields:
        value = report.answers.get(field.id)
        if value is None:
            assert not field.required, (report.id, field.id)
            continue
        kind = field.kind
        if kind is FieldKind.NUMBER:
            assert type(value) is int and (field.min is None or value >= field.min), (report.id, field.id, value)
            assert field.max is None or value <= field.max, (report.id, field.id, value)
        elif kind is FieldKind.TEXT:
            assert isinstance(value, str) and 0 < len(value) <= field.max_length and not CONTROL.search(value)
        elif kind is FieldKind.CHOICE:
            assert value in {o.id for o in field.options}, (report.id, field.id, value)
        elif kind is FieldKind.YESNO:
            assert isinstance(value, bool), (report.id, field.id, value)
        elif kind is FieldKind.PHOTO:
            assert value in photos, (report.id, field.id, value)
        elif kind is FieldKind.UNIT:
            assert value in units, (report.id, field.id, value)
        else:
            assert date(PLAN.year, 1, 1) <= date.fromisoformat(value) <= today, (report.id, field.id, value)


@pytest.fixture
async def fuzzer(tmp_path):
    app, snapshots = await explored_app(tmp_path, FakeClock(FUZZ_NOW))
    errors: list[logging.LogRecord] = []
    catcher = logging.Handler(logging.ERROR)
    catcher.emit = errors.append
    logging.getLogger().addHandler(catcher)
    yield Fuzzer(app, snapshots, errors)
    logging.getLogger().removeHandler(catcher)
    await app.close()


def _field_keys(snapshots) -> list[str]:
    return sorted(k for k in snapshots if ":field:" in k)


async def test_the_explorer_reached_every_state_of_every_flow(fuzzer):
    reached: dict[str, set[str]] = {}
    for key in fuzzer.snapshots:
        flow, step = key.split(":")[:2]
        reached.setdefault(flow, set()).add(step)
    assert all(reached.get(flow, set()) >= steps for flow, steps in EXPECTED_STEPS.items()), reached
    fields = {tuple(k.split(":")[2:]) for k in _field_keys(fuzzer.snapshots) if k.startswith("report:")}
    assert fields == {(form.id, field.id) for form in PLAN.forms for field in form.fields}


async def test_every_state_takes_nasty_input(fuzzer):
    """A fixed sweep, so each state meets a nasty input whatever hypothesis draws (a different one per state)."""
    for number, key in enumerate(sorted(fuzzer.snapshots)):
        await fuzzer.send(key, {"text": NASTY[number % len(NASTY)]})
    await fuzzer.send("report:confirm", {"kind": "sticker", "text": ""})


@FUZZ
@given(data=st.data())
async def test_fuzzed_answers_to_form_fields(fuzzer, data):
    key = data.draw(st.sampled_from(_field_keys(fuzzer.snapshots)), label="state")
    await fuzzer.send(key, data.draw(messages(), label="message"))


@FUZZ
@given(data=st.data())
async def test_fuzzed_answers_to_menus_and_other_flows(fuzzer, data):
    key = data.draw(st.sampled_from(sorted(k for k in fuzzer.snapshots if ":field:" not in k)), label="state")
    await fuzzer.send(key, data.draw(messages(), label="message"))


def summary_requests() -> st.SearchStrategy[str]:
    """/tonghop (or a typed alias) with any words after it: periods people write, and anything else."""
    periods = st.builds("{} {}".format, st.sampled_from(["quý", "quy", "q", "Quý", "năm", "nam", "tháng", "thang",
                                                          "6 tháng", "9 thang", "nửa năm", "ca nam"]),
                        st.one_of(st.integers(-3, 3000).map(str), st.text(max_size=6)))
    command = st.sampled_from(["/tonghop", *COMMANDS["tonghop"].aliases])
    return st.builds("{} {}".format, command, st.one_of(periods, texts()))


@FUZZ
@given(data=st.data())
async def test_fuzzed_summary_requests_from_any_state(fuzzer, data):
    """The chair's side: a summary asked for with any period text, mid-way through anything, files included."""
    key = data.draw(st.sampled_from(sorted(k for k, s in fuzzer.snapshots.items() if s.who == "staff")), label="state")
    await fuzzer.send(key, {"kind": "text", "text": data.draw(summary_requests(), label="request")})
    await fuzzer.app.render_jobs.drain()  # the DOCX, XLSX and chart of every period asked for: no error logged
    assert not fuzzer.errors, [record.getMessage() for record in fuzzer.errors]
