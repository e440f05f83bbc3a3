"""The trust commands as a person runs them: users and roles, backup/backups/restore, audit and
retention, with the OS account mocked at identity.os_account."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from exclusion_monitor import identity
from tests.cli.databases import new_database
from ui.cli.main import main

ADMIN = "LA\\admin1"


@pytest.fixture
def as_account(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def switch(account: str) -> None:
        monkeypatch.setattr(identity, "os_account", lambda: account)

    switch(ADMIN)
    return switch


def cli(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_users_roles_and_refusals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    assert cli(capsys, db, "check")[0] == 0  # the first user becomes admin
    code, out, _ = cli(capsys, db, "users", "add", "LA\\viewer1", "--role", "viewer")
    assert code == 0 and "LA\\viewer1 can now use the database as viewer." in out
    code, _, err = cli(capsys, db, "users", "add", "LA\\x", "--role", "boss")
    assert code == 2 and "'boss' is not a role" in err
    code, out, _ = cli(capsys, db, "users", "--format", "json")
    assert [(u["account"], u["role"]) for u in json.loads(out)] == [
        (ADMIN, "admin"),
        ("LA\\viewer1", "viewer"),
    ]
    as_account("LA\\viewer1")
    assert cli(capsys, db, "children")[0] == 0  # the table on screen is a viewer's search
    code, out, err = cli(capsys, db, "children", "--format", "json")  # every child: an export
    assert code == 2 and out == "" and "Exporting needs the manager or admin role" in err
    code, out, err = cli(capsys, db, "users")
    assert code == 2 and out == ""
    code, out, err = cli(capsys, db, "users", "set-name", "LA\\viewer1", "Vic Viewer")
    assert code == 2 and "needs the admin role" in err  # a viewer cannot rename anyone
    assert (
        "Managing users and roles needs the admin role; your account LA\\viewer1 is a viewer" in err
    )
    as_account("LA\\stranger")
    code, _, err = cli(capsys, db, "children")
    assert code == 2 and "has not been given access to this database" in err
    as_account(ADMIN)
    assert cli(capsys, db, "users", "set-role", "LA\\viewer1", "officer")[1].strip() == (
        "LA\\viewer1 is now officer."
    )
    code, out, _ = cli(capsys, db, "users", "set-name", "la\\viewer1", "  Vic   Viewer ")
    assert code == 0 and out.strip() == "LA\\viewer1 is now shown as Vic Viewer."
    code, _, err = cli(capsys, db, "users", "set-name", "LA\\viewer1", "V" * 201)
    assert code == 2 and "at most 200 characters" in err
    code, _, err = cli(capsys, db, "users", "set-name", "LA\\nobody", "No One")
    assert code != 0 and "LA\\nobody is not a user" in err
    code, out, _ = cli(capsys, db, "users", "--format", "json")
    assert [u["name"] for u in json.loads(out)] == [None, "Vic Viewer"]
    assert cli(capsys, db, "users", "set-name", "LA\\viewer1", "")[1].strip() == (
        "LA\\viewer1 is now shown by account."
    )
    assert cli(capsys, db, "users", "deactivate", "la\\viewer1")[0] == 0
    as_account("LA\\viewer1")
    assert "deactivated" in cli(capsys, db, "check")[2]


def test_backup_backups_and_restore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    code, out, _ = cli(capsys, db, "backup")
    backup = Path(out.strip())
    assert code == 0 and backup.is_file() and backup.name.endswith("-manual.db")
    code, out, _ = cli(capsys, db, "backups")
    assert "manual" in out and str(backup) in out and "just now" in out
    code, out, _ = cli(capsys, db, "backups", "--format", "json")
    assert json.loads(out)[0]["path"] == str(backup)
    code, out, _ = cli(capsys, db, "restore", str(backup))
    assert code == 0 and f"Restored {db} from {backup}." in out
    assert "is kept as" in out
    code, out, _ = cli(capsys, db, "audit", "--format", "json")
    actions = [e["action"] for e in json.loads(out)["entries"]]
    assert actions[-1] == "restore"


def test_restore_of_a_damaged_database_asks_the_backup_who_is_admin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    cli(capsys, db, "users")
    cli(capsys, db, "users", "add", "LA\\officer1", "--role", "officer")
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO schools (laestab, name) VALUES (?, ?)",
        [(f"33{i:05d}", f"School {i}") for i in range(3000)],
    )
    conn.commit()
    conn.close()
    backup = Path(cli(capsys, db, "backup")[1].strip())
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 4096)
    code, out, err = cli(capsys, db, "check")
    assert code == 1 and "[FAIL] integrity" in out and "is damaged" in out  # a failed check
    assert f'restore "{backup}"' in out and err == ""
    as_account("LA\\officer1")
    code, _, err = cli(capsys, db, "restore", str(backup))
    assert code == 2 and "Restoring needs the admin role" in err
    as_account(ADMIN)
    code, out, _ = cli(capsys, db, "restore", str(backup))
    assert code == 0 and "is kept as" in out
    assert cli(capsys, db, "check")[0] == 0


def test_audit_lists_filters_and_verifies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    cli(capsys, db, "children")
    cli(capsys, db, "children", "--format", "csv")
    code, out, _ = cli(capsys, db, "audit", "--action", "search", "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "id,at,account,action,target,detail" and len(lines) == 2
    code, out, _ = cli(capsys, db, "audit", "--action", "export", "--format", "json")
    (export,) = json.loads(out)["entries"]
    assert export["detail"] == {"what": "children", "format": "csv", "rows": 0}
    code, out, _ = cli(capsys, db, "audit", "--account", "nobody", "--since", "2020-01-01")
    assert "(none)" in out and "Audit chain head:" in out
    code, out, _ = cli(capsys, db, "audit", "--verify")
    assert code == 0 and "The audit trail is intact" in out
    head = out.split("Audit chain head: ")[1].strip()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_log SET account = 'LA\\someone' WHERE id = 2")
    conn.commit()
    conn.close()
    code, out, _ = cli(capsys, db, "audit", "--verify")
    assert code == 1 and "Audit row 2 has been edited or forged" in out
    code, _, err = cli(capsys, db, "audit", "--verify", "--head", "banana")
    assert code == 2 and "not an audit chain head" in err
    assert head.split(":")[0].isdigit()


def test_audit_verify_with_a_printed_head_finds_a_cut_back_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    cli(capsys, db, "children")
    head = cli(capsys, db, "audit", "--verify")[1].split("Audit chain head: ")[1].strip()
    last_id = head.split(":")[0]
    conn = sqlite3.connect(db)
    conn.execute(f"DELETE FROM audit_log WHERE id >= {last_id}")
    conn.commit()
    conn.close()
    code, out, _ = cli(capsys, db, "audit", "--verify", "--head", head)
    assert code == 1 and "cut back" in out


def test_retention_lists_and_purges_only_with_yes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_account: Callable[[str], None]
) -> None:
    db = new_database(tmp_path / "x.db")
    code, out, _ = cli(capsys, db, "retention")
    assert code == 0 and "pupil_records" in out and "audit_log" in out
    code, _, err = cli(capsys, db, "retention", "--purge")
    assert code == 2 and "--purge --yes" in err
    code, out, _ = cli(capsys, db, "retention", "--purge", "--yes", "--format", "json")
    assert code == 0 and json.loads(out)["purged"] is True
    cli(capsys, db, "users", "add", "LA\\manager1", "--role", "manager")
    as_account("LA\\manager1")
    code, _, err = cli(capsys, db, "retention")
    assert code == 2 and "needs the admin role" in err
