"""Several communes in one database, as a technician types the commands: `--commune` where a command acts on
one commune (refused without it when there are several), `invite create --role province --province NAME`."""

from __future__ import annotations

import re

import pytest

from bot.cli import main

CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$", re.MULTILINE)


@pytest.fixture
def mttq(tmp_path, monkeypatch, capsys):
    """Run `mttq-bot ARGS` in-process on a database of this test; returns (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mttq.sqlite'}")
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def test_a_province_viewer_invite_names_the_province_and_refuses_to_guess(mttq):
    assert mttq("init")[0] == 0
    code, _out, err = mttq("invite", "create", "--role", "province")
    assert code == 1 and "Chưa có xã nào" in err
    mttq("commune", "add", "--name", "Phúc Lộc", "--province", "Thái Nguyên")
    assert CODE.search(mttq("invite", "create", "--role", "province")[1])  # the only province: no guess needed
    mttq("commune", "add", "--name", "Minh Tân", "--province", "Hà Giang")
    code, _out, err = mttq("invite", "create", "--role", "province")
    assert code == 1 and "Có nhiều tỉnh; hãy ghi rõ tỉnh nào bằng --province" in err and "Hà Giang" in err
    code, _out, err = mttq("invite", "create", "--role", "province", "--province", "Bắc Kạn")
    assert code == 1 and "Không có tỉnh 'Bắc Kạn'" in err
    code, out, _err = mttq("invite", "create", "--role", "province", "--province", "thai nguyen")
    assert code == 0 and CODE.search(out)
    code, _out, err = mttq("invite", "create", "--role", "province", "--province", "Hà Giang", "--commune", "Minh Tân")
    assert code == 2 and "--province, not --commune" in err
    code, _out, err = mttq("invite", "create", "--role", "staff", "--province", "Hà Giang")
    assert code == 2 and "--province goes with --role province" in err
