"""Printing and exporting from the desktop app: who may, the audit row, and what every printout
and export says about itself (authority, as-of date, who and when, the audit chain head).

These run in the background on the writer thread (they write the audit row); no Qt here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from exclusion_monitor.access import require
from exclusion_monitor.flagging import FlagFilter, default_as_of
from exclusion_monitor.reports.context import report_context
from exclusion_monitor.reports.dashboard import (
    Dashboard,
    build_dashboard,
    dashboard_document,
    dashboard_tables,
)
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext, ReportTable
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit


def _dashboard_detail(board: Dashboard) -> dict[str, str]:
    return {
        "report": "dashboard",
        "academic_year": board.academic_year,
        "as_of": board.as_of.isoformat(),
    }


def prepare_print(
    db: Database, account: str, board: Dashboard
) -> tuple[PrintableDocument, ReportContext]:
    """Check the role, record the print in the audit trail, and lay out the dashboard; the
    pages carry the head of the print's own audit row."""
    user = require(db, account, Action.PRINT_REPORT)
    document = dashboard_document(board)
    entry = audit.record(
        db,
        user.account,
        Action.PRINT_REPORT,
        None,
        _dashboard_detail(board),
    )
    context = report_context(
        db, document.title, f"academic year {board.academic_year}", board.as_of, user.account
    )
    return document, replace(context, audit_hash=f"{entry.id}:{entry.hash}")


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
        document, context = prepare_school_print(
            db, account, choice.school or "", filters.as_of, initials=choice.initials
        )
    else:
        document, context = prepare_print(db, account, build_dashboard(db, as_of=filters.as_of))
    return replace(document, landscape=choice.landscape), context


def prepare_school_print(
    db: Database, account: str, laestab: str, as_of: dt.date | None, *, initials: bool
) -> tuple[PrintableDocument, ReportContext]:
    """Check the role, record the print and lay out one school's report."""
    from exclusion_monitor.reports.school_report import school_report_document

    user = require(db, account, Action.PRINT_REPORT)
    as_of = as_of or default_as_of(db)
    document = school_report_document(db, laestab, as_of=as_of, initials=initials)
    description = f"school: {laestab}"
    entry = audit.record(
        db,
        user.account,
        Action.PRINT_REPORT,
        "report:school",
        {
            "school": laestab,
            "as_of": as_of.isoformat() if as_of else None,
            "initials": initials,
            "via": "print preview",
        },
    )
    context = report_context(db, document.title, description, as_of, user.account)
    return document, replace(context, audit_hash=f"{entry.id}:{entry.hash}")


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
        detail=_dashboard_detail(board),
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
