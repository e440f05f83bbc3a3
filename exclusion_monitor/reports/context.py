"""The header every printed or exported report carries (docs/reports.md): its title, the
authority's name, the as-of date, the filter, who produced it and when, and the audit chain's
head. One home, so the screen's printouts, the command line's reports and the exports agree."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.identity import os_account
from exclusion_monitor.reports.tables import ReportContext
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.settings import get_setting

AUTHORITY_SETTING = "authority.name"
DEFAULT_AUTHORITY = "Local authority (set its name in Settings)"


def authority_name(db: Database) -> str:
    """The authority's name as Settings has it, or a reminder to set it."""
    name = get_setting(db, AUTHORITY_SETTING)
    return str(name).strip() if isinstance(name, str) and name.strip() else DEFAULT_AUTHORITY


def report_context(
    db: Database,
    title: str,
    filter_description: str,
    as_of: dt.date | None,
    account: str | None = None,
) -> ReportContext:
    """Who, when, for which authority and filter; with the audit chain's head for tamper checks."""
    return ReportContext(
        title=title,
        authority=authority_name(db),
        as_of=as_of,
        filter_description=filter_description,
        produced_by=account or os_account(),
        produced_at=dt.datetime.now().replace(microsecond=0),
        audit_hash=audit.chain_head(db).label,
    )
