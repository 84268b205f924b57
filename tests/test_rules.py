"""Every rule kind on the plan's own criteria and numbers, and each policy (blank, zero, inconsistent)."""

import pytest

from hue_dx import rules
from hue_dx.catalog import available, load
from hue_dx.scoring import INVALID, MISSING, NA, OK, score_criterion


def score(catalog, code, level=None, **values):
    return score_criterion(catalog.criterion(code), values, level)


def points(catalog, code, **values):
    result = score(catalog, code, **values)
    assert result.status == OK, (code, result)
    return result.points


def test_every_rule_kind_is_used_by_a_shipped_catalog_and_every_criterion_uses_a_registered_kind(catalog):
    used = {c.kind for ref in available() for c in load(ref).criteria}
    assert used == set(rules.KINDS)
    assert {c.kind for c in catalog.criteria} <= set(rules.KINDS)


# --- per_item: 01 điểm/hội thảo, tối đa 05; two-part caps (1.2.2, 1.2.4, 2.3.8, 2.4.3)
@pytest.mark.parametrize("a, expected", [(0, 0), (1, 1), (3, 3), (5, 5), (9, 5)])
def test_1_1_1_one_point_per_event_up_to_five(catalog, a, expected):
    assert points(catalog, "1.1.1", a=a) == expected


@pytest.mark.parametrize(
    "a, b, expected",
    [(0, 0, 0), (2, 0, 2), (0, 3, 1), (0, 2, 2 / 3), (2, 3, 3), (3, 3, 3), (1, 1, 1 + 1 / 3)],
)
def test_1_2_2_chairman_and_vice_chairman_meetings_capped_at_three(catalog, a, b, expected):
    assert points(catalog, "1.2.2", a=a, b=b) == pytest.approx(expected)


def test_1_2_2_blank_vice_chairman_count_is_zero_because_it_is_optional(catalog):
    assert points(catalog, "1.2.2", a=2) == 2


@pytest.mark.parametrize("a, b, expected", [(8, 8, 6), (2, 3, 1.75), (10, 0, 4), (0, 12, 2)])
def test_2_3_8_priority_fields_half_point_other_fields_quarter_point(catalog, a, b, expected):
    assert points(catalog, "2.3.8", a=a, b=b) == pytest.approx(expected)


@pytest.mark.parametrize("a, b, expected", [("Có", 0, 2), ("Không", 1, 0.5), ("Không", 5, 1), (True, 5, 2), ("Không", None, 0)])
def test_2_4_3_dedicated_unit_or_half_point_per_person(catalog, a, b, expected):
    assert points(catalog, "2.4.3", a=a, b=b) == expected


def test_2_3_9_quarter_point_per_document_up_to_one(catalog):
    assert points(catalog, "2.3.9", a=3) == 0.75
    assert points(catalog, "2.3.9", a=7) == 1


# --- choice with fractions of the max
@pytest.mark.parametrize(
    "code, choice, expected",
    [
        ("1.2.1", "Thủ trưởng đơn vị", 3),
        ("1.2.1", "Cấp phó của lãnh đạo đơn vị", 1),
        ("1.2.1", "Không phải lãnh đạo đơn vị hoặc chưa có quyết định", 0),
        ("1.2.3.1", "Có nhưng chưa triển khai", 1),
        ("1.3.1", "Có Nghị quyết có đề cập nội dung chuyển đổi số", 1),
        ("1.3.2", "Có văn bản có đề cập nội dung chuyển đổi số", 2 / 3),
    ],
)
def test_choice_gives_the_fraction_of_the_max_the_plan_prints(catalog, code, choice, expected):
    assert points(catalog, code, a=choice) == pytest.approx(expected)


def test_choice_matching_ignores_case_and_spacing_but_not_other_words(catalog):
    assert points(catalog, "1.2.1", a="  thủ trưởng ĐƠN VỊ ") == 3
    for other in ("Giám đốc", 0, 1.0):
        bad = score(catalog, "1.2.1", a=other)
        assert bad.status == INVALID and bad.reason == "a không thuộc các lựa chọn"


# --- yes/no and checklist
@pytest.mark.parametrize("value, expected", [("Có", 2), ("không", 0), (" Có ", 2), (True, 2), (False, 0)])
def test_yes_no(catalog, value, expected):
    assert points(catalog, "2.1.1", a=value) == expected


