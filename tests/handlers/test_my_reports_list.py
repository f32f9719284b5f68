"""/cuatoi's list fits several reports on a Zalo page (issue 15.7 follow-up): each line the date, the form's name
cut at a word and the report's number; the unit too when the list holds several units' reports (staff)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from support.app import ChatUser, attach_recorder
from support.menus import page_showing

from core.menus import MESSAGE_CHARS
from storage.models import Report

FORMS = ("ngay_hoi", "mo_hinh_tu_quan", "cong_trinh_xanh", "nep_song_van_minh", "tham_hoi_ho_ngheo", "giam_sat",
         "gop_y_xay_dung_dang", "tap_huan")


async def _file_reports(app, role: str, unit_names: list[str]) -> None:
    """One report of each form by the commune's person of `role`, for the units in turn, this quarter."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        units = {u.name: u for u in await repos.directory.units(commune.id)}
        person = next(p for p in await repos.directory.people(commune.id) if p.role == role)
        for n, form_id in enumerate(FORMS):
            day = date(2026, 11, 20) - timedelta(days=n)
            await repos.reports.add(Report(commune_id=commune.id, unit_id=units[unit_names[n % len(unit_names)]].id,
                                           person_id=person.id, form_id=form_id, activity_date=day,
                                           answers={"ngay": day.isoformat()}, created_at=app.clock()))


def options(menu: str) -> list[str]:
    return [line for line in re.findall(r"^[1-9]\d*\. (.*)$", menu, re.M)]


async def test_a_reporters_list_shows_four_reports_a_page_each_named_by_date_form_and_number(app):
    await _file_reports(app, "reporter", ["Thôn Nà Pài (mẫu)"])
    reporter = ChatUser(app, attach_recorder(app), "reporter", "Trưởng thôn")
    first = (await reporter.say("/cuatoi"))[0]
    assert len(first) <= MESSAGE_CHARS and len(options(first)) >= 4, first
    assert options(first)[0] == "13/11 Tập huấn, bồi dưỡng… (số 8)"  # no unit: the reporter has one
    assert all(re.fullmatch(r"\d\d/\d\d \S.* \(số \d+\)", line) for line in options(first))
    page = await page_showing(reporter.say, first, "(số 1)")
    assert "8. 20/11 Ngày hội Đại đoàn kết… (số 1)" in page  # every report reached by turning pages
    detail = (await reporter.say("1"))[0]  # the whole title once opened
    assert detail.startswith("Số 8 — Tập huấn, bồi dưỡng, học tập kinh nghiệm (13/11/2026)")


async def test_staffs_list_names_each_reports_unit_and_still_fits_three_a_page(app):
    await _file_reports(app, "staff", ["Ủy ban MTTQ Việt Nam xã", "Thôn Nà Pài (mẫu)"])
    staff = ChatUser(app, attach_recorder(app), "staff", "Cán bộ")
    first = (await staff.say("/cuatoi"))[0]
    assert len(first) <= MESSAGE_CHARS and len(options(first)) >= 3, first
    assert options(first)[:2] == ["13/11 Thôn Nà Pài (mẫu): Tập huấn, bồi… (số 8)",
                                  "14/11 Ủy ban MTTQ Việt…: Góp ý xây dựng… (số 7)"]


async def test_in_english_the_list_reads_in_english_and_fits_as_many(app):
    await _file_reports(app, "staff", ["Ủy ban MTTQ Việt Nam xã", "Thôn Nà Pài (mẫu)"])
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "staff")
        await repos.directory_admin.change(person, language="en")
    staff = ChatUser(app, attach_recorder(app), "staff", "Cán bộ")
    first = (await staff.say("/cuatoi"))[0]
    assert first.startswith("Your reports, Quarter IV of 2026. Choose to view, edit, delete:\n"), first
    assert len(first) <= MESSAGE_CHARS and len(options(first)) >= 3, first
    assert options(first)[0] == "13/11 Thôn Nà Pài (mẫu): Training and… (no. 8)"
