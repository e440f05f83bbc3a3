"""Printing and exporting from the desktop app: who may, the audit row, and what every printout
and export says about itself (authority, as-of date, who and when, the audit chain head).

These run in the background on the writer thread (they write the audit row); no Qt here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from exclusion_monitor.access import require
from exclusion_monitor.reports.dashboard import Dashboard, dashboard_document, dashboard_tables
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext, ReportTable
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.settings import get_setting

AUTHORITY_SETTING = "authority.name"
DEFAULT_AUTHORITY = "Local authority (set its name in Settings)"


def authority_name(db: Database) -> str:
    name = get_setting(db, AUTHORITY_SETTING)
    return str(name).strip() if isinstance(name, str) and name.strip() else DEFAULT_AUTHORITY


def report_context(
    db: Database, account: str, title: str, as_of: dt.date | None, filter_description: str
) -> ReportContext:
    return ReportContext(
        title=title,
        authority=authority_name(db),
        as_of=as_of,
        filter_description=filter_description,
        produced_by=account,
        produced_at=dt.datetime.now(),
        audit_hash=audit.chain_head(db).label,
    )


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
        db, user.account, document.title, board.as_of, f"academic year {board.academic_year}"
    )
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
