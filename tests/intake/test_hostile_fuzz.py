"""Structure-aware fuzzing of workbooks, beside the byte-level fuzz in test_properties.py (whose
seeds it reuses): damaged zip directories and headers, mutated XML packed again honestly. Every
file is imported or refused with a sentence naming it; none crashes the process (calamine aborts
on a sheet too large to allocate) or fails with an unexpected error."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from imports import import_files

from .fuzz_mutations import mutate_workbook
from .test_properties import _seeds

ITERATIONS = 2_500


@pytest.mark.slow
def test_structure_aware_mutations_are_refused_cleanly_or_imported(
    tmp_path: Path, db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20260115)
    xlsx, _, _, ods = _seeds(tmp_path)
    seeds = [(xlsx, ".xlsx"), (ods, ".ods")]
    outcomes: Counter[str] = Counter()
    for n in range(ITERATIONS):
        data, suffix = rng.choice(seeds)
        for _ in range(rng.randint(1, 2)):
            data = mutate_workbook(data, rng)
        path = tmp_path / f"s{n}{suffix}"
        path.write_bytes(data)
        (result,) = import_files(db, [path])
        outcomes[result.status] += 1
        if result.status == "refused":
            assert result.message and result.message.startswith(path.name + ":"), result.message
            assert "unexpected" not in result.message, (path, result.message)
        else:
            assert result.rows_read == result.rows_imported + result.rows_rejected
        path.unlink()
    with capsys.disabled():
        print(f"\nstructure-aware fuzz: {ITERATIONS} files, {dict(outcomes)}")
    assert outcomes["refused"] > ITERATIONS // 4
    assert outcomes["imported"] + outcomes["already_imported"] > ITERATIONS // 10
