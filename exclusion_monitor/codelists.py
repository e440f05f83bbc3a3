"""Code lists (exclusion categories, reasons and review outcomes, SEN, enrol status, NC years,
phases, ethnicity, LA numbers, sex) loaded once from the CSV files shipped in `data/codelists`
(docs/rules.md#code-lists).

An admin extends a list by putting a CSV of the same name and columns in the user code-list
folder (`config.user_codelists_dir()`); its rows add to, or replace, the shipped rows.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from exclusion_monitor import config

_BLANKS = re.compile(r"[\s_]+")
_YEAR_WORDS = re.compile(r"^(?:national\s*curriculum\s*)?(?:year|yr|y|ncy|nc)\s*-?\s*(\d{1,2})$")

log = logging.getLogger(__name__)

CATEGORIES = "exclusion_categories"
REASONS = "exclusion_reasons"
SEN = "sen_provision"
ENROL_STATUS = "enrol_status"
NC_YEARS = "nc_years"
PHASES = "phases"
ETHNICITY = "ethnicity"
REVIEW_OUTCOMES = "review_outcomes"
LA_NUMBERS = "la_numbers"
SEX = "sex"


def _key(text: str) -> str:
    """Lookup key: case-folded, inner blanks collapsed, trailing full stops dropped."""
    return _BLANKS.sub(" ", text.strip().rstrip(".")).casefold()


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label: str
    extra: Mapping[str, str] = field(default_factory=dict)


class CodeList:
    """An ordered list of codes with lookup by code, label or any synonym (case-insensitive)."""

    def __init__(self, name: str, rows: list[dict[str, str]]) -> None:
        self.name = name
        self._codes: dict[str, Code] = {}
        self._lookup: dict[str, str] = {}
        for row in rows:
            self._add(row)

    def _add(self, row: dict[str, str]) -> None:
        code = (row.get("code") or "").strip()
        if not code:
            return
        extra = {
            k: (v or "").strip()
            for k, v in row.items()
            if k not in ("code", "label", "synonyms") and k is not None
        }
        self._codes[code] = Code(code, (row.get("label") or code).strip(), extra)
        names = [code, row.get("label") or "", *(row.get("synonyms") or "").split("|")]
        for name in names:
            if name.strip():
                self._lookup[_key(name)] = code

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes.values())

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def get(self, code: str) -> Code | None:
        return self._codes.get(code)

    def codes(self) -> list[str]:
        return list(self._codes)

    def names(self) -> list[tuple[str, str]]:
        """Every (lookup key, code) pair: codes, labels and synonyms."""
        return list(self._lookup.items())

    def match(self, text: object) -> Code | None:
        """The code that `text` names (a code, label or synonym, any case), else None.

        A code whose `maps_to` column is set (a legacy code) resolves to the code it maps to.
        """
        if text is None:
            return None
        found = self._lookup.get(_key(str(text)))
        if found is None:
            return None
        code = self._codes[found]
        target = code.extra.get("maps_to")
        if target and target in self._codes:
            return self._codes[target]
        return code


def _read_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@cache
def codelist(name: str) -> CodeList:
    """The named code list, shipped rows first then any admin rows (loaded once per process)."""
    shipped = resources.files("exclusion_monitor") / "data" / "codelists" / f"{name}.csv"
    rows = _read_rows(shipped.read_text(encoding="utf-8"))
    extra_file = config.user_codelists_dir() / f"{name}.csv"
    if extra_file.is_file():
        rows += _read_rows(Path(extra_file).read_text(encoding="utf-8-sig"))
    return CodeList(name, rows)


def shipped_names() -> list[str]:
    """Names of the code lists shipped with the program (the CSV files in `data/codelists`)."""
    folder = resources.files("exclusion_monitor") / "data" / "codelists"
    return sorted(
        entry.name.removesuffix(".csv") for entry in folder.iterdir() if entry.name.endswith(".csv")
    )


def reload_codelists() -> None:
    """Forget cached lists so the next use reads the files again (after an admin edit)."""
    for cached in (codelist, _outcome_lookup, nc_year_orders, history_statuses, _reason_wording):
        cached.cache_clear()


def nc_year(text: object) -> str | None:
    """'R', 'N1', '7', 'X' from 'Reception', 'Year 7', 'Y7', '7', '07', 7.0 and the like."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{1,2}(\.0+)?", raw):
        raw = str(int(float(raw)))
    years = codelist(NC_YEARS)
    found = years.match(raw)
    if found is not None:
        return found.code
    words = _YEAR_WORDS.match(_key(raw))
    if words:
        number = str(int(words.group(1)))
        return number if number in years else None
    return None


def la_name(code: str) -> str:
    """An authority by its DfE LA number: its name from the LA list, else 'LA 886'."""
    found = codelist(LA_NUMBERS).get(code)
    return found.label if found else f"LA {code}"


def year_group_label(code: str | None, *, short: bool = False, unknown: str = "") -> str:
    """How a year group reads everywhere (screen, print, command line, rule reasons): the code
    list's label ('Reception', 'Year 7', 'Nursery 1'), or with `short` its code as a column head
    has room for ('R', 'Y7', 'N1'); a code the list does not know as given; None as `unknown`."""
    if not code:
        return unknown
    if short:
        return f"Y{code}" if code.isdigit() else code
    found = codelist(NC_YEARS).get(code)
    return found.label if found else code


