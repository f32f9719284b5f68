"""Reminder texts, in the recipient's language, dates Vietnamese style.

One item: a short message (< 300 characters with its two numbered answers). Several items due for one person
at one moment: one message listing them, numbered, each on one short line, with how to answer by number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial

from core.i18n import Translate
from core.messages import Choice, Reply
from plan.periods import ROMAN
from plan.schema import Plan
from reminders.answers import DONE, LATER, ReminderAnswer
from reminders.planner import DIGEST, INDICATOR, QUARTER, Occurrence

TEXT_BUDGET = 220  # the text itself; the numbered menu and its hint take the rest of the 300
LINE_BUDGET = 120  # one item of a message listing several


def day_text(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def period_text(t: Translate, period: str) -> str:
    """2026-Q1 → "Quý I/2026", 2026-02 → "Tháng 02/2026", 2026 → "Năm 2026", 2026-12-15 → a session."""
    year, _, rest = period.partition("-")
    if not rest:
        return t("period.year", year=year)
    if rest.startswith("Q"):
        return t("period.quarter", roman=ROMAN[int(rest[1:])], year=year)
    if len(rest) == 2:
        return t("period.month", month=rest, year=year)
    return t("period.session", date=day_text(date.fromisoformat(period)))


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so long plan wording fits a chat message."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:max(1, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def when_text(t: Translate, due: date, on: date) -> str:
    days = (due - on).days
    if days > 0:
        return t("remind.when.before", days=days)
    return t("remind.when.today") if days == 0 else t("remind.when.after", days=-days)


def render(occ: Occurrence, plan: Plan, t: Translate, language: str, unit_names: Mapping[int, str]) -> Reply:
    """The message of one occurrence; reminders to reporters carry the two numbered answers."""
    step, tz_day = occ.step, occ.slot.date()
    common = {"period": period_text(t, step.period), "due": day_text(step.due),
              "unit": unit_names.get(occ.unit_id or 0, ""), "when": when_text(t, step.due, tz_day)}
    if step.form is not None:
        common["form"] = plan.form(step.form).label.get(language)
    if step.rule == DIGEST:
        return Reply(text=_digest(t, plan, occ, common, unit_names), language=language, meta={"reminders": [occ.key]})
    if step.rule == QUARTER:
        text = t("remind.quarter", **common)
    elif step.rule == INDICATOR:
        label = next(i.label.get(language) for i in plan.indicators if i.id == step.subject)
        text = _fit(lambda task: t("remind.indicator", indicator=task, **common), label)
    else:
        task = next(i.text for i in plan.timeline if i.id == step.subject)
        msgid = "remind.item" if step.form is not None else "remind.item_any"
        text = _fit(partial(t, msgid, **common), task)
    choices = (Choice(DONE, t("remind.choice.done")), Choice(LATER, t("remind.choice.later")))
    return Reply(text=text, choices=choices, language=language, meta={"reminders": [occ.key]})


def render_bundle(occs: Sequence[Occurrence], plan: Plan, t: Translate, language: str,
                  unit_names: Mapping[int, str], day: date) -> Reply:
    """One message for everything due to one recipient at one moment: answerable items numbered, digests after."""
    if len(occs) == 1:
        return render(occs[0], plan, t, language, unit_names)
    answerable = [o for o in occs if o.unit_id is not None]
    lines = [t("remind.bundle.title", date=day_text(day), count=len(occs))]
    lines += [f"{number}. {item_line(o, plan, t, language, unit_names)}" for number, o in enumerate(answerable, 1)]
    lines += [f"• {item_line(o, plan, t, language, unit_names)}" for o in occs if o.unit_id is None]
    if answerable:
        lines.append(t("remind.bundle.hint" if len(answerable) > 1 else "remind.bundle.hint_one"))
    return Reply(text="\n".join(lines), language=language, meta={"reminders": [o.key for o in occs]})


def item_line(occ: Occurrence, plan: Plan, t: Translate, language: str, unit_names: Mapping[int, str]) -> str:
    """One item of a longer message: what is missing and by when, in at most LINE_BUDGET characters."""
    step = occ.step
    common = {"period": period_text(t, step.period), "due": day_text(step.due),
              "when": when_text(t, step.due, occ.slot.date())}
    if step.rule == QUARTER:
        return t("remind.line.quarter", **common)
    if step.rule == INDICATOR:
        label = next(i.label.get(language) for i in plan.indicators if i.id == step.subject)
        return _fit(lambda task: t("remind.line.indicator", indicator=task, **common), label, LINE_BUDGET)
    task = next(i.text for i in plan.timeline if i.id == step.subject)
    if step.rule == DIGEST:
        names = [unit_names.get(u, str(u)) for u in occ.missing]
        shown = ", ".join(names[:2]) + (t("remind.digest.more", count=len(names) - 2) if len(names) > 2 else "")
        return _fit(partial(t, "remind.line.digest", count=len(names), units=shown, **common), task,
                    LINE_BUDGET + 40)
    return _fit(partial(t, "remind.line.item", **common), task, LINE_BUDGET)


def rest_text(t: Translate, answer: ReminderAnswer) -> str:
    """The items of a reminder still open (after one was reported, or when the answer was unclear)."""
    if len(answer.items) == 1:
        return t("remind.rest_one", item=answer.items[0].label)
    lines = [t("remind.rest", count=len(answer.items))]
    lines += [f"{number}. {item.label}" for number, item in enumerate(answer.items, 1)]
    lines.append(t("remind.bundle.hint"))
    return "\n".join(lines)


def _digest(t: Translate, plan: Plan, occ: Occurrence, common: dict[str, str], unit_names: Mapping[int, str]) -> str:
    """Name the missing units; when they do not fit, name the first ones and count the rest."""
    task = next(i.text for i in plan.timeline if i.id == occ.step.subject)
    names = [unit_names.get(u, str(u)) for u in occ.missing]
    for shown in range(len(names), 0, -1):
        more = len(names) - shown
        units = ", ".join(names[:shown]) + (t("remind.digest.more", count=more) if more else "")
        text = _fit(partial(t, "remind.digest", count=len(names), units=units, **common), task)
        if len(text) <= TEXT_BUDGET + 60:  # a digest has no menu, so it may use the menu's room
            return text
    return text


def _fit(build: Callable[..., str], long_text: str, budget: int = TEXT_BUDGET) -> str:
    """`build(task=part)` with as much of `long_text` as fits the budget (at least a few words)."""
    room = budget - len(build(task=""))
    return build(task=shorten(long_text, max(40, room)))
