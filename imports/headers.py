"""Finding the header row, recognising column names through the synonym lists, detecting the kind.

Synonyms are data (`imports/data/header_synonyms.csv`); an admin adds more by putting a file of the
same name and columns (`field,synonyms`) in the user data folder.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from exclusion_monitor import config
from imports.kinds import SPECS, Kind, missing_required

HEADER_SCAN_ROWS = 30
SYNONYMS_FILE = "header_synonyms.csv"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: object) -> str:
    """Case, spacing and punctuation removed: 'Date of Birth ', 'DATE_OF_BIRTH' -> 'dateofbirth'."""
    if text is None:
        return ""
    return _NOT_ALNUM.sub("", str(text).casefold())


def _read_synonyms(text: str, into: dict[str, dict[str, None]]) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("field") or "").strip()
        if not name:
            continue
        into.setdefault(header_key(name), {})[name] = None
        for synonym in (row.get("synonyms") or "").split("|"):
            key = header_key(synonym)
            if key:
                into.setdefault(key, {})[name] = None


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Header key -> the fields it may name (a few keys, like 'type', name several), in the order
    of the synonym lists, which settles a tie: 'School' names a school name before a school code.
    (A set here left the tie to string hashing, so the same file could map two ways.)"""
    found: dict[str, dict[str, None]] = {}
    shipped = resources.files("imports") / "data" / SYNONYMS_FILE
    _read_synonyms(shipped.read_text(encoding="utf-8"), found)
    extra = config.data_dir() / SYNONYMS_FILE
    if extra.is_file():
        _read_synonyms(extra.read_text(encoding="utf-8-sig"), found)
    return {key: tuple(fields) for key, fields in found.items()}


def reload_synonyms() -> None:
    for cached in (synonyms, _synonym_texts, _synonym_words, _field_order, _matches):
        cached.cache_clear()


def fields_for_header(text: object) -> tuple[str, ...]:
    return synonyms().get(header_key(text), ())


# --- recognising headers as people write them ----------------------------------------------------
#
# A header names a field when (in order of confidence):
#   1. its key (case, spacing and punctuation removed) is a synonym's key: 'Date_of_Birth';
#   2. its words are a synonym's words in any order, once abbreviations are spelled out, plurals
#      made singular and little words dropped: 'Pupil No.', 'D.O.B.', 'Birth date', 'Yr Group';
#   3. the same after dropping qualifiers that suit the field: a person's ('Pupil', 'Child',
#      'Student', 'Learner', 'Legal') before a pupil's field, a place's ('School', 'Establishment')
#      before a school's, an exclusion's ('Exclusion', 'Suspension') before an exclusion's:
#      'Student Legal Surname', 'School URN', 'Suspension start date' (never 'Pupil name' as a
#      school's); and only when the words name one field of the kind.
# Those map silently. A header that only contains a synonym's words among others ('Admission date
# (first)'), or is a synonym misspelt, is a proposal: shown to be confirmed, never used unasked.
# Words that make a column about someone or somewhere else ('Previous', 'Parent', 'Destination')
# stop a proposal. A bracket listing a column's values ('Type (FIX/PERM)') is read past, at the
# confidence of a qualified match.

CONFIDENT = 0.8
EXACT, WORDS, QUALIFIED, CONTAINS, MISSPELT = 1.0, 0.95, 0.85, 0.5, 0.45

_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "no": ("number",), "num": ("number",), "nbr": ("number",), "nos": ("number",),
    "ref": ("reference",), "yr": ("year",), "grp": ("group",), "adm": ("admission",),
    "admitted": ("admission",), "dob": ("date", "birth"), "ncy": ("nc", "year"),
    "ncyear": ("nc", "year"), "dt": ("date",), "estab": ("establishment",),
    "excl": ("exclusion",), "cat": ("category",), "addr": ("address",), "ethnic": ("ethnicity",),
    "enrolment": ("enrol",), "enrollment": ("enrol",), "surnames": ("surname",),
    "firstname": ("first", "name"), "lastname": ("last", "name"), "postcode": ("postcode",),
    "dfes": ("dfe",), "gender": ("gender",), "sch": ("school",), "id": ("identifier",),
}  # fmt: skip
_LITTLE_WORDS = frozenset({"of", "the", "a", "an", "for", "in", "at", "on", "is", "s"})
_NOISE = frozenset({"dd", "mm", "yyyy", "yy", "ddmmyyyy", "yn", "code"})
PERSON_QUALIFIERS = frozenset({"pupil", "child", "student", "learner", "legal"})
PLACE_QUALIFIERS = frozenset({"school", "establishment"})
SCHOOL_FIELDS_ALL = frozenset({
    "laestab", "urn", "school_name", "school", "la_code", "establishment_number", "school_type",
    "phase", "open_date", "close_date", "low_age", "high_age", "link_urn",
})  # fmt: skip
_ELSEWHERE = frozenset({
    "previous", "prior", "former", "old", "last", "next", "destination", "parent", "carer",
    "mother", "father", "guardian", "sibling", "contact", "emergency", "preferred", "known",
    "alias", "doctor", "gp", "tutor", "teacher", "staff", "worker", "social", "feeder", "home",
    "base", "other", "new",
})  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[0-9a-z]+")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def header_words(text: str) -> tuple[str, ...]:
    """A header's words as the matcher compares them: 'Pupil No.' -> ('pupil', 'number')."""
    text = re.sub(r"\bDfES?\b", " DFE ", text)
    text = text.replace("(s)", "").replace("(S)", "").replace("#", " number ")
    text = re.sub(r"\b([A-Z]{2,})s\b", r"\1", text)  # 'UPNs' is UPN's plural, not 'UP Ns'
    text = _CAMEL.sub(" ", text).casefold()
    raw = _WORD.findall(text)
    words: list[str] = []
    run: list[str] = []
    for word in [*raw, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)  # 'D.O.B.', 'N.C.' -> 'dob', 'nc'
            continue
        if run:
            words.append("".join(run) if len(run) > 1 else run[0])
            run = []
        if word:
            words.append(word)
    found: list[str] = []
    for word in words:
        for each in _ABBREVIATIONS.get(word, (word,)):
            each = _singular(each)
            if each not in _LITTLE_WORDS and each not in _NOISE:
                found.append(each)
    return tuple(found)


