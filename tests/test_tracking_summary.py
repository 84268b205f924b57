"""The per-task summary of a quarter (pure): every figure below is worked out by hand from the
answers of a small example, not by the code under test. The plan's figures used: PL3.B.1 runs
2020–2021 and has 3.000.000.000 đồng in Phụ lục 5; PL3.E.9 has two leads (SCT, STNMT) and
60.000.000.000 đồng; PL1.5's target is 60% (led by every department); PL2.I.1 is led by STTTT
with every department cooperating; 98 tracked tasks are not indicators."""

from __future__ import annotations

from pathlib import Path

import pytest

from hue_dx.tracking import answers as an
from hue_dx.tracking import periods, recipe, tasks
from hue_dx.tracking.answers import TaskAnswer
from hue_dx.tracking.summary import NO_REPORT, UnitAnswers, merged_status, summarize

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
Q4_2021, Q1_2022 = periods.Quarter(2021, 4), periods.Quarter(2022, 1)

HISTORY = {Q4_2021: {
    "STTTT": UnitAnswers({"PL3.B.1": TaskAnswer(status=an.IN_PROGRESS, percent=50, allocated=3_000_000_000, disbursed=2_800_000_000)}),
    "SNV": UnitAnswers({"PL1.5": TaskAnswer(value=30, source="x")}),
}}
NOW = {
    "STTTT": UnitAnswers({"PL3.B.1": TaskAnswer(status=an.LATE, percent=70, allocated=1_000_000_000, disbursed=400_000_000, difficulties="Chậm"),
                          "PL2.I.1": TaskAnswer(status=an.DONE, percent=100, output="Nghị quyết số 05-NQ/TU")}),
    "SCT": UnitAnswers({"PL3.E.9": TaskAnswer(status=an.DONE, percent=100, output="Xong phần công nghiệp", disbursed=200_000_000),
                        "PL1.5": TaskAnswer(value=60, source="y")}),
    "STNMT": UnitAnswers({"PL3.E.9": TaskAnswer(status=an.IN_PROGRESS, percent=50, disbursed=300_000_000)}),
    "SNV": UnitAnswers({"PL1.5": TaskAnswer(value=40, source="z")}, {"PL2.I.1": TaskAnswer(status=an.NOT_STARTED)}),
    "SKHCN": UnitAnswers({}, {"PL2.I.1": TaskAnswer(status=an.DONE, contribution="Góp ý")}),
}


@pytest.fixture(scope="module")
def summary():
    return summarize(CATALOG, RECIPE.units, Q1_2022, NOW, HISTORY)


def row(summary, task_id):
    return next(r for r in summary.tasks if r.task.id == task_id)


def test_two_leads_are_merged(summary):
    r = row(summary, "PL3.E.9")
    assert (r.status, r.percent, r.disbursed) == (an.IN_PROGRESS, 75.0, 500_000_000)  # (100 + 50) / 2; 200 + 300 million
    assert r.reported == ("SCT", "STNMT") and not r.overdue and not r.due  # runs to 2025


def test_a_task_past_its_years_and_not_done_is_overdue_and_funds_add_up_over_quarters(summary):
    r = row(summary, "PL3.B.1")
    assert r.overdue and r.status == an.LATE  # 2021 is past in 2022
    assert r.disbursed_to_date == 3_200_000_000  # 2.800 + 400 million
    assert r.over_budget and r.disbursed_share == pytest.approx(3_200_000_000 / 3_000_000_000)


def test_cooperators_contradicting_the_lead(summary):
    r = row(summary, "PL2.I.1")
    assert [(c.cooperator, c.cooperator_status) for c in r.conflicts] == [("SNV", an.NOT_STARTED)]  # SKHCN agrees
    assert len(summary.conflicts) == 1


def test_indicator_value_progress_and_trend(summary):
    r = next(r for r in summary.indicators if r.task.id == "PL1.5")
    assert r.value == 50.0 and r.progress == pytest.approx(50 / 60 * 100)  # mean of 40 and 60, against 60%
    assert r.trend == (("2021-Q4", 30.0), ("2022-Q1", 50.0))
    assert r.reported == ("SNV", "SCT")


def test_totals_by_appendix_funds_and_trend(summary):
    counts = summary.by_appendix()
    assert counts["PL3"][an.LATE] == 1 and counts["PL3"][an.IN_PROGRESS] == 1 and counts["PL3"][NO_REPORT] == 54  # 56 projects
    assert counts["PL2"][an.DONE] == 1 and counts["PL2"][NO_REPORT] == 27
    assert summary.funds() == {"allocated": 1_000_000_000, "disbursed": 900_000_000, "disbursed_to_date": 3_700_000_000,
                               "planned": 2_732_000_000_000}
    first, last = summary.trend
    assert (first.quarter, first.statuses[an.IN_PROGRESS], first.statuses[NO_REPORT], first.units_reported) == ("2021-Q4", 1, 97, 2)
    assert (last.quarter, last.statuses[an.DONE], last.statuses[NO_REPORT], last.units_reported) == ("2022-Q1", 1, 95, 5)
    assert (first.disbursed, last.disbursed, last.disbursed_to_date) == (2_800_000_000, 900_000_000, 3_700_000_000)
    # the seven projects of Phụ lục 3 that run 2020–2021 (none reported done); no task of the plan ends in 2020
    assert [r.task.id for r in summary.overdue] == ["PL3.A.I.2", "PL3.A.I.6", "PL3.A.II.4", "PL3.B.1", "PL3.B.2", "PL3.B.3", "PL3.B.4"]


@pytest.mark.parametrize("statuses, expected, merged", [
    ([], 1, None),
    ([an.DONE], 1, an.DONE),
    ([an.DONE], 2, an.IN_PROGRESS),  # one lead of two has not reported its part
    ([an.DONE, an.LATE], 2, an.LATE),
    ([an.STOPPED, an.STOPPED], 2, an.STOPPED),
    ([an.NOT_STARTED, an.NOT_STARTED], 2, an.NOT_STARTED),
    ([an.NOT_STARTED, an.DONE], 2, an.IN_PROGRESS),
    ([an.STOPPED, an.IN_PROGRESS], 2, an.IN_PROGRESS),
])
def test_merged_status(statuses, expected, merged):
    assert merged_status(statuses, expected) == merged
