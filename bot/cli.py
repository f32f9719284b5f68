"""The `mttq-bot` command: run, chat, init, db upgrade, plan check/load, invite create, directory, commune add."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import time
from datetime import date, datetime, timedelta

from bot import province_cli
from bot.app import App, Clock, create_app, system_clock
from bot.demo import seed_demo
from bot.settings import ConfigError, Settings, load_settings
from bot.settings_errors import deployment_language
from core.i18n import Translate, Translator
from core.roles import ALL_ROLES, PROVINCE
from core.vnparse import fold
from handlers.invites import create_invite
from plan.loader import PlanError, load_plan
from storage.db import DatabaseUnwritable

log = logging.getLogger("mttq-bot")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (what is wrong and where to look), not the usage block first."""

    def error(self, message: str):  # argparse's own words stay English (its --help too); the hint is ours
        self.exit(2, deployment_language()("cli.see_help", prog=self.prog, message=message) + "\n")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("mttq-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="mttq-bot", description="Field-reporting bot for MTTQ.")
    parser.add_argument("--version", action="version", version=f"mttq-bot {version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start every configured channel (the console when none is)")
    run.add_argument("--user", default="reporter", help="console: who you are (a demo role or a name)")
    _commune_option(run)
    chat = commands.add_parser("chat", help="chat in the terminal as a person")
    chat.add_argument("--user", required=True, help="a demo role (reporter, chair…), a person's name or a guest")
    _commune_option(chat)
    init = commands.add_parser("init", help="create the database")
    init.add_argument("--demo", action="store_true", help="add the sample commune, units and people")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    plan = commands.add_parser("plan", help="plan files")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    check = plan_commands.add_parser("check", help="validate a plan file")
    check.add_argument("file")
    load = plan_commands.add_parser("load", help="store a commune's plan of a year (validated); print what changed")
    load.add_argument("file")
    load.add_argument("--commune", help="the commune (needed when there are several)")
    status = commands.add_parser("status", help="this month's Zalo message count and budget, the outbox, a commune")
    _commune_option(status)
    remind = commands.add_parser("remind", help="reminders")
    remind_commands = remind.add_subparsers(dest="remind_command", required=True)
    preview = remind_commands.add_parser("preview", help="print every reminder that would go out, sending nothing")
    preview.add_argument("--from", dest="first", required=True, type=_iso_date, help="first day, e.g. 2026-01-01")
    preview.add_argument("--to", dest="last", required=True, type=_iso_date, help="last day, e.g. 2026-12-31")
    preview.add_argument("--text", action="store_true", help="also print each message's text")
    _commune_option(preview)
    export = commands.add_parser("export", help="write a period's summary: docx, xlsx, png chart or txt")
    export.add_argument("--period", required=True, help="2026-Q1, 2026-H1, 2026-9M or 2026")
    export.add_argument("--format", required=True, choices=("docx", "xlsx", "png", "txt"))
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--party", action="store_true", help="docx: the Party Committee's variant (36-HD/VPTW)")
    _commune_option(export)
    invite = commands.add_parser("invite", help="invite codes")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True)
    create = invite_commands.add_parser("create", help="create a single-use invite code")
    create.add_argument("--role", choices=ALL_ROLES, help="the role of a single invite")
    create.add_argument("--unit", help="the unit's name (diacritics optional)")
    create.add_argument("--name", default="", help="the invited person's name")
    create.add_argument("--all-pending", action="store_true",
                        help="one code per imported person not registered yet, written to --out")
    create.add_argument("--out", help="with --all-pending: the .xlsx file to write")
    create.add_argument("--province", help="with --role province: the province whose communes they see")
    _commune_option(create)
    _directory_commands(commands)
    province_cli.add_commands(commands)
    return parser


def _commune_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--commune", help="the commune's name (\"Nam Cường\" or \"Nam Cường, Thái Nguyên\"); "
                                          "needed when the database holds several")


def _directory_commands(commands) -> None:
    directory = commands.add_parser("directory", help="the commune's units, baselines and people as a spreadsheet")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    template = directory_commands.add_parser("template", help="write an empty directory file to fill in")
    template.add_argument("--out", required=True, help="the .xlsx file to write")
    load = directory_commands.add_parser("import", help="check a directory file and apply it")
    load.add_argument("files", nargs="+", help="one .xlsx, or .csv files (one per sheet)")
    load.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    _commune_option(load)
    dump = directory_commands.add_parser("export", help="write the commune's directory in the import format")
    dump.add_argument("--out", required=True, help="the .xlsx file to write")
    _commune_option(dump)
    commune = commands.add_parser("commune", help="communes of this deployment")
    commune_commands = commune.add_subparsers(dest="commune_command", required=True)
    add = commune_commands.add_parser("add", help="add a commune")
    add.add_argument("--name", required=True)
    add.add_argument("--province", required=True)
    add.add_argument("--timezone", default="Asia/Ho_Chi_Minh", type=_timezone)


