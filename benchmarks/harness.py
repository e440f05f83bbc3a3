"""What every benchmark shares: a figure with its floor, ratio and target, the machine's load and a
process's peak memory, and the table run_all.py and each script print (docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def figure(
    name: str,
    value: float | None,
    unit: str = "s",
    *,
    floor: float | None = None,
    floor_name: str = "",
    max_ratio: float | None = None,
    max_value: float | None = None,
    min_value: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One measured figure. With a floor (the same work's bare minimum, measured in the same run)
    its ratio is value / floor; `max_ratio`, `max_value` and `min_value` are the targets, and `met`
    says whether every target given was met (None when there is none; False when a target was
    given but nothing could be measured)."""
    if value is not None and math.isnan(value):
        value = None  # nothing measured (JSON has no NaN)
    ratio = round(value / floor, 3) if value is not None and floor else None
    checks = []
    if max_ratio is not None:
        checks.append(ratio is not None and ratio <= max_ratio)
    if max_value is not None:
        checks.append(value is not None and value <= max_value)
    if min_value is not None:
        checks.append(value is not None and value >= min_value)
    met = all(checks) if checks else None
    targets = []
    if max_ratio is not None:
        targets.append(f"<= {max_ratio:g}x floor")
    if max_value is not None:
        targets.append(f"<= {max_value:g} {unit}")
    if min_value is not None:
        targets.append(f">= {min_value:g} {unit}")
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "floor_name": floor_name,
        "ratio": ratio,
        "target": " and ".join(targets),
        "max_ratio": max_ratio,
        "max_value": max_value,
        "min_value": min_value,
        "met": met,
        "note": note,
    }


def peak_mb() -> float:
    """The peak resident memory of this process so far. On Linux, VmHWM: getrusage's ru_maxrss
    carries the parent's peak into a child started with fork or vfork and exec, so a measurement
    process started by a benchmark that had just built 1 GB of data would report 1 GB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, else kB
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)


class TreeMemory:
    """The peak resident memory of this process and every process it starts (a recompute's
    workers) together, sampled every 20 ms while the block runs: each process's own peak comes
    at its own moment, so the sum of their peaks would overstate, and one process's peak alone
    would understate. On Linux only (/proc); elsewhere `peak` is this process's own peak. The
    result is never below this process's own peak (peak_mb), which a sample can miss."""

    def __init__(self) -> None:
        self.sampled = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return round(max(self.sampled, peak_mb()), 1)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            total = sum(_resident_mb(pid) for pid in _tree(os.getpid()))
            self.sampled = max(self.sampled, total)


def _tree(root: int) -> list[int]:
    """`root` and all its descendants: from each thread's list of children where the kernel
    keeps one (a few small reads), else from every process's parent in /proc/PID/stat."""
    if Path(f"/proc/{root}/task/{root}/children").exists():
        found, frontier = [root], [root]
        while frontier:
            frontier = [int(pid) for p in frontier for pid in _children_of(p)]
            found += frontier
        return found
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _children_of(pid: int) -> list[str]:
    found: list[str] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += (task / "children").read_text().split()
    except OSError:
        pass  # ended meanwhile
    return found


def _resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children_cpu_s() -> float:
    """CPU seconds of this process's ended (waited-for) child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    """The machine's one-minute load average (the figures of a shared machine swing with it)."""
    return round(os.getloadavg()[0], 2)


def machine() -> dict[str, Any]:
    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
    return None


def run_child(command: Sequence[str]) -> dict[str, Any]:
    """Run a measurement in a fresh process (so its peak memory is its own) and return the one
    JSON object it prints last on stdout; its stderr (progress) passes through."""
    out = subprocess.run([sys.executable, *command], stdout=subprocess.PIPE, text=True, check=False)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{Path(command[0]).name} {' '.join(command[1:])} failed")
    return dict(json.loads(lines[-1]))


def _number(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "s":
        if value < 0.01:
            return f"{value * 1000:.2f} ms"
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit in ("MB", "rows", "children"):
        return f"{value:,.0f} {unit}"
    return f"{value:g} {unit}"


def print_figures(title: str, figures: Sequence[dict[str, Any]], file: Any = None) -> None:
    """The figures as a table: value, floor, ratio, target and whether it was met."""
    out = file or sys.stdout
    print(f"\n{title}", file=out)
    print(f"  {'figure':52} {'value':>10} {'floor':>10} {'ratio':>7}  {'target':24} met", file=out)
    for f in figures:
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:.2f}x"
        floor = "" if f.get("floor") is None else _number(f["floor"], f["unit"])
        met = {True: "yes", False: "NO", None: ""}[f.get("met")]
        print(
            f"  {f['name']:52} {_number(f['value'], f['unit']):>10} {floor:>10} {ratio:>7}  "
            f"{f.get('target', ''):24} {met}",
            file=out,
        )
        if f.get("floor_name") and f.get("floor") is not None:
            print(f"      floor: {f['floor_name']}", file=out)
        if f.get("note"):
            print(f"      ({f['note']})", file=out)
    out.flush()


def flat_figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A benchmark's figures: its own list, or (for a script that prints a flat object) each
    number it printed, with no floor or target."""
    if isinstance(result.get("figures"), list):
        return list(result["figures"])
    found = []
    for key, value in result.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        unit = "s" if key.endswith("_s") else "MB" if key.endswith("_mb") else ""
        found.append(figure(key, float(value), unit))
    return found
