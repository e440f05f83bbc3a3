"""Claims of docs/data-protection.md that no other test holds on its own: who the user is (the
operating system's account, never an environment variable), unfinished backups cleared after an
hour, and each backup's metadata written beside it and thinned with it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from exclusion_monitor import config, identity
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.backup import (
    backup_before,
    list_backups,
    metadata_path,
    new_backup_path,
    thin_backups,
)


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX account database")
def test_the_account_comes_from_the_operating_system_not_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pwd

    real = pwd.getpwuid(os.geteuid()).pw_name
    for name in ("USER", "USERNAME", "LOGNAME"):
        monkeypatch.setenv(name, "LA\\the.director")
    assert identity.os_account() == real


def test_on_windows_the_account_is_asked_of_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERNAME", "the.director")
    monkeypatch.setattr(identity, "_windows_account", lambda: "LA\\jsmith")
    assert identity.os_account() == "LA\\jsmith"


@pytest.mark.sqlite_only
def test_unfinished_backups_are_cleared_after_an_hour_and_not_before(
    db: Database, db_path: Path
) -> None:
    now = dt.datetime.now()
    stale = new_backup_path(db_path, "import", now - dt.timedelta(hours=3))
    fresh = new_backup_path(db_path, "import", now)
    for path in (stale, fresh):
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(b"half a copy")
    old = (now - dt.timedelta(hours=2)).timestamp()
    stale_partial = stale.with_name(stale.name + ".partial")
    os.utime(stale_partial, (old, old))
    thin_backups(db_path, now)
    assert not stale_partial.exists()
    assert fresh.with_name(fresh.name + ".partial").exists(), "it may be being written now"
    assert list_backups(db_path) == [], "a partial copy is never listed as a backup"


@pytest.mark.sqlite_only
def test_every_backup_carries_its_chain_and_thinning_removes_it_too(
    db: Database, db_path: Path
) -> None:
    audit.record(db, "LA\\admin1", "view_child", "child:1")
    entry = audit.record(db, "LA\\admin1", "view_child", "child:2")
    backup = backup_before(db, "import")
    assert backup is not None
    meta = json.loads(metadata_path(backup).read_text(encoding="utf-8"))["audit"]
    first = audit.list_entries(db)[0]
    assert meta == {
        "chain": first.hash,
        "first_id": 1,
        "anchor_hash": audit.GENESIS_HASH,
        "head_id": entry.id,
        "head_hash": entry.hash,
    }
    later = dt.datetime.now() + dt.timedelta(days=200)
    newer = new_backup_path(db_path, "import", later - dt.timedelta(days=1))
    newer.write_bytes(backup.read_bytes())
    thin_backups(db_path, later)
    assert not backup.exists() and not metadata_path(backup).exists()
    assert config.backups_dir().is_dir()
