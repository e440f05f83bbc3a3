"""Printing and exporting: the role check, the audit row, and the output carrying the head of
that row (every printed page's footer, an export's About sheet or first line), so a printout or
a file can be held to the audit trail. A file (a PDF, a workbook, a CSV) and its row are one:
the row commits only when the file is in place and complete. The front end lays out and paints
pages (print preview; `ui/reports/pdf.py` renders a PDF for `print_to_pdf`); the row names what
was printed, never a child."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import FlagFilter, default_as_of
from exclusion_monitor.reports.context import report_context
from exclusion_monitor.reports.dashboard import Dashboard, dashboard_document, dashboard_tables
from exclusion_monitor.reports.flag_export import CONTROLLED_NOTICE, flag_export_tables
from exclusion_monitor.reports.flag_report import flag_list_document
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.spreadsheets import SUFFIXES, csv_bytes, xlsx_to
from exclusion_monitor.reports.tables import ReportContext, ReportTable
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from operations.base import Actor, Outcome, act

Printout = tuple[PrintableDocument, ReportContext]
# Paints a document into a PDF at a path and returns its pages; called with the context to print
# and `stamp(pages)`, which writes the audit row once the pages are counted and gives the context
# with its head.
PdfRenderer = Callable[
    [Path, PrintableDocument, ReportContext, Callable[[int], ReportContext]], int
]


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote: the file, its rows, and the audit chain head it carries."""

    path: Path
    rows: int
    audit_head: str


@dataclass(frozen=True, slots=True)
class Printed:
    """What a print to PDF wrote: the file, its pages and the audit chain head it carries."""

    path: Path
    pages: int
    audit_head: str


def dashboard_detail(board: Dashboard) -> dict[str, str]:
    """What a dashboard's print or export row says about it."""
    return {
        "report": "dashboard",
        "academic_year": board.academic_year,
        "as_of": board.as_of.isoformat(),
    }


def _previewed(
    db: Database,
    actor: Actor,
    document: PrintableDocument,
    *,
    target: str | None,
    detail: Mapping[str, object],
    description: str,
    as_of: dt.date | None,
) -> Outcome[Printout]:
    """A printout for the print preview: its audit row written, the head of that row in the
    context every page prints."""
    entry = audit.record(db, actor.account, Action.PRINT_REPORT, target, dict(detail))
    context = report_context(db, document.title, description, as_of, actor.account)
    printout = (document, replace(context, audit_hash=f"{entry.id}:{entry.hash}"))
    return Outcome(Action.PRINT_REPORT, printout, (entry.id,), actor=actor)


def print_dashboard(db: Database, account: str, board: Dashboard) -> Outcome[Printout]:
    """The dashboard laid out for printing, its print on the audit trail."""
    actor = act(db, account, Action.PRINT_REPORT)
    return _previewed(
        db,
        actor,
        dashboard_document(board),
        target=None,
        detail=dashboard_detail(board),
        description=f"academic year {board.academic_year}",
        as_of=board.as_of,
    )


def print_flag_list(
    db: Database,
    account: str,
    filters: FlagFilter,
    *,
    group_by: str,
    initials: bool,
    layout: str = "summary",
    landscape: bool = True,
) -> Outcome[Printout]:
    """The flag list (one line per child, or `layout` "detailed" with the reasons) laid out
    for printing, its print on the audit trail."""
    actor = act(db, account, Action.PRINT_REPORT)
    document = flag_list_document(
        db, filters, group_by=group_by, initials=initials, layout=layout, landscape=landscape
    )
    description = filters.describe()
    as_of = filters.as_of or default_as_of(db)
    detail = {
        "filter": description,
        "as_of": as_of.isoformat() if as_of else None,
        "initials": initials,
        "group_by": group_by,
        "layout": layout,
        "via": "print preview",
    }
    return _previewed(
        db,
        actor,
        document,
        target="report:flags",
        detail=detail,
        description=description,
        as_of=as_of,
    )


def print_school_report(
    db: Database, account: str, laestab: str, as_of: dt.date | None, *, initials: bool
) -> Outcome[Printout]:
    """One school's report laid out for printing, its print on the audit trail."""
    from exclusion_monitor.reports.school_report import school_report_document

    actor = act(db, account, Action.PRINT_REPORT)
    as_of = as_of or default_as_of(db)
    detail = {
        "school": laestab,
        "as_of": as_of.isoformat() if as_of else None,
        "initials": initials,
        "via": "print preview",
    }
    return _previewed(
        db,
        actor,
        school_report_document(db, laestab, as_of=as_of, initials=initials),
        target="report:school",
        detail=detail,
        description=f"school: {laestab}",
        as_of=as_of,
    )


