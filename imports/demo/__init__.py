"""A synthetic West Midlands-style local authority for trying and measuring the tool: generated
records, the spreadsheets its schools would send, and rates to check against national figures."""

from __future__ import annotations

from pathlib import Path

from imports.demo.benchmark import write_census_workbook
from imports.demo.calibration import NATIONAL, PublishedRates, published_rates
from imports.demo.generator import (
    DEFAULT_PUPILS,
    DEFAULT_SEED,
    DemoAuthority,
    census_rows,
    generate_authority,
    reported_exclusions,
)
from imports.demo.manifest import DemoManifest, MarkedRow, ReturnFile
from imports.demo.records import ExpectedFlags, PlantedStory
from imports.demo.returns_writer import write_returns

__all__ = [
    "DEFAULT_PUPILS",
    "DEFAULT_SEED",
    "NATIONAL",
    "DemoAuthority",
    "DemoManifest",
    "ExpectedFlags",
    "MarkedRow",
    "PlantedStory",
    "PublishedRates",
    "ReturnFile",
    "build_demo_returns",
    "census_rows",
    "generate_authority",
    "published_rates",
    "reported_exclusions",
    "write_census_workbook",
    "write_returns",
]


def build_demo_returns(
    out_dir: Path, pupils: int = DEFAULT_PUPILS, seed: int = DEFAULT_SEED
) -> DemoManifest:
    """Generate an authority and write its returns into `out_dir`; the manifest lists the files
    in import order with their kind and census date, the planted stories and the bad rows."""
    return write_returns(generate_authority(pupils, seed), out_dir, pupils)
