"""Integrity, identity and schema checks for `exclusion-monitor check` and the app."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.audit import verify
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.dialect import is_sqlite, read_marker
from exclusion_monitor.store.identity import OpenReviews, open_reviews
from exclusion_monitor.store.migrations import CURRENT_VERSION, schema_fingerprint
from exclusion_monitor.store.role_replay import role_problems
from exclusion_monitor.upn import STORED_FORM, check_upn


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def run_checks(db: Database) -> list[CheckResult]:
    """Every check, in the order a support person would want to read them."""
    with db.read() as conn:
        results = [
            _integrity(conn),
            _foreign_keys(conn),
            _schema(conn),
            _identity_current_upn(conn),
            _identity_check_letters(conn),
            identity_reviews_result(open_reviews(conn)),
        ]
        roles = _roles(conn)
    return [*results, _audit_chain(db), roles]


def _audit_chain(db: Database) -> CheckResult:
    result = verify(db, witnesses=True)
    if result.ok:
        return CheckResult("audit trail", True, f"{result.rows_checked} rows, chain intact")
    return CheckResult("audit trail", False, "; ".join(result.problems) or "the chain is broken")


def _roles(conn: sa.Connection) -> CheckResult:
    """Every user's role and state as the audit trail's role changes give them."""
    problems = role_problems(conn)
    if problems:
        return CheckResult("users and roles", False, " ".join(problems))
    return CheckResult(
        "users and roles", True, "every user's role is the one the audit trail gives them"
    )


def _integrity(conn: sa.Connection) -> CheckResult:
    if not is_sqlite(conn):
        # The server checks its own storage (WAL, page checksums); reading every table here
        # finds what a user would meet: a table the server cannot read.
        for table in t.metadata.sorted_tables:
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        return CheckResult(
            "integrity",
            True,
            "every table reads back; the PostgreSQL server keeps its own storage sound",
        )
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    ok = rows == ["ok"]
    detail = "the database file is sound" if ok else "; ".join(rows[:5])
    return CheckResult("integrity", ok, detail)


def _foreign_keys(conn: sa.Connection) -> CheckResult:
    if not is_sqlite(conn):
        return _server_foreign_keys(conn)
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if not rows:
        return CheckResult("references", True, "every reference between records resolves")
    tables = sorted({str(r[0]) for r in rows})
    return CheckResult("references", False, f"{len(rows)} broken references in {', '.join(tables)}")


def _server_foreign_keys(conn: sa.Connection) -> CheckResult:
    """PostgreSQL enforces every foreign key itself; this confirms none was dropped or left
    unchecked (NOT VALID), which is how a broken reference could get in."""
    expected = {
        table.name: len(table.foreign_key_constraints) for table in t.metadata.sorted_tables
    }
    enforced = {
        str(name): int(count)
        for name, count in conn.execute(
            sa.text(
                "SELECT conrelid::regclass::text, count(*) FROM pg_constraint "
                "WHERE contype = 'f' AND convalidated "
                "AND connamespace = current_schema()::regnamespace GROUP BY 1"
            )
        )
    }
    missing = sorted(name for name, n in expected.items() if enforced.get(name, 0) < n)
    if missing:
        return CheckResult("references", False, f"references not enforced in {', '.join(missing)}")
    return CheckResult(
        "references", True, "every reference between records is enforced by the server"
    )


def _schema(conn: sa.Connection) -> CheckResult:
    ours, version, _empty = read_marker(conn)
    if not ours:
        return CheckResult(
            "schema", False, "the database is not marked as an Exclusion Monitor database"
        )
    if version != CURRENT_VERSION:
        return CheckResult("schema", False, f"schema version {version}, expected {CURRENT_VERSION}")
    found = schema_fingerprint(conn)
    missing = sorted(set(t.metadata.tables) - set(found))
    if missing:
        return CheckResult("schema", False, f"missing tables: {', '.join(missing)}")
    return CheckResult("schema", True, f"schema version {version}, all tables present")


def _identity_current_upn(conn: sa.Connection) -> CheckResult:
    current_counts = (
        sa.select(t.child_identifiers.c.child_id, sa.func.count().label("n"))
        .where(t.child_identifiers.c.kind == "current")
        .group_by(t.child_identifiers.c.child_id)
        .subquery()
    )
    bad = conn.execute(
        sa.select(sa.func.count())
        .select_from(t.children)
        .outerjoin(current_counts, current_counts.c.child_id == t.children.c.id)
        .where(sa.func.coalesce(current_counts.c.n, 0) != 1)
    ).scalar_one()
    if bad:
        return CheckResult("identity", False, f"{bad} children do not have exactly one current UPN")
    return CheckResult("identity", True, "every child has exactly one current UPN")


def _identity_check_letters(conn: sa.Connection) -> CheckResult:
    """Every stored UPN is exactly what the intake stores: 13 plain ASCII characters (never a
    look-alike, such as a Cyrillic letter or a full-width digit, that would make a second child)
    with a check letter that matches."""
    not_plain: list[int] = []
    failing: list[int] = []
    query = sa.select(t.child_identifiers.c.child_id, t.child_identifiers.c.upn)
    for row in conn.execute(query):
        upn = str(row.upn)
        if not upn.isascii() or STORED_FORM.fullmatch(upn) is None:
            not_plain.append(int(row.child_id))
        elif not check_upn(upn).valid:
            failing.append(int(row.child_id))
    problems = []
    if not_plain:
        problems.append(
            f"{_n(len(not_plain), 'stored UPN')} that {_are(len(not_plain))} not 13 plain ASCII "
            "letters and digits "
            f"(children {_ids(not_plain)})"
        )
    if failing:
        problems.append(
            f"{_n(len(failing), 'stored UPN')} whose check letter does not match "
            f"(children {_ids(failing)})"
        )
    if problems:
        return CheckResult("stored UPNs", False, "; ".join(problems))
    return CheckResult(
        "stored UPNs", True, "every stored UPN is 13 plain characters with a valid check letter"
    )


def _n(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in sorted(set(ids))[:10])
    more = len(set(ids)) - 10
    return shown + (f" and {more} more" if more > 0 else "")


def identity_reviews_result(reviews: OpenReviews) -> CheckResult:
    """Open identity reviews are work waiting for an officer, not a fault: the check passes and
    says how many wait and since when."""
    if not reviews.count:
        return CheckResult("identity reviews", True, "no pair of children waits for a decision")
    since = f" since {reviews.oldest_since:%d/%m/%Y}" if reviews.oldest_since else ""
    batch = f" (batch {reviews.oldest_batch_id})" if reviews.oldest_batch_id else ""
    why = ", joined by a Former UPN" if reviews.oldest_former_upn else ""
    waiting = "waits" if reviews.count == 1 else "wait"
    return CheckResult(
        "identity reviews",
        True,
        f"{reviews.count} pair{'s' if reviews.count != 1 else ''} of children {waiting} for an "
        f"officer's decision; the oldest, review {reviews.oldest_id}{why}, has waited{since}"
        f"{batch}",
    )
