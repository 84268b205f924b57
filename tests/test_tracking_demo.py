"""The four-quarter demo on built-in data: every scripted behaviour of the units shows in the
consolidation of its quarter (reports are left out here: tests/test_tracking_report.py prints them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hue_dx.tracking import demo, recipe, tasks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    rec = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
    lines: list[str] = []
    done = demo.run(tasks.load(rec.tasks), rec, tmp_path_factory.mktemp("demo"), say=lines.append, reports=False)
    return done, lines


def data(done, n: int) -> dict:
    q = done.quarters[n - 1]
    return json.loads((q.workbook.with_suffix(".json")).read_text(encoding="utf-8"))


def codes(d: dict, code: str) -> list[str]:
    return sorted(i["unit"] for i in d["issues"] if i["code"] == code)


def test_every_quarter_is_generated_filled_consolidated_and_said(run):
    done, lines = run
    assert [q.quarter.id for q in done.quarters] == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert len(lines) == 3 * 4 + 1 and lines[-1].startswith("Xu hướng năm 2022")
    assert all(q.generated == 30 for q in done.quarters)
    assert "điền sẵn số liệu quý I năm 2022" in lines[3]


def test_the_scripted_units_behave_as_scripted(run):
    done, _ = run
    q1, q2, q3, q4 = (data(done, n) for n in (1, 2, 3, 4))
    assert sorted(q1["missing"]) == ["HALUOI", "SKHDT"] and next(u for u in q1["units"] if u["unit"] == "SKHDT")["blank_only"]
    assert codes(q1, "file-late") == ["SDL"] and codes(q1, "tk-number-text") == ["SCT"] and codes(q1, "tk-status-unknown") == ["SYT"]
    assert q2["missing"] == ["SNGV"] and [(i["value"], i["read"]) for i in q2["issues"] if i["code"] == "file-late"] == [("25/06/2022", "ngày của thư gửi tệp")]
    assert codes(q2, "tk-disbursed-over") == ["SGDDT"] and codes(q2, "tk-date-text") == ["SGDDT"]
    assert sorted(q3["missing"]) == ["SLDTBXH", "TTT"] and codes(q3, "file-superseded") == ["STNMT"]
    assert codes(q3, "tk-percent-range") == ["SVHTT"] and codes(q3, "file-late") == ["SGTVT"]
    assert q4["missing"] == [] and codes(q4, "tk-unchanged") == ["BDT"] and codes(q4, "tk-period-other") == ["SLDTBXH"]
    for d, unit in ((q1, "SNV"), (q2, "SKHCN"), (q3, "VPUBND"), (q4, "STC")):
        assert codes(d, "tk-conflict") == [unit]
    assert [q.overdue for q in done.quarters][:2] == [5, 3]  # projects of 2020–2021 still not done in 2022


def test_the_trend_covers_the_year_and_funds_add_up(run):
    done, _ = run
    trend = json.loads(done.trend.with_suffix(".json").read_text(encoding="utf-8"))
    quarters = trend["quarters"]
    assert [q["period"] for q in quarters] == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert quarters[-1]["disbursed_to_date"] == sum(q["disbursed"] for q in quarters)
    assert quarters[2]["units_reported"] == 29  # SLDTBXH's third-quarter file, sent with the fourth quarter's, counts for the third
    pl12 = next(i for i in trend["indicators"] if i["id"] == "PL1.2")
    values = [v["value"] for v in pl12["values"]]
    assert all(v is not None for v in values) and values[-1] > values[0]
