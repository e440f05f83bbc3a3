"""Printing from the desktop app: the Print dialog's choices sent to their operations
(operations/output.py: the flag list's layouts, a school's report, the dashboard).

These run in the background on the writer thread (they write the audit row); no Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from exclusion_monitor.flagging import FlagFilter
from exclusion_monitor.reports.dashboard import (
    build_dashboard,
)
from exclusion_monitor.store import Database
from operations.output import (
    Printout,
    print_dashboard,
    print_flag_list,
    print_school_report,
)

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
) -> Printout:
    """Check the role, record the print in the audit trail and lay out the chosen printout
    (the flag lists with the page's filters; the school report and the dashboard for the
    list's date); its pages carry the head of the print's own audit row."""
    if choice.what not in PRINTS:
        raise ValueError(f"what must be one of {PRINTS}")
    if choice.what in ("summary", "detailed"):
        return print_flag_list(
            db,
            account,
            filters,
            group_by=choice.group_by,
            initials=choice.initials,
            layout=choice.what,
            landscape=choice.landscape,
        ).value
    if choice.what == "school":
        document, context = print_school_report(
            db, account, choice.school or "", filters.as_of, initials=choice.initials
        ).value
    else:
        board = build_dashboard(db, as_of=filters.as_of)
        document, context = print_dashboard(db, account, board).value
    return replace(document, landscape=choice.landscape), context