EXCLUSION_QUALIFIERS = frozenset({"exclusion", "excluded", "suspension", "suspended"})
EXCLUSION_FIELDS = frozenset({
    "category", "start_date", "end_date", "sessions", "days", "reason1", "reason2", "reason3",
    "review_outcome",
})  # fmt: skip


def _qualifiers_for(field_name: str) -> frozenset[str]:
    if field_name in SCHOOL_FIELDS_ALL:
        return PLACE_QUALIFIERS
    if field_name in EXCLUSION_FIELDS:
        return EXCLUSION_QUALIFIERS
    return PERSON_QUALIFIERS


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """A field a header may name, and how sure the matcher is."""

    field: str
    confidence: float

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


@cache
def _synonym_words() -> tuple[tuple[str, frozenset[str]], ...]:
    """(field, the words of one of its synonyms), in the synonym lists' order."""
    found: list[tuple[str, frozenset[str]]] = []
    for field_name, texts in _synonym_texts().items():
        for text in texts:
            words = frozenset(header_words(text))
            if words:
                found.append((field_name, words))
    return tuple(found)


@cache
def _synonym_texts() -> dict[str, tuple[str, ...]]:
    """field -> its name and synonyms as written in the lists (shipped, then the admin's)."""
    texts: dict[str, dict[str, None]] = {}

    def read(text: str) -> None:
        for row in csv.DictReader(io.StringIO(text)):
            name = (row.get("field") or "").strip()
            if not name:
                continue
            into = texts.setdefault(name, {name.replace("_", " "): None})
            for synonym in (row.get("synonyms") or "").split("|"):
                if synonym.strip():
                    into[synonym.strip()] = None

    read((resources.files("imports") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8"))
    extra = config.data_dir() / SYNONYMS_FILE
    if extra.is_file():
        read(extra.read_text(encoding="utf-8-sig"))
    return {name: tuple(found) for name, found in texts.items()}


def match_header(
    text: object, allowed: Collection[str], *, proposals: bool = True
) -> list[HeaderMatch]:
    """The fields of `allowed` a header may name, the likeliest first (at most one per field);
    without `proposals`, the confident ones only."""
    header = header_text(text)
    if not header:
        return []
    return list(_matches(header, frozenset(allowed), proposals))


_VAGUE = frozenset({"date", "number", "name", "type", "reference", "status"})
# A bracket listing the values a column takes ('Type (FIX/PERM)', 'Sessions (AM/PM)',
# 'Excluded? (Y/N)') explains the values, not what the column is: the header is read without it.
_VALUES_LIST = re.compile(r"\(([^()]*/[^()]*)\)")


@lru_cache(maxsize=8192)
def _matches(header: str, allowed: frozenset[str], proposals: bool) -> tuple[HeaderMatch, ...]:
    best: dict[str, float] = {}

    def offer(field_name: str, confidence: float) -> None:
        if field_name in allowed and confidence > best.get(field_name, 0.0):
            best[field_name] = confidence

    for rank, field_name in enumerate(fields_for_header(header)):
        offer(field_name, EXACT - rank * 0.001)
    words = frozenset(header_words(header))
    qualified: set[str] = set()
    for field_name, synonym in _synonym_words() if words else ():
        if field_name not in allowed:
            continue
        if words == synonym:
            offer(field_name, WORDS)
            continue
        qualifiers = _qualifiers_for(field_name)
        core, synonym_core = words - qualifiers, synonym - qualifiers
        if core and core == synonym_core:
            qualified.add(field_name)
        elif (
            synonym < words
            and synonym_core - _VAGUE  # 'date' alone says nothing
            and not (words - synonym) & _ELSEWHERE
        ):
            offer(field_name, CONTAINS)
    for field_name in qualified:
        # Sure only when the words name one field: 'Pupil number' and 'School number' both
        # come to 'number'.
        offer(field_name, QUALIFIED if len(qualified) == 1 else CONTAINS)
    explained = " ".join(_VALUES_LIST.sub(" ", header).split())
    if explained and explained != header:
        for found in _matches(explained, allowed, proposals):
            offer(found.field, min(found.confidence, QUALIFIED))
    key = header_key(header)
    if not best and proposals and len(key) >= 5 and not words & _ELSEWHERE:
        for field_name in allowed:
            keys = [header_key(t) for t in _synonym_texts().get(field_name, ())]
            if difflib.get_close_matches(key, keys, n=1, cutoff=0.9):
                offer(field_name, MISSPELT)
    ranked = sorted(best.items(), key=lambda p: (-p[1], _order(p[0])))
    return tuple(HeaderMatch(f, c) for f, c in ranked if proposals or c >= CONFIDENT)


@cache
def _field_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(_synonym_texts())}


def _order(field_name: str) -> int:
    return _field_order().get(field_name, len(_field_order()))


def nearest_headers(headers: Collection[str], field_name: str) -> list[tuple[float, str]]:
    """(likeness, header) of the headers most like a field's name and synonyms (by their words,
    then their letters), the likeliest first; those under half alike are left out."""
    texts = _synonym_texts().get(field_name, (field_name,))
    scored: list[tuple[float, int, str]] = []
    for index, header in enumerate(headers):
        words = set(header_words(header))
        key = header_key(header)
        best = 0.0
        for text in texts:
            synonym = set(header_words(text))
            shared = len(words & synonym) / max(len(words | synonym), 1)
            letters = difflib.SequenceMatcher(None, key, header_key(text)).ratio()
            best = max(best, shared, letters * 0.9)
        if best >= 0.5:
            scored.append((-best, index, header))
    return [(-score, header) for score, _, header in sorted(scored)]


def header_text(cell: object) -> str:
    """A header cell as text (numbers as header names are rare but harmless)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


@dataclass(frozen=True, slots=True)
class HeaderMapping:
    """What the matcher made of a header row for one kind of file."""

    mapped: dict[int, str]  # column index -> field, the confident matches
    proposed: dict[int, str]  # column index -> field, doubtful: to be confirmed, not used unasked


def read_headers(headers: list[str], kind: Kind) -> HeaderMapping:
    """Each field from one column: the surest match first (an exact name before a reworded one),
    then the first column; of two fields a header names equally surely, the heavier wins, then
    the one listed first. A doubtful match is proposed only for a field no column has."""
    allowed = SPECS[kind].weights
    found: list[tuple[float, int, float, int, str]] = []
    for index, text in enumerate(headers):
        for rank, match in enumerate(match_header(text, allowed)):
            found.append((-match.confidence, index, -allowed[match.field], rank, match.field))
    mapped: dict[int, str] = {}
    proposed: dict[int, str] = {}
    taken: set[str] = set()
    for confidence, index, _weight, _rank, field_name in sorted(found):
        if index in mapped or index in proposed or field_name in taken:
            continue
        (mapped if -confidence >= CONFIDENT else proposed)[index] = field_name
        taken.add(field_name)
    return HeaderMapping(dict(sorted(mapped.items())), dict(sorted(proposed.items())))


def map_headers(headers: list[str], kind: Kind) -> dict[int, str]:
    """Column index -> field of `kind`, the confident matches only (see read_headers)."""
    return read_headers(headers, kind).mapped


def kind_score(headers: list[str], kind: Kind) -> float:
    weights = SPECS[kind].weights
    mapped = set(map_headers(headers, kind).values())
    score = sum(weights[f] for f in mapped)
    if not missing_required(kind, mapped):
        score += 5
    return score


def detect_kind(headers: list[str]) -> Kind | None:
    """The kind whose fields the headers name best; None when they name almost nothing."""
    scored = [(kind_score(headers, kind), kind) for kind in Kind]
    score, kind = max(scored, key=lambda pair: pair[0])
    return kind if score >= 6 else None


@cache
def _all_fields() -> frozenset[str]:
    return frozenset(f for spec in SPECS.values() for f in spec.weights)


def row_score(row: list[object]) -> int:
    """How many cells of a row read confidently as known column names (a misspelling is never
    confident, so the search for one is skipped: it was most of the time of finding the header,
    on rows of names and codes)."""
    return sum(
        1
        for cell in row
        if isinstance(cell, str) and match_header(cell, _all_fields(), proposals=False)
    )


@dataclass(frozen=True, slots=True)
class HeaderGuess:
    row_index: int
    headers: list[str]
    score: int


def find_header(rows: list[list[object]]) -> HeaderGuess | None:
    """The row among the first few whose cells name the most known columns (at least two)."""
    best: HeaderGuess | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = row_score(row)
        if score >= 2 and (best is None or score > best.score):
            best = HeaderGuess(index, [header_text(c) for c in row], score)
    return best


def header_signature(headers: list[str]) -> str:
    """A fingerprint of a file's shape: its non-blank header names, normalised, in order."""
    keys = [header_key(h) for h in headers if header_key(h)]
    return hashlib.sha256("|".join(keys).encode("utf-8")).hexdigest()
