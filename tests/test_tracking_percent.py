"""A percentage typed the way people type it ("70%"): Excel, LibreOffice and WPS store the number
0.7 in a cell whose number format is a percent format. The intake (``intake.styles``, the
cell's style carried by the reader), the workbook's check column (``answers.percent_of``), the
summary and the messages all read it as 70 percent; tested on workbooks written with the number
and the percent style as those programs store them, then re-saved (and recomputed) by
LibreOffice and by Gnumeric, the check column computed by each compared with the intake."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from engines import gnumeric_resave, libreoffice_resave
from openpyxl import load_workbook

from hue_dx.intake import xlsx
from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, roles, tasks
from hue_dx.tracking.generate import generate
from hue_dx.tracking.intake import Context, check_file
from hue_dx.tracking.summary import summarize

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
Q3 = periods.Quarter(2022, 3)
DUTY = roles.duties(CATALOG, RECIPE.units)["STTTT"]

# (status, what is in the cell, its number format, the percent meant): as a clerk types it
LEAD = [
    (an.IN_PROGRESS, 0.7, "0%", 70.0),          # "70%" in Excel: built-in format 9
    (an.DONE, 1, "0%", 100.0),                  # "100%": was read as 1, "phải là 100"
    (an.IN_PROGRESS, 0.705, "0.00%", 70.5),     # built-in format 10
    (an.LATE, 0.625, "0.0%", 62.5),             # a custom percent format
    (an.IN_PROGRESS, 70, '0"%"', 70.0),         # a quoted % is no percent format: 70 is 70
    (an.IN_PROGRESS, 70, "0.##", 70.0),         # typed 70, as the workbook asks
    (an.IN_PROGRESS, 1.5, "0%", None),          # "150%": out of range, said as the clerk sees it
]
INDICATOR = [(0.855, "0.0%", 85.5), (85.5, "0.##", 85.5)]


def _cell(wb, tag: str, task_id: str, key: str):
    sheet, coord = next(iter(wb.defined_names[tn.cell_name(tag, task_id, key)].destinations))
    return wb[sheet][coord.replace("$", "")]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The unit's workbook typed in, and the same re-saved by LibreOffice (recomputed) and Gnumeric."""
    tmp = tmp_path_factory.mktemp("percent")
    (g,) = generate(CATALOG, RECIPE, Q3, tmp / "so", units=[DUTY.unit])
    wb = load_workbook(tmp / "so" / g.path)
    for task, (status, value, fmt, _) in zip(DUTY.tasks, LEAD, strict=False):
        _cell(wb, tn.LEAD_TAG, task.id, "status").value = status
        cell = _cell(wb, tn.LEAD_TAG, task.id, "percent")
        cell.value, cell.number_format = value, fmt
        _cell(wb, tn.LEAD_TAG, task.id, "output").value = "Quyết định 12/QĐ-UBND"
        _cell(wb, tn.LEAD_TAG, task.id, "difficulties").value = "Thiếu vốn"
    indicators = [t for t in DUTY.indicators if t.target and t.target.unit == "%"]
    for task, (value, fmt, _) in zip(indicators, INDICATOR, strict=False):
        cell = _cell(wb, tn.LEAD_TAG, task.id, "value")
        cell.value, cell.number_format = value, fmt
        _cell(wb, tn.LEAD_TAG, task.id, "source").value = "Cổng dịch vụ công"
        _cell(wb, tn.LEAD_TAG, task.id, "measured_on").value = dt.datetime(2022, 9, 1)
    typed = tmp / "typed" / g.path
    typed.parent.mkdir()
    wb.save(typed)
    (lo,) = libreoffice_resave([typed], tmp / "lo")
    gnumeric = gnumeric_resave(typed, tmp / "gnumeric" / g.path)
    return {"typed": typed, "libreoffice": lo, "gnumeric": gnumeric}, indicators


def _checked(path: Path):
    data = path.read_bytes()
    return check_file(data, path.name, hashlib.sha256(data).hexdigest(), Context.create(CATALOG, RECIPE, Q3))


@pytest.mark.parametrize("which", ["typed", "libreoffice", "gnumeric"])
def test_a_typed_percentage_is_read_as_the_percent_meant(files, which):
    paths, indicators = files
    result = _checked(paths[which])
    assert result.accepted
    for task, (_, _, fmt, meant) in zip(DUTY.tasks, LEAD, strict=False):
        answer = result.answers.lead.get(task.id)
        assert (answer.percent if answer else None) == meant, (which, task.id, fmt)
    for task, (_, _, meant) in zip(indicators, INDICATOR, strict=False):
        assert result.answers.lead[task.id].value == meant, (which, task.id)
    over = [i for i in result.issues if i.code == "tk-percent-range"]
    assert [(i.criterion, i.value) for i in over] == [(DUTY.tasks[6].id, "150%")]  # said as the cell shows it
    assert "150%" in over[0].message
    done = DUTY.tasks[1].id  # "hoàn thành" with 100%: nothing to fix
    assert not [i for i in result.issues if i.criterion == done and i.code == "tk-row-incomplete"]


