"""The app on a real X display: Qt's xcb platform (not offscreen) loads, with the libraries the
project's set-up installs, and the main window appears where a window manager would find it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


SERVER_WAIT_S = 15


@dataclass
class XServer:
    """A virtual X server started for one test, with what it printed kept for the failure text."""

    display: str
    process: subprocess.Popen[bytes]
    log: Path

    def state(self) -> str:
        said = self.log.read_text(errors="replace").strip() or "(nothing)"
        running = "running" if self.process.poll() is None else f"ended ({self.process.returncode})"
        return f"Xvfb on {self.display} is {running}; it printed:\n{said}"


def _start_xvfb(xvfb: str, log: Path) -> XServer | None:
    """Xvfb on a free display number (it picks one and tells us through a pipe), once a client
    can connect to it; None if it ended or never answered (it is stopped then)."""
    read_end, write_end = os.pipe()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    started = XServer(f":{number}", server, log)
    deadline = time.monotonic() + SERVER_WAIT_S
    while number and server.poll() is None and time.monotonic() < deadline:
        if _answers(started.display):
            return started
        time.sleep(0.2)
    _stop(server)
    return None


def _answers(display: str) -> bool:
    """Whether a client can connect to the display and read its screen's size."""
    asked = subprocess.run(
        [_need("xdotool"), "getdisplaygeometry"],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        check=False,
    )
    return asked.returncode == 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def x_server(tmp_path: Path) -> Iterator[XServer]:
    """A virtual X server that answers a client. A server that ends or never answers is the
    machine's trouble, not the app's: a second one is tried before the test fails, with what
    each printed."""
    xvfb = _need("Xvfb")
    logs = [tmp_path / "xvfb-1.log", tmp_path / "xvfb-2.log"]
    for log in logs:
        server = _start_xvfb(xvfb, log)
        if server is not None:
            break
    else:
        printed = "\n".join(f"{log.name}: {log.read_text(errors='replace')}" for log in logs)
        pytest.fail(f"Xvfb did not start or answer twice:\n{printed}")
    try:
        yield server
    finally:
        _stop(server.process)


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
def test_the_app_opens_its_window_on_a_real_x_display(x_server: XServer, tmp_path: Path) -> None:
    xdotool = _need("xdotool")
    x_display = x_server.display
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
        assert app.poll() is None, (
            f"the app ended (exit {app.returncode}):\n{output}\n{x_server.state()}"
        )
        assert windows, (
            f"no window appeared within {WINDOW_WAIT_S} s:\n{output}\n{x_server.state()}"
        )
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
