"""Published-style exclusion statistics: rates per 100 pupils, relative rates, suppression.

Pure functions over the facts from store/statistics.py. Rates use the spring census headcount as
the denominator, as the DfE's exclusion statistics do; counts of 1 to 4 are suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from exclusion_monitor.codelists import ETHNICITY, REASONS, SEN, codelist, is_primary_year
from exclusion_monitor.store.statistics import ExclusionFact, PupilFact, SchoolFact
from exclusion_monitor.terms import Term, term_of

SUPPRESS_BELOW = 5
PRIMARY_PHASES = frozenset({"primary", "middle_primary", "nursery"})


def suppress(count: int, threshold: int = SUPPRESS_BELOW) -> int | None:
    """None for a count from 1 to threshold - 1 (too few to publish); zero and larger shown."""
    return None if 0 < count < threshold else count


def rate_per_100(count: int, pupils: int) -> float | None:
    return None if pupils <= 0 else 100.0 * count / pupils


def suppressed_count(count: int) -> int | str:
    """A count for anything printed or exported: 'c' for 1 to 4, else the count."""
    kept = suppress(count)
    return "c" if kept is None else kept


def suppressed_rate(rate: float | None, numerator: int) -> float | str | None:
    """A rate for print or export, hidden ('c') when the count it is built on is suppressed."""
    if rate is None:
        return None
    return "c" if suppress(numerator) is None else round(rate, 2)


def shown(count: int | None) -> str:
    """How a possibly suppressed count is printed: 'c' marks a suppressed value."""
    return "c" if count is None else f"{count:,}"


@dataclass(frozen=True, slots=True)
class TermCount:
    term_label: str
    term_index: int
    suspensions: int
    permanents: int


@dataclass(frozen=True, slots=True)
class RateRow:
    """Exclusions for one school or one pupil group, with rates against the authority."""

    key: str
    label: str
    pupils: int
    suspensions: int
    pupils_suspended: int
    permanents: int
    suspension_rate: float | None
    permanent_rate: float | None
    relative_suspension_rate: float | None
    relative_permanent_rate: float | None

    @property
    def is_suppressed(self) -> bool:
        return suppress(self.suspensions) is None or suppress(self.permanents) is None


@dataclass(frozen=True, slots=True)
class ReasonCount:
    code: str
    label: str
    count: int
    share: float


def term_series(counts: Iterable[tuple[dt.date, str, int]]) -> list[TermCount]:
    """Suspensions and permanent exclusions per DfE term, oldest first, with empty terms filled."""
    by_term: dict[int, Counter[str]] = defaultdict(Counter)
    for day, category, n in counts:
        by_term[term_of(day).index][category] += n
    if not by_term:
        return []
    first, last = min(by_term), max(by_term)
    return [
        TermCount(Term.from_index(i).label, i, by_term[i]["SUSP"], by_term[i]["PERM"])
        for i in range(first, last + 1)
    ]


def _rate_row(
    key: str,
    label: str,
    pupils: int,
    exclusions: Sequence[ExclusionFact],
    overall: tuple[float | None, float | None],
) -> RateRow:
    suspensions = [e for e in exclusions if e.category == "SUSP"]
    permanents = sum(1 for e in exclusions if e.category == "PERM")
    susp_rate = rate_per_100(len(suspensions), pupils)
    perm_rate = rate_per_100(permanents, pupils)
    return RateRow(
        key=key,
        label=label,
        pupils=pupils,
        suspensions=len(suspensions),
        pupils_suspended=len({e.child_id for e in suspensions}),
        permanents=permanents,
        suspension_rate=susp_rate,
        permanent_rate=perm_rate,
        relative_suspension_rate=_relative(susp_rate, overall[0]),
        relative_permanent_rate=_relative(perm_rate, overall[1]),
    )


def _relative(rate: float | None, overall: float | None) -> float | None:
    if rate is None or not overall:
        return None
    return rate / overall


def authority_row(pupils: Sequence[PupilFact], exclusions: Sequence[ExclusionFact]) -> RateRow:
    """The whole authority: every exclusion over every pupil on the spring census."""
    row = _rate_row("authority", "Whole authority", len(pupils), exclusions, (None, None))
    return replace(
        row,
        relative_suspension_rate=_relative(row.suspension_rate, row.suspension_rate),
        relative_permanent_rate=_relative(row.permanent_rate, row.permanent_rate),
    )


def school_rates(
    schools: Sequence[SchoolFact],
    pupils: Sequence[PupilFact],
    exclusions: Sequence[ExclusionFact],
) -> list[RateRow]:
    """Each school's roll, suspensions and permanent exclusions, rates against the authority."""
    overall = authority_row(pupils, exclusions)
    roll = Counter(p.school_id for p in pupils)
    by_school: dict[int, list[ExclusionFact]] = defaultdict(list)
    for e in exclusions:
        by_school[e.school_id].append(e)
    rows = [
        _rate_row(
            s.laestab,
            s.name,
            roll.get(s.id, 0),
            by_school.get(s.id, []),
            (overall.suspension_rate, overall.permanent_rate),
        )
        for s in schools
        if roll.get(s.id) or by_school.get(s.id)
    ]
    return sorted(rows, key=lambda r: (-(r.suspension_rate or 0.0), r.label))


