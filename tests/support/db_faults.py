"""Databases that stop taking writes under a running bot, and take them again: fault injection for issue 19.

SQLite: the database file and its WAL become immutable (`chattr +i`: a read-only file, which even root cannot
write; connections then fail with "disk I/O error" / "attempt to write a readonly database"). The -shm file is
left alone: it is memory-mapped, and an immutable one kills the process with SIGBUS. Needs root (or
CAP_LINUX_IMMUTABLE) and a filesystem with the flag (ext4, xfs, btrfs; not tmpfs).
PostgreSQL: a throwaway cluster of its own (tests/support/pgcluster.py), stopped (fast mode: every session cut)
and started again on the same port.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.pgcluster import PgCluster, PgUnavailable


class SqliteWriteFault:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite+aiosqlite:///{path}"

    def _files(self) -> list[str]:
        return [str(p) for p in (self.path, self.path.with_name(self.path.name + "-wal")) if p.exists()]

    def refuse(self) -> None:
        subprocess.run(["chattr", "+i", *self._files()], check=True, capture_output=True)

    def allow(self) -> None:
        subprocess.run(["chattr", "-i", *self._files()], check=True, capture_output=True)

    @staticmethod
    def unavailable(directory: Path) -> str | None:
        """Why this machine cannot make a file immutable here (None when it can)."""
        if shutil.which("chattr") is None:
            return "no chattr"
        probe = directory / "immutable-probe"
        probe.write_bytes(b"x")
        try:
            made = subprocess.run(["chattr", "+i", str(probe)], capture_output=True, text=True)
            if made.returncode != 0:
                return f"chattr +i refused: {made.stderr.strip()[:100]}"
            subprocess.run(["chattr", "-i", str(probe)], check=True, capture_output=True)
        finally:
            probe.unlink(missing_ok=True)
        return None


class PostgresDown:
    def __init__(self, cluster: PgCluster) -> None:
        self.cluster = cluster
        self.url = cluster.url

    def refuse(self) -> None:
        self.cluster.pause()

    def allow(self) -> None:
        self.cluster.resume()


@contextmanager
def write_fault(kind: str, tmp_path: Path) -> Iterator[SqliteWriteFault | PostgresDown]:
    """A fresh database of `kind` with its fault switch; skips the test when this machine cannot inject it."""
    if kind == "sqlite":
        if reason := SqliteWriteFault.unavailable(tmp_path):
            pytest.skip(f"cannot make a file read-only here: {reason}")
        fault = SqliteWriteFault(tmp_path / "mttq.db")
        try:
            yield fault
        finally:
            fault.allow()
        return
    base = Path(tempfile.mkdtemp(prefix="mttq-pgfault-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    base.chmod(0o755)  # the server may run as `nobody`
    cluster = PgCluster(base / "pg")
    try:
        cluster.start()
    except PgUnavailable as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield PostgresDown(cluster)
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
