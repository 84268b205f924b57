"""The answer model, its JSON form, the row checks and the cell names."""

from __future__ import annotations

import datetime as dt

import pytest

from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking.answers import TaskAnswer


def test_an_answer_round_trips_through_json(tmp_path):
    answer = TaskAnswer(status=an.IN_PROGRESS, percent=40, output="Đã ký hợp đồng", allocated=2_000_000_000, disbursed=500_000_000,
                        difficulties="Chậm giải ngân")
    indicator = TaskAnswer(value=72.5, source="Hệ thống QLVB", measured_on=dt.date(2021, 9, 10))
    assert TaskAnswer.from_dict(answer.as_dict()) == answer
    assert indicator.as_dict() == {"value": 72.5, "source": "Hệ thống QLVB", "measured_on": "2021-09-10"}
    path = tmp_path / "q2.json"
    an.dump_previous(path, "hue-222-2020-tasks", "2021-Q2", {"STTTT": {"PL3.B.1": answer, "PL1.2": indicator}})
    tasks_id, period, loaded = an.load_previous(path)
    assert (tasks_id, period) == ("hue-222-2020-tasks", "2021-Q2")
    assert loaded == {"STTTT": {"PL3.B.1": answer, "PL1.2": indicator}}


def test_next_quarter_carries_everything_but_the_funds_of_the_period():
    answer = TaskAnswer(status=an.DONE, percent=100, output="Xong", allocated=5, disbursed=5)
    carried = answer.carried()
    assert carried.allocated is None and carried.disbursed is None
    assert (carried.status, carried.percent, carried.output) == (an.DONE, 100, "Xong")
    assert carried.cells(an.LEAD)["allocated"] is None and carried.cells(an.LEAD)["output"] == "Xong"
    assert set(carried.cells(an.COOPERATE)) == {"status", "contribution"}


@pytest.mark.parametrize("raw, words", [
    ({"status": "xong"}, "không thuộc danh sách"),
    ({"percent": 120}, "từ 0 đến 100"),
    ({"percent": "50"}, "phải là số"),
    ({"allocated": -1}, "không được âm"),
    ({"allocated": 1.5}, "số nguyên"),
    ({"measured_on": "14/09/2021"}, "NNNN-TT-NN"),
    ({"state": 1}, "trường không có"),
])
def test_a_bad_answer_is_refused_with_where_and_what(raw, words):
    with pytest.raises(an.AnswerError, match=words) as caught:
        TaskAnswer.from_dict(raw, "q2.json: STTTT, PL3.B.1")
    assert "STTTT, PL3.B.1" in str(caught.value)


@pytest.mark.parametrize("values, expected", [
    ({}, "chưa chọn trạng thái"),
    ({"status": "   "}, "chưa chọn trạng thái"),
    ({"status": "xong rồi"}, "trạng thái không thuộc danh sách"),
    ({"status": "Hoàn thành", "percent": 100, "output": "QĐ 12"}, "đủ"),  # text compares ignoring case, as in Excel
    ({"status": an.IN_PROGRESS, "percent": "50"}, an.MSG_PERCENT_TEXT),
    ({"status": an.IN_PROGRESS, "percent": 150}, "% hoàn thành phải từ 0% đến 100%"),
    ({"status": an.DONE, "percent": 90}, "hoàn thành thì % hoàn thành phải là 100%"),
    ({"status": an.DONE}, "hoàn thành thì % hoàn thành phải là 100%"),
    ({"status": an.NOT_STARTED, "percent": 10}, "chưa triển khai thì % hoàn thành phải là 0"),
    ({"status": an.NOT_STARTED}, "đủ"),
    ({"status": an.LATE}, "nhập % hoàn thành"),
    ({"status": an.IN_PROGRESS, "percent": 30, "allocated": "2 tỷ"}, "kinh phí được giao phải là số không âm"),
    ({"status": an.IN_PROGRESS, "percent": 30, "disbursed": -5}, "kinh phí đã giải ngân phải là số không âm"),
    ({"status": an.STOPPED}, "ghi khó khăn, vướng mắc"),
    ({"status": an.DONE, "percent": 100}, "ghi kết quả, sản phẩm"),
    ({"status": an.IN_PROGRESS, "percent": 0}, "đủ"),
])
def test_lead_row_checks(values, expected):
    assert an.check_lead(values) == expected


@pytest.mark.parametrize("values, percent, expected", [
    ({}, True, "chưa nhập giá trị đạt được"),
    ({"value": "80%"}, True, "giá trị phải là số"),
    ({"value": 101}, True, "giá trị phải từ 0% đến 100%"),
    ({"value": 101, "source": "x", "measured_on": dt.date(2021, 9, 1)}, False, "đủ"),
    ({"value": -1}, False, "giá trị không được âm"),
    ({"value": 80}, True, "ghi nguồn số liệu"),
    ({"value": 80, "source": "Cổng DVC"}, True, "ghi ngày của số liệu"),
    ({"value": 80, "source": "Cổng DVC", "measured_on": "14/9"}, True, "ngày của số liệu phải là ngày (ngày/tháng/năm)"),
    ({"value": 80, "source": "Cổng DVC", "measured_on": dt.datetime(2021, 9, 14)}, True, "đủ"),
])
def test_indicator_row_checks(values, percent, expected):
    assert an.check_indicator(values, percent) == expected


@pytest.mark.parametrize("values, expected", [
    ({}, "chưa chọn trạng thái"),
    ({"status": an.NOT_STARTED}, "đủ"),
    ({"status": an.IN_PROGRESS}, "ghi nội dung phối hợp đã thực hiện"),
    ({"status": an.IN_PROGRESS, "contribution": "Cử cán bộ"}, "đủ"),
])
def test_cooperation_row_checks(values, expected):
    assert an.check_cooperate(values) == expected


def test_the_formulas_use_only_excel_2007_functions():
    import re

    from openpyxl.utils import FORMULAE

    cells = {spec.key: f"{chr(68 + n)}5" for n, spec in enumerate(an.LEAD_FIELDS)}
    formulas = [an.lead_formula(cells), an.indicator_formula({"value": "E5", "source": "F5", "measured_on": "G5"}),
                an.indicator_formula({"value": "E5", "source": "F5", "measured_on": "G5"}, percent=False),
                an.cooperate_formula({"status": "D5", "contribution": "E5"})]
    for formula in formulas:
        assert formula.startswith("=IF(") and formula.count("(") == formula.count(")")
        used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', '""', formula)))
        assert used <= set(FORMULAE), used - set(FORMULAE)


def test_cell_names_round_trip():
    for tag in (tn.LEAD_TAG, tn.COOPERATE_TAG):
        for task_id in ("PL1.3", "PL3.A.III.4", "IV.8.1", "PL2.II.6"):
            for spec in an.LEAD_FIELDS + an.INDICATOR_FIELDS + an.COOPERATE_FIELDS:
                name = tn.cell_name(tag, task_id, spec.key)
                assert name == name.lower() and name.replace("_", "").isalnum()
                assert tn.parse_cell_name(name) == (tag, task_id, spec.key)
    assert tn.cell_name(tn.LEAD_TAG, "PL3.A.I.1", "measured_on") == "hdx_tk_pl3_a_i_1_measured_on"
    assert tn.parse_cell_name("hdx_in_5_2_1_a") is None and tn.parse_cell_name(tn.check_name(tn.LEAD_TAG, "PL1.3")) is None
