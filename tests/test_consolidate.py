"""The consolidator on a corpus of real-life returned files: every case gets its records,
nothing crashes, originals are untouched, the ranking is right to the last rank."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys

import corpus
import pytest
from engines import libreoffice_recalc
from openpyxl import load_workbook

from hue_dx import cli
from hue_dx.intake.check import check_file
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.outputs import safe_cell, write_csv, write_json, write_workbook
from hue_dx.ranking import competition_ranks

ZIPPED = {"SYT lan 2 da sua.xlsx", "thuc the.xlsx"}


@pytest.fixture(scope="module")
def setup(corpus_world, tmp_path_factory):
    cases, campaign, catalog, ctx = corpus_world
    tmp = tmp_path_factory.mktemp("consolidate")
    folder = corpus.write(cases, tmp / "nhan-ve", ZIPPED)
    return cases, campaign, catalog, ctx, folder, tmp


def _current_by_rule(cases):
    """The file that should count for each unit, worked out here from the cases themselves:
    the submission (accepted, with figures) saved last."""
    import hashlib

    from hue_dx.intake import xlsx

    best = {}
    for case in cases:
        if case.outcome in (corpus.ACCEPTED, corpus.ISSUES) and case.unit:
            saved = xlsx.read(case.data, formulas=False).modified or ""
            key = (saved, hashlib.sha256(case.data).hexdigest())
            if case.unit not in best or key > best[case.unit][0]:
                best[case.unit] = (key, case)
    return {unit: case for unit, (_, case) in best.items()}


def test_the_ranking_from_a_mixed_folder_is_right_to_the_last_rank(setup):
    cases, campaign, catalog, ctx, folder, tmp = setup
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = consolidate(catalog, campaign, [folder], tmp / "archive-1", workers=2, context=ctx)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after, "originals are never modified"
    assert result.others == [str(folder / "ghi chu.txt")]
    expected_current = _current_by_rule(cases)
    used = {r.unit.code: r.result for rows in result.groups.values() for r in rows if r.result}
    assert set(used) == set(expected_current)
    for unit, case in expected_current.items():
        assert used[unit].sha256 == hashlib.sha256(case.data).hexdigest(), (unit, used[unit].name, case.name)
    assert {u.code for u in result.missing} == {u.code for u in campaign.units} - set(used)
    assert "SDL" in {u.code for u in result.missing} and "BDT" in {u.code for u in result.missing}  # blank files are no submission
    # Expected ranking, computed independently of the consolidator from each current file's own check.
    for group, rows in result.groups.items():
        indices = {r.unit.code: check_file(expected_current[r.unit.code].data, "x", "x", ctx).total[2] for r in rows if r.result}
        codes = sorted(indices)
        expected = dict(zip(codes, competition_ranks([indices[c] for c in codes]), strict=True))
        assert {r.unit.code: r.rank for r in rows if r.result} == expected, group
        assert all(r.rank is None for r in rows if not r.result)
        ranks = [r.rank for r in rows if r.rank is not None]
        assert ranks == sorted(ranks)
    codes = {i.code for i in result.issues}
    assert {"file-duplicate", "file-superseded", "unit-not-received", "file-late", "file-zip-bomb", "file-xml-entities", "file-blank"} <= codes
    assert "file-internal-error" not in codes
    assert result.has_errors
    # every file received is listed, by path, with what was done with it
    listed = [f.source for f in result.files]
    containers = [f for f in result.files if f.kind == "container"]  # the zip that held two of the cases, listed as opened
    assert [f.state for f in containers] == ["đã mở"]
    assert len(listed) == len(cases) + 1 + len(containers) and len(set(listed)) == len(listed)
    assert all(f.state and f.sha256 for f in result.files)


def test_rerunning_on_the_same_files_changes_nothing(setup):
    cases, campaign, catalog, ctx, folder, tmp = setup
    root = tmp / "archive-2"
    first = consolidate(catalog, campaign, [folder], root, workers=1, context=ctx)
    import sqlite3

    def counts():
        db = sqlite3.connect(root / "ledger.sqlite")
        try:
            return [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("files", "issues", "scores", "sources")]
        finally:
            db.close()

    snapshot = counts()
    archived = sorted(p.name for p in (root / "files").rglob("*") if p.is_file())
    second = consolidate(catalog, campaign, [folder], root, workers=2, context=ctx)
    assert second.new == 0 and first.new > 0
    assert counts() == snapshot
    assert sorted(p.name for p in (root / "files").rglob("*") if p.is_file()) == archived
    rank = lambda c: {r.unit.code: (r.rank, r.index) for rows in c.groups.values() for r in rows}  # noqa: E731
    assert rank(first) == rank(second)
    for path in (root / "files").rglob("*.xls*"):
        assert path.name.startswith(hashlib.sha256(path.read_bytes()).hexdigest())


def test_outputs_workbook_json_and_injection_safe_csv(setup):
    cases, campaign, catalog, ctx, folder, tmp = setup
    result = consolidate(catalog, campaign, [folder], tmp / "archive-3", workers=1, context=ctx)
    write_workbook(result, tmp / "out" / "xep-hang.xlsx")
    wb = load_workbook(tmp / "out" / "xep-hang.xlsx")
    assert wb.sheetnames == ["Xếp hạng", "Biểu đồ", "Trụ cột", "Tiêu chí", "Thẩm định", "Toàn tỉnh", "Vấn đề", "Chưa gửi", "Tệp đã nhận",
                             "Tình trạng", "Thay đổi"]
    assert len(wb["Biểu đồ"]._charts) == 2
    province = {row[0].value: row for row in wb["Toàn tỉnh"].iter_rows(min_row=4)}
    assert "5.10.1" in province  # the province's share of online dossiers, from the units' counts
    write_json(result, tmp / "out" / "xep-hang.json")
    data = json.loads((tmp / "out" / "xep-hang.json").read_text(encoding="utf-8"))
    assert {"ranking", "missing", "province", "files", "issues"} <= set(data)
    assert all(len(str(row["index"]).split(".")[-1]) <= 4 for rows in data["ranking"].values() for row in rows if row["index"])
    for path in write_csv(result, tmp / "out")[:-1]:  # the CSVs; datapackage.json last (tests/test_opendata.py)
        text = path.read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell[:1] in "=+-@" and cell[:1] for cell in row), (path.name, row)
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("-3") == "'-3" and safe_cell(-3) == -3 and safe_cell("Sở Y tế") == "Sở Y tế"


def test_consolidate_command_reports_and_exits_one_when_errors(setup, tmp_path, capsys):
    cases, campaign, catalog, ctx, folder, tmp = setup
    code = cli.main(["consolidate", str(folder), "-o", str(tmp_path / "xh.xlsx"), "--archive", str(tmp_path / "kho"),
                     "--recipe", str(campaign.path), "--csv", str(tmp_path / "csv"), "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 1
    ranked = len(_current_by_rule(cases))
    assert "Đã đọc" in out and f"xếp hạng {ranked}/30 đơn vị" in out and f"chưa gửi: {30 - ranked}" in out and "Kho lưu trữ" in out
    assert (tmp_path / "xh.xlsx").is_file() and (tmp_path / "csv" / "xep-hang.csv").is_file()


def test_check_command_json_has_the_fields_machines_need(setup, tmp_path, capsys):
    cases, campaign, catalog, ctx, folder, tmp = setup
    path = tmp_path / "x.xlsx"
    path.write_bytes(next(c for c in cases if c.name == "A Luoi.xlsx").data)
    code = cli.main(["check", str(path), "--json", "--recipe", str(campaign.path)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # b + c > a in 5.2.2
    assert {"unit", "period", "catalog", "total", "max", "index", "pillars", "criteria", "issues"} <= set(data)
    assert data["unit"] == "HALUOI" and data["period"] == "2020" and data["catalog"] == "hue-222-2020"
    assert {"code", "score", "max", "status"} <= set(data["criteria"][0])
    assert {"code", "severity", "file", "unit", "sheet", "cell", "criterion", "value", "message", "hint"} <= set(data["issues"][0])


def test_a_workbook_resaved_by_libreoffice_is_read_cleanly(setup, tmp_path):
    cases, campaign, catalog, ctx, *_ = setup
    good = next(c for c in cases if c.name == "2020_STTTT_so-thong-tin.xlsx")
    source = tmp_path / "in" / "sttt.xlsx"
    source.parent.mkdir()
    source.write_bytes(good.data)
    (resaved,) = libreoffice_recalc([source], tmp_path / "out")
    data = resaved.read_bytes()
    result = check_file(data, "sttt.xlsx", "x", ctx)
    codes = {i.code for i in result.issues}
    assert result.accepted and not codes & {"layout-changed", "score-differs", "not-calculated", "identity-conflict"}, sorted(codes)
    original = check_file(good.data, "a", "x", ctx)
    assert result.total == original.total


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_parallel_and_serial_runs_agree(setup):
    cases, campaign, catalog, ctx, folder, tmp = setup
    a = consolidate(catalog, campaign, [folder], tmp / "archive-4", workers=1, context=ctx)
    b = consolidate(catalog, campaign, [folder], tmp / "archive-5", workers=2, context=ctx)
    key = lambda c: sorted((i.code, i.file, i.cell, i.criterion) for i in c.issues)  # noqa: E731
    assert key(a) == key(b)


def test_results_and_issues_as_dataframes(setup):
    cases, campaign, catalog, ctx, folder, tmp = setup
    result = consolidate(catalog, campaign, [folder], tmp / "archive-6", workers=1, context=ctx)
    ranking = result.ranking_frame()
    assert len(ranking) == len(campaign.units) and {"group", "rank", "unit", "index", "self_index", "index_5", "rank_5"} <= set(ranking.columns)
    criteria = result.criteria_frame()
    assert len(criteria) == len(_current_by_rule(cases)) * len(catalog.criteria)
    issues = result.issues_frame()
    assert {"code", "severity", "file", "unit", "sheet", "cell", "criterion", "value", "message", "hint"} <= set(issues.columns)
    assert (issues.code == "unit-not-received").sum() == len(result.missing)
