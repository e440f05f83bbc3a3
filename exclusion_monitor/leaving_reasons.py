"""What a leaving reason or destination says about where a child went
(docs/rules.md#missing_from_roll): the phrasings are data (`data/leaving_reasons.csv`), and an
admin adds or changes them with a file of the same name and columns in the user data folder.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from exclusion_monitor import config

LEAVING_REASONS_FILE = "leaving_reasons.csv"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# A wording with one of these words is never read as a destination unless it is a listed phrase
# word for word: "not transferred to another school" names no school.
_NEGATIONS = frozenset({"not", "no", "never", "without", "unable", "awaiting", "pending"})


class Whereabouts(StrEnum):
    DESTINATION = "destination"  # a real destination: the flag is cleared
    NO_DESTINATION = "no_destination"  # a listed wording that says nobody knows where
    UNRECOGNISED = "unrecognised"  # a wording the list does not know: kept as no destination
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class Phrase:
    words: str
    meaning: Whereabouts
    exact: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """How a leaving's recorded words read: `wording` is what was recorded (reason, else
    destination), `meaning` what the tool made of it."""

    meaning: Whereabouts
    wording: str | None = None

    @property
    def is_destination(self) -> bool:
        return self.meaning is Whereabouts.DESTINATION


def normalise(text: str | None) -> str:
    """Case and punctuation gone, blanks collapsed: "Whereabouts UNKNOWN." becomes
    'whereabouts unknown'."""
    return " ".join(_NOT_ALNUM.sub(" ", (text or "").casefold()).split())


def _read(text: str, into: dict[str, Phrase]) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        words = normalise(row.get("phrase"))
        meaning = (row.get("meaning") or "").strip().lower()
        if not words or meaning not in (Whereabouts.DESTINATION, Whereabouts.NO_DESTINATION):
            continue
        exact = (row.get("match") or "").strip().lower() == "exact"
        into[words] = Phrase(words, Whereabouts(meaning), exact)


@cache
def phrases() -> dict[str, Phrase]:
    """The shipped phrasings, then any in the admin's file (which add to, or replace, them)."""
    found: dict[str, Phrase] = {}
    shipped = resources.files("exclusion_monitor") / "data" / LEAVING_REASONS_FILE
    _read(shipped.read_text(encoding="utf-8"), found)
    extra = config.data_dir() / LEAVING_REASONS_FILE
    if extra.is_file():
        _read(extra.read_text(encoding="utf-8-sig"), found)
    return found


def reload_phrases() -> None:
    phrases.cache_clear()


def read_wording(text: str | None) -> Whereabouts:
    """What one recorded wording says: a listed phrase word for word, else a listed "no
    destination" phrase anywhere in it (that wins), else a destination phrase anywhere in it
    (unless the wording negates), else unrecognised."""
    words = normalise(text)
    if not words:
        return Whereabouts.BLANK
    listed = phrases()
    found = listed.get(words)
    if found is not None:
        return found.meaning
    padded = f" {words} "
    within = [p for p in listed.values() if not p.exact and f" {p.words} " in padded]
    if any(p.meaning is Whereabouts.NO_DESTINATION for p in within):
        return Whereabouts.NO_DESTINATION
    if within and not _NEGATIONS.intersection(words.split()):
        return Whereabouts.DESTINATION
    return Whereabouts.UNRECOGNISED


def read_leaving(reason: str | None, destination: str | None) -> Reading:
    """Whether a leaving has a real destination. A "no destination" wording in either field
    keeps the flag; a destination field naming somewhere (a school, a provider, a place) is a
    destination even when the list does not know the name; a leaving reason the list does not
    know is not (an officer checks; an admin can add the wording)."""
    said_reason, said_destination = read_wording(reason), read_wording(destination)
    for said, text in ((said_reason, reason), (said_destination, destination)):
        if said is Whereabouts.NO_DESTINATION:
            return Reading(said, (text or "").strip())
    if said_destination in (Whereabouts.DESTINATION, Whereabouts.UNRECOGNISED):
        return Reading(Whereabouts.DESTINATION, (destination or "").strip())
    if said_reason is Whereabouts.DESTINATION:
        return Reading(said_reason, (reason or "").strip())
    if said_reason is Whereabouts.UNRECOGNISED:
        return Reading(said_reason, (reason or "").strip())
    return Reading(Whereabouts.BLANK)
