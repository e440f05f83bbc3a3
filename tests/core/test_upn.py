from __future__ import annotations

import pytest

from exclusion_monitor.upn import UpnKind, check_letter, check_upn, is_valid_upn, normalise_upn


@pytest.mark.parametrize(
    ("upn", "valid", "kind"),
    [
        ("B801200005001", True, UpnKind.PERMANENT),
        ("A801200005001", False, UpnKind.PERMANENT),
        ("X80120000A001", False, None),
        ("X00180001701A", True, UpnKind.TEMPORARY),
        ("P33020011500I", False, None),
    ],
)
def test_domain_vectors(upn: str, valid: bool, kind: UpnKind | None) -> None:
    result = check_upn(upn)
    assert result.valid is valid
    assert result.kind == kind


def test_check_letter_is_computed_from_weighted_sum() -> None:
    assert check_letter("801200005001") == "B"
    assert check_letter("00180001701A") == "X"


def test_a_bad_check_letter_asks_for_the_whole_upn_never_a_letter_to_change() -> None:
    assert (
        check_upn("A801200005001").problem
        == "the UPN's check letter does not match its digits: please check the whole UPN"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" b801 2000 05001 ", "B801200005001"), ("b801-200-005001", "B801200005001"), (None, "")],
)
def test_normalise_removes_spaces_and_upper_cases(raw: object, expected: str) -> None:
    assert normalise_upn(raw) == expected


def test_lower_case_with_spaces_is_still_valid() -> None:
    assert is_valid_upn("b 801200005001")


@pytest.mark.parametrize(
    ("raw", "problem_start"),
    [
        ("", "the UPN is missing"),
        ("B80120000500", "a UPN has 13 characters, this one has 12"),
        ("I801200005001", "the UPN is not in the right format"),
        ("B8012000050O1", "the UPN is not in the right format"),
    ],
)
def test_problems_are_plain_sentences(raw: str, problem_start: str) -> None:
    problem = check_upn(raw).problem
    assert problem is not None and problem.startswith(problem_start)


def test_every_check_letter_position_matters() -> None:
    body = "801200005001"
    for i in range(len(body) - 1):
        changed = body[:i] + str((int(body[i]) + 1) % 10) + body[i + 1 :]
        assert check_letter(changed) != "B" or not is_valid_upn("B" + changed)
