"""The database schema as SQLAlchemy Core tables: the current version, used for every query.

A new database is created from these tables; an older one is brought up to date by the steps in
`migrations.py`, and a test checks that both roads lead to the same schema.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _batch() -> sa.Column[int]:
    """The import batch that first brought the row (NULL when a person entered it)."""
    return sa.Column(
        "batch_id", sa.Integer, sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )


settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(200)),
)

users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("account", sa.String(200), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    _id(),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("action", sa.String(50), nullable=False, index=True),
    sa.Column("target", sa.String(200)),
    sa.Column("detail", sa.Text),  # JSON
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    _id(),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("sheet", sa.String(200)),
    sa.Column("census_date", sa.Date),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("rows_read", sa.Integer, nullable=False, default=0),
    sa.Column("rows_imported", sa.Integer, nullable=False, default=0),
    sa.Column("rows_rejected", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(20), nullable=False, default="imported"),  # imported | undone
    sa.Column("undone_at", sa.DateTime),
    sa.Column("undone_by", sa.String(200)),
    sa.Column("mapping", sa.Text),  # JSON: column -> field
    sa.Column("warnings", sa.Text),  # JSON list
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    _id(),
    sa.Column(
        "batch_id",
        sa.Integer,
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("upn", sa.String(20)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),  # JSON: the row as read, to send back to the school
)

# The other batches that brought a record, so undoing one batch keeps what another also brought.
# A record's own batch_id is its first source and has no row here (a first census would otherwise
# write three rows here for every pupil); later batches that bring it again each add one.
record_sources = sa.Table(
    "record_sources",
    metadata,
    sa.Column("record_type", sa.String(30), primary_key=True),
    sa.Column("record_id", sa.Integer, primary_key=True),
    sa.Column(
        "batch_id",
        sa.Integer,
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("row_number", sa.Integer),
)

schools = sa.Table(
    "schools",
    metadata,
    _id(),
    sa.Column("laestab", sa.String(7), nullable=False, unique=True),
    sa.Column("urn", sa.String(10), unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("la_code", sa.String(3)),
    sa.Column("phase", sa.String(30)),
    sa.Column("school_type", sa.String(100)),
    sa.Column("low_age", sa.Integer),
    sa.Column("high_age", sa.Integer),
    sa.Column("open_date", sa.Date),
    sa.Column("close_date", sa.Date),
    _batch(),
)

school_links = sa.Table(
    "school_links",
    metadata,
    _id(),
    sa.Column(
        "school_id", sa.Integer, sa.ForeignKey("schools.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "linked_school_id",
        sa.Integer,
        sa.ForeignKey("schools.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("link_type", sa.String(50), nullable=False),  # successor | predecessor | ...
    sa.Column("established_date", sa.Date),
    _batch(),
    sa.UniqueConstraint("school_id", "linked_school_id", "link_type"),
)

children = sa.Table(
    "children",
    metadata,
    _id(),
    sa.Column("surname", sa.String(200), nullable=False),
    sa.Column("forename", sa.String(200), nullable=False),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("sex", sa.String(1)),
    sa.Column("looked_after", sa.Boolean),
    sa.Column("created_at", sa.DateTime, nullable=False),
    _batch(),
)

child_identifiers = sa.Table(
    "child_identifiers",
    metadata,
    _id(),
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("upn", sa.String(13), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # current | former
    sa.Column("temporary", sa.Boolean, nullable=False, default=False),
    sa.Column("first_seen", sa.Date),
    _batch(),
    # A unique index rather than a constraint, so a big first load can build it once after the
    # rows are in (UPNs arrive in no order; a quarter of a million scattered index inserts cost
    # twice the table's own).
    sa.Index("ix_child_identifiers_upn", "upn", unique=True),
)

enrolments = sa.Table(
    "enrolments",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("school_id", sa.Integer, sa.ForeignKey("schools.id"), nullable=False, index=True),
    sa.Column("entry_date", sa.Date),
    sa.Column("leaving_date", sa.Date),
    sa.Column("leaving_reason", sa.String(200)),
    sa.Column("destination", sa.String(300)),
    sa.Column("enrol_status", sa.String(1)),
    _batch(),
    sa.Column("upn_seen", sa.String(13)),  # the UPN the return gave (schema 4)
    sa.UniqueConstraint("child_id", "school_id", "entry_date", "enrol_status"),
)

census_observations = sa.Table(
    "census_observations",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("school_id", sa.Integer, sa.ForeignKey("schools.id"), nullable=False),
    sa.Column("census_date", sa.Date, nullable=False, index=True),
    sa.Column("upn_seen", sa.String(13)),
    sa.Column("nc_year", sa.String(3)),
    sa.Column("enrol_status", sa.String(1)),
    sa.Column("entry_date", sa.Date),
    sa.Column("fsm", sa.Boolean),
    sa.Column("sen", sa.String(1)),
    sa.Column("ethnicity", sa.String(10)),
    sa.Column("looked_after", sa.Boolean),
    sa.Column("address_line1", sa.String(300)),
    sa.Column("postcode", sa.String(10)),
    sa.Column("family_ref", sa.String(50)),
    _batch(),
    sa.UniqueConstraint("child_id", "school_id", "census_date"),
    # Which censuses each school returned, one seek per (school, date) (census collections).
    sa.Index(None, "school_id", "census_date"),
)

exclusions = sa.Table(
    "exclusions",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("school_id", sa.Integer, sa.ForeignKey("schools.id"), nullable=False, index=True),
    sa.Column("category", sa.String(4), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False, index=True),
    sa.Column("end_date", sa.Date),
    sa.Column("sessions", sa.Float, nullable=False),
    sa.Column("reason1", sa.String(4)),
    sa.Column("reason2", sa.String(4)),
    sa.Column("reason3", sa.String(4)),
    sa.Column("review_outcome", sa.String(100)),
    _batch(),
    sa.Column("upn_seen", sa.String(13)),  # the UPN the return gave (schema 4)
    sa.UniqueConstraint("child_id", "school_id", "category", "start_date"),
)

identity_reviews = sa.Table(
    "identity_reviews",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "candidate_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="open"),  # open|merged|kept_apart
    sa.Column("decided_by", sa.String(200)),
    sa.Column("decided_at", sa.DateTime),
    _batch(),
    sa.UniqueConstraint("child_id", "candidate_id"),
    # Schema 4: a row's Former UPN joining the pair, when the two children disagree (a
    # different date of birth, say) so they were not merged; cleared when that batch is undone.
    sa.Column("former_upn_reason", sa.Text),
    sa.Column("former_upn_batch_id", sa.Integer),
)

# What each return said of a record seen with different values (an amended return, the same
# exclusion under a predecessor's and a successor's LAESTAB, twins of two merged children): one
# row per batch that brought the record, holding that batch's values (JSON). A record seen only
# with the same values has none. The record's own row holds what the returns add up to: for each
# value, the latest batch that gave one (docs/rules.md, "One record across returns").
record_versions = sa.Table(
    "record_versions",
    metadata,
    sa.Column("record_type", sa.String(30), primary_key=True),
    sa.Column("record_id", sa.Integer, primary_key=True),
    sa.Column(
        "batch_id",
        sa.Integer,
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("row_number", sa.Integer),
    sa.Column("stated", sa.Text, nullable=False),  # JSON: column -> value
)

# Two records made one: two children joined by a Former UPN (or an officer's decision), or two
# exclusions made one school's by a school link. `detail` (JSON) holds what undoing it needs;
# a merge an import made is undone with that import's batch.
record_merges = sa.Table(
    "record_merges",
    metadata,
    _id(),
    sa.Column("record_type", sa.String(30), nullable=False),
    sa.Column("kept_id", sa.Integer, nullable=False, index=True),
    sa.Column("merged_id", sa.Integer, nullable=False),
    sa.Column(
        "batch_id", sa.Integer, sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    ),
    sa.Column("row_number", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("merged_at", sa.DateTime, nullable=False),
    sa.Column("merged_by", sa.String(200)),
    sa.Column("undone_at", sa.DateTime),
)

families = sa.Table(
    "families",
    metadata,
    _id(),
    sa.Column("family_key", sa.String(300), nullable=False, unique=True),
    sa.Column("basis", sa.String(20), nullable=False),  # reference | address | manual
    sa.Column("created_at", sa.DateTime, nullable=False),
)

family_members = sa.Table(
    "family_members",
    metadata,
    sa.Column(
        "family_id",
        sa.Integer,
        sa.ForeignKey("families.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

# Each child's own family key (family reference, else normalised address line and postcode, as of
# their latest census), kept by the flag recompute so families regroup without reading censuses.
child_family_keys = sa.Table(
    "child_family_keys",
    metadata,
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("family_key", sa.String(300), nullable=False, index=True),
    sa.Column("basis", sa.String(20), nullable=False),  # reference | address
    # The normalised address line and postcode (whatever the basis): who else lives there.
    sa.Column("address_key", sa.String(300), index=True),
)

# Each child's status as of the flags' date (on roll, placement, left, missing, no current
# school) with the last school and date, kept by the flag recompute for the children list.
child_status = sa.Table(
    "child_status",
    metadata,
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("school_id", sa.Integer, sa.ForeignKey("schools.id", ondelete="SET NULL")),
    sa.Column("status_date", sa.Date),
)

# An officer's decision to link a child to a family or keep them out of it; survives re-imports.
family_decisions = sa.Table(
    "family_decisions",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "other_child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("decision", sa.String(10), nullable=False),  # link | unlink
    sa.Column("decided_by", sa.String(200)),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("child_id", "other_child_id"),
)

flags = sa.Table(
    "flags",
    metadata,
    _id(),
    sa.Column(
        "child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("rule", sa.String(40), nullable=False, index=True),
    sa.Column("rule_version", sa.Integer, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text),  # JSON
    sa.Column("first_raised", sa.Date, nullable=False),
    sa.Column("last_seen", sa.Date, nullable=False),
    sa.Column("cleared_on", sa.Date),
    sa.Column("updated_at", sa.DateTime),
    # An officer has read this flag (its raised and cleared life is the recompute's; the case
    # it belongs to is the child's).
    sa.Column("reviewed_by", sa.String(200)),
    sa.Column("reviewed_at", sa.DateTime),
    sa.UniqueConstraint("child_id", "rule"),
)

# A case per child (docs/rules.md#cases): its status and officer, dated notes, and the history of
# every change. Made the first time anyone acts on the child's flags; a flagged child with no case
# row is a new, unassigned case.
cases = sa.Table(
    "cases",
    metadata,
    _id(),
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("status", sa.String(20), nullable=False, default="new"),
    sa.Column("assigned_to", sa.String(200), index=True),  # a users account
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("last_action_at", sa.DateTime, nullable=False, index=True),
    sa.Column("last_action_by", sa.String(200), nullable=False),
)

case_notes = sa.Table(
    "case_notes",
    metadata,
    _id(),
    sa.Column(
        "case_id",
        sa.Integer,
        sa.ForeignKey("cases.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("written_at", sa.DateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("flag_rule", sa.String(40)),  # the flag it was written on, before cases
)

case_events = sa.Table(
    "case_events",
    metadata,
    _id(),
    sa.Column(
        "case_id",
        sa.Integer,
        sa.ForeignKey("cases.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("what", sa.String(20), nullable=False),  # status | officer | note | reviewed
    sa.Column("old_value", sa.String(200)),
    sa.Column("new_value", sa.String(200)),
    sa.Column("flag_rule", sa.String(40)),  # the flag it concerned (a review; before cases)
)

mapping_profiles = sa.Table(
    "mapping_profiles",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("header_signature", sa.String(64), nullable=False, unique=True),
    sa.Column("mapping", sa.Text, nullable=False),  # JSON: header -> field
    sa.Column("created_by", sa.String(200)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# What a retention purge removed: when, by whom, which record type, how many, their ids. No names.
purge_log = sa.Table(
    "purge_log",
    metadata,
    _id(),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("record_type", sa.String(40), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("ids", sa.Text, nullable=False),  # JSON list of the purged rows' ids
    sa.Column("detail", sa.Text),  # JSON: the rule applied (and the audit chain anchor)
)

# One row per child for the authority-wide list: current UPN, folded name keys, the latest census
# school and year group, open flag count. Derived data, rebuilt by
# `store.children.refresh_child_summaries` after imports, undo, identity merges and flag runs.
child_summaries = sa.Table(
    "child_summaries",
    metadata,
    sa.Column(
        "child_id",
        sa.Integer,
        sa.ForeignKey("children.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("upn", sa.String(13)),
    sa.Column("surname", sa.String(200), nullable=False),
    sa.Column("forename", sa.String(200), nullable=False),
    sa.Column("surname_key", sa.String(200), nullable=False),
    sa.Column("forename_key", sa.String(200), nullable=False),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("sex", sa.String(1)),
    sa.Column("nc_year", sa.String(3)),
    sa.Column("year_order", sa.Integer),
    sa.Column("school_id", sa.Integer, sa.ForeignKey("schools.id", ondelete="SET NULL")),
    sa.Column("school_laestab", sa.String(7)),
    sa.Column("school_name", sa.String(300)),
    sa.Column("school_key", sa.String(300)),
    sa.Column("census_date", sa.Date),
    sa.Column("flag_count", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(20)),  # child_status.status; NULL until flags are worked out
    sa.Column("status_date", sa.Date),
    # Each sort order of the children list has its own index, so a page is an index range scan.
    sa.Index("ix_child_summaries_upn", "upn"),
    sa.Index("ix_child_summaries_name", "surname_key", "forename_key", "child_id"),
    sa.Index("ix_child_summaries_forename", "forename_key"),
    sa.Index("ix_child_summaries_dob", "date_of_birth", "surname_key", "forename_key", "child_id"),
    sa.Index(
        "ix_child_summaries_year",
        "year_order",
        "nc_year",
        "surname_key",
        "forename_key",
        "child_id",
    ),
    sa.Index("ix_child_summaries_school", "school_key", "surname_key", "forename_key", "child_id"),
    sa.Index("ix_child_summaries_school_id", "school_id"),
    sa.Index("ix_child_summaries_flags", "flag_count", "surname_key", "forename_key", "child_id"),
    sa.Index("ix_child_summaries_status", "status", "surname_key", "forename_key", "child_id"),
)

# The regional workspace's tables (schema version 3) live in their own module, on this metadata.
from exclusion_monitor.store import regional_schema  # noqa: E402, F401
