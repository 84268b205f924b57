"""Appraisal: workbooks for appraisers, their return, and final scores that say where they differ."""

from __future__ import annotations

import io
import json
import sqlite3
from types import SimpleNamespace

import corpus
import pytest
from engines import libreoffice_recalc, read_by_names
from openpyxl import load_workbook

import hue_dx
from hue_dx.appraisal import Appraisal, apply, appraiser_of, plan
from hue_dx.intake.consolidate import consolidate, detailed
from hue_dx.scoring import score_unit
from hue_dx.workbook import appraisal_book as book
from hue_dx.workbook.fill import set_saved_time

UNIT = "HALUOI"


def fill_appraisal(data: bytes, values: dict[str, dict[str, object]], reasons: dict[str, str], saved: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))

    def cell(name):
        sheet, coord = next(iter(wb.defined_names[name].destinations))
        return wb[sheet][coord.replace("$", "")]

    for code, inputs in values.items():
        for key, value in inputs.items():
            cell(book.input_name(code, key)).value = value
    for code, reason in reasons.items():
        cell(book.reason_name(code)).value = reason
    out = io.BytesIO()
    wb.save(out)
    return set_saved_time(out.getvalue(), saved)


@pytest.fixture(scope="module")
def world(corpus_world, tmp_path_factory):
    cases, campaign, catalog, ctx = corpus_world
    tmp = tmp_path_factory.mktemp("appraisal")
    folder = corpus.write([c for c in cases if c.accepted and c.name != "A Luoi co macro.xlsm"], tmp / "in")
    first = consolidate(catalog, campaign, [folder], tmp / "archive", workers=1, context=ctx)
    used = next(r for rows in first.groups.values() for r in rows if r.unit.code == UNIT)
    row = SimpleNamespace(unit=used.unit, result=detailed(first, used, ctx))  # the unit's file in use, checked in full
    unit = campaign.unit(UNIT)
    codes = plan(catalog, unit.level, campaign.appraisal)["Sở Thông tin và Truyền thông"]
    blank = book.build(catalog, campaign, unit, "Sở Thông tin và Truyền thông", codes, row.result)
    return catalog, campaign, ctx, folder, tmp, first, row, blank


def test_assignment_by_criterion_then_pillar_then_default():
    table = {"default": "Sở TT&TT", "by_pillar": {"2": "Sở Nội vụ"}, "by_criterion": {"2.5.1": "Sở Tài chính"}}
    assert appraiser_of("2.5.1", table) == "Sở Tài chính"
    assert appraiser_of("2.1.1", table) == "Sở Nội vụ"
    assert appraiser_of("5.1.1", table) == "Sở TT&TT"
    assert appraiser_of("5.1.1", {}) == "Sở Thông tin và Truyền thông"


def test_the_latest_appraisal_wins_and_disagreement_is_a_conflict():
    catalog = hue_dx.load_catalog()
    base = {"5.1.1": {"a": 100, "b": 80}}
    early = Appraisal("5.1.1", "A", {"b": 50}, "ít hơn", "2026-01-01T00:00:00Z", "a.xlsx", "1")
    late = Appraisal("5.1.1", "B", {"b": 60}, "kiểm tra lại", "2026-01-02T00:00:00Z", "b.xlsx", "2")
    final = apply(catalog, "huyen", base, [late, early])
    assert final.applied["5.1.1"] is late
    assert final.final.criterion("5.1.1").points == pytest.approx(1.2)
    assert final.self_result.criterion("5.1.1").points == pytest.approx(1.6)  # the self-assessment is untouched
    assert set(final.conflicts) == {"5.1.1"}
    agreeing = apply(catalog, "huyen", base, [early, Appraisal("5.1.1", "B", {"b": 50}, "ít hơn", "2026-01-03", "c.xlsx", "3")])
    assert not agreeing.conflicts


def test_the_appraisal_workbook_shows_the_units_figures_and_computes_the_appraised_score(world, tmp_path):
    catalog, campaign, ctx, folder, tmp, first, row, blank = world
    wb = load_workbook(io.BytesIO(blank))
    ws = wb[book.SHEET]
    assert ws.protection.sheet and "A Lưới" in ws["A2"].value
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("=IF(") for t in texts)
    # LibreOffice computes the appraised scores: with nothing appraised they equal the self-scores
    changed = fill_appraisal(blank, {"5.1.1": {"b": 10}}, {"5.1.1": "Chỉ 10 tài khoản hoạt động"}, "2026-02-01T00:00:00Z")
    path = tmp_path / "in" / "ap.xlsx"
    path.parent.mkdir()
    path.write_bytes(changed)
    (computed,) = libreoffice_recalc([path], tmp_path / "out")
    codes = ["5.1.1", "5.2.2", "5.3.1", "6.1.1"]
    values = read_by_names(computed, [book.score_name(c) for c in codes])
    merged = {k: dict(v) for k, v in row.result.scored_inputs.items()}
    merged["5.1.1"]["b"] = 10
    engine = score_unit(catalog, merged, "huyen")
    for code in codes:
        expected = engine.criterion(code).points
        got = values[book.score_name(code)]
        assert (expected is None and got in (None, "")) or got == pytest.approx(expected), code


