"""The kinds of file the intake reads: fields, required ones, and ones that give a kind away."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    CENSUS = "census"
    EXCLUSIONS = "exclusions"
    ENROLMENTS = "enrolments"
    SCHOOLS = "schools"
    SCHOOL_LINKS = "school_links"


# A file of a child kind must say which school; any one of these columns does.
SCHOOL_FIELDS = ("laestab", "urn", "school_name", "school")
CHILD_FIELDS = ("upn", "former_upn", "surname", "forename", "date_of_birth", "sex")


@dataclass(frozen=True, slots=True)
class KindSpec:
    """A kind of file: its fields (with weights for detection), the required ones, the alternatives.

    `required_any` lists groups of which at least one field must be mapped.
    """

    kind: Kind
    label: str
    weights: dict[str, float]
    required: tuple[str, ...]
    required_any: tuple[tuple[str, ...], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return list(self.weights)


FIELD_LABELS: dict[str, str] = {
    "upn": "UPN",
    "former_upn": "Former UPN",
    "surname": "Surname",
    "forename": "Forename",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "nc_year": "NC year",
    "entry_date": "Entry date",
    "leaving_date": "Leaving date",
    "leaving_reason": "Leaving reason",
    "destination": "Destination",
    "enrol_status": "Enrol status",
    "laestab": "LAESTAB",
    "urn": "URN",
    "school_name": "School name",
    "school": "School",
    "census_date": "Census date",
    "term": "Term",
    "ethnicity": "Ethnicity",
    "fsm": "FSM eligible",
    "sen": "SEN provision",
    "looked_after": "Looked after",
    "postcode": "Postcode",
    "address_line1": "Address line 1",
    "family_ref": "Family reference",
    "category": "Category",
    "start_date": "Start date",
    "end_date": "End date",
    "sessions": "Sessions",
    "days": "Days",
    "reason1": "Reason 1",
    "reason2": "Reason 2",
    "reason3": "Reason 3",
    "review_outcome": "Review outcome",
    "link_urn": "LinkURN",
    "link_type": "LinkType",
    "link_date": "LinkEstablishedDate",
    "la_code": "LA (code)",
    "establishment_number": "EstablishmentNumber",
    "school_type": "Type of establishment",
    "phase": "Phase of education",
    "open_date": "Open date",
    "close_date": "Close date",
    "low_age": "Statutory low age",
    "high_age": "Statutory high age",
    "status": "Establishment status",
    "closed_reason": "Reason closed",
    "previous_la": "Previous LA (code)",
    "previous_establishment": "Previous establishment number",
}

_CHILD_WEIGHTS = {name: 0.5 for name in CHILD_FIELDS}
_SCHOOL_WEIGHTS = {name: 0.25 for name in SCHOOL_FIELDS}

SPECS: dict[Kind, KindSpec] = {
    Kind.CENSUS: KindSpec(
        Kind.CENSUS,
        "Census",
        {
            **_CHILD_WEIGHTS,
            **_SCHOOL_WEIGHTS,
            "nc_year": 3,
            "entry_date": 0.5,
            "enrol_status": 1,
            "census_date": 3,
            "term": 1,
            "ethnicity": 2,
            "fsm": 2,
            "sen": 2,
            "looked_after": 1,
            "postcode": 1,
            "address_line1": 1,
            "family_ref": 1,
        },
        required=("upn", "surname", "forename", "date_of_birth"),
        required_any=(SCHOOL_FIELDS,),
    ),
    Kind.EXCLUSIONS: KindSpec(
        Kind.EXCLUSIONS,
        "Exclusions",
        {
            **_CHILD_WEIGHTS,
            **_SCHOOL_WEIGHTS,
            "nc_year": 0.5,
            "category": 4,
            "start_date": 3,
            "end_date": 1,
            "sessions": 3,
            "days": 3,
            "reason1": 3,
            "reason2": 2,
            "reason3": 2,
            "review_outcome": 1,
        },
        required=("upn", "category", "start_date"),
        required_any=(SCHOOL_FIELDS, ("sessions", "days")),
    ),
    Kind.ENROLMENTS: KindSpec(
        Kind.ENROLMENTS,
        "Enrolments",
        {
            **_CHILD_WEIGHTS,
            **_SCHOOL_WEIGHTS,
            "entry_date": 1.5,
            "leaving_date": 4,
            "leaving_reason": 3,
            "destination": 2,
            "enrol_status": 1,
        },
        required=("upn", "entry_date"),
        required_any=(SCHOOL_FIELDS,),
    ),
    Kind.SCHOOLS: KindSpec(
        Kind.SCHOOLS,
        "Schools (GIAS)",
        {
            "urn": 1,
            "laestab": 1,
            "la_code": 2,
            "establishment_number": 3,
            "school_name": 1,
            "school_type": 3,
            "phase": 3,
            "open_date": 2,
            "close_date": 2,
            "low_age": 1,
            "high_age": 1,
            "status": 0.5,
            "closed_reason": 0.5,
            "previous_la": 0.5,
            "previous_establishment": 0.5,
        },
        required=("school_name",),
        required_any=(("laestab", "establishment_number"),),
    ),
    Kind.SCHOOL_LINKS: KindSpec(
        Kind.SCHOOL_LINKS,
        "School links (GIAS)",
        {"urn": 1, "link_urn": 5, "link_type": 5, "link_date": 2},
        required=("urn", "link_urn", "link_type"),
    ),
}


def spec(kind: Kind | str) -> KindSpec:
    return SPECS[Kind(kind)]


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def missing_required(kind: Kind, mapped: set[str]) -> list[str]:
    """Plain names of the required fields (or groups) that the mapping lacks."""
    kind_spec = SPECS[kind]
    missing = [field_label(name) for name in kind_spec.required if name not in mapped]
    for group in kind_spec.required_any:
        if not mapped.intersection(group):
            missing.append(" or ".join(field_label(name) for name in group))
    return missing
