"""A throwaway PostgreSQL server for the tests and benchmarks: initdb in a temporary folder,
started on a Unix socket only (no TCP port is opened), stopped and deleted afterwards.

initdb refuses to run as root, so as root (CI) the server runs as the unprivileged `postgres`
account through runuser. Set EXCLUSION_MONITOR_PG_BIN to use binaries from another folder.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

PORT = 5432  # the socket folder is private, so the usual port cannot clash with another server
TEMPLATE = "em_template"
_counter = itertools.count(1)


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (version 13 or later), or None."""
    given = os.environ.get("EXCLUSION_MONITOR_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "pg_ctl").exists() else None
    candidates = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        match = re.fullmatch(r"\d+", folder.parent.name)
        if match and int(folder.parent.name) >= 13 and (folder / "initdb").exists():
            candidates.append((int(folder.parent.name), folder))
    if candidates:
        return max(candidates)[1]
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class ThrowawayServer:
    """One PostgreSQL cluster in a temporary folder; `url(name)` is the app's address for a
    database on it."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.root = Path(tempfile.mkdtemp(prefix="em-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.log = self.root / "server.log"
        self.as_postgres = os.geteuid() == 0

    # -- running the server's own programs ---------------------------------------------------
    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({completed.returncode}): {completed.stderr.strip()}\n{log}"
            )

    def start(self) -> ThrowawayServer:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        self.resume()
        return self

    def halt(self, mode: str = "fast") -> None:
        """Stop the server as an administrator would (`fast`: sessions ended, open transactions
        rolled back) or as a crash does (`immediate`), keeping its data for `resume`."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def resume(self) -> None:
        options = f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' -F"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -------------------------------------------------------------------------------
    def url(self, database: str) -> str:
        """The app's address (`--db`) for a database on this server."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={PORT}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.socket_dir), port=PORT, user="postgres", dbname="postgres",
            autocommit=True,
        )  # fmt: skip

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new database (empty, or a copy of `template`); returns its name."""
        name = name or f"em_test_{os.getpid()}_{next(_counter)}"
        source = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}{source}".encode())
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())

    def prepare_template(self) -> str:
        """A database with the app's schema already created, to copy for each test (copying
        is much faster than creating some twenty tables and their indexes every time)."""
        from exclusion_monitor.store import open_database

        self.create_database(TEMPLATE)
        open_database(self.url(TEMPLATE)).close()
        with self.admin() as conn:
            conn.execute(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true".encode())
        return TEMPLATE


@contextlib.contextmanager
def throwaway_server() -> Iterator[ThrowawayServer]:
    """Start a server, yield it, stop and delete it (benchmarks use this outside pytest)."""
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found: install the Debian "
            "package postgresql-15, or set EXCLUSION_MONITOR_PG_BIN."
        )
    server = ThrowawayServer(binaries).start()
    try:
        yield server
    finally:
        server.stop()
