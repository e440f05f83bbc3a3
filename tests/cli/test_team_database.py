"""The team database from the command line: `migrate --to` copies a pilot's file with its batches,
reviews, notes, users and audit chain (and refuses a non-empty target); `db set-password` keeps
the password in the credential store, never in a file; backups are the server's job."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from exclusion_monitor import identity
from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store.audit import verify
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.store.flags import StoredFlag, stored_flags
from exclusion_monitor.store.users import list_users
from exclusion_monitor.upn import check_letter
from operations import ImportRequest, run_imports
from tests.core import example_authority as story
from tests.support.cases import history_of, notes_of, set_case
from ui.cli.main import main

pytestmark = pytest.mark.postgres
ADMIN = "LA\\pilot.admin"


def list_flags(db: Database) -> list[StoredFlag]:
    with db.read() as conn:
        return stored_flags(conn)


class MemoryKeyring(KeyringBackend):
    """A credential store that lives in the test's memory."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError("none kept")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ADMIN)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pilot(
    tmp_path: Path, as_admin: None, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, dict[str, Any]]:
    """A pilot's SQLite file: the worked example, an imported census, flags with a review
    history and notes, two users, and the audit trail all that left."""
    path = tmp_path / "pilot.db"
    db = open_database(path)
    story.build(db)
    census = tmp_path / "census.csv"
    upns = [check_letter(body) + body for body in ("330400215001", "330400215002")]
    census.write_text(
        "UPN,Surname,Forename,Date of birth,Sex,NC year,LAESTAB,Census date\n"
        f"{upns[0]},Testerton,Pupil1,04/09/2012,F,7,3304002,05/10/2023\n"
        f"{upns[1]},Testerton,Pupil2,05/09/2012,M,7,3304002,05/10/2023\n",
        encoding="utf-8",
    )
    (result,) = run_imports(db, [ImportRequest(census, "census", None)], account=ADMIN).value
    assert result.rows_imported == 2
    recompute_flags(db, as_of=story.AS_OF)
    flag = list_flags(db)[0]
    set_case(db, flag.child_id, ADMIN, status="under_review")
    set_case(db, flag.child_id, ADMIN, status="referred")
    set_case(db, flag.child_id, ADMIN, note="Spoke to the school's DSL; referral sent.")
    code = main(["--db", str(path), "users", "add", "LA\\officer2", "--role", "officer"])
    assert code == 0
    facts = {
        "child": flag.child_id,
        "flags": sorted((f.child_id, f.rule, f.status) for f in list_flags(db)),
        "history": [(e.what, e.new_value, e.account) for e in history_of(db, flag.child_id)],
        "batches": [(b.file_name, b.rows_imported) for b in list_batches(db)],
        "users": sorted((u.account, u.role.value) for u in list_users(db)),
        "audit_head": verify(db).head.label,
    }
    db.close()
    capsys.readouterr()
    return path, facts


