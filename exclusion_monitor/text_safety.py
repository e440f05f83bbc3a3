"""Characters that have no place in a name or a field of a return: control characters, terminal
escape sequences and the invisible marks that reorder text (bidi overrides). `clean_text` removes
them on the way in; `terminal_safe` makes them visible on the way out (docs/data-protection.md).
"""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return; DEL; C1 controls (0x80-0x9f, which
# some terminals obey as escapes); the marks, embeddings, overrides and isolates that make text
# display in an order other than the one it is stored in; line and paragraph separators.
_UNSAFE_CLASS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
# Whole escape sequences go, not just their ESC: "\x1b]0;title\x07" would otherwise leave
# "]0;title" in a name. CSI (ESC [ ... final byte, or the one-byte CSI 0x9b), OSC (ESC ] ...
# ended by BEL or ESC \), the string commands DCS, SOS, PM, APC, and two-character escapes.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Everything a terminal may act on or display out of order, shown as an escape instead.
_SHOW = _UNSAFE
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def has_unsafe(text: str) -> bool:
    """Whether `text` holds a control character, an escape sequence or a bidi control."""
    return _UNSAFE.search(text) is not None


def clean_text(text: str) -> str:
    """`text` without escape sequences, control characters and bidi controls. Tabs and line
    breaks are kept (a cell may hold an address over two lines)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub("", _SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """Cleaned text on one line: tabs and line breaks become single spaces."""
    return _LINE_BREAKS.sub(" ", clean_text(text)).strip()


def _escape(match: re.Match[str]) -> str:
    # One form for all, which JSON reads back as the character itself.
    return f"\\u{ord(match.group(0)):04x}"


def terminal_safe(text: str) -> str:
    """`text` fit to print to a terminal: every control character (but tab and line breaks),
    escape and bidi control written out as a visible escape (`\\u001b`, `\\u202e`), so stored text
    can neither drive the terminal (set its title, move the cursor, hide what follows) nor show
    in a misleading order. Applying it twice gives the same text."""
    if _SHOW.search(text) is None:
        return text
    return _SHOW.sub(_escape, text)
