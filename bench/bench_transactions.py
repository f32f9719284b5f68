"""SQL statements and commits per message, reply included (issue 21.3): counted, not timed.

    .venv/bin/python bench/bench_transactions.py [--pg URL]

Runs the real app with the Zalo channel against the fake Zalo server (tests/support), registers the demo village
head, then files the menu report (`bao cao`, the form, each question, `1` to send) message by message; each
message is polled from Zalo, handled, and its reply sent and marked. Every statement the engine runs and every
commit is counted from then on (polling, the pipeline, the outbox's claim, the send's quota accounting, the mark)
and divided by the messages. The counts do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import event
from support.app import VN, FakeClock, invite_code
from support.fake_zalo import FakeZalo, text_update
from support.report_scripts import SCRIPTS
from support.zalo_harness import USER, ZaloUser, running, wait_until, zalo_app


class Counter:
    def __init__(self, engine) -> None:
        self.statements = self.commits = 0
        self.by_kind: dict[str, int] = {}
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        self.statements += 1
        kind = " ".join(statement.split()[:3])[:40]
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def _commit(self, _conn) -> None:
        self.commits += 1


async def measure(url: str, tmp: Path) -> None:
    fake = await FakeZalo().start()
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    app = await zalo_app(fake, url, clock)
    try:
        code = await invite_code(app)
        async with running(app, tmp):
            user = ZaloUser(app, fake, USER)
            await user.say(f"/start {code}")
            await asyncio.sleep(0.2)  # the poller idles; counting starts with the report
            counter = Counter(app.db.engine.sync_engine)
            script = SCRIPTS["menu"]
            replies = 0
            for text in script:  # not ZaloUser.say: its polling of the outbox table would be counted too
                seen = len(fake.texts_to(USER))
                fake.push(text_update(USER, text))
                await wait_until(lambda seen=seen: len(fake.texts_to(USER)) > seen)
                await asyncio.sleep(0.05)  # the reply's mark (and any second part)
                replies += len(fake.texts_to(USER)) - seen
        statements, commits = counter.statements, counter.commits
        print(f"{len(script)} messages in, {replies} replies out: {statements} statements "
              f"({statements / len(script):.1f} a message), {commits} commits ({commits / len(script):.1f} a message)")
        for kind, count in sorted(counter.by_kind.items(), key=lambda item: -item[1])[:12]:
            print(f"  {count:4d}  {kind}")
    finally:
        await app.close()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="", help="a PostgreSQL database URL (postgresql+asyncpg://…) instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(measure(args.pg or f"sqlite+aiosqlite:///{tmp}/bench.db", Path(tmp)))


if __name__ == "__main__":
    main()
