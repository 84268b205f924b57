"""The reader reads a workbook as ECMA-376 defines it, not as two programs write it (issue 20).

One filled assessment workbook and one filled quarterly workbook, each as openpyxl wrote it and
as LibreOffice saved it again (shared strings, stored results, empty cells written <c …/> right
before formula cells), each with one formula edited by the unit, are written in every form the
standard allows (``xlsxforms``: positional rows and cells, other part names and relationship
targets, prefixes, the Strict namespaces, self-closing and expanded elements, inline or shared
strings, rich text, phonetic runs, shared formulas, ISO dates, the 1904 date system, line ends,
character references, CDATA, comments, UTF-16, zip data descriptors, ZIP64, directory
entries…) and in combinations of forms drawn by hypothesis. Every variant must read exactly as
the original: the figures, scores, issues (at the same cells), evidence, contacts and identity
``check`` gives; the answers and issues of the quarterly intake; every cell, every formula by
cell, names and properties; dates the same days whatever the date system."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import corpus
import engines
import pytest
import xlsxforms as xf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.generate import generate
from hue_dx.intake import check, xlsx
from hue_dx.tracking import intake as tracking
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, tasks
from hue_dx.tracking.fill import fill as fill_quarterly
from hue_dx.tracking.generate import generate as generate_quarterly
from hue_dx.workbook.fill import fill, set_saved_time

ROOT = Path(__file__).resolve().parents[1]
CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
NAME, SHA = "so-danh-gia.xlsx", "ab" * 32
CONTACTS = {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B", "unit_head_title": "Giám đốc"}
EDITED = ("1. Chuyển đổi nhận thức", "G12")  # the check formula of an input, edited by the unit
EVIDENCE_DAY = dt.datetime(2020, 11, 23)
Q3 = periods.Quarter(2021, 3)
QUARTERLY_EDITED = ("Nhiệm vụ chủ trì", "L12")
MEASURED = dt.datetime(2021, 9, 1)


@dataclasses.dataclass(frozen=True)
class Base:
    name: str
    data: bytes
    dates: frozenset[tuple[str, str]]  # (sheet, cell) holding a date


def _edit_formula(data: bytes, sheet: str, ref: str, old: str, new: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    cell = wb[sheet][ref]
    assert old in cell.value
    cell.value = cell.value.replace(old, new)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Both workbooks as openpyxl wrote them and as LibreOffice saved them (one soffice call)."""
    tmp = tmp_path_factory.mktemp("conformance")
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(corpus.late_recipe(tmp))
    generate(catalog, campaign, tmp / "blank", [campaign.unit("STTTT")], manifest=False)
    blank = next((tmp / "blank").glob("*STTTT*.xlsx")).read_bytes()
    inputs = json.loads((ROOT / "samples" / "inputs" / "STTTT.json").read_text(encoding="utf-8"))["inputs"]
    codes = list(inputs)[:12]
    evidence = {code: {"number": f"{n}/QĐ-UBND", "date": EVIDENCE_DAY if n % 2 else "15/03/2020",
                       "title": "Quyết định\nvề chuyển đổi số  " if n % 3 == 0 else f"Kế hoạch số {n}"} for n, code in enumerate(codes)}
    filled = _edit_formula(fill(blank, inputs, CONTACTS, evidence), *EDITED, '"thiếu"', '"chưa có"')
    (tmp / "so.xlsx").write_bytes(set_saved_time(filled, "2026-01-01T08:00:00Z"))

    plan = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
    task_catalog = tasks.load(plan.tasks)
    made = generate_quarterly(task_catalog, plan, Q3, tmp / "quy", units=[plan.unit("SNV")])[0]
    quarterly = fill_quarterly((tmp / "quy" / made.path).read_bytes(), {
        "PL2.I.11": {"status": "hoàn thành", "percent": 100, "output": "Quyết định 12/QĐ-SNV\nvà phụ lục"},
        "PL1.5": {"value": 40.5, "source": "Hệ thống quản lý văn bản", "measured_on": MEASURED},
    }, {"PL2.I.1": {"status": "Hoàn thành", "contribution": "Góp ý dự thảo"}}, {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B"})
    quarterly = _edit_formula(quarterly, *QUARTERLY_EDITED, '"chưa chọn trạng thái"', '"chọn trạng thái"')
    (tmp / "quy.xlsx").write_bytes(set_saved_time(quarterly, "2021-09-15T02:00:00Z"))
    resaved = engines.libreoffice_resave([tmp / "so.xlsx", tmp / "quy.xlsx"], tmp / "lo")

    def evidence_dates(data: bytes) -> frozenset[tuple[str, str]]:
        raw = xlsx.read(data, formulas=False)
        out = set()
        for n, code in enumerate(codes):
            if n % 2:
                sheet, ref = xlsx.destination(raw.names[names.score_name(code)])  # type: ignore[misc]
                out.add((sheet, names.evidence_refs(ref)["date"]))
        return frozenset(out)

    def measured(data: bytes) -> frozenset[tuple[str, str]]:
        raw = xlsx.read(data, formulas=False)
        return frozenset({xlsx.destination(raw.names[tn.cell_name(tn.LEAD_TAG, "PL1.5", "measured_on")])})  # type: ignore[arg-type]

    so, quy = (tmp / "so.xlsx").read_bytes(), (tmp / "quy.xlsx").read_bytes()
    so_lo, quy_lo = resaved[0].read_bytes(), resaved[1].read_bytes()
    return {
        "ctx": check.Context.create(catalog, campaign),
        "quarterly_ctx": tracking.Context.create(task_catalog, plan, Q3),
        "assessment": [Base("openpyxl", so, evidence_dates(so)), Base("libreoffice", so_lo, evidence_dates(so_lo))],
        "quarterly": [Base("openpyxl", quy, measured(quy)), Base("libreoffice", quy_lo, measured(quy_lo))],
    }


# --------------------------------------------------------------------------- what must not change


def _day(serial: float, date1904: bool) -> dt.date:
    return (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)) + dt.timedelta(days=int(serial))


def _reading(data: bytes, dates: frozenset[tuple[str, str]], refs: dict[str, set[str]], date1904: bool = False) -> dict:
    """The reader's view of a file: sheets, names, properties, the cells ``refs`` (dates as days,
    in the system the file was written in), the formulas in cell order and by cell."""
    raw = xlsx.read(data, refs)
    cells = {}
    for sheet, found in raw.cells.items():
        for ref, cell in found.items():
            value = cell.value
            if (sheet, ref) in dates and isinstance(value, float):
                value = _day(value, date1904)
            cells[sheet, ref] = (value, cell.kind, cell.formula)
    return {"sheets": raw.sheets, "names": raw.names, "properties": raw.properties, "modified": raw.modified,
            "macros": raw.macros, "cells": cells, "formulas": raw.formulas,
            "by_cell": {sheet: xlsx.formula_cells(raw, sheet) for sheet in raw.sheets}}


def _every_ref(data: bytes) -> dict[str, set[str]]:
    """Every cell the file writes (as an XML parser finds them) and a few it does not."""
    raw = xlsx.read(data, formulas=False)
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for sheet in raw.sheets:
            root = ET.fromstring(zf.read(raw.paths[sheet]))
            out[sheet] = {c.get("r", "") for c in root.iter(f"{{{xf.MAIN}}}c")} | {"A999", "Z1", "B2"}
    return out


def _assessment(data: bytes, ctx) -> dict:
    result = dataclasses.asdict(check.check_file(data, NAME, SHA, ctx, details=True))
    result.pop("size")  # the one thing that differs: the file's length
    return result


def _quarterly(data: bytes, ctx) -> dict:
    result = dataclasses.asdict(tracking.check_file(data, NAME, SHA, ctx))
    result.pop("size")
    return result


@pytest.fixture(scope="module")
def expected(world):
    """What each base reads as, worked out once."""
    out = {}
    for kind, read in (("assessment", _assessment), ("quarterly", _quarterly)):
        for base in world[kind]:
            refs = _every_ref(base.data)
            out[kind, base.name] = (read(base.data, world["ctx" if kind == "assessment" else "quarterly_ctx"]),
                                    _reading(base.data, base.dates, refs), refs)
    return out


def _same(kind: str, base: Base, forms: tuple[str, ...], seed: int, world, expected) -> None:
    data = xf.variant(base.data, forms, base.dates, seed=seed)
    checked = _assessment(data, world["ctx"]) if kind == "assessment" else _quarterly(data, world["quarterly_ctx"])
    want_checked, want_read, refs = expected[kind, base.name]
    for key, value in want_checked.items():
        assert checked[key] == value, (kind, base.name, forms, key)
    read = _reading(data, base.dates, refs, "date1904" in forms)
    if "shared-formulas" in forms:  # the list holds each shared formula once: compare it by cell only
        read.pop("formulas")
        want_read = {k: v for k, v in want_read.items() if k != "formulas"}
    for key, value in want_read.items():
        if key == "cells":
            differing = {k: (v, read[key].get(k)) for k, v in value.items() if read[key].get(k) != v}
            extra = set(read[key]) - set(value)
            assert not differing and not extra, (kind, base.name, forms, dict(list(differing.items())[:3]), sorted(extra)[:3])
        else:
            assert read[key] == value, (kind, base.name, forms, key)


# --------------------------------------------------------------------------- the originals read right


def test_the_originals_read_as_filled(world, expected):
    """Checked against what was typed, not only against each other: the edited formula reported
    at its own cell and nowhere else (a LibreOffice file writes the cell before it <c …/>), the
    evidence date as the day typed, the quarterly date and the edited quarterly formula too."""
    for base in world["assessment"]:
        result = expected["assessment", base.name][0]
        changed = [(i.sheet, i.cell) for i in result["issues"] if i.code == "formula-changed"]
        assert changed == [EDITED], base.name
        assert result["accepted"] and result["figures"] > 100
        assert sum(texts.count("23/11/2020") for texts in result["evidence"].values()) == 6, base.name
        assert any("Quyết định\nvề chuyển đổi số  " in texts for texts in result["evidence"].values())
    for base in world["quarterly"]:
        result = expected["quarterly", base.name][0]
        changed = [(i.sheet, i.cell) for i in result["issues"] if i.code == "tk-check-changed"]
        assert changed == [QUARTERLY_EDITED], base.name
        assert result["answers"]["lead"]["PL1.5"]["measured_on"] == MEASURED.date()
        assert result["answers"]["lead"]["PL2.I.11"]["output"] == "Quyết định 12/QĐ-SNV\nvà phụ lục"


def _element_formulas(data: bytes, sheet: str) -> dict[str, str]:
    """Formulas by cell as an XML parser reads the sheet (shared formulas moved to their cells)."""
    raw = xlsx.read(data, formulas=False)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = ET.fromstring(zf.read(raw.paths[sheet]))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    out, masters, dependents = {}, {}, []
    for cell in root.iter(main + "c"):
        formula = cell.find(main + "f")
        if formula is None:
            continue
        ref, text = cell.get("r"), formula.text or ""
        if formula.get("t") == "shared":
            if text:
                masters[formula.get("si")] = (ref, text)
            else:
                dependents.append((ref, formula.get("si")))
                continue
        out[ref] = "=" + text
    for ref, si in dependents:
        master_ref, text = masters[si]
        out[ref] = "=" + xlsx.move_formula(text, master_ref, ref)
    return out


def test_formulas_by_cell_are_those_an_xml_parser_reads(world):
    """_CELL_F ran from a self-closing empty cell (<c r="F12" s="21"/>, as LibreOffice writes
    them) into the next cell's formula and gave it to the wrong cell."""
    for base in world["assessment"] + world["quarterly"]:
        for variant in (base.data, xf.variant(base.data, ["shared-formulas", "expanded"], base.dates)):
            raw = xlsx.read(variant)
            for sheet in raw.sheets:
                assert xlsx.formula_cells(raw, sheet) == _element_formulas(variant, sheet), (base.name, sheet)


# --------------------------------------------------------------------------- every form, then combinations


@pytest.mark.parametrize("form", xf.FORMS)
@pytest.mark.parametrize("base", ["openpyxl", "libreoffice"])
def test_every_form_of_the_assessment_reads_the_same(world, expected, base, form):
    _same("assessment", next(b for b in world["assessment"] if b.name == base), (form,), 1, world, expected)


@pytest.mark.parametrize("form", xf.FORMS)
def test_every_form_of_the_quarterly_workbook_reads_the_same(world, expected, form):
    _same("quarterly", world["quarterly"][1], (form,), 2, world, expected)


def test_written_back_as_is_reads_the_same(world, expected):
    for base in world["assessment"]:
        _same("assessment", base, (), 0, world, expected)


def test_a_1904_workbook_shows_the_days_typed(world):
    """Excel for Mac's 1904 date system: the serials are 1,462 days smaller, the days the same
    (the old reader printed 22/11/2016 for 23/11/2020)."""
    base = world["assessment"][1]
    result = check.check_file(xf.variant(base.data, ["date1904"], base.dates), NAME, SHA, world["ctx"], details=True)
    assert sum(texts.count("23/11/2020") for texts in result.evidence.values()) == 6
    assert xlsx.read(xf.variant(base.data, ["date1904"], base.dates)).date1904 and not xlsx.read(base.data).date1904
    quarterly = world["quarterly"][1]
    answers = tracking.check_file(xf.variant(quarterly.data, ["date1904"], quarterly.dates), NAME, SHA, world["quarterly_ctx"]).answers
    assert answers.lead["PL1.5"].measured_on == MEASURED.date()


def _combinations():
    def allowed(forms: frozenset[str]) -> bool:
        return all(len(forms & group) <= 1 for group in xf.EXCLUSIVE)

    return st.frozensets(st.sampled_from(xf.FORMS), min_size=2, max_size=9).filter(allowed)


@settings(max_examples=40 if CI else 12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(forms=_combinations(), seed=st.integers(0, 2**16), base=st.sampled_from([0, 1]), kind=st.sampled_from(["assessment", "quarterly"]))
def test_forms_combined_read_the_same(world, expected, forms, seed, base, kind):
    _same(kind, world[kind][base], tuple(sorted(forms)), seed, world, expected)


# --------------------------------------------------------------------------- dates


def test_serials_are_days_in_the_workbook_s_own_system():
    assert xlsx.serial_date(44158.0) == dt.date(2020, 11, 23)
    assert xlsx.serial_date(44158.0 - 1462, date1904=True) == dt.date(2020, 11, 23)
    assert xlsx.serial_date(0.0, date1904=True) == dt.date(1904, 1, 1)
    assert xlsx.serial_date(44158.75) == dt.date(2020, 11, 23)  # a time of day is dropped
    # Excel's 1900 system counts a 29 February 1900 (serial 60): day 1 is 1 January 1900
    assert xlsx.serial_date(1.0) == dt.date(1900, 1, 1)
    assert xlsx.serial_date(59.0) == dt.date(1900, 2, 28)
    assert xlsx.serial_date(61.0) == dt.date(1900, 3, 1)
    for nothing in (60.0, 0.0, -1.0, 2958466.0, float("nan"), True, "44158"):
        assert xlsx.serial_date(nothing) is None, nothing
    assert xlsx.serial_date(2958465.0) == dt.date(9999, 12, 31)
    assert xlsx.serial_date(-1.0, date1904=True) is None
