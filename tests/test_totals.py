"""The new shapes worked by hand (the maintainers' own oracle, independent of the engine and the
workbook): bonus and penalty criteria, the caps of a pillar and of the set, the floor, the index
kept within its bound, and grades on the published index. Figures from the sample set."""

from __future__ import annotations

import pytest

import hue_dx
from hue_dx import totals
from hue_dx.scoring import INVALID, MISSING, OK, score_criterion, score_unit
from hue_dx.totals import Grade

SAMPLE = hue_dx.load_catalog("mau-thu-nghiem-2026")


def points(code, **values):
    result = score_criterion(SAMPLE.criterion(code), values, "so")
    return result.status, result.points, result.applicable_max, result.counted_points


# 1.3.1 bonus: a × 1 (at most 1) + b × 2 (at most 2), at most 3; blanks are 0
@pytest.mark.parametrize("a, b, expected", [(0, 0, 0), (1, 0, 1), (4, 0, 1), (0, 1, 2), (0, 3, 2), (1, 1, 3), (9, 9, 3), (None, None, 0)])
def test_a_bonus_adds_points_per_item_within_its_caps_and_never_enters_the_max(a, b, expected):
    status, got, amax, counted = points("1.3.1", a=a, b=b)
    assert (status, got, amax, counted) == (OK, expected, 0.0, expected)


# 4.2.1 penalty: a × 1, at most 5, subtracted
@pytest.mark.parametrize("a, expected", [(0, 0), (1, -1), (5, -5), (40, -5)])
def test_a_penalty_subtracts_points_per_item_up_to_its_max(a, expected):
    status, got, amax, counted = points("4.2.1", a=a)
    assert (status, got, amax, counted) == (OK, expected, 0.0, expected)


@pytest.mark.parametrize("values, status", [({}, MISSING), ({"a": -2}, INVALID), ({"a": "hai"}, INVALID)])
def test_a_penalty_whose_figures_are_missing_or_wrong_is_charged_in_full(values, status):
    got = points("4.2.1", **values)
    assert got[0] == status and got[1] == -5 and got[3] == -5


# 5.2.1 penalty of two parts: incidents × 2 (at most 4) + late report (Có) × 2
@pytest.mark.parametrize("a, b, expected", [(0, "Không", 0), (1, "Không", -2), (1, "Có", -4), (5, "Không", -4), (5, "Có", -6)])
def test_a_penalty_of_two_parts_caps_each_part(a, b, expected):
    assert points("5.2.1", a=a, b=b)[1] == expected


def full_marks() -> dict:
    """Every scored criterion of the sample set at full marks (so level), no bonus, no penalty."""
    return {"1.1.1": {"a": "Thủ trưởng đơn vị"}, "1.1.2": {"a": 3}, "1.2.1": {"a": "Có"}, "1.2.2": {"a": 100, "b": 2},
            "1.3.1": {"a": 0, "b": 0}, "2.1.1": {"a": 10, "b": 10}, "2.1.2": {"a": 10, "b": 9}, "2.1.3": {"a": "Có", "b": "Có", "c": "Có"},
            "3.1.1": {"a": 10, "b": 0, "c": 10}, "3.1.2": {"a": 4, "b": 4}, "4.1.1": {"a": 100, "b": 80}, "4.1.2": {"a": 50, "b": 50},
            "4.1.3": {"a": "Rất hài lòng"}, "4.2.1": {"a": 0}, "5.1.1": {"a": "Có"}, "5.1.2": {"a": 2}, "5.2.1": {"a": 0, "b": "Không"},
            "6.1.1": {"a": 10, "b": 20}, "6.2.1": {"a": "Không"}}


def test_full_marks_without_bonus_or_penalty_is_an_index_of_one():
    result = score_unit(SAMPLE, full_marks(), "so")
    assert (result.total.points, result.total.applicable_max, result.total.index) == (85, 85, 1)
    assert all(p.index == 1 for p in result.pillars)


def test_a_bonus_above_the_pillars_cap_counts_only_up_to_the_cap_and_the_index_stays_at_most_one():
    inputs = full_marks() | {"1.3.1": {"a": 1, "b": 1}}  # 3 points of bonus, the pillar takes 2
    p1 = score_unit(SAMPLE, inputs, "so").nodes["1"]
    assert (p1.base_points, p1.bonus, p1.points, p1.applicable_max, p1.index) == (20, 2, 22, 20, 1)


