"""`mttq-bot init --demo`: a clearly-labelled sample commune so anyone can try the bot."""

from __future__ import annotations

from datetime import datetime

from plan.schema import Plan
from storage.models import Commune, Identity, Person, Unit
from storage.repositories import Repositories

DEMO_MARK = "(mẫu)"  # every sample name carries it, so nobody mistakes demo data for the real list
SAMPLE_UNITS = [
    ("Ủy ban MTTQ Việt Nam xã", "commune"),
    ("Thôn Nà Pài (mẫu)", "village"),
    ("Thôn Bản Quân (mẫu)", "village"),
    ("Thôn Khuổi Đeng (mẫu)", "village"),
    ("Thôn Nà Kẹt (mẫu)", "village"),
    ("Thôn Phiêng Phung (mẫu)", "village"),
    ("Hội Nông dân xã (mẫu)", "organisation"),
    ("Hội Liên hiệp Phụ nữ xã (mẫu)", "organisation"),
    ("Đoàn Thanh niên xã (mẫu)", "organisation"),
    ("Hội Cựu chiến binh xã (mẫu)", "organisation"),
    ("Chi bộ thôn Nà Pài (mẫu)", "party_cell"),
    ("Ban Thanh tra nhân dân xã (mẫu)", "board"),
]
# households, poor, near-poor per sample village
SAMPLE_VILLAGE_BASELINES = {"households": 120, "poor_households": 9, "near_poor_households": 6}
SAMPLE_CADRES_TO_TRAIN = 60
# (console id, name, role, unit name or None)
DEMO_PEOPLE = [
    ("admin", "Quản trị viên (mẫu)", "admin", None),
    ("chair", "Chủ tịch Ủy ban MTTQ Việt Nam xã (mẫu)", "chair", "Ủy ban MTTQ Việt Nam xã"),
    ("staff", "Cán bộ Ủy ban MTTQ Việt Nam xã (mẫu)", "staff", "Ủy ban MTTQ Việt Nam xã"),
    ("reporter", "Trưởng ban Công tác Mặt trận thôn Nà Pài (mẫu)", "reporter", "Thôn Nà Pài (mẫu)"),
    ("viewer", "Thường trực Đảng ủy (mẫu)", "viewer", None),
]


async def seed_demo(repos: Repositories, plan: Plan, now: datetime) -> Commune:
    """Create the sample commune, its units, baselines and one person per role; idempotent."""
    existing = await repos.directory.commune_by_name(plan.commune.name, plan.commune.province)
    if existing is not None:
        return existing
    commune = await repos.directory.add(Commune(name=plan.commune.name, province=plan.commune.province,
                                                timezone=plan.commune.timezone))
    units = {}
    for name, kind in SAMPLE_UNITS:
        units[name] = await repos.directory.add(Unit(commune_id=commune.id, name=name, kind=kind))
        if kind == "village":
            for key, value in SAMPLE_VILLAGE_BASELINES.items():
                await repos.directory.set_baseline(units[name].id, plan.year, key, value)
    await repos.directory.set_baseline(units["Ủy ban MTTQ Việt Nam xã"].id, plan.year, "cadres_to_train",
                                       SAMPLE_CADRES_TO_TRAIN)
    for console_id, name, role, unit_name in DEMO_PEOPLE:
        unit_id = units[unit_name].id if unit_name else None
        person = await repos.directory.add(Person(commune_id=commune.id, unit_id=unit_id, name=name, role=role,
                                                  created_at=now))
        await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=console_id))
    return commune
