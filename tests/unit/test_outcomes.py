"""How a requirement's outcome follows from the outcomes of the checks covering it."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.outcomes import Outcome, aggregate, meets

P, F, C, NA, U = (Outcome.PASSED, Outcome.FAILED, Outcome.CANT_TELL, Outcome.INAPPLICABLE,
                  Outcome.UNTESTED)
# Most serious first: the order the harness promises.
SERIOUSNESS = [F, C, P, NA]


def test_no_checks_means_untested() -> None:
    assert aggregate([]) is U


@pytest.mark.parametrize("outcome", [P, F, C, NA])
def test_a_single_outcome_is_kept(outcome: Outcome) -> None:
    assert aggregate([outcome]) is outcome
    assert aggregate([outcome, outcome, outcome]) is outcome


@pytest.mark.parametrize(
    ("serious", "lesser"),
    list(combinations(SERIOUSNESS, 2)),
    ids=lambda o: str(o),
)
def test_more_serious_outcome_wins(serious: Outcome, lesser: Outcome) -> None:
    assert aggregate([serious, lesser]) is serious
    assert aggregate([lesser, serious]) is serious


def test_untested_check_does_not_hide_a_result() -> None:
    # A check that did not run says nothing; the others decide.
    assert aggregate([U, P]) is P
    assert aggregate([U, F]) is F
    assert aggregate([U, U]) is U


def test_all_four_together_fail() -> None:
    assert aggregate([NA, P, C, F]) is F
    assert aggregate([NA, P, C]) is C
    assert aggregate([NA, P]) is P


def test_aggregate_accepts_a_generator() -> None:
    assert aggregate(o for o in [P, C]) is C


def test_meets() -> None:
    assert meets(P)
    assert meets(NA)
    assert not meets(F)
    assert not meets(C)
    assert not meets(U)


@settings(database=None, max_examples=200)
@given(st.lists(st.sampled_from(list(Outcome)), max_size=8), st.randoms(use_true_random=False))
def test_aggregate_is_order_independent_and_picks_an_input(
    outcomes: list[Outcome], rnd: object
) -> None:
    shuffled = list(outcomes)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    result = aggregate(outcomes)
    assert aggregate(shuffled) is result
    if outcomes:
        assert result in outcomes
    else:
        assert result is U
    # Adding a failure always fails; adding a pass never makes a failure pass.
    assert aggregate([*outcomes, F]) is F
    if result is F:
        assert aggregate([*outcomes, P]) is F
