"""Audit and access under attack, through the real command line on both engines (issue 20,
items 7, 9, 10, 11, 12): a history erased behind the app's back, forged purges, roles edited
with a SQL tool, every child dumped by a viewer, refused attempts and unknown UPNs, an emptied
log, and a restore of a backup whose chain is broken."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import types
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor import identity
from exclusion_monitor.store import Database, audit, open_database
from exclusion_monitor.store import schema as t
from tests.support.hostile_sheets import census_row, csv_text, upn
from ui.cli.main import main

ADMIN = "LA\\dpo.admin"


@pytest.fixture
def as_account(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def switch(account: str) -> None:
        monkeypatch.setattr(identity, "os_account", lambda: account)

    switch(ADMIN)
    return switch


def cli(capsys: pytest.CaptureFixture[str], where: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", where, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def head_of(out: str) -> str:
    return out.split("Audit chain head: ")[1].split()[0]


def sql(db: Database, *statements: str, **params: object) -> None:
    """Change the database behind the app's back, as someone with a SQL tool could."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement), params)


def entries(db: Database, action: str) -> list[audit.AuditEntry]:
    return audit.list_entries(db, action=action)


@pytest.fixture
def used(
    db: Database, db_location: str, capsys: pytest.CaptureFixture[str], as_account: object
) -> Database:
    """A database in use: its admin, a viewer, and 200 audit rows of searches and views."""
    assert cli(capsys, db_location, "check")[0] == 0  # the first account becomes admin
    assert cli(capsys, db_location, "users", "add", "LA\\viewer1", "--role", "viewer")[0] == 0
    for n in range(198):
        audit.record(db, "LA\\viewer1", "view_child", f"child:{n}", {"page": "profile"})
    return db


def _forge_purge(db: Database, cut_at: int, years_ago: int = 2) -> None:
    """Delete rows up to `cut_at` and append a purge row chained exactly as the app writes one,
    claiming to have cut there under retention: all a forger with SQL access can do."""
    with db.read() as conn:
        cut_hash = conn.execute(
            sa.select(t.audit_log.c.hash).where(t.audit_log.c.id == cut_at)
        ).scalar_one()
        chain = audit.chain_id(conn)
    sql(db, "DELETE FROM audit_log WHERE id <= :cut", cut=cut_at)
    cutoff = dt.date.today() - dt.timedelta(days=366 * years_ago)
    detail = {"audit_log": cut_at, audit.CUT: {"id": cut_at, "hash": cut_hash, "chain": chain,
              "cutoff": cutoff.isoformat(), "roles": {}}}  # fmt: skip
    audit.record(db, ADMIN, audit.PURGE_ACTION, None, detail)


