"""The DfE's published "Suspensions and permanent exclusions in England" CSV files (national,
regional and local authority rows, by characteristic), read as published and stored to set
beside an authority's and the region's own rates (docs/regional.md, "National comparison")."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.store import Database
from exclusion_monitor.store.regional_schema import national_figures

COLUMNS = (
    "time_period", "geographic_level", "la_name", "old_la_code", "education_phase",
    "characteristic_group", "characteristic", "headcount", "suspension", "susp_rate",
    "perm_excl", "perm_excl_rate", "one_plus_susp", "one_plus_susp_rate",
)  # fmt: skip
INTEGERS = ("headcount", "suspension", "perm_excl", "one_plus_susp")
RATES = ("susp_rate", "perm_excl_rate", "one_plus_susp_rate")
LEVELS = ("National", "Regional", "Local authority")
MAX_BYTES = 200 * 1024**2


@dataclass(frozen=True, slots=True)
class NationalImport:
    file: str
    rows: int
    skipped: int
    periods: tuple[str, ...]


def _number(text: str, kind: type) -> int | float | None:
    """A published figure; DfE's symbols (c suppressed, z not applicable, x unavailable, low,
    u) and blanks are None."""
    value = text.strip().replace(",", "")
    if not value or not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return None
    return int(float(value)) if kind is int else float(value)


def import_national(db: Database, path: Path) -> NationalImport:
    """Store the file's national, regional and local authority rows, replacing rows of the same
    period, place, phase and characteristic; a file without the published columns is refused."""
    if not path.is_file():
        raise InvalidInputError(f"There is no file at {path}.")
    if path.stat().st_size > MAX_BYTES:
        raise InvalidInputError(f"{path.name} is larger than any published file (200 MB).")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        raise InvalidInputError(
            f"{path.name} is not a DfE 'Suspensions and permanent exclusions' file: it has no "
            f"column {', '.join(missing[:4])} (the columns are read as published)."
        )
    rows, skipped, periods = [], 0, set()
    for row in reader:
        row = {k.strip(): (v or "") for k, v in row.items() if k}
        level = row["geographic_level"].strip()
        period = row["time_period"].strip()
        if level not in LEVELS or not re.fullmatch(r"\d{6}", period):
            skipped += 1
            continue
        periods.add(period)
        rows.append(
            {
                "time_period": period,
                "geographic_level": level,
                "region_name": row.get("region_name", "").strip()[:100] or None,
                "la_name": row["la_name"].strip()[:100] or None,
                "old_la_code": row["old_la_code"].strip()[:3] or None,
                "education_phase": row["education_phase"].strip()[:60] or None,
                "characteristic_group": row["characteristic_group"].strip()[:100] or None,
                "characteristic": row["characteristic"].strip()[:100] or None,
                **{c: _number(row[c], int) for c in INTEGERS},
                **{c: _number(row[c], float) for c in RATES},
                "source_file": path.name[:300],
            }
        )
    if not rows:
        raise InvalidInputError(f"{path.name} holds no national, regional or authority rows.")
    t = national_figures.c
    with db.write() as conn:
        keys = {
            (r["time_period"], r["geographic_level"], r["region_name"], r["old_la_code"],
             r["education_phase"], r["characteristic_group"], r["characteristic"])
            for r in rows
        }  # fmt: skip
        for period in periods:
            existing = conn.execute(
                sa.select(
                    t.id, t.time_period, t.geographic_level, t.region_name, t.old_la_code,
                    t.education_phase, t.characteristic_group, t.characteristic,
                ).where(t.time_period == period)
            ).all()  # fmt: skip
            stale = [e[0] for e in existing if tuple(e[1:]) in keys]
            for start in range(0, len(stale), 900):
                conn.execute(national_figures.delete().where(t.id.in_(stale[start : start + 900])))
        conn.execute(national_figures.insert(), rows)
    return NationalImport(path.name, len(rows), skipped, tuple(sorted(periods)))
