"""What the demo wrote: the files in the order to import them, the planted stories and the rows
that were made bad on purpose (saved beside the files as manifest.json)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from imports.demo.records import PlantedStory

KINDS = ("schools", "school_links", "census", "exclusions", "enrolments")


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """One written file. `rows` counts data rows, including bad rows and any totals row."""

    path: Path
    kind: str
    census_date: dt.date | None
    rows: int
    file_format: str  # xlsx, csv-utf8-bom or csv-cp1252
    header_style: str
    school_laestab: str | None = None


@dataclass(frozen=True, slots=True)
class MarkedRow:
    """A row made bad (or a totals row) on purpose: `row` is the 1-based sheet row or line."""

    path: Path
    row: int
    problem: str
    upn: str = ""


@dataclass(frozen=True, slots=True)
class DemoManifest:
    seed: int
    pupils: int
    la: str
    out_dir: Path
    as_of: dt.date
    files: tuple[ReturnFile, ...]
    stories: tuple[PlantedStory, ...]
    bad_rows: tuple[MarkedRow, ...]
    totals_rows: tuple[MarkedRow, ...]

    def files_of(self, kind: str) -> list[ReturnFile]:
        return [f for f in self.files if f.kind == kind]

    def to_json(self) -> dict[str, object]:
        def marked(row: MarkedRow) -> dict[str, object]:
            return {"file": row.path.name, "row": row.row, "problem": row.problem, "upn": row.upn}

        return {
            "seed": self.seed,
            "pupils": self.pupils,
            "la": self.la,
            "as_of": self.as_of.isoformat(),
            "files": [
                {
                    "file": f.path.name,
                    "kind": f.kind,
                    "census_date": f.census_date.isoformat() if f.census_date else None,
                    "rows": f.rows,
                    "format": f.file_format,
                    "header_style": f.header_style,
                    "school_laestab": f.school_laestab,
                }
                for f in self.files
            ],
            "stories": [
                {
                    "key": s.key,
                    "upn": s.upn,
                    "description": s.description,
                    "siblings": list(s.sibling_upns),
                    "expected": [
                        {
                            "as_of": e.as_of.isoformat(),
                            "rules": list(e.rules),
                            "not_rules": list(e.not_rules),
                        }
                        for e in s.expected
                    ],
                }
                for s in self.stories
            ],
            "bad_rows": [marked(r) for r in self.bad_rows],
            "totals_rows": [marked(r) for r in self.totals_rows],
        }

    def save(self, path: Path | None = None) -> Path:
        target = path or self.out_dir / "manifest.json"
        target.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        return target