def test_appraisals_come_back_and_give_final_scores_with_reasons(world):
    catalog, campaign, ctx, folder, tmp, first, row, blank = world
    self_points = {c[0]: c[1] for c in row.result.criteria}
    inbox = folder
    lower = fill_appraisal(blank, {"5.1.1": {"b": 10}}, {"5.1.1": "Chỉ 10 tài khoản hoạt động", "3.3.2.1": "Đã kiểm tra, đồng ý"},
                           "2026-02-01T08:00:00Z")
    codes = plan(catalog, "huyen", campaign.appraisal)["Sở Thông tin và Truyền thông"]
    up = next(c.code for c in catalog.criteria if c.code in codes and c.kind == "yes_no" and self_points[c.code] == 0)
    raise_ = fill_appraisal(blank, {up: {"a": "Có"}}, {up: "Đã có văn bản, đơn vị quên đánh dấu"}, "2026-02-02T08:00:00Z")
    conflict = fill_appraisal(blank, {"5.1.1": {"b": 20}}, {"5.1.1": "Đếm lại: 20 tài khoản"}, "2026-02-03T08:00:00Z")
    bad = fill_appraisal(blank, {"5.3.2": {"a": "mười"}}, {}, "2026-02-04T08:00:00Z")
    for name, data in (("tham-dinh-1.xlsx", lower), ("tham-dinh-2.xlsx", raise_), ("tham-dinh-3.xlsx", conflict), ("tham-dinh-4.xlsx", bad)):
        (inbox / name).write_bytes(data)
    result = consolidate(catalog, campaign, [inbox], tmp / "archive", workers=1, context=ctx)
    unit_row = next(r for rows in result.groups.values() for r in rows if r.unit.code == UNIT)
    final = {c.code: c for c in unit_row.final.final.criteria}
    differences = {d["code"]: d for d in result.differences if d["unit"] == UNIT}
    # lowered (the later, conflicting appraisal counts: b = 20 of a)
    a = row.result.scored_inputs["5.1.1"]["a"]
    assert final["5.1.1"].points == pytest.approx(min(1, 20 / a) * 2)
    assert differences["5.1.1"]["difference"] < 0 and differences["5.1.1"]["reason"] == "Đếm lại: 20 tài khoản"
    # raised
    assert final[up].points == catalog.criterion(up).max > self_points[up]
    assert differences[up]["difference"] > 0
    # only a reason: same score, the reason is kept
    assert final["3.3.2.1"].points == self_points["3.3.2.1"]
    assert differences["3.3.2.1"]["difference"] == 0 and differences["3.3.2.1"]["reason"] == "Đã kiểm tra, đồng ý"
    assert unit_row.final.source("3.3.2.1") == "thẩm định" and unit_row.final.source("1.1.1") == "tự đánh giá"
    codes = {(i.code, i.criterion) for i in result.issues if i.unit == UNIT}
    assert ("appraisal-conflict", "5.1.1") in codes
    assert ("input-not-number", "5.3.2") in codes and ("appraisal-no-reason", "5.3.2") in codes
    # the ranking uses final scores; the self index is kept beside it
    assert unit_row.index == unit_row.final.final.total.index != unit_row.self_index
    # audit trail: who, when, which criteria, reasons; the self-assessment file is untouched
    db = sqlite3.connect(tmp / "archive" / "ledger.sqlite")
    trail = db.execute("SELECT criterion, appraiser, reason, saved FROM appraisals WHERE unit = ? ORDER BY saved, criterion", (UNIT,)).fetchall()
    assert ("5.1.1", "Sở Thông tin và Truyền thông", "Chỉ 10 tài khoản hoạt động", "2026-02-01T08:00:00Z") in trail
    assert len([t for t in trail if t[0] == "5.1.1"]) == 2
    body = json.loads(db.execute("SELECT result FROM files WHERE sha256 = ?", (row.result.sha256,)).fetchone()[0])
    assert body["kind"] == "self" and body["scored_inputs"]["5.1.1"] == row.result.scored_inputs["5.1.1"]
    # the titles say "after appraisal" now that one was applied (and only then: test_printed_workbooks); the
    # appraisal workbooks are not counted as the units' self-assessments
    from openpyxl import load_workbook

    from hue_dx import reports
    from hue_dx.intake.outputs import write_workbook

    write_workbook(result, tmp / "xep-hang.xlsx")
    assert load_workbook(tmp / "xep-hang.xlsx")["Xếp hạng"]["A1"].value.endswith("(SAU THẨM ĐỊNH)")
    report = reports.ranking_report(result)
    assert report.document.summary.endswith("(sau thẩm định)")
    selves = sum(1 for f in result.files if f.kind != "appraisal")
    assert selves == len(result.files) - 4 and f"Số sổ tự đánh giá nhận được: {selves}" in report.html


def test_check_describes_an_appraisal_workbook(world, tmp_path, capsys):
    from hue_dx import cli

    catalog, campaign, ctx, folder, tmp, first, row, blank = world
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(fill_appraisal(blank, {"5.1.1": {"b": 3}}, {"5.1.1": "Đếm lại"}, "2026-03-01T00:00:00Z"))
    code = cli.main(["check", str(path), "--recipe", str(campaign.path)])
    out = capsys.readouterr().out
    assert code == 0 and "Phiếu thẩm định của Sở Thông tin và Truyền thông cho UBND huyện A Lưới" in out
    assert "5.1.1: b = 3" in out and "lý do: Đếm lại" in out
