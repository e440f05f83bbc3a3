"""The school register (a GIAS extract or a list of schools) and its links file: each row checked
whole, since each field depends on the others."""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

from exclusion_monitor import codelists
from exclusion_monitor.store.intake_rows import record_fields
from imports import normalise as nz
from imports.rows.columns import Columns
from imports.rows.common import RowRejected, as_reason, date_or_reason, or_none
from imports.rows.fields import KindRows, RowCheck, WholeRow

NO_ESTABLISHMENT_NUMBER = (
    "establishments the register gives no LA establishment number (children's centres, "
    "universities, online providers and the like) are not schools a return can name; they were "
    "left out"
)
_SCHOOL_KEYS = record_fields("schools")


def _school(cols: Columns) -> RowCheck:
    names, types, phases = cols.texts("school_name"), cols.texts("school_type"), cols.texts("phase")
    urns = cols.parsed("urn", "urn", lambda v: nz.digits(v, "URN"))
    laestabs = cols.parsed("laestab", "laestab", nz.laestab)
    las = cols.parsed("la_code", "la_code", lambda v: nz.digits(v, "LA code"))
    estabs = cols.parsed(
        "establishment_number",
        "establishment_number",
        lambda v: nz.digits(v, "establishment number"),
    )
    by_number = "establishment_number" in cols.ctx.columns  # the register's own columns
    opens, closes = cols.dates("open_date"), cols.dates("close_date")
    lows, highs = cols.cells("low_age"), cols.cells("high_age")
    statuses, closed_reasons = cols.texts("status"), cols.texts("closed_reason")
    previous_las = cols.parsed("previous_la", "la_code", lambda v: nz.digits(v, "LA code"))
    previous_estabs = cols.parsed(
        "previous_establishment",
        "establishment_number",
        lambda v: nz.digits(v, "establishment number"),
    )
    warnings = cols.warnings

    def check(i: int, line: int) -> dict[str, Any]:
        name = names[i]
        if not name:
            raise RowRejected("the establishment name is missing")
        urn = as_reason(urns[i])
        laestab = as_reason(laestabs[i])
        if laestab is None:
            la, estab = as_reason(las[i]), as_reason(estabs[i])
            if estab and len(estab) == 7:
                laestab = estab
            elif la and estab and len(la) == 3 and len(estab) <= 4:
                laestab = la + estab.zfill(4)
        if laestab is None:
            not_a_school = school_phase(types[i], phases[i]) is None  # type: ignore[arg-type]
            if urn and by_number and estabs[i] is None and not_a_school:
                # The register lists establishments that have no LA establishment number and
                # are no school of any phase (children's centres, universities, online
                # providers): no return can name them, so they are left out, not rejected one
                # by one. A school of a known phase without its number is an error.
                warnings.add(NO_ESTABLISHMENT_NUMBER, line)
                return dict.fromkeys(_SCHOOL_KEYS)
            raise RowRejected("the LAESTAB (LA code and establishment number) is missing")
        school_type = types[i]
        close_date = date_or_reason(closes[i], "close date")
        status = statuses[i]
        if close_date is None and status and str(status).casefold() == "closed":
            warnings.add(
                "the register says the school is closed but gives no close date; it is "
                "treated as open until a close date is given",
                line,
            )
        return {
            "urn": urn,
            "laestab": laestab,
            "name": name,
            "la_code": laestab[:3],
            "school_type": school_type,
            "phase": school_phase(school_type, phases[i]),  # type: ignore[arg-type]
            "open_date": date_or_reason(opens[i], "open date"),
            "close_date": close_date,
            "low_age": _age(lows[i]),
            "high_age": _age(highs[i]),
            "closed_reason": closed_reasons[i],
            "previous": _previous_laestab(
                or_none(previous_las[i]), or_none(previous_estabs[i]), laestab
            ),
        }

    return check


def _link(cols: Columns) -> RowCheck:
    urns = cols.parsed("urn", "urn", lambda v: nz.digits(v, "URN"))
    link_urns = cols.parsed("link_urn", "link_urn", lambda v: nz.digits(v, "LinkURN"))
    types, dates = cols.texts("link_type"), cols.dates("link_date")

    def check(i: int, line: int) -> dict[str, Any]:
        urn, link_urn = as_reason(urns[i]), as_reason(link_urns[i])
        if not urn or not link_urn:
            raise RowRejected("the URN or the LinkURN is missing")
        link_type = types[i]
        if not link_type:
            raise RowRejected("the link type is missing")
        return {
            "urn": urn,
            "link_urn": link_urn,
            "link_type": str(link_type).casefold(),
            "link_date": date_or_reason(dates[i], "link established date"),
        }

    return check


SCHOOLS = KindRows((WholeRow(_SCHOOL_KEYS, _school),))
SCHOOL_LINKS = KindRows((WholeRow(record_fields("school_links"), _link),))


def _previous_laestab(la: str | None, estab: str | None, laestab: str) -> str | None:
    """The LAESTAB the register says this school had before (GIAS's PreviousLA (code) and
    PreviousEstablishmentNumber): an academy that converted from a maintained school."""
    if not la or not estab or len(la) != 3 or len(estab) > 4 or int(estab) == 0:
        return None
    previous = la + estab.zfill(4)
    return None if previous == laestab else previous


def _age(cell: object) -> int | None:
    try:
        value = nz.number(cell, "years")
    except ValueError:
        return None
    return None if value is None else int(value)


def _phase_patterns() -> list[tuple[str, str]]:
    text = (resources.files("imports") / "data" / "phase_by_type.csv").read_text(encoding="utf-8")
    return [(r["pattern"].casefold(), r["phase"]) for r in csv.DictReader(io.StringIO(text))]


_PATTERNS: list[tuple[str, str]] = []


def school_phase(school_type: str | None, phase_text: str | None) -> str | None:
    """A phase code: PRU/AP and special from the establishment type, else the phase of education."""
    if not _PATTERNS:
        _PATTERNS.extend(_phase_patterns())
    if school_type:
        lowered = school_type.casefold()
        for pattern, phase in _PATTERNS:
            if pattern in lowered:
                return phase
    if phase_text:
        found = codelists.codelist(codelists.PHASES).match(phase_text)
        if found:
            return found.code
    return None
