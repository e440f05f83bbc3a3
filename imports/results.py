"""What an import tells its caller: a FileResult per file, a FilePreview for the Imports page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["imported", "refused", "already_imported"]


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int
    reason: str
    upn: str | None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason, "upn": self.upn}


@dataclass(slots=True)
class FileResult:
    """The outcome of importing one file (the `import --format json` object, docs/formats.md)."""

    file: str
    kind: str | None
    status: Status
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    batch_id: int | None = None
    message: str | None = None
    sheet: str | None = None
    # A census file: for each collection it brought, how many schools have returned it so far.
    census_coverage: list[dict[str, Any]] = field(default_factory=list)
    # Children a Former UPN joined and the import merged: kept_child, merged_child, upn,
    # former_upn, row (for the audit trail and `import --format json`).
    merges: list[dict[str, Any]] = field(default_factory=list)
    # Not the file's fault: the database was busy or its server went away. Try again later.
    try_again: bool = False
    # The file's columns the import did not read (nothing is dropped in silence), and those of
    # them that looked like a field but were not certain enough to use: header, field, label.
    not_used: list[str] = field(default_factory=list)
    proposed: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "rejected": [r.to_json() for r in self.rejected],
            "warnings": list(self.warnings),
            "batch_id": self.batch_id,
            "message": self.message,
            "sheet": self.sheet,
            "census_coverage": list(self.census_coverage),
            "merges": list(self.merges),
            "try_again": self.try_again,
            "not_used": list(self.not_used),
            "proposed": [dict(p) for p in self.proposed],
        }


@dataclass(frozen=True, slots=True)
class FieldChoice:
    """A field a mapping editor can offer for a column."""

    name: str
    label: str
    required: bool


@dataclass(slots=True)
class FilePreview:
    """What the intake understood of a file, before importing it."""

    file: str
    file_format: str
    sheets: list[str]
    sheet: str | None
    header_row: int | None  # 1-based, as the spreadsheet shows it
    headers: list[str]
    kind: str | None
    mapping: dict[str, str]  # column header -> field
    unmapped: list[str]
    missing: list[str]  # required fields (plain names) the mapping lacks
    rows: list[list[str]]  # the first data rows, as text
    fields: list[FieldChoice]
    header_signature: str | None
    profile_name: str | None = None
    warnings: list[str] = field(default_factory=list)
    message: str | None = None  # why the file cannot be imported as it stands
    # Column header -> field: headers that may name a field no column has (to be confirmed).
    proposed: dict[str, str] = field(default_factory=dict)
    # Where a census date box starts for a census with no date column (the file's own term).
    suggested_census_date: dt.date | None = None

    @property
    def ready(self) -> bool:
        return self.message is None and not self.missing