@pytest.mark.parametrize("value", [1, 0, "x", "có rồi"])
def test_yes_no_accepts_only_what_the_workbook_list_offers(catalog, value):
    assert score(catalog, "2.1.1", a=value).reason == "a phải là Có hoặc Không"


def test_2_3_4_share_of_the_four_data_policy_contents(catalog):
    assert points(catalog, "2.3.4", a="Có", b="Có", c="Không", d="Không") == 1
    assert points(catalog, "2.3.4", a="Có", b="Có", c="Có", d="Có") == 2
    assert score(catalog, "2.3.4", a="Có", b="Có").status == MISSING


# --- proportional, threshold, step
def test_proportional_is_ratio_times_max(catalog):
    assert points(catalog, "5.1.1", a=200, b=150) == 1.5
    assert points(catalog, "6.2.1", a=8, b=8) == 4


@pytest.mark.parametrize("a, b, expected", [(90, 100, 1.8), (100, 100, 2), (130, 100, 2), (0, 10, 0)])
def test_3_1_1_computers_per_civil_servant_read_right_side_up(catalog, a, b, expected):
    # a = computers, b = staff: the plan's "b/a" is upside down; hue-dx uses a/b, capped at 100%.
    assert points(catalog, "3.1.1", a=a, b=b) == pytest.approx(expected)


def test_3_1_1_no_staff_is_not_applicable(catalog):
    assert score(catalog, "3.1.1", a=5, b=0).status == NA


@pytest.mark.parametrize("b, expected", [(10_000_000, 2), (5_000_000, 1), (20_000_000, 2), (0, 0)])
def test_2_5_1_it_spending_threshold_one_percent(catalog, b, expected):
    assert points(catalog, "2.5.1", a=1_000_000_000, b=b) == pytest.approx(expected)


@pytest.mark.parametrize("b, expected", [(49, 2 * 0.49 / 0.5), (50, 2), (80, 2)])
def test_5_7_1_inspections_threshold_fifty_percent(catalog, b, expected):
    assert points(catalog, "5.7.1", a=100, b=b) == pytest.approx(expected)


@pytest.mark.parametrize("a, b, expected", [(10000, 499, 0), (10000, 500, 2), (10000, 501, 2)])
def test_5_12_2_step_at_five_percent(catalog, a, b, expected):
    assert points(catalog, "5.12.2", a=a, b=b) == expected


def test_5_12_3_step_at_twenty_percent(catalog):
    assert points(catalog, "5.12.3", a=100, b=19) == 0
    assert points(catalog, "5.12.3", a=100, b=20) == 2


def test_4_2_8_above_the_national_average_is_capped_not_an_error(catalog):
    assert points(catalog, "4.2.8", a=1000.5, b=2500) == 3
    assert points(catalog, "4.2.8", a=1000, b=500) == 1.5


def test_5_13_3_visits_per_inhabitant_capped_at_one(catalog):
    assert points(catalog, "5.13.3", a=1_000_000, b=2_500_000) == 2
    assert points(catalog, "5.13.3", a=1_000_000, b=250_000) == 0.5


# --- rates per person (7.2.2, 7.2.3)
@pytest.mark.parametrize("a, b, expected", [(10, 15, 1), (10, 30, 2), (10, 45, 2), (10, 0, 0)])
def test_7_2_2_trainings_per_it_officer_against_three(catalog, a, b, expected):
    assert points(catalog, "7.2.2", a=a, b=b) == pytest.approx(expected)


@pytest.mark.parametrize("a, b, expected", [(10, 10, 1), (10, 20, 2), (4, 2, 0.5)])
def test_7_2_3_uses_divided_by_two_not_the_misprinted_formula(catalog, a, b, expected):
    assert points(catalog, "7.2.3", a=a, b=b) == pytest.approx(expected)


# --- weighted shares: paper + electronic (5.2.x), DVCTT (5.8), four layers (6.1.1)
@pytest.mark.parametrize("a, b, c, expected", [(100, 20, 70, 1.6), (100, 0, 100, 2), (100, 100, 0, 1), (100, 0, 0, 0)])
def test_5_2_1_paper_and_electronic_documents(catalog, a, b, c, expected):
    assert points(catalog, "5.2.1", a=a, b=b, c=c) == pytest.approx(expected)


def test_5_2_1_parts_larger_than_the_whole_are_an_error_not_capped(catalog):
    result = score(catalog, "5.2.1", a=100, b=40, c=70)
    assert result.status == INVALID
    assert result.reason == "b + c lớn hơn a"


