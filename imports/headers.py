"""Finding the header row, recognising column names through the synonym lists, detecting the kind.

Synonyms are data (`imports/data/header_synonyms.csv`); an admin adds more by putting a file of the
same name and columns (`field,synonyms`) in the user data folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
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
    synonyms.cache_clear()


def fields_for_header(text: object) -> tuple[str, ...]:
    return synonyms().get(header_key(text), ())


def header_text(cell: object) -> str:
    """A header cell as text (numbers as header names are rare but harmless)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def map_headers(headers: list[str], kind: Kind) -> dict[int, str]:
    """Column index -> field of `kind`, first column wins when two name the same field; of two
    fields a header names, the heavier wins, then the one listed first."""
    allowed = SPECS[kind].weights
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, text in enumerate(headers):
        candidates = [f for f in fields_for_header(text) if f in allowed and f not in taken]
        if candidates:
            chosen = max(candidates, key=lambda f: allowed[f])
            mapping[index] = chosen
            taken.add(chosen)
    return mapping


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


def row_score(row: list[object]) -> int:
    """How many cells of a row read as known column names."""
    return sum(1 for cell in row if isinstance(cell, str) and fields_for_header(cell))


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
