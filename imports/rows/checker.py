"""Checking a run of rows of one kind against the kind's declaration, on two paths that give the
same result: column by column for the rows every field can settle, and row by row, in full, for
the others (imports/rows/fields.py says how a declaration serves both)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from imports.kinds import Kind
from imports.rows.census import CENSUS
from imports.rows.columns import Columns, FileCaches
from imports.rows.common import Record, RowContext, RowRejected, Warnings, label
from imports.rows.enrolments import ENROLMENTS
from imports.rows.exclusions import EXCLUSIONS
from imports.rows.fields import KindRows, Reading
from imports.rows.register import SCHOOL_LINKS, SCHOOLS
from imports.text_cells import over_long_reason, over_long_rows

DECLARATIONS: dict[Kind, KindRows] = {
    Kind.CENSUS: CENSUS,
    Kind.EXCLUSIONS: EXCLUSIONS,
    Kind.ENROLMENTS: ENROLMENTS,
    Kind.SCHOOLS: SCHOOLS,
    Kind.SCHOOL_LINKS: SCHOOL_LINKS,
}


class RowChecker:
    """Turns raw rows into records (or rejections with their reasons), noting warnings.

    Rows are checked a run at a time: each column is cleaned and parsed once per distinct value,
    the rows no field doubts are settled column by column, then every other row is checked in
    full, in order, so reasons and warnings come out exactly as a row-by-row check gives them.
    """

    def __init__(self, context: RowContext, warnings: Warnings) -> None:
        self.ctx = context
        self.warnings = warnings
        self.declaration = DECLARATIONS[context.kind]
        self.caches = FileCaches()
        self.quick = True  # False: every row through the full check (tests compare the two)

    def readings(self, columns: Columns) -> list[Reading]:
        """Each field's reading of a run of rows."""
        return [field.read(columns) for field in self.declaration.fields]

    def columns(self, raws: list[list[object]]) -> Columns:
        return Columns(self.ctx, self.warnings, self.caches, raws)

    def check_rows(
        self, rows: Sequence[tuple[int, list[object]]]
    ) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
        """(row number, record) for the good rows and (row number, reason) for the rest."""
        raws = [raw for _, raw in rows]
        columns = self.columns(raws)
        too_long = over_long_rows(self.ctx.columns, columns.as_read, raws, label)
        if too_long:  # those rows are rejected now; the others are checked as usual
            good, bad = self.check_rows([r for i, r in enumerate(rows) if i not in too_long])
            bad += [(rows[i][0], reason) for i, reason in too_long.items()]
            return good, sorted(bad)
        readings = self.readings(columns)
        settled = settle(readings, len(raws)) if self.quick else None
        if settled is not None and None not in settled:  # every row passed every check
            return list(zip([line for line, _ in rows], settled, strict=True)), []  # type: ignore[arg-type]
        records: list[tuple[int, Record]] = []
        rejected: list[tuple[int, str]] = []
        for i, (line, raw) in enumerate(rows):
            if settled is not None:
                record = settled[i]
                if record is not None:
                    records.append((line, record))
                    continue
            try:
                records.append((line, check_one(readings, i, line)))
            except RowRejected as exc:
                long = over_long_reason(raw, self.ctx.columns, label)
                rejected.append((line, long or str(exc)))
        return records, rejected


def check_one(readings: list[Reading], i: int, line: int) -> Record:
    """Row i in full: its record, or RowRejected with the first reason found."""
    record: Record = {}
    for reading in readings:
        reading.check(i, line, record)
    return record


def settle(readings: list[Reading], count: int) -> list[Record | None] | None:
    """The records of the rows no field doubts, column by column (None for each other row); None
    when a field has no column-wise judgement."""
    doubt: set[int] = set()
    for reading in readings:
        found = reading.doubtful()
        if found is None:
            return None
        doubt.update(found)
    if len(doubt) == count:
        return [None] * count
    keys = [key for reading in readings for key in reading.keys]
    columns = [column for reading in readings for column in reading.values()]
    assert len(keys) == len(columns), "a field gives one column of values per key"
    # Every row's record made in one pass at C speed; the doubted ones are then taken back.
    settled: list[Record | None] = list(
        map(dict, map(zip, repeat(keys), zip(*columns, strict=True)))
    )
    for i in doubt:
        settled[i] = None
    return settled
