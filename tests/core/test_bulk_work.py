"""The cycle collector rests during bulk work and comes back as it was."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from exclusion_monitor.bulk_work import without_cycle_collector


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_rests_during_the_work_and_comes_back() -> None:
    gc.enable()
    with without_cycle_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_comes_back_after_a_failure() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), without_cycle_collector():
        raise RuntimeError("the work failed")
    assert gc.isenabled()


def test_stays_off_when_it_was_off() -> None:
    gc.disable()
    with without_cycle_collector():
        pass
    assert not gc.isenabled()


def test_overlapping_work_keeps_it_resting_until_the_last_ends() -> None:
    """An import on one thread and a recompute on another: the first to finish must not wake
    the collector while the other still runs."""
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with without_cycle_collector():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with without_cycle_collector():
        pass
    assert not gc.isenabled(), "woken while the other work still runs"
    release.set()
    thread.join(10)
    assert gc.isenabled()
