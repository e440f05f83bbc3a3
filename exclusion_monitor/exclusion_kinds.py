"""What an exclusion counts as, and what it is called: a suspension (a lunchtime suspension is
one, of one session, as in law), a permanent exclusion, or a permanent exclusion reversed on review
(docs/rules.md#exclusions-categories-sessions-terms-and-review-outcomes)."""

from __future__ import annotations

from typing import Protocol

from exclusion_monitor.codelists import Code, review_outcome

SUSPENSION, PERMANENT, LUNCHTIME = "SUSP", "PERM", "LNCH"

CATEGORY_WORDS = {
    SUSPENSION: "suspension",
    LUNCHTIME: "lunchtime suspension",
    PERMANENT: "permanent exclusion",
}


class ExclusionLike(Protocol):
    """The parts of an exclusion (a record, a statistics fact) that say what it counts as."""

    @property
    def category(self) -> str: ...

    @property
    def review_outcome(self) -> str | None: ...


def is_suspension(exclusion: ExclusionLike) -> bool:
    """A suspension, a lunchtime suspension included."""
    return exclusion.category in (SUSPENSION, LUNCHTIME)


def is_lunchtime(exclusion: ExclusionLike) -> bool:
    return exclusion.category == LUNCHTIME


def outcome(exclusion: ExclusionLike) -> Code | None:
    """The review outcome the school's wording names, or None (blank or not a known wording)."""
    return review_outcome(exclusion.review_outcome) if exclusion.review_outcome else None


def is_reversed(exclusion: ExclusionLike) -> bool:
    """A permanent exclusion whose review outcome (a known wording) reverses it: reinstated by
    the governing board, reinstated on reconsideration after an independent review panel, or
    cancelled by the head teacher. Unknown wording never reverses."""
    if exclusion.category != PERMANENT:
        return False
    found = outcome(exclusion)
    return found is not None and found.extra.get("reverses") == "yes"


def counts_as_permanent(exclusion: ExclusionLike) -> bool:
    """A permanent exclusion that stands (not reversed on review)."""
    return exclusion.category == PERMANENT and not is_reversed(exclusion)


def category_words(category: str) -> str:
    """'suspension', 'lunchtime suspension', 'permanent exclusion'."""
    return CATEGORY_WORDS.get(str(category), str(category))


def outcome_words(exclusion: ExclusionLike) -> str | None:
    """The review outcome in words ('reinstated on review'), the wording as written when the
    tool does not know it, or None when no outcome was given."""
    written = (exclusion.review_outcome or "").strip()
    if not written:
        return None
    found = outcome(exclusion)
    if found is None:
        return f"review outcome '{written}' (wording the tool does not know; not a reversal)"
    return found.extra.get("words") or found.label


def exclusion_label(exclusion: ExclusionLike) -> str:
    """'permanent exclusion, reinstated on review', 'lunchtime suspension', ..."""
    words = category_words(exclusion.category)
    told = outcome_words(exclusion)
    return f"{words}, {told}" if told else words