def _timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(deployment_language()("cli.bad_timezone", value=repr(text))) from None
    return text


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(deployment_language()("cli.bad_date", value=repr(text))) from None


def clock_from_env() -> Clock:
    """The system clock; a test hook: MTTQ_FAKE_NOW (ISO time with offset) starts the clock there, running on.

    Only the crash harness (tests/support/crash_harness.py) sets it, to run a real bot process on a chosen business day.
    """
    start = os.environ.get("MTTQ_FAKE_NOW")
    if not start:
        return system_clock
    origin, began = datetime.fromisoformat(start), time.monotonic()
    if origin.tzinfo is None:
        raise ConfigError("MTTQ_FAKE_NOW", "config.fake_now")
    return lambda: origin + timedelta(seconds=time.monotonic() - began)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # its DEBUG lines carry SQL parameters (message text)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # two INFO lines every minute ("Running job …")


def main(argv: list[str] | None = None) -> int:
    """Every failure is one line on stderr and a non-zero exit, never a traceback (LOG_LEVEL=DEBUG logs it)."""
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a file that cannot be read or written: --out in a missing folder, a missing input
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mttq-bot: {where}{exc.strerror or exc}", file=sys.stderr)
        log.debug("the command failed", exc_info=exc)
        return 1
    except Exception as exc:
        print(f"mttq-bot: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        log.debug("the command failed", exc_info=exc)
        return 1


def _main(args: argparse.Namespace) -> int:
    if args.command == "plan" and args.plan_command == "check":
        return _plan_check(args.file)
    try:
        settings = load_settings()
    except ConfigError as exc:  # no settings yet: said in DEFAULT_LANGUAGE as read on its own
        print("mttq-bot: " + exc.line(deployment_language()), file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as exc:  # e.g. the platform refused the bot token at start-up
        print("mttq-bot: " + exc.line(_speech(settings)), file=sys.stderr)
        return 2
    except PlanError as exc:
        print(f"mttq-bot: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnwritable as exc:
        print("mttq-bot: " + _speech(settings)("cli.database_unwritable", reason=exc), file=sys.stderr)
        return 2


def _speech(settings: Settings) -> Translate:
    return Translator(settings.locales_dir).for_language(settings.default_language)


def _plan_check(path: str) -> int:
    """Needs no settings (a plan is checked before a deployment exists); speaks DEFAULT_LANGUAGE if set."""
    try:
        plan = load_plan(path)
    except PlanError as exc:  # the plan's lines, as the plan loader names them
        print(exc, file=sys.stderr)
        return 1
    print(deployment_language()("cli.plan_check.ok", path=path, indicators=len(plan.indicators),
                                forms=len(plan.forms), timeline=len(plan.timeline)))
    return 0


def start_collecting() -> None:
    """Start-up is over: let the cyclic collector run again (bot/__init__.py turned it off for the command).

    What start-up built lives as long as the process, so it is frozen first: later full collections need not
    walk those ~150,000 objects again, and the first one does not pause the first message.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    app = await create_app(settings, clock=clock_from_env())
    if args.command != "run":
        start_collecting()
    try:
        if args.command == "db":
            print(app.speech()("cli.db_up_to_date"))
            return 0
        if args.command == "init":
            return await _init(app, demo=args.demo)
        if args.command == "status":
            from bot.status import print_status

            return await print_status(app, args.commune)
        if args.command == "remind":
            from bot.remind_cli import print_preview

            return await print_preview(app, args.first, args.last, with_text=args.text, commune_name=args.commune)
        if args.command == "export":
            from bot.export_cli import export

            return await export(app, args.period, args.format, args.out, party=args.party, commune_name=args.commune)
        if args.command == "invite":
            return await _invite_command(app, args)
        if args.command in ("directory", "commune"):
            return await _directory(app, args)
        if args.command == "province":
            return await province_cli.run(app, args)
        if args.command == "plan":
            from bot.plans import load_plan_file

            return await load_plan_file(app, args.file, args.commune)
        if args.command == "chat":
            return await _chat(app, args.user, args.commune)
        return await _run(app, args.user, args.commune)
    finally:
        await app.close()


async def _init(app: App, *, demo: bool) -> int:
    if demo:
        async with app.db.transaction() as repos:
            commune = await seed_demo(repos, app.plan, app.clock())
        print(app.speech()("cli.init.demo_ready", commune=commune.name, province=commune.province))
    where = app.db.url.split("///")[-1] if app.db.dialect == "sqlite" else app.db.dialect
    print(app.speech()("cli.init.database_ready", where=where))
    return 0


async def _directory(app: App, args: argparse.Namespace) -> int:
    from bot import directory_cli

    if args.command == "commune":
        return await directory_cli.add_commune(app, args.name, args.province, args.timezone)
    if args.directory_command == "template":
        return await directory_cli.write_template(app, args.out)
    if args.directory_command == "import":
        missing = [path for path in args.files if not os.path.isfile(path)]
        if missing:
            print("mttq-bot: " + app.speech()("cli.no_such_file", file=missing[0]), file=sys.stderr)
            return 2
        return await directory_cli.import_directory(app, args.files, args.commune, dry_run=args.dry_run)
    return await directory_cli.export_directory(app, args.out, args.commune)


async def _invite_command(app: App, args: argparse.Namespace) -> int:
    if args.all_pending:
        if not args.out:
            print("mttq-bot: " + app.speech()("cli.invite.all_pending_out"), file=sys.stderr)
            return 2
        from bot.directory_cli import invite_all_pending

        return await invite_all_pending(app, args.out, args.commune)
    if not args.role:
        print("mttq-bot: " + app.speech()("cli.invite.role_needed"), file=sys.stderr)
        return 2
    if args.province and args.role != PROVINCE:
        print("mttq-bot: " + app.speech()("cli.invite.province_needs_role"), file=sys.stderr)
        return 2
    if args.role == PROVINCE and (args.commune or args.unit):
        print("mttq-bot: " + app.speech()("cli.invite.province_not_commune"), file=sys.stderr)
        return 2
    return await _invite(app, args.role, args.unit, args.name, args.commune, province=args.province)


async def _invite(app: App, role: str, unit_name: str | None, person_name: str,
                  commune_name: str | None = None, *, province: str | None = None) -> int:
    from bot.communes import pick_commune, pick_province

    async with app.db.transaction() as repos:
        if role == PROVINCE:  # anchored on the province's first commune; sees all of them
            choice = await pick_province(repos, province)
        else:
            choice = await pick_commune(repos, commune_name)
        t = app.speech()
        if choice.commune is None:
            print(f"mttq-bot: {t(choice.problem, **(choice.params or {}))}", file=sys.stderr)
            return 1
        commune = choice.commune
        unit_id = None
        if unit_name:
            units = [u for u in await repos.directory.units(commune.id) if fold(u.name) == fold(unit_name)]
            if not units:
                print("mttq-bot: " + t("cli.invite.no_unit", unit=unit_name, commune=commune.name), file=sys.stderr)
                return 1
            unit_id = units[0].id
        elif role == "reporter":
            print("mttq-bot: " + t("cli.invite.unit_needed"), file=sys.stderr)
            return 1
        code = await create_invite(repos, commune_id=commune.id, role=role, unit_id=unit_id, now=app.clock(),
                                   ttl=app.pipeline.settings.invite_ttl, person_name=person_name)
    print(code)
    await _print_telegram_link(app.settings, code)
    return 0


async def _print_telegram_link(settings: Settings, code: str) -> None:
    """The one-tap Telegram registration link, when the bot's username is known."""
    from bot.channels.telegram.links import bot_username, deep_link

    username = await bot_username(settings)
    if username:
        print(f"Telegram: {deep_link(username, code)}")


async def _chat(app: App, user: str, commune_name: str | None = None) -> int:
    from bot.console_chat import AmbiguousUser, chat

    await _ensure_some_commune(app)
    try:
        await chat(app, user, sys.stdin, sys.stdout, commune_name)
    except AmbiguousUser as exc:
        print("mttq-bot: " + app.speech()("cli.chat.several_communes", user=user, communes=exc), file=sys.stderr)
        return 1
    return 0


async def _run(app: App, user: str, commune_name: str | None = None) -> int:
    from bot.channels.registry import configured_channels
    from bot.runner import serve

    channels = configured_channels(app)  # imports the platform libraries of the configured channels
    start_collecting()
    if not channels:
        log.info("no ZALO_BOT_TOKEN or TELEGRAM_BOT_TOKEN: starting the console chat")
        return await _chat(app, user, commune_name)
    await serve(app, channels)
    return 0


async def _ensure_some_commune(app: App) -> None:
    """A fresh database gets the demo commune, so the very first `run` can be tried at once."""
    async with app.db.transaction() as repos:
        if not await repos.directory.communes():
            await seed_demo(repos, app.plan, app.clock())
            log.info("empty database: added the demo commune (sample names are marked '(mẫu)')")
