"""Headers as people and school systems really write them (SIMS, Arbor, Bromcom, Capita One
exports, local authority returns, GIAS), each with the field it should be read as, or None for
a column the intake does not use. The matcher must map each confidently, or leave it unused; a
column that only may be a field is a proposal, never used unasked. The test prints the corpus
and the matcher's misses."""

from __future__ import annotations

import pytest

from imports.headers import CONFIDENT, match_header
from imports.kinds import SPECS, Kind

C, X, E, S, L = Kind.CENSUS, Kind.EXCLUSIONS, Kind.ENROLMENTS, Kind.SCHOOLS, Kind.SCHOOL_LINKS

# (kind, header, the field it must map to confidently, or None: must not map confidently).
CORPUS: list[tuple[Kind, str, str | None]] = [
    # --- UPNs ---
    (C, "UPN", "upn"), (C, "Pupil UPN", "upn"), (C, "Student UPN", "upn"),
    (C, "Child UPN", "upn"), (C, "Learner UPN", "upn"), (C, "Unique Pupil Number", "upn"),
    (C, "Unique Pupil No.", "upn"), (C, "Unique Pupil No", "upn"), (C, "Pupil No.", "upn"),
    (C, "Pupil Number", "upn"), (C, "UPN #", "upn"), (C, "upn_number", "upn"),
    (C, "UPN (current)", None), (C, "Former UPN", "former_upn"),
    (C, "Previous UPN", "former_upn"), (C, "FormerUPN", "former_upn"),
    (C, "Old UPN", "former_upn"), (C, "Pupil Former UPN", "former_upn"),
    (C, "Former UPNs", "former_upn"), (C, "Former UPN(s)", "former_upn"),
    (C, "Pupil UPNs", "upn"),
    # --- names ---
    (C, "Surname", "surname"), (C, "Legal Surname", "surname"), (C, "Legal surname", "surname"),
    (C, "SURNAME", "surname"), (C, "Student Surname", "surname"), (C, "Pupil Surname", "surname"),
    (C, "Child's surname", "surname"), (C, "Last Name", "surname"),
    (C, "Legal Last Name", "surname"), (C, "Family Name", "surname"),
    (C, "Surname(s)", "surname"), (C, "Child's last name (legal)", "surname"),
    (C, "Preferred Surname", None), (C, "Parent Surname", None), (C, "Carer surname", None),
    (C, "Forename", "forename"), (C, "Legal Forename", "forename"),
    (C, "Forename(s)", "forename"), (C, "Forenames", "forename"), (C, "First Name", "forename"),
    (C, "Legal First Name", "forename"), (C, "Student Forename", "forename"),
    (C, "Given Name", "forename"), (C, "Pupil First Name", "forename"),
    (C, "Preferred Forename", None), (C, "Preferred First Name", None),
    (C, "Middle Name(s)", None), (C, "Pupil Name", None), (C, "Full name", None),
    # --- birth, sex ---
    (C, "DOB", "date_of_birth"), (C, "D.O.B.", "date_of_birth"), (C, "D.O.B", "date_of_birth"),
    (C, "Date of Birth", "date_of_birth"), (C, "Date Of Birth", "date_of_birth"),
    (C, "DateOfBirth", "date_of_birth"), (C, "Birth Date", "date_of_birth"),
    (C, "Pupil DOB", "date_of_birth"), (C, "Child DOB", "date_of_birth"),
    (C, "Student Date of Birth", "date_of_birth"),
    (C, "Date of birth (dd/mm/yyyy)", "date_of_birth"), (C, "Parent DOB", None),
    (C, "Sex", "sex"), (C, "Gender", "sex"), (C, "Pupil Gender", "sex"), (C, "Legal Sex", "sex"),
    # --- year group ---
    (C, "NC Year", "nc_year"), (C, "NCY", "nc_year"), (C, "NC Yr", "nc_year"),
    (C, "N.C. Year", "nc_year"), (C, "NCyearActual", "nc_year"), (C, "NC Year Actual", "nc_year"),
    (C, "Year Group", "nc_year"), (C, "Yr Group", "nc_year"), (C, "Yr Grp", "nc_year"),
    (C, "Year", "nc_year"), (C, "Curriculum Year", "nc_year"),
    (C, "National Curriculum Year", "nc_year"), (C, "Academic Year", None),
    (C, "Reg Group", None), (C, "Tutor Group", None), (C, "Form", None), (C, "House", None),
    # --- dates on roll ---
    (C, "Entry Date", "entry_date"), (C, "Admission Date", "entry_date"),
    (C, "Adm Date", "entry_date"), (C, "Adm. Date", "entry_date"),
    (C, "Date of Admission", "entry_date"), (C, "Date Of Entry", "entry_date"),
    (C, "Date Joined", "entry_date"), (C, "Pupil Admission Date", "entry_date"),
    (C, "Adm. date (first)", None), (C, "Admission Number", None), (C, "Adno", None),
    (E, "Date of Leaving", "leaving_date"), (E, "Date Left", "leaving_date"),
    (C, "Leaving Date", None), (C, "Enrolment Status", "enrol_status"),
    (C, "Enrol Status", "enrol_status"), (C, "EnrolStatus", "enrol_status"),
    (C, "Enrollment Status", "enrol_status"), (C, "Census Date", "census_date"),
    (C, "CensusDate", "census_date"), (C, "Census Term", "term"), (C, "Term", "term"),
    # --- schools ---
    (C, "LAESTAB", "laestab"), (C, "LA Estab", "laestab"), (C, "LA Estab No", "laestab"),
    (C, "LAEstab number", "laestab"), (C, "School LAESTAB", "laestab"),
    (C, "DfE No.", "laestab"), (C, "DfE Number", "laestab"), (C, "DFE No", "laestab"),
    (C, "School DfE Number", "laestab"), (C, "School No.", "laestab"), (C, "Sch No", "laestab"),
    (C, "School Number", "laestab"), (C, "URN", "urn"), (C, "School URN", "urn"),
    (C, "School Name", "school_name"), (C, "Establishment Name", "school_name"),
    (C, "School", "school_name"), (C, "Name of School", "school_name"),
    (C, "Previous School", None), (C, "Previous School Name", None), (C, "Base School", None),
    (C, "Destination School", None), (C, "Feeder School", None), (C, "Last School", None),
    (C, "School ID", "school"),
    # --- characteristics and address ---
    (C, "Ethnicity", "ethnicity"), (C, "Ethnic Group", "ethnicity"),
    (C, "Ethnicity Code", "ethnicity"), (C, "Ethnic Code", "ethnicity"),
    (C, "FSM", "fsm"), (C, "FSM Eligible", "fsm"), (C, "FSM Eligibility", "fsm"),
    (C, "Free School Meals", "fsm"), (C, "Eligible for FSM", "fsm"),
    (C, "Pupil Premium", None), (C, "SEN Status", "sen"), (C, "SEN Provision", "sen"),
    (C, "SEN", "sen"), (C, "Special Educational Needs", "sen"), (C, "SEN Stage", None),
    (C, "SEN Need", "sen"), (C, "Primary Need", None), (C, "EHCP", None),
    (C, "Looked After", "looked_after"), (C, "CLA", "looked_after"),
    (C, "LAC", "looked_after"), (C, "Child Looked After", "looked_after"),
    (C, "In Care", "looked_after"), (C, "Postcode", "postcode"), (C, "Post Code", "postcode"),
    (C, "Home Postcode", "postcode"), (C, "Pupil Postcode", "postcode"),
    (C, "Address Line 1", "address_line1"), (C, "Address 1", "address_line1"),
    (C, "AddressLine1", "address_line1"), (C, "Home Address", "address_line1"),
    (C, "Contact Postcode", None), (C, "Emergency Contact", None), (C, "Address Line 2", None),
    (C, "Town", None), (C, "Family Reference", "family_ref"), (C, "Family Ref", "family_ref"),
    (C, "Sibling Group", "family_ref"), (C, "Attendance %", None),
    (C, "Exclusion start date", None), (C, "Keyworker initials", None),
    # --- exclusions ---
    (X, "Category", "category"), (X, "Exclusion Category", "category"),
    (X, "Exclusion Type", "category"), (X, "Type of Exclusion", "category"),
    (X, "Suspension Type", "category"), (X, "Type", "category"),
    (X, "Start Date", "start_date"), (X, "Exclusion Start Date", "start_date"),
    (X, "Suspension Start Date", "start_date"), (X, "Date of Exclusion", "start_date"),
    (X, "StartDate", "start_date"), (X, "From", "start_date"),
    (X, "End Date", "end_date"), (X, "Exclusion End Date", "end_date"),
    (X, "Suspension End Date", "end_date"), (X, "EndDate", "end_date"), (X, "To", "end_date"),
    (X, "Sessions", "sessions"), (X, "Sessions Lost", "sessions"),
    (X, "No. of Sessions", "sessions"), (X, "Number of Sessions", "sessions"),
    (X, "Exclusion Sessions", "sessions"), (X, "Days", "days"), (X, "Days Lost", "days"),
    (X, "SchoolDays", "days"), (X, "School Days", "days"), (X, "Total Days", "days"),
    (X, "Number of Days", "days"), (X, "Reason", "reason1"), (X, "Reason 1", "reason1"),
    (X, "Reason(s)", "reason1"), (X, "Exclusion Reason", "reason1"),
    (X, "Reason for Exclusion", "reason1"), (X, "Main Reason", "reason1"),
    (X, "Reason 2", "reason2"), (X, "Exclusion Reason 2", "reason2"),
    (X, "Second Reason", "reason2"), (X, "Reason 3", "reason3"),
    (X, "Review Outcome", "review_outcome"), (X, "Appeal Outcome", "review_outcome"),
    (X, "Governors Outcome", "review_outcome"), (X, "StartTime", None),
    (X, "Start Time", None), (X, "Comments", None), (X, "Staff Member", None),
    (X, "Type (FIX/PERM)", "category"), (X, "Category (FT/PE)", "category"),
    (X, "Exclusion type (fixed/permanent)", "category"), (X, "Sessions (AM/PM)", "sessions"),
    (X, "Start Time (AM/PM)", None), (X, "Tutor grp", None),
    (X, "Pupil UPN", "upn"), (X, "DOB", "date_of_birth"), (X, "School DfE", "laestab"),
    (X, "Date of Birth", "date_of_birth"), (X, "Entry Date", None),
    # --- enrolments ---
    (E, "Entry Date", "entry_date"), (E, "Date of Admission", "entry_date"),
    (E, "Leaving Date", "leaving_date"), (E, "Leaving Reason", "leaving_reason"),
    (E, "Reason for Leaving", "leaving_reason"), (E, "Reason Left", "leaving_reason"),
    (E, "Destination", "destination"), (E, "Destination School", "destination"),
    (E, "Next School", "destination"), (E, "Enrolment Status", "enrol_status"),
    # --- GIAS extract and links ---
    (S, "URN", "urn"), (S, "LA (code)", "la_code"),
    (S, "EstablishmentNumber", "establishment_number"),
    (S, "EstablishmentName", "school_name"), (S, "TypeOfEstablishment (name)", "school_type"),
    (S, "PhaseOfEducation (name)", "phase"), (S, "OpenDate", "open_date"),
    (S, "CloseDate", "close_date"), (S, "StatutoryLowAge", "low_age"),
    (S, "StatutoryHighAge", "high_age"), (S, "EstablishmentStatus (name)", "status"),
    (S, "ReasonEstablishmentClosed (name)", "closed_reason"), (S, "Postcode", None),
    (S, "PreviousLA (code)", "previous_la"), (S, "PreviousLA (name)", None),
    (S, "PreviousEstablishmentNumber", "previous_establishment"), (S, "TelephoneNum", None),
    (S, "HeadLastName", None), (S, "Gender (name)", None), (S, "NumberOfPupils", None),
    (L, "URN", "urn"), (L, "LinkURN", "link_urn"), (L, "LinkType", "link_type"),
    (L, "LinkEstablishedDate", "link_date"), (L, "LinkName", None),
]  # fmt: skip


