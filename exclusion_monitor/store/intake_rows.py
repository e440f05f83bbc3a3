"""The records an import brings, typed, and how each is laid out as a row of its table.

A checked row of a return is one of the records below (a dict with exactly these keys: the intake's
row declarations in `imports/rows/` make them). Each table's columns and the tuple a record
becomes are written here once, beside each other, so nothing outside the store knows a table's
layout (docs/architecture.md#the-intake). Rows are plain tuples because a first census adds a
quarter of a million of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypedDict

import sqlalchemy as sa

from exclusion_monitor.store import schema as t

DateText = Mapping[Any, Any]  # bulk.stored_dates: a date as the database is handed it


class ChildRecord(TypedDict):
    """Who a row is about and where: every child's record starts with these."""

    upn: str
    upn_temporary: bool
    former_upn: str | None
    former_temporary: bool
    surname: str | None
    forename: str | None
    date_of_birth: dt.date | None
    sex: str | None
    laestab: str | None
    urn: str | None
    school_name: str | None


class CensusRecord(ChildRecord):
    census_date: dt.date
    nc_year: str | None
    entry_date: dt.date | None
    enrol_status: str | None
    ethnicity: str | None
    sen: str | None
    fsm: bool | None
    looked_after: bool | None
    postcode: str | None
    address_line1: str | None
    family_ref: str | None


class ExclusionRecord(ChildRecord):
    category: str
    start_date: dt.date
    end_date: dt.date | None
    sessions: float
    reasons: list[str]  # up to three
    review_outcome: str | None


class EnrolmentRecord(ChildRecord):
    entry_date: dt.date
    leaving_date: dt.date | None
    leaving_reason: str | None
    destination: str | None
    enrol_status: str | None


class SchoolRecord(TypedDict):
    """One establishment of the register (laestab None: one no return can name, left out)."""

    urn: str | None
    laestab: str | None
    name: str
    la_code: str
    school_type: str | None
    phase: str | None
    open_date: dt.date | None
    close_date: dt.date | None
    low_age: int | None
    high_age: int | None
    closed_reason: str | None
    previous: str | None  # the LAESTAB it had before (a converter)


class LinkRecord(TypedDict):
    urn: str
    link_urn: str
    link_type: str
    link_date: dt.date | None


RECORDS: dict[str, type] = {
    "census": CensusRecord,
    "exclusions": ExclusionRecord,
    "enrolments": EnrolmentRecord,
    "schools": SchoolRecord,
    "school_links": LinkRecord,
}


def record_fields(kind: str) -> tuple[str, ...]:
    """The keys a checked record of a kind carries, in order."""
    return tuple(RECORDS[kind].__annotations__)


# -- children and their UPNs -------------------------------------------------------------------
CHILD_COLUMNS = ("id", "surname", "forename", "date_of_birth", "sex", "created_at", "batch_id")
IDENTIFIER_COLUMNS = ("id", "child_id", "upn", "kind", "temporary", "first_seen", "batch_id")
NewChild = tuple[int, str, str, Any, str | None, Any, int | None]
NewIdentifier = tuple[int, int, str, str, bool, Any, int | None]


def new_child(
    child_id: int,
    surname: str,
    forename: str,
    born: Any,
    sex: str | None,
    created: Any,
    batch_id: int | None,
) -> NewChild:
    """A `children` row (dates as `bulk.stored_dates` hands them)."""
    return (child_id, surname, forename, born, sex, created, batch_id)


def new_identifier(
    identifier_id: int,
    child_id: int,
    upn: str,
    kind: str,
    temporary: bool,
    first_seen: Any,
    batch_id: int | None,
) -> NewIdentifier:
    """A `child_identifiers` row: a UPN of a child, current or former."""
    return (identifier_id, child_id, upn, kind, temporary, first_seen, batch_id)


# -- a child's records: (record, school, child, batch, dates) -> row ----------------------------
# Each layout's columns start with the key that tells one record from another: `key_width` of
# them (a census row is one pupil at one school on one date).
CENSUS_COLUMNS = (
    "child_id", "school_id", "census_date", "upn_seen", "nc_year", "enrol_status", "entry_date",
    "fsm", "sen", "ethnicity", "looked_after", "address_line1", "postcode", "family_ref",
    "batch_id",
)  # fmt: skip
CENSUS_KEY_WIDTH = 3


def census_row(
    r: CensusRecord, school_id: int, child_id: int, batch_id: int, day: DateText
) -> tuple[Any, ...]:
    return (
        child_id, school_id, day[r["census_date"]], r["upn"], r["nc_year"], r["enrol_status"],
        day[r["entry_date"]], r["fsm"], r["sen"], r["ethnicity"], r["looked_after"],
        r["address_line1"], r["postcode"], r["family_ref"], batch_id,
    )  # fmt: skip


EXCLUSION_COLUMNS = (
    "child_id", "school_id", "category", "start_date", "end_date", "sessions", "reason1",
    "reason2", "reason3", "review_outcome", "upn_seen", "batch_id",
)  # fmt: skip
EXCLUSION_KEY_WIDTH = 4  # child, school, category, start date


def exclusion_row(
    r: ExclusionRecord, school_id: int, child_id: int, batch_id: int, day: DateText
) -> tuple[Any, ...]:
    reasons = [*r["reasons"], None, None, None][:3]
    return (
        child_id, school_id, r["category"], day[r["start_date"]], day[r["end_date"]],
        r["sessions"], *reasons, r["review_outcome"], r["upn"], batch_id,
    )  # fmt: skip


ENROLMENT_COLUMNS = (
    "child_id", "school_id", "entry_date", "enrol_status", "leaving_date", "leaving_reason",
    "destination", "upn_seen", "batch_id",
)  # fmt: skip
ENROLMENT_KEY_WIDTH = 4  # child, school, entry date, status


def enrolment_row(
    r: EnrolmentRecord, school_id: int, child_id: int, batch_id: int, day: DateText
) -> tuple[Any, ...]:
    return (
        child_id, school_id, day[r["entry_date"]], r["enrol_status"], day[r["leaving_date"]],
        r["leaving_reason"], r["destination"], r["upn"], batch_id,
    )  # fmt: skip


CHILD_RECORD_TABLES: dict[str, sa.Table] = {
    "census": t.census_observations,
    "exclusions": t.exclusions,
    "enrolments": t.enrolments,
}

# -- the register --------------------------------------------------------------------------------
SCHOOL_VALUES = (
    "urn", "name", "la_code", "school_type", "phase", "open_date", "close_date", "low_age",
    "high_age",
)  # fmt: skip
SCHOOL_COLUMNS = ("id", "laestab", *SCHOOL_VALUES, "batch_id")


def school_values(r: SchoolRecord) -> dict[str, Any]:
    """What a register row sets on a school (a school already held is updated with these)."""
    return {name: r[name] for name in SCHOOL_VALUES}  # type: ignore[literal-required]


def school_row(school_id: int, r: SchoolRecord, batch_id: int) -> tuple[Any, ...]:
    return (school_id, r["laestab"], *school_values(r).values(), batch_id)


LINK_COLUMNS = ("id", "school_id", "linked_school_id", "link_type", "established_date", "batch_id")


def link_row(
    link_id: int,
    school_id: int,
    linked_id: int,
    link_type: str,
    established: dt.date | None,
    batch_id: int,
) -> tuple[Any, ...]:
    """A `school_links` row: a link of the links file, or a predecessor the register names."""
    return (link_id, school_id, linked_id, link_type, established, batch_id)
