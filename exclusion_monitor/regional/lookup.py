"""Re-identification by the authority that holds the child (docs/regional.md, "Acting on a
regional flag"): the authority works out the pseudonym of each of its own UPNs with the key and
answers only when one matches. The region itself never can: it holds no key and no UPN."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.records import Child
from exclusion_monitor.regional.keys import RegionalKey, normalise_pseudonym
from exclusion_monitor.store import Database, profiles
from exclusion_monitor.store import regional_source as source
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store.settings import get_setting

KEY_SETTING = "regional.key_fingerprint"


@dataclass(frozen=True, slots=True)
class LookupResult:
    child: Child
    matched_upn: str
    school_laestab: str | None
    school_name: str | None


def check_key(db: Database, key: RegionalKey) -> None:
    """Refuse a key other than the one this authority's returns were made with."""
    used = get_setting(db, KEY_SETTING)
    if used and used != key.fingerprint:
        raise InvalidInputError(
            f"This key (fingerprint {key.fingerprint}) is not the one this authority's regional "
            f"returns were made with (fingerprint {used}): use the region's key file."
        )


def find_child(db: Database, key: RegionalKey, pseudonym_text: str) -> LookupResult:
    """The authority's own child whose UPN (or former UPN) has this pseudonym; NotFoundError
    when none has (a child of another authority, or a key other than the region's)."""
    pseudonym = normalise_pseudonym(pseudonym_text)
    check_key(db, key)
    with db.read() as conn:
        if ws.holds_returns(conn):
            raise InvalidInputError(
                "This is a regional workspace: a pseudonym can only be looked up in the "
                "database of the authority that holds the child."
            )
        match = next(
            ((child_id, upn) for child_id, upn, _kind in source.identifiers(conn)
             if key.pseudonym(upn) == pseudonym),
            None,
        )  # fmt: skip
        if match is None:
            raise NotFoundError(
                f"No child of this authority has the pseudonym {pseudonym}: the child is held "
                "by another authority (see 'region child' for which), or the key is not the "
                "region's."
            )
        child = profiles.child_identities(conn, [match[0]])[match[0]]
        place = profiles.current_places(conn, [match[0]], dt.date.today()).get(match[0])
    return LookupResult(
        child, match[1], place.laestab if place else None, place.name if place else None
    )
