"""Reporting periods: data cut-off after Điều 12 Nghị định 09/2019/NĐ-CP, deadlines by campaign rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hue_dx.tracking.periods import (
    DeadlineRule,
    PeriodError,
    Quarter,
    Schedule,
    add_working_days,
    of_date,
    quarters,
)

D = dt.date


def test_the_quarterly_cut_off_runs_from_the_15th_of_the_month_before_to_the_14th_of_the_last_month():
    q1, q2, q3, q4 = quarters(2021)
    assert (q1.cutoff_start, q1.cutoff_end) == (D(2020, 12, 15), D(2021, 3, 14))  # Q1 starts in the previous year
    assert (q2.cutoff_start, q2.cutoff_end) == (D(2021, 3, 15), D(2021, 6, 14))
    assert (q3.cutoff_start, q3.cutoff_end) == (D(2021, 6, 15), D(2021, 9, 14))
    assert (q4.cutoff_start, q4.cutoff_end) == (D(2021, 9, 15), D(2021, 12, 14))


def test_the_fourth_quarter_doubles_as_the_annual_report():
    q4 = Quarter(2021, 4)
    assert q4.is_annual and not Quarter(2021, 3).is_annual
    assert (q4.annual_cutoff_start, q4.cutoff_end) == (D(2020, 12, 15), D(2021, 12, 14))  # Điều 12 khoản 4
    assert q4.title_vi == "quý IV và năm 2021" and Quarter(2021, 3).title_vi == "quý III năm 2021"


def test_leap_years_lengthen_the_first_quarter_and_the_year():
    assert Quarter(2021, 1).days == 90
    assert Quarter(2024, 1).days == 91  # 29/02/2024
    assert Quarter(2024, 1).contains(D(2024, 2, 29)) and of_date(D(2024, 2, 29)) == Quarter(2024, 1)
    assert (Quarter(2024, 4).cutoff_end - Quarter(2024, 4).annual_cutoff_start).days + 1 == 366
    assert (Quarter(2023, 4).cutoff_end - Quarter(2023, 4).annual_cutoff_start).days + 1 == 365
    assert sum(q.days for q in quarters(2024)) == 366 and sum(q.days for q in quarters(2021)) == 365


def test_a_day_belongs_to_the_quarter_whose_cut_off_holds_it():
    assert of_date(D(2020, 12, 14)) == Quarter(2020, 4)
    assert of_date(D(2020, 12, 15)) == Quarter(2021, 1)  # across the year boundary
    assert of_date(D(2021, 3, 14)) == Quarter(2021, 1) and of_date(D(2021, 3, 15)) == Quarter(2021, 2)
    assert of_date(D(2021, 9, 15)) == Quarter(2021, 4) and of_date(D(2021, 1, 1)) == Quarter(2021, 1)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2200, 12, 31)))
def test_every_day_lies_in_exactly_one_window(day):
    q = of_date(day)
    assert q.contains(day)
    assert not q.previous.contains(day) and not q.next.contains(day)


@given(st.integers(1950, 2200), st.integers(1, 4))
def test_windows_follow_each_other_without_gap(year, quarter):
    q = Quarter(year, quarter)
    assert q.next.cutoff_start == q.cutoff_end + dt.timedelta(days=1)
    assert q.next.previous == q and q < q.next


def test_previous_and_next_cross_the_year_boundary():
    assert Quarter(2021, 1).previous == Quarter(2020, 4)
    assert Quarter(2021, 4).next == Quarter(2022, 1)


@pytest.mark.parametrize("text", ["2021-Q3", "2021Q3", "2021 q3", "Q3/2021", "q3-2021", "quý III năm 2021", "Quý III năm 2021",
                                  "quý 3/2021", "quý 3 năm 2021"])
def test_periods_parse_from_ids_and_vietnamese(text):
    assert Quarter.parse(text) == Quarter(2021, 3)


def test_periods_parse_from_decomposed_vietnamese():
    import unicodedata

    assert Quarter.parse(unicodedata.normalize("NFD", "quý IV năm 2022")) == Quarter(2022, 4)


@pytest.mark.parametrize("year", range(2019, 2027))
def test_ids_and_vietnamese_names_round_trip(year):
    for q in quarters(year):
        assert Quarter.parse(q.id) == q and Quarter.parse(q.vi) == q
    assert [q.vi for q in quarters(2021)] == ["quý I năm 2021", "quý II năm 2021", "quý III năm 2021", "quý IV năm 2021"]


@pytest.mark.parametrize("text", ["2021", "2021-Q5", "quý V năm 2021", "Q3", ""])
def test_a_period_that_is_not_a_quarter_is_refused(text):
    with pytest.raises(PeriodError):
        Quarter.parse(text)


# ------------------------------------------------------------------------------- deadlines


def test_a_fixed_day_of_the_month_moves_off_the_weekend():
    rule = DeadlineRule("day_of_month", 18)
    assert rule.deadline(Quarter(2021, 2)) == D(2021, 6, 18)  # Friday
    assert rule.deadline(Quarter(2021, 3)) == D(2021, 9, 20)  # 18/09/2021 is a Saturday
    assert DeadlineRule("day_of_month", 18, roll=False).deadline(Quarter(2021, 3)) == D(2021, 9, 18)


def test_working_days_skip_weekends_and_holidays():
    q3 = Quarter(2021, 3)  # cut-off ends Tuesday 14/09/2021
    assert DeadlineRule("working_days", 3).deadline(q3) == D(2021, 9, 17)
    assert DeadlineRule("working_days", 5).deadline(q3) == D(2021, 9, 21)
    holidays = frozenset({D(2021, 9, 16)})
    assert DeadlineRule("working_days", 3, holidays=holidays).deadline(q3) == D(2021, 9, 20)
    assert add_working_days(D(2021, 12, 31), 1) == D(2022, 1, 3)


def test_calendar_days_cross_the_year_boundary():
    q4 = Quarter(2021, 4)
    assert DeadlineRule("days", 20).deadline(q4) == D(2022, 1, 3)  # 03/01/2022, Monday
    assert DeadlineRule("days", 18).deadline(q4) == D(2022, 1, 3)  # Saturday 01/01 moves to Monday
    assert DeadlineRule("day_of_month", 10, month_offset=1).deadline(q4) == D(2022, 1, 10)


def test_a_deadline_earlier_than_one_working_day_after_the_cut_off_is_refused():
    # Nghị định 09/2019/NĐ-CP, Điều 8 khoản 5: at least one working day after the cut-off
    with pytest.raises(PeriodError, match="ít nhất một ngày làm việc"):
        DeadlineRule("day_of_month", 14).deadline(Quarter(2021, 3))
    with pytest.raises(PeriodError, match="ít nhất một ngày làm việc"):
        DeadlineRule("days", 0).deadline(Quarter(2021, 3))
    assert DeadlineRule("days", 1).deadline(Quarter(2021, 3)) == D(2021, 9, 15)


def test_the_annual_report_may_have_its_own_rule():
    schedule = Schedule(DeadlineRule("day_of_month", 18), DeadlineRule("working_days", 10))
    assert schedule.deadline(Quarter(2021, 3)) == D(2021, 9, 20)
    assert schedule.deadline(Quarter(2021, 4)) == D(2021, 12, 28)
    period = schedule.period(Quarter(2021, 4))
    assert period.as_dict() == {"period": "2021-Q4", "year": 2021, "quarter": 4, "annual": True, "cutoff_start": "2021-09-15",
                                "cutoff_end": "2021-12-14", "deadline": "2021-12-28"}
    assert period.deadline_vi == "28/12/2021"


@pytest.mark.parametrize("raw, words", [
    ({}, "đúng một trong"),
    ({"days": 3, "working_days": 2}, "đúng một trong"),
    ({"day_of_month": 31}, "từ 1 đến 28"),
    ({"working_days": "3"}, "số nguyên"),
    ({"weeks": 2}, "đúng một trong"),
])
def test_a_rule_from_a_recipe_is_checked(raw, words):
    with pytest.raises(PeriodError, match=words):
        DeadlineRule.from_mapping(raw)


def test_rules_describe_themselves_in_vietnamese():
    assert DeadlineRule("day_of_month", 18).describe() == "ngày 18 của tháng cuối quý, gặp ngày nghỉ thì lùi sang ngày làm việc kế tiếp"
    assert DeadlineRule("working_days", 3).describe() == "3 ngày làm việc sau khi chốt số liệu"