@pytest.mark.parametrize("which", ["libreoffice", "gnumeric"])
def test_the_check_column_computed_by_another_engine_says_what_the_intake_says(files, which):
    """Each engine computed the check column on re-save; the intake's verdict on the same cells
    (its Python check, given the percent as read) is the same message, row by row."""
    paths, indicators = files
    computed = load_workbook(paths[which], data_only=True)
    result = _checked(paths[which])
    incomplete = {i.criterion: i.value for i in result.issues if i.code == "tk-row-incomplete"}
    for task, (_, _, _, meant) in zip(DUTY.tasks, LEAD, strict=False):
        sheet, coord = next(iter(computed.defined_names[tn.check_name(tn.LEAD_TAG, task.id)].destinations))
        shown = computed[sheet][coord.replace("$", "")].value
        if meant is None:
            assert shown == an.MSG_PERCENT_RANGE == "% hoàn thành phải từ 0% đến 100%"  # the intake says it as tk-percent-range
        else:
            assert shown == incomplete.get(task.id, an.OK), (which, task.id)
    for task in indicators[: len(INDICATOR)]:
        sheet, coord = next(iter(computed.defined_names[tn.check_name(tn.LEAD_TAG, task.id)].destinations))
        assert computed[sheet][coord.replace("$", "")].value == incomplete.get(task.id, an.OK) == an.OK


def test_the_summary_averages_the_percent_meant(files):
    paths, _ = files
    result = _checked(paths["typed"])
    summary = summarize(CATALOG, RECIPE.units, Q3, {"STTTT": result.answers})
    row = next(r for r in summary.tasks if r.task.id == DUTY.tasks[0].id)
    assert row.percent == 70.0 and row.status == an.IN_PROGRESS


def test_the_workbook_says_how_to_type_a_percentage(files):
    paths, _ = files
    wb = load_workbook(paths["typed"])
    sheet, coord = next(iter(wb.defined_names[tn.cell_name(tn.LEAD_TAG, DUTY.tasks[0].id, "percent")].destinations))
    ws = wb[sheet]
    rule = next(dv for dv in ws.data_validations.dataValidation if coord.replace("$", "") in str(dv.sqref))
    assert "gõ 70 hoặc 70%" in rule.prompt and "gõ 70 hoặc 70%" in rule.error
    check = ws[next(iter(wb.defined_names[tn.check_name(tn.LEAD_TAG, DUTY.tasks[0].id)].destinations))[1].replace("$", "")].value
    assert 'CELL("format",' in check
    guide = "\n".join(str(c.value) for c in wb["Hướng dẫn"]["B"] if c.value)
    assert "gõ 70 hoặc 70%" in guide and "không gõ dấu %" not in guide


# ------------------------------------------------------------------------- the styles part


STYLES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:numFmts count="4"><x:numFmt numFmtId="164" formatCode="0.0%"/><x:numFmt numFmtId="165" formatCode="0&quot;%&quot;"/>
<x:numFmt numFmtId="166" formatCode="0\\%"/><x:numFmt numFmtId="167" formatCode="[Red]#,##0.00%;[Blue]-0%"/></x:numFmts>
<x:cellStyleXfs count="1"><x:xf numFmtId="9"/></x:cellStyleXfs>
<x:cellXfs count="8"><x:xf numFmtId="0"/><x:xf numFmtId="9" applyNumberFormat="1"/><x:xf numFmtId="10"><x:alignment wrapText="1"/></x:xf>
<x:xf numFmtId="164"/><x:xf numFmtId="165"/><x:xf numFmtId="166"/><x:xf numFmtId="167"/><x:xf numFmtId="14"/></x:cellXfs>
</x:styleSheet>"""


def test_percent_styles_of_a_styles_part():
    from hue_dx.intake import styles

    # cell style xfs (cellStyleXfs) are no cell formats; a quoted or escaped % shows a literal %
    assert styles.percent_styles(STYLES) == {1, 2, 3, 6}
    assert styles.percent_styles(b"<styleSheet/>") == frozenset()
    for code, percent in (("0%", True), ("#,##0.00%", True), ('0.0"%"', False), ("0\\%", False), ("[$-42A]0%", True), ("0.##", False),
                          ("_%0", False), ("dd/mm/yyyy", False)):
        assert styles.is_percent_format(code) is percent, code


def test_the_reader_carries_each_cells_style(files):
    from hue_dx.intake import styles

    paths, _ = files
    data = paths["typed"].read_bytes()
    book = load_workbook(paths["typed"])
    sheet, coord = next(iter(book.defined_names[tn.cell_name(tn.LEAD_TAG, DUTY.tasks[0].id, "percent")].destinations))
    ref = coord.replace("$", "")
    raw = xlsx.read(data, {sheet: {ref}})
    assert raw.cells[sheet][ref].value == 0.7 and raw.cells[sheet][ref].style in styles.of_workbook(raw)
    again = xlsx.read_cells(raw, sheet, {ref})
    assert again[ref].style == raw.cells[sheet][ref].style


def test_a_styles_part_declaring_a_dtd_is_not_parsed(files, tmp_path):
    import io
    import zipfile

    from hue_dx.intake import styles

    paths, _ = files
    source = zipfile.ZipFile(paths["typed"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/styles.xml":
                content = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + content.split(b"?>", 1)[-1]
            target.writestr(info, content)
    raw = xlsx.read(out.getvalue(), {})
    assert styles.of_workbook(raw) == frozenset()
