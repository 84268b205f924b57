"""Figures the Sở supplies for every unit: read from its CSV with typed issues, stamped into the
units' locked cells, and laid over what a unit's file holds when consolidating."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import central, names
from hue_dx.cli import main
from hue_dx.scoring import score_unit
from hue_dx.workbook.build import build
from hue_dx.workbook.stamp import Template

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = hue_dx.load_catalog("mau-thu-nghiem-2026")
CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-mau-2026.toml")
CSV = ROOT / "samples" / "criteria" / "so-lieu-so-cung-cap-2026.csv"


def test_the_sample_file_gives_every_central_figure_of_every_unit():
    found = central.load(CSV, SAMPLE, CAMPAIGN)
    assert not found.issues and set(found.values) == {u.code for u in CAMPAIGN.units}
    assert found.of("SKHCN")["4.1.3"]["a"] in SAMPLE.criterion("4.1.3").inputs[0].choices
    assert isinstance(found.of("SKHCN")["4.1.1"]["a"], float)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "so.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_it_cannot_use_is_an_issue_naming_its_cell_and_the_rest_is_kept(tmp_path):
    text = ("unit;code;key;value\n"
            "SKHCN;4.1.1;a;1200\n"
            "SKHCN;4.1.1;b;960,5\n"      # a decimal comma (Excel in Vietnamese): a count must be whole
            "SKHCN;4.1.2;a;1.000.000\n"  # thousands separators: not a number
            "SKHCN;4.1.2;b;\n"
            "SKHCN;4.1.3;a;Hài lòng\n"
            "SKHCN;4.1.3;a;Rất hài lòng\n"  # twice: the later line counts
            "SKHCN;2.1.1;a;10\n"            # the unit declares it itself
            "SKHCN;9.9.9;a;1\n"
            "SKHCNN;4.2.1;a;0\n"
            "SKHCN;5.2.1;b;co roi\n")
    found = central.load(write(tmp_path, text), SAMPLE, CAMPAIGN)
    codes = [(i.code, i.cell) for i in found.issues if i.unit == "SKHCN" or i.code == "central-unit-unknown"]
    assert ("central-value-bad", "D3") in codes and ("central-value-bad", "D4") in codes and ("central-value-blank", "D5") in codes
    assert ("central-duplicate", "D7") in codes and ("central-not-central", "C8") in codes and ("central-input-unknown", "C9") in codes
    assert ("central-unit-unknown", "A10") in codes and ("central-value-bad", "D11") in codes
    assert found.of("SKHCN") == {"4.1.1": {"a": 1200.0}, "4.1.3": {"a": "Rất hài lòng"}}
    missing = next(i for i in found.issues if i.code == "central-missing" and i.unit == "SKHCN")
    assert "4.1.1 b" in missing.value and "4.2.1 a" in missing.value and "4.1.1 a," not in missing.value + ","
    assert all(i.severity == "warning" and i.message and i.hint for i in found.issues)


def test_a_file_without_the_columns_cannot_be_used_at_all(tmp_path):
    with pytest.raises(central.CentralError, match="unit, code, key, value"):
        central.load(write(tmp_path, "don_vi,ma,so_lieu,gia_tri\nSKHCN,4.1.1,a,1\n"), SAMPLE, CAMPAIGN)


def test_the_figures_of_the_so_replace_the_units_own_and_are_recorded_where_they_differ():
    own = {"4.1.1": {"a": 100.0, "b": 100.0}, "2.1.1": {"a": 10.0, "b": 5.0}}
    figures = {"4.1.1": {"a": 100.0, "b": 40.0}}
    assert central.lay_over(own, figures) == {"4.1.1": {"a": 100.0, "b": 40.0}, "2.1.1": {"a": 10.0, "b": 5.0}}
    assert central.changed(own, figures) == {"4.1.1": {"b": 40.0}}
    final = central.apply(SAMPLE, "so", own, figures, [], None, "Sở Khoa học và Công nghệ", "so.csv", "abc")
    assert final.self_result.criterion("4.1.1").points == 10
    assert final.final.criterion("4.1.1").points == pytest.approx(10 * 0.4 / 0.8)
    assert final.source("4.1.1") == "số liệu của Sở" and final.source("2.1.1") == "tự đánh giá"
    assert final.applied["4.1.1"].appraiser == "Sở Khoa học và Công nghệ"
    same = central.apply(SAMPLE, "so", own, {"4.1.1": {"a": 100.0, "b": 100.0}}, [])
    assert not same.applied and same.final == score_unit(SAMPLE, own, "so")


def test_the_figures_are_stamped_into_the_locked_cells_of_the_units_workbook():
    template = Template.from_bytes(build(SAMPLE, CAMPAIGN, "so").data)
    name_a, name_choice = names.input_name("4.1.1", "a"), names.input_name("4.1.3", "a")
    data = template.stamp({"unit_code": "SKHCN", "unit_name": "Sở Khoa học và Công nghệ", "generation_id": "0" * 32},
                          {name_a: 4203.0, name_choice: "Hài lòng"})
    wb = load_workbook(io.BytesIO(data))
    for name, value in ((name_a, 4203), (name_choice, "Hài lòng")):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][ref.replace("$", "")]
        assert cell.value == value and cell.protection.locked and wb[sheet].protection.sheet
    sheet, ref = next(iter(wb.defined_names[names.input_name("2.1.1", "a")].destinations))
    assert not wb[sheet][ref.replace("$", "")].protection.locked  # what the unit declares stays open
    with pytest.raises(KeyError):
        template.stamp({"unit_code": "X", "unit_name": "X", "generation_id": "0"}, {"hdx_in_9_9_a": 1})
    with pytest.raises(ValueError, match="không trống"):
        template.stamp({"unit_code": "X", "unit_name": "X", "generation_id": "0"}, {names.score_name("2.1.1"): 1})


def test_central_figures_for_a_set_that_has_none_are_refused(tmp_path, capsys):
    assert main(["generate", "--central", str(CSV), "--out", str(tmp_path)]) == 2
    assert "không có số liệu nào do Sở cung cấp" in capsys.readouterr().err


def test_a_workbook_sent_back_untouched_is_blank_although_the_figures_of_the_so_fill_some_cells(tmp_path):
    import hashlib

    from hue_dx.intake.check import Context, check_file

    template = Template.from_bytes(build(SAMPLE, CAMPAIGN, "so").data)
    figures = central.load(CSV, SAMPLE, CAMPAIGN).of("SKHCN")
    cells = {names.input_name(code, key): value for code, values in figures.items() for key, value in values.items()}
    data = template.stamp({"unit_code": "SKHCN", "unit_name": "Sở Khoa học và Công nghệ", "generation_id": "0" * 32}, cells)
    result = check_file(data, "x.xlsx", hashlib.sha256(data).hexdigest(), Context.create(SAMPLE, CAMPAIGN))
    assert result.figures == 0 and not result.submission and any(i.code == "file-blank" for i in result.issues)


def test_a_figure_of_the_so_missing_from_a_unit_workbook_is_not_asked_of_the_unit(tmp_path):
    """A workbook generated before the Sở had its figures, filled by the unit everywhere it can:
    the Sở's cells are not "thiếu số liệu" for the unit to fix (they are locked), only noted."""
    import hashlib
    import random

    from test_sample_set import _typical

    from hue_dx.intake.check import Context, check_file
    from hue_dx.workbook.fill import fill

    own = _typical(random.Random(3), "so")  # every figure a unit types, none of the Sở's
    data = Template.from_bytes(fill(build(SAMPLE, CAMPAIGN, "so").data, own, {"unit_preparer": "A", "unit_head": "B"})).stamp(
        {"unit_code": "SKHCN", "unit_name": "Sở Khoa học và Công nghệ", "generation_id": "0" * 32})
    result = check_file(data, "x.xlsx", hashlib.sha256(data).hexdigest(), Context.create(SAMPLE, CAMPAIGN))
    central_cells = {(c.code, i.key) for c, i in SAMPLE.central_inputs if c.applies("so")}
    assert central_cells and result.figures > 0
    asked = [(i.criterion, i.value.split(" ")[0]) for i in result.issues if i.code == "input-missing"]
    assert not [a for a in asked if a in central_cells], asked
    noted = {(i.criterion, i.value.split(" ")[0]) for i in result.issues if i.code == "input-central-blank"}
    assert noted == central_cells and all(i.severity == "info" for i in result.issues if i.code == "input-central-blank")
