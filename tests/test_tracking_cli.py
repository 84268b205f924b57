"""`hue-dx tasks …` as a person uses it: listing, check, show, a unit's rows, periods, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from hue_dx import cli

ROOT = Path(__file__).resolve().parents[1]
TASKS_FILE = ROOT / "hue_dx" / "catalogs" / "hue-222-2020-tasks.toml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_the_listing_shows_every_appendix_and_the_funding_total():
    code, out, _ = run("tasks")
    assert code == 0
    for heading in ("PHỤ LỤC 1 — PHÂN CÔNG", "PHỤ LỤC 2 — HỆ THỐNG", "PHỤ LỤC 3 — DANH MỤC DỰ ÁN", "MỤC IV — TỔ CHỨC THỰC HIỆN"):
        assert heading in out
    assert "Phụ lục 5: 56 dòng kinh phí" in out and "tổng 2.732 tỷ đồng" in out
    assert "PL3.E.11" in out and "IV.3.3" in out and "báo cáo ở PL2.II.6" in out


def test_the_check_exits_0_on_the_shipped_file_and_1_on_a_broken_one(tmp_path):
    code, out, _ = run("tasks", "check")
    assert code == 0 and "Kết quả: 0 lỗi" in out and "554.500.000.000" in out
    broken = tmp_path / "broken.toml"
    broken.write_text(TASKS_FILE.read_text(encoding="utf-8").replace('total = "25.000.000.000"', 'total = "26.000.000.000"', 1), encoding="utf-8")
    code, out, _ = run("tasks", "--tasks", str(broken), "check")
    assert code == 1 and "PL5.A.I.1" in out and "Kế hoạch in tổng 26.000.000.000" in " ".join(out.split())
    code, out, _ = run("tasks", "check", "--format", "json")
    findings = json.loads(out)["findings"]
    assert code == 0 and {f["severity"] for f in findings} == {"decided", "info"}


def test_the_decisions_page_of_the_docs_is_what_the_tasks_file_says():
    code, out, _ = run("tasks", "check", "--format", "markdown")
    assert code == 0
    page = (ROOT / "docs" / "tracking-decisions.md").read_text(encoding="utf-8")
    assert page == out, "docs/tracking-decisions.md is stale: hue-dx tasks check --format markdown > docs/tracking-decisions.md"


def test_show_explains_a_task_and_its_funding():
    code, out, _ = run("tasks", "show", "pl5.e.3")
    assert code == 0 and out.startswith("PL3.E.3  [dự án]")
    assert "Chủ trì: Sở Giáo dục và Đào tạo" in out and "60.000.000.000 (60 tỷ đồng)" in out and "Y tế thông tin" in out
    code, _, err = run("tasks", "show", "PL9.1")
    assert code == 2 and "không có nhiệm vụ" in err


def test_a_units_rows_and_the_bodies():
    code, out, _ = run("tasks", "unit", "STTTT")
    assert code == 0 and "báo cáo thay Chi nhánh Ngân hàng Nhà nước" in out and "Chỉ tiêu chủ trì (Phụ lục 1) (9)" in out
    code, out, _ = run("tasks", "unit", "HALUOI")
    assert "Nhiệm vụ chủ trì (1)" in out and "IV.8.1" in out and "Nhiệm vụ phối hợp (0)" in out
    code, out, _ = run("tasks", "bodies")
    assert code == 0 and "SBN      Các sở, ban, ngành → 21 đơn vị (so)" in out and "Sở TT&TT" in out


def test_periods_of_a_year():
    code, out, _ = run("tasks", "periods", "2021")
    assert code == 0 and "Điều 12 Nghị định số 09/2019/NĐ-CP" in out
    assert "2021-Q1   quý I năm 2021            15/12/2020       14/03/2021   18/03/2021" in out
    assert "cũng là báo cáo năm (chốt 15/12/2020–14/12/2021)" in out
    code, out, _ = run("tasks", "periods", "2024", "--format", "json")
    periods = json.loads(out)["periods"]
    assert [p["cutoff_start"] for p in periods] == ["2023-12-15", "2024-03-15", "2024-06-15", "2024-09-15"]


def test_machine_formats_resolve_bodies_to_unit_codes():
    code, out, _ = run("tasks", "--format", "json")
    data = json.loads(out)
    assert code == 0 and len(data["tasks"]) == 114 and data["budget"]["summed"]["total"] == 2_732_000_000_000
    row = next(t for t in data["tasks"] if t["id"] == "PL3.C.4")
    assert row["lead_units"] == [] and row["reporting_units"] == ["STTTT"] and row["budget"]["total"] is None
    code, out, _ = run("tasks", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 114
    e9 = next(r for r in rows if r["id"] == "PL3.E.9")
    assert e9["reporting_units"] == "SCT STNMT" and e9["budget_total"] == "60000000000"


def test_the_command_lines_constants_agree_with_the_modules_it_loads_later():
    from hue_dx.tracking import cli as tracking_cli
    from hue_dx.tracking import recipe, tasks

    assert (tracking_cli.DEFAULT_TASKS, tracking_cli.DEFAULT_RECIPE) == (tasks.DEFAULT_TASKS, recipe.DEFAULT_RECIPE)


def test_the_reading_line_prints_its_numbers_the_vietnamese_way(tmp_path):
    """"Đã đọc … trong 1,4 giây" as the assessment's line says it (it printed "1.4 giây")."""
    code, _, _ = run("tasks", "generate", "--period", "2021-Q3", "--unit", "SNV", "--out", str(tmp_path / "so"))
    assert code == 0
    code, out, err = run("tasks", "consolidate", str(tmp_path / "so"), "--period", "2021-Q3", "--archive", str(tmp_path / "kho"),
                         "--out", str(tmp_path / "ra"))
    assert code == 1, err  # units missing
    assert re.search(r"^Đã đọc \d+ tệp \(\d+ tệp mới\) trong \d+,\d giây; ", out, re.M), out
