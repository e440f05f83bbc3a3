"""`region schools|movement|disproportionality` and `dashboard-data`: school practice across the
region, or in one authority (docs/regional.md, "School practice")."""

from __future__ import annotations

import argparse
from typing import Any

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.regional.workspace import ensure_region_current
from exclusion_monitor.reports import practice_report as pr
from exclusion_monitor.reports.disproportionality import GROUPINGS
from exclusion_monitor.reports.national import comparison
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import regional_workspace as ws
from ui.cli.common import authorise, open_db, parse_date
from ui.cli.output import print_json, print_table


def _references(values: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values or []:
        name, _, group = value.partition("=")
        if name not in GROUPINGS or not group:
            raise InvalidInputError(
                f"'{value}' is not GROUPING=GROUP; the groupings are {', '.join(GROUPINGS)}."
            )
        found[name] = group
    return found


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, helptext in (
        ("schools", "each school's rates on the funnel plots"),
        ("movement", "Year 10 to Year 11 losses per secondary school (off-rolling signal)"),
        ("disproportionality", "relative rate indexes by pupil group"),
    ):
        parser = sub.add_parser(name, help=helptext)
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--reference", action="append", metavar="GROUPING=GROUP",
            help="reference group, e.g. sex=F or ethnic_group=White (default: the largest)",
        )  # fmt: skip
        parser.set_defaults(handler=run_region, view=name)


def register_dashboard(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dashboard-data", help="one authority's exclusion figures, school funnels and groups"
    )
    parser.add_argument("--as-of", type=parse_date)
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--reference", action="append", metavar="GROUPING=GROUP")
    parser.set_defaults(handler=run_dashboard)


def _print(view: str, figures: pr.PracticeFigures, fmt: str, national: Any = None) -> None:
    data = {
        "schools": pr.schools_json,
        "movement": pr.movement_json,
        "disproportionality": pr.disproportionality_json,
    }[view](figures)
    if view == "schools":
        data["national"] = national
    if fmt == "json":
        print_json(data)
        return
    print(f"{figures.name}, {figures.year.label}, as of {figures.as_of:%d/%m/%Y}")
    if view == "schools":
        print_table(
            ["LA", "LAESTAB", "School", "Group", "Roll", "Susp/100", "Position",
             "PEX/100", "Position", "1+/100", "Position"],
            [[s["authority"], s["laestab"], s["name"][:40], s["comparison_group"], s["roll"],
              s["suspension_rate"], s["funnels"]["suspension"]["position"],
              s["permanent_rate"], s["funnels"]["permanent"]["position"],
              s["one_plus_rate"], s["funnels"]["one_plus"]["position"]]
             for s in data["schools"]],
        )  # fmt: skip
    elif view == "movement":
        print_table(
            ["LA", "LAESTAB", "School", "Year 10", "Lost", "%", "State school", "AP",
             "Not found", "Stands out", "Funnel"],
            [[m["authority"], m["laestab"], m["name"][:40], m["year_10_pupils"], m["lost"],
              m["lost_share"], m["to_another_state_school"], m["to_alternative_provision"],
              m["not_found"], "yes" if m["stands_out"] else "", m["funnel"]["position"]]
             for m in data["schools"]],
        )  # fmt: skip
    else:
        for grouping in data["groupings"].values():
            print(f"\n{grouping['label']}")
            print_table(
                ["Group", "Pupils", "Susp/100", "RRI", "95% CI", "PEX/100", "RRI", "1+/100",
                 "RRI", "95% CI"],
                [[g["group"] + (" (reference)" if g["reference"] else ""), g["pupils"],
                  g["suspension"]["rate"], g["suspension"]["relative_rate_index"],
                  _ci(g["suspension"]), g["permanent"]["rate"],
                  g["permanent"]["relative_rate_index"], g["one_plus"]["rate"],
                  g["one_plus"]["relative_rate_index"], _ci(g["one_plus"])]
                 for g in grouping["groups"]],
            )  # fmt: skip


