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
threads must not be copied) and inherit the environment; each checks that it reads the admin's
code-list and rule files as this process did (rule_files). The program's entry point calls
multiprocessing.freeze_support first (ui/launch.py), without which a frozen program's worker
would open the app. docs/architecture.md#whole-recomputes-in-worker-processes says more.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from exclusion_monitor import codelists, config
from exclusion_monitor.bulk_work import without_cycle_collector
from exclusion_monitor.errors import RuleFilesChangedError, WorkerStoppedError
from exclusion_monitor.families import COMMUNAL_FILE, ChildKeys, child_keys, reload_communal_list
from exclusion_monitor.history import Authority, build_history
from exclusion_monitor.leaving_reasons import LEAVING_REASONS_FILE, reload_phrases
from exclusion_monitor.places import child_place
from exclusion_monitor.records import Flag
from exclusion_monitor.rules import RuleSettings, evaluate_child
from exclusion_monitor.school_links import LINK_TYPES_FILE, reload_link_types
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
# Windows waits on at most 63 handles at once, so a process pool there takes at most 61 workers.
WINDOWS_MOST_WORKERS = 61

Place = tuple[int, str, int | None, dt.date | None]
Task = TypeVar("Task")
Result = TypeVar("Result")


def _rule_file_names() -> list[str]:
    """The admin's files that change what the rules read (docs/rules.md), in the data folder:
    leaving reasons, communal addresses, school link types and the extra code-list rows
    (year groups, enrolment statuses, categories...)."""
    names = [LEAVING_REASONS_FILE, COMMUNAL_FILE, LINK_TYPES_FILE]
    return names + [f"codelists/{name}.csv" for name in codelists.shipped_names()]


_files_seen: list[object] = []


def rule_files() -> list[object]:
    """Each admin rule file's name, modification time and size (None when it is absent), part
    of the flags' fingerprint: editing one brings the flags up to date at the next check, as an
    import would. When they changed since this process last read them, the cached lists are read
    again, so this process, and every worker it starts, rules on the files as they are now."""
    found: list[object] = []
    for name in _rule_file_names():
        try:
            info = (config.data_dir() / name).stat()
            found.append([name, info.st_mtime_ns, info.st_size])
        except OSError:
            found.append([name, None, None])
    if found != _files_seen:
        reload_phrases()
        reload_communal_list()
        reload_link_types()
        codelists.reload_codelists()
        _files_seen[:] = found
    return found


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
    wanted = min(cores or 1, config.worker_limit() or MAX_WORKERS)
    if sys.platform == "win32":
        wanted = min(wanted, WINDOWS_MOST_WORKERS)
    return max(1, wanted)


class WorkersUnavailable(Exception):
    """The workers could not be started, or all stopped before giving back a first chunk
    (an endpoint tool that ends them, say): nothing was evaluated, so the caller can work in
    its own process instead. Its message says why, for the log."""


def evaluate_in_workers(
    db: Database,
    chunks: Iterable[Task],
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    workers: int,
    *,
    work: Callable[[Task], Result],
) -> Iterator[Result]:
    """Each chunk of children evaluated by `workers` worker processes, the results in the order
    of `chunks`, with at most two chunks a worker handed out and not yet taken back (finished
    chunks never pile up in this process, and chunks are made only as they are handed out).
    `work` is what a worker does with a chunk, a module-level function that reads with
    `worker_state`: `evaluate_range` for an authority's children with ids first..last, the
    regional workspace's own for its people. WorkersUnavailable when no chunk came back at all;
    WorkerStoppedError when a worker dies after that (killed, out of memory): never a wait for
    ever. Leaving the loop early (a cancelled recompute, an error) cancels the chunks not yet
    handed out and waits for the workers to finish those they hold."""
    count = workers
    try:
        pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=_context(),
            initializer=_start_worker,
            initargs=(reader_address(db), authority, settings, as_of, rule_files()),
        )
    except (OSError, ValueError) as exc:
        raise WorkersUnavailable(f"the worker pool could not be made: {exc!r}") from exc
    log.info("evaluating children in up to %d worker processes", count)
    return _collected(pool, chunks, 2 * count, work)


def evaluate_chunks(
    db: Database,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    workers: int,
    *,
    chunks: Callable[[], Iterable[Task]],
    work: Callable[[Task], Result],
    here: Callable[[], Iterable[Result]],
) -> Iterator[Result]:
    """Every chunk's result, in order: from `workers` worker processes (each doing `work` with a
    chunk of `chunks()`) when there are more than one and a machine lets them work, otherwise
    from `here()`, the same evaluation in this process. A machine that keeps the workers from
    working (no chunk came back) is logged and the children are evaluated here: slower, the same
    result. The one home of that choice, for an authority's whole recompute and a region's."""
    if workers > 1:
        try:
            yield from evaluate_in_workers(
                db, chunks(), authority, settings, as_of, workers, work=work
            )
            return
        except WorkersUnavailable as exc:  # nothing evaluated yet
            log.warning("worker processes could not be used (%s); working in one process", exc)
    yield from here()


def _context() -> multiprocessing.context.SpawnContext:
    return multiprocessing.get_context("spawn")


def _collected(
    pool: ProcessPoolExecutor, tasks: Iterable[Task], ahead: int, work: Callable[[Task], Result]
) -> Iterator[Result]:
    pending = iter(tasks)
    waiting: deque[Future[Result]] = deque()
    more = True
    returned = False
    try:
        while True:
            while more and len(waiting) < ahead:
                try:
                    task = next(pending)
                except StopIteration:
                    more = False
                else:
                    waiting.append(pool.submit(work, task))  # may start a worker
            if not waiting:
                return
            result = waiting.popleft().result()
            returned = True
            yield result
    except (OSError, BrokenProcessPool) as exc:
        if not returned:
            raise WorkersUnavailable(f"no worker gave back a chunk: {exc!r}") from exc
        raise WorkerStoppedError(
            "A worker process working out the flags stopped before it had finished, so nothing "
            "was changed. Try again; if it happens again, ask IT support (the log says more)."
        ) from exc
    finally:
        for future in waiting:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


# A worker's state, set once by _start_worker: its own database and what every chunk shares, or
# why it could not start.
_worker: tuple[Database, Authority, RuleSettings, dt.date] | BaseException | None = None


def _start_worker(
    address: ReaderAddress,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    files: list[object],
) -> None:
    """Never raises: the failure (a server that cannot be reached, say) is kept and raised with
    the first chunk, which takes its own sentence to the recompute's process (a failed start
    would only say that the pool broke)."""
    global _worker
    try:
        if rule_files() != files:  # read now, as the recompute's process read them
            raise RuleFilesChangedError(
                "An administrator's code-list or rule file changed while the flags were being "
                "worked out, so nothing was changed. Work them out again."
            )
        _worker = (open_reader(address), authority, settings, as_of)
    except Exception as exc:
        _worker = exc


def worker_state() -> tuple[Database, Authority, RuleSettings, dt.date]:
    """In a worker: its own database connection and what every chunk shares; the reason it
    could not start, raised with its first chunk."""
    if isinstance(_worker, BaseException):
        raise _worker
    assert _worker is not None, "a flag worker was given work before it was started"
    return _worker


def evaluate_range(first_last: tuple[int, int]) -> ChunkResult:
    db, authority, settings, as_of = worker_state()
    first_id, last_id = first_last
    with without_cycle_collector(), db.read() as conn:
        loaded = histories.load_children_between(conn, first_id, last_id)
        return evaluate_loaded(loaded, authority, settings, as_of, first_id, last_id)