def test_migrate_copies_everything_and_the_audit_chain_verifies_on_the_server(
    capsys: pytest.CaptureFixture[str], pilot: tuple[Path, dict[str, Any]], pg_url: str
) -> None:
    path, facts = pilot
    code, out, err = cli(capsys, "--db", str(path), "migrate", "--to", pg_url, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["audit_verified"] and report["audit_head"] == facts["audit_head"]
    assert report["rows"]["children"] == 14 and report["rows"]["case_events"] == 3

    team = open_database(pg_url)
    assert sorted((f.child_id, f.rule, f.status) for f in list_flags(team)) == facts["flags"]
    history = [(e.what, e.new_value, e.account) for e in history_of(team, facts["child"])]
    assert history == facts["history"]
    notes = notes_of(team, facts["child"])
    assert [n.text for n in notes] == ["Spoke to the school's DSL; referral sent."]
    assert [(b.file_name, b.rows_imported) for b in list_batches(team)] == facts["batches"]
    assert sorted((u.account, u.role.value) for u in list_users(team)) == facts["users"]
    result = verify(team)
    assert result.ok, result.problem
    # The team carries on where the pilot stopped: new rows get new ids on the server.
    closed = set_case(
        team, facts["child"], "LA\\officer2", status="closed", note="Closed after the panel."
    )
    assert closed.note_id == 2
    team.close()

    code, out, _ = cli(capsys, "--db", pg_url, "undo", "1")
    assert code == 0 and out.startswith("Undid batch 1: removed")
    code, out, _ = cli(capsys, "--db", pg_url, "check", "--format", "json")
    checked = json.loads(out)
    assert code == 0 and checked["ok"], checked


def test_migrate_refuses_a_team_database_that_holds_data(
    capsys: pytest.CaptureFixture[str], pilot: tuple[Path, dict[str, Any]], pg_url: str
) -> None:
    path, _ = pilot
    assert cli(capsys, "--db", str(path), "migrate", "--to", pg_url)[0] == 0
    code, _, err = cli(capsys, "--db", str(path), "migrate", "--to", pg_url)
    assert code == 2
    assert "already holds data" in err and "new, empty team database" in err
    code, _, err = cli(capsys, "--db", str(path), "migrate", "--to", str(path) + ".copy")
    assert code == 2 and "postgresql://user@host/dbname" in err


def test_backups_of_a_team_database_are_the_servers_job(
    capsys: pytest.CaptureFixture[str], pg_url: str, as_admin: None
) -> None:
    open_database(pg_url).close()  # a team database with the schema (IT made it with migrate)
    for command in (["backup"], ["backups"], ["restore", "some-backup.db"]):
        code, _, err = cli(capsys, "--db", pg_url, *command)
        assert code == 2, command
        assert "PostgreSQL server" in err and "pg_dump" in err


@pytest.fixture
def password_login(pg_server: Any) -> Iterator[tuple[str, str]]:
    """A login role that must give a password (the rest of the throwaway server trusts)."""
    hba = pg_server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("local all em_officer scram-sha-256\n" + original)
    name = pg_server.create_database()
    with pg_server.admin() as conn:
        conn.execute(b"CREATE ROLE em_officer LOGIN PASSWORD 'correct-horse-7'")
        conn.execute(f"ALTER DATABASE {name} OWNER TO em_officer".encode())
        conn.execute(b"SELECT pg_reload_conf()")
    url = pg_server.url(name).replace("postgres@", "em_officer@")
    yield url, name
    hba.write_text(original)
    pg_server.drop_database(name)
    with pg_server.admin() as conn:
        conn.execute(b"DROP ROLE em_officer")
        conn.execute(b"SELECT pg_reload_conf()")


def test_password_is_kept_in_the_credential_store_and_nowhere_else(
    capsys: pytest.CaptureFixture[str],
    password_login: tuple[str, str],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    private_home: Path,
    as_admin: None,
) -> None:
    url, _name = password_login
    code, _, err = cli(capsys, "--db", url, "children")
    assert code == 2 and f"exclusion-monitor db set-password {url}" in err

    answers: list[str] = ["correct-horse-7"]
    prompts: list[str] = []
    fake_getpass: Callable[[str], str] = lambda prompt="": prompts.append(prompt) or answers.pop()  # noqa: E731
    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    code, out, _ = cli(capsys, "db", "set-password", url)
    assert code == 0, out
    assert "The server accepted the login" in out
    assert prompts and prompts[0].startswith("Password for em_officer@")
    assert list(memory_keyring.kept.values()) == ["correct-horse-7"]
    code, _, err = cli(capsys, "--db", url, "children", "--format", "json")
    assert code == 2 and "There is no Exclusion Monitor database" in err  # empty: never created
    open_database(url).close()  # the schema, made with the password from the credential store

    code, out, err = cli(capsys, "--db", url, "children", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == []
    for file in private_home.rglob("*"):
        if file.is_file():
            assert b"correct-horse-7" not in file.read_bytes(), file
    with psycopg.connect(url, password="correct-horse-7") as raw:
        assert raw.execute("SELECT count(*) FROM app_meta").fetchone() == (1,)

    assert cli(capsys, "db", "forget-password", url)[0] == 0
    assert memory_keyring.kept == {}
    code, _, err = cli(capsys, "db", "set-password", url.replace("em_officer@", "em_officer:x@"))
    assert code == 2 and "without the password" in err
