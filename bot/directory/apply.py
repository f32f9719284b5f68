"""Compare a checked directory file with the database, then write the differences in the caller's transaction.

Units are matched by code (a unit without one, made by `init --demo` or in chat, is adopted by its exact name),
people by phone, else by name and unit, else by a name nobody else has. What is missing from the file is
deactivated, never deleted, so its reports stay in every summary; a second import of the same file finds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.directory import layout as L
from bot.directory.read import Problem
from bot.directory.validate import DirectoryFile, PersonRow, UnitRow
from core.roles import ADMIN, PROVINCE
from core.vnparse import fold
from storage.models import Baseline, Commune, Person, Unit
from storage.repositories import Repositories

Operation = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Change:
    sheet: str
    action: str  # added, changed, deactivated
    subject: str  # what, for the printed list: "TH01 Thôn Nà Pài → Thôn Nà Pài A"


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    operations: list[tuple[int, Operation]] = field(default_factory=list)  # (phase, operation)
    units: dict[str, Unit] = field(default_factory=dict)  # folded code -> unit row (new ones once written)

    def count(self, sheet: str, action: str) -> int:
        return sum(1 for c in self.changes if c.sheet == sheet and c.action == action)


async def compare(repos: Repositories, commune: Commune | None, file: DirectoryFile, now: datetime,
                  labels: dict[str, str] | None = None) -> Diff:
    """Everything the file would change, as changes to print and operations to run; nothing written yet."""
    diff = Diff()
    existing_units = await repos.directory.units(commune.id, active_only=False) if commune else []
    # province viewers hang on a commune but belong to no commune's file: an import never touches them
    people = [p for p in await repos.directory.people(commune.id) if p.role != PROVINCE] if commune else []
    baselines = await repos.directory.baseline_rows(commune.id) if commune else {}
    holder = _CommuneHolder(commune)
    _compare_commune(diff, holder, file, repos)
    _compare_units(diff, holder, existing_units, file.units, repos)
    _compare_baselines(diff, baselines, file.baselines, repos, labels or {})
    _compare_people(diff, holder, people, file.people, repos, now)
    return diff


COMMUNE, UNITS, DETAILS = 0, 1, 2  # phases: each needs the ids the one before it gets at its flush


async def write(diff: Diff, repos: Repositories) -> None:
    """Run the operations, flushing once per phase: one batched INSERT per table, not one per row."""
    for phase in (COMMUNE, UNITS, DETAILS):
        for operation_phase, operation in diff.operations:
            if operation_phase == phase:
                await operation()
        await repos.session.flush()


class _CommuneHolder:
    """The commune row, which exists only once the first operation ran when the file creates it."""

    def __init__(self, commune: Commune | None) -> None:
        self.commune = commune

    @property
    def id(self) -> int:
        assert self.commune is not None and self.commune.id is not None
        return self.commune.id


def _compare_commune(diff: Diff, holder: _CommuneHolder, file: DirectoryFile, repos: Repositories) -> None:
    row = file.commune
    if row is None:
        return
    if holder.commune is None:
        diff.changes.append(Change(L.COMMUNE_SHEET, "added", f"{row.name}, {row.province}"))

        async def add() -> None:
            holder.commune = await repos.directory.add(Commune(name=row.name, province=row.province,
                                                               timezone=row.timezone))
        diff.operations.append((COMMUNE, add))
    elif holder.commune.timezone != row.timezone:
        commune = holder.commune
        diff.changes.append(Change(L.COMMUNE_SHEET, "changed", f"{L.TIMEZONE}: {commune.timezone} → {row.timezone}"))

        async def retime() -> None:
            commune.timezone = row.timezone
        diff.operations.append((COMMUNE, retime))


def _compare_units(diff: Diff, holder: _CommuneHolder, existing: list[Unit], rows: list[UnitRow],
                   repos: Repositories) -> None:
    by_code = {fold(u.code): u for u in existing if u.code}
    uncoded = {fold(u.name): u for u in existing if not u.code}
    by_name = {fold(u.name): u for u in existing}
    matched: set[int] = set()
    for row in rows:
        unit = by_code.get(fold(row.code)) or uncoded.get(fold(row.name))
        holder_of_name = by_name.get(fold(row.name))
        if holder_of_name is not None and holder_of_name is not unit:
            diff.problems.append(Problem("directory.problem.name_taken", L.UNITS_SHEET, row.row, L.UNIT_NAME,
                                         {"value": row.name, "code": holder_of_name.code or "—"}))
            continue
        if unit is None:
            _add_unit(diff, holder, row, repos)
            continue
        matched.add(unit.id)
        diff.units[fold(row.code)] = unit
        wanted = {"code": row.code, "name": row.name, "kind": row.kind, "active": row.active}
        changed = {key: value for key, value in wanted.items() if getattr(unit, key) != value}
        if changed:
            diff.changes.append(Change(L.UNITS_SHEET, "changed", _describe_unit(unit, changed)))
            diff.operations.append((UNITS, _setter(unit, changed)))
    for unit in existing:
        if unit.active and unit.id not in matched:
            diff.changes.append(Change(L.UNITS_SHEET, "deactivated", f"{unit.code or '—'} {unit.name}"))
            diff.operations.append((UNITS, _setter(unit, {"active": False})))


def _add_unit(diff: Diff, holder: _CommuneHolder, row: UnitRow, repos: Repositories) -> None:
    diff.changes.append(Change(L.UNITS_SHEET, "added", f"{row.code} {row.name}"))
    placeholder = Unit(commune_id=0, name=row.name, kind=row.kind, active=row.active, code=row.code)
    diff.units[fold(row.code)] = placeholder

    async def add() -> None:
        placeholder.commune_id = holder.id
        repos.session.add(placeholder)
    diff.operations.append((UNITS, add))


def _describe_unit(unit: Unit, changed: dict) -> str:
    parts = [f"{key}: {getattr(unit, key)} → {value}" for key, value in changed.items()]
    return f"{unit.code or changed.get('code')} {unit.name} ({'; '.join(parts)})"


def _setter(row: Unit | Person, values: dict) -> Operation:
    async def apply() -> None:
        for key, value in values.items():
            setattr(row, key, value)
    return apply


def _compare_baselines(diff: Diff, stored: dict[tuple[int, int, str], Baseline], rows: dict[tuple[str, int], dict],
                       repos: Repositories, labels: dict[str, str]) -> None:
    for (code, year), values in rows.items():
        unit = diff.units.get(fold(code))
        if unit is None:  # its unit row had a problem of its own
            continue
        before = {key: _value(stored.get((unit.id, year, key))) for key in values} if unit.id else {}
        different = {key: value for key, value in values.items() if before.get(key) != value}
        if not different:
            continue
        action = "changed" if any(v is not None for v in before.values()) else "added"
        shown = ", ".join(f"{labels.get(key, key)}: {before.get(key) if before.get(key) is not None else '—'} → {value}"
                          for key, value in different.items())
        diff.changes.append(Change(L.BASELINES_SHEET, action, f"{code} {year} ({shown})"))

        async def store(unit=unit, year=year, different=different) -> None:
            for key, value in different.items():
                row = stored.get((unit.id, year, key))
                if row is None:
                    repos.session.add(Baseline(unit_id=unit.id, year=year, key=key, value=value))
                else:
                    row.value = value
        diff.operations.append((DETAILS, store))


def _compare_people(diff: Diff, holder: _CommuneHolder, existing: list[Person], rows: list[PersonRow],
                    repos: Repositories, now: datetime) -> None:
    matched: set[int] = set()
    for row in rows:
        unit = diff.units.get(fold(row.unit_code)) if row.unit_code else None
        person = _match(existing, matched, row, unit)
        if person is None:
            diff.changes.append(Change(L.PEOPLE_SHEET, "added", f"{row.name} ({L.role_word(row.role)})"))
            diff.operations.append((DETAILS, _add_person(holder, row, unit, repos, now)))
            continue
        matched.add(person.id)
        wanted = {"name": row.name, "role": row.role, "phone": row.phone, "language": row.language, "active": True}
        changed = {key: value for key, value in wanted.items() if getattr(person, key) != value}
        if (unit.id if unit else None) != person.unit_id or (unit is not None and unit.id is None):
            changed["unit_id"] = unit
        if changed:
            shown = "; ".join(f"{key}: {getattr(person, key)} → {_shown(value)}" for key, value in changed.items())
            diff.changes.append(Change(L.PEOPLE_SHEET, "changed", f"{person.name} ({shown})"))
            diff.operations.append((DETAILS, _person_setter(person, changed)))
    staying_admins = sum(1 for row in rows if row.role == ADMIN)
    current_admins = [p for p in existing if p.active and p.role == ADMIN]
    if current_admins and not staying_admins:
        diff.problems.append(Problem("directory.problem.last_admin", L.PEOPLE_SHEET, None, L.ROLE,
                                     {"names": ", ".join(p.name for p in current_admins)}))
    for person in existing:
        if person.active and person.id not in matched:
            diff.changes.append(Change(L.PEOPLE_SHEET, "deactivated", person.name))
            diff.operations.append((DETAILS, _person_setter(person, {"active": False})))


def _match(existing: list[Person], matched: set[int], row: PersonRow, unit: Unit | None) -> Person | None:
    free = sorted((p for p in existing if p.id not in matched), key=lambda p: not p.active)  # active ones first
    name = fold(row.name)
    if row.phone:
        found = next((p for p in free if p.phone == row.phone), None)
        if found is not None:
            return found
    same_name = [p for p in free if fold(p.name) == name and (not row.phone or not p.phone)]
    in_unit = [p for p in same_name if unit is not None and unit.id is not None and p.unit_id == unit.id]
    if in_unit:
        return in_unit[0]
    return same_name[0] if len({p.id for p in same_name if p.active} or {p.id for p in same_name}) == 1 else None


def _add_person(holder: _CommuneHolder, row: PersonRow, unit: Unit | None, repos: Repositories,
                now: datetime) -> Operation:
    async def add() -> None:
        repos.session.add(Person(commune_id=holder.id, unit_id=unit.id if unit else None, name=row.name,
                                 role=row.role, phone=row.phone, language=row.language, created_at=now))
    return add


def _person_setter(person: Person, values: dict) -> Operation:
    async def apply() -> None:
        for key, value in values.items():
            setattr(person, key, value.id if isinstance(value, Unit) else value)  # a new unit has its id by now
    return apply


def _value(row: Baseline | None) -> int | None:
    return row.value if row is not None else None


def _shown(value: object) -> str:
    if isinstance(value, Unit):
        return f"{value.code} {value.name}"
    return "—" if value is None else str(value)
