"""The pure planner: labelled `now` values at quarter edges, deadlines, midnight, Tết, Sundays, snoozes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from support.app import VN

from plan.calendar import SendingCalendar
from plan.loader import load_plan_cached
from plan.schema import Plan
from reminders.config import ReminderConfig
from reminders.planner import Snapshot, due, next_moment
from reminders.rules import UnitRef

PLAN: Plan = load_plan_cached(str(__import__("plan.loader").loader.SHIPPED_PLAN))
CONFIG = ReminderConfig.build(PLAN, SendingCalendar(VN))
# 1 commune committee (p1, also chair), 2 and 3 villages (p2, p3), 4 an organisation (p4).
SNAPSHOT = Snapshot(
    commune_id=1,
    units=(UnitRef(1, "Ủy ban MTTQ Việt Nam xã", "commune"), UnitRef(2, "Thôn A", "village"),
           UnitRef(3, "Thôn B", "village"), UnitRef(4, "Hội Nông dân", "organisation")),
    reporters={1: (1,), 2: (2,), 3: (3,), 4: (4,)}, chairs=(1,), groups=(9,),
    reports=((3, "tuyen_truyen", date(2026, 2, 10)),),  # Thôn B reported in Quý I
    sessions=(date(2026, 7, 10),))


def at(day: str, hm: str = "07:30") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=VN)


# (label, now, since, keys that must be due, keys that must not)
CASES = [
    ("quarter edge: Q1 deadline day, 07:29 is quiet hours", at("2026-03-31", "07:29"), at("2026-03-30", "20:00"),
     set(), {"item:I.2|2026-Q1|p4|+0"}),
    ("the day of the Q1 deadline, first sending minute", at("2026-03-31"), at("2026-03-30", "20:00"),
     {"item:I.2|2026-Q1|p1|+0", "item:I.2|2026-Q1|p4|+0"}, set()),
    ("23:59 business time the day before −14: nothing", at("2026-03-16", "23:59"), at("2026-03-16", "07:00"),
     set(), {"item:I.2|2026-Q1|p4|-14"}),
    ("00:00 of the −14 day (17:00 UTC the day before): still quiet", at("2026-03-17", "00:00"),
     at("2026-03-16", "23:59"), set(), {"item:I.2|2026-Q1|p4|-14"}),
    ("−14 arrives at 07:30", at("2026-03-17"), at("2026-03-17", "00:00"), {"item:I.2|2026-Q1|p4|-14"}, set()),
    ("Tết: II.3.1's −14 (14/02) waits for the first day after the holiday", at("2026-02-16", "10:00"),
     at("2026-02-13", "20:00"), set(), {"item:II.3.1|2026-02|p1|-14"}),
    # I.1 (the Party committee's plan) is the plan in use: nothing to remind, as the DOCX shows it done
    ("after Tết: Monday 23/02 07:30", at("2026-02-23"), at("2026-02-22", "20:00"), {"item:II.3.1|2026-02|p1|-14"},
     {"item:I.1|2026-02|p1|-14"}),
    ("a Sunday (29/03, −2): nothing", at("2026-03-29", "10:00"), at("2026-03-28", "19:00"), set(),
     {"item:I.2|2026-Q1|p4|-2"}),
    ("the Sunday's step moves to Monday", at("2026-03-30"), at("2026-03-29", "10:00"), {"item:I.2|2026-Q1|p4|-2"},
     set()),
    # The quarterly report (I.6, "Hằng quý") has no ladder of its own: the `quarter` rule is the villages' one
    # quarterly deadline, on the plan's cut-off (15/03), not a second one on 31/03.
    ("one quarterly deadline: no I.6 ladder", at("2026-03-09"), at("2026-03-08", "20:00"),
     {"quarter|2026-Q1|p2|-7"}, {"item:I.6|2026-Q1|p2|-14", "item:I.6|2026-Q1|p2|-7", "item:I.6|2026-Q1|p4|-2"}),
    ("quarterly report: 7 days before the 15/03 cut-off (Sunday → Monday 09/03)", at("2026-03-09"),
     at("2026-03-08", "20:00"), {"quarter|2026-Q1|p2|-7", "quarter|2026-Q1|p4|-7"}, {"quarter|2026-Q1|p3|-7"}),
    ("per indicator, from Q3: no Ngày hội yet", at("2026-12-08"), at("2026-12-07", "20:00"),
     {"indicator:1.1.1|2026-Q4|p2|-7", "indicator:1.1.1|2026-Q4|p3|-7"}, {"indicator:1.1.1|2026-Q4|p4|-7"}),
    ("no indicator reminders in Q1", at("2026-03-09"), at("2026-03-08", "20:00"), set(),
     {"indicator:1.1.1|2026-Q1|p2|-7"}),
    ("one digest per deadline to the chair and the group, after the cut-off", at("2026-03-19"),
     at("2026-03-18", "20:00"), {"digest:I.6|2026-Q1|p1|+4", "digest:I.6|2026-Q1|g9|+4"},
     {"item:I.6|2026-Q1|p2|+4"}),
    ("HĐND session date entered by staff", at("2026-07-03"), at("2026-07-02", "20:00"),
     {"item:II.4.1|2026-07-10|p1|-7"}, set()),
]


@pytest.mark.parametrize(("label", "now", "since", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_due_at_labelled_moments(label, now, since, present, absent):
    keys = {o.key for o in due(PLAN, SNAPSHOT, CONFIG, now, since)}
    assert present <= keys, f"{label}: missing {present - keys}"
    assert not (absent & keys), f"{label}: unexpected {absent & keys}"
    assert all(o.action == "send" for o in due(PLAN, SNAPSHOT, CONFIG, now, since))


def test_the_digest_names_only_the_units_still_missing():
    digest = next(o for o in due(PLAN, SNAPSHOT, CONFIG, at("2026-03-19"), at("2026-03-18", "20:00"))
                  if o.key == "digest:I.6|2026-Q1|p1|+4")
    assert digest.missing == (1, 4, 2)  # kinds in name order: commune, organisation, village; Thôn B reported


def test_after_downtime_late_occurrences_are_skipped_and_recent_ones_sent():
    """REMINDER_MAX_LATENESS_HOURS=24: the −7 step of 24/03 07:30 is sent at 25/03 07:30, skipped a minute later."""
    def action(now: datetime) -> str:
        found = {o.key: o.action for o in due(PLAN, SNAPSHOT, CONFIG, now, at("2026-03-20", "20:00"))}
        return found["item:I.2|2026-Q1|p4|-7"]

    assert action(at("2026-03-25", "07:30")) == "send"
    assert action(at("2026-03-25", "07:31")) == "skip"


def test_claimed_keys_are_not_due_again():
    now, since = at("2026-03-17"), at("2026-03-16", "20:00")
    first = {o.key for o in due(PLAN, SNAPSHOT, CONFIG, now, since)}
    assert first
    assert due(PLAN, replace(SNAPSHOT, claimed=frozenset(first)), CONFIG, now, since) == []


def test_a_snoozed_reminder_stays_quiet_then_comes_back_once():
    until = at("2026-03-26", "10:00")
    snoozed = replace(SNAPSHOT, snoozes={"item:I.2|2026-Q1|p4": until})
    quiet = {o.key for o in due(PLAN, snoozed, CONFIG, at("2026-03-24"), at("2026-03-23", "20:00"))}
    assert "item:I.2|2026-Q1|p4|-7" not in quiet and "item:I.2|2026-Q1|p1|-7" in quiet
    back = {o.key for o in due(PLAN, snoozed, CONFIG, until, at("2026-03-26", "09:00"))}
    assert back == {"item:I.2|2026-Q1|p4|snooze202603261000"}
    assert next_moment(PLAN, snoozed, CONFIG, at("2026-03-24")) == at("2026-03-26", "10:00")


def test_keys_are_unique_over_the_whole_year():
    since, keys = None, []
    moment = at("2026-01-01", "00:00")
    while (moment := next_moment(PLAN, SNAPSHOT, CONFIG, moment)) is not None:
        keys += [o.key for o in due(PLAN, SNAPSHOT, CONFIG, moment, since)]
        assert CONFIG.calendar.allows(moment)
        since = moment
    assert len(keys) == len(set(keys)) > 100


def test_nothing_is_due_at_night_even_when_late():
    assert due(PLAN, SNAPSHOT, CONFIG, at("2026-03-17", "21:00"), at("2026-03-16", "20:00")) == []
    assert due(PLAN, SNAPSHOT, CONFIG, at("2026-03-18", "07:30") - timedelta(seconds=1), None) == []


@pytest.mark.parametrize("marks, alive", [
    ((), True),
    (((4, "ban_hanh_van_ban", date(2026, 1, 20)),), True),  # another document (a Party plan): II.2.1 still open
    (((4, "ban_hanh_van_ban", date(2026, 1, 20)), (4, "ban_hanh_van_ban@II.2.1", date(2026, 1, 20))), False),
])
def test_a_reminder_that_waited_is_dropped_only_when_the_planner_would_not_send_it(marks, alive):
    """A reminder held back (its recipient was busy) comes back unless its row was done meanwhile — done as the
    planner judges it: II.2.1 by a supervision programme (its `where`), not by any report of the same form."""
    from reminders.bundles import revive
    from reminders.planner import schedule

    snapshot = replace(SNAPSHOT, reports=marks)
    steps = schedule(PLAN, snapshot, CONFIG)
    key = "item:II.2.1|2026-01|p4|-7"
    kept, gone = revive(snapshot, steps, [key])
    assert ([o.key for o in kept], gone) == (([key], []) if alive else ([], [key]))
    digest = next(s for s in steps if s.rule == "digest" and s.subject == "II.2.1")
    kept, _gone = revive(snapshot, steps, [f"{digest.base}|p1|{digest.offset:+d}"])
    assert bool(kept) and (4 in kept[0].missing) == alive
