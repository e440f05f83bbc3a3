"""The benchmarks' harness keeps its contract (docs/benchmarks.md): each figure with its floor,
ratio and target, and the flag benchmark's JSON object, built and measured at a tiny size on both
engines. No timing is asserted: only that the measurements measure what they say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import schema as t

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_flags  # noqa: E402
import harness  # noqa: E402

TINY = 0.0008  # 200 children, the builder's smallest authority


def test_a_figure_is_its_ratio_to_its_floor_and_says_whether_each_target_was_met() -> None:
    within = harness.figure("full", 6.0, floor=2.0, max_ratio=3, max_value=10)
    assert (within["ratio"], within["met"]) == (3.0, True)
    assert within["target"] == "<= 3x floor and <= 10 s"
    assert harness.figure("full", 6.1, floor=2.0, max_ratio=3)["met"] is False
    assert harness.figure("full", 9.0, floor=2.0, max_ratio=5, max_value=8)["met"] is False
    assert harness.figure("speed-up", 4.9, "x", min_value=5)["met"] is False
    assert harness.figure("plain", 1.0)["met"] is None  # no target: nothing to meet


def test_a_figure_that_could_not_be_measured_misses_its_target_and_stays_valid_json() -> None:
    failed = harness.figure("import", float("nan"), floor=2.0, max_ratio=3)
    assert (failed["value"], failed["ratio"], failed["met"]) == (None, None, False)
    json.loads(json.dumps(failed, allow_nan=False))


def test_a_script_printing_plain_numbers_still_gives_figures() -> None:
    found = harness.flat_figures({"engine": "sqlite", "import_s": 2.5, "peak_mb": 300, "ok": True})
    assert [(f["name"], f["unit"]) for f in found] == [("import_s", "s"), ("peak_mb", "MB")]


def test_the_flag_benchmark_floor_reads_every_row_and_the_recompute_flags_every_child(
    db: Any, db_location: str
) -> None:
    built = bench_flags.build(db, TINY)
    location = db_location
    floor = bench_flags.measure_floor(location)
    assert floor["floor_rows"] == {
        "children": built["children"],
        "census_observations": built["census"],
        "enrolments": built["enrolments"],
        "exclusions": built["exclusions"],
    }
    full = bench_flags.measure_full(location)
    with db.read() as conn:
        open_flags = conn.execute(
            sa.select(sa.func.count()).select_from(t.flags).where(t.flags.c.cleared_on.is_(None))
        ).scalar()
    assert full["children"] == built["children"] == 200
    assert full["flags_held"] == open_flags == sum(full["by_rule"].values()) > 0
    again = bench_flags.measure_again(location)
    assert again["current_after_full"] is True
    with db.read() as conn:
        first_secondary = conn.execute(
            sa.select(sa.func.min(t.schools.c.id)).where(t.schools.c.phase == "secondary")
        ).scalar()
        at_school = conn.execute(
            sa.select(sa.func.count(sa.distinct(t.census_observations.c.child_id))).where(
                t.census_observations.c.school_id == first_secondary
            )
        ).scalar()
    assert again["one_school_children"] >= at_school > 0
    # A second full measurement starts from no stored flags again and finds the same ones.
    assert bench_flags.measure_full(location)["by_rule"] == full["by_rule"]


@pytest.mark.sqlite_only
def test_bench_flags_json_alone_prints_one_object_with_the_figures_issue_17_names() -> None:
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_flags.py"), "--scale", str(TINY), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)  # the whole of stdout: one object, no progress lines
    for key in ("children", "full_s", "floor_s", "full_ratio", "unchanged_s", "one_school_s"):
        assert result[key] is not None, key
    assert result["children"] == 200
    assert result["one_school_children"] > 0
    assert result["peak_mb"] > 0
    assert result["full_ratio"] == pytest.approx(result["full_s"] / result["floor_s"], rel=1e-3)
    names = [f["name"] for f in result["figures"]]
    assert names[0] == "full recompute, 200 children"
    assert {f["met"] for f in result["figures"]} <= {True, False, None}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_the_memory_of_a_process_tree_counts_the_processes_it_starts() -> None:
    """A child holding 200 MB while the block runs counts in the peak; this process alone
    does not hold it."""
    hold = 'b = b"x" * (200 * 1024 * 1024); import time; time.sleep(1.0)'
    own = harness.peak_mb()
    with harness.TreeMemory() as memory:
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert memory.peak >= own + 150, (own, memory.peak)
    assert harness.peak_mb() < own + 150  # the 200 MB were the child's, not this process's
    assert harness.children_cpu_s() > 0
