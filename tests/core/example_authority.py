"""A small authority with a story: twelve children, of whom exactly eight are flagged, each for
the reasons the story gives. Used by the worked-example test and the command-line tests."""

from __future__ import annotations

from dataclasses import dataclass

from exclusion_monitor.store import Database
from tests.core.builders import Builder, D, autumn, censuses, make_upn, spring, summer

AS_OF = summer(2024)
YEARS = censuses(2021, 2024)  # autumn 2021 to summer 2024

# Who is flagged, and for what, as of the summer 2024 census.
EXPECTED = {
    "Cara": {"permanent_exclusion"},
    "Dan": {"repeated_suspensions"},
    "Ella": {"primary_exclusion"},
    "Finn": {"high_mobility", "many_secondary_schools"},
    "Gia": {"exit_after_suspension"},
    "Hal": {"missing_from_roll"},
    "Kai": {"statutory_limit"},
    "Lee": {"escalating_exclusion", "repeated_suspensions"},
}
NOT_FLAGGED = ["Aisha", "Ben", "Ivy", "Jay"]


def build(db: Database) -> Example:
    """Build the authority; returns the ids of schools and children, and UPNs, by name."""
    b = Builder(db)
    s = {
        "elm": b.school("Elm Primary", "primary", laestab="3302001", low_age=4, high_age=11),
        "infants": b.school("Birch Infants", "primary", laestab="3302002", low_age=4, high_age=7),
        "juniors": b.school("Birch Juniors", "primary", laestab="3302003", low_age=7, high_age=11),
        "oak": b.school("Oak High", "secondary", laestab="3304001", low_age=11, high_age=16),
        "oak_academy": b.school(
            "Oak High Academy", "secondary", laestab="3304101", low_age=11, high_age=16
        ),
        "ash": b.school("Ash Academy", "secondary", laestab="3304002", low_age=11, high_age=16),
        "beech": b.school("Beech School", "secondary", laestab="3304003", low_age=11, high_age=16),
        "pru": b.school("Hawthorn Centre", "pru_ap", laestab="3301100", low_age=11, high_age=16),
    }
    b.link(s["oak"], s["oak_academy"], "successor")  # Oak High became an academy in 2023
    ids = dict(s)

    # Aisha: Year 6 at Elm, Year 7 at Oak High, which converted: no move, no flag.
    ids["Aisha"] = b.child("Aisha", "Ashworth", born=D(2011, 3, 1))
    b.on_roll(ids["Aisha"], s["elm"], censuses(2021, 2022), "6")
    b.enrolment(ids["Aisha"], s["oak"], D(2022, 9, 5), D(2023, 8, 31))
    b.on_roll(ids["Aisha"], s["oak"], censuses(2022, 2023), "7")
    b.on_roll(ids["Aisha"], s["oak_academy"], censuses(2023, 2024), "8")
    # Ben: infant school to junior school in September: a standard transition.
    ids["Ben"] = b.child("Ben", "Birchall", born=D(2014, 3, 1), sex="M")
    b.on_roll(ids["Ben"], s["infants"], censuses(2021, 2022), "2")
    b.on_roll(ids["Ben"], s["juniors"], censuses(2022, 2024), "3", entry=D(2022, 9, 6))
    # Cara: permanently excluded from Ash in February 2024, then placed at Hawthorn Centre.
    ids["Cara"] = b.child("Cara", "Calloway", born=D(2009, 3, 1))
    b.on_roll(ids["Cara"], s["ash"], [d for d in YEARS if d <= spring(2024)], "8")
    b.exclusion(ids["Cara"], s["ash"], D(2024, 2, 20), "PERM", 0, ("PA",))
    b.on_roll(ids["Cara"], s["pru"], [summer(2024)], "10", entry=D(2024, 3, 4))
    # Dan and Ella, brother and sister at 12 Canal Street: one suspension a term for Dan,
    # one suspension for Ella in Year 3.
    ids["Dan"] = b.child("Dan", "Dunmore", born=D(2010, 3, 1), sex="M")
    b.on_roll(ids["Dan"], s["beech"], YEARS, "7", address="12 Canal Street", postcode="B5 5EE")
    for day in (D(2023, 10, 9), D(2024, 1, 22), D(2024, 4, 29)):
        b.exclusion(ids["Dan"], s["beech"], day, sessions=2)
    ids["Ella"] = b.child("Ella", "Dunmore", born=D(2016, 3, 1))
    b.on_roll(ids["Ella"], s["elm"], YEARS, "1", address="12 Canal St.", postcode="b55ee")
    b.exclusion(ids["Ella"], s["elm"], D(2024, 3, 12), sessions=1, reasons=("PA",))
    # Finn: Oak, then Ash in January 2023, then Beech in January 2024.
    ids["Finn"] = b.child("Finn", "Fenwick", born=D(2010, 3, 1), sex="M")
    b.on_roll(ids["Finn"], s["oak"], [d for d in YEARS if d <= autumn(2022)], "7")
    b.on_roll(ids["Finn"], s["ash"], [spring(2023), summer(2023), autumn(2023)], "8")
    b.on_roll(ids["Finn"], s["beech"], [spring(2024), summer(2024)], "9")
    # Gia: suspended at Ash in November 2023, left Ash in January 2024 for Beech.
    ids["Gia"] = b.child("Gia", "Garside", born=D(2010, 3, 1))
    b.enrolment(ids["Gia"], s["ash"], D(2021, 9, 2), D(2024, 1, 12))
    b.on_roll(ids["Gia"], s["ash"], [d for d in YEARS if d <= autumn(2023)], "7")
    b.exclusion(ids["Gia"], s["ash"], D(2023, 11, 20), sessions=6)
    b.enrolment(ids["Gia"], s["beech"], D(2024, 1, 15))
    b.on_roll(ids["Gia"], s["beech"], [spring(2024), summer(2024)], "9")
    # Hal: on Oak High Academy's roll in January 2024, on no roll in May, aged 14.
    ids["Hal"] = b.child("Hal", "Holloway", born=D(2010, 3, 1), sex="M")
    b.on_roll(ids["Hal"], s["oak"], [d for d in YEARS if d < D(2023, 8, 1)], "7")
    b.on_roll(ids["Hal"], s["oak_academy"], [autumn(2023), spring(2024)], "9")
    # Ivy: left Beech after Year 11 in 2023: past compulsory school age, not missing.
    ids["Ivy"] = b.child("Ivy", "Ingram", born=D(2007, 3, 1))
    b.on_roll(ids["Ivy"], s["beech"], censuses(2021, 2023), "10")
    # Jay: a temporary UPN in Reception, then a permanent one.
    temporary = make_upn(temporary=True)
    ids["Jay"] = b.child("Jay", "Jessop", born=D(2017, 3, 1), sex="M", former=[temporary])
    b.on_roll(ids["Jay"], s["elm"], YEARS, "R")
    # Kai: one suspension of 32 sessions in the spring term: over the 30 a term.
    ids["Kai"] = b.child("Kai", "Kendrick", born=D(2010, 3, 1))
    b.on_roll(ids["Kai"], s["ash"], YEARS, "7")
    b.exclusion(ids["Kai"], s["ash"], D(2024, 2, 5), sessions=32, reasons=("PA", "VA"))
    # Lee: suspensions at Oak High Academy rising from 1 a term to 2.
    ids["Lee"] = b.child("Lee", "Lomax", born=D(2010, 3, 1), sex="M")
    b.on_roll(ids["Lee"], s["oak"], [d for d in YEARS if d < D(2023, 8, 1)], "7")
    b.on_roll(ids["Lee"], s["oak_academy"], [d for d in YEARS if d > D(2023, 8, 1)], "9")
    for day in (D(2023, 10, 2), D(2024, 1, 22), D(2024, 4, 22), D(2024, 5, 7)):
        b.exclusion(ids["Lee"], s["oak_academy"], day)
    upns = {name: b.upn_of(ids[name]) for name in [*EXPECTED, *NOT_FLAGGED]}
    return Example(ids, upns, temporary)


@dataclass(frozen=True)
class Example:
    ids: dict[str, int]
    upns: dict[str, str]
    jay_temporary_upn: str
