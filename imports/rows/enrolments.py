"""A registrations return: one row per pupil's time at a school, from entry to leaving."""

from __future__ import annotations

from exclusion_monitor import codelists
from imports.rows.child import Child
from imports.rows.fields import Coded, Date, KindRows, Text, left_blank, listed

ENROLMENTS = KindRows(
    (
        Child(names_required=False),
        Date("entry_date", "entry date", required=True, after_birth=True),
        Date("leaving_date", "leaving date", not_before=("entry_date", "the entry date")),
        Text("leaving_reason"),
        Text("destination"),
        Coded("enrol_status", listed(codelists.ENROL_STATUS), left_blank("enrol status")),
    )
)
