"""A single large census workbook (and its CSV twin) for the import benchmark.

Rows are invented directly, without simulating careers, so 250,000 rows take seconds to invent;
year groups are numbers for the first rows and turn to 'R' later (the type-inference trap).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from exclusion_monitor.upn import check_letter
from imports.demo.names import BOYS, GIRLS, PLACES, POSTCODE_AREAS, STREET_ENDINGS, SURNAMES
from imports.demo.rates import ETHNICITY_MIX
from imports.demo.sheet_writer import Cell, write_csv, write_xlsx

HEADERS = (
    "UPN", "Former UPN", "Legal Surname", "Legal Forename", "DOB", "Sex", "NCyearActual",
    "Entry Date", "Enrol Status", "LAESTAB", "Ethnicity", "FSM Eligible", "SEN Provision",
    "Postcode", "Address Line 1",
)  # fmt: skip
CENSUS_DAY = dt.date(2025, 1, 16)


def _rows(rows: int, seed: int, la: str) -> Iterator[list[Cell]]:
    rng = random.Random(seed)
    ethnic_codes, ethnic_weights = list(ETHNICITY_MIX), list(ETHNICITY_MIX.values())
    schools = max(1, rows // 400)
    area = POSTCODE_AREAS.get(la, "B")
    for index in range(rows):
        school = 2000 + index * schools // rows  # grouped by school, like a census extract
        nc_year = 11 - (index % 400) * 12 // 400  # each school lists Year 11 down to Reception
        reception = 2024 - nc_year
        born = dt.date(reception - 5, 9, 1) + dt.timedelta(days=rng.randrange(365))
        body = f"{la}{school:04d}{reception % 100:02d}{index % 1000:03d}"
        sex = "M" if rng.random() < 0.51 else "F"
        yield [
            check_letter(body) + body,
            "",
            rng.choice(SURNAMES),
            rng.choice(BOYS if sex == "M" else GIRLS),
            born,
            sex,
            "R" if nc_year == 0 else nc_year,
            dt.date(reception, 9, 4),
            "C",
            f"{la}{school:04d}",
            rng.choices(ethnic_codes, ethnic_weights)[0],
            "Y" if rng.random() < 0.27 else "N",
            rng.choices("NKE", (84, 13, 3))[0],
            f"{area}{rng.randint(1, 9)} {rng.randint(1, 9)}AB",
            f"{rng.randint(1, 180)} {rng.choice(PLACES)} {rng.choice(STREET_ENDINGS)}",
        ]


def write_census_workbook(
    path: Path, rows: int = 250_000, seed: int = 2024, *, la: str = "335"
) -> tuple[Path, Path]:
    """Write `rows` census rows to `path` (.xlsx, constant-memory) and a UTF-8-with-BOM CSV twin
    beside it (same name, .csv); both hold the same rows. Returns (xlsx path, csv path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    xlsx_path = path.with_suffix(".xlsx")
    csv_path = path.with_suffix(".csv")
    titles = ["School Census extract (benchmark)", f"Census date: {CENSUS_DAY:%d/%m/%Y}"]
    write_xlsx(xlsx_path, HEADERS, _rows(rows, seed, la), title_rows=titles, expected_rows=rows)
    write_csv(csv_path, HEADERS, _rows(rows, seed, la))
    return xlsx_path, csv_path
