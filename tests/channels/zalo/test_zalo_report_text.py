"""A Ngày hội filed from one sentence over the fake Zalo: three messages from the village head (issue 17.1, 17.3)."""

from __future__ import annotations

from datetime import date

import pytest
from support.app import invite_code
from support.report_scripts import SCRIPTS, file_report
from support.zalo_harness import USER, ZaloUser, running, zalo_app

# (script, messages from the user, messages from the bot): every bot message costs one of the ~3,000 a month
# (the menu has two levels: the groups of forms, then the group's forms)
EXPECTED = [("one sentence", 3, 3), ("menu + xong", 9, 9), ("menu", 11, 11)]


@pytest.mark.parametrize("script, by_user, by_bot", EXPECTED, ids=[e[0] for e in EXPECTED])
async def test_a_festival_report_costs(script, by_user, by_bot, fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    code = await invite_code(app)
    async with running(app, tmp_path):
        user = ZaloUser(app, fake, USER)
        await user.say(f"/start {code}")
        count = await file_report(user.say, SCRIPTS[script])
    assert "Đã ghi báo cáo số 1" in count.last_reply
    assert (count.sent_by_user, count.sent_by_bot) == (by_user, by_bot)
    async with app.db.transaction() as repos:
        [report] = await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
    assert (report.form_id, report.activity_date, report.answers["so_nguoi_tham_gia"]) == (
        "ngay_hoi", date(2026, 11, 24), 150)
    assert report.answers["danh_gia_huong_uoc"] is True and report.answers["ghi_chu"] is None
    await app.close()
