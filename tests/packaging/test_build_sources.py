"""The packaging sources on their own (no build): version resource, shipped data, icon, pins."""

from __future__ import annotations

import ast
import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtGui import QImage

from exclusion_monitor import __version__

ROOT = Path(__file__).resolve().parents[2]
ICO = ROOT / "build" / "icon" / "exclusion_monitor.ico"
WINDOWS_ICON_SIZES = {16, 24, 32, 48, 64, 128, 256}


@pytest.fixture(scope="module")
def support() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "spec_support", ROOT / "build" / "spec_support.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_comes_from_the_package(support: ModuleType) -> None:
    assert support.app_version() == __version__


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("2.10", (2, 10, 0, 0)), ("1.2.0rc1", (1, 2, 0, 0))],
)
def test_windows_wants_four_numbers(
    support: ModuleType, version: str, numbers: tuple[int, ...]
) -> None:
    assert support.version_tuple(version) == numbers


def test_version_resource_names_the_product_and_version(
    support: ModuleType, tmp_path: Path
) -> None:
    text = Path(support.write_version_file(tmp_path, "3.4.5")).read_text(encoding="utf-8")
    tree = ast.parse(text, mode="eval")  # PyInstaller evaluates this expression
    assert isinstance(tree.body, ast.Call) and ast.unparse(tree.body.func) == "VSVersionInfo"
    strings = {
        ast.literal_eval(node.args[0]): ast.literal_eval(node.args[1])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "StringStruct"
    }
    assert strings["ProductName"] == "Exclusion Monitor"
    assert strings["FileVersion"] == strings["ProductVersion"] == "3.4.5"
    assert strings["CompanyName"] and strings["FileDescription"]
    assert "filevers=(3, 4, 5, 0)" in text and "prodvers=(3, 4, 5, 0)" in text
    assert strings["OriginalFilename"] == "ExclusionMonitor.exe"
    cli = support.version_resource_text("3.4.5", "exclusion-monitor-cli")
    assert "'OriginalFilename', 'exclusion-monitor-cli.exe'" in cli and "(command line)" in cli


def test_package_data_includes_every_data_file(support: ModuleType) -> None:
    collected = {Path(source).relative_to(ROOT) for source, _ in support.package_data()}
    codelists = {
        p.relative_to(ROOT) for p in (ROOT / "exclusion_monitor/data/codelists").glob("*.csv")
    }
    assert codelists and codelists <= collected
    assert Path("ui/resources/exclusion_monitor.png") in collected
    assert not any(p.suffix == ".py" or "__pycache__" in p.parts for p in collected)
    for source, folder in support.package_data():
        assert Path(source).parent.relative_to(ROOT) == Path(folder)


def test_every_module_of_ours_is_a_hidden_import(support: ModuleType) -> None:
    modules = support.own_modules()
    assert {"exclusion_monitor", "exclusion_monitor.store.checks", "ui.app.application"} <= set(
        modules
    )
    assert "ui.cli.commands.check" in modules and "ui.__main__" not in modules
    assert not any(name.startswith("tests") or name.endswith("__init__") for name in modules)


def test_qt_translations_are_dropped_and_our_data_kept(support: ModuleType) -> None:
    assert not support.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert support.keep_data("exclusion_monitor/data/codelists/sex.csv")


def _icon_directory(data: bytes) -> list[tuple[int, int, int]]:
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    entries = []
    for i in range(count):
        width, _, _, _, _, bits, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert bits == 32 and offset + size <= len(data)
        entries.append((width or 256, size, offset))
    return entries


def test_icon_has_every_windows_size_and_each_decodes(qapp: object) -> None:
    data = ICO.read_bytes()
    entries = _icon_directory(data)
    assert {width for width, _, _ in entries} == WINDOWS_ICON_SIZES
    image = QImage()
    assert image.loadFromData(data, "ICO")
    assert image.width() in WINDOWS_ICON_SIZES
    window_icon = QImage(str(ROOT / "ui" / "resources" / "exclusion_monitor.png"))
    assert (window_icon.width(), window_icon.height()) == (256, 256)
    centre = window_icon.pixelColor(128, 160)
    assert centre.alpha() == 255  # a solid picture, not an empty canvas
    assert window_icon.pixelColor(0, 0).alpha() == 0  # rounded corners are transparent


