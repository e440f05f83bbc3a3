"""Printing results as JSON, CSV or an aligned text table, and the guard that keeps stored text
from driving the terminal: everything a command writes to standard output or standard error
passes through `terminal_safe` (exclusion_monitor/text_safety.py). CSV cells go through the one
writer's formula safety (exclusion_monitor/output_files.py): standard output is often redirected
to a file that a spreadsheet opens."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from exclusion_monitor.output_files import write_csv_rows
from exclusion_monitor.text_safety import terminal_safe


class SafeStream:
    """A text stream that writes control characters, escapes and bidi controls as visible
    escapes (`\\u001b`, `\\u202e`): a name that holds a terminal escape can neither set the
    terminal's title nor hide what follows, on screen or in a file a person later prints with
    `type` or `cat`. Inside JSON strings the escapes read back as the same characters."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_output_streams() -> Iterator[None]:
    """Standard output and standard error through SafeStream while a command runs."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None:
        sys.stdout = SafeStream(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    # One write, not one per token: each write passes through the terminal guard.
    out.write(json.dumps(data, default=_default, indent=2, ensure_ascii=False) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return terminal_safe(str(value))  # escaped before the columns are measured


def print_csv(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO | None = None
) -> None:
    write_csv_rows(out or sys.stdout, [headers, *rows], line_end="\n")


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO | None = None
) -> None:
    out = out or sys.stdout
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    line = "  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()
    out.write(line + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip() + "\n")
    if not cells:
        out.write("(none)\n")
