"""`mttq-bot directory template|import|export`, `invite create --all-pending` and `commune add`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.communes import matches, pick_commune
from bot.directory import layout as L
from bot.directory.apply import Diff, compare, write
from bot.directory.read import Problem, read_tables
from bot.directory.validate import validate
from bot.directory.write import export, invites, template
from handlers.invites import create_invite
from storage.models import Commune

ACTIONS = ("added", "changed", "deactivated")


async def write_template(app: App, out: str, stdout: TextIO | None = None) -> int:
    template(app.plan, app.speech()).save(Path(out))
    print(app.speech()("directory.cli.template_written", file=out), file=stdout)
    return 0


async def import_directory(app: App, files: list[str], commune_name: str | None, *, dry_run: bool,
                           stdout: TextIO | None = None) -> int:
    """Check the whole file, then apply it in one transaction; on any problem print them all and write nothing."""
    t = app.speech()
    tables, problems = read_tables([Path(f) for f in files])
    directory, found = validate(tables, app.plan)
    problems += found
    async with app.db.transaction() as repos:
        commune, problem = await _commune_for_import(repos, directory.commune, commune_name)
        if problem is not None:
            problems.append(problem)
        diff = Diff()
        if not problems:
            labels = {column.key: column.header for column in L.baseline_columns(app.plan)}
            diff = await compare(repos, commune, directory, app.clock(), labels)
            problems += diff.problems
        if problems:
            print(t("directory.cli.problems", count=len(problems)), file=stdout)
            for item in problems:
                print(f"- {describe(item, t)}", file=stdout)
            print(t("directory.cli.nothing_written"), file=stdout)
            return 1
        if not dry_run:
            await write(diff, repos)
    _print_summary(diff, t, stdout, dry_run=dry_run)
    return 0


async def _commune_for_import(repos, row, name: str | None) -> tuple[Commune | None, Problem | None]:
    """The commune the file is for; None with no problem when its Xã sheet names a new one (created then)."""
    if row is not None:
        if name and not (fold_eq(row.name, name)):
            return None, Problem("directory.problem.commune_mismatch", L.COMMUNE_SHEET, 2, L.COMMUNE_NAME,
                                 {"value": row.name, "name": name})
        return await repos.directory.commune_by_name(row.name, row.province), None
    choice = await pick_commune(repos, name)
    if choice.commune is None:
        return None, Problem(choice.problem, params=choice.params or {})
    return choice.commune, None


def fold_eq(sheet_name: str, wanted: str) -> bool:
    return matches(Commune(name=sheet_name, province=""), wanted.partition(",")[0])


def describe(problem: Problem, t) -> str:
    """One line per problem: where (sheet, row, column) and what, in the reader's language."""
    what = t(problem.msgid, **problem.params, column=problem.column)
    if problem.sheet and problem.row and problem.column:
        return t("directory.where.cell", sheet=problem.sheet, row=problem.row, column=problem.column, what=what)
    if problem.sheet and problem.column:
        return t("directory.where.column", sheet=problem.sheet, column=problem.column, what=what)
    if problem.sheet:
        return t("directory.where.sheet", sheet=problem.sheet, what=what)
    return what


def _print_summary(diff: Diff, t, stdout: TextIO, *, dry_run: bool) -> None:
    print(t("directory.cli.dry_run" if dry_run else "directory.cli.applied"), file=stdout)
    for sheet in (L.COMMUNE_SHEET, L.UNITS_SHEET, L.BASELINES_SHEET, L.PEOPLE_SHEET):
        counts = {action: diff.count(sheet, action) for action in ACTIONS}
        print(t("directory.cli.sheet_summary", sheet=sheet, **counts), file=stdout)
        for change in diff.changes:
            if change.sheet == sheet:
                print(f"  {t(f'directory.cli.action.{change.action}')}: {change.subject}", file=stdout)
    if not diff.changes:
        print(t("directory.cli.no_change"), file=stdout)


async def export_directory(app: App, out: str, commune_name: str | None, stdout: TextIO | None = None) -> int:
    t = app.speech()
    async with app.db.transaction() as repos:
        choice = await pick_commune(repos, commune_name)
        if choice.commune is None:
            print(t(choice.problem, **(choice.params or {})), file=sys.stderr)
            return 1
        commune = choice.commune
        book = export(app.plan, commune, await repos.directory.units(commune.id, active_only=False),
                      await repos.directory.all_baselines(commune.id), await repos.directory.people(commune.id))
    book.save(Path(out))
    print(t("directory.cli.exported", file=out, commune=commune.name), file=stdout)
    return 0


async def invite_all_pending(app: App, out: str, commune_name: str | None, stdout: TextIO | None = None) -> int:
    """One fresh code per active person nobody has registered as: a sheet to print or send."""
    from bot.channels.telegram.links import bot_username, deep_link

    t = app.speech()
    username = await bot_username(app.settings)
    rows = []
    async with app.db.transaction() as repos:
        choice = await pick_commune(repos, commune_name)
        if choice.commune is None:
            print(t(choice.problem, **(choice.params or {})), file=sys.stderr)
            return 1
        units = {u.id: u for u in await repos.directory.units(choice.commune.id, active_only=False)}
        for person in await repos.directory.people_without_identity(choice.commune.id):
            code = await create_invite(repos, commune_id=choice.commune.id, role=person.role, unit_id=person.unit_id,
                                       now=app.clock(), ttl=app.pipeline.settings.invite_ttl,
                                       person_name=person.name, person_id=person.id)
            unit = units.get(person.unit_id)
            rows.append([person.name, L.role_word(person.role), unit.name if unit else "", person.phone or "", code,
                         deep_link(username, code) if username else "", t("directory.invite.zalo", code=code)])
    invites(rows).save(Path(out))
    print(t("directory.cli.invites_written", file=out, count=len(rows)), file=stdout)
    return 0


async def add_commune(app: App, name: str, province: str, timezone: str, stdout: TextIO | None = None) -> int:
    t = app.speech()
    async with app.db.transaction() as repos:
        if await repos.directory.commune_by_name(name, province) is not None:
            print(t("commune.exists", name=name, province=province), file=sys.stderr)
            return 1
        await repos.directory.add(Commune(name=name, province=province, timezone=timezone))
    print(t("commune.added", name=name, province=province), file=stdout)
    return 0
