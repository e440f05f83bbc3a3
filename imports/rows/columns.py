"""A run of rows read column by column: each mapped column cleaned and parsed once per distinct
value (dates, codes, NC years and schools repeat down a file), through caches kept for the file."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from imports import normalise as nz
from imports.rows.common import MEMO_LIMIT, RowContext, Warnings, clean, only_text

_FAILED = (Exception,)


class FileCaches:
    """Parsed values by cache name, for the whole file (a value parsed in one run is not parsed
    again in the next)."""

    def __init__(self) -> None:
        self._caches: dict[str, dict[object, object]] = {}

    def get(self, name: str, *, blank: bool = True) -> dict[object, object]:
        """The named cache (holding None -> None unless `blank` is False)."""
        cache = self._caches.get(name)
        if cache is None:
            cache = self._caches[name] = {None: None} if blank else {}
        return cache

    def mapped(
        self,
        values: list[object],
        cache_name: str,
        parse: Callable[[object], object],
        text_only: bool = False,
    ) -> list[object]:
        """`parse` over the cleaned values through a per-file cache, each distinct value parsed
        once (keyed by type too, except for text: 1, 1.0 and True are equal keys to a dict but
        not the same cell). A failure is kept as the exception, for the checks to turn into a
        reason or raise."""
        cache = self.get(cache_name)
        if text_only or only_text(values):
            keys: list[object] = values
            missing: dict[object, object] = dict.fromkeys(set(values).difference(cache))
            for key in missing:
                missing[key] = key
        else:
            keys = [
                value if value is None or value.__class__ is str else (value.__class__, value)
                for value in values
            ]
            missing = {
                key: value for key, value in zip(keys, values, strict=True) if key not in cache
            }
        if missing:
            if len(cache) + len(missing) > MEMO_LIMIT:  # too many distinct values to keep
                cache.clear()
                cache[None] = None
                missing = dict(zip(keys, values, strict=True))
                missing.pop(None, None)
            for key, value in missing.items():
                cell = clean(value)
                if cell is None:
                    cache[key] = None
                    continue
                try:
                    cache[key] = parse(cell)
                except _FAILED as exc:
                    cache[key] = exc
        return list(map(cache.__getitem__, keys))


class Columns:
    """The mapped cells of a run of rows, column by column."""

    def __init__(
        self, ctx: RowContext, warnings: Warnings, caches: FileCaches, raws: list[list[object]]
    ) -> None:
        self.ctx = ctx
        self.warnings = warnings
        self.caches = caches
        self.count = len(raws)
        self._raws = raws
        self._as_read: dict[str, list[object]] = {}
        self._parsed: dict[tuple[str, str], list[object]] = {}
        self._shortest: int | None = None
        self._transposed: list[tuple[object, ...]] | None = None

    def cells(self, name: str) -> Sequence[object]:
        """The column's cells cleaned (text stripped, blank text as None) as each is read: the
        checks read them only where a parsed value needs explaining."""
        return _CleanedOnRead(self.as_read(name))

    def as_read(self, name: str) -> list[object]:
        """The column's cells as the reader gave them (None past the end of a short row)."""
        found = self._as_read.get(name)
        if found is None:
            found = self._as_read[name] = self._extract(name)
        return found

    def _extract(self, name: str) -> list[object]:
        index = self.ctx.columns.get(name)
        if index is None:
            return [None] * len(self._raws)
        if self._shortest is None:
            lengths = set(map(len, self._raws))
            self._shortest = min(lengths, default=0)
            if len(lengths) == 1:  # rows of one length (most files): all columns in one pass
                self._transposed = list(zip(*self._raws, strict=True))
        if self._transposed is not None and index < self._shortest:
            return list(self._transposed[index])
        if index < self._shortest:
            return list(map(operator.itemgetter(index), self._raws))
        return [raw[index] if index < len(raw) else None for raw in self._raws]

    def parsed(self, name: str, cache: str, parse: Callable[[object], object]) -> list[object]:
        """Each cell of a column cleaned and through `parse` (blank stays None; a failure is kept
        as the exception), worked out once per run."""
        key = (name, cache)
        found = self._parsed.get(key)
        if found is None:
            found = self._parsed[key] = self.caches.mapped(
                self.as_read(name), cache, parse, self.ctx.text_only
            )
        return found

    def texts(self, name: str) -> list[object]:
        return self.parsed(name, "text", nz.text)

    def dates(self, name: str) -> list[object]:
        date1904 = self.ctx.date1904
        return self.parsed(name, "date", lambda value: nz.parse_date(value, date1904=date1904))


class _CleanedOnRead(Sequence[object]):
    """Cells cleaned (`clean`) one at a time, as they are read."""

    __slots__ = ("_cells",)

    def __init__(self, cells: list[object]) -> None:
        self._cells = cells

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, index: int) -> object:  # type: ignore[override]
        return clean(self._cells[index])
