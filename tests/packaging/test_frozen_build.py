"""Build build/exclusion_monitor.spec with PyInstaller (once per session) and run the frozen
program as a user or IT would: its command line, its data files, its log and its window.

To check another command in the frozen program, add a FrozenCase to FROZEN_CASES: its arguments
("{db}" and "{tmp}" are filled in), any commands to run first (`before`, e.g. `demo`), and an
`expect_...` function that asserts on the finished process and the folder it ran in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from exclusion_monitor import __version__
from exclusion_monitor.store import open_database
from exclusion_monitor.upn import check_letter

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build" / "exclusion_monitor.spec"
FOLDER = "ExclusionMonitor"
DESKTOP = "ExclusionMonitor.exe" if sys.platform == "win32" else "ExclusionMonitor"
CLI = "exclusion-monitor-cli.exe" if sys.platform == "win32" else "exclusion-monitor-cli"
MAX_BUNDLE_MB = 400
PACKAGES = ("exclusion_monitor", "imports", "operations", "ui")


@dataclass(frozen=True)
class Bundle:
    folder: Path
    size_mb: float
    build_seconds: float

    @property
    def internal(self) -> Path:
        return self.folder / "_internal"

    def program(self, name: str = CLI) -> Path:
        return self.folder / name


def _say(request: pytest.FixtureRequest, line: str) -> None:
    """Print past pytest's output capture, so CI logs show the size and build time."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        print(line, flush=True)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Bundle:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail(
            "PyInstaller is not installed in this environment: requirements/build.txt pins it "
            "and `python tasks.py test` installs it (dev.txt includes build.txt)."
        )
    work = tmp_path_factory.mktemp("pyi-work")
    dist = tmp_path_factory.mktemp("pyi-dist")
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(work),
        "--distpath",
        str(dist),
        str(SPEC),
    ]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, (
        f"PyInstaller failed:\n{result.stdout[-3000:]}{result.stderr[-6000:]}"
    )
    folder = dist / FOLDER
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    built = Bundle(folder, size / 1_000_000, seconds)
    _say(
        request,
        f"\nfrozen bundle {folder.name}: {built.size_mb:.0f} MB, built in {seconds:.0f} s",
    )
    shutil.rmtree(work, ignore_errors=True)
    return built


# Variables that would let the frozen program use Python or Qt files from outside the bundle.
_CHECKOUT_VARIABLES = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "QT_PLUGIN_PATH",
    "QT_QPA_PLATFORM_PLUGIN_PATH",
)