def test_pyinstaller_and_its_dependencies_are_pinned() -> None:
    lines = (ROOT / "requirements" / "build.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.split(";")[0].strip() for line in lines if line and not line.startswith("#")]
    assert "pyinstaller==6.22.3" in pins
    assert all("==" in pin for pin in pins), pins
    assert "-r build.txt" in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")


def test_windows_build_script_uses_the_spec_and_pinned_requirements() -> None:
    script = (ROOT / "build" / "build_windows.ps1").read_text(encoding="utf-8")
    for needed in (
        "requirements\\runtime.txt",
        "requirements\\build.txt",
        "build\\exclusion_monitor.spec",
        "--workpath",
        "--distpath",
        "Compress-Archive",
        "-win64.zip",
        "$ErrorActionPreference = 'Stop'",
    ):
        assert needed in script, needed


class _Recorded:
    """Stands in for PyInstaller's Analysis/PYZ/EXE/COLLECT: records how the spec calls them."""

    calls: list[_Recorded]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs
        self.calls.append(self)
        self.pure: list[Any] = []
        self.scripts: list[Any] = []
        self.binaries: list[Any] = []
        self.datas = [
            ("PySide6/Qt/translations/qtbase_de.qm", "/somewhere/qtbase_de.qm", "DATA"),
            ("exclusion_monitor/data/codelists/sex.csv", "/somewhere/sex.csv", "DATA"),
        ]


def _run_spec(platform: str, tmp_path: Path) -> dict[str, list[_Recorded]]:
    """Execute the spec as PyInstaller would on `platform`, with the build steps recorded."""
    calls: dict[str, list[_Recorded]] = {}
    namespace: dict[str, Any] = {"SPECPATH": str(ROOT / "build"), "workpath": str(tmp_path)}
    for name in ("Analysis", "PYZ", "EXE", "COLLECT"):
        calls[name] = []
        namespace[name] = type(name, (_Recorded,), {"calls": calls[name]})
    spec = ROOT / "build" / "exclusion_monitor.spec"
    code = compile(spec.read_text(encoding="utf-8"), str(spec), "exec")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "path", list(sys.path))
        patch.setattr(sys, "platform", platform)
        exec(code, namespace)
    return calls


def test_spec_on_windows_gives_both_programs_icon_and_version(tmp_path: Path) -> None:
    calls = _run_spec("win32", tmp_path)
    desktop, console = calls["EXE"]
    assert (desktop.kwargs["name"], desktop.kwargs["console"]) == ("ExclusionMonitor", False)
    assert (console.kwargs["name"], console.kwargs["console"]) == ("exclusion-monitor-cli", True)
    for exe in (desktop, console):
        assert Path(exe.kwargs["icon"]) == ICO and ICO.is_file()
        assert exe.kwargs["exclude_binaries"] is True and exe.kwargs["upx"] is False
        resource = Path(exe.kwargs["version"]).read_text(encoding="utf-8")
        assert f"'OriginalFilename', '{exe.kwargs['name']}.exe'" in resource
        assert f"'ProductVersion', '{__version__}'" in resource
    (collect,) = calls["COLLECT"]
    assert collect.kwargs["name"] == "ExclusionMonitor"
    assert collect.args[:2] == (desktop, console)
    (analysis,) = calls["Analysis"]
    assert "pytest" in analysis.kwargs["excludes"]
    assert "PySide6.QtQuick" in analysis.kwargs["excludes"]
    assert "ui.app.main_window" in analysis.kwargs["hiddenimports"]
    assert [d[0] for d in analysis.datas] == ["exclusion_monitor/data/codelists/sex.csv"]


def test_spec_elsewhere_builds_the_same_programs_without_windows_resources(
    tmp_path: Path,
) -> None:
    calls = _run_spec("linux", tmp_path)
    names = [exe.kwargs["name"] for exe in calls["EXE"]]
    assert names == ["ExclusionMonitor", "exclusion-monitor-cli"]
    assert not any("icon" in exe.kwargs or "version" in exe.kwargs for exe in calls["EXE"])
