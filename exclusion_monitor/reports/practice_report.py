"""School practice figures for an authority or the region, gathered once and written out for
the command line, the app and print alike (docs/regional.md, "School practice")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor.reports import disproportionality as dp
from exclusion_monitor.reports.practice import (
    MEASURE_LABELS,
    PracticeYear,
    SchoolMovement,
    SchoolPractice,
    movement,
    school_practice,
)
from exclusion_monitor.reports.suppression import shown, suppress_cells
from exclusion_monitor.store import Database

NOT_HELD = (
    "First language and recent arrival are not held in these returns (the school census "
    "records first language; add it to the returns to show migrant children's rates)."
)


@dataclass(frozen=True, slots=True)
class PracticeFigures:
    scope: str  # authority | region
    name: str
    as_of: dt.date
    year: PracticeYear
    schools: list[SchoolPractice]
    movement: list[SchoolMovement]
    movement_years: tuple[str, str] | None
    groups: dict[str, list[dp.GroupRates]]
    girls: dict[str, list[dp.GroupRates]]
    sources: list[dict[str, Any]] = field(default_factory=list)


def figures(
    scope: str,
    name: str,
    years: tuple[PracticeYear, PracticeYear | None],
    conversions: frozenset[tuple[int, int]],
    references: Mapping[str, str] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> PracticeFigures:
    current, previous = years
    moves: list[SchoolMovement] = []
    span = None
    if previous is not None and previous.pupils and current.pupils:
        moves = movement(
            previous.pupils, current.pupils, current.schools, conversions, current.authority
        )
        span = (str(previous.census_date), str(current.census_date))
    return PracticeFigures(
        scope, name, current.as_of, current, school_practice(current), moves, span,
        dp.all_groups(current, references), dp.girls_apart(current), sources or [],
    )  # fmt: skip


def authority_figures(
    db: Database, as_of: dt.date | None = None, references: Mapping[str, str] | None = None
) -> PracticeFigures:
    from exclusion_monitor.reports.practice_sources import authority_conversions, authority_year
    from exclusion_monitor.store.settings import get_setting

    name = str(get_setting(db, "authority.name") or "This authority")
    return figures("authority", name, authority_year(db, as_of), authority_conversions(db),
                   references)  # fmt: skip


def region_figures(db: Database, references: Mapping[str, str] | None = None) -> PracticeFigures:
    from exclusion_monitor.regional.workspace import region_as_of
    from exclusion_monitor.reports.practice_sources import region_conversions, region_year
    from exclusion_monitor.store import regional_workspace as ws

    with db.read() as conn:
        held = ws.current_returns(conn)
    as_of = region_as_of(held) or dt.date.today()
    sources = [
        {"authority": r.la_code, "name": r.la_name, "as_of": r.as_of.isoformat(),
         "made_at": r.made_at.isoformat(), "file": r.file_name, "children": r.children}
        for r in held
    ]  # fmt: skip
    return figures("region", "The region", region_year(db, as_of), region_conversions(db),
                   references, sources)  # fmt: skip


def _year_head(f: PracticeFigures) -> dict[str, Any]:
    return {
        "scope": f.scope,
        "name": f.name,
        "as_of": f.as_of.isoformat(),
        "academic_year": f.year.label,
        "census_date": f.year.census_date.isoformat() if f.year.census_date else None,
    }


def schools_json(f: PracticeFigures) -> dict[str, Any]:
    return {
        **_year_head(f),
        "method": {
            "suspension": "rate per 100 pupils; Poisson funnel (exact below 10 events, Byar's "
            "from 10), 95% and 99.8% limits",
            "permanent": "proportion of the roll; Wilson score funnel, 95% and 99.8% limits",
            "one_plus": "proportion of the roll; Wilson score funnel, 95% and 99.8% limits",
            "denominator": "pupils on roll (C or M) at the spring census",
            "suppression": "counts of 1 to 4, and the counts that would reveal them, shown as c",
        },
        "schools": [s.to_json() for s in f.schools],
    }


def movement_json(f: PracticeFigures) -> dict[str, Any]:
    return {
        **_year_head(f),
        "from_census": f.movement_years[0] if f.movement_years else None,
        "to_census": f.movement_years[1] if f.movement_years else None,
        "threshold": "a school losing at least 5 pupils and 5 per cent stands out",
        "schools": [m.to_json() for m in f.movement],
    }


def _group_rows(rows: list[dp.GroupRates]) -> list[dict[str, Any]]:
    measures = ("pupils", "suspension", "permanent", "one_plus")

    def count(r: dp.GroupRates, m: str) -> int:
        return {"pupils": r.pupils, "suspension": r.suspensions, "permanent": r.permanents,
                "one_plus": r.one_plus}[m]  # fmt: skip

    cells = {(r.group, m): count(r, m) for r in rows for m in measures}
    hidden, _ = suppress_cells(cells, [[(r.group, m) for r in rows] for m in measures])
    out = []
    for r in rows:
        entry: dict[str, Any] = {
            "group": r.group,
            "reference": r.reference,
            "pupils": shown(r.pupils, (r.group, "pupils") in hidden),
        }
        for m in measures[1:]:
            hide = (r.group, m) in hidden or (r.group, "pupils") in hidden
            rate = r.rate(m)
            index = r.indexes[m]
            entry[m] = {
                "count": shown(count(r, m), hide),
                "rate": "c" if hide else (None if rate is None else round(rate, 2)),
                "relative_rate_index": "c" if hide else _r(index.index),
                "lower_95": "c" if hide else _r(index.lower),
                "upper_95": "c" if hide else _r(index.upper),
                "flagged": (not hide) and index.significant and not r.reference,
            }
        out.append(entry)
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def disproportionality_json(f: PracticeFigures) -> dict[str, Any]:
    return {
        **_year_head(f),
        "method": "relative rate index against the reference group (default the largest); 95% "
        "interval by Katz's log method (the Poisson form for suspensions, which can outnumber "
        "pupils); flagged when the interval excludes 1",
        "groupings": {
            name: {"label": dp.GROUPINGS[name][0], "groups": _group_rows(rows)}
            for name, rows in f.groups.items()
        },
        "girls": {
            name: {"label": dp.GROUPINGS[name][0], "groups": _group_rows(rows)}
            for name, rows in f.girls.items()
        },
        "not_held": NOT_HELD,
    }


def measure_label(measure: str) -> str:
    return MEASURE_LABELS[measure]
