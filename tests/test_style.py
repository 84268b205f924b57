"""One way to write a cell (hue_dx/workbook/style.py): what openpyxl really writes, read back
from the sheet's XML, for text that looks like a formula and for the generator's formulas."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from hue_dx.workbook import style

TEXTS = ['=HYPERLINK("http://example.invalid/?x","x")', "+1+1", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "=", "Dòng 1\x0bDòng 2\x00"]


def _saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_str_is_text_whatever_it_begins_with_and_a_formula_only_when_said():
    wb = Workbook()
    ws = wb.active
    for n, text in enumerate(TEXTS, start=1):
        style.put(ws, f"A{n}", text)
    style.put_formula(ws, "B1", "=SUM(1,2)")
    style.write_formula(ws["B2"], '=IF(A1="","",A1)')
    style.write(ws["B3"], 12.5)
    data = _saved(wb)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<f>") == 2 and "<f>SUM(1,2)</f>" in sheet and "HYPERLINK" not in sheet.split("<f>", 1)[1].split("</f>")[0]
    assert sheet.count('t="inlineStr"') == len(TEXTS)
    back = load_workbook(io.BytesIO(data)).active
    assert [back[f"A{n}"].value for n in range(1, len(TEXTS) + 1)] == [*TEXTS[:-1], "Dòng 1\nDòng 2"]  # what XML cannot hold, made safe
    assert [back[f"A{n}"].data_type for n in range(1, len(TEXTS) + 1)] == ["s"] * len(TEXTS)
    assert back["B3"].value == 12.5


def test_a_formula_must_be_one():
    with pytest.raises(ValueError):
        style.write_formula(Workbook().active["A1"], "SUM(1,2)")


def test_a_text_cut_to_what_a_cell_holds():
    ws = Workbook().active
    assert len(style.write(ws["A1"], "Ậ" * 40_000).value) == 32_767
