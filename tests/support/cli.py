"""`mttq-bot ARGS` run in-process, as a technician types it, on a database of the test's own folder."""

from __future__ import annotations

from collections.abc import Callable

from bot.cli import main

Run = Callable[..., tuple[int, str, str]]


def cli_runner(tmp_path, monkeypatch, capsys) -> Run:
    """A `run(*args)` giving (exit status, stdout, stderr); chat tokens unset so no channel is started."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mttq.sqlite'}")
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's own exits (a bad choice, --version)
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run
