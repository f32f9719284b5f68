"""Run in a render worker (tests/summaries/test_report_cache.py): the year's figures as the worker reads them, and
how many full report rows that read fetched. Module-level so the worker process can import it."""

from __future__ import annotations

from storage.reading import read_in_process
from summaries.load import REPORTS, snapshot_in


def figures(url: str, commune_id: int, year: int) -> tuple[dict[int, int], int]:
    fetched = REPORTS.fetched
    snapshot = read_in_process(url, lambda connection: snapshot_in(connection, commune_id, year, url))
    return {row.id: row.answers["so_nguoi"] for row in snapshot.reports}, REPORTS.fetched - fetched
