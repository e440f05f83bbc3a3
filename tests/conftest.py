"""Test set-up shared by every folder: offscreen Qt, a private data folder per test, and (when
EXCLUSION_MONITOR_BLOCK_QT=1) a guard that proves the core and intake run without Qt."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
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


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    from exclusion_monitor.store import open_database

    database = open_database(db_path)
    yield database
    database.close()
