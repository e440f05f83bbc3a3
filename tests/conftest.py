"""Test set-up shared by every folder: offscreen Qt, a private data folder per test, (when
EXCLUSION_MONITOR_BLOCK_QT=1) a guard that proves the core and intake run without Qt, and the
`db` fixture on both engines.

Every test in tests/core, tests/intake and tests/cli that uses `db` runs twice: on a SQLite file
and on a database of a throwaway PostgreSQL server that the session starts (and stops). A test
about the SQLite file itself (pragmas, backups, damaged files, folders) is marked
`@pytest.mark.sqlite_only` and runs on SQLite alone.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes the credential store of the person running the tests.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
BLOCK_QT = os.environ.get("EXCLUSION_MONITOR_BLOCK_QT") == "1"
_BLOCKED = ("PySide6", "shiboken6", "ui", "pytestqt")


class _QtBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".")[0] in _BLOCKED:
            raise ImportError(f"{fullname} is blocked: core and intake must run without Qt")
        return None


if BLOCK_QT:
    sys.meta_path.insert(0, _QtBlocker())


def pytest_addoption(parser: pytest.Parser) -> None:
    if BLOCK_QT:
        parser.addini("qt_api", "pytest-qt's option, unused when Qt is blocked")


@pytest.fixture(autouse=True)
def private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test gets its own data, backup and log folders; no test sees the user's files."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("EXCLUSION_MONITOR_HOME", str(home))
    monkeypatch.delenv("EXCLUSION_MONITOR_DB", raising=False)
    from exclusion_monitor.codelists import reload_codelists

    reload_codelists()
    yield home
    reload_codelists()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


ENGINES = ("sqlite", "postgresql")
# Test folders whose `db` tests run on both engines (the GUI and reports read through the same
# store functions, so they stay on SQLite to keep the suite's time down).
BOTH_ENGINES = ("core", "intake", "cli")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db" not in metafunc.fixturenames:
        return
    if metafunc.definition.path.parent.name not in BOTH_ENGINES:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("db_engine", ENGINES, indirect=True)


@pytest.fixture
def db_engine(request: pytest.FixtureRequest) -> str:
    """Which engine `db` is on: "sqlite", or "postgresql" where the test is parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """The session's throwaway PostgreSQL server, with a template database holding the schema."""
    from tests.support.postgres import ThrowawayServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        message = "PostgreSQL's server programs are not installed (Debian: postgresql-15)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = ThrowawayServer(binaries).start()
    try:
        server.prepare_template()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: Any) -> Iterator[str]:
    """The address of a new, empty database on the throwaway server."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def db_location(db_engine: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where `db` is: the SQLite file's path, or a new database (with the schema) on the server."""
    if db_engine == "sqlite":
        yield str(db_path)
        return
    from tests.support.postgres import TEMPLATE

    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=TEMPLATE)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def db(db_location: str) -> Iterator[object]:
    from exclusion_monitor.store import open_database

    database = open_database(db_location)
    yield database
    database.close()
