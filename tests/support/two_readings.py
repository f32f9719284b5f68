"""Worker functions for summaries/parallel_files.py's tests: a report committed between the two workers' readings.

Module-level so a worker process can import them. The two meet through files next to the database: the text
worker says when it has read (`<db>.read`); the sheet worker then commits what `<db>.new` describes before its
own reading: a copy of a template report with other answers (a new report), or ("edit") those answers given to
the template report itself (an edit). Either way written as storage/reports.ReportRepo writes: the commune's
report clock raised and the report stamped with it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from summaries.worker_jobs import read_in_worker

WAIT = 60.0  # seconds the sheet worker waits for the text worker's reading (a bound, not a schedule)


def database_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def read_then_say_read(request):
    mark = read_in_worker(request)
    database_path(request.database_url).with_suffix(".read").touch()
    return mark


def read_after_a_commit(request):
    path = database_path(request.database_url)
    deadline = time.monotonic() + WAIT
    while not path.with_suffix(".read").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    new = json.loads(path.with_suffix(".new").read_text())
    answers = json.dumps(new["answers"], ensure_ascii=False)
    with sqlite3.connect(path) as connection:  # committed on leaving the block
        [commune_id] = connection.execute("SELECT commune_id FROM report WHERE id = ?", (new["template"],)).fetchone()
        [stamp] = connection.execute(
            "INSERT INTO reportclock (commune_id, seq) VALUES (?, 1)"
            " ON CONFLICT (commune_id) DO UPDATE SET seq = seq + 1 RETURNING seq", (commune_id,)).fetchone()
        if new.get("edit"):
            connection.execute("UPDATE report SET answers = ?, revision = revision + 1, change_seq = ? WHERE id = ?",
                               (answers, stamp, new["template"]))
        else:
            connection.execute(
                "INSERT INTO report (commune_id, unit_id, person_id, form_id, activity_date, answers, created_at,"
                " revision, change_seq) SELECT commune_id, unit_id, person_id, form_id, activity_date, ?, created_at,"
                " 0, ? FROM report WHERE id = ?", (answers, stamp, new["template"]))
    connection.close()
    return read_in_worker(request)
