"""The provincial quarterly report and the reminder letters, checked against a small example
worked out by hand: five units report on a few tasks of 2021-Q3, twenty-five do not. Every
expected figure below is computed by hand from the answers typed in, and from the plan as
printed (PL1.2 100%, PL1.5 60%, PL1.13 90% by 2025; PL3.B.1 runs 2020–2021; PL3.E.9 has two
leads; seven projects of Phụ lục 3 run 2020–2021; Phụ lục 5 totals 2.732 tỷ đồng). The
commands' exit codes are checked on the same files."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import pytest
from test_reports import pdf_text

from hue_dx import cli
from hue_dx.tracking import answers as an
from hue_dx.tracking import periods, recipe, tasks
from hue_dx.tracking.fill import fill
from hue_dx.tracking.generate import generate
from hue_dx.tracking.intake import consolidate
from hue_dx.tracking.report import content, letter_units, write_letters, write_report
from hue_dx.workbook.fill import set_saved_time

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
Q3 = periods.Quarter(2021, 3)
CONTACTS = {"unit_preparer": "Lê Văn C", "unit_head": "Phạm Thị D"}
ANSWERS = {
    "STTTT": ({"PL3.B.1": {"status": an.LATE, "percent": 40, "allocated": 1_000_000_000, "disbursed": 600_000_000,
                           "difficulties": "Thiếu nhân lực vận hành", "proposals": "Bổ sung biên chế"},
               "PL2.I.1": {"status": an.DONE, "percent": 100, "output": "Nghị quyết 05-NQ/TU"},
               "PL1.2": {"value": 70, "source": "Cổng dịch vụ công", "measured_on": dt.datetime(2021, 9, 10)}}, {}),
    "SCT": ({"PL3.E.9": {"status": an.IN_PROGRESS, "percent": 50, "disbursed": 200_000_000},
             "PL1.5": {"value": 45, "source": "Báo cáo", "measured_on": dt.datetime(2021, 9, 1)},
             "PL1.13": {"value": 60, "source": "Khảo sát", "measured_on": dt.datetime(2021, 9, 1)}}, {}),
    "STNMT": ({"PL3.E.9": {"status": an.DONE, "percent": 100, "output": "Hệ thống quan trắc", "disbursed": 300_000_000}}, {}),
    "SNV": ({"PL1.5": {"value": 55, "source": "Báo cáo", "measured_on": dt.datetime(2021, 9, 1)}},
            {"PL2.I.1": {"status": an.NOT_STARTED}}),
    "TPHUE": ({"IV.8.1": {"status": an.IN_PROGRESS, "percent": 60}}, {}),
}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tracking-report")
    made = generate(CATALOG, RECIPE, Q3, tmp / "so", units=[RECIPE.unit(u) for u in ANSWERS])
    sent = tmp / "gui-ve"
    sent.mkdir()
    for g in made:
        lead, cooperate = ANSWERS[g.unit]
        saved = "2021-09-23T02:00:00Z" if g.unit == "TPHUE" else "2021-09-15T02:00:00Z"  # deadline 20/09/2021
        (sent / g.path).write_bytes(set_saved_time(fill((tmp / "so" / g.path).read_bytes(), lead, cooperate, CONTACTS), saved))
    result = consolidate(CATALOG, RECIPE, Q3, [sent], tmp / "luu-tru")
    report = write_report(result, tmp / "bao-cao", when=dt.date(2021, 9, 25))
    return tmp, result, content(result), report


def test_units_reporting(example):
    _, result, c, _ = example
    assert c["units"]["total"] == 30 and c["units"]["reported"] == 5 and c["units"]["on_time"] == 4
    assert c["units"]["late"] == [{"name": "UBND thành phố Huế", "on": "23/09/2021", "words": "sổ lưu lần cuối ngày 23/09/2021"}]
    assert len(c["units"]["missing"]) == 25
    assert [u.unit.code for u in letter_units(result)] == [u.code for u in RECIPE.units if u.code not in ANSWERS or u.code == "TPHUE"]


def test_indicators_against_their_targets(example):
    _, _, c, _ = example
    shown = {i["id"]: (i["value"], i["progress"], i["reported"]) for i in c["indicators"] if i["value"] != "—"}
    assert shown == {"PL1.2": ("70%", "70%", "1/1"), "PL1.5": ("50%", "83,3%", "2/21"), "PL1.13": ("60%", "66,7%", "1/1")}
    assert (c["indicators_reported"], c["indicators_met"]) == (3, 0)


def test_results_by_appendix(example):
    _, _, c, _ = example
    parts = {p["code"]: {x["status"]: x["count"] for x in p["counts"]} for p in c["parts"]}
    assert parts == {"PL2": {an.DONE: 1, "chưa báo cáo": 27},
                     "PL3": {an.IN_PROGRESS: 1, an.LATE: 1, "chưa báo cáo": 54},  # E.9: one lead done, the other not yet
                     "IV": {an.IN_PROGRESS: 1, "chưa báo cáo": 13}}
    assert [d["id"] for p in c["parts"] for d in p["newly_done"]] == ["PL2.I.1"]
    groups = {g["code"]: g["counts"] for p in c["parts"] for g in p["groups"]}
    assert groups["B"] == [{"status": an.LATE, "count": 1}, {"status": "chưa báo cáo", "count": 6}]


def test_funds_against_phu_luc_5(example):
    _, _, c, _ = example
    f = c["funds"]
    assert (f["allocated"], f["disbursed"], f["to_date"], f["planned"], f["share"]) == (
        "1 tỷ đồng", "1,1 tỷ đồng", "1,1 tỷ đồng", "2.732 tỷ đồng", "0,04%")  # 1,1 / 2.732 = 0,0403%
    by_group = {g["code"]: g["to_date"] for g in f["groups"]}
    assert (by_group["B"], by_group["E"], by_group["A"]) == ("0,6 tỷ đồng", "0,5 tỷ đồng", "0 tỷ đồng")


def test_late_tasks_conflicts_and_quotes(example):
    _, _, c, _ = example
    assert c["overdue"] == 0  # in 2021 no task is past its last year
    late = {t["id"]: t["why"] for t in c["late"]}
    assert set(late) == {"PL3.A.I.2", "PL3.A.I.6", "PL3.A.II.4", "PL3.B.1", "PL3.B.2", "PL3.B.3", "PL3.B.4"}  # the seven projects of 2020–2021
    assert late["PL3.B.1"] == "đến hạn trong năm, chưa hoàn thành; chậm tiến độ"
    assert [(x["id"], x["cooperators"], x["lead_status"], x["pairs"]) for x in c["conflicts"]] == [
        ("PL2.I.1", f"Sở Nội vụ: {an.NOT_STARTED}", an.DONE, 1)]
    assert (c["conflict_tasks"], c["conflict_pairs"]) == (1, 1)
    assert [(d["text"], d["who"], d["said_by"]) for d in c["difficulties"]] == [
        ("Thiếu nhân lực vận hành", ["Sở Thông tin và Truyền thông (PL3.B.1)"], "Sở Thông tin và Truyền thông, PL3.B.1")]
    assert [(d["text"], d["who"]) for d in c["unit_proposals"]] == [("Bổ sung biên chế", ["Sở Thông tin và Truyền thông (PL3.B.1)"])]
    assert len(c["proposals"]) == 2 and c["proposals"][0].startswith("Chỉ đạo 25 đơn vị chưa gửi báo cáo quý III năm 2021")


def test_the_printed_report_says_the_same(example):
    _, _, c, report = example
    text = pdf_text(report)
    for words in ("UBND TỈNH THỪA THIÊN HUẾ SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "/BC-STTTT", "Thừa Thiên Huế, ngày 25 tháng 9 năm 2021",
                  "BÁO CÁO", "Tình hình triển khai Kế hoạch 222/KH-UBND quý III năm 2021", "Kính gửi: Ủy ban nhân dân tỉnh",
                  "5/30 cơ quan, đơn vị đã gửi báo cáo", "4 đơn vị gửi đúng hạn", "UBND thành phố Huế: sổ lưu lần cuối ngày 23/09/2021",
                  "83,3%", "66,7%", "giải ngân lũy kế 1,1 tỷ đồng", "0,04%", "“Thiếu nhân lực vận hành” (Sở Thông tin và Truyền thông, PL3.B.1)",
                  "Sở Nội vụ: chưa triển khai", "Nơi nhận:", "GIÁM ĐỐC", "Phụ lục I TÌNH HÌNH THỰC HIỆN TỪNG NHIỆM VỤ",
                  "Phụ lục IV TÌNH HÌNH GỬI BÁO CÁO CỦA TỪNG ĐƠN VỊ VÀ SỔ DÙNG ĐỂ TỔNG HỢP"):
        assert words in text, words
    # the annex lists every tracked task other than the indicators
    assert all(row["id"] in text for row in c["annex"]) and len(c["annex"]) == 98
    assert report.with_suffix(".html").is_file()


def test_reminder_letters(example, tmp_path):
    _, result, _, _ = example
    late = next(u for u in result.units if u.unit.code == "TPHUE")
    missing = next(u for u in result.units if u.unit.code == "SYT")
    from hue_dx.tracking.intake import Quarterly

    few = Quarterly(result.catalog, result.recipe, result.period, result.summary, [late, missing], result.issues, result.files, result.carried)
    paths = write_letters(few, tmp_path, when=dt.date(2021, 9, 25))
    assert [p.name.split("-")[4] for p in paths] == ["TPHUE", "SYT"]  # don-doc-2021-Q3-TPHUE-…
    text = pdf_text(paths[0])
    assert "Kính gửi: Ủy ban nhân dân thành phố Huế" in text and "Báo cáo của Quý đơn vị: sổ lưu lần cuối ngày 23/09/2021, sau hạn gửi ngày 20/09/2021" in text
    text = pdf_text(paths[1])
    assert "Kính gửi: Sở Y tế" in text and "chưa nhận được báo cáo" in text and "trước ngày 01/10/2021" in text  # 5 working days after the letter's 25/09


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main([str(a) for a in argv])
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_commands_exit_codes(example, tmp_path):
    tmp, *_ = example
    code, out, _ = run("tasks", "consolidate", tmp / "gui-ve", "--period", "2021-Q3", "--archive", tmp_path / "kho", "--out", tmp_path / "ra")
    assert code == 1 and "5/30 đơn vị đã báo cáo" in out  # units missing, a conflict: something to review
    assert (tmp_path / "ra" / "tong-hop-2021-Q3.xlsx").is_file() and (tmp_path / "ra" / "tra-loi-2021-Q3.json").is_file()
    code, _, err = run("tasks", "consolidate", tmp / "khong-co", "--period", "2021-Q3", "--archive", tmp_path / "kho")
    assert code == 2 and "Không tìm thấy" in err
    code, _, err = run("tasks", "report", "--period", "2021-Q3", "--archive", tmp_path / "chua-co")
    assert code == 2 and "hue-dx tasks consolidate" in err
    assert run("tasks", "consolidate", "--period", "2021-Q9", "--archive", tmp_path / "kho")[0] == 2



def test_a_file_of_another_quarter_makes_no_quarter(example, tmp_path):
    """A unit's workbook of the second quarter, sent with the third's: recorded for its own quarter,
    listed and flagged, but no trend point, no "so với quý trước" against that one unit's figures."""
    tmp, *_ = example
    (g,) = generate(CATALOG, RECIPE, periods.Quarter(2021, 2), tmp_path / "q2", units=[RECIPE.unit("SNV")])
    sent = tmp_path / "gui-ve"
    shutil.copytree(tmp / "gui-ve", sent)
    lead, cooperate = ANSWERS["SNV"]
    (sent / g.path).write_bytes(set_saved_time(fill((tmp_path / "q2" / g.path).read_bytes(), lead, cooperate, CONTACTS), "2021-09-10T02:00:00Z"))
    result = consolidate(CATALOG, RECIPE, Q3, [sent], tmp_path / "kho")
    assert [t.quarter for t in result.summary.trend] == ["2021-Q3"] and result.summary.before_quarter is None
    assert any(i.code == "tk-period-other" for i in result.issues)
    again = consolidate(CATALOG, RECIPE, Q3, [], tmp_path / "kho")  # rebuilt from the ledger: the same
    assert [t.quarter for t in again.summary.trend] == ["2021-Q3"]
    assert all(i["change"] == "—" for i in content(again)["indicators"])
