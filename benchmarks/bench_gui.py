"""Desktop app at 250,000 children (offscreen), on the flag benchmark's authority (ten years of
censuses, exclusions, families, flags raised by the rules): the Children and Flags tables' first
rows after the page opens, searches, opening a child's profile, sorting and scrolling, each with
its absolute time and its ratio to a bare query of the same rows; and peak memory.

    python benchmarks/bench_gui.py [--children 250000] [--keep DIR] [--db FILE_OR_URL] [--postgres]
                                   [--json]

The bare query is the SQL that fetches the rows the screen shows, run through the driver with no
Python around it (the fastest of three runs, after the app's own). --db measures an existing
flag-benchmark database (bench_flags.py --db FILE, or an empty postgresql:// database it built)
instead of building one; --postgres builds into a throwaway server (a team's database); --keep
builds the file into a folder and keeps it. Targets (issue 17, docs/benchmarks.md): each table's
first rows within 0.5 s of the page opening, a search within 100 ms, a profile within 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness import figure, load_average, machine, peak_mb, print_figures, run_child

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIRST_BLOCK = 256  # the Children table's block (ui/app/children_table_model.py)
SEARCH_RESULTS = 20  # the search box's results (ui/app/search_box.py)
NAME_SEARCH = "wilso"
_SUMMARY = (
    "child_id, upn, surname, forename, date_of_birth, sex, nc_year, school_laestab, school_name, "
    "flag_count"
)
_NAME_ORDER = "surname_key, forename_key, child_id"
BARE_CHILDREN_FIRST = (
    f"SELECT {_SUMMARY} FROM child_summaries ORDER BY {_NAME_ORDER} LIMIT {FIRST_BLOCK}"  # noqa: S608
)
# Driven from the open flags (a few thousand rows at most), not from the name index: a query that
# walks the name index for flag_count > 0 reads every child to find a few hundred.
BARE_FLAGS_FIRST = (
    "WITH flagged AS (SELECT DISTINCT child_id FROM flags WHERE cleared_on IS NULL), "  # noqa: S608
    "first AS (SELECT s.child_id, s.upn, s.surname, s.forename, s.nc_year, s.school_name, "
    "s.surname_key, s.forename_key FROM child_summaries s JOIN flagged f "
    "ON f.child_id = s.child_id ORDER BY s.surname_key, s.forename_key, s.child_id "
    f"LIMIT {FIRST_BLOCK}) "
    "SELECT first.*, f.rule, f.reason, f.evidence, c.status, c.assigned_to FROM first "
    "JOIN flags f ON f.child_id = first.child_id "
    "LEFT JOIN cases c ON c.child_id = first.child_id WHERE f.cleared_on IS NULL "
    "ORDER BY first.surname_key, first.forename_key, first.child_id"
)
BARE_FLAGS_ALL = (
    "SELECT f.child_id, f.rule, f.reason, f.evidence, c.status, c.assigned_to, s.upn, s.surname, "
    "s.forename, s.nc_year, s.school_name FROM flags f JOIN child_summaries s "
    "ON s.child_id = f.child_id LEFT JOIN cases c ON c.child_id = f.child_id "
    "WHERE f.cleared_on IS NULL"
)
_NAME_MATCH = "((surname_key >= ? AND surname_key < ?) OR (forename_key >= ? AND forename_key < ?))"
BARE_NAME_SEARCH = (
    f"SELECT {_SUMMARY} FROM child_summaries WHERE {_NAME_MATCH} ORDER BY {_NAME_ORDER} "  # noqa: S608
    f"LIMIT {SEARCH_RESULTS}"
)
BARE_NAME_COUNT = f"SELECT count(*) FROM child_summaries WHERE {_NAME_MATCH}"  # noqa: S608
BARE_NAME_FIRST = (
    f"SELECT {_SUMMARY} FROM child_summaries WHERE {_NAME_MATCH} ORDER BY {_NAME_ORDER} "  # noqa: S608
    f"LIMIT {FIRST_BLOCK}"
)
BARE_UPN_SEARCH = (
    f"SELECT {_SUMMARY} FROM child_summaries WHERE child_id IN (SELECT child_id FROM "  # noqa: S608
    f"child_identifiers WHERE upn >= ? AND upn < ?) ORDER BY {_NAME_ORDER} LIMIT {SEARCH_RESULTS}"
)
# A profile's rows: the child, their UPNs, census, enrolments, exclusions and flags, and their
# family's members with the same (the profile shows each member's exclusions, moves and flags).
_FAMILY = (
    "SELECT m2.child_id FROM family_members m1 JOIN family_members m2 "
    "ON m2.family_id = m1.family_id WHERE m1.child_id = ?"
)
BARE_PROFILE = [
    "SELECT * FROM children WHERE id = ?",
    "SELECT upn, kind FROM child_identifiers WHERE child_id = ? ORDER BY id",
    "SELECT * FROM census_observations WHERE child_id = ? ORDER BY census_date, id",
    *(
        f"SELECT * FROM {table} WHERE child_id IN ({_FAMILY} UNION SELECT ?)"  # noqa: S608
        for table in ("enrolments", "exclusions", "flags")
    ),
    "SELECT child_id, census_date, school_id, nc_year, enrol_status FROM census_observations "  # noqa: S608
    f"WHERE child_id IN ({_FAMILY})",
]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build(location: str, children: int) -> dict[str, float]:
    """The flag benchmark's authority at this many children, its flags recomputed and the
    children list's summaries refreshed (as after an import)."""
    from bench_flags import CHILDREN
    from bench_flags import build as build_authority

    from exclusion_monitor.flagging import recompute_flags
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.children import refresh_child_summaries

    db = open_database(location)
    started = time.perf_counter()
    build_authority(db, children / CHILDREN)
    built = time.perf_counter()
    recompute_flags(db)
    flagged = time.perf_counter()
    refresh_child_summaries(db)
    refreshed = time.perf_counter()
    db.close()
    return {
        "build_s": round(built - started, 1),
        "recompute_s": round(flagged - built, 1),
        "refresh_summaries_s": round(refreshed - flagged, 1),
    }