# -- item 7: erased history ------------------------------------------------------------------
def test_deleting_old_rows_and_adding_a_purge_log_row_fails_verify(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 0 and "200 rows checked" in out
    before = head_of(out)
    with used.read() as conn:
        hash_155 = conn.execute(
            sa.select(t.audit_log.c.hash).where(t.audit_log.c.id == 155)
        ).scalar_one()
    sql(
        used,
        "DELETE FROM audit_log WHERE id <= 155",
        "INSERT INTO purge_log (at, account, record_type, count, ids, detail) VALUES "
        "(:at, 'LA\\dpo.admin', 'audit_log', 155, '[]', :detail)",
        at=dt.datetime.now(),
        detail=json.dumps({"cutoff": "2019-01-01", "anchor_id": 155, "anchor_hash": hash_155}),
    )
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1
    assert "Audit rows 1 to 155 before row 156 are missing, and no purge in the audit trail " in out
    code, out, _ = cli(capsys, db_location, "audit", "--verify", "--head", before)
    assert code == 1 and "have been deleted" in out
    code, out, _ = cli(capsys, db_location, "check")
    assert code == 1 and "[FAIL] audit trail: Audit rows 1 to 155" in out


def test_a_forged_chained_purge_is_found_by_the_log_file(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _forge_purge(used, 155)
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1
    assert "Audit row 1, written on" in out and "the purge row is forged" in out


def test_a_forged_purge_of_young_rows_is_found_by_its_own_dates(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _forge_purge(used, 155, years_ago=0)
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1 and "claims to have cut audit rows younger than 1 year" in out


@pytest.mark.sqlite_only
def test_a_forged_purge_is_found_by_a_backup_when_the_log_is_gone(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from exclusion_monitor import config

    assert cli(capsys, db_location, "backup")[0] == 0
    _forge_purge(used, 155)
    for log_file in config.log_dir().glob("exclusion-monitor.log*"):
        log_file.write_text("")  # the forger cleaned the log file as well
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1
    assert "The backup taken at" in out and "shows audit rows up to row 155 written as late" in out


def test_a_legitimate_purge_keeps_the_trail_verifiable_and_the_roles_replayable(
    db: Database,
    db_location: str,
    capsys: pytest.CaptureFixture[str],
    as_account: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    then = type("Then", (dt.datetime,), {"now": classmethod(lambda cls: dt.datetime(2012, 3, 1))})
    clock = types.SimpleNamespace(datetime=then, date=dt.date, time=dt.time)
    monkeypatch.setattr(audit, "dt", clock)
    assert cli(capsys, db_location, "check")[0] == 0  # 2012: the first admin, then a viewer
    assert cli(capsys, db_location, "users", "add", "LA\\viewer1", "--role", "viewer")[0] == 0
    assert cli(capsys, db_location, "users", "set-role", "LA\\viewer1", "officer")[0] == 0
    old_head = head_of(cli(capsys, db_location, "audit", "--verify")[1])
    monkeypatch.setattr(audit, "dt", dt)  # not undo(): that would drop the private folders too
    assert cli(capsys, db_location, "users", "add", "LA\\manager1", "--role", "manager")[0] == 0
    code, out, _ = cli(capsys, db_location, "retention", "--purge", "--yes", "--format", "json")
    assert code == 0
    assert {r["record_type"]: r["count"] for r in json.loads(out)["records"]}["audit_log"] == 4
    code, out, _ = cli(capsys, db_location, "audit", "--verify", "--head", old_head)
    assert code == 0, out
    assert "Every user's role is the one the audit trail gives them." in out
    code, out, _ = cli(capsys, db_location, "check")
    assert code == 0 and "[ok] users and roles" in out
    (purge,) = entries(db, audit.PURGE_ACTION)
    cut = purge.detail[audit.CUT]  # type: ignore[index]
    assert cut["id"] == 4 and cut["roles"]["la\\viewer1"]["role"] == "officer"


# -- items 9 and 12: roles changed outside the app, refusals, unknown UPNs, an emptied log -----
def test_roles_changed_outside_the_app_are_reported(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(used, "UPDATE users SET role = 'admin' WHERE account = 'LA\\viewer1'")
    sql(
        used,
        "INSERT INTO users (account, role, active, created_at) VALUES "
        "('LA\\intruder', 'manager', :yes, :now)",
        yes=True,
        now=dt.datetime.now(),
    )
    code, out, _ = cli(capsys, db_location, "check")
    assert code == 1
    assert (
        "[FAIL] users and roles: LA\\viewer1 is admin in the users table, but by the audit trail "
        "(row 2) they are viewer: the role was changed outside the app."
    ) in out
    assert "LA\\intruder is a user of the database (manager), but the audit trail never" in out
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1 and "The users table has been changed outside the app: LA\\viewer1" in out


def test_refused_attempts_and_unknown_upns_are_audited(
    used: Database,
    db_location: str,
    capsys: pytest.CaptureFixture[str],
    as_account: Callable[[str], None],
) -> None:
    as_account("LA\\viewer1")
    assert cli(capsys, db_location, "users")[0] == 2
    assert cli(capsys, db_location, "child", upn(404))[0] == 2
    as_account("LA\\stranger")
    assert cli(capsys, db_location, "children")[0] == 2
    refused = [(e.account, e.detail) for e in entries(used, "refused")]
    assert refused == [
        ("LA\\viewer1", {"action": "manage_users", "why": "role", "role": "viewer"}),
        ("LA\\stranger", {"action": "search", "why": "not a user"}),
    ]
    (lookup,) = [e for e in entries(used, "view_child") if e.target is None]
    assert lookup.account == "LA\\viewer1" and lookup.detail == {"upn": upn(404), "found": False}


def test_an_emptied_log_fails_verify_and_stays_failed(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(used, "DELETE FROM audit_log")
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1 and "The audit trail is empty, though the database has been used" in out
    # That verify wrote a new row 1: the log now looks new, but what it lost is still found.
    code, out, _ = cli(capsys, db_location, "audit", "--verify")
    assert code == 1 and "never records them being added" in out


# -- item 10: every child in a machine format is an export ------------------------------------
def test_listing_every_child_as_csv_or_json_is_an_export(
    used: Database,
    db_location: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    as_account: Callable[[str], None],
) -> None:
    census = tmp_path / "census.csv"
    census.write_text(csv_text([census_row(1), census_row(2)]), encoding="utf-8")
    assert cli(capsys, db_location, "import", str(census), "--census-date", "2023-10-05")[0] == 0
    assert cli(capsys, db_location, "users", "add", "LA\\manager1", "--role", "manager")[0] == 0
    as_account("LA\\viewer1")
    code, out, _ = cli(capsys, db_location, "children")
    assert code == 0 and upn(1) in out  # the table on screen: a viewer's search
    for fmt in ("csv", "json"):
        code, out, err = cli(capsys, db_location, "children", "--format", fmt)
        assert code == 2 and out == "" and "Exporting needs the manager or admin role" in err
    as_account("LA\\manager1")
    code, out, _ = cli(capsys, db_location, "children", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2
    (export,) = entries(used, "export")
    assert export.account == "LA\\manager1" and export.target == "children"
    assert export.detail == {"what": "children", "format": "json", "rows": 2}


# -- item 11: restoring a backup whose chain is broken ----------------------------------------
@pytest.mark.sqlite_only
def test_restore_refuses_a_broken_chain_unless_an_admin_gives_a_reason(
    used: Database, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = Path(cli(capsys, db_location, "backup")[1].strip())
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE audit_log SET account = 'LA\\nobody' WHERE id = 40")
    conn.commit()
    conn.close()
    code, _, err = cli(capsys, db_location, "restore", str(backup))
    assert code == 2 and "audit trail does not verify (Audit row 40 has been edited" in err
    assert entries(used, "restore") == [] and audit.verify(used).ok, "nothing was replaced"
    code, _, err = cli(capsys, db_location, "restore", str(backup), "--accept-broken-audit")
    assert code == 2 and "needs --reason" in err
    reason = "the only copy from before the disk failed; row 40 checked with IT"
    code, out, _ = cli(
        capsys, db_location, "restore", str(backup), "--accept-broken-audit", "--reason", reason
    )
    assert code == 0 and "your reason is recorded" in out
    used.close()  # its connections hold the file that was replaced
    with open_database(db_location) as restored_db:
        (restored,) = entries(restored_db, "restore")
    assert restored.detail is not None and restored.detail["accepted_because"] == reason
    assert "Audit row 40 has been edited" in restored.detail["broken_audit"]
