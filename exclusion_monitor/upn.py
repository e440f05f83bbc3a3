"""Unique Pupil Numbers: normalisation and the DfE check letter (docs/domain.md#upns).

A UPN is 13 characters: check letter, LA number (3 digits), establishment (4 digits), year of
allocation (2 digits) and a serial of 3 digits, or of 2 digits and a letter for a temporary UPN.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_PERMANENT = re.compile(rf"[{CHECK_LETTERS}][0-9]{{12}}")
_TEMPORARY = re.compile(rf"[{CHECK_LETTERS}][0-9]{{11}}[{CHECK_LETTERS}]")
# What a stored UPN must be: 13 plain ASCII characters, permanent or temporary.
STORED_FORM = re.compile(rf"[{CHECK_LETTERS}][0-9]{{11}}[0-9{CHECK_LETTERS}]")
_SPACES = re.compile(r"[\s\-]+")


class UpnKind(StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"


@dataclass(frozen=True, slots=True)
class UpnCheck:
    """The outcome of checking one UPN: `problem` is None when it is valid."""

    upn: str
    kind: UpnKind | None
    problem: str | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def normalise_upn(value: object) -> str:
    """Upper-case with spaces and hyphens removed, compatibility forms folded (NFKC: a full-width
    '１' is '1'); '' for an empty value. What is not ASCII after that (a Cyrillic 'А' that looks
    like 'A') stays, for `check_upn` to refuse."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text).upper()


def check_letter(upn_body: str) -> str:
    """The check letter for the 12 characters after it (positions 2 to 13).

    Each character is multiplied by its position (2..13): digits by face value, a final letter by
    its index in the check-letter table. The sum mod 23 indexes the table.
    """
    if len(upn_body) != 12:
        raise ValueError("a UPN body has 12 characters")
    total = 0
    for position, char in enumerate(upn_body, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * position
    return CHECK_LETTERS[total % 23]


def check_upn(value: object) -> UpnCheck:
    """Normalise and check a UPN, saying in plain words what is wrong with it, if anything."""
    upn = normalise_upn(value)
    if not upn:
        return UpnCheck(upn, None, "the UPN is missing")
    if not upn.isascii():
        return UpnCheck(
            upn,
            None,
            "the UPN holds characters that are not plain letters and digits (a letter of another "
            "alphabet that looks like a Latin one, or a symbol); type it again",
        )
    if len(upn) != 13:
        return UpnCheck(upn, None, f"a UPN has 13 characters, this one has {len(upn)}")
    if _PERMANENT.fullmatch(upn):
        kind = UpnKind.PERMANENT
    elif _TEMPORARY.fullmatch(upn):
        kind = UpnKind.TEMPORARY
    else:
        return UpnCheck(
            upn, None, "the UPN is not in the right format (letter, 11 digits, digit or letter)"
        )
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        # Never "should be K": a school would change the letter, when a digit is as likely
        # the one mistyped.
        return UpnCheck(
            upn,
            kind,
            "the UPN's check letter does not match its digits: please check the whole UPN",
        )
    return UpnCheck(upn, kind, None)


def is_valid_upn(value: object) -> bool:
    return check_upn(value).valid


def la_number(upn: str) -> str:
    """The local authority number embedded in a (normalised) UPN."""
    return upn[1:4]
