"""Cells a spreadsheet would run as formulas, for the writer's tests (docs/output-and-failures.md,
"Formula safety"): every character a formula starts at, and the compatibility forms that fold
onto them, each leading a cell, and the same behind leading spaces and quotation marks."""

from __future__ import annotations

import unicodedata

DANGEROUS = [
    "=", "+", "-", "@", "\t", "\r", "\n",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # fullwidth = + - @
    "\ufe66", "\ufe62", "\ufe63", "\ufe6b",  # small = + - @
    "\u207a", "\u208a", "\u207c", "\u208c",  # superscript and subscript + =
]  # fmt: skip
PAYLOADS = [f'{c}HYPERLINK("http://example.invalid","x")' for c in DANGEROUS] + [
    "  =1+1",  # leading spaces are looked through
    "\u3000=1+1",  # an ideographic space too
    '"=1+1',  # and leading quotation marks, plain,
    " \u201c+1+1",  # curly (after a space)
    "\uff02@SUM(1+1)",  # and fullwidth
]


def dangerous_start(text: str) -> bool:
    """Whether a cell would start a formula: the rule, stated apart from the writer's code."""
    first = text.lstrip(' \u00a0\u3000"\u201c\u201d\u201e\uff02')[:1]
    return bool(first) and unicodedata.normalize("NFKC", first)[:1] in set("=+-@\t\r\n")


def xlsx_unescape(text: str) -> str:
    """xlsx stores a carriage return as _x000D_, which openpyxl hands back as it is."""
    return text.replace("_x000D_", "\r")
