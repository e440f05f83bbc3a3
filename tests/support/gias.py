"""A GIAS extract as it is downloaded: the register's real header (its column names are public
facts, kept in tests/intake/fixtures/gias_header.txt), Windows-1252, dates as dd-mm-yyyy; the
schools are invented."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

HEADER = (
    (Path(__file__).parents[1] / "intake" / "fixtures" / "gias_header.txt")
    .read_text(encoding="utf-8")
    .strip()
    .split(",")
)


def write_gias(path: Path, schools: Iterable[Mapping[str, str]]) -> Path:
    """Each school a mapping of column name -> cell (the other columns blank, or the register's
    'Not applicable' where it writes that)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for school in schools:
        unknown = set(school) - set(HEADER)
        assert not unknown, unknown
        writer.writerow(
            [
                school.get(name, "Not applicable" if name.endswith("(name)") else "")
                for name in HEADER
            ]
        )
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def write_links(path: Path, links: Iterable[tuple[str, str, str, str, str]]) -> Path:
    """The GIAS links file: URN, LinkURN, LinkName, LinkType, LinkEstablishedDate."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"])
    writer.writerows(links)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path
