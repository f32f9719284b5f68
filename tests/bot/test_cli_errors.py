"""Every `mttq-bot` mistake is one line on stderr and a non-zero exit, never a traceback: a table over each
subcommand with a bad path or argument; and `--version`."""

from __future__ import annotations

import logging
import re

import pytest
from support.cli import cli_runner

from bot.cli import configure_logging, version
from plan.loader import SHIPPED_PLAN

# (arguments, what the one line must mention); {tmp} is the test's folder (it exists: not a file)
BAD = [
    (["export", "--period", "2026-Q4", "--format", "docx", "--out", "/missing/dir/x.docx"], "/missing/dir/x.docx"),
    (["export", "--period", "2026-Q4", "--format", "txt", "--out", "{tmp}"], "{tmp}"),
    (["export", "--period", "bad", "--format", "txt", "--out", "x.txt"], "--period"),
    (["export", "--period", "2026-Q9", "--format", "txt", "--out", "x.txt"], "--period"),
    (["export", "--period", "2031-Q1", "--format", "txt", "--out", "x.txt"], "2031"),
    (["export", "--period", "2026-Q1", "--format", "pdf", "--out", "x.pdf"], "--format"),
    (["export", "--period", "2026-Q1", "--format", "txt", "--out", "x.txt", "--commune", "Nowhere"], "Nowhere"),
    (["plan", "check", "/nope"], "/nope"),
    (["plan", "check", "{tmp}"], "{tmp}"),
    (["plan", "load", "/nope"], "/nope"),
    (["directory", "import", "/nope.xlsx"], "/nope.xlsx: không có tệp này"),
    (["directory", "template", "--out", "/missing/dir/t.xlsx"], "/missing/dir/t.xlsx"),
    (["directory", "export", "--out", "/missing/dir/t.xlsx"], "/missing/dir/t.xlsx"),
    (["invite", "create", "--all-pending", "--out", "/missing/dir/i.xlsx"], "/missing/dir/i.xlsx"),
    (["invite", "create", "--role", "reporter", "--unit", "Thôn không có"], "không có đơn vị nào tên 'Thôn không có'"),
    (["invite", "create", "--role", "reporter"], "lời mời người báo cáo cần ghi --unit"),
    (["invite", "create"], "hãy ghi --role (hoặc --all-pending --out TỆP.xlsx)"),
    (["invite", "create", "--role", "mayor"], "--role"),
    (["remind", "preview", "--from", "2026-13-01", "--to", "2026-12-31"],
     "không phải ngày dạng 2026-01-31: '2026-13-01'"),
    (["remind", "preview", "--from", "2026-12-01", "--to", "2026-01-01"], "--to"),
    (["commune", "add", "--name", "X", "--province", "Y", "--timezone", "Mars/Base"],
     "không phải múi giờ như Asia/Ho_Chi_Minh: 'Mars/Base' (xem mttq-bot commune add --help)"),
    (["db", "downgrade"], "downgrade"),
    (["frobnicate"], "frobnicate"),
    ([], "command"),
]


@pytest.fixture
def mttq(tmp_path, monkeypatch, capsys):
    """`mttq-bot ARGS` in-process on a demo database of this test; returns (exit status, stdout, stderr)."""
    return cli_runner(tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize("args, mentioned", BAD, ids=[" ".join(a)[:60] or "(nothing)" for a, _ in BAD])
def test_a_bad_argument_or_path_is_one_line(mttq, tmp_path, args, mentioned):
    assert mttq("init", "--demo")[0] == 0
    code, out, err = mttq(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    lines = (err.strip() or out.strip()).splitlines()  # `plan load` reports on stdout, as its other answers
    assert code != 0
    assert len(lines) == 1, err
    assert "Traceback" not in out + err
    assert mentioned.replace("{tmp}", str(tmp_path)) in lines[0]


def test_a_file_that_is_not_a_spreadsheet_gets_the_import_report_not_a_traceback(mttq, tmp_path):
    """`directory import` answers a bad file with its list of problems (docs/directory.md), naming the file."""
    (tmp_path / "not-a-spreadsheet.xlsx").write_text("tên,vai trò\n")
    code, out, err = mttq("directory", "import", str(tmp_path / "not-a-spreadsheet.xlsx"))
    assert code != 0 and "Traceback" not in out + err
    assert "not-a-spreadsheet.xlsx không phải tệp Excel" in out


def test_version(mttq):
    code, out, _ = mttq("--version")
    assert code == 0 and out.strip() == f"mttq-bot {version()}" and version()[0].isdigit()


def test_the_scheduler_logs_only_warnings():
    configure_logging("INFO")
    assert logging.getLogger("apscheduler.scheduler").getEffectiveLevel() == logging.WARNING


def test_the_technicians_lines_speak_the_deployments_language(mttq, monkeypatch, tmp_path):
    """init, db upgrade and plan check answer from locales/ (cli.*): Vietnamese by default, English when
    DEFAULT_LANGUAGE=en; a bad setting too (config.*), before any settings exist."""
    code, out, _ = mttq("init", "--demo")
    assert code == 0 and out.splitlines() == [
        "đã thêm dữ liệu mẫu: Nam Cường, Thái Nguyên (các đơn vị mẫu có ghi '(mẫu)')",
        f"cơ sở dữ liệu đã sẵn sàng: {tmp_path}/mttq.sqlite"], out
    assert mttq("db", "upgrade")[1].strip() == "cơ sở dữ liệu đã ở phiên bản mới nhất"
    code, out, _ = mttq("plan", "check", str(SHIPPED_PLAN))
    assert code == 0 and re.fullmatch(r".*: đạt — \d+ chỉ tiêu, \d+ mẫu báo cáo, \d+ mốc tiến độ", out.strip())
    monkeypatch.setenv("WEB_PORT", "ba")
    assert mttq("db", "upgrade")[2].strip() == "mttq-bot: WEB_PORT: phải là một số nguyên"
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    assert mttq("db", "upgrade")[2].strip() == "mttq-bot: WEB_PORT: must be a whole number"
    monkeypatch.delenv("WEB_PORT")
    assert mttq("db", "upgrade")[1].strip() == "the database is up to date"
    assert re.fullmatch(r".*: OK — \d+ indicators, \d+ forms, \d+ timeline items",
                        mttq("plan", "check", str(SHIPPED_PLAN))[1].strip())
