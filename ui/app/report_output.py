"""Printing and exporting from the desktop app: the Print dialog's choices sent to their
operations (operations/output.py for the dashboard and a school's report, the flag lists'
layouts from review_ops), and dashboard and school tables exported through the one safe writer.

These run in the background on the writer thread (they write the audit row); no Qt here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from exclusion_monitor.flagging import FlagFilter
from exclusion_monitor.reports.dashboard import (
    Dashboard,
    build_dashboard,
    dashboard_tables,
)
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext, ReportTable
from exclusion_monitor.store import Database
from operations.output import dashboard_detail, print_dashboard, print_school_report

# What the Flags page's Print dialog offers (ui/app/print_dialog.py).
PRINTS = ("summary", "detailed", "school", "dashboard")


@dataclass(frozen=True, slots=True)
class PrintChoice:
    """A printout: the flag list's layout (`summary` or `detailed`), a `school` report (the
    LAESTAB in `school`) or the `dashboard`, and how to print it."""

    what: str
    landscape: bool = True
    initials: bool = False
    group_by: str = "school"
    school: str | None = None


def prepare_chosen_print(
    db: Database, account: str, choice: PrintChoice, filters: FlagFilter
) -> tuple[PrintableDocument, ReportContext]:
    """Check the role, record the print in the audit trail and lay out the chosen printout
    (the flag lists with the page's filters; the school report and the dashboard for the
    list's date); its pages carry the head of the print's own audit row."""
    from ui.app.review_ops import prepare_flag_print

    if choice.what not in PRINTS:
        raise ValueError(f"what must be one of {PRINTS}")
    if choice.what in ("summary", "detailed"):
        job = prepare_flag_print(
            db,
            account,
            filters,
            group_by=choice.group_by,
            initials=choice.initials,
            layout=choice.what,
            landscape=choice.landscape,
        )
        return job.printable, job.context
    if choice.what == "school":
        document, context = print_school_report(
            db, account, choice.school or "", filters.as_of, initials=choice.initials
        ).value
    else:
        board = build_dashboard(db, as_of=filters.as_of)
        document, context = print_dashboard(db, account, board).value
    return replace(document, landscape=choice.landscape), context


def export_tables(db: Database, account: str, board: Dashboard, path: Path) -> Path:
    """Check the role, record the export, and write every dashboard table to an xlsx file."""
    return export_report(
        db,
        account,
        f"Exclusions dashboard {board.academic_year}",
        dashboard_tables(board),
        path,
        as_of=board.as_of,
        filter_description=f"academic year {board.academic_year}",
        detail=dashboard_detail(board),
    )


def export_report(
    db: Database,
    account: str,
    title: str,
    tables: list[ReportTable],
    path: Path,
    *,
    as_of: dt.date | None,
    filter_description: str,
    detail: dict[str, str],
    overwrite: bool = True,
) -> Path:
    """Any report tables to xlsx through the one safe writer, after the role check, with the
    audit row (full path) in the same transaction as the file. `overwrite` is True because the
    save dialog asked before offering a name that exists (messages.choose_output_file)."""
    from ui.reports.export import export_tables as write_export

    exported = write_export(
        db,
        account,
        path,
        tables,
        title=title,
        as_of=as_of,
        filter_description=filter_description,
        target=None,
        detail=dict(detail),
        overwrite=overwrite,
    )
    return exported.path
