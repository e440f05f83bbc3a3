"""The school register with this academic year's exclusions, rates against the authority and
the children flagged at each school (the Schools page and its export)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from exclusion_monitor.codelists import phase_label
from exclusion_monitor.flagging import FlaggedChild, flag_list
from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportTable
from exclusion_monitor.reports.year import year_facts
from exclusion_monitor.store import Database

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SchoolRow:
    laestab: str
    name: str
    phase: str | None
    rates: stats.RateRow
    flagged: tuple[FlaggedChild, ...]


@dataclass(frozen=True, slots=True)
class SchoolRegister:
    as_of: dt.date
    academic_year: str
    census_date: dt.date | None
    authority: stats.RateRow
    schools: list[SchoolRow]


def _no_exclusions(laestab: str, name: str, pupils: int) -> stats.RateRow:
    zero_rate = 0.0 if pupils else None
    return stats.RateRow(laestab, name, pupils, 0, 0, 0, zero_rate, zero_rate, None, None)


def build_school_register(
    db: Database, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> SchoolRegister:
    """Every school in the register, with the academic year (containing `as_of`, default the
    latest date in the data) of exclusions over the spring census roll, and its flagged children
    (children with an open flag whose current school it is)."""
    report = progress or (lambda done, total: None)
    y = year_facts(db, as_of)
    as_of, census_date = y.as_of, y.census_date
    pupils, exclusions, schools = y.pupils, y.exclusions, y.schools
    report(2, 4)
    flagged: dict[str, list[FlaggedChild]] = defaultdict(list)
    for child in flag_list(db):
        if child.school_laestab:
            flagged[child.school_laestab].append(child)
    report(3, 4)
    rates = {r.key: r for r in stats.school_rates(schools, pupils, exclusions)}
    rows = [
        SchoolRow(
            s.laestab,
            s.name,
            s.phase,
            rates.get(s.laestab) or _no_exclusions(s.laestab, s.name, 0),
            tuple(flagged.get(s.laestab, ())),
        )
        for s in schools
    ]
    report(4, 4)
    return SchoolRegister(
        as_of,
        y.label,
        census_date,
        stats.authority_row(pupils, exclusions),
        rows,
    )


def register_table(register: SchoolRegister) -> ReportTable:
    """The register for print or export: counts from 1 to 4 (and rates built on them) as 'c'."""
    columns = [
        Column("LAESTAB"),
        Column("School"),
        Column("Phase"),
        Column("Roll (spring census)", ColumnKind.INTEGER),
        Column("Suspensions", ColumnKind.INTEGER),
        Column("Of which lunchtime", ColumnKind.INTEGER),
        Column("Permanent exclusions", ColumnKind.INTEGER),
        Column("Reversed on review (not counted)", ColumnKind.INTEGER),
        Column("Suspensions per 100", ColumnKind.DECIMAL),
        Column("Permanent per 100", ColumnKind.DECIMAL),
        Column("Suspension rate vs authority", ColumnKind.DECIMAL),
        Column("Flagged children", ColumnKind.INTEGER),
    ]
    rows: list[list[Cell]] = []
    for s in register.schools:
        r = s.rates
        rows.append(
            [
                s.laestab,
                s.name,
                phase_label(s.phase),
                r.pupils,
                stats.suppressed_count(r.suspensions),
                stats.suppressed_count(r.lunchtimes),
                stats.suppressed_count(r.permanents),
                stats.suppressed_count(r.reversed_permanents),
                stats.suppressed_rate(r.suspension_rate, r.suspensions),
                stats.suppressed_rate(r.permanent_rate, r.permanents),
                stats.suppressed_rate(r.relative_suspension_rate, r.suspensions),
                stats.suppressed_count(len(s.flagged)),
            ]
        )
    return ReportTable(f"Schools {register.academic_year}", columns, rows)
