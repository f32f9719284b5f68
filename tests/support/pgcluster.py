"""Throwaway PostgreSQL clusters for tests and CI (standard library only).

Usage from Python::

    with PgCluster() as pg:          # raises PgUnavailable when PostgreSQL cannot be started
        engine = create_async_engine(pg.url)   # postgresql+asyncpg://mttq@127.0.0.1:PORT/mttq

Usage from a shell (the server keeps running between the two commands)::

    .venv/bin/python -m support.pgcluster start DIR   # (PYTHONPATH=tests) prints the URL, data in DIR/data
    .venv/bin/python -m support.pgcluster stop DIR    # stops the server and removes DIR

PostgreSQL refuses to run as root, so when we are root the server binaries run as
``nobody`` (override with PGCLUSTER_USER); the cluster directory is chowned to that user.
Authentication is ``trust`` and the server listens on 127.0.0.1 only, on a free port.
Durability is switched off (fsync, synchronous_commit, full_page_writes) for speed.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support.pgprocess import _free_port, _is_postgres, _pid_alive, _port_open, _traversable_by, find_pg_bin

DB_USER = "mttq"
DB_NAME = "mttq"
READY_TIMEOUT = 30  # seconds to wait for the server to accept connections
MARKER = "pgcluster.json"  # written into the cluster directory; `stop DIR` refuses without it
# sun_path is 108 bytes; the socket file is "<dir>/.s.PGSQL.<port>" (plus its .lock sibling).
_MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.65535.lock")


class PgUnavailable(Exception):
    """PostgreSQL cannot be started here (no binaries, cannot switch user, ...)."""


class PgCluster:
    """A throwaway PostgreSQL cluster; a context manager.

    ``base_dir`` is the cluster directory (data/, postgres.log, the socket, pgcluster.json).
    It is created when missing, must be empty otherwise, and is removed by ``stop()``.
    When None, a fresh ``tempfile.mkdtemp()`` directory is used.
    """

    def __init__(self, base_dir: Path | None = None, *, run_as: str | None = None):
        self.base_dir = Path(base_dir).absolute() if base_dir is not None else None
        self.url = ""
        self.port = 0
        self.bin_dir: Path | None = None
        self._run_as = run_as
        self._pw: pwd.struct_passwd | None = None  # user the server runs as when we are root
        self._started = False
        self._atexit = False

    # -- context manager -------------------------------------------------------------
    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "postgres.log"

    # -- helpers -----------------------------------------------------------------------
    def _run(
        self, args: list[str], *, timeout: float = 60, as_server: bool = True
    ) -> subprocess.CompletedProcess:
        """Run a PostgreSQL binary, as the unprivileged server user when we are root."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        kwargs: dict = {}
        if as_server and self._pw is not None:
            env.update(HOME=str(self.base_dir), USER=self._pw.pw_name, LOGNAME=self._pw.pw_name)
            kwargs = dict(user=self._pw.pw_uid, group=self._pw.pw_gid, extra_groups=[])
        try:
            return subprocess.run(
                args,
                cwd=self.base_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                **kwargs,
            )
        except PermissionError as e:  # setuid/setgroups refused (e.g. in a restricted namespace)
            who = self._pw.pw_name if self._pw else "current user"
            raise PgUnavailable(f"cannot run {args[0]} as {who}: {e}") from e
        except OSError as e:
            raise PgUnavailable(f"cannot run {args[0]}: {e}") from e

    def _log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _prepare_dir(self) -> None:
        if self.base_dir is not None and self.base_dir.exists() and any(self.base_dir.iterdir()):
            raise FileExistsError(f"cluster directory {self.base_dir} is not empty")
        if self._pw is not None:
            probe = self.base_dir or Path(tempfile.gettempdir()).absolute() / "x"
            blocked = _traversable_by(probe, self._pw)
            if blocked is not None:
                raise PgUnavailable(
                    f"user {self._pw.pw_name} cannot enter {blocked} (needed for {probe.parent})"
                )
        if self.base_dir is None:
            self.base_dir = Path(tempfile.mkdtemp(prefix="mttq-pg-")).absolute()
        else:
            self.base_dir.mkdir(parents=True, exist_ok=True)
            self.base_dir.chmod(0o700)
        if self._pw is not None:
            os.chown(self.base_dir, self._pw.pw_uid, self._pw.pw_gid)

    # -- public API ---------------------------------------------------------------------
    def start(self) -> str:
        """initdb + pg_ctl start + createdb; returns the SQLAlchemy asyncpg URL."""
        if self._started:
            return self.url
        self.bin_dir = find_pg_bin()
        if self.bin_dir is None:
            raise PgUnavailable("PostgreSQL server binaries not found (set PG_BIN or install postgresql)")
        for tool in ("initdb", "pg_ctl", "postgres"):
            if not (self.bin_dir / tool).is_file():
                raise PgUnavailable(f"{tool} missing in {self.bin_dir}")
        if os.geteuid() == 0:
            name = self._run_as or os.environ.get("PGCLUSTER_USER") or "nobody"
            try:
                self._pw = pwd.getpwnam(name)
            except KeyError:
                raise PgUnavailable(
                    f"running as root and there is no {name!r} user to run PostgreSQL as"
                ) from None
            if self._pw.pw_uid == 0:
                raise PgUnavailable(f"PGCLUSTER_USER {name!r} is root; PostgreSQL refuses to run as root")

        self._prepare_dir()
        self._started = True  # from here on stop() has something to clean up
        if not self._atexit:
            atexit.register(self.stop)
            self._atexit = True
        try:
            self._initdb()
            self._start_server()
            self._createdb()
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql+asyncpg://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"
        self._write_marker()
        return self.url

    def _initdb(self) -> None:
        assert self.bin_dir is not None
        r = self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-A",
                "trust",
                "-U",
                DB_USER,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            timeout=120,
        )
        if r.returncode != 0:
            raise PgUnavailable(f"initdb failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-2000:]}")
        # Only TCP from 127.0.0.1 (and the private socket) may connect.
        (self.data_dir / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def _start_server(self, port: int | None = None) -> None:
        assert self.bin_dir is not None and self.base_dir is not None
        sock_dir = str(self.base_dir) if len(str(self.base_dir)) <= _MAX_SOCKET_DIR else ""
        last_err = ""
        for _attempt in range(1 if port else 3):  # the free port can be stolen between probing and binding
            self.port = port or _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='{sock_dir}' "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=50 -c shared_buffers=32MB"
            )
            r = self._run(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    str(READY_TIMEOUT),
                    "start",
                ],
                timeout=READY_TIMEOUT + 15,
            )
            if r.returncode == 0 and self._wait_tcp():
                return
            last_err = f"{(r.stderr or r.stdout).strip()}\n{self._log_tail()}"
            self._kill_server()
            if "already in use" not in last_err:
                break
        raise PgUnavailable(f"PostgreSQL did not start: {last_err.strip()[-2000:]}")

    def _wait_tcp(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if _port_open(self.port):
                return True
            time.sleep(0.05)
        return False

    def _createdb(self) -> None:
        assert self.bin_dir is not None
        createdb = self.bin_dir / "createdb"
        if createdb.is_file():
            args = [str(createdb), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, DB_NAME]
        else:
            args = [
                str(self.bin_dir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                DB_USER,
                "-d",
                "postgres",
                "-c",
                f"CREATE DATABASE {DB_NAME}",
            ]
        r = self._run(args, timeout=READY_TIMEOUT, as_server=False)
        if r.returncode != 0:
            raise PgUnavailable(f"createdb failed: {(r.stderr or r.stdout).strip()}")

    def _write_marker(self) -> None:
        assert self.base_dir is not None
        info = {
            "url": self.url,
            "port": self.port,
            "bin_dir": str(self.bin_dir),
            "run_as": self._pw.pw_name if self._pw else None,
            "pid": self._postmaster_pid(),
        }
        (self.base_dir / MARKER).write_text(json.dumps(info, indent=2) + "\n")

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def _kill_server(self) -> None:
        """pg_ctl stop -m immediate; if that fails, signal the postmaster from postmaster.pid."""
        if self.bin_dir is not None and (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(PgUnavailable, subprocess.TimeoutExpired):
                self._run(
                    [
                        str(self.bin_dir / "pg_ctl"),
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        "10",
                        "stop",
                    ],
                    timeout=20,
                )
        pid = self._postmaster_pid()
        if pid is None or not _pid_alive(pid) or not _is_postgres(pid):
            return
        for sig, wait in ((signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _pid_alive(pid):
                time.sleep(0.05)
            if not _pid_alive(pid):
                return

    def pause(self) -> None:
        """Stop the server as an operator would (sessions cut, committed data kept: this cluster runs with
        synchronous_commit off, so an immediate stop would also lose the last commits), keeping its port."""
        assert self._started and self.bin_dir is not None
        r = self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "20",
                       "stop"], timeout=30)
        if r.returncode != 0:
            raise PgUnavailable(f"pg_ctl stop failed: {(r.stderr or r.stdout).strip()[-500:]}")

    def resume(self) -> None:
        """Start the paused server again on the same port (so clients' URLs stay valid)."""
        assert self._started
        self._start_server(self.port)

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove the cluster directory. Idempotent."""
        if self._atexit:
            atexit.unregister(self.stop)
            self._atexit = False
        if not self._started:
            return
        self._started = False
        if self.base_dir is not None and self.base_dir.exists():
            self._kill_server()
            shutil.rmtree(self.base_dir, ignore_errors=True)

    @classmethod
    def attach(cls, base_dir: Path) -> PgCluster:
        """A PgCluster for a directory started earlier (e.g. by ``pgcluster.py start DIR``)."""
        base = Path(base_dir).absolute()
        try:
            info = json.loads((base / MARKER).read_text())
        except (OSError, ValueError) as e:
            raise FileNotFoundError(f"{base} is not a pgcluster directory (no readable {MARKER})") from e
        c = cls(base, run_as=info.get("run_as"))
        c.url, c.port = info["url"], info["port"]
        c.bin_dir = Path(info["bin_dir"])
        if os.geteuid() == 0 and info.get("run_as"):
            c._pw = pwd.getpwnam(info["run_as"])
        c._started = True
        return c


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    usage = "usage: pgcluster.py start DIR | stop DIR"
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(usage, file=sys.stderr)
        return 2
    cmd, d = argv[0], Path(argv[1])
    if cmd == "start":
        c = PgCluster(d)
        try:
            url = c.start()
        except (PgUnavailable, FileExistsError) as e:
            print(f"pgcluster: {e}", file=sys.stderr)
            return 1
        atexit.unregister(c.stop)  # leave it running for `stop DIR`
        c._atexit = False
        print(url)
        return 0
    try:
        PgCluster.attach(d).stop()
    except FileNotFoundError as e:
        print(f"pgcluster: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
