"""A workbook re-saved by LibreOffice (as units do) keeps its identity, names, validation,
protection and print setup."""

from __future__ import annotations

from pathlib import Path

import pytest
from engines import libreoffice_recalc
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.workbook.build import build
from hue_dx.workbook.fill import fill
from hue_dx.workbook.stamp import Template

ROOT = Path(__file__).resolve().parents[1]
CATALOG = hue_dx.load_catalog()
CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
UNIT = {"unit_code": "HALUOI", "unit_name": "UBND huyện A Lưới", "generation_id": "feedc0de" * 4}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    directory = tmp_path_factory.mktemp("resave")
    built = build(CATALOG, CAMPAIGN, "huyen")
    original = directory / "in" / "a-luoi.xlsx"
    original.parent.mkdir()
    original.write_bytes(fill(Template.from_bytes(built.data).stamp(UNIT), {"5.1.1": {"a": 120, "b": 90}}))
    (resaved,) = libreoffice_recalc([original], directory / "out")
    return load_workbook(original), load_workbook(resaved), built


def test_identity_survives(pair):
    before, after, built = pair
    props = {p.name: p.value for p in after.custom_doc_props}
    for key, value in {"catalog_id": CATALOG.id, "period": "2020", "unit_code": "HALUOI", "level": "huyen",
                       "generation_id": UNIT["generation_id"], "fingerprint": built.fingerprint}.items():
        name = names.identity_name(key)
        assert props[name] == value
        assert after.defined_names[name].attr_text.strip('"') == value


def test_every_defined_name_survives_pointing_to_the_same_cell(pair):
    before, after, _ = pair
    for name in before.defined_names:
        assert name in after.defined_names, name
        assert after.defined_names[name].attr_text.replace("$", "") == before.defined_names[name].attr_text.replace("$", ""), name


def validated_cells(ws):
    """(type, formula, error message, cell) for every validated cell: LibreOffice merges ranges."""
    return {(dv.type, dv.formula1, dv.error, cell) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges for cell in r.cells}


def test_validation_protection_and_print_setup_survive(pair):
    before, after, _ = pair
    for a, b in zip(before.worksheets, after.worksheets, strict=True):
        assert a.title == b.title
        assert b.protection.sheet
        assert validated_cells(a) == validated_cells(b)
        unlocked = lambda ws: {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}  # noqa: E731
        assert unlocked(a) <= unlocked(b) | set()
        assert str(b.page_setup.paperSize) == "9" and b.page_setup.orientation == a.page_setup.orientation
        assert b.sheet_properties.pageSetUpPr.fitToPage
        assert (b.print_title_rows or "").replace("$", "") == (a.print_title_rows or "").replace("$", "")
        assert "A Lưới" in (b.oddFooter.left.text or "")


def test_the_fingerprint_survives_a_libreoffice_resave(pair):
    from hue_dx.workbook.identity import fingerprint

    _, after, built = pair
    assert fingerprint(after) == built.fingerprint
