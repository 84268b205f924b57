from hypothesis import given
from hypothesis import strategies as st

from hue_dx.ranking import competition_ranks


def test_tied_units_share_a_rank_and_the_next_is_skipped():
    assert competition_ranks([0.9, 0.8, 0.8, 0.7]) == [1, 2, 2, 4]


def test_ties_are_judged_on_the_published_four_decimals():
    assert competition_ranks([0.75124, 0.75121, 0.7513]) == [2, 2, 1]


def test_a_unit_without_index_has_no_rank():
    assert competition_ranks([None, 0.5, 0.6]) == [None, 2, 1]


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=30))
def test_ranks_are_consistent_with_order(values):
    ranks = competition_ranks(values)
    present = [(round(v, 4), r) for v, r in zip(values, ranks, strict=True) if v is not None]
    for v1, r1 in present:
        assert r1 == 1 + sum(1 for v2, _ in present if v2 > v1)
