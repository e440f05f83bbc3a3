"""Exclusions counted by DfE term and academic year, across schools: suspensions, sessions lost,
lunchtime and permanent exclusions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exclusion_monitor.records import Category, Exclusion
from exclusion_monitor.terms import Term, academic_year, academic_year_label, term_of


def sessions_lost(exclusion: Exclusion) -> float:
    """Sessions a suspension or lunchtime exclusion cost (a lunchtime exclusion is one session);
    a permanent exclusion is counted on its own, not in sessions."""
    if exclusion.category is Category.LUNCHTIME:
        return 1.0
    if exclusion.category is Category.SUSPENSION:
        return float(exclusion.sessions or 0.0)
    return 0.0


@dataclass(frozen=True, slots=True)
class ExclusionTotals:
    """Exclusions in one period (a term or an academic year)."""

    label: str
    suspensions: int = 0
    lunchtimes: int = 0
    permanents: int = 0
    sessions: float = 0.0

    def plus(self, exclusion: Exclusion) -> ExclusionTotals:
        return ExclusionTotals(
            self.label,
            self.suspensions + (exclusion.category is Category.SUSPENSION),
            self.lunchtimes + (exclusion.category is Category.LUNCHTIME),
            self.permanents + (exclusion.category is Category.PERMANENT),
            self.sessions + sessions_lost(exclusion),
        )


@dataclass(frozen=True, slots=True)
class TermTotals:
    term: Term
    totals: ExclusionTotals


@dataclass(frozen=True, slots=True)
class YearTotals:
    year: int
    totals: ExclusionTotals


def term_totals(exclusions: Iterable[Exclusion]) -> list[TermTotals]:
    """Totals for each term with at least one exclusion, in term order."""
    found: dict[Term, ExclusionTotals] = {}
    for exclusion in exclusions:
        term = term_of(exclusion.start_date)
        found[term] = found.get(term, ExclusionTotals(term.label)).plus(exclusion)
    return [TermTotals(term, found[term]) for term in sorted(found)]


def year_totals(exclusions: Iterable[Exclusion]) -> list[YearTotals]:
    """Totals for each academic year with at least one exclusion, in order."""
    found: dict[int, ExclusionTotals] = {}
    for exclusion in exclusions:
        year = academic_year(exclusion.start_date)
        found[year] = found.get(year, ExclusionTotals(academic_year_label(year))).plus(exclusion)
    return [YearTotals(year, found[year]) for year in sorted(found)]