def reason_counts(exclusions: Sequence[ExclusionFact]) -> list[ReasonCount]:
    """How often each reason was given (an exclusion gives up to three), most frequent first."""
    counts = Counter(r for e in exclusions for r in e.reasons)
    total = sum(counts.values())
    reasons = codelist(REASONS)

    def label(code: str) -> str:
        found = reasons.get(code)
        return found.label if found else f"{code} (code not in the reason list)"

    return [
        ReasonCount(code, label(code), n, n / total)
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _sex(p: PupilFact) -> tuple[str, str]:
    labels = {"M": "Boys", "F": "Girls"}
    return (p.sex or "U", labels.get(p.sex or "", "Not known"))


def _fsm(p: PupilFact) -> tuple[str, str]:
    if p.fsm is None:
        return ("unknown", "Not known")
    return ("yes", "Eligible for free school meals") if p.fsm else ("no", "Not eligible")


def _sen(p: PupilFact) -> tuple[str, str]:
    found = codelist(SEN).get(p.sen or "")
    return (p.sen, found.label) if p.sen and found else ("unknown", "Not known")


def _ethnicity(p: PupilFact) -> tuple[str, str]:
    found = codelist(ETHNICITY).get(p.ethnicity or "")
    return (p.ethnicity, found.label) if p.ethnicity and found else ("unknown", "Not known")


def _looked_after(p: PupilFact) -> tuple[str, str]:
    if p.looked_after is None:
        return ("unknown", "Not known")
    return ("yes", "Looked after") if p.looked_after else ("no", "Not looked after")


GROUPINGS: dict[str, tuple[str, Callable[[PupilFact], tuple[str, str]]]] = {
    "sex": ("Sex", _sex),
    "fsm": ("Free school meals", _fsm),
    "sen": ("Special educational needs", _sen),
    "ethnicity": ("Ethnicity", _ethnicity),
    "looked_after": ("Looked after", _looked_after),
}


def group_rates(
    grouping: str, pupils: Sequence[PupilFact], exclusions: Sequence[ExclusionFact]
) -> list[RateRow]:
    """Rates for each group of a pupil characteristic, relative to the whole authority.

    A pupil's group comes from their spring census record; exclusions of pupils not on that
    census count in the authority total but in no group.
    """
    _, key_of = GROUPINGS[grouping]
    overall = authority_row(pupils, exclusions)
    group_of = {p.child_id: key_of(p) for p in pupils}
    members: Counter[tuple[str, str]] = Counter(group_of.values())
    by_group: dict[tuple[str, str], list[ExclusionFact]] = defaultdict(list)
    for e in exclusions:
        group = group_of.get(e.child_id)
        if group is not None:
            by_group[group].append(e)
    rows = [
        _rate_row(
            key,
            label,
            n,
            by_group.get((key, label), []),
            (overall.suspension_rate, overall.permanent_rate),
        )
        for (key, label), n in members.items()
    ]
    return sorted(rows, key=lambda r: (-r.pupils, r.label))


def primary_exclusions(
    exclusions: Sequence[ExclusionFact],
    schools: Sequence[SchoolFact],
    pupils: Sequence[PupilFact],
) -> list[ExclusionFact]:
    """Suspensions and permanent exclusions of primary-age pupils (NC year R to 6), or at a
    primary-phase school when the year group is not known."""
    phase = {s.id: s.phase for s in schools}
    year = {p.child_id: p.nc_year for p in pupils}
    return [
        e
        for e in exclusions
        if e.category in ("SUSP", "PERM")
        and (
            is_primary_year(year[e.child_id])
            if year.get(e.child_id)
            else phase.get(e.school_id) in PRIMARY_PHASES
        )
    ]
