"""The Common Transfer File (docs/formats.md, "Common Transfer Files"): the XML a school sends
when a pupil moves, the only record of the schools a child attended before they came to the
authority.

A CTF is read as an enrolments return: one row per school of each pupil's `SchoolHistory`
(LAESTAB from `LEA` and `Estab`), with the pupil's UPN, Former UPN, names, date of birth and sex,
so that the intake's row checks, identity, loading, undo and "already imported" apply to it as to
any file. The school that sent the file gets the destination from the header (`DestSchool`); a
"lost pupil" CTF (destination LA `XXX`, school `XXXX`) records that the child left for a
destination nobody knows, which the rules read as missing from roll.

The XML is parsed with defusedxml: no document type declarations, entities or external
references, and limits on depth and element count, so a hostile file is refused with a sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import Element, ParseError

from imports.errors import FileRefusedError

HEADERS = [
    "UPN", "Former UPN", "Surname", "Forename", "Date of birth", "Sex", "LAESTAB", "School name",
    "Entry date", "Leaving date", "Leaving reason", "Destination", "Enrol status",
]  # fmt: skip
SHEET = "CTF"
MAX_DEPTH = 32
MAX_ELEMENTS = 5_000_000
LOST_LA, LOST_ESTAB = "XXX", "XXXX"
LOST_DESTINATION = "destination unknown (lost pupil CTF)"
_TRUE = {"true", "1", "y", "yes", "t"}


@dataclass(slots=True)
class CtfContent:
    """What a CTF says, as the intake reads it."""

    rows: list[list[object]]  # HEADERS, then one row per school of each pupil's history
    notes: list[str] = field(default_factory=list)
    source: str | None = None  # the sending school's LAESTAB
    destination: str | None = None  # the receiving school's LAESTAB, or None when lost
    lost: bool = False
    pupils: int = 0


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element | None, name: str) -> str | None:
    found = _child(element, name)
    if found is None or found.text is None:
        return None
    text = " ".join(found.text.split())
    return text or None


def _date(text: str | None) -> object:
    """A CTF date (ISO, perhaps with a time): a date, or the text as it stands for the row
    checks to reject with their own reason."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return text


def _laestab(element: Element | None) -> str | None:
    la, estab = _text(element, "LEA"), _text(element, "Estab")
    if not la or not estab:
        return None
    return f"{la}{estab}"


def _parse(path: Path) -> Element:
    """The document's root, read with defusedxml and the depth and size limits."""
    import defusedxml
    from defusedxml.ElementTree import iterparse

    name = path.name
    depth = elements = 0
    root: Element | None = None
    try:
        for event, element in iterparse(
            str(path), events=("start", "end"), forbid_dtd=True, forbid_entities=True
        ):
            if event == "start":
                depth += 1
                elements += 1
                if root is None:
                    root = cast(Element, element)
                if depth > MAX_DEPTH:
                    raise FileRefusedError(
                        f"{name}: the XML is nested more than {MAX_DEPTH} levels deep, which no "
                        "Common Transfer File is; it was not read."
                    )
                if elements > MAX_ELEMENTS:
                    raise FileRefusedError(
                        f"{name}: the XML holds more than {MAX_ELEMENTS:,} elements, far more than "
                        "a Common Transfer File; it was not read."
                    )
            else:
                depth -= 1
    except defusedxml.DTDForbidden:
        raise FileRefusedError(
            f"{name}: the XML declares a document type (DTD), which a Common Transfer File never "
            "does and which can make a reader fetch or expand things; it was not read."
        ) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise FileRefusedError(
            f"{name}: the XML defines entities or refers to other files, which a Common Transfer "
            "File never does; it was not read."
        ) from None
    except ParseError as exc:
        raise FileRefusedError(
            f"{name}: the file is not well-formed XML ({exc}); it may be damaged or cut short. "
            "Ask the sender for it again."
        ) from None
    if root is None or _local(root.tag) != "CTfile":
        found = _local(root.tag) if root is not None else "nothing"
        raise FileRefusedError(
            f"{name}: this XML is not a Common Transfer File (its root is '{found}', not "
            "'CTfile'); the intake reads CTF XML and spreadsheets."
        )
    return root


