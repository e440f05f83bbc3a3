"""The regional round trip through the command line, on both engines: the regional demo's
authorities' databases and returns, the regional import, regional flags, the journey and the
lookup by the authority that holds the child; and the privacy test, which reads every byte of
every return the demo makes."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ui.cli.main import main

AUTHORITIES = 3


@pytest.fixture(scope="module")
def region_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A three-authority regional demo, built once for the module (its own data folder)."""
    out = tmp_path_factory.mktemp("region")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXCLUSION_MONITOR_HOME", str(out / "home"))
        code = main(
            [
                "--db", str(out / "built-region.db"), "demo", "--region",
                "--authorities", str(AUTHORITIES), "--pupils", "600", "--seed", "11",
                "--out", str(out / "demo"), "--format", "json",
            ]
        )  # fmt: skip
    assert code == 0
    report_path = next((out / "demo").glob("*.key"))
    yield {"out": out / "demo", "key": report_path}


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_round_trip_links_children_flags_them_and_the_holding_authority_finds_them(
    region_demo: dict[str, Any],
    db: object,
    db_location: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`db` makes this run on both engines: the workspace is a SQLite file, then a server's."""
    out: Path = region_demo["out"]
    returns = sorted(out.glob("LA*-regional-return.zip"))
    assert len(returns) == AUTHORITIES
    report = _json(capsys, "--db", db_location, "region", "import", *map(str, returns),
                   "--format", "json")  # fmt: skip
    assert [f["status"] for f in report["files"]] == ["imported"] * AUTHORITIES
    children = _json(capsys, "--db", db_location, "region", "children", "--format", "json")
    assert children and all(re.fullmatch(r"[A-Z2-7]{26}", c["pseudonym"]) for c in children)
    local_total = sum(
        sqlite3.connect(p).execute("SELECT count(*) FROM children").fetchone()[0]
        for p in out.glob("LA*.db")
    )
    cross = [c for c in children if len(c["authorities"]) > 1]
    assert cross, "the demo's cross-border movers are linked"
    assert len(children) == local_total - sum(len(c["authorities"]) - 1 for c in cross)
    # A child seen by one authority only is flagged regionally exactly as that authority did.
    for child in children:
        if len(child["authorities"]) == 1:
            la = child["authorities"][0]
            assert sorted(child["regional_flags"]) == sorted(
                child["authority_flags"].get(la, [])
            ), child
    # Each authority that knew a cross-border child finds the same child; the region's journey
    # crosses the border.
    mover = cross[0]
    upns = set()
    for la in mover["authorities"]:
        found = _json(capsys, "--db", str(out / f"LA{la}.db"), "region-lookup",
                      mover["pseudonym"], "--key-file", str(region_demo["key"]),
                      "--format", "json")  # fmt: skip
        upns.add(found["upn"])
    assert len(upns) == 1
    stranger = next(la for la in ("330", "331", "332") if la not in mover["authorities"])
    code = main(["--db", str(out / f"LA{stranger}.db"), "region-lookup", mover["pseudonym"],
                 "--key-file", str(region_demo["key"])])  # fmt: skip
    assert code == 2
    assert "No child of this authority" in capsys.readouterr().err
    journey = _json(capsys, "--db", db_location, "region", "child", mover["pseudonym"],
                    "--format", "json")  # fmt: skip
    assert any(m["crosses_border"] for m in journey["moves"])
    assert sorted(journey["authorities"]) == sorted(mover["authorities"])
    # Importing the same returns again adds nothing.
    again = _json(capsys, "--db", db_location, "region", "import", *map(str, returns),
                  "--format", "json")  # fmt: skip
    assert {f["status"] for f in again["files"]} == {"already_imported"}
    assert len(_json(capsys, "--db", db_location, "region", "children", "--format", "json")) == (
        len(children)
    )


def _source_identities(db_path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(db_path)
    found: dict[str, set[str]] = {k: set() for k in ("upn", "name", "dob", "text")}
    for surname, forename, born in conn.execute(
        "SELECT surname, forename, date_of_birth FROM children"
    ):
        found["name"].add(f"{forename} {surname}".lower())
        found["name"].add(f"{surname}, {forename}".lower())
        found["name"].add(f"{surname} {forename}".lower())
        day = dt.date.fromisoformat(born)
        serial = (day - dt.date(1899, 12, 30)).days
        found["dob"].update({day.isoformat(), f"{day:%d/%m/%Y}", f"{day:%d-%m-%Y}", str(serial)})
    found["upn"].update(u.lower() for (u,) in conn.execute("SELECT upn FROM child_identifiers"))
    for address, postcode, family in conn.execute(
        "SELECT address_line1, postcode, family_ref FROM census_observations"
    ):
        found["text"].update(
            v.lower() for v in (address, postcode, (postcode or "").replace(" ", ""), family) if v
        )
    found["surnames"] = {s.lower() for (s,) in conn.execute("SELECT surname FROM children")}
    found["forenames"] = {s.lower() for (s,) in conn.execute("SELECT forename FROM children")}
    found["events"] = {
        str(d)
        for (d,) in conn.execute(
            "SELECT census_date FROM census_observations UNION SELECT start_date FROM exclusions "
            "UNION SELECT end_date FROM exclusions UNION SELECT entry_date FROM enrolments "
            "UNION SELECT leaving_date FROM enrolments UNION SELECT entry_date FROM "
            "census_observations"
        )
        if d
    }
    conn.close()
    return found


def test_no_return_the_demo_makes_holds_a_name_upn_birth_date_or_address(
    region_demo: dict[str, Any],
) -> None:
    """Every byte of every return (the zip as stored and every member unpacked) is searched for
    every child's UPNs, names, full dates of birth (ISO, UK and Excel serial), addresses,
    postcodes and family references. A date of birth may appear only as another event's date
    (a census, an exclusion, a registration), never in the child's own record."""
    out: Path = region_demo["out"]
    returns = sorted(out.glob("LA*-regional-return.zip"))
    sources = [_source_identities(p) for p in sorted(out.glob("LA*.db"))]
    upns = set().union(*(s["upn"] for s in sources))
    names = set().union(*(s["name"] for s in sources))
    texts = set().union(*(s["text"] for s in sources))
    dobs = set().union(*(s["dob"] for s in sources))
    events = set().union(*(s["events"] for s in sources))
    surnames = set().union(*(s["surnames"] for s in sources))
    forenames = set().union(*(s["forenames"] for s in sources))
    assert len(upns) > 1000 and len(names) > 1000
    for path in returns:
        raw = path.read_bytes().lower()
        with zipfile.ZipFile(path) as archive:
            members = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
        # A pseudonym is 26 random base32 characters: a short postcode or name inside one is
        # chance (and keyed), so pseudonyms are blanked before the search.
        members = {n: re.sub(r"\b[A-Z2-7]{26}\b", " ", m) for n, m in members.items()}
        blobs = [raw.decode("latin-1")] + [m.lower() for m in members.values()]
        for blob in blobs:
            assert not [u for u in upns if u in blob], path.name
            assert not [n for n in names if n in blob], path.name
            assert not [x for x in texts if x in blob], path.name
        # Whole words: no child's surname or forename anywhere but the school register's names.
        for name, text in members.items():
            if name == "schools.csv":
                continue
            words = set(re.findall(r"[a-z][a-z'-]+", text.lower()))
            assert not words & surnames, (path.name, name, words & surnames)
            assert not words & forenames, (path.name, name, words & forenames)
            tokens = set(re.findall(r"(?<![\w/-])[0-9][0-9/-]*[0-9](?![\w/-])", text))
            stray = (tokens & dobs) - events
            assert not stray, (path.name, name, sorted(stray)[:5])
        children = members["children.csv"].splitlines()
        assert children[0].split(",")[1] == "birth_month"
        assert all(re.fullmatch(r"\d{4}-\d\d|", row.split(",")[1]) for row in children[1:])
        assert all(
            re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]|", row.split(",")[7])
            for row in children[1:]
        )


NATIONAL_CSV = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,new_la_code,old_la_code,la_name,education_phase,characteristic_group,"
    "characteristic,headcount,suspension,susp_rate,perm_excl,perm_excl_rate,one_plus_susp,"
    "one_plus_susp_rate\n"
    "202324,Academic year,National,E92000001,England,,,,,,Total,Total,Total,8455000,954952,"
    "11.31,10885,0.13,343320,4.06\n"
    "202324,Academic year,Regional,E92000001,England,E12000005,West Midlands,,,,Total,Total,"
    "Total,925000,120000,12.97,1400,0.15,40000,4.32\n"
    "202324,Academic year,Local authority,E92000001,England,E12000005,West Midlands,E08000026,"
    "331,Coventry,Total,Total,Total,55000,c,x,60,0.11,z,low\n"
    "202324,Academic year,Local authority,E92000001,England,E12000003,Yorkshire and The "
    "Humber,E08000016,370,Barnsley,Total,Total,Total,38000,4000,10.5,40,0.1,1500,3.9\n"
)


