"""Set-up and test runner: `python tasks.py app` opens the app, `python tasks.py test` tests it.

Both create a virtual environment in .venv with the pinned requirements on first use (and again
when the requirements change), so a fresh machine needs nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements" / "dev.txt"
STAMP = VENV / ".tasks-stamp"
DEMO_DIR = ROOT / "demo"
DEMO_DB = DEMO_DIR / "demo-authority.db"

# Qt's runtime libraries for a real X display (the xcb platform plugin and what it loads): without
# them `app` aborts on a Linux desktop with "could not load the Qt platform plugin xcb".
DESKTOP_PACKAGES = [
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0",
    "libx11-xcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
]
# What the test suite needs besides: PDF pages to text and pictures, a virtual X display and a
# window finder (the app is started once on the real xcb platform), and a PostgreSQL server for the
# tests that run the store on both engines.
TEST_PACKAGES = [
    *DESKTOP_PACKAGES,
    "poppler-utils",
    "xvfb",
    "xauth",
    "xdotool",
    "postgresql-15",  # initdb and pg_ctl for the throwaway test server (tests/support/postgres.py)
]


def venv_python() -> Path:
    sub = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return VENV / sub


def venv_script(name: str) -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for path in [*sorted((ROOT / "requirements").glob("*.txt")), ROOT / "pyproject.toml"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the pinned requirements plus this project (editable)."""
    wanted = _requirements_digest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and venv_python().exists():
        return
    if not venv_python().exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    py = str(venv_python())
    run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    print("Installing pinned requirements ...", flush=True)
    run([py, "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)])
    run([py, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)])
    STAMP.write_text(wanted)


def ensure_debian_packages(packages: list[str]) -> None:
    """On Debian or Ubuntu, install the system packages that are missing: directly as root, through
    sudo (which asks for the password) from a terminal, else say which command to run."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        print(f"Please install these Debian packages first: {' '.join(missing)}", flush=True)
        return
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None or not sys.stdin.isatty():
            print(
                "Please install these Debian packages first (as root): "
                f"apt-get install {' '.join(missing)}",
                flush=True,
            )
            return
        prefix = ["sudo"]
    print(f"Installing Debian packages: {' '.join(missing)} ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run([*prefix, "apt-get", "update", "-qq"], env=env)
    run([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return "install ok installed" in result.stdout


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"Failed ({completed.returncode}): {' '.join(cmd)}")


def cmd_test(extra: list[str]) -> None:
    ensure_debian_packages(TEST_PACKAGES)
    ensure_environment()
    py = str(venv_python())
    qt_free = [d for d in ("tests/core", "tests/intake") if (ROOT / d).is_dir()]
    steps: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("ruff format", [str(venv_script("ruff")), "format", "--check", "."], None),
        ("ruff lint", [str(venv_script("ruff")), "check", "."], None),
        ("mypy", [py, "-m", "mypy"], None),
        ("import contracts", [str(venv_script("lint-imports"))], None),
        (
            "core and intake without Qt",
            [py, "-m", "pytest", "-q", "-p", "no:pytest-qt", *qt_free],
            dict(os.environ, EXCLUSION_MONITOR_BLOCK_QT="1"),
        ),
        ("whole test suite", [py, "-m", "pytest", *extra], None),
    ]
    for title, cmd, env in steps:
        print(f"\n=== {title} ===", flush=True)
        run(cmd, env=env)
    print("\nAll checks passed.", flush=True)


def cmd_app(extra: list[str]) -> None:
    ensure_debian_packages(DESKTOP_PACKAGES)
    ensure_environment()
    exe = str(venv_script("exclusion-monitor"))
    if not DEMO_DB.exists():
        print(
            "Building the demo local authority (first start only, about a minute) ...", flush=True
        )
        DEMO_DIR.mkdir(exist_ok=True)
        building = DEMO_DB.with_name(DEMO_DB.name + ".building")
        for leftover in DEMO_DIR.glob(building.name + "*"):
            leftover.unlink()
        run([exe, "--db", str(building), "demo", "--out", str(DEMO_DIR / "returns")])
        run([exe, "--db", str(building), "check"])  # also folds the WAL into the file
        building.replace(DEMO_DB)
    run([exe, "--db", str(DEMO_DB), *extra])


def main(argv: list[str]) -> None:
    commands = {"app": cmd_app, "test": cmd_test}
    if not argv or argv[0] not in commands:
        raise SystemExit("usage: python tasks.py app | test [extra arguments]")
    commands[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
