"""Small-number suppression with secondary suppression (docs/regional.md, "Suppression"):
counts of 1 to 4 are hidden, and where a hidden count could be worked out from a published total
and the other parts of that total, more cells are hidden until it cannot."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from exclusion_monitor.reports.statistics import SUPPRESS_BELOW

Key = TypeVar("Key", bound=Hashable)


def primary(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


def suppress_cells(
    cells: Mapping[Key, int], lines: Iterable[Sequence[Key]], hidden_already: Iterable[Key] = ()
) -> tuple[set[Key], set[int]]:
    """(hidden cells, lines whose total must be hidden too).

    `hidden_already`: cells another publication of the same figures hides, so that the two
    together reveal no more than each alone.

    `lines` are groups of cells whose sum is published (a column of schools with the authority's
    total, the groups of one characteristic with all pupils). In every such line, no hidden cell
    may be left alone: a second one is hidden (the smallest other count, a non-zero one first);
    a line of one cell hides its total instead.
    """
    line_list = [list(line) for line in lines]
    hidden = {key for key, count in cells.items() if primary(count)}
    hidden.update(key for key in hidden_already if key in cells)
    hidden_totals: set[int] = set()
    changed = True
    while changed:
        changed = False
        for index, line in enumerate(line_list):
            if index in hidden_totals:
                continue
            inside = [key for key in line if key in hidden]
            if len(inside) != 1:
                continue
            others = [key for key in line if key not in hidden]
            if not others:
                hidden_totals.add(index)
                changed = True
                continue
            others.sort(key=lambda key: (cells[key] == 0, cells[key]))
            hidden.add(others[0])
            changed = True
    return hidden, hidden_totals


def shown(count: int, hide: bool) -> int | str:
    """A count as published: 'c' when hidden."""
    return "c" if hide else count
