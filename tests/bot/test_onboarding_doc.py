"""docs/onboarding.md, run as written: every `sh` command in order (the bot's in real `mttq-bot` processes), the
`.env` of its `ini` block, the import error of its `text` block, and its `chat` blocks sent over a fake Zalo to the
webhook that `mttq-bot run` registered."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.directory_data import realistic_sheets, save_xlsx
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "onboarding.md"
NOW = "2026-11-24T09:00:00+07:00"  # a Tuesday morning: "hôm qua" in the first report is Monday 23/11
BLOCK = re.compile(r"^```(\w+)(?: (\w+))?\n(.*?)^```$", re.M | re.S)
CLI = "import sys; from bot.cli import main; sys.argv[0] = 'mttq-bot'; sys.exit(main())"


@dataclass
class Block:
    kind: str  # sh, ini, text, chat
    tag: str | None
    body: str


def doc_blocks() -> list[Block]:
    return [Block(kind, tag, body) for kind, tag, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))]


def the_file_as_filled(*, with_the_mistakes: bool) -> dict[str, list[list]]:
    """The commune's directory as staff fill the template; first with the two mistakes the doc shows."""
    sheets = realistic_sheets("Phúc Lộc", "Thái Nguyên")
    if with_the_mistakes:
        sheets["Chỉ số"][3][3] = -5  # row 4: Khuổi Đeng's poor households
        sheets["Người"][5][2] = "TH21"  # row 6: the head of Nà Pài in a unit that does not exist
    return sheets


@dataclass
class Machine:
    """The technician's folder on a fresh machine, the fake Zalo platform, and the bot process once it runs."""

    folder: Path
    fake: FakeZalo
    port: int
    public_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    last_output: str = ""
    bot: subprocess.Popen | None = None
    chats: dict[str, str] = field(default_factory=dict)  # person name -> their Zalo user id

    def write_env(self, body: str) -> None:
        """The doc's .env, pointed at the fake platform and a free local port instead of the real ones."""
        values = dict(line.split("=", 1) for line in body.splitlines() if line.strip())
        assert {"DATABASE_URL", "ZALO_BOT_TOKEN", "PUBLIC_BASE_URL", "WEBHOOK_SECRET", "WEB_PORT"} <= set(values)
        self.public_url = values["PUBLIC_BASE_URL"]
        values.update(ZALO_BOT_TOKEN=self.fake.token, ZALO_API_BASE=self.fake.url, WEB_PORT=str(self.port),
                      PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}")
        (self.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        # the subprocesses read .env only: drop anything of the test's own environment that would win over it
        self.env = {k: v for k, v in os.environ.items() if k not in values and not k.startswith("MTTQ_TEST")}
        self.env.update(MTTQ_FAKE_NOW=NOW, PYTHONPATH=str(ROOT))

    async def run(self, line: str) -> None:
        words = shlex.split(line.replace(self.public_url, f"http://127.0.0.1:{self.port}") if self.public_url
                            else line)
        if words[:2] == ["mttq-bot", "run"]:
            await self.start_bot(words[1:])
            return
        if "directory" in words and "import" in words and not (self.folder / "danh_ba.filled").exists():
            save_xlsx(the_file_as_filled(with_the_mistakes=True), self.folder / "danh_ba.xlsx")
            (self.folder / "danh_ba.filled").touch()
        command = [sys.executable, "-c", CLI, *words[1:]] if words[0] == "mttq-bot" else words
        result = await asyncio.to_thread(subprocess.run, command, cwd=self.folder, env=self.env, capture_output=True,
                                         text=True, timeout=180)
        self.last_output = result.stdout
        expected_failure = "--dry-run" in words and "Tệp có" in result.stdout
        assert result.returncode == 0 or expected_failure, (line, result.stdout, result.stderr)

    async def start_bot(self, args: list[str]) -> None:
        self.bot = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=self.folder, env=self.env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        await wait_until(lambda: bool(self.fake.webhook_url) or self.bot.poll() is not None, timeout=120)
        assert self.bot.poll() is None, self.bot.stdout.read()
        assert self.fake.webhook_url.startswith(f"http://127.0.0.1:{self.port}/zalo/webhook/")

    def fixed_by_staff(self) -> None:
        save_xlsx(the_file_as_filled(with_the_mistakes=False), self.folder / "danh_ba.xlsx")

    def invite_code(self, name: str) -> str:
        sheet = load_workbook(self.folder / "ma_moi.xlsx").active
        return next(row[4] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == name)

    async def chat(self, body: str) -> None:
        """Send each `Name: text` line over Zalo's webhook; each `→ words` line must be in the answers to it."""
        turns: list[tuple[str, str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("→"):
                turns[-1][2].append(line[1:].strip())
            elif line.strip():
                name, text = (part.strip() for part in line.split(":", 1))
                text = re.sub(r"<mã mời của ([^>]+)>", lambda m: self.invite_code(m.group(1)), text)
                turns.append((name, text, []))
        for name, text, expected in turns:
            await self.say(name, text, expected)

    async def say(self, name: str, text: str, expected: list[str]) -> None:
        chat_id = self.chats.setdefault(name, f"zalo-user-{len(self.chats) + 1}")
        before = len(self.fake.texts_to(chat_id))
        assert await self.fake.deliver(text_update(chat_id, text, name=name)) == 200

        def answered() -> bool:
            answers = "\n".join(self.fake.texts_to(chat_id)[before:])
            return bool(answers) and all(words in answers for words in expected)

        try:
            await wait_until(answered, timeout=90)
        except AssertionError:
            raise AssertionError(f"{name}: {text!r} → {self.fake.texts_to(chat_id)[before:]}, expected {expected}") \
                from None

    def stop(self) -> None:
        if self.bot is not None and self.bot.poll() is None:
            self.bot.send_signal(signal.SIGTERM)
            try:
                self.bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.bot.kill()
                self.bot.wait()


def test_the_install_block_is_what_the_project_declares():
    """Installing is not re-run here (a minute of pip per test run): the block must name the real entry point."""
    [install] = [b for b in doc_blocks() if b.kind == "sh" and b.tag == "install"]
    assert install.body.splitlines() == ["python3 -m venv .venv", ".venv/bin/pip install -e .",
                                         ". .venv/bin/activate"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["mttq-bot"] == "bot.cli:main"


@pytest.mark.skipif(not Path("/usr/bin/curl").exists() and not Path("/bin/curl").exists(), reason="no curl")
async def test_onboarding_doc_takes_a_fresh_machine_to_a_first_report_and_summary(tmp_path):
    fake = await FakeZalo().start()
    machine = Machine(tmp_path, fake, free_port())
    ran = {"sh": 0, "text": 0, "chat": 0}
    try:
        for block in doc_blocks():
            if block.kind == "ini":
                machine.write_env(block.body)
            elif block.kind == "sh" and block.tag != "install":
                for line in block.body.splitlines():
                    if line.strip() and not line.startswith("#"):
                        await machine.run(line)
                        ran["sh"] += 1
            elif block.kind == "text":
                assert machine.last_output.strip() == block.body.strip()  # the doc shows what the bot prints
                machine.fixed_by_staff()
                ran["text"] += 1
            elif block.kind == "chat":
                await machine.chat(block.body)
                ran["chat"] += 1
    finally:
        machine.stop()
        await fake.stop()
    assert ran == {"sh": 10, "text": 1, "chat": 2}