def test_school_practice_and_national_comparison_through_the_command_line(
    region_demo: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out: Path = region_demo["out"]
    region = tmp_path / "region.db"
    _json(capsys, "--db", str(region), "region", "import",
          *map(str, sorted(out.glob("LA*-regional-return.zip"))), "--format", "json")  # fmt: skip
    national = tmp_path / "exc_national.csv"
    national.write_text(NATIONAL_CSV, encoding="utf-8-sig")
    assert main(["--db", str(region), "national", "import", str(national)]) == 0
    capsys.readouterr()
    schools = _json(capsys, "--db", str(region), "region", "schools", "--format", "json")
    words = {"within", "above 95%", "above 99.8%", "below 95%", "below 99.8%", "not assessed"}
    assert schools["schools"]
    for school in schools["schools"]:
        assert {"authority", "laestab", "phase", "roll", "suspensions", "suspension_rate"} <= set(
            school
        )
        assert {f["position"] for f in school["funnels"].values()} <= words
        for key in ("suspensions", "permanents", "one_plus_suspensions"):
            assert school[key] == "c" or school[key] == 0 or school[key] >= 5
    places = [r["place"] for r in schools["national"]["rows"]]
    assert places == ["The region", "England", "West Midlands", "Coventry"]  # not Barnsley
    coventry = schools["national"]["rows"][-1]
    assert coventry["susp_rate"] is None and coventry["perm_excl_rate"] == 0.11
    movement = _json(capsys, "--db", str(region), "region", "movement", "--format", "json")
    for row in movement["schools"]:
        assert {"lost", "to_another_state_school", "to_alternative_provision", "not_found",
                "stands_out"} <= set(row)  # fmt: skip
    groups = _json(capsys, "--db", str(region), "region", "disproportionality", "--format",
                   "json", "--reference", "sex=Girls")  # fmt: skip
    sexes = {g["group"]: g for g in groups["groupings"]["sex"]["groups"]}
    assert sexes["Girls"]["reference"] and not sexes["Boys"]["reference"]
    assert set(groups["groupings"]) == {
        "sex", "fsm", "sen", "ethnicity", "ethnic_group", "looked_after"
    }  # fmt: skip
    assert "sex" not in groups["girls"]
    board = _json(capsys, "--db", str(out / "LA330.db"), "dashboard-data", "--format", "json")
    assert board["schools"] and all(s["authority"] == "330" for s in board["schools"])
    assert {"schools", "movement", "disproportionality", "national", "headline"} <= set(board)
    # An authority's database is no workspace, and a workspace takes no named records.
    assert main(["--db", str(out / "LA330.db"), "region", "schools"]) == 2
    assert "holds no regional returns" in capsys.readouterr().err
    assert main(["--db", str(region), "dashboard-data"]) == 2
    assert "regional workspace" in capsys.readouterr().err
    bad = tmp_path / "not-national.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["--db", str(region), "national", "import", str(bad)]) == 2
    assert "not a DfE" in capsys.readouterr().err
