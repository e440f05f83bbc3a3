"""The regional return's format, version 1 (docs/regional.md, "The return file"): its members,
their columns, and the checks every value passes on the way out of an authority and into the
region. Pure: the file itself is written and read by imports/regional_return.py.

Free text never leaves an authority: a leaving reason or review outcome travels as one of a few
fixed phrases (`leaving_phrase`, `outcome_phrase`), a postcode as its sector, a date of birth as
its month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor.codelists import review_outcome

FORMAT_NAME = "exclusion-monitor regional return"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Member:
    """One CSV file inside a return: its name and columns, in order."""

    name: str
    columns: tuple[str, ...]


CHILDREN = Member(
    "children.csv",
    ("child", "birth_month", "sex", "ethnicity", "fsm", "sen", "looked_after", "postcode_sector"),
)
PSEUDONYMS = Member("pseudonyms.csv", ("child", "pseudonym", "kind"))
SCHOOLS = Member(
    "schools.csv",
    (
        "laestab",
        "urn",
        "name",
        "la_code",
        "phase",
        "school_type",
        "open_date",
        "close_date",
        "low_age",
        "high_age",
    ),
)
SCHOOL_LINKS = Member("school_links.csv", ("laestab", "linked_laestab", "link_type"))
CENSUS_RETURNS = Member("census_returns.csv", ("laestab", "census_date"))
REGISTRATIONS = Member(
    "registrations.csv",
    ("child", "laestab", "entry_date", "leaving_date", "enrol_status", "leaving_reason",
     "destination_laestab"),
)  # fmt: skip
CENSUS = Member(
    "census.csv",
    ("child", "laestab", "census_date", "nc_year", "enrol_status", "entry_date", "fsm", "sen"),
)
EXCLUSIONS = Member(
    "exclusions.csv",
    ("child", "laestab", "category", "start_date", "end_date", "sessions", "reason1", "reason2",
     "reason3", "review_outcome"),
)  # fmt: skip
FLAGS = Member("flags.csv", ("child", "rule", "rule_version", "as_of"))

MEMBERS: tuple[Member, ...] = (
    SCHOOLS, SCHOOL_LINKS, CENSUS_RETURNS, CHILDREN, PSEUDONYMS, REGISTRATIONS, CENSUS,
    EXCLUSIONS, FLAGS,
)  # fmt: skip

# The fixed phrases that stand for a school's own wording.
LEAVING_PHRASES = (
    "Transferred to another school",
    "Transferred to alternative provision",
    "End of compulsory schooling",
    "Permanently excluded",
    "Elective home education",
    "Moved away",
    "Whereabouts unknown",
    "Other reason recorded",
)
OUTCOME_PHRASES = ("Reinstated", "Upheld", "Other outcome recorded")
_LEAVING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Whereabouts unknown", ("whereabouts", "unknown", "not known", "missing", "cme", "lost")),
    ("Permanently excluded", ("permanent", "excluded", "exclusion")),
    ("Transferred to alternative provision", ("pru", "referral unit", "alternative provision")),
    ("Elective home education", ("home educ", "ehe", "home-educ")),
    ("End of compulsory schooling", ("end of compulsory", "year 11", "leaver", "sixth form")),
    ("Moved away", ("moved out", "moved away", "emigrat", "abroad", "out of area", "relocat")),
    ("Transferred to another school", ("transfer", "school", "academy", "conversion", "moved")),
)
_BLANK = frozenset({"", "unknown", "not known", "none", "n/a", "na", "-"})


def leaving_phrase(text: str | None) -> str:
    """The fixed phrase for a school's leaving reason ('' when none was recorded)."""
    value = (text or "").strip().lower()
    if value in _BLANK:
        return ""
    for phrase, words in _LEAVING_WORDS:
        if any(word in value for word in words):
            return phrase
    return "Other reason recorded"


def outcome_phrase(text: str | None) -> str:
    """The fixed phrase for a review outcome ('' when none was recorded), read through the
    review-outcome code list: an outcome that reverses a permanent exclusion is 'Reinstated', one
    that upholds it 'Upheld', anything else (unknown wording included) 'Other outcome recorded'."""
    value = (text or "").strip().lower()
    if value in _BLANK:
        return ""
    found = review_outcome(text)
    if found is None:
        return "Other outcome recorded"
    if found.extra.get("reverses") == "yes":
        return "Reinstated"
    return "Upheld" if found.code.endswith("UPHELD") else "Other outcome recorded"


