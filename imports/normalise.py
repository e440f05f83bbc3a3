"""Turning cell values into clean values: text, UK dates, Excel serials, LAESTAB, codes, sessions.

Each parser raises ValueError with a plain reason when a value cannot be read; callers turn that
into a rejected row.
"""

from __future__ import annotations

import datetime as dt
import re

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{4,5}(\.0+)?$")
_WORDY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{2}|\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)
_LAESTAB = re.compile(r"^(\d{3})\s*[/\-\s.]?\s*(\d{1,4})$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_TRUE = {"y", "yes", "true", "t", "1", "eligible", "x"}
_FALSE = {"n", "no", "false", "f", "0", "not eligible", "ineligible"}


def text(cell: object) -> str | None:
    """A cell as tidy text (inner runs of spaces collapsed), None when blank."""
    if cell is None:
        return None
    if isinstance(cell, str):
        value = " ".join(cell.split())
        return value or None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    value = " ".join(str(cell).split())
    return value or None


def _year(text_year: str) -> int:
    year = int(text_year)
    if len(text_year) == 2:
        pivot = dt.date.today().year % 100 + 1
        year += 2000 if year <= pivot else 1900
    return year


def serial_date(number: float, *, date1904: bool = False) -> dt.date:
    """An Excel serial day number as a date (1900 or 1904 date system)."""
    if not 1 <= number < 2_958_466:
        raise ValueError(f"{number:g} is not a date")
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    return epoch + dt.timedelta(days=int(number))


def parse_date(cell: object, *, date1904: bool = False) -> dt.date | None:
    """A date from a real date, an Excel serial, or UK text (05/10/2023 is 5 October, never May).

    None for a blank cell; ValueError for anything else that is not a date.
    """
    if cell is None or cell == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a date")
    if isinstance(cell, int | float):
        return serial_date(float(cell), date1904=date1904)
    value = str(cell).strip()
    if not value:
        return None
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = match.groups()
            return dt.date(_year(year), int(month), int(day))
        match = _ISO.match(value)
        if match:
            year, month, day = match.groups()
            return dt.date(int(year), int(month), int(day))
        if _SERIAL.match(value):
            return serial_date(float(value), date1904=date1904)
        match = _WORDY.match(value.casefold())
        if match and match.group(2) in _MONTHS:
            return dt.date(_year(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None
    raise ValueError(f"'{value}' is not a date in day/month/year order")


def laestab(cell: object) -> str | None:
    """A 7-digit LAESTAB from 3304002, '330/4002', '330-4002', '330 4002' (None when blank)."""
    value = text(cell)
    if value is None:
        return None
    match = _LAESTAB.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a LAESTAB (LA number and establishment number)")
    la, estab = match.groups()
    if len(la) + len(estab) == 7 or "/" in value or "-" in value or " " in value or "." in value:
        return la + estab.zfill(4)
    raise ValueError(f"'{value}' is not a LAESTAB (LA number and establishment number)")


def digits(cell: object, what: str) -> str | None:
    """A number kept as text (URN, LA code): digits only, leading zeros kept."""
    value = text(cell)
    if value is None:
        return None
    if not value.isdigit():
        raise ValueError(f"'{value}' is not a {what}")
    return value


def number(cell: object, what: str) -> float | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a number of {what}")
    if isinstance(cell, int | float):
        return float(cell)
    value = str(cell).strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a number of {what}") from None


def flag(cell: object, what: str) -> bool | None:
    """Yes/No, Y/N, True/False, 1/0 as a boolean (None when blank)."""
    if isinstance(cell, bool):
        return cell
    value = text(cell)
    if value is None:
        return None
    key = value.casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes or no for {what}")


def postcode(cell: object) -> str | None:
    """Upper case with a single space before the inward code ('b1 1aa' -> 'B1 1AA')."""
    value = text(cell)
    if value is None:
        return None
    compact = value.replace(" ", "").upper()
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else value.upper()


def _smart_title(word: str) -> str:
    result = word[:1].upper() + word[1:].lower()
    if result.startswith("Mc") and len(result) > 2:
        result = "Mc" + result[2].upper() + result[3:]
    return result


def name(cell: object) -> str | None:
    """A name tidied: names typed in capitals become 'Smith', 'O'Neil', 'Smith-Jones'."""
    value = text(cell)
    if value is None:
        return None
    if value.isupper() or value.islower():
        value = re.sub(r"[^\s\-']+", lambda m: _smart_title(m.group(0)), value)
    return value


def identity_key(surname: str, forename: str) -> tuple[str, str]:
    return surname.casefold(), forename.casefold()
