"""Config fails fast with one line naming the variable; every message id in code exists in both catalogs."""

from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.cli import main
from bot.settings import ConfigError, Settings, load_settings
from core.roles import ROLES
from plan.loader import SHIPPED_PLAN

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
SCANNED = ("handlers", "bot", "reminders", "summaries")
MSGID_LIKE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# f-string message ids whose variable part is known: every value must have a message.
DYNAMIC_FAMILIES = {
    "start.invite_": ("unknown", "used", "expired", "malformed"),  # handlers.invites.Redeemed.problem
    "role.": ROLES,
    "err.inbound.": ("sticker", "voice", "document", "location", "unsupported"),  # handlers.router
    "directory.cli.action.": ("added", "changed", "deactivated"),  # bot.directory.apply.Change.action
    "directory.guide.": tuple(str(n) for n in range(1, 9)),  # bot.directory.write.GUIDE_LINES
}


def _catalog(language: str) -> dict[str, str]:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "mttq.po").open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


VI, EN = _catalog("vi"), _catalog("en")


# --- settings --------------------------------------------------------------------------------------------------

def _env_example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", [name.upper() for name in Settings.model_fields])
def test_every_setting_is_in_env_example_with_a_comment(name):
    lines = _env_example_lines()
    at = next((n for n, line in enumerate(lines) if re.match(rf"^#?\s*{name}=", line)), None)
    assert at is not None, f"{name} is missing from .env.example"
    block = []  # the lines right above it, up to a blank line
    for line in reversed(lines[:at]):
        if not line.strip():
            break
        block.append(line)
    explanations = [line for line in block if line.startswith("#") and not re.match(r"^#\s*[A-Z_]+=", line)]
    assert explanations, f"{name} in .env.example has no comment above it"


def test_env_example_copied_to_env_starts_with_the_defaults(monkeypatch):
    """"Copy to .env and edit": the copy must load, and say what the defaults are."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    assert Settings(_env_file=ENV_EXAMPLE).model_dump() == Settings(_env_file=None).model_dump()


BAD_VALUES = [
    ("TIMEZONE", "Mars/Base", "không phải múi giờ đã biết"),
    ("DATABASE_URL", "mysql://root:hunter2@db/mttq", "hãy dùng sqlite+aiosqlite"),
    ("WEBHOOK_SECRET", "short", "8–256 ký tự"),
    ("WEB_PORT", "0", "phải lớn hơn hoặc bằng 1"),
    ("PLAN_FILE", "/nope/plan.yaml", "không có tệp kế hoạch"),
    ("DEFAULT_LANGUAGE", "fr", "phải là một trong: vi, en"),
    ("CONVERSATION_TTL_HOURS", "ba ngày", "phải là một số nguyên"),
    ("TELEGRAM_API_BASE", "ftp://example.org", "phải bắt đầu bằng http://"),
    ("PUBLIC_BASE_URL", "http://bot.example.org", "phải bắt đầu bằng https://"),
    ("ZALO_BOT_TOKEN", '"1234567890:hunter2"', "không giống mã bot Zalo"),
    ("ZALO_BOT_TOKEN", "hunter2", "<số id>:<chuỗi bí mật>"),
    ("RECEIVE_UPDATES", "sometimes", "phải là một trong: webhook, polling"),
    ("ZALO_QUOTA_RESET", "tháng sau", "phải là một ngày dạng 2026-01-31"),
]


WEBHOOK_SETUPS = [  # (environment, the line expected)
    ({"ZALO_BOT_TOKEN": "1234567890:abc", "PUBLIC_BASE_URL": "https://bot.example.org"},
     "WEBHOOK_SECRET: đang trống, nhưng PUBLIC_BASE_URL đã đặt"),
    ({"TELEGRAM_BOT_TOKEN": "1:abc", "RECEIVE_UPDATES": "webhook", "WEBHOOK_SECRET": "s" * 16},
     "RECEIVE_UPDATES: nhận tin kiểu webhook cần PUBLIC_BASE_URL"),
]


@pytest.mark.parametrize(("env", "expected"), WEBHOOK_SETUPS)
def test_webhook_mode_without_what_it_needs_is_one_line(monkeypatch, tmp_path, env, expected):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)


def test_webhooks_are_the_default_with_a_public_address_and_polling_stays_possible(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1234567890:abc")
    assert load_settings().updates_mode == "polling" and not load_settings().webhooks_enabled
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.org")
    monkeypatch.setenv("WEBHOOK_SECRET", "s" * 16)
    assert load_settings().webhooks_enabled and load_settings().zalo_section().webhook_secret == "s" * 16
    monkeypatch.setenv("RECEIVE_UPDATES", "polling")  # a public address for file links, but polling (development)
    assert not load_settings().webhooks_enabled and load_settings().zalo_section().webhook_secret is None
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8080")  # this machine: a local fake platform
    assert load_settings().public_base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(("variable", "value", "reason"), BAD_VALUES, ids=[case[0] for case in BAD_VALUES])
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, tmp_path, variable, value, reason):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}: ") and reason in message and "\n" not in message
    assert "hunter2" not in message  # a password in a URL never reaches the terminal or the logs


def test_mttq_bot_exits_2_printing_the_one_line(tmp_path):
    """The real command: exit status 2 and nothing on stderr but the line (without the URL's password)."""
    env = {**os.environ, "DATABASE_URL": "mysql://root:hunter2@db/mttq"}
    result = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())",
                             "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["mttq-bot: DATABASE_URL: hãy dùng sqlite+aiosqlite:///ĐƯỜNG_DẪN hoặc "
                                          "postgresql+asyncpg://NGƯỜI_DÙNG@MÁY/CSDL"]