def bring_up_to_date(location: str) -> None:
    """A reused database: flags and summaries brought up to date before the clock starts."""
    from exclusion_monitor.flagging import ensure_flags_current
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.children import ensure_child_summaries

    db = open_database(location)
    ensure_flags_current(db)
    ensure_child_summaries(db)
    db.close()


def bare(db: Any, queries: Sequence[str], params: Sequence[Sequence[object]]) -> float:
    """The fastest of three runs of these queries through the driver, every row fetched."""
    from exclusion_monitor.store.dialect import driver_sql

    best = float("inf")
    for _ in range(3):
        with db.read() as conn:
            cursor = conn.connection.driver_connection.cursor()
            started = time.perf_counter()
            for sql, values in zip(queries, params, strict=True):
                cursor.execute(driver_sql(conn, sql), tuple(values))
                cursor.fetchall()
            best = min(best, time.perf_counter() - started)
            cursor.close()
    return best


def wait_for(condition: Callable[[], bool], timeout: float = 300) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout
    while not condition():
        QApplication.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        time.sleep(0.001)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _profile_children(db: Any) -> tuple[int, int]:
    """A child with the fullest record (most exclusions, in a family) and an ordinary one."""
    with db.read() as conn:
        rich = conn.exec_driver_sql(
            "SELECT e.child_id FROM exclusions e JOIN family_members m ON m.child_id = e.child_id "
            "GROUP BY e.child_id ORDER BY count(*) DESC, e.child_id LIMIT 1"
        ).scalar()
        total = conn.exec_driver_sql("SELECT max(id) FROM children").scalar()
    return int(rich or 1), int(total) // 2 + 1


