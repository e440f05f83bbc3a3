"""The dashboard's figures tell one story: every total equals the sum of its breakdowns (the
headline's suspensions are the tables'), no hidden count can be worked out from what is
published, small groups' rates are not shown, and PRUs, special schools and alternative
provision are compared among themselves, not with mainstream schools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest

from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.dashboard import (
    Dashboard,
    build_dashboard,
    dashboard_charts,
    dashboard_tables,
)
from exclusion_monitor.reports.dashboard_published import (
    COUNTS,
    OVER_SCHOOLS,
    TERM_COUNTS,
    Key,
    align_practice,
    dashboard_cells,
    publish,
)
from exclusion_monitor.reports.practice_report import authority_figures
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.terms import Term, academic_year
from tests.reports.mixed_authority import AS_OF, build_mixed_authority

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def authorities(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Database]]:
    """One database per seed, built once for the module (the tests only read)."""
    found = {}
    for seed in SEEDS:
        path = tmp_path_factory.mktemp(f"mixed{seed}") / "mixed.db"
        found[seed] = build_mixed_authority(open_database(str(path)), seed)
    yield found
    for db in found.values():
        db.close()


@pytest.fixture(scope="module")
def boards(authorities: dict[int, Database]) -> dict[int, Dashboard]:
    return {seed: build_dashboard(db, as_of=AS_OF) for seed, db in authorities.items()}


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def seed(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def mixed(seed: int, authorities: dict[int, Database]) -> Database:
    return authorities[seed]


@pytest.fixture
def board(seed: int, boards: dict[int, Dashboard]) -> Dashboard:
    return boards[seed]


def test_every_total_is_the_sum_of_its_breakdowns(board: Dashboard) -> None:
    authority = board.authority
    assert (board.suspensions, board.permanents) == (authority.suspensions, authority.permanents)
    assert (board.lunchtimes, board.reversed_permanents) == (
        authority.lunchtimes,
        authority.reversed_permanents,
    )
    for measure in OVER_SCHOOLS:
        whole = getattr(authority, measure)
        assert sum(getattr(k.total, measure) for k in board.school_types) == whole, measure
        for kind in board.school_types:
            parts = sum(getattr(s, measure) for s in kind.schools)
            assert parts == getattr(kind.total, measure), (kind.key, measure)
    for grouping, rows in board.groups.items():
        for measure in COUNTS:
            parts = sum(getattr(r, measure) for r in rows)
            assert parts == getattr(authority, measure), (grouping, measure)
    year = academic_year(board.as_of)
    this_year = [t for t in board.terms if Term.from_index(t.term_index).year == year]
    assert [Term.from_index(t.term_index).season.label for t in this_year] == [
        "Autumn",
        "Spring",
        "Summer",
    ]
    for measure in TERM_COUNTS:
        assert sum(getattr(t, measure) for t in this_year) == getattr(authority, measure)
    column = board.reason_years.index(year)
    given = {r.code: r.count for r in board.reasons}
    for trend in board.reason_trends:
        assert trend.counts[column] == sum(given.get(code, 0) for code in trend.codes)
    # The pupils in the groups are the pupils on the census, once each.
    for rows in board.groups.values():
        assert sum(r.pupils for r in rows) == authority.pupils


def test_printed_tables_add_up_where_nothing_is_hidden(board: Dashboard) -> None:
    headline, terms, schools, reasons, *groups, _trend = dashboard_tables(board)
    values = {row[0]: row[1] for row in headline.rows}
    suspensions = next(v for k, v in values.items() if str(k).startswith("Suspensions "))
    whole = next(r for r in schools.rows if r[1] == "Whole authority")
    assert suspensions == whole[4] == board.suspensions  # the headline's are the tables'
    # Schools' columns: LAESTAB, school, type, pupils, then the counts from column 4; the
    # terms' and the groups' counts start at column 1 and 2.
    counts = {"suspensions": 4, "lunchtimes": 5, "permanents": 7, "reversed_permanents": 8}
    this_year = [r for r in terms.rows if r[0] in ("Autumn 2024", "Spring 2025", "Summer 2025")]
    assert len(this_year) == 3
    for offset, measure in enumerate(TERM_COUNTS):
        cells = [r[1 + offset] for r in this_year]
        total = whole[counts[measure]]
        if "c" not in cells and total != "c":
            assert sum(cells) == total, measure
    for table in groups:
        for offset in range(5):  # suspensions, lunchtime, pupils suspended, perm, reversed
            cells = [r[2 + offset] for r in table.rows]
            total = whole[4 + offset]
            if "c" not in cells and total != "c":
                assert sum(cells) == total, (table.title, offset)
    shown = [r[2] for r in reasons.rows[:-1]]
    if "c" not in shown:
        assert sum(shown) == reasons.rows[-1][2]


def _derivable(cells: dict[Key, int], lines: list[list[Key]], hidden: set[Key]) -> list[Key]:
    """The hidden cells whose value follows from what is published: each line says its parts
    (all but the last cell) add up to its total (the last); a hidden cell is known when its unit
    vector lies in the row space of the lines over the hidden cells, or when the hidden parts of
    a line whose hidden cells are all parts must add up to 0 (counts are never negative)."""
    keys = sorted(hidden, key=repr)
    column = {k: i for i, k in enumerate(keys)}
    rows = []
    found = []
    for line in lines:
        inside = [k for k in line if k in hidden]
        if not inside:
            continue
        row = np.zeros(len(keys))
        for k in line[:-1]:
            if k in hidden:
                row[column[k]] += 1.0
        if line[-1] in hidden:
            row[column[line[-1]]] -= 1.0
        rows.append(row)
        if line[-1] not in hidden and sum(cells[k] for k in inside) == 0:
            found += inside
    if not rows:
        return found
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    for key, j in column.items():
        unit = np.zeros(len(keys))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(key)
    return found


def test_no_hidden_count_can_be_worked_out(board: Dashboard) -> None:
    cells = dashboard_cells(board)
    hidden = set(board.published.hidden)
    assert {k for k, v in cells.counts.items() if 0 < v < 5} <= hidden
    for line in cells.lines:
        assert sum(k in hidden for k in line) != 1, line
    assert _derivable(cells.counts, cells.lines, hidden) == []


def test_boys_and_a_hidden_number_of_girls_do_not_give_away_the_girls() -> None:
    """The case the issue found: boys 6 + girls 'c' = 8 in the total."""

    def row(key: str, label: str, pupils: int, suspensions: int) -> stats.RateRow:
        rate = 100 * suspensions / pupils
        return stats.RateRow(key, label, pupils, suspensions, suspensions, 0, rate, 0.0, 1.0, None)

    board = Dashboard(
        as_of=dt.date(2024, 6, 30),
        academic_year="2023/24",
        census_date=None,
        children=50,
        flagged_children=0,
        whole_family_cases=0,
        suspensions=8,
        permanents=0,
        primary_exclusions=0,
        authority=row("authority", "Whole authority", 50, 8),
        terms=[],
        schools=[],
        reasons=[],
        groups={"sex": [row("M", "Boys", 26, 6), row("F", "Girls", 24, 2)]},
    )
    published = publish(board)
    table = dashboard_tables(Dashboard(**{**_fields(board), "published": published}))[4]
    assert [r[:3] for r in table.rows] == [["Boys", 26, "c"], ["Girls", 24, "c"]]
    assert table.rows[0][7] == "c"  # nor the boys' rate, from which their count follows


def _fields(board: Dashboard) -> dict[str, object]:
    return {name: getattr(board, name) for name in board.__dataclass_fields__}


def test_small_schools_and_groups_have_no_rate(board: Dashboard) -> None:
    schools = dashboard_tables(board)[2]
    pru = next(r for r in schools.rows if r[1] == "River Pupil Referral Unit")
    assert pru[3] < stats.MIN_RATE_PUPILS
    assert pru[10:] == ["u", "u", "u", "u"] or "c" in pru[10:]
    for table in dashboard_tables(board)[4:-1]:
        for r in table.rows:
            if r[1] is not None and r[1] < stats.MIN_RATE_PUPILS:
                assert all(v in ("u", "c", None) for v in r[7:]), (table.title, r)


def test_prus_special_schools_and_alternative_provision_are_apart(board: Dashboard) -> None:
    kinds = {k.key: [s.label for s in k.schools] for k in board.school_types}
    assert kinds["alternative provision"] == sorted(
        ["River Pupil Referral Unit", "Vale Alternative Provision"],
        key=lambda name: kinds["alternative provision"].index(name),
    )
    assert kinds["special"] == ["Hill Special School"]
    assert kinds["other"] == ["Unrecorded Phase School"]
    assert all(name.startswith("Primary") for name in kinds["primary"])
    schools = dashboard_tables(board)[2]
    types = {r[1]: r[2] for r in schools.rows}
    assert types["Vale Alternative Provision"] == "PRU / AP"
    assert types["Primary 0"] == "Primary"
    chart = next(c for c in dashboard_charts(board) if c.title == "Suspension rates by school")
    assert chart.figure is not None
    titles = [a.get_title(loc="left") for a in chart.figure.axes]
    assert [t.split(" (")[0] for t in titles] == [k.label for k in board.school_types]
    first = chart.figure.axes[0]
    labels = [tick.get_text() for tick in first.get_yticklabels()]
    assert labels and all(label.startswith("Primary") for label in labels)


def test_the_funnel_tables_hide_what_the_dashboard_hides(board: Dashboard, mixed: Database) -> None:
    figures = authority_figures(mixed, board.as_of)
    aligned = align_practice(figures.schools, board.published)
    measures = {
        "suspension": "suspensions",
        "permanent": "permanents",
        "one_plus": "pupils_suspended",
    }
    for row in aligned:
        for measure, count in measures.items():
            mine = ("school", row.laestab, count) in board.published.hidden
            assert (measure in row.hidden) == mine, (row.name, measure)