def export_report(
    db: Database,
    account: str,
    path: Path,
    tables: list[ReportTable],
    *,
    title: str,
    as_of: dt.date | None,
    filter_description: str,
    target: str | None,
    detail: Mapping[str, object],
    overwrite: bool = False,
    notes: Sequence[str] = (),
    rows: int | None = None,
) -> Outcome[Exported]:
    """Export tables to .xlsx (one sheet each, and an About sheet) or .csv (one table), after
    the role check, with the export's audit row in the same transaction as the file; `notes`
    are written on the About sheet (and the CSV's first line says what the file is); `rows`,
    what the export counts as its rows (default: every table's rows).

    The file carries the chain head of its own audit row, so `audit --verify --head` can later
    show that the log still reaches the export.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInputError(f"{path} should end in .xlsx or .csv.")
    if suffix == ".csv" and len(tables) != 1:
        raise InvalidInputError(f"{title} has several tables: export it as .xlsx (one sheet each).")
    actor = act(db, account, Action.EXPORT)
    output_files.check_destination(path, overwrite=overwrite)
    context = report_context(db, title, filter_description, as_of, actor.account)
    context = dataclasses.replace(context, notes=tuple(notes))
    rows = sum(len(t.rows) for t in tables) if rows is None else rows
    with output_files.audited_file(db, path, overwrite=overwrite) as output:
        entry = output.record(
            actor.account,
            Action.EXPORT,
            target,
            {
                **detail,
                "filter": filter_description,
                "as_of": as_of.isoformat() if as_of else None,
                "rows": rows,
            },
        )
        stamped = dataclasses.replace(context, audit_hash=f"{entry.id}:{entry.hash}")
        if suffix == ".csv":
            output.temporary.write_bytes(csv_bytes(tables[0], stamped))
        else:
            xlsx_to(output.temporary, tables, stamped)
    head = f"{entry.id}:{entry.hash}"
    return Outcome(Action.EXPORT, Exported(output.path, rows, head), (entry.id,), actor=actor)


def print_to_pdf(
    db: Database,
    account: str,
    path: Path,
    printable: PrintableDocument,
    *,
    render: PdfRenderer,
    filter_description: str,
    as_of: dt.date | None,
    target: str | None,
    detail: Mapping[str, object],
    overwrite: bool = False,
    context: ReportContext | None = None,
) -> Outcome[Printed]:
    """Print a document to a PDF file after the role check, with the print's audit row in the
    same transaction as the file; every page's footer carries the head of that row. `render`
    paints the pages (the front end's, `ui.reports.pdf.render`); `context` replaces the
    authority's usual header (the regional workspace has its own)."""
    if path.suffix.lower() != ".pdf":
        raise InvalidInputError(f"{path} should end in .pdf: reports are written as PDF.")
    actor = act(db, account, Action.PRINT_REPORT)
    output_files.check_destination(path, overwrite=overwrite)
    if context is None:
        context = report_context(db, printable.title, filter_description, as_of, actor.account)
    pages: list[int] = []
    check = lambda written: output_files.pdf_problem(written, pages[0] if pages else None)  # noqa: E731
    with output_files.audited_file(db, path, overwrite=overwrite, check=check) as output:

        def stamp(count: int) -> ReportContext:
            assert context is not None
            entry = output.record(
                actor.account,
                Action.PRINT_REPORT,
                target,
                {
                    **detail,
                    "filter": filter_description,
                    "as_of": as_of.isoformat() if as_of else None,
                    "pages": count,
                },
            )
            return replace(context, audit_hash=f"{entry.id}:{entry.hash}")

        pages.append(render(output.temporary, printable, context, stamp))
    assert output.entry is not None
    printed = Printed(output.path, pages[0], f"{output.entry.id}:{output.entry.hash}")
    return Outcome(Action.PRINT_REPORT, printed, (output.entry.id,), actor=actor)


def export_flag_list(
    db: Database,
    account: str,
    filters: FlagFilter,
    path: Path,
    *,
    group_by: str = "school",
    initials: bool = False,
    per_school: bool = False,
    overwrite: bool = False,
) -> Outcome[Exported]:
    """The flag list to .xlsx (the authority's flat sheet, the flags, and with `per_school` a
    sheet per school) or .csv (one row per child), the file and its row as one; the export
    counts the children written."""
    if per_school and path.suffix.lower() == ".csv":
        raise InvalidInputError("A CSV file holds one table: export the sheet per school as .xlsx.")
    act(db, account, Action.EXPORT)  # refused before the list is read
    as_of, tables = flag_export_tables(
        db, filters, initials=initials, per_school=per_school, group_by=group_by
    )
    return export_report(
        db,
        account,
        path,
        tables[:1] if path.suffix.lower() == ".csv" else tables,
        title="Flag list",
        as_of=as_of,
        filter_description=filters.describe(),
        target="export:flags",
        detail={"initials": initials, "group_by": group_by, "per_school": per_school},
        overwrite=overwrite,
        notes=(CONTROLLED_NOTICE,),
        rows=len(tables[0].rows),
    )


def export_dashboard(
    db: Database, account: str, board: Dashboard, path: Path, *, overwrite: bool = False
) -> Outcome[Exported]:
    """Every table of the dashboard to a workbook (a sheet each), the file and its row as one."""
    if path.suffix.lower() == ".csv":
        raise InvalidInputError(
            "The dashboard has several tables: export it as .xlsx (one sheet each)."
        )
    return export_report(
        db,
        account,
        path,
        dashboard_tables(board),
        title=f"Exclusions dashboard {board.academic_year}",
        as_of=board.as_of,
        filter_description=f"academic year {board.academic_year}",
        target="export:dashboard",
        detail=dashboard_detail(board),
        overwrite=overwrite,
    )
