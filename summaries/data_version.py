"""Which state of the database a summary was read from, as a short digest two readings can compare.

With two render workers (summaries/parallel_files.py) one reads the year and writes the chat text, the DOCX and
the chart while the other reads the same year again and writes the XLSX: two read transactions, so a report
confirmed between them would put one more activity in the XLSX than in the DOCX. Each reading's digest covers
everything compile_summary takes from the database: the commune, units, baselines, HĐND sessions and petitions
as read, and each live report's (id, revision) — a report's content never changes without a new revision
(storage/report_cache.py), so equal digests mean equal snapshots. Unequal, the XLSX is rendered again by the
worker that holds the text's summary.
"""

from __future__ import annotations

import hashlib
import pickle
from array import array

from summaries.model import Snapshot


def data_version(snapshot: Snapshot, versions: list[tuple[int, int]]) -> bytes:
    """The digest of a snapshot read with its reports' (id, revision) pairs (summaries/load.snapshot_in)."""
    rest = (snapshot.commune_name, snapshot.province, snapshot.year, snapshot.units,
            sorted(snapshot.baselines.items()), snapshot.session_dates, snapshot.petitions)
    digest = hashlib.blake2b(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16)
    digest.update(array("q", [number for pair in versions for number in pair]).tobytes())  # 100,000: ~10 ms
    return digest.digest()
