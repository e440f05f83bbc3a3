"""One school's report for a liaison meeting: roll, exclusions by term and reason against the
authority, the children flagged there and the children who left soon after a suspension."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from exclusion_monitor.codelists import phase_label
from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.exclusion_terms import sessions_by
from exclusion_monitor.flagging import FlagFilter, flag_list
from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.dashboard import COUNTING_NOTE, RATE_COLUMNS, rate_cells
from exclusion_monitor.reports.flag_report import (
    CHILD_COLUMNS,
    display_name,
    flag_list_tables,
)
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Column, ColumnKind, ReportTable
from exclusion_monitor.reports.year import year_facts
from exclusion_monitor.rules.registry import rule_label
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.store.calendar import load_calendar
from exclusion_monitor.terms import (
    Term,
    academic_year_bounds,
    term_of,
)

YEARS_BY_TERM = 3


def school_report_document(
    db: Database, laestab: str, *, as_of: dt.date | None = None, initials: bool = False
) -> PrintableDocument:
    """The printable school report for the academic year containing `as_of`."""
    y = year_facts(db, as_of)
    school = next((s for s in y.schools if s.laestab == laestab), None)
    if school is None:
        raise NotFoundError(f"There is no school with LAESTAB {laestab} in the register.")
    as_of, year, census_date, this_year = y.as_of, y.year, y.census_date, y.exclusions
    rates = stats.school_rates(y.schools, y.pupils, this_year)
    authority = stats.authority_row(y.pupils, this_year)
    row = next((r for r in rates if r.key == laestab), None)
    label = y.label
    census = (
        f"Rates are per 100 pupils on the spring census ({census_date:%d/%m/%Y})"
        if census_date
        else "There is no spring census for this year yet, so no rates"
    )
    phase = phase_label(school.phase) or "not recorded"
    comparison = [["This school", *rate_cells(row)]] if row else []
    comparison.append(["Whole authority", *rate_cells(authority)])
    blocks: list[str | ReportTable] = [
        heading(f"{school.name} ({school.laestab})"),
        paragraph(
            f"School report for {label}, as of {as_of:%d/%m/%Y}. Phase: {phase}. {census}; "
            f"counts from 1 to 4 are shown as 'c'. {COUNTING_NOTE}"
        ),
        ReportTable(
            f"Exclusions {label} against the authority",
            [Column("Measure"), *RATE_COLUMNS],
            comparison,
        ),
    ]
    blocks.append(_by_term(db, school.id, year, as_of))
    blocks.append(_by_reason(school.id, this_year))
    flagged = flag_list_tables(
        db, FlagFilter(as_of=as_of, school_laestab=laestab), initials=initials
    )
    blocks.append(heading("Children on roll here with flags", 2))
    blocks.extend(flagged or [paragraph("No child on roll here is flagged.")])
    blocks.append(_left_after_suspension(db, laestab, as_of, initials))
    return PrintableDocument(f"School report: {school.name}", blocks)


def _by_term(db: Database, school_id: int, year: int, as_of: dt.date) -> ReportTable:
    """Each term's exclusions here (counted in the term they began) and the sessions lost on
    the term's own school days (a suspension over Christmas counts in both terms)."""
    first, _ = academic_year_bounds(year - YEARS_BY_TERM + 1)
    events = [e for e in facts.exclusions_between(db, first, as_of) if e.school_id == school_id]
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for e in events:
        counts[term_of(e.start_date).index].update(stats.kind_counts([e]))
    with db.read() as conn:
        calendar = load_calendar(conn)
    sessions = sessions_by(events, lambda _e, day: term_of(day).index, calendar)
    start, end = term_of(first).index, term_of(as_of).index
    return ReportTable(
        f"Exclusions by term, last {YEARS_BY_TERM} academic years",
        [
            Column("Term"),
            Column("Suspensions", ColumnKind.INTEGER),
            Column("Of which lunchtime", ColumnKind.INTEGER),
            Column("Permanent exclusions", ColumnKind.INTEGER),
            Column("Reversed on review (not counted)", ColumnKind.INTEGER),
            Column("Sessions lost", ColumnKind.DECIMAL),
        ],
        [
            [
                Term.from_index(i).label,
                stats.suppressed_count(counts[i]["suspensions"]),
                stats.suppressed_count(counts[i]["lunchtimes"]),
                stats.suppressed_count(counts[i]["permanents"]),
                stats.suppressed_count(counts[i]["reversed"]),
                sessions.get(i, 0.0),
            ]
            for i in range(start, end + 1)
        ],
    )


def _by_reason(school_id: int, this_year: list[facts.ExclusionFact]) -> ReportTable:
    here = stats.reason_counts([e for e in this_year if e.school_id == school_id])
    everywhere = {r.code: r.share for r in stats.reason_counts(this_year)}
    return ReportTable(
        "Reasons given this year",
        [
            Column("Code"),
            Column("Reason"),
            Column("Times given", ColumnKind.INTEGER),
            Column("Share here %", ColumnKind.DECIMAL),
            Column("Share in the authority %", ColumnKind.DECIMAL),
        ],
        [
            [
                r.code,
                r.label,
                stats.suppressed_count(r.count),
                "c" if stats.suppress(r.count) is None else round(100 * r.share, 1),
                round(100 * everywhere.get(r.code, 0.0), 1),
            ]
            for r in here
        ],
    )


def _left_after_suspension(
    db: Database, laestab: str, as_of: dt.date, initials: bool
) -> ReportTable:
    """Children flagged for leaving this school soon after a suspension here."""
    rows = []
    for child in flag_list(db, as_of=as_of, rules=["exit_after_suspension"]):
        for flag in child.flags:
            if flag.evidence.get("school_laestab") != laestab:
                continue
            rows.append(
                [
                    child.upn,
                    display_name(child.surname, child.forename, initials=initials),
                    child.school_name or "no school on record",
                    flag.reason,
                ]
            )
    return ReportTable(
        f"Children who left soon after a suspension ({rule_label('exit_after_suspension')})",
        [CHILD_COLUMNS[0], CHILD_COLUMNS[1], Column("Now at"), Column("Reason")],
        rows,
    )
