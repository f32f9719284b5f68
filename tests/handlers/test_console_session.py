"""The issue's scripted session: invite, register, report a Ngày hội, see it, edit it, delete it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from support.app import VN, ChatUser, FakeClock, make_app

from bot.cli import _invite
from storage.models import Report

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
NGAY_HOI_ANSWERS = {"ngay": "2026-11-24", "dia_diem": "Nhà văn hóa thôn Nà Pài", "so_nguoi_tham_gia": 1200,
                    "danh_gia_huong_uoc": True, "noi_dung": None, "anh": None, "ghi_chu": None}

# (what the new reporter types, a fragment of the bot's last reply)
SESSION = [
    ("bao cao", "1. Ngày hội, mô hình ở khu dân cư"),  # the menu's groups first (issue 15.7)
    ("ngay hoi dai doan ket", "(1/7) Ngày tổ chức?"),  # a form's label typed without diacritics opens it
    ("hôm qua", "(2/7) Tổ chức ở đâu?"),
    ("Nhà văn hóa thôn Nà Pài", "(3/7) Khoảng bao nhiêu người"),
    ("1.200 người", "(4/7) Có giám sát"),
    ("có", "(5/7) Có những hoạt động gì?"),
    ("bỏ qua", "(6/7) Gửi một ảnh"),
    ("bo qua", "(7/7) Ghi chú"),
    ("-", "- Số người tham gia: 1.200 người"),
    ("1", "Đã ghi báo cáo số 1"),
    ("/cuatoi", "1. 24/11 Ngày hội Đại đoàn kết… (số 1)"),
    ("1", "- Địa điểm: Nhà văn hóa thôn Nà Pài"),
    ("sua", "Sửa mục nào?"),
    ("3", "(3/7) Khoảng bao nhiêu người"),
    ("150", "- Số người tham gia: 150 người"),
    ("1", "Sửa mục nào?"),
    ("ngay to chuc", "(1/7) Ngày tổ chức?"),
    ("20/11", "Số 1 — Ngày hội Đại đoàn kết toàn dân tộc (20/11/2026)"),
    ("2", "Xóa báo cáo Số 1"),
    ("có", "chưa có báo cáo nào"),
    ("/cuatoi", "Trong quý IV năm 2026 đồng chí chưa có báo cáo nào"),
]


async def _invite_by_chat(staff: ChatUser) -> str:
    """Staff make a reporter invite for Thôn Nà Pài with /moi, as they would on Zalo."""
    assert "1. Người báo cáo" in (await staff.say("/moi"))[0]
    assert "2. Thôn Nà Pài (mẫu)" in (await staff.say("1"))[0]
    [created] = await staff.say("2")
    return CODE.search(created)[0]


async def test_invite_register_report_see_edit_delete(app, recorder, staff):
    code = await _invite_by_chat(staff)
    guest = ChatUser(app, recorder, "guest-lan", "Bà Lan")
    assert "mã mời" in (await guest.say("bao cao"))[0]  # unregistered: an explanation, nothing else
    welcome = await guest.say(f"/start {code.lower()}")  # codes survive being retyped in lower case
    assert "Chào đồng chí Bà Lan, Trưởng ban Công tác Mặt trận thôn Nà Pài (mẫu)!" in welcome[0]
    assert "/baocao" in welcome[1]
    for text, expected in SESSION:
        replies = await guest.say(text)
        # the last reply, or all of them when a report's check came as its answers then its question
        assert replies and expected in "\n".join(replies), (text, replies)
    await _check_stored_rows(app, code)


async def _check_stored_rows(app, code: str) -> None:
    from handlers.invites import code_hash

    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "guest-lan")
        invite = await repos.invites.by_hash(code_hash(code))
        report: Report = await repos.reports.get(1)
        audit = await repos.audit.for_entity("report", 1)
        live = await repos.reports.by_person(person.id, date(2026, 1, 1), date(2026, 12, 31))
    assert (person.name, person.role, invite.used_by) == ("Bà Lan", "reporter", person.id)
    edited = {**NGAY_HOI_ANSWERS, "so_nguoi_tham_gia": 150, "ngay": "2026-11-20"}
    assert (report.person_id, report.form_id, report.answers) == (person.id, "ngay_hoi", edited)
    assert report.activity_date == date(2026, 11, 20)
    assert report.edited_at is not None and report.deleted_at is not None and live == []
    assert [(a.action, a.person_id) for a in audit] == [("create", person.id), ("edit", person.id),
                                                       ("edit", person.id), ("delete", person.id)]
    create, first_edit, second_edit, delete = audit
    assert (create.before, create.after) == (None, NGAY_HOI_ANSWERS)
    assert first_edit.before == NGAY_HOI_ANSWERS
    assert first_edit.after == {**NGAY_HOI_ANSWERS, "so_nguoi_tham_gia": 150}
    assert (second_edit.before, second_edit.after) == (first_edit.after, edited)
    assert (delete.before, delete.after) == (edited, None)


async def test_the_real_chat_command_reads_one_message_per_line(tmp_path, capsys):
    """`mttq-bot chat` as a subprocess, stdin not a terminal: each line is a message, each reply printed."""
    today = datetime.now(VN).date()
    day = min(today, date(2026, 12, 31)) if today.year >= 2026 else date(2026, 1, 1)
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    app = await make_app(url, FakeClock(datetime.now(VN) - timedelta(minutes=1)))
    try:
        assert await _invite(app, "reporter", "Thon Na Pai (mau)", "") == 0  # `mttq-bot invite create`
    finally:
        await app.close()
    code = CODE.search(capsys.readouterr().out)[0]
    lines = [f"/start {code}", "bao cao", "1", "1", day.strftime("%d/%m/%Y"), "Nha van hoa", "80 nguoi", "khong",
             "bo qua", "bo qua", "bo qua", "1", "/huy"]
    result = subprocess.run(_mttq_bot("chat", "--user", "Bà Lan"), input="\n".join(lines) + "\n",
                            capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            env={**os.environ, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for fragment in ("Chào đồng chí Bà Lan", "1. Ngày hội Đại đoàn kết toàn dân tộc", "(7/7) Ghi chú",
                     "- Số người tham gia: 80 người", "Gõ số 1–3 để chọn",
                     f"Đã ghi báo cáo số 1: Ngày hội Đại đoàn kết toàn dân tộc, ngày {day:%d/%m/%Y}",
                     "Không có việc gì đang làm dở."):
        assert fragment in out, fragment
    assert out.count("\n\n") >= len(lines)  # one printed block (at least) per message


def _mttq_bot(*args: str) -> list[str]:
    """The installed console script next to this interpreter, as README's set-up makes it."""
    script = Path(sys.executable).with_name("mttq-bot")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args]


