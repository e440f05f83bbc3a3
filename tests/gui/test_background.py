"""The background helper: results, errors and progress arrive on the UI thread."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.children import count_children
from tests.builders import Authority
from tests.gui.conftest import check_no_jobs_left
from ui.app.background import Progress, run_in_background


def test_a_job_reports_progress_and_returns_on_the_ui_thread(qtbot: QtBot) -> None:
    seen: list[tuple[int, int]] = []
    results: list[tuple[str, bool]] = []
    worker_threads: list[threading.Thread] = []

    def work(progress: Progress) -> str:
        worker_threads.append(threading.current_thread())
        for done in range(4):
            progress(done, 3)
        return "finished"

    def on_done(value: str) -> None:
        results.append((value, threading.current_thread() is threading.main_thread()))

    job = run_in_background(work, on_done, pytest.fail, lambda d, t: seen.append((d, t)))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [("finished", True)]
    assert worker_threads[0] is not threading.main_thread()
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert seen == sorted(seen)
    assert not job.is_running()


def test_an_exception_goes_to_on_error_and_the_log(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []

    def broken(progress: Progress) -> None:
        raise ValueError("row 7 has no UPN")

    run_in_background(broken, pytest.fail, errors.append, name="broken job")
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError)
    assert "background job broken job failed" in caplog.text
    assert "row 7 has no UPN" in caplog.text


def test_cancel_stops_the_job_at_its_next_progress_report(qtbot: QtBot) -> None:
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    cancelled: list[bool] = []

    def long_job(progress: Progress) -> None:
        started.set()
        release.wait(5)
        progress(1, 10)
        pytest.fail("the job went on after being cancelled")

    job = run_in_background(
        long_job, pytest.fail, errors.append, on_cancelled=lambda: cancelled.append(True)
    )
    assert started.wait(5)
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert errors == []  # a cancellation is not a failure: one path, on_cancelled


def test_a_cancelled_job_without_on_cancelled_reports_nothing(qtbot: QtBot) -> None:
    errors: list[BaseException] = []
    release = threading.Event()

    def waiting(progress: Progress) -> None:
        release.wait(5)
        progress(1, 10)

    job = run_in_background(waiting, pytest.fail, errors.append)
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: not job.is_running(), timeout=5000)
    assert errors == []


def test_workers_read_the_database_on_their_own_connections(qtbot: QtBot, db: Database) -> None:
    town = Authority(db)
    town.many(12, [town.school("Elm Primary")])
    town.done()
    counts: list[int] = []
    jobs = [
        run_in_background(lambda _p: count_children(db), counts.append, pytest.fail)
        for _ in range(4)
    ]
    qtbot.waitUntil(lambda: len(counts) == 4, timeout=5000)
    assert counts == [12, 12, 12, 12]
    assert not any(job.is_running() for job in jobs)


def test_a_test_that_leaves_a_job_running_fails(qtbot: QtBot) -> None:
    release = threading.Event()
    job = run_in_background(lambda _p: release.wait(5), lambda _r: None, lambda _e: None)
    release.set()
    with pytest.raises(pytest.fail.Exception, match="left background jobs running"):
        check_no_jobs_left(qtbot)
    assert not job.is_running()