def read_ctf(path: Path) -> CtfContent:
    """The rows of an enrolments return from a CTF (see the module's docstring)."""
    root = _parse(path)
    header = _child(root, "Header")
    source_el, dest_el = _child(header, "SourceSchool"), _child(header, "DestSchool")
    source = _laestab(source_el)
    lost = (
        dest_el is not None
        and (_text(dest_el, "LEA") or "").upper() == LOST_LA
        and (_text(dest_el, "Estab") or "").upper() == LOST_ESTAB
    )
    destination = None if lost else _laestab(dest_el)
    sent = _date(_text(header, "DateTime"))
    content = CtfContent([list(HEADERS)], source=source, destination=destination, lost=lost)
    if lost:
        content.notes.append(
            f"a lost pupil CTF: its pupils left school {source or '(not given)'} for a "
            "destination nobody knows, and are recorded as such"
        )
    without_history = unread_formers = 0
    lost_unrecorded: list[str] = []  # pupils of a lost pupil CTF whose leaving it cannot record
    for pupil in _children(_child(root, "CTFpupilData"), "Pupil"):
        content.pupils += 1
        basic = _child(pupil, "BasicDetails")
        formers = [
            " ".join((f.text or "").split())
            for holder in (basic, pupil)
            for f in _children(holder, "FormerUPN")
            if (f.text or "").strip()
        ]
        person: list[object] = [
            _text(pupil, "UPN"),
            None,  # the Former UPN: set per school row below
            _text(pupil, "Surname"),
            _text(pupil, "Forename"),
            _date(_text(pupil, "DOB")),
            _text(pupil, "Sex") or _text(pupil, "Gender"),
        ]
        formers = list(dict.fromkeys(formers))
        schools = _children(_child(pupil, "SchoolHistory"), "School")
        if not schools:
            without_history += 1
        if len(formers) > max(1, len(schools)):
            unread_formers += 1
        sender_found = False
        for index, school in enumerate(schools):
            # Each Former UPN on one of the child's rows (round again on the rest), so identity
            # sees every UPN the child has had, not only the first.
            person[1] = formers[index % len(formers)] if formers else None
            laestab = _laestab(school)
            is_source = laestab is not None and laestab == source
            last = (_text(school, "LastSchool") or "").lower() in _TRUE
            leaving = _date(_text(school, "LeavingDate"))
            moved_to = None
            status = None
            if is_source or (last and source is None):
                sender_found = True
                # Single registration (C) is what a history row says anyway: only a dual or
                # subsidiary registration is worth carrying, so the same school sent as history
                # by one CTF and as the sender by another stays one registration.
                status = _text(basic, "EnrolStatus")
                status = None if (status or "").upper() == "C" else status
                if lost:
                    moved_to = LOST_DESTINATION
                    leaving = leaving or sent
                elif destination:
                    moved_to = destination
            content.rows.append(
                [
                    *person,
                    laestab,
                    _text(school, "SchoolName"),
                    _date(_text(school, "EntryDate")),
                    leaving,
                    _text(school, "LeavingReason"),
                    moved_to,
                    status,
                ]
            )
        if lost and not sender_found:
            lost_unrecorded.append(str(person[0] or f"pupil {content.pupils} (no UPN)"))
    if lost_unrecorded:
        shown = ", ".join(lost_unrecorded[:10]) + (
            f" and {len(lost_unrecorded) - 10} more" if len(lost_unrecorded) > 10 else ""
        )
        sender = source or "(not given)"
        content.notes.append(
            f"the pupil(s) {shown} of this lost pupil CTF have no SchoolHistory row for the "
            f"sending school {sender}, so the file cannot say when they joined it and their "
            "leaving was NOT recorded: ask the school to send the CTF again with its own "
            "registration, or record the leaving in an enrolments return"
        )
    if without_history:
        content.notes.append(
            f"{without_history} pupil(s) had no SchoolHistory, so the file says nothing of their "
            "schools; they were not read"
        )
    if unread_formers:
        content.notes.append(
            f"{unread_formers} pupil(s) had more Former UPNs than schools in their history; "
            "each school row carries one, the rest were not read"
        )
    if content.pupils == 0:
        raise FileRefusedError(f"{path.name}: the Common Transfer File holds no pupils.")
    return content