# Going back, skipping, a required question that cannot be skipped, editing before sending, cancelling.
NAVIGATION = [
    ("bao cao", "1. Ngày hội, mô hình ở khu dân cư"),
    ("1", "1. Ngày hội Đại đoàn kết toàn dân tộc"),  # the group's forms
    ("1", "(1/7) Ngày tổ chức?"),
    ("hôm qua", "(2/7) Tổ chức ở đâu?"),
    ("quay lại", "(1/7) Ngày tổ chức?"),
    ("20/11", "(2/7) Tổ chức ở đâu?"),
    ("bỏ qua", "(2/7) Tổ chức ở đâu?"),  # required: "Câu này bắt buộc…", then the same question
    ("Sân thôn", "(3/7) Khoảng bao nhiêu người"),
    ("50", "(4/7) Có giám sát"),
    ("không", "(5/7) Có những hoạt động gì?"),
    ("Văn nghệ, thể thao", "(6/7) Gửi một ảnh"),
    ("bỏ qua", "(7/7) Ghi chú"),
    ("bỏ qua", "- Ngày tổ chức: 20/11/2026"),
    ("2", "Sửa mục nào?"),
    ("so nguoi", "(3/7) Khoảng bao nhiêu người"),
    ("60", "- Số người tham gia: 60 người"),
    ("huy bao cao", "Đã hủy. Báo cáo này chưa được gửi."),
    ("bao cao", "1. Ngày hội, mô hình ở khu dân cư"),
    ("/huy", "Đã dừng."),
    ("1", "Chưa rõ ý đồng chí."),  # no conversation any more: a hint, not an answer
]


async def test_back_skip_edit_and_cancel(app, reporter):
    for text, expected in NAVIGATION:
        replies = await reporter.say(text)
        # the last reply, or all of them when a report's check came as its answers then its question
        assert replies and expected in "\n".join(replies), (text, replies)
    async with app.db.transaction() as repos:
        assert await repos.reports.get(1) is None
        assert await repos.conversations.get("console", "reporter", "reporter") is None


# Typed with the input method off: Telex tone keys, VNI digits, no diacritics at all.
LOOSE_TYPING = [
    ("baos caos", "Báo cáo cho đơn vị nào?"),
    ("tho6n na2 pa2i", "Báo cáo việc gì? (Đơn vị: Thôn Nà Pài (mẫu))"),  # not "Chi bộ thôn Nà Pài"
    ("ngayf hooij", "(1/7) Ngày tổ chức?"),
    ("homf quaa", "(2/7) Tổ chức ở đâu?"),
    ("trowj giupj", "/baocao — báo cáo một hoạt động"),
]


async def test_loose_typing_reaches_the_same_places(staff):
    for text, expected in LOOSE_TYPING:
        replies = await staff.say(text)
        assert replies and any(expected in reply for reply in replies), (text, replies)
