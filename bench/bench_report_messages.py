"""Messages a Ngày hội report costs on Zalo (issue 17.3): by menu, by menu with "xong", by one sentence.

Run: .venv/bin/python bench/bench_report_messages.py
Runs the real app with the Zalo channel against the fake Zalo server (tests/support), registers a village head
and files the same report each way; prints the messages the user sent, the messages the bot sent (each one
counts against the bot's ~3,000 free Zalo messages a month) and the share of a month's budget per 100 reports;
then how long reading one message takes (core/extract.py over the 74 sentences of tests/core/test_extract.py).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.app import VN, FakeClock, invite_code
from support.fake_zalo import FakeZalo
from support.report_scripts import SCRIPTS, file_report
from support.zalo_harness import USER, ZaloUser, running, zalo_app

MONTHLY_BUDGET = 3000


async def measure(name: str, script: tuple[str, ...], tmp: Path) -> None:
    fake = await FakeZalo().start()
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    app = await zalo_app(fake, f"sqlite+aiosqlite:///{tmp}/{len(name)}.db", clock)
    try:
        code = await invite_code(app)
        async with running(app, tmp):
            user = ZaloUser(app, fake, USER)
            await user.say(f"/start {code}")
            count = await file_report(user.say, script)
        assert "Đã ghi báo cáo số 1" in count.last_reply, count.last_reply
        share = 100 * count.sent_by_bot * 100 / MONTHLY_BUDGET
        print(f"{name:<14} user {count.sent_by_user:2d}  bot {count.sent_by_bot:2d}  "
              f"total {count.sent_by_user + count.sent_by_bot:2d}  100 reports = {share:.0f}% of a month's bot budget")
    finally:
        await app.close()
        await fake.stop()


def time_extraction(repeat: int = 20) -> None:
    import statistics
    import time
    from datetime import date

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "core"))
    from test_extract import PLAN, SENTENCES

    from core.extract import find_activities, read_report

    texts = [param.values[0] for param in SENTENCES]
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            found = find_activities(text, PLAN.forms)
            for form_id in found.named[:1] or found.closest[:1]:
                read_report(text, PLAN.form(form_id), PLAN.forms, date(2026, 11, 25), PLAN.year)
        runs.append((time.perf_counter() - started) / len(texts) * 1000)
    print(f"extraction     {len(texts)} sentences: median {statistics.median(runs):.2f} ms per message "
          f"(activity + fields), worst run {max(runs):.2f} ms")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, script in SCRIPTS.items():
            await measure(name, script, Path(tmp))
    time_extraction()


if __name__ == "__main__":
    asyncio.run(main())
