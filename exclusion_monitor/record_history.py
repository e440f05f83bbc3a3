"""What an amended return changed, in words: the values a record's returns gave, for the import's
warnings and the child's profile (docs/rules.md, "One record across returns")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# In the order an officer reads them.
LABELS = {
    "sessions": "sessions",
    "reasons": "reasons",
    "end_date": "end date",
    "review_outcome": "review outcome",
    "start_session": "start session",
    "end_session": "end session",
    "nc_year": "year group",
    "enrol_status": "enrolment status",
    "entry_date": "entry date",
    "fsm": "free school meals",
    "sen": "SEN provision",
    "ethnicity": "ethnicity",
    "looked_after": "looked after",
    "address_line1": "address",
    "postcode": "postcode",
    "family_ref": "family reference",
    "leaving_date": "leaving date",
    "leaving_reason": "leaving reason",
    "destination": "destination",
}
REASONS = ("reason1", "reason2", "reason3", "reasons_as_written")
# Kept for each return but not an amendment: the UPN it was returned under, and an exclusion's
# school (a predecessor's or successor's LAESTAB for one school).
NOT_AMENDMENTS = frozenset({"upn_seen", "school_id"})


BLANK = "blank"


def value_text(name: str, value: Any) -> str:
    if value is None or value == "" or value == ():
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values as an officer reads them: the reasons as one, the rest by name (what is
    not an amendment left out)."""
    out: dict[str, Any] = {}
    reasons = tuple(values[name] for name in REASONS if values.get(name) is not None)
    if any(name in values for name in REASONS):
        out["reasons"] = reasons or None
    for name, value in values.items():
        if name not in REASONS and name not in NOT_AMENDMENTS:
            out[name] = value
    order = {name: i for i, name in enumerate(LABELS)}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(label, before, after) of each value that differs, in words."""
    old, new = fields(before), fields(after)
    return [
        (label(name), value_text(name, old.get(name)), value_text(name, new.get(name)))
        for name in new
        if old.get(name) != new[name]
    ]


@dataclass(frozen=True, slots=True)
class EarlierReturn:
    """What one earlier return said of a record, where it differs from what the record holds."""

    batch_id: int
    file_name: str | None
    imported_at: dt.datetime | None
    row_number: int | None
    said: tuple[tuple[str, str], ...]  # (label, value in words)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "file": self.file_name,
            "imported_at": self.imported_at,
            "row": self.row_number,
            "values": {name: None if value == BLANK else value for name, value in self.said},
        }

    def sentence(self) -> str:
        where = f"batch {self.batch_id}" + (f" ({self.file_name}" if self.file_name else "")
        where += f", row {self.row_number}" if self.row_number and self.file_name else ""
        where += ")" if self.file_name else ""
        when = f", imported {self.imported_at:%d/%m/%Y}" if self.imported_at else ""
        said = ", ".join(f"{name} {value}" for name, value in self.said)
        return f"{where}{when} said {said}"


def earlier_returns(
    current: Mapping[str, Any],
    versions: Sequence[tuple[int, int | None, Mapping[str, Any]]],
    batches: Mapping[int, tuple[str, dt.datetime]],
) -> tuple[EarlierReturn, ...]:
    """The returns (oldest first) that said something else of a value than the record holds,
    before the return it holds the value from: a blank counts there (a review outcome first
    returned blank, then "Reinstated"), but a later return that leaves a value blank says
    nothing about it."""
    now = fields(current)
    stated = [(batch, row, fields(values)) for batch, row, values in versions]
    giver: dict[str, int] = {}  # value -> the batch the record holds it from
    for batch, _, values in stated:
        for name, value in values.items():
            if value is not None:
                giver[name] = batch
    found = []
    for batch_id, row_number, values in stated:
        said = tuple(
            (label(name), value_text(name, value))
            for name, value in values.items()
            if value != now.get(name) and name in giver and batch_id < giver[name]
        )
        if said:
            file_name, at = batches.get(batch_id, (None, None))
            found.append(EarlierReturn(batch_id, file_name, at, row_number, said))
    return tuple(found)
