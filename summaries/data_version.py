"""Which state of the database a summary was read from, as a short digest two readings can compare.

With two render workers (summaries/parallel_files.py) one reads the year and writes the chat text, the DOCX and
the chart while the other reads the same year again and writes the XLSX: two read transactions, so a report
confirmed between them would put one more activity in the XLSX than in the DOCX. Each reading's digest covers
everything compile_summary takes from the database: the commune, units, baselines, HĐND sessions and petitions
as read, and the reports as the commune's report clock stood (storage/report_cache.py: two reads that saw the
clock at the same number saw the same reports) with their count and any report written around the repository.
Unequal, the second worker rebuilds the first's state from its own reading if only reports were added between
them (YearReports.as_of), or the XLSX is rendered again by the worker that holds the text's summary.
"""

from __future__ import annotations

import hashlib
import pickle
from array import array

from storage.report_cache import YearReports
from summaries.model import Snapshot


def rest_digest(snapshot: Snapshot) -> bytes:
    """The digest of everything of a snapshot but its reports."""
    rest = (snapshot.commune_name, snapshot.province, snapshot.year, snapshot.units,
            sorted(snapshot.baselines.items()), snapshot.session_dates, snapshot.petitions)
    return hashlib.blake2b(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


def data_version(rest: bytes, held: YearReports) -> bytes:
    """The digest of a snapshot of rest_digest `rest` whose reports are `held` (summaries/load.snapshot_in)."""
    digest = hashlib.blake2b(rest, digest_size=16)
    digest.update(array("q", [held.clock, len(held.rows), *held.unstamped]).tobytes())
    return digest.digest()
