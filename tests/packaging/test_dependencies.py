"""The runtime dependencies are what the product imports: every third-party package a module of
exclusion_monitor, imports, operations or ui imports (at the top or inside a function) is
declared in pyproject.toml and pinned in requirements/runtime.txt, and nothing is declared that
the product does not import (test and benchmark tools are pinned in requirements/dev.txt)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("exclusion_monitor", "imports", "operations", "ui")


def _imported_top_levels() -> set[str]:
    found: set[str] = set()
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
            if "postgresql+psycopg" in path.read_text(encoding="utf-8"):
                found.add("psycopg")  # loaded by SQLAlchemy as the driver its URLs name
    own = set(PRODUCT)
    return {m for m in found if m not in own and m not in sys.stdlib_module_names}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!;~]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_name(r) for r in project["dependencies"]}


def _pinned(file: str) -> set[str]:
    lines = (ROOT / "requirements" / file).read_text(encoding="utf-8").splitlines()
    return {_name(line) for line in lines if line.strip() and not line.startswith(("#", "-r"))}


def test_every_package_the_product_imports_is_declared_and_pinned() -> None:
    distributions = packages_distributions()
    needed = set()
    for module in _imported_top_levels():
        owners = distributions.get(module)
        assert owners, f"{module} is imported by the product but installed by no distribution"
        needed.add(_name(owners[0]))
    declared = _declared()
    # PySide6's wheels are split: the product imports PySide6 from PySide6-Essentials.
    needed = {"pyside6-essentials" if n.startswith("pyside6") else n for n in needed}
    needed = {"pyside6-essentials" if n == "shiboken6" else n for n in needed}
    assert needed - declared == set(), "imported but not declared in pyproject.toml"
    assert declared - needed == set(), "declared in pyproject.toml but never imported"
    assert declared <= _pinned("runtime.txt")


def test_test_and_benchmark_only_packages_are_not_shipped() -> None:
    runtime = _pinned("runtime.txt")
    for package in ("pandas", "openpyxl", "pytest", "fastexcel", "hypothesis"):
        assert package not in runtime and package not in _declared(), package
    assert {"pandas", "openpyxl", "fastexcel"} <= _pinned("dev.txt")
