"""The regional workspace's tables (docs/regional.md, "The workspace"), in the one schema: a
database holds either an authority's named records or the region's pseudonymised returns, never
both (the commands refuse to mix them), and both kinds share the store's machinery.

The large tables (census, registrations, exclusions) carry no foreign keys: they are loaded in
bulk and removed a return at a time by child id range (a return's children have consecutive ids).
"""

from __future__ import annotations

import sqlalchemy as sa

from exclusion_monitor.store.schema import metadata

regional_returns = sa.Table(
    "regional_returns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("la_code", sa.String(3), nullable=False, index=True),
    sa.Column("la_name", sa.String(100)),
    sa.Column("format_version", sa.Integer, nullable=False),
    sa.Column("made_at", sa.DateTime, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("key_fingerprint", sa.String(16), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("status", sa.String(10), nullable=False),  # current | replaced
    sa.Column("first_child_id", sa.Integer),
    sa.Column("last_child_id", sa.Integer),
    sa.Column("children", sa.Integer, nullable=False, default=0),
    sa.Column("census_rows", sa.Integer, nullable=False, default=0),
    sa.Column("exclusions", sa.Integer, nullable=False, default=0),
)

regional_schools = sa.Table(
    "regional_schools",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("laestab", sa.String(7), nullable=False, unique=True),
    sa.Column("urn", sa.String(10)),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("la_code", sa.String(3)),
    sa.Column("phase", sa.String(30)),
    sa.Column("school_type", sa.String(100)),
    sa.Column("open_date", sa.Date),
    sa.Column("close_date", sa.Date),
    sa.Column("low_age", sa.Integer),
    sa.Column("high_age", sa.Integer),
)

regional_school_links = sa.Table(
    "regional_school_links",
    metadata,
    sa.Column("school_id", sa.Integer, primary_key=True),
    sa.Column("linked_school_id", sa.Integer, primary_key=True),
    sa.Column("link_type", sa.String(50), primary_key=True),
)

# Which school returned which census, per return (a census date held by a few schools is no
# census for the others).
regional_census_returns = sa.Table(
    "regional_census_returns",
    metadata,
    sa.Column("return_id", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.Integer, primary_key=True),
    sa.Column("census_date", sa.Date, primary_key=True),
)

regional_children = sa.Table(
    "regional_children",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("return_id", sa.Integer, nullable=False, index=True),
    sa.Column("local_number", sa.Integer, nullable=False),
    sa.Column("person_id", sa.Integer, index=True),
    sa.Column("birth_month", sa.String(7)),
    sa.Column("sex", sa.String(1)),
    sa.Column("ethnicity", sa.String(4)),
    sa.Column("fsm", sa.Boolean),
    sa.Column("sen", sa.String(1)),
    sa.Column("looked_after", sa.Boolean),
    sa.Column("postcode_sector", sa.String(8)),
)

regional_pseudonyms = sa.Table(
    "regional_pseudonyms",
    metadata,
    sa.Column("child_id", sa.Integer, primary_key=True),
    sa.Column("pseudonym", sa.String(26), primary_key=True, index=True),
    sa.Column("kind", sa.String(7), nullable=False),  # current | former
)

regional_registrations = sa.Table(
    "regional_registrations",
    metadata,
    sa.Column("child_id", sa.Integer, nullable=False, index=True),
    sa.Column("school_id", sa.Integer, nullable=False),
    sa.Column("entry_date", sa.Date),
    sa.Column("leaving_date", sa.Date),
    sa.Column("enrol_status", sa.String(1)),
    sa.Column("leaving_reason", sa.String(40)),
    sa.Column("destination_laestab", sa.String(7)),
)

regional_census = sa.Table(
    "regional_census",
    metadata,
    sa.Column("child_id", sa.Integer, nullable=False, index=True),
    sa.Column("school_id", sa.Integer, nullable=False),
    sa.Column("census_date", sa.Date, nullable=False, index=True),
    sa.Column("nc_year", sa.String(3)),
    sa.Column("enrol_status", sa.String(1)),
    sa.Column("entry_date", sa.Date),
    sa.Column("fsm", sa.Boolean),
    sa.Column("sen", sa.String(1)),
)

regional_exclusions = sa.Table(
    "regional_exclusions",
    metadata,
    sa.Column("child_id", sa.Integer, nullable=False, index=True),
    sa.Column("school_id", sa.Integer, nullable=False),
    sa.Column("category", sa.String(4), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False, index=True),
    sa.Column("end_date", sa.Date),
    sa.Column("sessions", sa.Float, nullable=False),
    sa.Column("reason1", sa.String(4)),
    sa.Column("reason2", sa.String(4)),
    sa.Column("reason3", sa.String(4)),
    sa.Column("review_outcome", sa.String(30)),
)

# The flags each authority raised for its own children, as its return said.
regional_local_flags = sa.Table(
    "regional_local_flags",
    metadata,
    sa.Column("child_id", sa.Integer, primary_key=True),
    sa.Column("rule", sa.String(40), primary_key=True),
    sa.Column("rule_version", sa.Integer, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
)

# One row per child as the region sees them: the returns' records linked by pseudonym.
regional_people = sa.Table(
    "regional_people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("pseudonym", sa.String(26), nullable=False, unique=True),
    sa.Column("authorities", sa.String(100), nullable=False),  # LA numbers, comma-separated
)

regional_flags = sa.Table(
    "regional_flags",
    metadata,
    sa.Column("person_id", sa.Integer, primary_key=True),
    sa.Column("rule", sa.String(40), primary_key=True),
    sa.Column("rule_version", sa.Integer, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text),  # JSON
)

TABLES: tuple[sa.Table, ...] = (
    regional_returns, regional_schools, regional_school_links, regional_census_returns,
    regional_children, regional_pseudonyms, regional_registrations, regional_census,
    regional_exclusions, regional_local_flags, regional_people, regional_flags,
)  # fmt: skip

# The DfE's published "Suspensions and permanent exclusions in England" figures, as imported
# (national, regional and local authority rows; columns as published), to set beside ours.
national_figures = sa.Table(
    "national_figures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("time_period", sa.String(6), nullable=False),
    sa.Column("geographic_level", sa.String(40), nullable=False),
    sa.Column("region_name", sa.String(100)),
    sa.Column("la_name", sa.String(100)),
    sa.Column("old_la_code", sa.String(3)),
    sa.Column("education_phase", sa.String(60)),
    sa.Column("characteristic_group", sa.String(100)),
    sa.Column("characteristic", sa.String(100)),
    sa.Column("headcount", sa.Integer),
    sa.Column("suspension", sa.Integer),
    sa.Column("susp_rate", sa.Float),
    sa.Column("perm_excl", sa.Integer),
    sa.Column("perm_excl_rate", sa.Float),
    sa.Column("one_plus_susp", sa.Integer),
    sa.Column("one_plus_susp_rate", sa.Float),
    sa.Column("source_file", sa.String(300)),
    sa.Index("ix_national_figures_key", "time_period", "geographic_level", "old_la_code"),
)

TABLES = (*TABLES, national_figures)