def nc_year_order(code: str) -> int:
    """Sort order of an NC year code (N1 < N2 < R < 1 .. 14 < X; 99 for no known code)."""
    return nc_year_orders().get(code, 99)


@cache
def nc_year_orders() -> dict[str, int]:
    """Each NC year code's order, read once: every census point of every child asks (look a
    code up with `.get(code, 99)`, as `nc_year_order` does). A code whose order is not a whole
    number (left blank in an admin's file, say) has no known order, as an unknown code has: it
    is never read as a year group, and the list's other codes keep theirs."""
    orders: dict[str, int] = {}
    for code in codelist(NC_YEARS):
        text = code.extra.get("order", "99")
        try:
            orders[code.code] = int(text)
        except ValueError:
            log.warning(
                "NC year code %r has no whole-number order (%r): not a year group", code.code, text
            )
            orders[code.code] = 99
    return orders


def is_primary_year(code: str | None) -> bool:
    """NC years R to 6 (domain rule `primary_exclusion`)."""
    return code is not None and 0 <= nc_year_order(code) <= 6


def ethnicity_code(text: object) -> Code | None:
    """The ethnicity code `text` names as recorded: a main code or a DfE extended code (by its
    code, label or a synonym), else None. Nothing is guessed from part of the text."""
    if text is None:
        return None
    return codelist(ETHNICITY).match(text)


def main_ethnicity(code: object) -> Code | None:
    """The main code an ethnicity rolls up to (WENG -> WBRI, BSOM -> BAFR; a main code is its own),
    through the `main` column of the shipped mapping; None for a blank or unknown value."""
    found = ethnicity_code(code)
    if found is None:
        return None
    parent = found.extra.get("main")
    return codelist(ETHNICITY).get(parent) if parent else found


def ethnicity(text: object) -> Code | None:
    """The main ethnicity code for `text` (a main or extended code, label or synonym)."""
    return main_ethnicity(text)


def reason_trend_group(code: str) -> str:
    """The reason code a reason is counted with when comparing years: a newer code with the code
    it was split from (LD and CB with DB; DR, AR, SR and VR with DA), any other code itself."""
    found = codelist(REASONS).get(code)
    return (found.extra.get("trend_group") or code) if found else NOT_A_REASON_CODE


REASON_WORDING_FILE = "reason_wording.csv"
NOT_A_REASON_CODE = "not a DfE reason code (kept as the school wrote it)"


@cache
def _reason_wording() -> dict[str, str]:
    """A school system's wording of a reason (loosely keyed) -> the DfE code: the shipped list
    (exclusion_monitor/data/reason_wording.csv), then an admin's file of the same name and columns
    in the data folder (docs/formats.md, "Exclusions as school systems write them")."""
    from exclusion_monitor import config

    texts = [(resources.files("exclusion_monitor") / "data" / REASON_WORDING_FILE).read_text(
        encoding="utf-8"
    )]  # fmt: skip
    extra = config.data_dir() / REASON_WORDING_FILE
    if extra.is_file():
        texts.append(extra.read_text(encoding="utf-8-sig"))
    found: dict[str, str] = {}
    reasons = codelist(REASONS)
    for text in texts:
        for row in _read_rows(text):
            code = (row.get("code") or "").strip().upper()
            key = _loose_key(row.get("wording") or "")
            if key and reasons.get(code) is not None:
                found[key] = code
    return found


def reason_code(text: object) -> str | None:
    """The DfE reason code a cell names: a code, the list's label or synonym, or a school
    system's wording ('Verbal abuse - adult' -> VA); None when it names none."""
    if text is None:
        return None
    found = codelist(REASONS).match(text)
    if found is not None:
        return found.code
    return _reason_wording().get(_loose_key(str(text)))


def is_reason_code(code: str) -> bool:
    """A code of the DfE reason list (a reason kept as a school wrote it is not one)."""
    return codelist(REASONS).get(code) is not None


def _loose_key(text: str) -> str:
    """Review outcomes are typed freely: case, punctuation and spacing are ignored."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


@cache
def _outcome_lookup() -> dict[str, str]:
    return {_loose_key(name): code for name, code in codelist(REVIEW_OUTCOMES).names()}


def review_outcome(text: object) -> Code | None:
    """The review outcome a school's wording names ('Governing board reinstated pupil' ->
    REINSTATED), ignoring case and punctuation; None for a blank or unknown wording."""
    if text is None:
        return None
    key = _loose_key(str(text))
    code = _outcome_lookup().get(key) if key else None
    return codelist(REVIEW_OUTCOMES).get(code) if code else None


def counts_for_history(enrol_status: str | None) -> bool:
    """C and M registrations make the school history; S and G are placements."""
    return enrol_status is None or enrol_status in history_statuses()


@cache
def history_statuses() -> frozenset[str]:
    """The enrolment statuses whose registrations make the school history (C and M)."""
    return frozenset(
        c.code for c in codelist(ENROL_STATUS) if c.extra.get("counts_for_history") == "yes"
    )


def phase_label(code: str | None) -> str:
    """How a school phase code reads to a person ('pru_ap' -> 'PRU / alternative provision')."""
    if not code:
        return ""
    found = codelist(PHASES).get(code)
    return found.label if found else code
