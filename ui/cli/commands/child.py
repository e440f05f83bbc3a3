"""`child UPN`: one child's history as of a date, as the story an officer would tell, or JSON.
A former or temporary UPN finds the same child."""

from __future__ import annotations

import argparse
from typing import Any

from exclusion_monitor.codelists import year_group_label
from exclusion_monitor.exclusion_terms import ExclusionTotals
from exclusion_monitor.profile import (
    ChildProfile,
    ExclusionView,
    SpellView,
    family_flag_summary,
    profile_summary,
    totals_words,
)
from exclusion_monitor.records import MoveKind
from exclusion_monitor.rules.wording import count as _n
from exclusion_monitor.terms import academic_year, academic_year_label
from operations.viewing import look_up_child
from ui.cli.common import current_account, open_db, parse_date
from ui.cli.output import print_json

KIND_WORDS = {
    MoveKind.STANDARD: "standard transition",
    MoveKind.NON_STANDARD: "non-standard move",
    MoveKind.CONVERSION: "academy conversion (not a move)",
    MoveKind.PLACEMENT: "placement (PRU or alternative provision)",
}
SEX_WORDS = {"F": "female", "M": "male"}
_BASIS = {
    "reference": "linked by family reference",
    "address": "linked by address",
    "manual": "linked by an officer",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("child", help="one child's history, exclusions and flags")
    parser.add_argument("upn", metavar="UPN", help="the child's UPN (current, former or temporary)")
    parser.add_argument(
        "--as-of", type=parse_date, help="as of this date (15/01/2026 or 2026-01-15)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        profile = look_up_child(db, current_account(), args.upn, as_of=args.as_of).value
    if args.format == "json":
        print_json(profile_json(profile))
    else:
        print(story(profile), end="")
    return 0


def profile_json(p: ChildProfile) -> dict[str, Any]:
    """The `child --format json` contract (docs/rules.md describes the exclusion keys), with a few
    more keys."""
    return {
        "upn": p.child.upn,
        "former_upns": list(p.child.former_upns),
        "surname": p.child.surname,
        "forename": p.child.forename,
        "date_of_birth": p.child.date_of_birth,
        "sex": p.child.sex,
        "as_of": p.as_of,
        "enrolments": [_spell_json(s) for s in p.enrolments],
        "placements": [_spell_json(s) for s in p.placements],
        "census": [
            {
                "census_date": c.census_date,
                "school_laestab": c.school_laestab,
                "nc_year": c.nc_year,
                "enrol_status": c.enrol_status,
                "ethnicity": c.ethnicity,
                "ethnicity_group": c.ethnicity_group,
                "amended": bool(c.earlier),
                "history": [r.to_json() for r in c.earlier],
            }
            for c in p.census
        ],
        "moves": [
            {
                "date": m.date,
                "from_laestab": m.from_laestab,
                "to_laestab": m.to_laestab,
                "kind": str(m.kind),
            }
            for m in p.moves
        ],
        "exclusions": [
            {
                "school_laestab": e.school_laestab,
                "category": e.category,
                "category_words": e.category_words,
                "start_date": e.start_date,
                "end_date": e.end_date,
                "sessions": e.sessions,
                "reasons": list(e.reasons),
                "term": e.term,
                "review_outcome": e.review_outcome,
                "outcome": e.outcome_words,
                "reversed_on_review": e.reversed,
                "amended": bool(e.earlier),
                "history": [r.to_json() for r in e.earlier],
            }
            for e in p.exclusions
        ],
        "term_totals": [_totals_json(t.totals) for t in p.term_totals],
        "year_totals": [_totals_json(y.totals) for y in p.year_totals],
        "flags": [
            {
                "rule": f.rule,
                "reason": f.reason,
                "evidence": f.evidence,
                "rule_version": f.rule_version,
                "status": f.status,
                "assigned_to": f.assigned_to,
                "flag_id": f.flag_id,
            }
            for f in p.flags
        ],
        "status": None
        if p.place is None
        else {
            "status": p.place.status,
            "school_laestab": p.place.school_laestab,
            "school_name": p.place.school_name,
            "date": p.place.date,
            "leaving_reason": p.place.leaving_wording,
        },
        "family_id": p.family_id,
        "family_basis": p.family_basis,
        "family": [
            {
                "upn": m.upn,
                "surname": m.surname,
                "forename": m.forename,
                "flags": [f.rule for f in m.flags],
            }
            for m in p.family
        ],
    }


def _totals_json(t: ExclusionTotals) -> dict[str, Any]:
    """A term's or year's totals: suspensions count lunchtime suspensions too (`lunchtimes` says
    how many); `permanent` leaves out those reversed on review (`reversed_permanent`)."""
    return {
        "term" if " " in t.label else "academic_year": t.label,
        "suspensions": t.suspensions,
        "lunchtimes": t.lunchtimes,
        "sessions": t.sessions,
        "sessions_from_earlier": t.sessions_carried,
        "permanent": t.permanents,
        "reversed_permanent": t.reversed_permanents,
    }


def _spell_json(s: SpellView) -> dict[str, Any]:
    return {
        "school_laestab": s.school_laestab,
        "school_name": s.school_name,
        "phase": s.phase,
        "start": s.start,
        "end": s.end,
        "enrol_status": s.enrol_status,
    }


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}" if value else "?"


def _spell_line(s: SpellView) -> str:
    until = "now" if s.current else _day(s.end) if s.end else "date not known"
    first, last = (
        year_group_label(y, unknown="year not known") for y in (s.first_year, s.last_year)
    )
    years = first if s.first_year == s.last_year else f"{first} to {last}"
    extra = f"; left for {s.destination}" if s.destination else ""
    return (
        f"  {academic_year_label(academic_year(s.start))}  {s.school_name} ({s.school_laestab}), "
        f"{s.phase or 'phase not known'}, {years}: {_day(s.start)} to {until}{extra}"
    )


def _exclusion_line(e: ExclusionView) -> str:
    """'18 December 2023  suspension, 10 sessions at Oak High (3304002), reasons DB'; a reversed
    permanent exclusion says so and shows the school's own wording."""
    sessions = f", {_n(e.sessions, 'session')}" if e.category != "PERM" else ""
    reasons = f", reasons {', '.join(e.reasons)}" if e.reasons else ""
    outcome = ""
    if e.outcome_words:
        written = e.review_outcome or ""
        quoted = f" ('{written}')" if written and written not in e.outcome_words else ""
        outcome = f"; {e.outcome_words}{quoted}"
        if e.reversed:
            outcome += ", so not counted as a permanent exclusion"
    return (
        f"{_day(e.start_date)}  {e.category_words or e.category}{sessions} at {e.school_name} "
        f"({e.school_laestab}){reasons}{outcome}"
    )


def story(p: ChildProfile) -> str:
    """The child's history in words, section by section."""
    c = p.child
    lines = [f"{c.forename} {c.surname}  (UPN {c.upn})"]
    if c.former_upns:
        lines.append(f"Former UPNs: {', '.join(c.former_upns)}")
    lines.append(
        f"Born {_day(c.date_of_birth)}, {SEX_WORDS.get(c.sex or '', 'sex not recorded')}. "
        f"As of {_day(p.as_of)}."
    )
    lines += ["", profile_summary(p)]
    if p.place is not None:
        lines.append(p.place.sentence())
    lines += ["", "Schools"]
    lines += [_spell_line(s) for s in p.enrolments] or ["  (no school on record)"]
    if p.placements:
        lines += ["", "Placements (registrations that are not a main one: subsidiary, guest, ...)"]
        lines += [_spell_line(s) for s in p.placements]
    lines += ["", "Moves"]
    lines += [
        f"  {_day(m.date)}: {m.from_name} ({m.from_laestab}) to {m.to_name} ({m.to_laestab}), "
        f"{KIND_WORDS[m.kind]}"
        for m in p.moves
    ] or ["  (none)"]
    lines += ["", "Exclusions"]
    if not p.exclusions:
        lines.append("  (none)")
    for total in p.term_totals:
        lines.append(f"  {total.totals.label}: {totals_words(total.totals)}")
        for e in p.exclusions:
            if e.term == total.totals.label:
                lines.append(f"    {_exclusion_line(e)}")
                lines += [f"      amended: {r.sentence()}" for r in e.earlier]
    for year in p.year_totals:
        lines.append(f"  {year.totals.label} in all: {totals_words(year.totals)}")
    lines += ["", "Flags"]
    lines += [
        f"  {f.label} [{f.status.replace('_', ' ')}"
        + (f", {f.assigned_to}" if f.assigned_to else "")
        + f"]: {f.reason}"
        for f in p.flags
    ] or ["  (none)"]
    if p.family:
        lines += [
            "",
            f"Family ({_BASIS.get(p.family_basis or '', p.family_basis)}): "
            f"{family_flag_summary(*p.family_flagged)}",
        ]
        for m in p.family:
            flags = ", ".join(f.rule for f in m.flags) or "no flags"
            lines.append(
                f"  {m.forename} {m.surname} (UPN {m.upn}): {_n(m.exclusions, 'exclusion')}, "
                f"{_n(m.non_standard_moves, 'non-standard move')}, {flags}"
            )
    return "\n".join(lines) + "\n"
