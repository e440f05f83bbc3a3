"""A school census return: one row per pupil on roll on the census day."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from exclusion_monitor import codelists
from imports import normalise as nz
from imports.rows.child import Child
from imports.rows.columns import Columns
from imports.rows.common import (
    DATE,
    Record,
    RowRejected,
    Warnings,
    date_or_reason,
    is_none,
    raise_failure,
    where,
)
from imports.rows.fields import Coded, Date, KindRows, Text, YesNo, left_blank, listed
from imports.rows.terms import census_day_of

ETHNICITY_LENGTH = 10  # the census column's width


@dataclass(frozen=True, slots=True)
class CensusDate:
    """The row's census date, else the term it names, else the date given for the file."""

    def read(self, cols: Columns) -> _CensusDateReading:
        return _CensusDateReading(cols)


class _CensusDateReading:
    keys = ("census_date",)

    def __init__(self, cols: Columns) -> None:
        self.found = cols.dates("census_date")
        self.terms = cols.parsed("term", "census_day", census_day_of)
        self.fallback = cols.ctx.census_date
        self.effective: list[object] = []

    def check(self, i: int, line: int, record: Record) -> None:
        day = date_or_reason(self.found[i], "census date")
        if day is None:
            day = raise_failure(self.terms[i])
        day = day or self.fallback
        if day is None:
            raise RowRejected("the census date is missing")
        record["census_date"] = day

    def doubtful(self) -> Collection[int]:
        fallback = self.fallback
        self.effective = [
            found
            if found.__class__ is DATE
            else ((term if term.__class__ is DATE else fallback) if found is None else None)
            for found, term in zip(self.found, self.terms, strict=True)
        ]
        return where(self.effective, is_none)

    def values(self) -> list[Sequence[object]]:
        return [self.effective]


def _not_a_year_group(text: str, line: int, warnings: Warnings) -> None:
    warnings.add(f"NC year '{text}' is not a known year group", line)


def _ethnicity_code(value: object) -> str | None:
    """The code as recorded: a main or a DfE extended code (rolled up where groups are counted)."""
    found = codelists.ethnicity_code(value)
    return found.code if isinstance(found, codelists.Code) else None


def _unknown_ethnicity(text: str, line: int, warnings: Warnings) -> str | None:
    """An ethnicity no code list knows: kept as written (it rolls up to no main group) with a
    warning; wording too long to be a code is left blank, with a warning that says so."""
    if not text:
        return None
    if len(text) > ETHNICITY_LENGTH:
        warnings.add(
            f"ethnicity '{text[:40]}' is not a known code and is too long to be one; it was left "
            "blank",
            line,
        )
        return None
    warnings.add(
        f"ethnicity '{text}' is not a known code; it was kept as written and counts in no main "
        "ethnic group",
        line,
    )
    return text


CENSUS = KindRows(
    (
        Child(names_required=True),
        CensusDate(),
        Coded("nc_year", codelists.nc_year, _not_a_year_group),
        Date("entry_date", "entry date", after_birth=True),
        Coded("enrol_status", listed(codelists.ENROL_STATUS), left_blank("enrol status")),
        Coded("ethnicity", _ethnicity_code, _unknown_ethnicity),
        Coded("sen", listed(codelists.SEN), left_blank("SEN provision")),
        YesNo("fsm", "FSM eligible"),
        YesNo("looked_after", "looked after"),
        Text("postcode", nz.postcode),
        Text("address_line1"),
        Text("family_ref"),
    )
)
