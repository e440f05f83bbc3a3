"""What a person types to find a child, turned into index-friendly keys: folded name prefixes or a
UPN prefix. Pure functions; the store turns a ChildSearch into SQL.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# One name alternative: the folded surname prefix and forename prefix that must both match
# ("" means "any").
NamePattern = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ChildSearch:
    """A parsed search: a UPN prefix, or name alternatives (any one matching is enough)."""

    upn_prefix: str | None = None
    names: tuple[NamePattern, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.upn_prefix is None and not self.names


@functools.lru_cache(maxsize=65_536)  # names repeat a great deal across an authority
def fold_name(text: str | None) -> str:
    """A name as it is indexed and searched: case-folded, accents removed, letters and digits only.

    "O'Brien" -> "obrien", "Zoë" -> "zoe", "de la Cruz" -> "delacruz".
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def normalise_upn_text(text: str) -> str:
    """A typed UPN (or the start of one) as stored: upper case, no spaces."""
    return re.sub(r"\s+", "", text).upper()


def parse_search(text: str | None) -> ChildSearch:
    """Read a search box: a UPN (full or start, any case, spaces ignored) when it holds a digit,
    else a name: "smi" (surname or forename starts so), "smith, jo" (surname, forename) or
    "jo smith" (forename surname, or a surname of several words)."""
    raw = (text or "").strip()
    if not raw:
        return ChildSearch()
    if any(ch.isdigit() for ch in raw):
        upn = normalise_upn_text(raw)
        return ChildSearch(upn_prefix=upn) if upn.isalnum() else ChildSearch()
    if "," in raw:
        surname, _, forename = raw.partition(",")
        pattern = (fold_name(surname), fold_name(forename))
        return ChildSearch(names=(pattern,)) if any(pattern) else ChildSearch()
    words = [fold_name(word) for word in raw.split()]
    words = [word for word in words if word]
    if not words:
        return ChildSearch()
    if len(words) == 1:
        return ChildSearch(names=((words[0], ""), ("", words[0])))
    first, rest = words[0], "".join(words[1:])
    whole = "".join(words)
    leading = "".join(words[:-1])
    names = [(rest, first), (leading, words[-1]), (whole, "")]
    return ChildSearch(names=tuple(dict.fromkeys(names)))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (for range scans)."""
    return prefix + "\U0010ffff"
