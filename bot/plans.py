"""Plans per commune and year in the database: `mttq-bot plan load`, and keeping the running bot's PlanBook
current (a ticker reads one small stamp a minute and re-reads the plans only when one was loaded)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.communes import pick_commune
from plan.book import PlanBook
from plan.diff import PlanDiff, plan_diff
from plan.loader import PlanError, parse_plan
from plan.schema import Plan
from storage.db import Database

if TYPE_CHECKING:
    from bot.app import App


class PlanStore:
    """Reads the stored plans into the book; each version's text is parsed once per process."""

    __name__ = "plans"

    def __init__(self, db: Database, book: PlanBook, answer_days: int | None = None) -> None:
        self.db, self.book = db, book
        self.answer_days = answer_days  # PETITION_ANSWER_DAYS, put into every stored plan as into PLAN_FILE's
        self._parsed: dict[str, Plan] = {}  # content hash -> plan

    async def refresh(self) -> bool:
        """Re-read the plans in use if any was loaded since the last look; whether the book changed."""
        async with self.db.transaction() as repos:
            stamp = await repos.plans.stamp()
            if stamp == self.book.stamp:
                return False
            rows = await repos.plans.in_use()
        stored = {}
        for row in rows:
            if row.content_hash not in self._parsed:
                parsed = parse_plan(row.content, source=f"{row.source} (stored)")
                self._parsed[row.content_hash] = parsed if self.answer_days is None else \
                    with_answer_days(parsed, self.answer_days)
            stored[row.commune_id, row.year] = self._parsed[row.content_hash]
        self.book.replace(stored, stamp)
        return True

    async def __call__(self, _now: object) -> bool:  # a ticker: before the others, so they see a new plan
        return await self.refresh()


def with_answer_days(plan: Plan, days: int) -> Plan:
    """The plan with PETITION_ANSWER_DAYS in its settings: the overdue notices and "kịp thời" share one number."""
    if plan.settings.petition_answer_days == days:
        return plan
    return plan.model_copy(update={"settings": plan.settings.model_copy(update={"petition_answer_days": days})})


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def load_plan_file(app: App, path: str, commune_name: str | None, stdout: TextIO | None = None) -> int:
    """Validate the file, store it for its commune and year, and print what changed since the plan used so far."""
    out, t = stdout or sys.stdout, app.speech()
    try:
        text = Path(path).read_text(encoding="utf-8")
        plan = parse_plan(text, source=path)
    except (OSError, UnicodeDecodeError) as exc:
        print(t("plan_load.unreadable", file=path, reason=getattr(exc, "strerror", None) or exc), file=out)
        return 1
    except PlanError as exc:
        print(t("plan_load.invalid", file=path), file=out)
        print(str(exc), file=out)
        return 1
    digest = content_hash(text)
    async with app.db.transaction() as repos:
        choice = await pick_commune(repos, commune_name)
        if choice.commune is None:
            print(t(choice.problem, **(choice.params or {})), file=out)
            return 1
        commune = choice.commune
        latest = await repos.plans.latest(commune.id, plan.year)
        if latest is not None and latest.content_hash == digest:
            print(t("plan_load.same", commune=commune.name, year=plan.year), file=out)
            return 0
        before = app.plans.for_year(commune.id, plan.year) if latest is None else \
            parse_plan(latest.content, source=f"{latest.source} (stored)")
        await repos.plans.add(commune_id=commune.id, year=plan.year, content=text, content_hash=digest,
                              source=Path(path).name, now=app.clock())
    print(t("plan_load.stored", commune=commune.name, year=plan.year, hash=digest[:12],
            version=t("plan_load.corrected") if latest is not None else t("plan_load.first")), file=out)
    print(t("plan_load.compared", year=before.year, title=before.title), file=out)
    for line in describe_diff(plan_diff(before, plan), t):
        print(line, file=out)
    await app.plan_store.refresh()
    return 0


def describe_diff(diff: PlanDiff, t) -> list[str]:
    """One line per section and kind of change ("Chỉ tiêu đã sửa: 1.1.1 (target)"), or that nothing changed."""
    if not diff:
        return [t("plan_load.no_change")]
    lines = []
    for section in ("indicators", "forms", "timeline"):
        for what in ("added", "removed", "changed"):
            changes = diff.of(section, what)
            if changes:
                items = ", ".join(c.item_id + (f" ({', '.join(c.keys)})" if c.keys else "") for c in changes)
                lines.append(t(f"plan_load.{section}.{what}", count=len(changes), items=items))
    return lines
