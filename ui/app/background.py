"""The one background helper: `run_in_background` runs a plain function on Qt's thread pool and
delivers its result, error and progress on the UI thread.

The function takes one argument, `progress(done, total)`; calling it is also where a cancelled job
stops (it raises OperationCancelled), so core functions need no Qt and no cancel flag of their own.
Cancelling has one path: a cancelled job calls `on_cancelled` (when given), never `on_error`, so
no caller needs to tell a cancellation from a failure.
Each worker thread checks out its own database connection from the engine's pool (the SQLite
engine is opened with check_same_thread=False). Jobs that write use `writes=True`: they run one
at a time on a single writer thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressBar

from exclusion_monitor.errors import OperationCancelled

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_PROGRESS_INTERVAL = 0.05  # seconds between progress signals (the first and last always go)

_active: set[BackgroundJob] = set()
_writer_pool: QThreadPool | None = None


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class BackgroundJob(QRunnable):
    """One run of a function on the pool; keep it to cancel it or to ask whether it is running."""

    def __init__(self, fn: Callable[[Progress], Any], name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.name = name
        self.signals = _Signals()
        self._cancelled = threading.Event()
        self._finished = threading.Event()
        self._last_progress = 0.0

    def cancel(self) -> None:
        """Stop at the next progress report; then on_cancelled is called (never on_error)."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def is_running(self) -> bool:
        """True until the result (or error) has been delivered on the UI thread."""
        return self in _active

    def wait_finished(self, timeout: float | None = None) -> bool:
        """Block until the function has returned or raised in its thread (not yet delivered)."""
        return self._finished.wait(timeout)

    def _progress(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise OperationCancelled("Cancelled.")
        now = time.monotonic()
        if done in (0, total) or now - self._last_progress >= _PROGRESS_INTERVAL:
            self._last_progress = now
            self.signals.progressed.emit(int(done), int(total))

    def run(self) -> None:
        try:
            if self._cancelled.is_set():
                raise OperationCancelled("Cancelled.")
            result = self.fn(self._progress)
        except BaseException as exc:  # delivered to on_error; nothing is swallowed silently
            if not isinstance(exc, OperationCancelled):
                log.error("background job %s failed", self.name, exc_info=exc)
            self._finished.set()
            self.signals.failed.emit(exc)
        else:
            self._finished.set()
            self.signals.done.emit(result)


def _alive(owner: QObject | None) -> bool:
    return owner is None or shiboken6.isValid(owner)


def run_in_background(
    fn: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_progress: Callable[[int, int], None] | None = None,
    *,
    on_cancelled: Callable[[], None] | None = None,
    owner: QObject | None = None,
    writes: bool = False,
    name: str = "",
) -> BackgroundJob:
    """Run `fn(progress)` off the UI thread; call on_done(result) or on_error(exception) and
    on_progress(done, total) on the UI thread; a cancelled job calls on_cancelled() instead of
    on_error. Callbacks are skipped once `owner` is deleted.
    Exceptions are logged (with traceback) before on_error gets them. Call from the UI thread."""
    job = BackgroundJob(fn, name or getattr(fn, "__name__", "job"))

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _active.discard(job)
        if _alive(owner):
            callback(value)

    job.signals.done.connect(lambda result: finish(on_done, result))

    def failed(exc: BaseException) -> None:
        if isinstance(exc, OperationCancelled):
            finish(lambda _none: on_cancelled() if on_cancelled is not None else None, None)
        else:
            finish(on_error, exc)

    job.signals.failed.connect(failed)
    if on_progress is not None:
        job.signals.progressed.connect(
            lambda done, total: on_progress(done, total) if _alive(owner) else None
        )
    _active.add(job)
    pool = _writer() if writes else QThreadPool.globalInstance()
    pool.start(job)
    return job


def _writer() -> QThreadPool:
    global _writer_pool
    if _writer_pool is None:
        _writer_pool = QThreadPool()
        _writer_pool.setMaxThreadCount(1)
        _writer_pool.setObjectName("database-writer")
    return _writer_pool


def running_jobs() -> list[BackgroundJob]:
    """Jobs started and not yet delivered (tests fail when one is left behind)."""
    return sorted(_active, key=lambda job: job.name)


class ProgressBar(QProgressBar):
    """Shows a job's progress(done, total); hidden until a page shows it, and with
    `hide_when_done` hidden again when the job reports its last step."""

    def __init__(self, text_format: str | None = None, *, hide_when_done: bool = False) -> None:
        super().__init__()
        if text_format is not None:
            self.setFormat(text_format)
        self.hide_when_done = hide_when_done
        self.hide()

    def show_progress(self, done: int, total: int) -> None:
        self.setRange(0, max(total, 1))
        self.setValue(done)
        if self.hide_when_done:
            self.setVisible(done < total)
