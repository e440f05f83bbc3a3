"""Published-style exclusion statistics over the facts from store/statistics.py: rates per 100
pupils on the spring census, relative rates, suppression of counts from 1 to 4, reasons by year.
What counts as a suspension or a permanent exclusion: docs/rules.md (exclusions section)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from exclusion_monitor.codelists import (
    NOT_A_REASON_CODE,
    REASONS,
    SEN,
    codelist,
    is_primary_year,
    is_reason_code,
    main_ethnicity,
    reason_trend_group,
)
from exclusion_monitor.exclusion_kinds import (
    ExclusionLike,
    counts_as_permanent,
    is_lunchtime,
    is_reversed,
    is_suspension,
)
from exclusion_monitor.store.statistics import ExclusionFact, PupilFact, SchoolFact
from exclusion_monitor.terms import Term, academic_year, academic_year_label, term_of

SUPPRESS_BELOW = 5
# A rate per 100 of fewer pupils moves by five points or more with one child: not published
# (docs/reports.md, "Dashboard figures"); 'u' (low reliability) in its place, as the DfE marks it.
MIN_RATE_PUPILS = 20
NOT_ON_CENSUS = "not_on_census"
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


def rate_reliable(pupils: int) -> bool:
    """Whether a rate over this many pupils is published (at least MIN_RATE_PUPILS)."""
    return pupils >= MIN_RATE_PUPILS


def published_rate(rate: float | None, pupils: int, numerator_hidden: bool) -> float | str | None:
    """A rate as printed, exported and charted: 'c' when the count it is built on is hidden,
    'u' when the group is under MIN_RATE_PUPILS, None when there is no rate (no pupils)."""
    if rate is None:
        return None
    if numerator_hidden:
        return "c"
    return round(rate, 2) if rate_reliable(pupils) else "u"


def suppressed_rate(
    rate: float | None, numerator: int, pupils: int | None = None
) -> float | str | None:
    """A rate for print or export, hidden ('c') when the count it is built on is suppressed,
    and ('u') when `pupils` is given and under MIN_RATE_PUPILS."""
    if rate is None:
        return None
    if suppress(numerator) is None:
        return "c"
    if pupils is not None and not rate_reliable(pupils):
        return "u"
    return round(rate, 2)


def shown(count: int | None) -> str:
    """How a possibly suppressed count is printed: 'c' marks a suppressed value."""
    return "c" if count is None else f"{count:,}"


@dataclass(frozen=True, slots=True)
class TermCount:
    term_label: str
    term_index: int
    suspensions: int  # lunchtime suspensions included
    permanents: int  # not those reversed on review
    lunchtimes: int = 0
    reversed_permanents: int = 0


@dataclass(frozen=True, slots=True)
class RateRow:
    """Exclusions for one school or one pupil group, with rates against the authority."""

    key: str
    label: str
    pupils: int
    suspensions: int  # lunchtime suspensions included
    pupils_suspended: int
    permanents: int  # not those reversed on review
    suspension_rate: float | None
    permanent_rate: float | None
    relative_suspension_rate: float | None
    relative_permanent_rate: float | None
    lunchtimes: int = 0
    reversed_permanents: int = 0

    @property
    def is_suppressed(self) -> bool:
        return suppress(self.suspensions) is None or suppress(self.permanents) is None


@dataclass(frozen=True, slots=True)
class ReasonCount:
    code: str
    label: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class _Counted:
    category: str
    review_outcome: str | None


def kind_counts(exclusions: Iterable[ExclusionLike]) -> Counter[str]:
    """'suspensions' (lunchtime ones among them), 'lunchtimes', 'permanents' (standing) and
    'reversed' (permanent exclusions reversed on review) in some exclusions."""
    found: Counter[str] = Counter()
    for e in exclusions:
        found["suspensions"] += is_suspension(e)
        found["lunchtimes"] += is_lunchtime(e)
        found["permanents"] += counts_as_permanent(e)
        found["reversed"] += is_reversed(e)
    return found


def term_series(
    counts: Iterable[tuple[dt.date, str, str | None, int]], through: dt.date | None = None
) -> list[TermCount]:
    """Suspensions and permanent exclusions per DfE term, oldest first, with empty terms filled
    (through the term containing `through`, so the current term shows even before its first
    exclusion); from (start date, category, review outcome, count) rows."""
    by_term: dict[int, Counter[str]] = defaultdict(Counter)
    for day, category, outcome, n in counts:
        one = kind_counts([_Counted(category, outcome)])
        for kind, k in one.items():
            by_term[term_of(day).index][kind] += k * n
    if not by_term:
        return []
    first, last = min(by_term), max(by_term)
    if through is not None:
        last = max(last, term_of(through).index)
    return [
        TermCount(
            Term.from_index(i).label,
            i,
            by_term[i]["suspensions"],
            by_term[i]["permanents"],
            by_term[i]["lunchtimes"],
            by_term[i]["reversed"],
        )
        for i in range(first, last + 1)
    ]


def _rate_row(
    key: str,
    label: str,
    pupils: int,
    exclusions: Sequence[ExclusionFact],
    overall: tuple[float | None, float | None],
) -> RateRow:
    counted = kind_counts(exclusions)
    suspended = {e.child_id for e in exclusions if is_suspension(e)}
    susp_rate = rate_per_100(counted["suspensions"], pupils)
    perm_rate = rate_per_100(counted["permanents"], pupils)
    return RateRow(
        key=key,
        label=label,
        pupils=pupils,
        suspensions=counted["suspensions"],
        pupils_suspended=len(suspended),
        permanents=counted["permanents"],
        suspension_rate=susp_rate,
        permanent_rate=perm_rate,
        relative_suspension_rate=_relative(susp_rate, overall[0]),
        relative_permanent_rate=_relative(perm_rate, overall[1]),
        lunchtimes=counted["lunchtimes"],
        reversed_permanents=counted["reversed"],
    )


def combined_row(
    key: str,
    label: str,
    pupils: int,
    exclusions: Sequence[ExclusionFact],
    authority: RateRow,
) -> RateRow:
    """Several schools (or any set of pupils) as one row, with rates against the authority."""
    return _rate_row(
        key, label, pupils, exclusions, (authority.suspension_rate, authority.permanent_rate)
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
    # A reason a school wrote in words the reason list does not know is counted in one row of
    # its own, never as a new code.
    counts = Counter(
        r if is_reason_code(r) else NOT_A_REASON_CODE for e in exclusions for r in e.reasons
    )
    total = sum(counts.values())
    reasons = codelist(REASONS)

    def label(code: str) -> str:
        found = reasons.get(code)
        return found.label if found else "Not a DfE reason code (kept as the school wrote it)"

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


@dataclass(frozen=True, slots=True)
class ReasonTrend:
    """How often a reason group was given in each academic year (oldest first)."""

    code: str
    label: str
    counts: tuple[int, ...]
    codes: tuple[str, ...]  # the codes counted in the group, as recorded


def reason_trends(exclusions: Sequence[ExclusionFact], years: Sequence[int]) -> list[ReasonTrend]:
    """Reasons given per academic year, each newer code counted with the code it was split from
    (LD and CB with DB; DR, AR, SR and VR with DA), so a split does not show as a fall."""
    wanted = {year: i for i, year in enumerate(years)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(years))
    members: dict[str, set[str]] = defaultdict(set)
    for e in exclusions:
        column = wanted.get(academic_year(e.start_date))
        if column is None:
            continue
        for reason in e.reasons:
            group = reason_trend_group(reason)
            counts[group][column] += 1
            members[group].add(reason)
    reasons = codelist(REASONS)

    def label(code: str) -> str:
        found = reasons.get(code)
        return found.label if found else "Not a DfE reason code (kept as the school wrote it)"

    return [
        ReasonTrend(code, label(code), tuple(n), tuple(sorted(members[code])))
        for code, n in sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    ]


def year_labels(years: Sequence[int]) -> list[str]:
    return [academic_year_label(y) for y in years]


def _sen(p: PupilFact) -> tuple[str, str]:
    found = codelist(SEN).get(p.sen or "")
    return (p.sen, found.label) if p.sen and found else ("unknown", "Not known")


def _ethnicity(p: PupilFact) -> tuple[str, str]:
    """The pupil's main ethnicity group: an extended code rolls up through the shipped mapping;
    a code not in the list is its own row, never 'Not known' (which is a blank)."""
    if not p.ethnicity:
        return ("unknown", "Not known")
    found = main_ethnicity(p.ethnicity)
    if found is None:
        return ("unlisted", "Code not in the ethnicity list")
    return (found.code, found.label)


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
    census (joined later, or left before it) are a row of their own, "Not on the spring census",
    so that the groups add up to the authority's total.
    """
    _, key_of = GROUPINGS[grouping]
    overall = authority_row(pupils, exclusions)
    group_of = {p.child_id: key_of(p) for p in pupils}
    members: Counter[tuple[str, str]] = Counter(group_of.values())
    by_group: dict[tuple[str, str], list[ExclusionFact]] = defaultdict(list)
    outside: list[ExclusionFact] = []
    for e in exclusions:
        group = group_of.get(e.child_id)
        if group is not None:
            by_group[group].append(e)
        else:
            outside.append(e)
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
    rows.sort(key=lambda r: (-r.pupils, r.label))
    if outside:
        rows.append(_rate_row(NOT_ON_CENSUS, "Not on the spring census", 0, outside, (None, None)))
    return rows


def primary_exclusions(
    exclusions: Sequence[ExclusionFact],
    schools: Sequence[SchoolFact],
    pupils: Sequence[PupilFact],
) -> list[ExclusionFact]:
    """Suspensions (lunchtime ones included) and permanent exclusions (not those reversed on
    review) of primary-age pupils (NC year R to 6), or at a primary-phase school when the year
    group is not known."""
    phase = {s.id: s.phase for s in schools}
    year = {p.child_id: p.nc_year for p in pupils}
    return [
        e
        for e in exclusions
        if (is_suspension(e) or counts_as_permanent(e))
        and (
            is_primary_year(year[e.child_id])
            if year.get(e.child_id)
            else phase.get(e.school_id) in PRIMARY_PHASES
        )
    ]
