"""The demo authority's records: deterministic, ageing cohorts, valid UPNs, conversions, moves."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from exclusion_monitor.terms import Season, Term, term_of
from exclusion_monitor.upn import UpnKind, check_upn
from imports.demo import DemoAuthority, census_rows, generate_authority

PUPILS = 1_500


@pytest.fixture(scope="module")
def authority() -> DemoAuthority:
    return generate_authority(PUPILS, seed=7)


def test_same_seed_gives_identical_records(authority: DemoAuthority) -> None:
    again = generate_authority(PUPILS, seed=7)
    assert again == authority


def test_different_seeds_differ(authority: DemoAuthority) -> None:
    other = generate_authority(PUPILS, seed=8)
    assert other.pupils[:50] != authority.pupils[:50]
    assert other.exclusions != authority.exclusions


def test_three_censuses_a_year_for_seven_years_on_the_right_days(
    authority: DemoAuthority,
) -> None:
    dates = authority.census_dates
    assert len(dates) == 21
    assert dates[0] == dt.date(2019, 10, 3)  # first Thursday of October
    assert dates[1] == dt.date(2020, 1, 16)  # third Thursday of January
    assert dates[2] == dt.date(2020, 5, 21)  # third Thursday of May
    assert all(day.weekday() == 3 for day in dates)


def test_roll_is_about_the_requested_size_and_schools_realistic(
    authority: DemoAuthority,
) -> None:
    rows = census_rows(authority)
    for day in authority.census_dates:
        assert 0.85 * PUPILS < len(rows[day]) < 1.15 * PUPILS
    kinds = Counter(s.kind for s in authority.schools if s.close_date is None)
    assert kinds["secondary"] >= 6
    assert kinds["primary"] + kinds["infant"] + kinds["junior"] >= 10
    assert kinds["special"] >= 1 and kinds["pru"] >= 1
    assert all(len(s.laestab) == 7 and s.laestab.startswith("335") for s in authority.schools)
    assert len({s.urn for s in authority.schools}) == len(authority.schools)


def test_cohorts_age_a_year_each_autumn_and_match_dates_of_birth(
    authority: DemoAuthority,
) -> None:
    rows = census_rows(authority)
    years: dict[int, dict[int, int]] = defaultdict(dict)
    for day, day_rows in rows.items():
        for row in day_rows:
            years[row.pupil.pid][term_of(day).year] = row.nc_year
            born = row.pupil.date_of_birth
            start = term_of(day).year - row.nc_year - 5  # Reception: born Sep y-5 .. Aug y-4
            assert dt.date(start, 9, 1) <= born <= dt.date(start + 1, 8, 31)
            assert 0 <= row.nc_year <= 11
    for by_year in years.values():
        for year, nc_year in by_year.items():
            if year + 1 in by_year:
                assert by_year[year + 1] == nc_year + 1


def test_every_upn_is_valid_and_temporary_ones_are_replaced(authority: DemoAuthority) -> None:
    assert all(check_upn(p.upn).kind is UpnKind.PERMANENT for p in authority.pupils)
    upns = [p.upn for p in authority.pupils]
    assert len(set(upns)) == len(upns)
    temporary = [p for p in authority.pupils if p.temporary_upn]
    assert temporary
    for pupil in temporary:
        assert check_upn(pupil.temporary_upn).kind is UpnKind.TEMPORARY
        assert pupil.upn_from is not None
        before = pupil.upn_from - dt.timedelta(days=1)
        assert pupil.upn_on(before) == (pupil.temporary_upn, "")
        assert pupil.upn_on(pupil.upn_from) == (pupil.upn, pupil.temporary_upn)


def test_academy_conversion_carries_pupils_over(authority: DemoAuthority) -> None:
    successors = [link for link in authority.links if link.link_type == "Successor"]
    assert successors
    by_urn = {s.urn: s for s in authority.schools}
    for link in successors:
        old, new = by_urn[link.urn], by_urn[link.link_urn]
        assert old.close_date == link.established - dt.timedelta(days=1)
        assert new.open_date == link.established
        assert (new.urn, old.urn, "Predecessor") in {
            (x.urn, x.link_urn, x.link_type) for x in authority.links
        }
        carried = [
            r
            for r in authority.registrations
            if r.laestab == old.laestab and r.leaving_reason == "Academy conversion"
        ]
        assert carried
        continuing = {
            r.pid for r in authority.registrations if r.laestab == new.laestab
            and r.entry_date == link.established
        }  # fmt: skip
        assert {r.pid for r in carried} <= continuing


def test_standard_transitions_and_non_standard_moves(authority: DemoAuthority) -> None:
    reasons = Counter(r.leaving_reason for r in authority.registrations)
    assert reasons["Transferred to secondary school"] > 0
    assert reasons["Transferred to junior school"] > 0
    moves = Counter(
        term_of(r.leaving_date).index
        for r in authority.registrations
        if r.leaving_reason == "Transferred to another school" and r.leaving_date
    )
    rows = census_rows(authority)
    terms = [Term(y, s) for y in range(2019, 2025) for s in Season]
    share = sum(moves[t.index] for t in terms) / sum(
        len(rows[day]) for day in authority.census_dates[: len(terms)]
    )
    assert 0.01 < share < 0.025  # about 1.5 to 2 per cent of pupils a term


def test_siblings_share_an_address_and_family_reference(authority: DemoAuthority) -> None:
    households: dict[int, list[str]] = defaultdict(list)
    for pupil in authority.pupils:
        households[pupil.household].append(f"{pupil.address}|{pupil.postcode}|{pupil.family_ref}")
    families = [h for h in households.values() if len(h) > 1]
    assert len(families) > PUPILS * 0.1
    assert all(len(set(h)) == 1 for h in families)


def test_exclusions_have_codes_sessions_and_school_days(authority: DemoAuthority) -> None:
    categories = Counter(e.category for e in authority.exclusions)
    assert categories["SUSP"] > categories["LNCH"] > 0
    assert categories["PERM"] > 0
    for exclusion in authority.exclusions:
        assert exclusion.start_date.weekday() < 5
        assert 1 <= len(exclusion.reasons) <= 3
        assert (exclusion.sessions is None) == (exclusion.category == "PERM")
        assert exclusion.end_date >= exclusion.start_date
    suspended = Counter(e.pid for e in authority.exclusions if e.category == "SUSP")
    assert max(suspended.values()) >= 8  # a heavy tail of repeat suspensions
