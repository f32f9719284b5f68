"""Several communes in one database, as a technician types the commands: `--commune` where a command acts on
one commune (refused without it when there are several), `invite create --role province --province NAME`."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from pathlib import Path

import pytest
from support.app import ChatUser, attach_recorder, make_app
from support.cli import cli_runner
from support.province_data import province_invite, three_communes

from storage.models import Identity, Person

CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$", re.MULTILINE)


@pytest.fixture
def mttq(tmp_path, monkeypatch, capsys):
    """Run `mttq-bot ARGS` in-process on a database of this test; returns (exit status, stdout, stderr)."""
    return cli_runner(tmp_path, monkeypatch, capsys)


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
    assert code == 2 and "ghi --province, không ghi --commune hay --unit" in err
    code, _out, err = mttq("invite", "create", "--role", "staff", "--province", "Hà Giang")
    assert code == 2 and "--province chỉ dùng với --role province" in err
    mttq("commune", "add", "--name", "Tân Lập", "--province", "Thai Nguyen")  # the same province, spelt otherwise
    code, _out, err = mttq("invite", "create", "--role", "province", "--province", "thai nguyen")
    assert code == 1 and "Có nhiều tỉnh viết giống 'thai nguyen': Thai Nguyen; Thái Nguyên" in err
    assert mttq("invite", "create", "--role", "province", "--province", "Thái Nguyên")[0] == 0


@pytest.fixture
async def three(tmp_path, clock):
    """The demo commune, Phúc Lộc (same province) and Minh Tân (Hà Giang), with people and reports; a person
    of Phúc Lộc has the demo chair's name."""
    app = await make_app(f"sqlite+aiosqlite:///{tmp_path / 'mttq.sqlite'}", clock)
    same, other = await three_communes(app)
    async with app.db.transaction() as repos:
        twin = await repos.directory.add(Person(commune_id=same.id, name="Chủ tịch Ủy ban MTTQ Việt Nam xã (mẫu)",
                                                role="chair",
                                                created_at=clock()))
        await repos.directory.add(Identity(person_id=twin.id, channel="console", external_id="b-twin"))
    await app.close()
    return same, other


async def test_every_command_that_acts_on_one_commune_asks_which(mttq, three, tmp_path, monkeypatch):
    needed = "Có nhiều xã; hãy ghi rõ xã nào bằng --commune"
    for args in (("export", "--period", "2026-Q4", "--format", "txt", "--out", "a.txt"),
                 ("remind", "preview", "--from", "2026-12-01", "--to", "2026-12-31"),
                 ("directory", "export", "--out", "d.xlsx"),
                 ("invite", "create", "--role", "staff"),
                 ("invite", "create", "--all-pending", "--out", "i.xlsx")):
        code, out, err = await asyncio.to_thread(mttq, *args)
        assert code == 1 and needed in err + out, (args, out, err)
        assert not any(Path(name).exists() for name in ("a.txt", "d.xlsx", "i.xlsx"))
    code, _out, _err = await asyncio.to_thread(mttq, "export", "--period", "2026-Q4", "--format", "txt", "--out",
                                               "b.txt", "--commune", "phuc loc")
    assert code == 0
    text = (tmp_path / "b.txt").read_text()
    assert "xã Phúc Lộc" in text and "Thôn 3 Phúc Lộc" in text and "Nà Pài" not in text


async def test_remind_preview_and_status_of_one_commune(mttq, three):
    code, out, _err = await asyncio.to_thread(mttq, "remind", "preview", "--from", "2026-12-01", "--to",
                                              "2026-12-31", "--commune", "Minh Tân, Hà Giang")
    assert code == 0 and out.startswith("Minh Tân, Hà Giang\n")
    recipients = {line.rsplit("→", 1)[1].strip() for line in out.splitlines() if "→" in line}
    assert recipients and all(name.startswith(("Ông C", "Bà C")) for name in recipients), recipients
    code, out, _err = await asyncio.to_thread(mttq, "status")
    assert code == 0 and "Hàng đợi gửi (outbox)" in out and "Có 3 xã" in out and "--commune" in out
    code, out, _err = await asyncio.to_thread(mttq, "status", "--commune", "Phúc Lộc")
    assert code == 0 and "Xã Phúc Lộc, Thái Nguyên: 4 đơn vị đang hoạt động, 6 người (6 đã đăng ký trong chat)" in out


async def test_chat_as_a_name_two_communes_share_needs_the_commune(mttq, three, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("/trogiup\n"))
    code, _out, err = await asyncio.to_thread(mttq, "chat", "--user", "Chủ tịch Ủy ban MTTQ Việt Nam xã (mẫu)")
    assert code == 1 and "là người của nhiều xã" in err and "Phúc Lộc" in err and "Nam Cường" in err
    code, out, _err = await asyncio.to_thread(mttq, "chat", "--user", "Chủ tịch Ủy ban MTTQ Việt Nam xã (mẫu)",
                                              "--commune",
                                              "Phúc Lộc")
    assert code == 0 and "/tonghop" in out


async def test_a_province_viewer_is_listed_and_deactivated_from_the_cli(mttq, tmp_path, clock):
    url = f"sqlite+aiosqlite:///{tmp_path / 'mttq.sqlite'}"
    app = await make_app(url, clock)
    await three_communes(app)
    recorder = attach_recorder(app)
    viewer = ChatUser(app, recorder, "tinh")
    await viewer.say(f"/start {await province_invite(app)}")
    await app.close()
    code, out, _err = await asyncio.to_thread(mttq, "province", "list")
    assert code == 0 and "Thái Nguyên: Ban Thường trực tỉnh Thái Nguyên — đang hoạt động, đã đăng ký trong chat" in out
    code, _out, err = await asyncio.to_thread(mttq, "province", "deactivate", "--name", "Không Có Ai")
    assert code == 1 and "không có người xem cấp tỉnh nào tên 'Không Có Ai'" in err
    code, out, _err = await asyncio.to_thread(mttq, "province", "deactivate", "--name",
                                              "ban thuong truc tinh thai nguyen")
    assert code == 0 and out.strip() == "Ban Thường trực tỉnh Thái Nguyên: đã tạm dừng"
    app = await make_app(url, clock, demo=False)
    try:
        viewer = ChatUser(app, attach_recorder(app), "tinh")
        t = app.translator.for_language("vi")
        assert await viewer.say("/tonghop") == [t("start.unregistered")]  # at once: not a province viewer any more
    finally:
        await app.close()
    code, out, _err = await asyncio.to_thread(mttq, "province", "list", "--province", "thai nguyen")
    assert code == 0 and "— đã tạm dừng, đã đăng ký trong chat" in out and "1 người xem cấp tỉnh" in out
