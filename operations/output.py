"""Printing: the role check, the print's audit row, and the document laid out with the head of
that row on every page (so a printout can be held to the audit trail). The front end renders the
document (print preview, PDF); the row names what was printed, never a child."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.reports.context import report_context
from exclusion_monitor.reports.dashboard import Dashboard, dashboard_document
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from operations.base import Outcome, act

Printout = tuple[PrintableDocument, ReportContext]


def dashboard_detail(board: Dashboard) -> dict[str, str]:
    """What a dashboard's print or export row says about it."""
    return {
        "report": "dashboard",
        "academic_year": board.academic_year,
        "as_of": board.as_of.isoformat(),
    }


def print_dashboard(db: Database, account: str, board: Dashboard) -> Outcome[Printout]:
    """The dashboard laid out for printing, its print on the audit trail."""
    actor = act(db, account, Action.PRINT_REPORT)
    document = dashboard_document(board)
    entry = audit.record(db, actor.account, Action.PRINT_REPORT, None, dashboard_detail(board))
    context = report_context(
        db, document.title, f"academic year {board.academic_year}", board.as_of, actor.account
    )
    printout = (document, replace(context, audit_hash=f"{entry.id}:{entry.hash}"))
    return Outcome(Action.PRINT_REPORT, printout, (entry.id,), actor=actor)


def print_school_report(
    db: Database, account: str, laestab: str, as_of: dt.date | None, *, initials: bool
) -> Outcome[Printout]:
    """One school's report laid out for printing, its print on the audit trail."""
    from exclusion_monitor.reports.school_report import school_report_document

    actor = act(db, account, Action.PRINT_REPORT)
    as_of = as_of or default_as_of(db)
    document = school_report_document(db, laestab, as_of=as_of, initials=initials)
    entry = audit.record(
        db,
        actor.account,
        Action.PRINT_REPORT,
        "report:school",
        {
            "school": laestab,
            "as_of": as_of.isoformat() if as_of else None,
            "initials": initials,
            "via": "print preview",
        },
    )
    context = report_context(db, document.title, f"school: {laestab}", as_of, actor.account)
    printout = (document, replace(context, audit_hash=f"{entry.id}:{entry.hash}"))
    return Outcome(Action.PRINT_REPORT, printout, (entry.id,), actor=actor)
