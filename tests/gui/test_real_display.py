"""The app on a real X display: Qt's xcb platform (not offscreen) loads, with the libraries the
project's set-up installs, and the main window appears where a window manager would find it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exclusion_monitor.store import open_database

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")

WINDOW_WAIT_S = 60


def _need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is not installed (python tasks.py test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def x_display() -> Iterator[str]:
    """A virtual X server on a free display number (Xvfb picks it and tells us through a pipe)."""
    xvfb = _need("Xvfb")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _window_ids(xdotool: str, display: str, title: str) -> list[str]:
    found = subprocess.run(
        [xdotool, "search", "--onlyvisible", "--name", title],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()


@pytest.mark.slow
def test_the_app_opens_its_window_on_a_real_x_display(x_display: str, tmp_path: Path) -> None:
    xdotool = _need("xdotool")
    database = tmp_path / "authority.db"
    env = dict(os.environ, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")  # the test's private home
    open_database(str(database)).close()  # the account that made it becomes its admin
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "ui", "--db", str(database)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WINDOW_WAIT_S
        windows: list[str] = []
        while time.monotonic() < deadline and app.poll() is None:
            windows = _window_ids(xdotool, x_display, "Exclusion Monitor - authority.db")
            if windows:
                break
            time.sleep(0.5)
        output = log.read_text(errors="replace")
        assert app.poll() is None, f"the app ended (exit {app.returncode}):\n{output}"
        assert windows, f"no window appeared within {WINDOW_WAIT_S} s:\n{output}"
        geometry = subprocess.run(
            [xdotool, "getwindowgeometry", windows[0]],
            env=dict(os.environ, DISPLAY=x_display),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Geometry:" in geometry
        assert "could not load the Qt platform plugin" not in output
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
