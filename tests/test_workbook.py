"""The generated workbook itself: native functions only, guard rails, identity, names, print setup."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import FORMULAE

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.workbook import build as build_mod
from hue_dx.workbook.identity import fingerprint
from hue_dx.workbook.stamp import Template

ROOT = Path(__file__).resolve().parents[1]
CATALOG = hue_dx.load_catalog()
CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
UNIT = {"unit_code": "SNV", "unit_name": "Sở Nội vụ", "generation_id": "1234abcd" * 4}


@pytest.fixture(scope="module")
def stamped():
    built = build_mod.build(CATALOG, CAMPAIGN, "so")
    return Template.from_bytes(built.data).stamp(UNIT), built


@pytest.fixture(scope="module")
def wb(stamped):
    return load_workbook(io.BytesIO(stamped[0]))


def formulas_of(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield ws.title, cell.coordinate, cell.value


def test_only_functions_of_the_excel_2007_set_are_used(wb):
    used = set()
    for _, _, formula in formulas_of(wb):
        text = re.sub(r'"[^"]*"', '""', formula)  # function-like words inside strings do not count
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
    assert used, "no formula found"
    assert used <= FORMULAE, f"functions outside the Excel 2007 set: {sorted(used - FORMULAE)}"
    assert not any("_xlfn" in f for _, _, f in formulas_of(wb))


def test_the_function_check_would_catch_a_newer_function():
    assert "IFS" not in FORMULAE and "XLOOKUP" not in FORMULAE and "TEXTJOIN" not in FORMULAE


def test_sheets_are_named_within_31_characters_in_order(wb):
    titles = [ws.title for ws in wb.worksheets]
    assert titles == ["Hướng dẫn", "Thông tin đơn vị", *[p.sheet_name for p in CATALOG.pillars], "Tổng hợp"]
    assert all(len(t) <= 31 and unicodedata.is_normalized("NFC", t) for t in titles)


def test_every_text_is_nfc(stamped):
    with zipfile.ZipFile(io.BytesIO(stamped[0])) as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                text = zf.read(name).decode("utf-8")
                assert unicodedata.is_normalized("NFC", text), name


def test_every_input_and_score_has_its_defined_name(wb):
    defined = set(wb.defined_names)
    for c in CATALOG.criteria:
        assert {names.score_name(c.code), names.status_name(c.code), names.amax_name(c.code)} <= defined
        assert {names.input_name(c.code, i.key) for i in c.inputs} <= defined
    for p in CATALOG.pillars:
        assert names.pillar_name(p.code, "index") in defined
    assert names.total_name("index") in defined


def cell(wb, name):
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][coord.replace("$", "")]


def test_identity_is_in_custom_properties_and_constant_names(wb, stamped):
    built = stamped[1]
    expected = {"catalog_id": CATALOG.id, "catalog_version": CATALOG.version, "period": "2020", "unit_code": "SNV",
                "level": "so", "generation_id": UNIT["generation_id"], "fingerprint": built.fingerprint}
    props = {p.name: p.value for p in wb.custom_doc_props}
    for key, value in expected.items():
        name = names.identity_name(key)
        assert props[name] == value
        assert wb.defined_names[name].attr_text == f'"{value}"'
    assert cell(wb, "hdx_unit_name").value == "Sở Nội vụ"
    assert "Sở Nội vụ" in wb.properties.title


def test_the_fingerprint_is_recomputed_from_the_saved_file(wb, stamped):
    assert fingerprint(wb) == stamped[1].fingerprint


def test_a_changed_formula_or_inserted_row_changes_the_fingerprint(stamped):
    original = load_workbook(io.BytesIO(stamped[0]))
    changed = load_workbook(io.BytesIO(stamped[0]))
    cell(changed, names.score_name("5.1.1")).value = 2
    assert fingerprint(changed) != fingerprint(original)
    inserted = load_workbook(io.BytesIO(stamped[0]))
    inserted["5. Hoạt động của Chính quyền số"].insert_rows(10)
    sheet, coord = next(iter(inserted.defined_names[names.score_name("5.14.4")].destinations))
    inserted.defined_names[names.score_name("5.14.4")].attr_text = f"'{sheet}'!$F$999"  # what a client does to names below
    assert fingerprint(inserted) != fingerprint(original)


def test_stamping_a_template_gives_the_workbook_built_from_scratch(stamped):
    scratch = load_workbook(io.BytesIO(build_mod.build(CATALOG, CAMPAIGN, "so", UNIT).data))
    fast = load_workbook(io.BytesIO(stamped[0]))
    for a, b in zip(scratch.worksheets, fast.worksheets, strict=True):
        assert a.title == b.title
        # (an empty text and an empty cell print alike: a unit without a parent body stamps "")
        assert [[c.value if c.value != "" else None for c in row] for row in a.iter_rows()] == \
            [[c.value if c.value != "" else None for c in row] for row in b.iter_rows()]
        assert a.oddFooter.left.text == b.oddFooter.left.text
    assert {p.name: p.value for p in scratch.custom_doc_props} == {p.name: p.value for p in fast.custom_doc_props}


def test_only_input_evidence_and_unit_fields_are_unlocked(wb):
    unlocked_names = set()
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        for row in ws.iter_rows():
            for c in row:
                if not c.protection.locked:
                    unlocked_names.add((ws.title, c.coordinate))
    expected = set()
    for c in CATALOG.criteria:
        if "so" in c.applies_to:
            for i in c.inputs:
                target = cell(wb, names.input_name(c.code, i.key))
                expected.add((target.parent.title, target.coordinate))
            score = cell(wb, names.score_name(c.code))
            for ref in names.evidence_refs(score.coordinate).values():
                expected.add((score.parent.title, ref))
    for f in ("unit_preparer", "unit_preparer_title", "unit_phone", "unit_email", "unit_head", "unit_head_title"):
        target = cell(wb, names.identity_name(f))
        expected.add((target.parent.title, target.coordinate))
    assert unlocked_names == expected


def test_every_applicable_input_has_validation_of_its_type(wb):
    for c in CATALOG.criteria:
        if "so" not in c.applies_to:
            continue
        for i in c.inputs:
            target = cell(wb, names.input_name(c.code, i.key))
            rules = [dv for dv in target.parent.data_validations.dataValidation if target.coordinate in dv.sqref]
            assert len(rules) == 1, (c.code, i.key)
            dv = rules[0]
            expected = {"count": "whole", "number": "decimal", "amount": "decimal", "yesno": "list", "choice": "list"}[i.type]
            assert dv.type == expected and dv.error and dv.showErrorMessage
            if i.type in ("count", "number", "amount"):
                assert dv.operator == "between" and dv.formula1 == "0" and float(dv.formula2) == i.max  # the catalog's scale
                assert f"{i.max:,.0f}".replace(",", ".") in dv.error
            else:
                assert dv.formula1 == '"' + ",".join(i.choices) + '"'


def test_criteria_of_another_level_are_greyed_not_applicable(wb):
    assert cell(wb, names.status_name("5.10.3")).value == "không áp dụng"
    assert cell(wb, names.amax_name("5.10.3")).value == 0
    assert cell(wb, names.input_name("5.10.3", "a")).protection.locked


def test_print_setup_a4_fit_to_width_titles_and_footer(wb):
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Sở Nội vụ" in ws.oddFooter.left.text and "&P" in ws.oddFooter.right.text
    pillar = wb[CATALOG.pillars[0].sheet_name]
    assert pillar.print_title_rows.replace("$", "") == "4:4" and pillar.page_setup.orientation == "landscape"
    summary = wb["Tổng hợp"]
    assert summary.page_setup.fitToHeight == 1 and summary.page_setup.orientation == "portrait"
    texts = {c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "NGƯỜI LẬP BIỂU"} <= texts
    assert any("THỦ TRƯỞNG ĐƠN VỊ" in t and "hdx_unit_head_title" in t for t in texts)  # the head's position as the unit fills it in
    assert summary._charts, "the summary has a chart of the pillars"


def test_cells_use_times_new_roman(wb):
    fonts = {c.font.name for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}


def test_the_catalog_json_gives_each_cell_name(wb):
    from hue_dx.cli import catalog_as_dict

    data = catalog_as_dict(CATALOG)
    for item in data["criteria"]:
        assert item["score_name"] in wb.defined_names
        for i in item["inputs"]:
            assert i["cell_name"] in wb.defined_names


def test_a_workbook_stays_well_under_150_kb(stamped):
    assert len(stamped[0]) < 150 * 1024
