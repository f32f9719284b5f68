"""Process and operating-system helpers for tests/support/pgcluster.py: finding the server binaries, free
ports, whether a pid is a live postmaster, and whether a user can reach a directory."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import stat
from pathlib import Path


def find_pg_bin() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres.

    PG_BIN wins when set; otherwise the newest Debian-style /usr/lib/postgresql/*/bin,
    otherwise the directory of an ``initdb`` on PATH.
    """
    env = os.environ.get("PG_BIN")
    if env:
        p = Path(env)
        return p if (p / "initdb").is_file() else None

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if candidates:
        return max(candidates, key=version)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _is_postgres(pid: int) -> bool:
    """Guard against signalling an unrelated process that reused a stale postmaster pid."""
    try:
        return b"postgres" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # no procfs: trust postmaster.pid


def _traversable_by(path: Path, pw: pwd.struct_passwd) -> Path | None:
    """First ancestor of ``path`` that ``pw`` cannot enter, or None when all are fine."""
    for anc in reversed(path.parents):
        try:
            st = anc.stat()
        except FileNotFoundError:
            return None  # the rest will be created by us (root, umask permitting)
        if st.st_uid == pw.pw_uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid == pw.pw_gid:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            return anc
    return None