_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9])[A-Z]{2}$")
_SECTOR_ONLY = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$")


def postcode_sector(postcode: str | None) -> str:
    """'B23 6AB' -> 'B23 6'; '' for anything that is not a full UK postcode."""
    value = " ".join((postcode or "").upper().split())
    found = _SECTOR.match(value)
    return f"{found.group(1)} {found.group(2)}" if found else ""


def birth_month(day: dt.date | None) -> str:
    return "" if day is None else f"{day.year:04d}-{day.month:02d}"


# --- reading: every value checked, nothing else accepted ---------------------------------------


class ReturnFormatError(ValueError):
    """A value in a return breaks the format (the message says which)."""


_LAESTAB = re.compile(r"^\d{7}$")
_CODE = re.compile(r"^[A-Z0-9]{1,4}$")
_PSEUDONYM = re.compile(r"^[A-Z2-7]{26}$")
_RULE = re.compile(r"^[a-z_]{1,40}$")
_MONTH = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
_NC_YEAR = re.compile(r"^(N1|N2|R|X|[1-9]|1[0-4])$")
_TEXT = re.compile(r"^[\w .,'&()/+-]{0,300}$")


Parse = Callable[[str], Any]


class _Dates(dict[str, dt.date | None]):
    def __missing__(self, text: str) -> dt.date | None:
        if text == "":
            value = None
        else:
            try:
                value = dt.date.fromisoformat(text) if len(text) == 10 else None
            except ValueError:
                value = None
            if value is None:
                raise ReturnFormatError(f"'{text[:20]}' is not a date written as YYYY-MM-DD")
        self[text] = value
        return value