def test_a_bonus_makes_up_for_points_lost_elsewhere_in_its_pillar():
    inputs = full_marks() | {"1.1.2": {"a": 1}, "1.3.1": {"a": 0, "b": 1}}  # 2 of 6 on 1.1.2 (−4), a bonus of 2
    p1 = score_unit(SAMPLE, inputs, "so").nodes["1"]
    assert (p1.base_points, p1.bonus, p1.points, p1.index) == (16, 2, 18, 0.9)


def test_a_pillars_penalty_is_capped_and_its_points_never_fall_below_the_floor():
    inputs = full_marks() | {"4.2.1": {"a": 9}}  # −5, the pillar subtracts at most 4
    p4 = score_unit(SAMPLE, inputs, "so").nodes["4"]
    assert (p4.base_points, p4.penalty, p4.points, p4.index) == (20, -4, 16, 0.8)
    nothing = {"5.1.1": {"a": "Không"}, "5.1.2": {"a": 0}, "5.2.1": {"a": 2, "b": "Có"}}  # 0 points, −6 capped at −5
    p5 = score_unit(SAMPLE, full_marks() | nothing, "so").nodes["5"]
    assert (p5.base_points, p5.penalty, p5.points, p5.index) == (0, -5, 0, 0)


def test_the_sets_caps_apply_to_the_pillars_capped_bonuses_and_penalties():
    inputs = full_marks() | {"1.3.1": {"a": 1, "b": 1}, "6.2.1": {"a": "Có"}, "4.2.1": {"a": 9}, "5.2.1": {"a": 3, "b": "Có"}}
    result = score_unit(SAMPLE, inputs, "so")
    assert [result.nodes[c].bonus for c in "16"] == [2, 2] and [result.nodes[c].penalty for c in "45"] == [-4, -5]
    t = result.total
    assert (t.base_points, t.bonus, t.penalty) == (85, 3, -8)  # bonus 4 capped at 3, penalty −9 capped at −8
    assert (t.points, t.applicable_max) == (80, 85) and t.index == pytest.approx(80 / 85, abs=0)


def test_a_blank_workbook_scores_zero_and_is_charged_every_penalty_without_going_below_the_floor():
    result = score_unit(SAMPLE, {}, "xa")
    assert result.total.base_points == 0 and result.total.penalty == -8 and result.total.points == 0 and result.total.index == 0
    assert totals.grade(result.total.index, SAMPLE.totals.grades) == "Yếu"


@pytest.mark.parametrize("index, grade", [
    (1.0, "Xuất sắc"), (0.9, "Xuất sắc"), (0.89995, "Xuất sắc"), (0.8999499, "Tốt"), (17999 / 20000, "Xuất sắc"),
    (0.75, "Tốt"), (0.74994, "Khá"), (0.6, "Khá"), (0.45, "Trung bình"), (0.44995, "Trung bình"), (0.4499, "Yếu"), (0.0, "Yếu"),
    (None, None),
])
def test_grades_are_judged_on_the_index_as_published(index, grade):
    assert totals.grade(index, SAMPLE.totals.grades) == grade


def test_rounding_is_half_away_from_zero_on_the_decimal_as_excel_does():
    assert totals.published(0.59995) == 0.6 and round(0.59995, 4) == 0.5999  # Python's round() would say otherwise
    assert totals.grade(0.59995, SAMPLE.totals.grades) == "Khá"
    assert totals.published(0.12344999) == 0.1234 and totals.published(1 / 3) == 0.3333


def test_an_index_below_every_band_has_no_grade():
    assert totals.grade(0.3, (Grade("Đạt", 0.5), Grade("Tốt", 0.8))) is None
    assert totals.grade(0.85, (Grade("Đạt", 0.5), Grade("Tốt", 0.8))) == "Tốt"


def test_the_2020_plan_adds_up_as_before():
    plan = hue_dx.load_catalog()
    assert plan.totals == totals.Totals() and not plan.with_role("bonus") and not plan.with_role("penalty")
    result = score_unit(plan, {"1.1.1": {"a": 3}, "1.1.2": {"a": 9}}, "so")
    p1 = result.nodes["1"]
    assert (p1.points, p1.bonus, p1.penalty, p1.base) == (8, 0, 0, None)
    assert p1.index == p1.points / p1.applicable_max