@pytest.mark.parametrize("a, b, c, expected", [(100, 15, 80, 10), (100, 30, 50, 6.5), (100, 10, 79, 0.5 + 7.9), (200, 0, 160, 10)])
def test_5_8_2_level_four_from_eighty_percent_gives_full_marks(catalog, a, b, c, expected):
    assert points(catalog, "5.8.2", a=a, b=b, c=c) == pytest.approx(expected)


def test_6_1_1_four_layers_weighted(catalog):
    assert points(catalog, "6.1.1", a=10, b=2, c=4, d=2, e=2) == pytest.approx(6 * 0.48)
    assert points(catalog, "6.1.1", a=10, b=10) == 6
    assert points(catalog, "6.1.1", a=10, b=0, c=0, d=0, e=10) == pytest.approx(0.6)
    assert score(catalog, "6.1.1", a=10, b=5, c=5, d=1).reason == "b + c + d + e lớn hơn a"


# --- 5.9: x = (b + d) / (a + c), threshold 70%
def test_5_9_2_online_dossiers_pooled_over_levels_three_and_four(catalog):
    assert points(catalog, "5.9.2", a=50, b=20, c=50, d=30) == pytest.approx(0.5 / 0.7 * 10)
    assert points(catalog, "5.9.2", a=50, b=35, c=50, d=35) == 10
    assert score(catalog, "5.9.2", a=10, b=11, c=50, d=0).reason == "b lớn hơn a"
    assert score(catalog, "5.9.2", a=10, b=1, c=5, d=6).reason == "d lớn hơn c"


def test_5_9_2_no_online_service_scores_zero_as_the_catalog_says(catalog):
    result = score(catalog, "5.9.2", a=0, b=0, c=0, d=0)
    assert (result.status, result.points) == (OK, 0)


# --- policies
def test_zero_denominator_is_not_applicable_by_default(catalog):
    result = score(catalog, "5.10.1", a=0, b=0)
    assert result.status == NA and result.applicable_max == 0
    assert "a = 0" in result.reason


def test_numerator_above_denominator_is_invalid_with_a_reason(catalog):
    result = score(catalog, "5.1.1", a=100, b=120)
    assert result.status == INVALID
    assert result.reason == "b lớn hơn a"
    assert result.applicable_max == 2


def test_blank_required_input_is_missing_never_zero(catalog):
    result = score(catalog, "5.1.1", a=100)
    assert result.status == MISSING and result.points is None
    assert result.status_vi == "thiếu số liệu: b"
    assert score(catalog, "5.1.1", a="", b="  ").status_vi == "thiếu số liệu: a, b"


@pytest.mark.parametrize(
    "value, reason",
    [(-3, "b là số âm"), (2.5, "b phải là số nguyên"), ("mười", "b không phải là số"), (True, "b không phải là số"),
     (float("inf"), "b không phải là số"), ("150", "b không phải là số")],
)
def test_bad_values_make_the_criterion_invalid_with_the_input_named(catalog, value, reason):
    result = score(catalog, "5.1.1", a=100, b=value)
    assert result.status == INVALID
    assert result.status_vi == "lỗi: " + reason


def test_the_first_bad_input_in_order_is_the_reason(catalog):
    assert score(catalog, "5.2.1", a=-1, b="x", c=None).reason == "a là số âm"
    assert score(catalog, "5.2.1", a=None, b="x", c=None).reason == "b không phải là số"


def test_amounts_may_have_decimals(catalog):
    assert points(catalog, "2.5.2", a=1000.5, b=100.05) == pytest.approx(2)


def test_a_criterion_outside_the_unit_level_is_not_applicable(catalog):
    result = score(catalog, "5.10.3", level="so", a=10, b=5)
    assert result.status == NA and result.applicable_max == 0
    assert score(catalog, "5.10.3", level="huyen", a=10, b=6).points == 4


def test_every_kind_describes_itself_in_vietnamese_and_gives_a_scorable_example(catalog):
    for c in catalog.criteria:
        text = c.describe()
        assert "điểm" in text.lower(), c.code
        example = c.rule.example(c.params, [i.key for i in c.inputs])
        outcome = c.rule.score(c.params, {i.key: example.get(i.key, 0.0) for i in c.inputs}, c.max)
        assert outcome.status == OK and 0 <= outcome.points <= c.max, c.code
