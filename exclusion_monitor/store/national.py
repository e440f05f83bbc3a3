"""The DfE's published figures as imported (imports/national_figures.py): the whole-school,
all-pupil rows for England, the regions and the authorities."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store.regional_schema import national_figures


def total_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    """Rows for all phases and all pupils ('Total'), every period and place."""
    t = national_figures.c
    query = sa.select(national_figures).where(
        sa.func.lower(sa.func.coalesce(t.education_phase, "total")).in_(("total", "all")),
        sa.func.lower(sa.func.coalesce(t.characteristic, "total")) == "total",
    )
    return [dict(row._mapping) for row in conn.execute(query)]
