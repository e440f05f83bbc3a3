"""Search text: names fold to index keys, UPNs normalise, "surname, forename" splits."""

from __future__ import annotations

from exclusion_monitor.child_search import ChildSearch, fold_name, parse_search


def test_names_fold_case_accents_and_punctuation() -> None:
    assert fold_name("O'Hallan") == "ohallan"
    assert fold_name("Zoë") == "zoe"
    assert fold_name("de la Cruz") == "delacruz"
    assert fold_name("SMITH-JONES") == "smithjones"
    assert fold_name(None) == ""


def test_text_with_a_digit_is_a_upn_prefix_in_upper_case_without_spaces() -> None:
    assert parse_search(" b801 2000 05 ") == ChildSearch(upn_prefix="B801200005")


def test_one_word_is_a_surname_or_forename_prefix() -> None:
    assert parse_search("Ash") == ChildSearch(names=(("ash", ""), ("", "ash")))


def test_surname_comma_forename() -> None:
    assert parse_search("Ashdown, Al") == ChildSearch(names=(("ashdown", "al"),))
    assert parse_search("Ashdown,") == ChildSearch(names=(("ashdown", ""),))


def test_two_words_are_either_order_or_a_surname_of_two_words() -> None:
    assert set(parse_search("alfie ash").names) == {
        ("ash", "alfie"),
        ("alfie", "ash"),
        ("alfieash", ""),
    }


def test_blank_or_punctuation_only_text_searches_nothing() -> None:
    assert parse_search("   ").is_empty
    assert parse_search("'-").is_empty
    assert parse_search("12-34").is_empty
