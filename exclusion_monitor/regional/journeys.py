"""What the region shows of its children (docs/regional.md, "Lists"): everyone by pseudonym
with their authorities, schools and flags, and one child's journey across authorities."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.history import build_history
from exclusion_monitor.regional.keys import normalise_pseudonym
from exclusion_monitor.regional.workspace import (
    _records,
    joined_record,
    region_as_of,
    region_authority,
)
from exclusion_monitor.rules import rule_label
from exclusion_monitor.store import Database
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store.histories import _Dates


@dataclass(frozen=True, slots=True)
class RegionalChild:
    """One row of the region's children list."""

    pseudonym: str
    authorities: tuple[str, ...]
    schools: tuple[str, ...]
    regional_flags: tuple[str, ...]
    local_flags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def seen_only_regionally(self) -> tuple[str, ...]:
        """Regional flags that no authority raised on its own data."""
        local = {rule for rules in self.local_flags.values() for rule in rules}
        return tuple(rule for rule in self.regional_flags if rule not in local)

    def to_json(self) -> dict[str, Any]:
        return {
            "pseudonym": self.pseudonym,
            "authorities": list(self.authorities),
            "schools": list(self.schools),
            "regional_flags": list(self.regional_flags),
            "authority_flags": {la: list(rules) for la, rules in self.local_flags.items()},
            "flags_seen_only_regionally": list(self.seen_only_regionally),
        }


def regional_children(
    db: Database,
    *,
    flagged_only: bool = False,
    cross_border_only: bool = False,
    authority: str | None = None,
) -> list[RegionalChild]:
    """Everyone in the region (or those flagged, or seen in more than one authority)."""
    with db.read() as conn:
        people = ws.people_rows(conn)
        regional: dict[int, list[str]] = {}
        for person, rule, *_rest in ws.regional_flag_rows(conn):
            regional.setdefault(person, []).append(rule)
        local: dict[int, dict[str, list[str]]] = {}
        for person, la, rule in ws.local_flag_rows(conn):
            local.setdefault(person, {}).setdefault(la, []).append(rule)
        schools: dict[int, list[str]] = {}
        for person, laestab in ws.school_rows_by_person(conn):
            schools.setdefault(person, []).append(laestab)
    found = []
    for person, pseudonym, authorities in people:
        las = tuple(authorities.split(","))
        if flagged_only and person not in regional:
            continue
        if cross_border_only and len(las) < 2:
            continue
        if authority is not None and authority not in las:
            continue
        found.append(
            RegionalChild(
                pseudonym,
                las,
                tuple(schools.get(person, ())),
                tuple(regional.get(person, ())),
                {la: tuple(sorted(rules)) for la, rules in sorted(local.get(person, {}).items())},
            )
        )
    return found


def child_journey(db: Database, pseudonym_text: str) -> dict[str, Any]:
    """One child's journey across the region, found by any of their pseudonyms: each
    authority's record (month of birth, characteristics), every registration, census point,
    move and exclusion with its school and authority, and the regional and authorities' flags."""
    pseudonym = normalise_pseudonym(pseudonym_text)
    with db.read() as conn:
        person = ws.person_for_pseudonym(conn, pseudonym)
        if person is None:
            raise NotFoundError(
                f"No child in the regional workspace has the pseudonym {pseudonym}."
            )
        records = ws.child_records_of_person(conn, person)
        child_ids = [int(r.id) for r in records]
        rows = ws.records_of(conn, child_ids)
        as_of = region_as_of(ws.current_returns(conn)) or dt.date.today()
        authority = region_authority(conn, as_of)
        names = ws.pseudonyms_of(conn, child_ids)
        local = ws.local_flags_of(conn, child_ids)
        regional = ws.regional_flag_rows(conn, person)
    dates = _Dates()
    found = _records(rows, dict.fromkeys(child_ids, person), dates)
    parts = found.get(person, ([], [], []))
    la_of = {int(r.id): str(r.la_code) for r in records}
    births = [r.birth_month for r in records if r.birth_month]
    birth = dt.date(int(births[0][:4]), int(births[0][5:7]), 1) if births else None
    record = joined_record(person, birth, parts)
    history = build_history(record, authority, as_of)

    def school(school_id: int | None) -> dict[str, Any]:
        s = authority.schools.get(school_id) if school_id is not None else None
        return {
            "school_laestab": s.laestab if s else None,
            "school_name": s.name if s else None,
            "authority": s.laestab[:3] if s else None,
            "phase": s.phase if s else None,
        }

    display = next((p for c, p, k in names if k == "current"), pseudonym)
    return {
        "pseudonym": display,
        "pseudonyms": sorted({p for _c, p, _k in names}),
        "authorities": sorted(set(la_of.values())),
        "as_of": as_of.isoformat(),
        "records": [
            {
                "authority": str(r.la_code),
                "authority_name": r.la_name,
                "birth_month": r.birth_month,
                "sex": r.sex,
                "ethnicity": r.ethnicity,
                "fsm": r.fsm,
                "sen": r.sen,
                "looked_after": r.looked_after,
                "postcode_sector": r.postcode_sector,
            }
            for r in records
        ],
        "enrolments": [
            {
                **school(s.school_id),
                "start": s.start.isoformat(),
                "end": s.end.isoformat() if s.end else None,
                "enrol_status": s.enrol_status,
                "leaving_reason": s.leaving_reason,
            }
            for s in history.spells
        ],
        "placements": [
            {
                **school(s.school_id),
                "start": s.start.isoformat(),
                "end": s.end.isoformat() if s.end else None,
            }
            for s in history.placements
        ],
        "census": [
            {
                **school(p.school_id),
                "census_date": p.census_date.isoformat(),
                "nc_year": p.nc_year,
                "enrol_status": p.enrol_status,
            }
            for p in history.census
        ],
        "moves": [
            {
                "date": m.date.isoformat(),
                "from_laestab": school(m.from_school_id)["school_laestab"],
                "to_laestab": school(m.to_school_id)["school_laestab"],
                "kind": str(m.kind),
                "crosses_border": (
                    school(m.from_school_id)["authority"] != school(m.to_school_id)["authority"]
                ),
            }
            for m in history.moves
        ],
        "exclusions": [
            {
                **school(e.school_id),
                "category": str(e.category),
                "start_date": e.start_date.isoformat(),
                "sessions": e.sessions,
                "reasons": list(e.reasons),
                "review_outcome": e.review_outcome,
            }
            for e in history.exclusions
        ],
        "flags": [
            {"rule": rule, "label": rule_label(rule), "reason": reason, "evidence": evidence}
            for _p, rule, _v, _a, reason, evidence in regional
        ],
        "authority_flags": sorted({(la_of[c], rule) for c, rule, _v in local}),
    }


def region_summary(db: Database) -> tuple[int, int, Counter[str], Counter[str]]:
    """(children, children seen in more than one authority, regional flags by rule, regional
    flags that no authority raised on its own data, by rule)."""
    rows = regional_children(db)
    flags: Counter[str] = Counter()
    only: Counter[str] = Counter()
    for row in rows:
        flags.update(row.regional_flags)
        only.update(row.seen_only_regionally)
    return len(rows), sum(1 for r in rows if len(r.authorities) > 1), flags, only