# --- plan check ------------------------------------------------------------------------------------------------

SHIPPED_TEXT = SHIPPED_PLAN.read_text(encoding="utf-8")


def _line_of(snippet: str) -> int:
    return SHIPPED_TEXT.count("\n", 0, SHIPPED_TEXT.index(snippet)) + 1


BROKEN_PLANS = [  # (what is wrong, text replaced, replacement, the line named, the reason given)
    ("unknown field kind", "kind: number", "kind: numbr", _line_of("kind: number"), "kind"),
    ("bad yaml", "kind: number", "kind: number: x", _line_of("kind: number"), "not valid YAML"),
    ("unknown form", "form: ngay_hoi", "form: ngay_hoi_x", _line_of("form: ngay_hoi"), "unknown form"),
    ("timeline filter on a field the form lacks (issue 15)", "where: {field: loai, equals: chuong_trinh_giam_sat}",
     "where: {field: loai_x, equals: chuong_trinh_giam_sat}",
     _line_of("where: {field: loai, equals: chuong_trinh_giam_sat}"),
     "timeline item II.2.1: form 'ban_hanh_van_ban' has no field 'loai_x'"),
]


def test_plan_check_passes_the_shipped_plan(capsys):
    assert main(["plan", "check", str(SHIPPED_PLAN)]) == 0
    assert ": đạt — " in capsys.readouterr().out


@pytest.mark.parametrize(("case", "old", "new", "line", "reason"), BROKEN_PLANS, ids=[c[0] for c in BROKEN_PLANS])
def test_plan_check_names_the_line_of_a_broken_plan(tmp_path, capsys, case, old, new, line, reason):
    broken = tmp_path / "plan.yaml"
    broken.write_text(SHIPPED_TEXT.replace(old, new, 1), encoding="utf-8")
    assert main(["plan", "check", str(broken)]) == 1
    error = capsys.readouterr().err
    assert f"{broken}, line {line}: " in error and reason in error, error


def test_plan_check_of_a_missing_file(tmp_path, capsys):
    assert main(["plan", "check", str(tmp_path / "none.yaml")]) == 1
    assert "cannot read the plan file" in capsys.readouterr().err


# --- catalogs --------------------------------------------------------------------------------------------------

def _is_translate_call(node: ast.Call) -> bool:
    """t("…"), ctx.t("…"), translator.for_language(lang)("…") and ParseError("…") name message ids."""
    func = node.func
    return ((isinstance(func, ast.Name) and func.id in ("t", "translate", "ParseError"))
            or (isinstance(func, ast.Attribute) and func.attr == "t")
            or (isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute)
                and func.func.attr == "for_language"))


def _alternatives(node: ast.expr) -> list[ast.expr]:
    """t(a if c else b) names both a and b."""
    return [*_alternatives(node.body), *_alternatives(node.orelse)] if isinstance(node, ast.IfExp) else [node]


def _used_msgids() -> tuple[dict[str, str], dict[str, str]]:
    """(message id → where, f-string prefix → where) for every id the code names."""
    namespaces = {msgid.split(".")[0] for msgid in VI}
    literal, prefixes = {}, {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(encoding="utf-8"), where)
            in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                           for part in node.values}
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and node.args and _is_translate_call(node):
                    for first in _alternatives(node.args[0]):
                        if isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                            prefixes[first.values[0].value] = where
                        elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                            literal[first.value] = where
                elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
                      and MSGID_LIKE.match(node.value) and node.value.split(".")[0] in namespaces):
                    literal.setdefault(node.value, where)  # e.g. "help.staff", chosen before ctx.t(key)
    return literal, prefixes


def test_every_message_id_in_code_is_in_both_catalogs():
    literal, prefixes = _used_msgids()
    assert len(literal) > 80  # the scan found the code's messages (it cannot pass by finding none)
    ids = dict(literal)
    for prefix, values in DYNAMIC_FAMILIES.items():
        assert prefix in prefixes, f"the scan no longer sees the {prefix}… family: update DYNAMIC_FAMILIES"
        ids.update({prefix + value: prefixes[prefix] for value in values})
    missing = sorted(f"{msgid} ({where}): missing in {'vi' if msgid not in VI else 'en'}"
                     for msgid, where in ids.items() if msgid not in VI or msgid not in EN)
    assert missing == []
    families = sorted(f"{prefix}… ({where})" for prefix, where in prefixes.items()
                      if not any(msgid.startswith(prefix) for msgid in VI))
    assert families == []


def test_both_catalogs_have_the_same_ids_and_no_empty_text():
    assert sorted(set(VI) ^ set(EN)) == []
    assert sorted(msgid for catalog in (VI, EN) for msgid, text in catalog.items() if not text.strip()) == []


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_match_between_vi_and_en():
    mismatched = sorted(f"{msgid}: vi {sorted(_placeholders(VI[msgid]))} en {sorted(_placeholders(EN[msgid]))}"
                        for msgid in set(VI) & set(EN) if _placeholders(VI[msgid]) != _placeholders(EN[msgid]))
    assert mismatched == []
