"""Family keys and grouping: address normalisation, family references, link and unlink."""

from __future__ import annotations

from exclusion_monitor.families import FamilyDecision, family_key, group_families, normalise_address


def test_addresses_typed_differently_give_one_key() -> None:
    assert normalise_address("12, Canal Street.") == normalise_address("12 canal st")
    a = family_key(None, "Flat 2, 4 Mill Lane", "b2 2bb")
    b = family_key("", "FLAT 2 4 MILL LN", "B22BB")
    assert a is not None and a == b and a.basis == "address"
    assert family_key(None, "4 Mill Lane", None) is None
    ref = family_key(" fam-9 ", "4 Mill Lane", "B2 2BB")
    assert ref is not None and (ref.key, ref.basis) == ("ref:FAM-9", "reference")


def test_grouping_with_links_and_unlinks() -> None:
    home = family_key(None, "1 High Road", "B1 1AA")
    other = family_key(None, "8 Low Road", "B8 8AA")
    keys = {1: home, 2: home, 3: home, 4: other, 5: None}
    assert [sorted(g.members) for g in group_families(keys, [])] == [[1, 2, 3]]
    decisions = [FamilyDecision(3, 1, "unlink"), FamilyDecision(5, 4, "link")]
    groups = group_families(keys, decisions)
    assert sorted(sorted(g.members) for g in groups) == [[1, 2], [4, 5]]
    assert {g.basis for g in groups} == {"address"}
    # Two children with no key linked by an officer make a manual family.
    manual = group_families({6: None, 7: None}, [FamilyDecision(6, 7, "link")])
    assert [(sorted(g.members), g.basis) for g in manual] == [([6, 7], "manual")]