def frozen_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a desktop without Python: nothing pointing into this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in _CHECKOUT_VARIABLES}
    env["EXCLUSION_MONITOR_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run_frozen(
    program: Path, args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------------------------------------
# The command-line checks. Each case runs its `before` commands, then `args`, in a fresh folder;
# "{db}" becomes a new database file in it and "{tmp}" the folder itself. `expect` receives the
# finished process and the folder, and asserts what a user would see.


def expect_version(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"exclusion-monitor {__version__}"


def expect_desktop_version(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    """Elsewhere as the console program; on Windows the windowed program has nowhere to print."""
    if sys.platform == "win32":
        assert done.returncode == 0 and done.stdout == ""
    else:
        expect_version(done, tmp)


def expect_check_passes(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["schema_version"] >= 1
    by_name = {c["name"]: c for c in report["checks"]}
    assert {"integrity", "schema", "identity", "code lists"} <= set(by_name)
    shipped = len(list((ROOT / "exclusion_monitor" / "data" / "codelists").glob("*.csv")))
    assert by_name["code lists"]["detail"].startswith(f"{shipped} code lists loaded")
    assert (tmp / "x.db").is_file()


def expect_no_database(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    """A reading command never creates a database (docs/output-and-failures.md)."""
    expect_plain_refusal(done, tmp)
    assert f"There is no database at {tmp / 'x.db'}" in done.stderr
    assert not (tmp / "x.db").exists()


def expect_plain_refusal(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    assert done.returncode == 2
    assert done.stderr.startswith("exclusion-monitor: ") and "Traceback" not in done.stderr
    assert done.stdout == ""


def expect_flags(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    assert done.returncode == 0, done.stderr
    flagged = json.loads(done.stdout)
    assert flagged, "the demo authority's planted stories should be flagged"
    for child in flagged:
        assert {
            "upn",
            "surname",
            "forename",
            "school_laestab",
            "family_id",
            "rules",
            "reasons",
        } <= set(child)
        assert child["rules"] and len(child["rules"]) == len(child["reasons"])


def expect_flag_list_pdf(done: subprocess.CompletedProcess[str], tmp: Path) -> None:
    assert done.returncode == 0, done.stderr
    pdf = tmp / "flags.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert pages and all("OFFICIAL-SENSITIVE" in page for page in pages)
    assert "Flag list" in text


DEMO = ("--db", "{db}", "demo", "--pupils", "200", "--out", "{tmp}/returns")
ONE_PUPIL_CENSUS = (
    "UPN,Surname,Forename,Date of birth,Sex,NC year,LAESTAB\r\n"
    f"{check_letter('330400215001')}330400215001,Tester,Kid,01/03/2013,M,4,3304002\r\n"
).encode()


@dataclass(frozen=True)
class FrozenCase:
    id: str
    args: tuple[str, ...]
    expect: Callable[[subprocess.CompletedProcess[str], Path], None]
    before: tuple[tuple[str, ...], ...] = ()
    program: str = CLI
    timeout: float = 300
    files: dict[str, bytes] = field(default_factory=dict)  # written into the folder first


FROZEN_CASES = [
    FrozenCase("version-cli", ("--version",), expect_version),
    FrozenCase("version-desktop", ("--version",), expect_desktop_version, program=DESKTOP),
    FrozenCase(
        "check-after-an-import",
        ("--db", "{db}", "check", "--format", "json"),
        expect_check_passes,
        before=(("--db", "{db}", "import", "{tmp}/census.csv", "--census-date", "2024-01-18"),),
        files={"census.csv": ONE_PUPIL_CENSUS},
    ),
    FrozenCase(
        "children-json-refuses-a-missing-db",
        ("--db", "{db}", "children", "--format", "json"),
        expect_no_database,
    ),
    FrozenCase(
        "refuses-a-file-that-is-not-a-database",
        ("--db", "{tmp}/notes.db", "children"),
        expect_plain_refusal,
        files={"notes.db": b"these are not the records you are looking for\n" * 100},
    ),
    FrozenCase(
        "demo-then-flags-json",
        ("--db", "{db}", "flags", "--format", "json"),
        expect_flags,
        before=(DEMO,),
    ),
    FrozenCase(
        "demo-then-report-flags-pdf",
        ("--db", "{db}", "report", "flags", "--out", "{tmp}/flags.pdf"),
        expect_flag_list_pdf,
        before=(DEMO,),
    ),
]


def _fill(args: tuple[str, ...], tmp: Path) -> list[str]:
    return [a.replace("{db}", str(tmp / "x.db")).replace("{tmp}", str(tmp)) for a in args]


@pytest.mark.parametrize("case", FROZEN_CASES, ids=[c.id for c in FROZEN_CASES])
def test_frozen_command(bundle: Bundle, case: FrozenCase, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name, content in case.files.items():
        (work / name).write_bytes(content)
    env = frozen_env(tmp_path / "home")
    program = bundle.program(case.program)
    for step in case.before:
        done = run_frozen(program, _fill(step, work), work, env, case.timeout)
        assert done.returncode == 0, f"{step[2:]} failed: {done.stderr}"
    done = run_frozen(program, _fill(case.args, work), work, env, case.timeout)
    case.expect(done, work)


# ---------------------------------------------------------------------------------------------


def test_bundle_is_one_folder_of_sane_size(bundle: Bundle) -> None:
    assert bundle.program(DESKTOP).is_file() and bundle.program(CLI).is_file()
    assert bundle.size_mb < MAX_BUNDLE_MB, f"bundle is {bundle.size_mb:.0f} MB"
    internal = bundle.internal
    for unwanted in ("pytest", "_pytest", "hypothesis", "mypy", "ruff", "tests", "pytestqt"):
        assert not (internal / unwanted).exists(), f"{unwanted} was bundled"
    qt_libs = {p.name.split(".")[0] for p in (internal / "PySide6" / "Qt" / "lib").glob("*")}
    qt_libs |= {p.name.split(".")[0] for p in (internal / "PySide6").glob("*Qt6*")}
    for unused in ("libQt6Qml", "libQt6Quick", "libQt6WebEngineCore", "Qt6Qml", "Qt6Quick"):
        assert unused not in qt_libs, f"{unused} was bundled"


def test_every_package_data_file_is_in_the_bundle(bundle: Bundle) -> None:
    shipped = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            wanted = path.suffix not in (".py", ".pyc", ".pyi")
            if wanted and path.is_file() and "__pycache__" not in path.parts:
                shipped.append(path.relative_to(ROOT))
    assert any(p.parts[:3] == ("exclusion_monitor", "data", "codelists") for p in shipped)
    assert Path("ui/resources/exclusion_monitor.png") in shipped
    for relative in shipped:
        inside = bundle.internal / relative
        assert inside.is_file(), f"{relative} is missing from the bundle"
        assert inside.read_bytes() == (ROOT / relative).read_bytes()


def test_log_goes_to_the_users_log_folder(bundle: Bundle, tmp_path: Path) -> None:
    """Without EXCLUSION_MONITOR_HOME the frozen program logs where platformdirs says."""
    if sys.platform == "win32":
        pytest.skip("Windows' known folders cannot be redirected for a test; see the README")
    env = frozen_env(tmp_path / "unused")
    del env["EXCLUSION_MONITOR_HOME"]
    env.update(
        HOME=str(tmp_path / "user"),
        XDG_STATE_HOME=str(tmp_path / "user" / "state"),
        XDG_DATA_HOME=str(tmp_path / "user" / "data"),
    )
    done = run_frozen(bundle.program(), ["check"], tmp_path, env)
    log_dir = tmp_path / "user" / "state" / "ExclusionMonitor" / "log"
    db = tmp_path / "user" / "data" / "ExclusionMonitor" / "exclusion-monitor.db"
    assert done.returncode == 2 and f"There is no database at {db}" in done.stderr
    log_text = (log_dir / "exclusion-monitor.log").read_text(encoding="utf-8")
    assert f"exclusion-monitor {__version__} starting: check (frozen build)" in log_text
    assert not db.exists()  # where the default database goes, but `check` never makes one


def test_a_large_recompute_starts_its_workers_from_the_frozen_program(
    bundle: Bundle, tmp_path: Path
) -> None:
    """A whole recompute of 20,000 children starts worker processes, which in a frozen build are
    the program itself started again: they must work out flags, not open a command line or a
    window (multiprocessing.freeze_support)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_flags

    location = tmp_path / "x.db"
    db = open_database(location)
    built = bench_flags.build(db, 0.08)
    db.close()
    assert built["children"] >= 20_000
    home = tmp_path / "home"
    done = run_frozen(
        bundle.program(), ["--db", str(location), "flags", "--format", "json"], tmp_path,
        frozen_env(home),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout), "the benchmark authority has flagged children"
    log_text = (home / "logs" / "exclusion-monitor.log").read_text(encoding="utf-8")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) > 1:
        assert "worker processes" in log_text, log_text[-2000:]


def test_desktop_program_opens_its_window(bundle: Bundle, tmp_path: Path) -> None:
    """The windowed program starts Qt from the bundle (offscreen) and shows the main window."""
    home = tmp_path / "home"
    log_file = home / "logs" / "exclusion-monitor.log"
    open_database(tmp_path / "x.db").close()  # else the app would ask whether to create one
    process = subprocess.Popen(
        [str(bundle.program(DESKTOP)), "--db", str(tmp_path / "x.db")],
        cwd=tmp_path,
        env=frozen_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        shown = False
        while time.monotonic() < deadline and process.poll() is None:
            if log_file.is_file() and "main window shown" in log_file.read_text("utf-8"):
                shown = True
                break
            time.sleep(0.5)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    log_text = log_file.read_text("utf-8") if log_file.is_file() else "(no log)"
    assert shown, f"the window did not open\nstderr: {stderr[-3000:]}\nlog: {log_text[-3000:]}"
    assert "CRITICAL" not in log_text and "Traceback" not in log_text
