"""Typed conversation states: rows stored as free dicts still load; unreadable ones are closed politely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.flowstate import StateUnreadable
from core.menus import option
from handlers.commands import FLOWS, read_state

ROOT = Path(__file__).resolve().parents[2]
MENU = [option("1", "Một", "mot"), option("2", "Hai")]
# Rows exactly as the flows stored them while their state was a free dict (one per step).
OLD_ROWS = {
    "report": [
        {"step": "unit", "options": MENU},
        {"unit_id": 1, "step": "form", "options": MENU},
        {"unit_id": 1, "step": "field", "form": "ngay_hoi", "index": 1, "answers": {"ngay": "2026-11-24"},
         "editing": False, "options": [], "free_text": True},
        {"unit_id": 1, "step": "confirm", "form": "ngay_hoi", "index": 6, "answers": {"ngay": "2026-11-24",
         "so_nguoi": 120, "co_anh": None}, "editing": False, "options": MENU, "free_text": False},
        {"unit_id": 1, "step": "edit_pick", "form": "ngay_hoi", "index": 6, "answers": {}, "editing": False,
         "options": MENU, "free_text": False},
    ],
    "my_reports": [
        {"step": "list", "options": MENU},
        {"step": "detail", "report_id": 4, "options": MENU},
        {"step": "edit_pick", "report_id": 4, "options": MENU},
        {"step": "field", "report_id": 4, "options": [], "field": "dia_diem", "form": "ngay_hoi", "free_text": True},
        {"step": "delete_confirm", "report_id": 4, "options": MENU},
    ],
    "invite": [{"step": "role", "options": MENU}, {"role": "reporter", "step": "unit", "options": MENU}],
    "language": [{"step": "pick", "options": MENU}],
    "reminder": [{"step": "answer", "key": "tl|2026-Q4|u1", "unit_id": 1, "form": "ngay_hoi", "snooze_days": 3,
                  "options": MENU}],
    "broadcast": [
        {"step": "text"}, {"text": "Họp", "step": "audience", "options": MENU},
        {"text": "Họp", "step": "units", "options": MENU},
        {"text": "Họp", "step": "confirm", "audience": {"kind": "units", "unit_ids": [1, 2]}, "options": MENU},
    ],
    "petition": [
        {"step": "menu", "options": MENU}, {"step": "source", "options": MENU},
        {"source_kind": "cu_tri", "step": "unit", "options": MENU},
        {"source_kind": "cu_tri", "unit_id": 1, "step": "content", "options": []},
        {"source_kind": "cu_tri", "unit_id": 1, "content": "Sửa cầu", "step": "received", "options": []},
        {"source_kind": "sau_giam_sat", "unit_id": 1, "content": "Sửa cầu", "received_on": "2026-11-20",
         "step": "origin", "options": MENU},
        {"source_kind": "sau_giam_sat", "unit_id": 1, "content": "Sửa cầu", "received_on": "2026-11-20",
         "origin_report_id": None, "step": "forwarded", "options": []},
        {"source_kind": "cu_tri", "unit_id": 1, "content": "Sửa cầu", "received_on": "2026-11-20",
         "forwarded_to": "", "step": "confirm", "options": MENU},
        {"step": "transition", "petition_id": 2, "options": MENU},
        {"petition_id": 2, "target": "forwarded", "answers": {}, "received_on": "2026-11-20", "step": "body",
         "options": []},
        {"petition_id": 2, "target": "resolved", "answers": {"date": "2026-11-24"}, "received_on": "2026-11-20",
         "step": "result", "options": []},
    ],
    "group_prefs": [{"step": "group", "options": MENU}, {"step": "prefs", "chat_id": 3, "options": MENU}],
    "photos": [{"step": "which", "files": [1, 2], "options": MENU}],
    "units_admin": [{"step": "action", "options": MENU}, {"step": "kind", "action": "add", "options": MENU},
                    {"step": "name", "action": "add", "kind": "village", "options": []},
                    {"step": "confirm", "action": "deactivate", "unit_id": 3, "options": MENU}],
    "people_admin": [{"step": "unit", "options": MENU}, {"step": "person", "options": MENU},
                     {"step": "role", "person_id": 4, "options": MENU}],
    "baselines_admin": [{"step": "unit", "options": MENU}, {"step": "key", "unit_id": 2, "year": 2026, "options": MENU},
                        {"step": "value", "unit_id": 2, "year": 2026, "key": "so_ho", "options": []}],
    "agenda": [{"step": "list", "list_page": 1, "options": [{"value": "__next_page__:2", "labels": ["Xem tiếp"],
                                                             "number": 0}]}],
}
UNREADABLE = [
    ("report", {"step": "field", "options": []}),  # a field step without its form and unit
    ("report", {"step": "gone", "options": []}),  # a step that no longer exists
    ("report", {"step": "form", "unit_id": "first", "options": []}),  # a mistyped field
    ("report", {"step": "unit", "options": [{"value": "1"}]}),  # an option without its labels
    ("reminder", {"step": "answer", "options": []}),  # no key, no unit
    ("petition", {"step": "body", "petition_id": 2}),  # a move without its target
    ("report", ["not", "a", "state"]),
    ("no_such_flow", {"step": "x"}),
]


def test_every_flow_has_old_rows_here():
    assert set(OLD_ROWS) == set(FLOWS)


@pytest.mark.parametrize(("flow", "row"), [(flow, row) for flow, rows in OLD_ROWS.items() for row in rows])
def test_rows_stored_as_free_dicts_load_and_keep_their_field_names(flow, row):
    state = read_state(flow, row)
    assert (state.FLOW, state.step) == (flow, row["step"])
    stored = state.to_row()
    if flow == "reminder":  # one reminder's key, unit and form became the first (only) item of a list
        assert stored["items"] == [{"key": row["key"], "unit_id": row["unit_id"], "form": row["form"], "label": ""}]
        row = {key: value for key, value in row.items() if key not in ("key", "unit_id", "form")}
    assert {key: stored[key] for key in row} == row  # the same JSON keys and values: nothing renamed or lost
    assert read_state(flow, stored) == state


@pytest.mark.parametrize(("flow", "row"), UNREADABLE)
def test_a_row_no_flow_can_continue_is_unreadable(flow, row):
    with pytest.raises(StateUnreadable):
        read_state(flow, row)


async def _store(app, flow, row) -> None:
    async with app.db.transaction() as repos:
        await repos.conversations.save("console", "reporter", "reporter", flow, row, app.clock())


async def test_a_report_stored_in_the_old_shape_resumes(app, reporter):
    await _store(app, "report", OLD_ROWS["report"][2])
    assert (await reporter.say("Nhà văn hóa"))[0].startswith("(3/7) Khoảng bao nhiêu người tham gia?")


async def test_a_reminder_answer_stored_in_the_old_shape_is_understood(app, reporter):
    await _store(app, "reminder", OLD_ROWS["reminder"][0])
    assert (await reporter.say("đã làm"))[0].startswith("(1/7)")


@pytest.mark.parametrize(("flow", "row"), [(flow, row) for flow, row in UNREADABLE if isinstance(row, dict)])
async def test_an_unreadable_stored_conversation_is_closed_politely(app, reporter, flow, row):
    await _store(app, flow, row)
    t = app.translator.for_language("vi")
    assert await reporter.say("1") == [t("conversation.unreadable"), t("hint.unrecognised")]
    async with app.db.transaction() as repos:
        assert await repos.conversations.get("console", "reporter", "reporter") is None
    assert (await reporter.say("bao cao"))[0].startswith("Báo cáo việc gì?")


def test_no_module_reads_state_keys_from_a_dict():
    """States are objects: `state["step"]` or `state.get("form")` would be a free dict coming back."""
    pattern = re.compile(r"\bstate(\[|\.get\(|\.update\()")
    offenders = [f"{path.relative_to(ROOT)}:{number}" for folder in ("handlers", "reminders", "core")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