def measure_app(location: str) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    r: dict[str, Any] = {"load": load_average()}
    started = time.perf_counter()
    from bench_flags import upn

    from exclusion_monitor.child_search import fold_name, prefix_upper_bound
    from exclusion_monitor.store import open_database
    from ui.app.application import make_application
    from ui.app.background import running_jobs
    from ui.app.children_table_model import COL_NAME, COL_SCHOOL, COL_UPN
    from ui.app.main_window import MainWindow
    from ui.app.pages import PAGE_NAMES

    make_application(["bench"])
    db = open_database(location)
    window = MainWindow(db)
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    r["start_to_window_s"] = time.perf_counter() - started
    # The app opens on the Start page: the work waiting read (flags checked, the flag list, the
    # cases) and painted.
    start = window.start_page
    wait_for(lambda: start.work is not None)
    window.repaint()
    r["start_to_first_rows_s"] = time.perf_counter() - started
    wait_for(lambda: not running_jobs())
    page = window.children_page
    window.go_to(PAGE_NAMES.index("Children"))
    wait_for(lambda: page.model.rowCount() > 0)
    wait_for(lambda: not running_jobs())

    # The Children page opening: count, filter choices, the first block, painted.
    def open_children() -> None:
        page.refresh()
        window.repaint()
        assert page.model.cached_blocks(), "the first rows were not fetched"

    r["children_first_rows_s"] = _timed(open_children)
    r["children_first_rows_bare_s"] = bare(db, [BARE_CHILDREN_FIRST], [()])
    wait_for(lambda: not running_jobs())

    def search(text: str) -> None:
        shown: list[int] = []
        window.search_box.results_shown.connect(shown.append)
        window.search_box.setText(text)
        window.search_box.search_now()
        wait_for(lambda: bool(shown))
        window.search_box.results_shown.disconnect(shown.append)
        window.search_box.popup.hide()

    key = fold_name(NAME_SEARCH)
    name_params = (key, prefix_upper_bound(key), key, prefix_upper_bound(key))
    r["search_name_s"] = _timed(lambda: search(NAME_SEARCH))
    r["search_name_bare_s"] = bare(db, [BARE_NAME_SEARCH], [name_params])
    upn_prefix = upn(123_457)[:9]
    r["search_upn_s"] = _timed(lambda: search(upn_prefix))
    r["search_upn_bare_s"] = bare(
        db, [BARE_UPN_SEARCH], [(upn_prefix, prefix_upper_bound(upn_prefix))]
    )

    def filter_to(text: str) -> None:
        page.search_edit.setText(text)
        page.apply_filters()
        window.repaint()

    r["children_filter_s"] = _timed(lambda: filter_to(NAME_SEARCH))
    r["children_filter_bare_s"] = bare(
        db, [BARE_NAME_COUNT, BARE_NAME_FIRST], [name_params, name_params]
    )
    filter_to("")
    for col, name in ((COL_NAME, "name_desc"), (COL_SCHOOL, "school"), (COL_UPN, "upn")):
        order = Qt.SortOrder.DescendingOrder if "desc" in name else Qt.SortOrder.AscendingOrder
        r[f"sort_{name}_s"] = _timed(
            lambda c=col, o=order: (page.view.sortByColumn(c, o), window.repaint())
        )
    r["scroll_to_bottom_s"] = _timed(lambda: (page.view.scrollToBottom(), window.repaint()))
    page.flagged_check.setChecked(False)
    r["flagged_only_s"] = _timed(lambda: (page.flagged_check.setChecked(True), window.repaint()))
    page.flagged_check.setChecked(False)
    wait_for(lambda: not running_jobs())

    # The Flags page opening: the review queue read in the background, then painted.
    flags_page = window.page("Flags")

    def open_flags() -> None:
        done: list[bool] = []
        flags_page.loaded.connect(lambda: done.append(True))
        window.go_to(PAGE_NAMES.index("Flags"))
        wait_for(lambda: bool(done))
        window.repaint()

    r["flags_first_rows_s"] = _timed(open_flags)
    r["flags_rows"] = flags_page.model.rowCount()
    r["flags_first_rows_bare_s"] = bare(db, [BARE_FLAGS_FIRST], [()])
    r["flags_queue_bare_s"] = bare(db, [BARE_FLAGS_ALL], [()])
    wait_for(lambda: not running_jobs())

    def open_profile(child_id: int) -> None:
        shown: list[bool] = []
        window.profile_page.loaded.connect(lambda: shown.append(True))
        window.context.signals.open_child.emit(child_id)
        wait_for(lambda: bool(shown))
        window.repaint()  # first paint of the profile, timeline included

    rich, ordinary = _profile_children(db)
    for label, child in (("profile", rich), ("profile_other", ordinary)):
        r[f"{label}_child"] = child
        r[f"{label}_s"] = _timed(lambda c=child: open_profile(c))
        params = [(child,)] * 3 + [(child, child)] * 3 + [(child,)]
        r[f"{label}_bare_s"] = bare(db, BARE_PROFILE, params)
        wait_for(lambda: not running_jobs())
    window.close()
    db.close()
    r["peak_mb"] = peak_mb()
    r["load"] = [r["load"], load_average()]
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()}


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    def vs_bare(name: str, key: str, limit: float | None, what: str) -> dict[str, Any]:
        return figure(
            name, r[f"{key}_s"], floor=r.get(f"{key}_bare_s"), floor_name=what, max_value=limit
        )

    return [
        figure("start to the Start page's work waiting", r["start_to_first_rows_s"], max_value=1),
        vs_bare(
            "Children page opened: first rows",
            "children_first_rows",
            0.5,
            f"bare query of its first {FIRST_BLOCK} rows",
        ),
        vs_bare(
            f"Flags page opened: first rows ({r['flags_rows']:,} flagged children)",
            "flags_first_rows",
            0.5,
            f"bare query of its first {FIRST_BLOCK} children's open flags",
        ),
        figure(
            "bare query of every open flag with its child",
            r["flags_queue_bare_s"],
            note="what the queue reads today, as one query",
        ),
        vs_bare(
            f"search box: '{NAME_SEARCH}', results shown",
            "search_name",
            0.1,
            f"bare query of its {SEARCH_RESULTS} results",
        ),
        vs_bare("search box: a UPN's first 9 characters", "search_upn", 0.1, "bare query"),
        vs_bare(
            f"Children filter '{NAME_SEARCH}': count and first rows",
            "children_filter",
            0.1,
            "bare count and first rows",
        ),
        vs_bare(
            "open a profile (most exclusions, in a family)",
            "profile",
            0.2,
            "bare queries of the child's and family's rows",
        ),
        vs_bare("open another child's profile", "profile_other", 0.2, "bare queries"),
        figure("sort the Children table by name, descending", r["sort_name_desc_s"]),
        figure("sort the Children table by school", r["sort_school_s"]),
        figure("scroll to the last rows", r["scroll_to_bottom_s"]),
        figure("Children: flagged only", r["flagged_only_s"]),
        figure("peak memory of the app", r["peak_mb"], "MB"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=250_000)
    parser.add_argument("--keep", help="build the database in this folder and keep it")
    parser.add_argument("--db", help="measure this flag-benchmark database (file or postgresql://)")
    parser.add_argument(
        "--postgres", action="store_true", help="build and measure on a throwaway PostgreSQL"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--app-only", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--build-only", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_only:
        print(json.dumps(build(args.build_only, args.children)))
        return 0
    if args.app_only:
        print(json.dumps(measure_app(args.app_only)))
        return 0
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-gui-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["EXCLUSION_MONITOR_HOME"] = str(folder / "home")  # the app's settings and logs
    try:
        result: dict[str, Any] = {"children": args.children}
        if args.postgres:
            from tests.support.postgres import throwaway_server

            with throwaway_server() as server:
                location = server.url(server.create_database())
                result.update(_build_and_measure(location, args.children))
        elif args.db:
            bring_up_to_date(args.db)
            result.update(_measure(args.db))
        else:
            result.update(_build_and_measure(str(folder / "bench.db"), args.children))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    result["engine"] = "postgresql" if args.postgres or "://" in (args.db or "") else "sqlite"
    result["machine"] = machine()
    result["figures"] = figures(result)
    if args.json:
        print(json.dumps(result))
    else:
        title = f"Desktop app, {args.children:,} children ({result['engine']}, offscreen)"
        print_figures(title, result["figures"])
    return 0


def _build_and_measure(location: str, children: int) -> dict[str, Any]:
    """Build the authority (unless the file exists) in its own process, then measure."""
    built: dict[str, Any] = {}
    if "://" in location or not Path(location).exists():
        say(f"Building {children:,} children in {location} ...")
        built = run_child([__file__, "--children", str(children), "--build-only", location])
    return built | _measure(location)


def _measure(location: str) -> dict[str, Any]:
    """The app in a fresh process, so its memory is the app's alone."""
    return run_child([__file__, "--app-only", location])


if __name__ == "__main__":
    raise SystemExit(main())
