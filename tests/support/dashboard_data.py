"""Data for dashboard tests and bench/bench_dashboard.py: reports of every form with valid answers, a photo,
an edited report, petitions, a second commune; and logging in through a /web link taken from the chat."""

from __future__ import annotations

import random
import re
import struct
import zlib
from datetime import date, datetime, timedelta
from typing import Any

from plan.schema import FieldKind, Form, Plan
from storage.models import Commune, Identity, Person, Petition, Report, StoredFile, Unit
from storage.repositories import Repositories

SCRIPT = "<script>alert('x')</script><b>đậm</b>"  # typed by a user: must be shown as text, never run
ZALO_ID = "8812345678901234567"  # a platform chat id: must never appear on a page


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 8) -> bytes:
    """A real PNG (the photo link must serve an image a browser can draw)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def answers_for(form: Form, day: date, rng: random.Random, *, unit_id: int, photo: int | None = None,
                note: str = "") -> dict[str, Any]:
    """Answers a reporter could have given: every field filled by its kind."""
    answers: dict[str, Any] = {}
    for field in form.fields:
        kind = field.kind
        if kind is FieldKind.DATE:
            answers[field.id] = day.isoformat()
        elif kind is FieldKind.NUMBER:
            answers[field.id] = rng.randint(field.min or 1, min(field.max or 60, 60))
        elif kind is FieldKind.CHOICE:
            answers[field.id] = field.options[0].id
        elif kind is FieldKind.YESNO:
            answers[field.id] = True
        elif kind is FieldKind.PHOTO:
            answers[field.id] = photo
        elif kind is FieldKind.UNIT:
            answers[field.id] = unit_id
        else:
            answers[field.id] = note or f"Hoạt động {field.id} ngày {day:%d/%m}"
    return answers


async def add_report(repos: Repositories, plan: Plan, form_id: str, unit: Unit, person_id: int, day: date,
                     now: datetime, rng: random.Random, *, photo: bytes | None = None, note: str = "") -> Report:
    form = plan.form(form_id)
    photo_id = None
    if photo is not None and any(f.kind is FieldKind.PHOTO for f in form.fields):
        stored = await repos.files.add(StoredFile(kind="photo", name=f"anh-{form_id}.png", mime="image/png",
                                                  size=len(photo), content=photo, created_at=now))
        photo_id = stored.id
    answers = answers_for(form, day, rng, unit_id=unit.id, photo=photo_id, note=note)
    report = await repos.reports.add(Report(commune_id=unit.commune_id, unit_id=unit.id, person_id=person_id,
                                            form_id=form_id, activity_date=day, answers=answers, created_at=now))
    if photo_id is not None:
        await repos.files.attach([photo_id], report.id)
    await repos.audit.record(at=now, person_id=person_id, entity="report", entity_id=report.id, action="create",
                             after=answers)
    return report


async def seed_commune(repos: Repositories, plan: Plan, now: datetime, commune_id: int) -> dict[str, Any]:
    """Reports across the year for the demo commune's units: each village some required activities, one
    report with a photo, one with HTML typed in its note and then edited, two petitions (one overdue)."""
    rng = random.Random(3)
    units = await repos.directory.units(commune_id)
    people = {p.role: p for p in await repos.directory.people(commune_id)}
    reporter = people["reporter"]
    await repos.directory.bind_identity(reporter.id, "zalo", ZALO_ID)
    villages = [u for u in units if u.kind == "village"]
    commune_unit = next(u for u in units if u.kind == "commune")
    made: dict[str, Any] = {"reports": []}
    for n, village in enumerate(villages):
        for month, form_id in ((2, "ngay_hoi"), (5, "nep_song_van_minh"), (10, "van_hoa_the_thao")):
            if (n + month) % 3:
                day = date(plan.year, month, 3 + n)
                made["reports"].append(await add_report(repos, plan, form_id, village, reporter.id, day, now, rng))
    made["photo"] = await add_report(repos, plan, "ngay_hoi", villages[0], reporter.id, date(plan.year, 11, 2), now,
                                     rng, photo=tiny_png())
    scripted = await add_report(repos, plan, "tuyen_truyen", villages[0], reporter.id, date(plan.year, 10, 20), now,
                                rng, note=SCRIPT)
    before = dict(scripted.answers)
    await repos.reports.update_answers(scripted, {**before, "so_nguoi": 99}, scripted.activity_date,
                                       now + timedelta(minutes=5))
    await repos.audit.record(at=now + timedelta(minutes=5), person_id=people["staff"].id, entity="report",
                             entity_id=scripted.id, action="edit", before=before, after=scripted.answers)
    made["scripted"] = scripted
    made["commune_report"] = await add_report(repos, plan, "tap_huan", commune_unit, people["staff"].id,
                                              date(plan.year, 10, 15), now, rng)
    for number, (received, status) in enumerate(((date(plan.year, 8, 1), "tiep_nhan"),
                                                 (date(plan.year, 11, 10), "tiep_nhan")), start=1):
        await repos.petitions.create(Petition(
            commune_id=commune_id, unit_id=villages[0].id, person_id=people["staff"].id, year=plan.year,
            number=number, source_kind="nhan_dan", content=f"Kiến nghị số {number} về đường thôn {SCRIPT}",
            received_on=received, status=status, created_at=now, updated_at=now))
    return made


async def other_commune(repos: Repositories, plan: Plan, now: datetime) -> dict[str, int]:
    """A second commune with a village, a chair and one report: its ids must be 404 to the first commune."""
    commune = await repos.directory.add(Commune(name="Xã Khác", province="Tỉnh Khác"))
    unit = await repos.directory.add(Unit(commune_id=commune.id, name="Thôn Khác", kind="village"))
    chair = await repos.directory.add(Person(commune_id=commune.id, name="Chủ tịch xã khác", role="chair",
                                             created_at=now))
    await repos.directory.add(Identity(person_id=chair.id, channel="console", external_id="other-chair"))
    report = await add_report(repos, plan, "ngay_hoi", unit, chair.id, date(plan.year, 10, 1), now,
                              random.Random(1), photo=tiny_png((0, 90, 200)))
    return {"commune": commune.id, "unit": unit.id, "report": report.id, "person": chair.id}


LINK = re.compile(r"https?://\S+/d/dang-nhap/\S+")


def link_in(replies: list[str]) -> str:
    """The /web link in the bot's answer (plain text: Zalo shows it as a link)."""
    found = [m.group(0) for reply in replies for m in LINK.finditer(reply)]
    assert len(found) == 1, replies
    return found[0]
