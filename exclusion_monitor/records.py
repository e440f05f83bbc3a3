"""Domain records: frozen dataclasses passed between the store, the rules and the front ends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    SUSPENSION = "SUSP"
    PERMANENT = "PERM"
    LUNCHTIME = "LNCH"


class MoveKind(StrEnum):
    STANDARD = "standard"
    NON_STANDARD = "non_standard"
    CONVERSION = "conversion"
    PLACEMENT = "placement"


class ReviewStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    REFERRED = "referred"
    NO_FURTHER_ACTION = "no_further_action"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class School:
    id: int
    laestab: str
    name: str
    phase: str | None = None
    school_type: str | None = None
    urn: str | None = None
    open_date: dt.date | None = None
    close_date: dt.date | None = None
    low_age: int | None = None
    high_age: int | None = None


@dataclass(frozen=True, slots=True)
class Child:
    id: int
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date | None
    sex: str | None
    former_upns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChildSummary:
    """One row of the authority-wide children list: the school is the current one for a child on
    roll or in a placement, the last one for a child who left or is missing (`status`, a
    `places.Status` value, says which; `status_date` is the date that shows it)."""

    id: int
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date | None
    sex: str | None
    nc_year: str | None
    school_laestab: str | None
    school_name: str | None
    flag_count: int = 0
    status: str | None = None
    status_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Enrolment:
    child_id: int
    school_id: int
    entry_date: dt.date | None
    leaving_date: dt.date | None
    enrol_status: str | None
    leaving_reason: str | None = None
    destination: str | None = None


@dataclass(frozen=True, slots=True)
class CensusObservation:
    child_id: int
    school_id: int
    census_date: dt.date
    nc_year: str | None
    enrol_status: str | None
    entry_date: dt.date | None = None
    fsm: bool | None = None
    sen: str | None = None
    ethnicity: str | None = None
    looked_after: bool | None = None
    postcode: str | None = None
    address_line1: str | None = None
    family_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    child_id: int
    school_id: int
    category: Category
    start_date: dt.date
    sessions: float
    reasons: tuple[str, ...] = ()
    end_date: dt.date | None = None
    review_outcome: str | None = None
    # "AM" or "PM" where the return says which session the suspension starts or ends in.
    start_session: str | None = None
    end_session: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    date: dt.date
    from_school_id: int | None
    to_school_id: int | None
    kind: MoveKind


@dataclass(frozen=True, slots=True)
class Flag:
    child_id: int
    rule: str
    rule_version: int
    as_of: dt.date
    reason: str
    evidence: dict[str, object] = field(default_factory=dict)
