"""Reading OpenDocument spreadsheets (.ods) with the sheet limits applied while parsing.

An .ods file writes a run of identical rows or cells once, with a repeat count: a kilobyte can
claim a million rows. The reader counts repeats and never expands a run of empty rows or cells
(they become real only when a cell with a value follows, and only up to it), so memory follows
the cells that hold values; a sheet whose values reach beyond the .xlsx limits (rows, columns,
cells from A1 to the last value) is refused as soon as the parser meets the cell that does.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from imports.errors import FileRefusedError
from imports.file_checks import (
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    ZIP_ERRORS,
    stream_part,
)

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SEP = " "  # expat's separator between a namespace and a local name
T_TABLE = f"{_TABLE}{_SEP}table"
T_ROW = f"{_TABLE}{_SEP}table-row"
T_CELL = f"{_TABLE}{_SEP}table-cell"
T_COVERED = f"{_TABLE}{_SEP}covered-table-cell"
A_NAME = f"{_TABLE}{_SEP}name"
A_ROWS_REPEATED = f"{_TABLE}{_SEP}number-rows-repeated"
A_COLUMNS_REPEATED = f"{_TABLE}{_SEP}number-columns-repeated"
A_COLUMNS_SPANNED = f"{_TABLE}{_SEP}number-columns-spanned"
A_ROWS_SPANNED = f"{_TABLE}{_SEP}number-rows-spanned"
A_VALUE_TYPE = f"{_OFFICE}{_SEP}value-type"
A_VALUE = f"{_OFFICE}{_SEP}value"
A_DATE_VALUE = f"{_OFFICE}{_SEP}date-value"
A_BOOLEAN_VALUE = f"{_OFFICE}{_SEP}boolean-value"
A_STRING_VALUE = f"{_OFFICE}{_SEP}string-value"
E_ANNOTATION = f"{_OFFICE}{_SEP}annotation"
E_PARAGRAPH = f"{_TEXT}{_SEP}p"
E_HEADING = f"{_TEXT}{_SEP}h"
E_SPACE = f"{_TEXT}{_SEP}s"
E_TAB = f"{_TEXT}{_SEP}tab"
E_LINE_BREAK = f"{_TEXT}{_SEP}line-break"
A_SPACE_COUNT = f"{_TEXT}{_SEP}c"
_NUMBER_TYPES = {"float", "percentage", "currency"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?")

Cell = object
Merged = tuple[tuple[int, int], tuple[int, int]]


@dataclass(slots=True)
class OdsSheet:
    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    width: int = 0


def _count(attrs: dict[str, str], name: str) -> int:
    """A repeat or span count; a missing, malformed or non-positive one counts as 1."""
    value = attrs.get(name)
    if value is None:
        return 1
    try:
        count = int(value)
    except ValueError:
        return 1
    return count if count > 0 else 1


class _Parser:
    """Expat callbacks that build each sheet's rows, enforcing the limits as cells arrive."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.sheets: list[OdsSheet] = []
        self.sheet: OdsSheet | None = None
        self.table_depth = 0  # a table nested inside a cell is read as text, not as a sheet
        self.skip_depth = 0  # inside an annotation (a comment), whose text is not the cell's
        self.pending_rows = 0  # empty rows since the last row with a value
        self.row: list[Cell] | None = None
        self.row_repeat = 1
        self.pending_cells = 0  # empty cells since the last cell with a value, in this row
        self.cell: dict[str, str] | None = None
        self.cell_repeat = 1
        self.text: list[str] = []
        self.paragraphs = 0

    # -- limits --------------------------------------------------------------------------
    def _refuse(self, rows: int, columns: int) -> None:
        assert self.sheet is not None
        name, sheet = self.file_name, self.sheet.name
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
            raise FileRefusedError(
                f"{name}: the sheet '{sheet}' reaches row {rows:,} and column {columns:,}, over "
                f"the limit of {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS:,} columns; delete "
                "the unused rows and columns (or split the sheet) and save it again."
            )
        raise FileRefusedError(
            f"{name}: the sheet '{sheet}' spans {rows:,} rows by {columns:,} columns "
            f"({rows * columns:,} cells), over the limit of {MAX_SHEET_CELLS:,} cells; delete "
            "the unused columns or split the sheet into smaller files."
        )

    def _check(self, rows: int, columns: int) -> None:
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > MAX_SHEET_CELLS:
            self._refuse(rows, columns)

    # -- expat callbacks -----------------------------------------------------------------
    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.skip_depth:
            self.skip_depth += 1
            return
        if self.cell is not None:
            self._start_in_cell(tag, attrs)
            return
        if tag == T_ROW and self.sheet is not None and self.table_depth == 1:
            self.row = []
            self.row_repeat = _count(attrs, A_ROWS_REPEATED)
            self.pending_cells = 0
        elif tag in (T_CELL, T_COVERED) and self.row is not None:
            self.cell = attrs
            self.cell_repeat = _count(attrs, A_COLUMNS_REPEATED)
            self.text = []
            self.paragraphs = 0
        elif tag == T_TABLE:
            self.table_depth += 1
            if self.table_depth == 1:
                self.sheet = OdsSheet(attrs.get(A_NAME) or f"Sheet{len(self.sheets) + 1}")
                self.sheets.append(self.sheet)
                self.pending_rows = 0

    def _start_in_cell(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == E_ANNOTATION:
            self.skip_depth = 1
        elif tag in (E_PARAGRAPH, E_HEADING):
            if self.paragraphs:
                self.text.append("\n")
            self.paragraphs += 1
        elif tag == E_SPACE:
            self.text.append(" " * min(_count(attrs, A_SPACE_COUNT), 1000))
        elif tag == E_TAB:
            self.text.append("\t")
        elif tag == E_LINE_BREAK:
            self.text.append("\n")

    def end(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if self.cell is not None:
            if tag in (T_CELL, T_COVERED):
                self._end_cell()
            return
        if tag == T_ROW and self.row is not None:
            self._end_row()
        elif tag == T_TABLE:
            self.table_depth -= 1
            if self.table_depth == 0 and self.sheet is not None:
                self.sheet = None

    def data(self, text: str) -> None:
        if self.cell is not None and not self.skip_depth and self.paragraphs:
            self.text.append(text)

    # -- building rows -------------------------------------------------------------------
    def _end_cell(self) -> None:
        attrs, repeat = self.cell, self.cell_repeat
        assert attrs is not None and self.row is not None and self.sheet is not None
        self.cell = None
        value = _value(attrs, "".join(self.text))
        if value == "":
            self.pending_cells += repeat
            return
        column = len(self.row) + self.pending_cells  # 0-based column of this cell
        last_column = column + repeat
        rows_reached = len(self.sheet.rows) + self.pending_rows + self.row_repeat
        self._check(rows_reached, max(last_column, self.sheet.width))
        if self.pending_cells:
            self.row.extend([""] * self.pending_cells)
            self.pending_cells = 0
        self.row.extend([value] * repeat)
        spanned = _count(attrs, A_COLUMNS_SPANNED), _count(attrs, A_ROWS_SPANNED)
        if spanned != (1, 1):
            top = len(self.sheet.rows) + self.pending_rows
            self.sheet.merged.append(
                ((top, column), (top + spanned[1] - 1, column + spanned[0] - 1))
            )

    def _end_row(self) -> None:
        row, repeat, sheet = self.row, self.row_repeat, self.sheet
        assert row is not None and sheet is not None
        self.row = None
        if not row:
            self.pending_rows += repeat
            return
        width = max(sheet.width, len(row))
        self._check(len(sheet.rows) + self.pending_rows + repeat, width)
        if self.pending_rows:
            blank: list[Cell] = []
            sheet.rows.extend([blank] * self.pending_rows)  # one shared list, not a million
            self.pending_rows = 0
        sheet.rows.extend([row] * repeat)  # a repeated row is one list, shared
        sheet.width = width


def _value(attrs: dict[str, str], text: str) -> Cell:
    """A cell's value as calamine gives it: a float for numbers, a date (or date and time), a
    boolean, else the text; '' for an empty cell."""
    kind = attrs.get(A_VALUE_TYPE)
    if kind in _NUMBER_TYPES:
        try:
            return float(attrs.get(A_VALUE, text))
        except ValueError:
            return text
    if kind == "date":
        found = _DATE.fullmatch(attrs.get(A_DATE_VALUE, "").strip())
        if found is None:
            return text
        try:
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
            if found.group(4) is None:
                return dt.date(year, month, day)
            return dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return text
    if kind == "boolean":
        return attrs.get(A_BOOLEAN_VALUE, text).strip().lower() == "true"
    if kind == "string" and A_STRING_VALUE in attrs:
        return attrs[A_STRING_VALUE]
    return text


def parse_content(chunks: Iterable[bytes], file_name: str) -> list[OdsSheet]:
    """Each sheet of an .ods file's content.xml, from its bytes (in pieces): FileRefusedError as
    soon as a sheet's values reach past the limits, or when the XML is not well formed."""
    state = _Parser(file_name)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.data
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise FileRefusedError(
            f"{file_name}: the spreadsheet is damaged (its content is not well-formed XML: "
            f"{xml.parsers.expat.ErrorString(exc.code)} at line {exc.lineno}); open it in the "
            "spreadsheet program and save it again."
        ) from exc
    for sheet in state.sheets:
        _pad(sheet)
    return state.sheets


def _pad(sheet: OdsSheet) -> None:
    """Every row as wide as the widest, as calamine gives them (each shared list padded once)."""
    done: set[int] = set()
    for row in sheet.rows:
        if id(row) not in done:
            done.add(id(row))
            if len(row) < sheet.width:
                row.extend([""] * (sheet.width - len(row)))


def read_ods(path: Path, entries: list[zipfile.ZipInfo]) -> list[OdsSheet]:
    """The sheets of the .ods file at `path` (its zip directory already checked)."""
    content = next((entry for entry in entries if entry.filename == "content.xml"), None)
    if content is None:
        raise FileRefusedError(
            f"{path.name}: the spreadsheet is damaged (it has no content part); open it in the "
            "spreadsheet program and save it again."
        )
    try:
        with path.open("rb") as handle:
            sheets = parse_content(stream_part(handle, content, path.name), path.name)
    except ZIP_ERRORS as exc:
        raise FileRefusedError(
            f"{path.name}: the spreadsheet could not be read; it may be damaged or incomplete."
        ) from exc
    if not sheets:
        raise FileRefusedError(f"{path.name}: the spreadsheet has no sheets.")
    return sheets
