"""Plain records of a synthetic local authority: schools, pupils, registrations, exclusions.

No database and no files here; the writers turn these into the spreadsheets schools send.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoSchool:
    """One establishment. A converted school and its academy successor share a `site`."""

    urn: str
    laestab: str
    name: str
    phase: str  # code-list phase: primary, secondary, special, pru_ap
    kind: str  # primary, infant, junior, secondary, special, pru
    type_name: str  # GIAS TypeOfEstablishment (name)
    low_year: int  # NC year, Reception = 0
    high_year: int
    site: int
    area: int
    open_date: dt.date | None = None
    close_date: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        if self.open_date is not None and day < self.open_date:
            return False
        return self.close_date is None or day <= self.close_date


@dataclass(frozen=True, slots=True)
class SchoolLink:
    """A GIAS link row: `urn` has `link_urn` as its Predecessor or Successor."""

    urn: str
    link_urn: str
    link_type: str
    established: dt.date


@dataclass(frozen=True, slots=True)
class Pupil:
    """A synthetic child. `temporary_upn` is used until `upn_from`, then kept as Former UPN."""

    pid: int
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date
    sex: str  # M or F
    ethnicity: str
    fsm: bool
    sen: str  # N, K or E
    reception_year: int  # academic year (start year) in which the child is in Reception
    household: int
    address: str
    postcode: str
    family_ref: str
    temporary_upn: str | None = None
    upn_from: dt.date | None = None

    def upn_on(self, day: dt.date) -> tuple[str, str]:
        """(UPN, Former UPN) as a school would record them on `day`."""
        if self.temporary_upn is None or self.upn_from is None:
            return self.upn, ""
        if day < self.upn_from:
            return self.temporary_upn, ""
        return self.upn, self.temporary_upn

    def nc_year(self, academic_year: int) -> int:
        return academic_year - self.reception_year


@dataclass(frozen=True, slots=True)
class Registration:
    """One registration (enrolment) of a pupil at an establishment."""

    pid: int
    laestab: str
    entry_date: dt.date
    leaving_date: dt.date | None
    leaving_reason: str  # '' when unknown or still on roll
    enrol_status: str  # C, M or S

    def on_roll(self, day: dt.date) -> bool:
        return self.entry_date <= day and (self.leaving_date is None or day <= self.leaving_date)


@dataclass(frozen=True, slots=True)
class DemoExclusion:
    pid: int
    laestab: str
    category: str  # SUSP, PERM or LNCH
    start_date: dt.date
    end_date: dt.date
    sessions: int | None  # None for a permanent exclusion
    reasons: tuple[str, ...]
    nc_year: int


@dataclass(frozen=True, slots=True)
class CensusRow:
    """One pupil on one establishment's roll on one census date (derived, not stored)."""

    pupil: Pupil
    school: DemoSchool
    census_date: dt.date
    nc_year: int
    entry_date: dt.date
    enrol_status: str


@dataclass(frozen=True, slots=True)
class ExpectedFlags:
    """Rule ids a planted child should raise when flags are evaluated as of `as_of`."""

    as_of: dt.date
    rules: tuple[str, ...]
    not_rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlantedStory:
    key: str
    pid: int
    upn: str
    description: str
    expected: tuple[ExpectedFlags, ...]
    sibling_upns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchoolPractice:
    """Schools a regional demo makes stand out (by site): suspension hazards multiplied, and an
    extra chance each term from the spring of Year 10 to the autumn of Year 11 that a pupil is
    taken off the roll (the off-rolling pattern)."""

    suspension_factor: tuple[tuple[int, float], ...] = ()
    off_rolling: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True, slots=True)
class BorderCrossing:
    """A secondary pupil whose non-standard move took them to a school in another authority."""

    pid: int
    left: dt.date
    start: dt.date
    nc_year: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """A pupil arriving from another authority of the region: the same child (UPN, name, date of
    birth), who starts at one of this authority's schools on `start`."""

    pupil: Pupil
    start: dt.date
    nc_year: int
