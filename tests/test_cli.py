"""The `hue-dx` command as a person uses it: output, formats, exit codes, help, errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hue_dx import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples" / "inputs").glob("*.json"))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_catalog_json_lists_every_scored_criterion_with_the_required_fields(catalog):
    code, out, _ = run("catalog", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "hue-222-2020" and data["total_max"] == 284
    assert [c["code"] for c in data["criteria"]] == [c.code for c in catalog.criteria]
    for item in data["criteria"]:
        assert {"code", "pillar", "max", "kind", "inputs", "applies_to"} <= set(item)
        for i in item["inputs"]:
            assert {"key", "label", "type"} <= set(i) and i["label"]
    pillar_sums = {}
    for item in data["criteria"]:
        pillar_sums[item["pillar"]] = pillar_sums.get(item["pillar"], 0) + item["max"]
    assert pillar_sums == {p["code"]: p["max"] for p in data["pillars"]}


def test_catalog_csv_has_one_row_per_criterion(catalog):
    code, out, _ = run("catalog", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(catalog.criteria)
    assert rows[0]["code"] == "1.1.1" and rows[0]["max"] == "5"


def test_catalog_table_shows_the_tree_in_code_order():
    code, out, _ = run("catalog")
    lines = out.splitlines()
    assert code == 0
    position = {line.split()[0]: n for n, line in enumerate(lines) if line[:1].isdigit()}
    assert position["1.2.3"] < position["1.2.3.1"] < position["1.2.4"]
    assert position["5.9"] < position["5.10"]
    assert "chấm chung với 5.8.2" in lines[position["5.8.1"]]


def test_catalog_show_explains_a_criterion_with_a_worked_example():
    code, out, _ = run("catalog", "show", "5.2.1")
    assert code == 0
    for fragment in ("100% trao đổi văn bản điện tử cấp tỉnh", "Cách tính điểm (Kế hoạch)", "Số liệu cần nhập", "Ví dụ:", "b + c không được lớn hơn a"):
        assert fragment in out


def test_catalog_show_works_for_every_criterion_and_unscored_row(catalog):
    for code in [c.code for c in catalog.criteria] + [u.code for u in catalog.unscored]:
        status, out, err = run("catalog", "show", code)
        assert status == 0 and out and not err, code


def test_catalog_check_reports_mismatches_and_decisions_and_exits_zero():
    code, out, _ = run("catalog", "check")
    assert code == 0
    assert "Kế hoạch in 70 điểm cho nhóm 3.1, các tiêu chí cộng lại 6" in out
    assert "Kết quả: 0 lỗi" in out
    code, out, _ = run("catalog", "check", "--format", "json")
    findings = json.loads(out)["findings"]
    assert {"3.1", "7.2.3", "3.1.1"} <= {f["code"] for f in findings}


def test_an_unknown_criterion_is_one_line_on_stderr_and_exit_two():
    code, out, err = run("catalog", "show", "9.9.9")
    assert code == 2 and not out
    assert err.startswith("hue-dx: lỗi: không có tiêu chí '9.9.9'") and "Traceback" not in err


def test_score_one_unit_prints_pillars_and_problems_with_exit_one_when_problems():
    code, out, _ = run("score", str(ROOT / "samples" / "inputs" / "HALUOI.json"))
    assert code == 1
    assert "TỔNG CỘNG" in out and "5.2.2: lỗi: b + c lớn hơn a" in out


def test_score_json_has_unit_totals_pillars_and_criteria():
    code, out, _ = run("score", str(ROOT / "samples" / "inputs" / "STTTT.json"), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert {"unit", "catalog", "total", "max", "index", "pillars", "criteria"} <= set(data)
    assert {"code", "score", "max", "status"} <= set(data["criteria"][0])
    assert data["total"] == pytest.approx(sum(p["points"] for p in data["pillars"]))


def test_score_many_units_ranks_them_within_their_level():
    code, out, _ = run("score", *map(str, SAMPLES))
    assert "Xếp hạng: Sở, ban, ngành" in out and "Xếp hạng: UBND cấp huyện" in out
    assert code == 1  # the samples include typical mistakes


def test_score_csv_input(tmp_path):
    path = tmp_path / "unit.csv"
    path.write_text("code,key,value\n5.1.1,a,200\n5.1.1,b,150\n", encoding="utf-8")
    code, out, _ = run("score", str(path), "--format", "json")
    result = {c["code"]: c for c in json.loads(out)["criteria"]}
    assert result["5.1.1"]["score"] == 1.5


@pytest.mark.parametrize(
    "content, suffix, message", [("{", ".json", "JSON không hợp lệ"), ("x,y\n", ".csv", "code,key,value"), ("", ".txt", ".json hoặc .csv")]
)
def test_score_bad_input_file_is_a_clear_error(tmp_path, content, suffix, message):
    path = tmp_path / f"unit{suffix}"
    path.write_text(content, encoding="utf-8")
    code, _, err = run("score", str(path))
    assert code == 2 and message in err


def help_texts(parser, prefix=()):
    yield prefix, parser
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield from help_texts(sub, prefix + (name,))


def test_every_command_and_option_has_help_text():
    for path, parser in help_texts(cli.build_parser()):
        assert parser.description or parser.prog == "hue-dx", path
        for action in parser._actions:
            if action.option_strings and action.dest not in ("help", "version"):
                assert action.help, (path, action.dest)
            if action.__class__.__name__ == "_SubParsersAction":
                for choice in action._choices_actions:
                    assert choice.help, (path, choice.dest)


def test_python_m_hue_dx_runs_the_same_command():
    done = subprocess.run([sys.executable, "-m", "hue_dx", "--help"], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and "catalog" in done.stdout and "Mã thoát" in done.stdout
    done = subprocess.run([sys.executable, "-m", "hue_dx"], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2


def test_the_decisions_page_of_the_docs_is_what_the_catalog_says():
    code, out, _ = run("catalog", "check", "--format", "markdown")
    assert code == 0
    page = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    assert page == out, "docs/decisions.md is stale: hue-dx catalog check --format markdown > docs/decisions.md"


def test_generate_with_no_arguments_writes_the_province_workbooks_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "so"
    code, out, _ = run("generate", "--out", str(target))
    assert code == 0
    files = sorted(p.name for p in target.glob("*.xlsx"))
    assert len(files) == 30 and "2020_STTTT_so-thong-tin-va-truyen-thong.xlsx" in files
    assert "Đã tạo 30 sổ đánh giá (21 Sở, ban, ngành, 9 UBND cấp huyện)" in out and str(target.resolve()) in out
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert len({f["generation_id"] for f in manifest["files"]}) == 30
    assert not list(target.glob(".tmp-*"))


def test_generate_one_unit_by_code(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run("generate", "--unit", "haluoi", "--out", str(tmp_path))
    assert code == 0 and [p.name for p in tmp_path.glob("*.xlsx")] == ["2020_HALUOI_ubnd-huyen-a-luoi.xlsx"]


def test_generate_an_unknown_unit_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, _, err = run("generate", "--unit", "XYZ", "--out", str(tmp_path))
    assert code == 2 and "không có đơn vị 'XYZ'" in err


def test_the_issue_types_page_of_the_docs_is_what_the_code_says():
    code, out, _ = run("issue-types")
    assert code == 0 and out == (ROOT / "docs" / "issues.md").read_text(encoding="utf-8")
