"""Fill a workbook's input cells by name, as a unit would type them (for samples, demos and tests).

Uses openpyxl load and save, which is safe for hue-dx's own workbooks (their validations are
inline lists). Never use it on a returned file: originals are never modified. A text is typed as
text, whatever it begins with (as Excel stores '=…): ``style.write``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from openpyxl import load_workbook

from .. import names
from .style import write


def cell_named(wb, name: str):
    """The cell a defined name points at (the first cell of its destination)."""
    destinations = list(wb.defined_names[name].destinations)
    sheet, coord = destinations[0]
    return wb[sheet][coord.replace("$", "")]


def fill(data: bytes, inputs: Mapping[str, Mapping[str, Any]], unit: Mapping[str, str] | None = None,
         evidence: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    """A copy of the workbook with inputs {code: {key: value}}, unit fields {"unit_preparer": …}
    and evidence {code: {"number": …, "date": …, "title": …, "link": …}} written in."""
    wb = load_workbook(io.BytesIO(data))
    for code, values in inputs.items():
        for key, value in values.items():
            name = names.input_name(code, key)
            if name in wb.defined_names:
                write(cell_named(wb, name), value)
    for field, value in (unit or {}).items():
        write(cell_named(wb, names.identity_name(field)), value)
    for code, fields in (evidence or {}).items():
        score = cell_named(wb, names.score_name(code))
        refs = names.evidence_refs(score.coordinate)
        for field, value in fields.items():
            write(score.parent[refs[field]], value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def fill_fast(data: bytes, inputs: Mapping[str, Mapping[str, Any]], unit: Mapping[str, str] | None = None,
              evidence: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    """What ``fill`` writes, written straight into the workbook's XML (a few ms, not a few hundred):
    for hue-dx's own blank workbooks, whose input, identity and evidence cells are there and empty.
    None leaves a cell blank; a text is stored as text (an inline string), whatever it begins with."""
    from .. import sanitize
    from .stamp import Template, write_cells

    template = Template.from_bytes(data)
    at: dict[tuple[str, str], object] = {}

    def put(where: tuple[str, str] | None, value: Any) -> None:
        if where is not None and value is not None and value != "":
            at[where] = sanitize.for_xlsx_cell(value) if isinstance(value, str) else value

    for code, values in inputs.items():
        for key, value in values.items():
            put(template.cells.get(names.input_name(code, key)), value)
    for field, value in (unit or {}).items():
        put(template.cells[names.identity_name(field)], value)
    for code, fields in (evidence or {}).items():
        part, score = template.cells[names.score_name(code)]
        refs = names.evidence_refs(score)
        for field, value in fields.items():
            put((part, refs[field]), value)
    return write_cells(template, at)


def set_saved_time(data: bytes, iso: str) -> bytes:
    """The same workbook as if last saved at ``iso`` (docProps/core.xml "modified"), the time
    the consolidator uses to tell a corrected file from an earlier one."""
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso.encode() + rb"\g<2>", content)
            dst.writestr(info, content)
    return out.getvalue()
