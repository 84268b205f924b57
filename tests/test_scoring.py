"""A unit's result: totals per group, pillar and overall, the applicable max, the index, DataFrames."""

import pytest

from hue_dx import score_unit
from hue_dx.errors import NotFound
from hue_dx.scoring import MISSING, NA


def test_blank_unit_is_all_missing_and_scores_zero_against_the_full_max(catalog):
    result = score_unit(catalog, {}, level="so")
    assert result.total.points == 0
    applicable = sum(c.max for c in catalog.criteria if "so" in c.applies_to)
    assert result.total.applicable_max == applicable
    assert result.total.index == 0
    assert {c.status for c in result.criteria} == {MISSING, NA}


def test_not_applicable_leaves_both_points_and_max_while_missing_keeps_the_max(catalog):
    inputs = {"5.10.1": {"a": 0, "b": 0}, "5.10.2": {}, "5.11.1": {"a": 100, "b": 80}}
    result = score_unit(catalog, inputs, level=None)
    group = result.nodes["5.10"]
    assert group.applicable_max == 8  # 5.10.1 is out (a = 0), 5.10.2 and 5.10.3 are missing but keep their max
    assert group.points == 0
    assert result.nodes["5.11"].points == 5
    assert result.nodes["5.11"].index == 1


def test_index_is_points_over_applicable_max_per_pillar_and_overall(catalog):
    inputs = {c.code: {i.key: ("Có" if i.type == "yesno" else 0 if i.type == "choice" else 10) for i in c.inputs}
              for c in catalog.criteria}
    result = score_unit(catalog, inputs, level="huyen")
    for pillar in result.pillars:
        assert pillar.index == pytest.approx(pillar.points / pillar.applicable_max)
    assert result.total.index == pytest.approx(result.total.points / result.total.applicable_max)
    assert result.total.applicable_max == sum(c.max for c in catalog.criteria if "huyen" in c.applies_to)


def test_an_unknown_level_is_refused(catalog):
    with pytest.raises(NotFound, match="cấp đơn vị"):
        score_unit(catalog, {}, level="xa")


def test_results_convert_to_dataframes(catalog):
    result = score_unit(catalog, {"5.1.1": {"a": 10, "b": 5}, "5.1.2": {}}, level="so")
    frame = result.to_frame()
    assert list(frame.columns[:4]) == ["code", "pillar", "status", "status_vi"]
    assert len(frame) == len(catalog.criteria)
    row = frame.set_index("code").loc["5.1.1"]
    assert (row.points, row.status_vi) == (1.0, "đạt")
    pillars = result.pillars_frame()
    assert list(pillars.code) == ["1", "2", "3", "4", "5", "6", "7", ""]
    assert pillars.iloc[-1]["points"] == result.total.points


def test_status_words_carry_the_reason_for_errors(catalog):
    result = score_unit(catalog, {"5.1.1": {"a": 10, "b": 50}})
    assert result.criterion("5.1.1").status_vi == "lỗi: b lớn hơn a"
