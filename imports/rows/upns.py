"""A UPN written plainly, checked fast: the check letter's sums worked out once per prefix."""

from __future__ import annotations

from exclusion_monitor.upn import CHECK_LETTERS
from imports.rows.common import MEMO_LIMIT

_LETTER_VALUE = {letter: index for index, letter in enumerate(CHECK_LETTERS)}
_PREFIX_SUMS: dict[str, int] = {}
_ENDINGS: dict[str, tuple[int, bool]] = {}  # at most 100 x 33 endings


def plain_valid_upn(value: object) -> tuple[str, bool] | None:
    """(UPN, temporary) for a valid UPN written plainly (13 ASCII letters and digits, any case).

    None means "ask `check_upn`": the value has spaces, is not text, or is not a valid UPN. The
    check letter's weighted sum over the nine characters after it (LA, establishment, year)
    repeats down a census, so it is worked out once per prefix, and the last three characters'
    share once per ending.
    """
    if value.__class__ is not str or len(value) != 13 or not value.isascii():
        return None
    upn = value.upper()
    prefix = upn[1:10]
    total = _PREFIX_SUMS.get(prefix)
    if total is None:
        if not prefix.isdigit():
            return None
        total = sum(int(char) * position for position, char in enumerate(prefix, start=2))
        if len(_PREFIX_SUMS) < MEMO_LIMIT:
            _PREFIX_SUMS[prefix] = total
    ending = _ENDINGS.get(upn[10:])
    if ending is None:
        ending = _ending(upn[10:])
        if ending is None:
            return None
    if CHECK_LETTERS[(total + ending[0]) % 23] != upn[0]:
        return None
    return upn, ending[1]


def _ending(last3: str) -> tuple[int, bool] | None:
    """The weighted sum of a UPN's last three characters (two digits, then a digit or, for a
    temporary UPN, a letter) and whether it is temporary; None when they cannot end a UPN."""
    if not last3[:2].isdigit():
        return None
    if last3[2].isdigit():
        temporary, last_value = False, int(last3[2])
    elif last3[2] in _LETTER_VALUE:
        temporary, last_value = True, _LETTER_VALUE[last3[2]]
    else:
        return None
    found = _ENDINGS[last3] = (int(last3[0]) * 11 + int(last3[1]) * 12 + last_value * 13, temporary)
    return found