def _print_national(national: dict[str, Any]) -> None:
    print("\nBeside the published figures" + (f" ({national['note']})" if national.get("note")
                                               else ""))  # fmt: skip
    print_table(
        ["Place", "Year", "Pupils", "Susp/100", "PEX/100", "1+/100", "Source"],
        [[r["place"], r["time_period"], r["headcount"], r["susp_rate"], r["perm_excl_rate"],
          r["one_plus_susp_rate"], r["source"]] for r in national["rows"]],
    )  # fmt: skip


def _ci(entry: dict[str, Any]) -> str:
    if entry["lower_95"] in (None, "c"):
        return str(entry["lower_95"] or "")
    mark = " *" if entry["flagged"] else ""
    return f"{entry['lower_95']:.2f}-{entry['upper_95']:.2f}{mark}"


def run_region(args: argparse.Namespace) -> int:
    references = _references(args.reference)
    with open_db(args) as db:
        user = authorise(db, Action.VIEW_DASHBOARD)
        with db.read() as conn:
            if not ws.holds_returns(conn):
                raise InvalidInputError(
                    f"{db.location} holds no regional returns; import them with "
                    "'region import FILE...' first."
                )
        ensure_region_current(db, user.account)
        figures = pr.region_figures(db, references)
        national = comparison(
            db, figures.year, "The region", [s["authority"] for s in figures.sources]
        )
        audit.record(db, user.account, Action.VIEW_DASHBOARD, f"region:{args.view}", None)
    _print(args.view, figures, args.format, national)
    if args.format == "table" and args.view == "schools":
        _print_national(national)
    return 0


def dashboard_data(db: Database, as_of: Any, references: dict[str, str]) -> dict[str, Any]:
    from dataclasses import replace

    from exclusion_monitor.reports.dashboard import build_dashboard
    from exclusion_monitor.reports.dashboard_published import (
        align_practice,
        authority_key,
        term_key,
    )

    board = build_dashboard(db, as_of=as_of)
    figures = pr.authority_figures(db, board.as_of, references)
    # The same cells hidden as on the dashboard and in its printout and export.
    figures = replace(figures, schools=align_practice(figures.schools, board.published))
    authority, published = board.authority, board.published

    def count(measure: str) -> int | str:
        return published.count(authority_key(measure), getattr(authority, measure))

    def term(t: Any, measure: str) -> int | str:
        return published.count(term_key(t.term_index, measure), getattr(t, measure))

    return {
        "as_of": board.as_of.isoformat(),
        "academic_year": board.academic_year,
        "census_date": board.census_date.isoformat() if board.census_date else None,
        "name": figures.name,
        "headline": {
            "children": board.children,
            "flagged_children": board.flagged_children,
            "whole_family_cases": board.whole_family_cases,
            "pupils_on_spring_census": authority.pupils,
            "suspensions": count("suspensions"),
            "lunchtime_suspensions": count("lunchtimes"),
            "permanent_exclusions": count("permanents"),
            "permanent_exclusions_reversed": count("reversed_permanents"),
            "suspension_rate": published.rate(authority, "suspension_rate", ("authority",)),
            "permanent_rate": published.rate(authority, "permanent_rate", ("authority",)),
        },
        "terms": [
            {
                "term": t.term_label,
                "suspensions": term(t, "suspensions"),
                "lunchtime": term(t, "lunchtimes"),
                "permanent": term(t, "permanents"),
                "reversed_permanent": term(t, "reversed_permanents"),
            }
            for t in board.terms
        ],
        "schools": pr.schools_json(figures)["schools"],
        "national": comparison(db, figures.year, figures.name, _own_code(db)),
        "movement": pr.movement_json(figures),
        "disproportionality": pr.disproportionality_json(figures),
    }


def _own_code(db: Database) -> list[str]:
    from exclusion_monitor.regional.extract import authority_code

    try:
        return [authority_code(db)[0]]
    except InvalidInputError:
        return []


def run_dashboard(args: argparse.Namespace) -> int:
    references = _references(args.reference)
    with open_db(args) as db:
        user = authorise(db, Action.VIEW_DASHBOARD)
        with db.read() as conn:
            if ws.holds_returns(conn):
                raise InvalidInputError(
                    f"{db.location} is a regional workspace; use 'region schools' there."
                )
        data = dashboard_data(db, args.as_of, references)
        audit.record(db, user.account, Action.VIEW_DASHBOARD, "dashboard-data", None)
    print_json(data)
    return 0