def _confident(kind: Kind, header: str) -> str | None:
    found = [m for m in match_header(header, SPECS[kind].weights) if m.confidence >= CONFIDENT]
    return found[0].field if found else None


def test_the_corpus_is_large_and_distinct() -> None:
    assert len({(k, h) for k, h, _ in CORPUS}) == len(CORPUS)
    assert len({h for _, h, _ in CORPUS}) >= 150


def test_every_header_of_the_corpus_maps_as_a_person_would_read_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    misses = []
    with capsys.disabled():
        print(f"\nHeader corpus: {len(CORPUS)} headers")
        for kind, header, wanted in CORPUS:
            got = _confident(kind, header)
            mark = "ok  " if got == wanted else "MISS"
            print(f"  {mark} {kind.value:12} {header!r:40} -> {got or 'not used'}")
            if got != wanted:
                misses.append((kind.value, header, wanted, got))
        print(f"Misses: {len(misses)}")
    assert not misses


@pytest.mark.parametrize(
    ("header", "kind", "proposed"),
    [
        ("Adm. date (first)", C, "entry_date"),
        ("Date of Brith", C, "date_of_birth"),
        ("SEN Stage", C, "sen"),
        ("Academic Year", C, "nc_year"),
    ],
)
def test_a_doubtful_header_is_only_a_proposal(header: str, kind: Kind, proposed: str) -> None:
    matches = match_header(header, SPECS[kind].weights)
    assert matches and matches[0].field == proposed and not matches[0].confident


@pytest.mark.parametrize(
    "header", ["Previous School", "Parent Surname", "Destination School", "Contact Postcode"]
)
def test_a_column_about_someone_or_somewhere_else_is_not_even_proposed(header: str) -> None:
    assert match_header(header, SPECS[C].weights) == []