def _int(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise ReturnFormatError(f"'{text[:20]}' is not a whole number")
    return int(text)


def _pattern(pattern: re.Pattern[str], what: str, *, blank: bool = False) -> Parse:
    def parse(text: str) -> str | None:
        if text == "" and blank:
            return None
        if not pattern.match(text):
            raise ReturnFormatError(f"'{text[:20]}' is not {what}")
        return text

    return parse


def _choice(values: Sequence[str], what: str) -> Parse:
    allowed = frozenset(values)

    def parse(text: str) -> str | None:
        if text == "":
            return None
        if text not in allowed:
            raise ReturnFormatError(f"'{text[:20]}' is not {what}")
        return text

    return parse


def _flag(text: str) -> bool | None:
    if text == "":
        return None
    if text in ("Y", "N"):
        return text == "Y"
    raise ReturnFormatError(f"'{text[:20]}' is not Y, N or blank")


def _sessions(text: str) -> float:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        raise ReturnFormatError(f"'{text[:20]}' is not a number of sessions") from None
    if not 0 <= value <= 1000:
        raise ReturnFormatError(f"'{text[:20]}' is not a number of sessions")
    return value


def _age(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or int(text) > 25:
        raise ReturnFormatError(f"'{text[:20]}' is not a school age")
    return int(text)


def _sector(text: str) -> str | None:
    if text == "":
        return None
    if not _SECTOR_ONLY.match(text):
        raise ReturnFormatError(f"'{text[:20]}' is not a postcode sector")
    return text


@dataclass(slots=True)
class RowParser:
    """Turns one CSV row of a member into typed values, refusing anything off the format."""

    member: Member
    parsers: tuple[Parse, ...]
    dates: _Dates = field(default_factory=_Dates)

    def __call__(self, row: Sequence[str]) -> tuple[Any, ...]:
        if len(row) != len(self.parsers):
            raise ReturnFormatError(
                f"the row has {len(row)} values where {len(self.parsers)} were expected"
            )
        return tuple(parse(value) for parse, value in zip(self.parsers, row, strict=True))


def row_parser(member: Member) -> RowParser:
    """The checks for each column of `member`."""
    parser = RowParser(member, ())
    date: Parse = parser.dates.__getitem__
    laestab = _pattern(_LAESTAB, "a LAESTAB (7 digits)")
    optional_laestab = _pattern(_LAESTAB, "a LAESTAB (7 digits)", blank=True)
    code = _pattern(_CODE, "a code", blank=True)
    status = _choice(("C", "M", "S", "G", "F", "O", "P"), "an enrol status")
    sen = _choice(("N", "K", "E"), "an SEN provision code")
    table: dict[str, Parse] = {
        "child": _int,
        "birth_month": _pattern(_MONTH, "a month written as YYYY-MM", blank=True),
        "sex": _choice(("M", "F"), "a sex code"),
        "ethnicity": code,
        "fsm": _flag,
        "sen": sen,
        "looked_after": _flag,
        "postcode_sector": _sector,
        "pseudonym": _pattern(_PSEUDONYM, "a pseudonym"),
        "kind": _choice(("current", "former"), "current or former"),
        "laestab": laestab,
        "linked_laestab": laestab,
        "urn": _pattern(re.compile(r"^\d{5,7}$"), "a URN", blank=True),
        "name": _pattern(_TEXT, "a school name"),
        "la_code": _pattern(re.compile(r"^\d{3}$"), "an LA number", blank=True),
        "phase": _pattern(re.compile(r"^[a-z_]{1,30}$"), "a phase code", blank=True),
        "school_type": _pattern(_TEXT, "a school type", blank=True),
        "link_type": _pattern(re.compile(r"^[\w -]{1,50}$"), "a link type"),
        "open_date": date,
        "close_date": date,
        "census_date": date,
        "entry_date": date,
        "leaving_date": date,
        "start_date": date,
        "end_date": date,
        "as_of": date,
        "enrol_status": status,
        "leaving_reason": _choice(LEAVING_PHRASES, "a leaving reason of the format"),
        "destination_laestab": optional_laestab,
        "nc_year": _pattern(_NC_YEAR, "an NC year", blank=True),
        "category": _choice(("SUSP", "PERM", "LNCH"), "an exclusion category"),
        "sessions": _sessions,
        "reason1": code,
        "reason2": code,
        "reason3": code,
        "review_outcome": _choice(OUTCOME_PHRASES, "a review outcome of the format"),
        "rule": _pattern(_RULE, "a rule id"),
        "rule_version": _int,
        "low_age": _age,
        "high_age": _age,
    }
    parser.parsers = tuple(table[column] for column in member.columns)
    return parser


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a return says about itself: who made it, when, as of when, with which key."""

    la_code: str
    la_name: str
    made_at: dt.datetime
    as_of: dt.date
    key_fingerprint: str
    region: str
    software: str
    member_hashes: dict[str, str]
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "authority": {"la_code": self.la_code, "name": self.la_name},
            "made_at": self.made_at.isoformat(timespec="seconds"),
            "as_of": self.as_of.isoformat(),
            "key_fingerprint": self.key_fingerprint,
            "region": self.region,
            "software": self.software,
            "members": [
                {"name": m.name, "columns": list(m.columns), "sha256": self.member_hashes[m.name]}
                for m in MEMBERS
            ],
        }


def manifest_from_json(data: object) -> Manifest:
    """A manifest read from a return, checked; ReturnFormatError saying what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ReturnFormatError("it is not an Exclusion Monitor regional return")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise ReturnFormatError(
            f"it is a return of format version {version}; this version of Exclusion Monitor "
            f"reads version {FORMAT_VERSION}"
        )
    try:
        authority = data["authority"]
        la_code = str(authority["la_code"])
        made_at = dt.datetime.fromisoformat(str(data["made_at"]))
        as_of = dt.date.fromisoformat(str(data["as_of"]))
        fingerprint = str(data["key_fingerprint"])
        members = {str(m["name"]): m for m in data["members"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise ReturnFormatError(f"its manifest is incomplete ({exc})") from None
    if not re.fullmatch(r"\d{3}", la_code):
        raise ReturnFormatError(f"its authority's LA number '{la_code[:10]}' is not 3 digits")
    if not re.fullmatch(r"[0-9a-f]{16}", fingerprint):
        raise ReturnFormatError("its key fingerprint is not 16 hexadecimal characters")
    hashes: dict[str, str] = {}
    for member in MEMBERS:
        entry = members.get(member.name)
        if entry is None:
            raise ReturnFormatError(f"its manifest does not list {member.name}")
        if tuple(entry.get("columns", ())) != member.columns:
            raise ReturnFormatError(f"{member.name} has other columns than the format's")
        digest = str(entry.get("sha256", ""))
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ReturnFormatError(f"the manifest's hash of {member.name} is not a SHA-256")
        hashes[member.name] = digest
    return Manifest(
        la_code=la_code,
        la_name=str(authority.get("name", ""))[:100],
        made_at=made_at,
        as_of=as_of,
        key_fingerprint=fingerprint,
        region=str(data.get("region", ""))[:100],
        software=str(data.get("software", ""))[:40],
        member_hashes=hashes,
    )
