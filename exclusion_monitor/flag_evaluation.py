"""Children's stored histories made into what a recompute stores: their flags, where each child
is now (the Children page's status) and their family keys, a chunk of children at a time.

A whole authority's chunks are independent of one another, so a large recompute hands them to
worker processes (one per core, up to MAX_WORKERS), each reading its own chunks from the database
with a connection of its own; the recompute's process keeps the one write transaction and stores
each chunk's results in order as they come back. Every worker reads the data as it was when the
recompute began: the recompute holds the database's write lock throughout (SQLite in WAL mode and
PostgreSQL let readers in beside it), and writes only flags, statuses and families, which no
worker reads. Small recomputes (one school, an undo) and machines with one core stay in-process:
starting a worker costs about a second.

Workers are started with `spawn` everywhere (never a fork of the app, whose Qt and database
threads must not be copied); they inherit the environment, so the admin's code-list and rule
files are the ones this process reads (config.data_dir). The Windows build's entry point calls
multiprocessing.freeze_support (ui/cli/main.py), without which a worker would open the app.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from exclusion_monitor import config
from exclusion_monitor.bulk_work import without_cycle_collector
from exclusion_monitor.errors import WorkerStoppedError
from exclusion_monitor.families import ChildKeys, child_keys
from exclusion_monitor.history import Authority, build_history
from exclusion_monitor.places import child_place
from exclusion_monitor.records import Flag
from exclusion_monitor.rules import RuleSettings, evaluate_child
from exclusion_monitor.store import Database, histories
from exclusion_monitor.store.database import ReaderAddress, open_reader, reader_address

log = logging.getLogger(__name__)

# Workers are used from this many children: below it a worker's start-up outweighs its help.
PARALLEL_FROM = 20_000
# At most this many workers unless IT says otherwise (config.worker_limit): each holds the
# program and a chunk (about 90 MB), and the recompute's memory target (docs/benchmarks.md, under
# 600 MB at a million children) counts them all with the recompute's own process.
MAX_WORKERS = 3
# Children per chunk given to a worker: small enough that the workers finish together, large
# enough that a chunk's four queries are a small part of its time.
WORKER_CHUNK = 2_500

Place = tuple[int, str, int | None, dt.date | None]


@dataclass(slots=True)
class ChunkResult:
    """What the rules made of one chunk of children, ready to store: every child with an id in
    first_id..last_id, or exactly `child_ids` when they are given (a partial recompute)."""

    first_id: int
    last_id: int
    child_ids: list[int] | None
    flags: list[Flag]
    places: list[Place]
    keys: dict[int, ChildKeys | None]


def evaluate_loaded(
    loaded: histories.LoadedChildren,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    first_id: int,
    last_id: int,
    child_ids: list[int] | None = None,
) -> ChunkResult:
    """Each loaded child's flags, place and family keys as of `as_of`."""
    result = ChunkResult(first_id, last_id, child_ids, [], [], {})
    for record in loaded.records:
        history = build_history(record, authority, as_of)
        result.flags += evaluate_child(history, authority, settings)
        place = child_place(history, authority)
        result.places.append((record.child_id, str(place.status), place.school_id, place.date))
        facts = loaded.family.get(record.child_id)
        result.keys[record.child_id] = (
            child_keys(facts.family_ref, facts.address_line1, facts.postcode) if facts else None
        )
    return result


def worker_count(children: int) -> int:
    """How many workers a whole recompute of `children` uses (1: none, all in this process):
    one per core this process may use, at most MAX_WORKERS, or at most the number IT set
    (config.worker_limit: fewer on a shared terminal server, more on a large machine)."""
    if children < PARALLEL_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, config.worker_limit() or MAX_WORKERS))


def evaluate_in_workers(
    db: Database,
    ranges: Sequence[tuple[int, int]],
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    workers: int,
) -> Iterator[ChunkResult]:
    """Each chunk of children (ids first..last) evaluated by `workers` worker processes, the
    results in the order of `ranges`. Raises OSError here, before any chunk, when the workers
    cannot be started (the caller can work in its own process instead). Leaving the loop early
    (a cancelled recompute, an error) cancels the chunks not yet begun and waits for the workers
    to end (at most a chunk each). A worker that dies (killed, out of memory) is
    WorkerStoppedError, never a wait for ever."""
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(ranges)),
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(reader_address(db), authority, settings, as_of),
    )
    try:
        results = pool.map(_evaluate_range, ranges)  # starts the workers
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    log.info("evaluating %d chunks of children in %d worker processes", len(ranges), workers)
    return _collected(pool, results)


def _context() -> multiprocessing.context.SpawnContext:
    return multiprocessing.get_context("spawn")


def _collected(pool: ProcessPoolExecutor, results: Iterator[ChunkResult]) -> Iterator[ChunkResult]:
    try:
        yield from results
    except BrokenProcessPool as exc:
        raise WorkerStoppedError(
            "A worker process working out the flags stopped before it had finished (the "
            "computer may be short of memory), so nothing was changed. Try again; if it "
            "happens again, ask IT support."
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# A worker's state, set once by _start_worker: its own database and what every chunk shares, or
# why it could not start.
_worker: tuple[Database, Authority, RuleSettings, dt.date] | BaseException | None = None


def _start_worker(
    address: ReaderAddress, authority: Authority, settings: RuleSettings, as_of: dt.date
) -> None:
    """Never raises: the failure (a server that cannot be reached, say) is kept and raised with
    the first chunk, which takes its own sentence to the recompute's process (a failed start
    would only say that the pool broke)."""
    global _worker
    try:
        _worker = (open_reader(address), authority, settings, as_of)
    except Exception as exc:
        _worker = exc


def _evaluate_range(first_last: tuple[int, int]) -> ChunkResult:
    if isinstance(_worker, BaseException):
        raise _worker
    assert _worker is not None, "a flag worker was given work before it was started"
    db, authority, settings, as_of = _worker
    first_id, last_id = first_last
    with without_cycle_collector(), db.read() as conn:
        loaded = histories.load_children_between(conn, first_id, last_id)
        return evaluate_loaded(loaded, authority, settings, as_of, first_id, last_id)
