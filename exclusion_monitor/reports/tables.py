"""A report table as plain data: typed columns and rows, ready to print, export or show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from exclusion_monitor.display import uk_date, uk_time

Cell = str | int | float | dt.date | None


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: ColumnKind = ColumnKind.TEXT
    width: int | None = None  # characters; None lets the writer choose


@dataclass(frozen=True, slots=True)
class ReportTable:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True, slots=True)
class ReportImage:
    """A picture in a report (a chart), as PNG, with its printed size."""

    title: str
    png: bytes
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every printout and export says about itself: what, for whom, as of when, by whom."""

    title: str
    authority: str
    as_of: dt.date | None
    filter_description: str
    produced_by: str
    produced_at: dt.datetime
    marking: str = "OFFICIAL-SENSITIVE"
    audit_hash: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)

    def describe(self) -> list[tuple[str, str]]:
        """Label/value pairs for a cover sheet or page header."""
        rows = [
            ("Marking", self.marking),
            ("Report", self.title),
            ("Local authority", self.authority),
            ("As of", uk_date(self.as_of, "latest data")),
            ("Filter", self.filter_description or "none"),
            ("Produced by", self.produced_by),
            ("Produced at", uk_time(self.produced_at)),
        ]
        if self.audit_hash:
            rows.append(("Audit chain", self.audit_hash))
        rows.extend(("Note", note) for note in self.notes)
        return rows
