"""Worker functions for summaries/parallel_files.py's tests: a report committed between the two workers' readings.

Module-level so a worker process can import them. The two meet through files next to the database: the text
worker says when it has read (`<db>.read`); the sheet worker then commits the report described in `<db>.new`
(a template report's id and the answers to give the copy) before its own reading.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from summaries.worker_jobs import sheet_in_worker, summary_in_worker

WAIT = 60.0  # seconds the sheet worker waits for the text worker's reading (a bound, not a schedule)


def database_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def summary_then_say_read(request):
    made = summary_in_worker(request)
    database_path(request.database_url).with_suffix(".read").touch()
    return made


def sheet_after_a_new_report(request):
    path = database_path(request.database_url)
    deadline = time.monotonic() + WAIT
    while not path.with_suffix(".read").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    new = json.loads(path.with_suffix(".new").read_text())
    with sqlite3.connect(path) as connection:  # committed on leaving the block
        connection.execute(
            "INSERT INTO report (commune_id, unit_id, person_id, form_id, activity_date, answers, created_at, revision)"
            " SELECT commune_id, unit_id, person_id, form_id, activity_date, ?, created_at, 0 FROM report WHERE id = ?",
            (json.dumps(new["answers"], ensure_ascii=False), new["template"]))
    connection.close()
    return sheet_in_worker(request)
