"""An authority's or the region's rates beside England's, its region's and each authority's as
the DfE published them (docs/regional.md, "National comparison")."""

from __future__ import annotations

from typing import Any

from exclusion_monitor.exclusion_kinds import counts_as_permanent
from exclusion_monitor.reports.practice import SUSPENSION_CATEGORIES, PracticeYear
from exclusion_monitor.store import Database
from exclusion_monitor.store.national import total_rows


def _period(label: str) -> str:
    """'2023/24' -> '202324', as the DfE writes time_period."""
    return label[:4] + label[5:7]


def _ours(year: PracticeYear, place: str) -> dict[str, Any]:
    pupils = len(year.pupils)
    roll = {p.child_id for p in year.pupils}
    susp = sum(1 for e in year.exclusions if e.category in SUSPENSION_CATEGORIES)
    perm = sum(1 for e in year.exclusions if counts_as_permanent(e))
    once = len(
        {
            e.child_id
            for e in year.exclusions
            if e.category in SUSPENSION_CATEGORIES and e.child_id in roll
        }
    )

    def rate(n: int) -> float | str | None:
        if not pupils:
            return None
        return "c" if 0 < n < 5 else round(100 * n / pupils, 2)

    return {
        "place": place,
        "source": "this data",
        "time_period": _period(year.label),
        "headcount": pupils,
        "susp_rate": rate(susp),
        "perm_excl_rate": rate(perm),
        "one_plus_susp_rate": rate(once),
    }


def comparison(db: Database, year: PracticeYear, place: str, la_codes: list[str]) -> dict[str, Any]:
    """Our year's rates, then the published rates for the same year (or the latest published,
    said so) for England, the region of `la_codes` and each of those authorities."""
    with db.read() as conn:
        rows = total_rows(conn)
    ours = _ours(year, place)
    if not rows:
        return {
            "published": False,
            "rows": [ours],
            "note": "No DfE figures imported (exclusion-monitor national import FILE.csv).",
        }
    wanted = ours["time_period"]
    periods = sorted({r["time_period"] for r in rows})
    period = wanted if wanted in periods else periods[-1]
    chosen = [r for r in rows if r["time_period"] == period]
    regions = {
        r["region_name"]
        for r in chosen
        if r["geographic_level"] == "Local authority" and r["old_la_code"] in la_codes
    }
    found = [ours]
    for r in sorted(
        chosen,
        key=lambda r: (
            {"National": 0, "Regional": 1, "Local authority": 2}[r["geographic_level"]],
            r["old_la_code"] or "",
        ),
    ):
        level = r["geographic_level"]
        if (
            level == "National"
            or (level == "Regional" and r["region_name"] in regions)
            or (level == "Local authority" and r["old_la_code"] in la_codes)
        ):
            found.append(
                {
                    "place": "England"
                    if level == "National"
                    else (r["region_name"] if level == "Regional" else r["la_name"]),
                    "source": f"DfE {r['source_file']}",
                    "time_period": r["time_period"],
                    "headcount": r["headcount"],
                    "susp_rate": r["susp_rate"],
                    "perm_excl_rate": r["perm_excl_rate"],
                    "one_plus_susp_rate": r["one_plus_susp_rate"],
                }
            )
    note = (
        None
        if period == wanted
        else (
            f"The DfE has not published {year.label} in the files imported; its latest, "
            f"{period[:4]}/{period[4:]}, is shown."
        )
    )
    return {"published": True, "rows": found, "note": note}
