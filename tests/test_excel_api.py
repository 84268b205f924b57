"""The add-in's worksheet functions, called the way Excel calls them, against the engine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hue_dx
from hue_dx import excel_api as api
from hue_dx.scoring import OK, score_criterion

CATALOG = hue_dx.load_catalog()


def excel_values(c, values):
    """What Excel passes for these inputs: numbers as float, blanks as None."""
    out = []
    for i in c.inputs:
        v = values.get(i.key)
        out.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
    return out


def typed(c):
    example = c.rule.example(c.params, [i.key for i in c.inputs])
    values = {}
    for i in c.inputs:
        v = example.get(i.key, 0.0)
        values[i.key] = i.choices[int(v)] if i.type == "choice" else ("Có" if v >= 1 else "Không") if i.type == "yesno" else v
    return values


@pytest.mark.parametrize("c", CATALOG.criteria, ids=lambda c: c.code)
def test_score_and_status_equal_the_engine_for_every_criterion(c):
    values = typed(c)
    expected = score_criterion(c, values)
    args = excel_values(c, values)
    assert api.HUEDX_SCORE(c.code, *args) == (expected.points if expected.status == OK else "")
    assert api.HUEDX_STATUS(c.code, *args) == expected.status_vi
    # the same inputs as one column (1-D list) or one block (2-D list)
    assert api.HUEDX_SCORE(c.code, args) == api.HUEDX_SCORE(c.code, *args)
    assert api.HUEDX_STATUS(c.code, [[v] for v in args]) == expected.status_vi


def test_blank_cells_arrive_as_none_and_give_missing_data():
    assert api.HUEDX_SCORE("5.1.1", 200.0, None) == ""
    assert api.HUEDX_STATUS("5.1.1", 200.0, None) == "thiếu số liệu: b"
    assert api.HUEDX_STATUS("5.1.1") == "thiếu số liệu: a, b"


def test_text_is_never_a_number_as_in_the_workbook():
    # One number everywhere: the workbook's formulas refuse text in a numeric cell, so do the functions.
    assert api.HUEDX_STATUS("5.1.1", "200", " 150 ") == "lỗi: a không phải là số"
    assert api.HUEDX_SCORE("5.1.1", "200", 150.0) == ""
    assert api.HUEDX_SCORE("5.1.1", 200.0, 150.0) == 1.5
    assert api.HUEDX_STATUS("5.1.1", "hai trăm", 5.0) == "lỗi: a không phải là số"
    assert api.HUEDX_STATUS("5.1.1", "#N/A", 5.0) == "lỗi: a không phải là số"  # an error value as xlwings may pass it
    assert api.HUEDX_STATUS("5.1.1", 1e15, 5.0) == "lỗi: a lớn hơn mức hợp lý 100.000"
    assert api.HUEDX_STATUS("5.1.1", True, 5.0) == "lỗi: a không phải là số"


def test_yes_no_and_choices_as_typed_in_cells():
    assert api.HUEDX_SCORE("2.1.1", "Có") == 2 and api.HUEDX_SCORE("2.1.1", "không") == 0
    assert api.HUEDX_SCORE("1.2.1", "Cấp phó của lãnh đạo đơn vị") == 1
    assert api.HUEDX_STATUS("1.2.1", "Giám đốc") == "lỗi: a không thuộc các lựa chọn"


def test_codes_typed_as_numbers_and_unknown_codes():
    assert api.HUEDX_MAX(5.1) == 2  # "5.1" typed without quotes arrives as 5.1
    assert api.HUEDX_MAX("5") == 83 and api.HUEDX_MAX("5.8.2") == 10
    assert api.HUEDX_TITLE("3.1") == "Trang bị máy tính để bàn cho CBCC"
    assert api.HUEDX_SCORE("9.9.9", 1.0).startswith("#HUEDX: không có tiêu chí '9.9.9'")
    assert api.HUEDX_SCORE("5.1.1", 1.0, 2.0, 3.0).startswith("#HUEDX: 5.1.1 cần 2 số liệu")
    assert api.HUEDX_MAX(None).startswith("#HUEDX: thiếu mã tiêu chí")


def test_words_labels_and_rules():
    assert api.HUEDX_LABEL("5.2.1", "c").startswith("Tổng số văn bản đi")
    assert api.HUEDX_RULE("5.12.2") == CATALOG.criterion("5.12.2").describe()
    assert api.HUEDX_CATALOG().startswith("hue-222-2020 1.0.0 (Kế hoạch số 222/KH-UBND")


def test_totals_index_and_ranks_over_ranges():
    column = [2.0, None, "", "lỗi", 1.5]
    assert api.HUEDX_TOTAL(column) == 3.5
    assert api.HUEDX_TOTAL([[2.0, 1.0], [None, 0.5]]) == 3.5
    assert api.HUEDX_INDEX([1.0, 2.0], [2.0, 4.0]) == 0.5
    assert api.HUEDX_INDEX([1.0], [0.0, None]) == ""
    values = [0.9, 0.8, 0.8, 0.7]
    assert [api.HUEDX_RANK(v, values) for v in values] == [1, 2, 2, 4]
    assert api.HUEDX_RANK(None, values) == ""


def test_pillar_max_per_level_is_the_applicable_max():
    for level in CATALOG.levels:
        for p in CATALOG.pillars:
            expected = sum(c.max for c in CATALOG.criteria_under(p.code) if level in c.applies_to)
            assert api.HUEDX_PILLAR_MAX(float(p.code), level) == expected
        assert api.HUEDX_PILLAR_MAX("", level) == sum(c.max for c in CATALOG.criteria if level in c.applies_to)
    assert api.HUEDX_PILLAR_MAX(1.0, "xa").startswith("#HUEDX: cấp 'xa'")


excel_value = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.booleans(),
                        st.lists(st.one_of(st.none(), st.floats(-5, 5)), max_size=3))


@given(st.sampled_from(sorted(api.REGISTRY)), st.lists(excel_value, max_size=6))
def test_no_function_ever_raises_whatever_excel_passes(name, args):
    fn = api.REGISTRY[name]
    result = fn.call(*args) if any(a.startswith("*") for a in fn.args) or len(args) == len(fn.args) else fn.call(*args[: len(fn.args)])
    assert result is None or isinstance(result, (int, float, str))


def test_every_function_is_registered_with_help_and_an_example():
    assert set(api.REGISTRY) == {n for n in dir(api) if n.startswith(api.PREFIX)}
    for f in api.REGISTRY.values():
        assert f.help and f.example.startswith(f"={f.name}(")


def test_a_criterion_of_another_set_is_scored_by_that_set():
    """The UDF variant of a workbook of another criteria set names the set with each code, so the
    add-in scores by the workbook's own criteria (found when the second set landed)."""
    sample = hue_dx.load_catalog("mau-thu-nghiem-2026")
    c = next(c for c in sample.criteria if c.kind == "proportional" and c.applies("so"))
    values = {i.key: v for i, v in zip(c.inputs, (10, 4, 3, 2), strict=False)}
    expected = score_criterion(c, values, "so").points
    got = api.HUEDX_SCORE(f"{sample.id}:{c.code}", *values.values())
    assert got == expected
    assert api.HUEDX_TITLE(f"{sample.id}:{c.code}") == c.title and api.HUEDX_MAX(f"{sample.id}:{c.code}") == c.max
