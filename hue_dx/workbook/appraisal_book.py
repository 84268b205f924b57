"""The appraisal workbook: one unit's figures, evidence and self-scores, with columns for the
appraiser (appraised values, a reason) and a live appraised score from native formulas.

Columns: A Mã | B Tiêu chí / số liệu | C Đơn vị báo cáo | D Số liệu thẩm định (blank: the
unit's value stands) | E Điểm tối đa | F Điểm tự đánh giá | G Điểm thẩm định | H Trạng thái
thẩm định | I Ý kiến, lý do thẩm định | J Tài liệu kiểm chứng của đơn vị | K value used
(hidden: D, else C) | L that value's own check (hidden) | M Cần theo dõi (what to follow up:
carried into the unit's next correction letter and next year's appraisal workbook) | N what the
unit changed since the correction letter (or its file before) | O what an appraiser asked last
year to follow up.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from .. import __version__, vn
from .. import names as nm
from ..campaign import Campaign, Unit
from ..catalog import Catalog
from . import formulas as fx
from .build import TYPE_HINTS
from .style import (
    BORDER,
    CENTER,
    FILL_EVIDENCE,
    FILL_FORMULA,
    FILL_HEADER,
    FILL_INPUT,
    fit_rows,
    font,
    print_setup,
    protect,
    put,
    put_formula,
    ref,
    validation,
    write_formula,
)

SHEET = "Thẩm định"
COLUMNS = [("Mã", 8), ("Tiêu chí / số liệu", 50), ("Đơn vị báo cáo", 16), ("Số liệu thẩm định", 16), ("Điểm tối đa", 8),
           ("Điểm tự đánh giá", 10), ("Điểm thẩm định", 10), ("Trạng thái thẩm định", 22), ("Ý kiến, lý do thẩm định", 34),
           ("Tài liệu kiểm chứng của đơn vị", 30), ("Giá trị dùng", 8), ("Kiểm tra", 8),
           ("Cần theo dõi (ghi nội dung; để trống: không)", 28), ("Đơn vị đã thay đổi (so với bản trước)", 34), ("Theo dõi từ năm trước", 28)]


input_name = nm.appraisal_input_name
reason_name = nm.appraisal_reason_name
score_name = nm.appraisal_score_name
status_name = nm.appraisal_status_name
follow_up_name = nm.appraisal_follow_up_name


def build(catalog: Catalog, campaign: Campaign, unit: Unit, appraiser: str, codes: list[str], self_result, *,
          changes: Mapping[str, str] | None = None, since: str = "", previous: Mapping[str, str] | None = None) -> bytes:
    """``self_result``: the unit's checked file (check_file(..., details=True)); ``changes``: per
    criterion, what the unit changed since ``since`` (the file a correction letter was about, or
    its file before), in words; ``previous``: per criterion, what an appraiser asked last year to
    follow up."""
    wb = Workbook()
    wb._named_styles["Normal"].font = font()
    ws = wb.active
    ws.title = SHEET
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions["K"].hidden = ws.column_dimensions["L"].hidden = True
    ws.merge_cells("A1:J1")
    put(ws, "A1", f"PHIẾU THẨM ĐỊNH KẾT QUẢ TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM {campaign.period}", f=font(13, bold=True), border=False)
    ws.merge_cells("A2:J2")
    # The self-assessment file is named for the appraiser; its SHA-256 stays in the file's properties (hdx_self_sha256).
    compared = f" · Thay đổi (cột N) so với {since}" if since else ""
    put(ws, "A2", f"Đơn vị được thẩm định: {unit.name} ({unit.code}) · Cơ quan thẩm định: {appraiser} · "
                   f"Sổ tự đánh giá: {self_result.name}{compared}", f=font(11, italic=True), border=False)
    ws.merge_cells("A3:J3")
    put(ws, "A3", "Chấp nhận số liệu của đơn vị: để trống cột D. Không chấp nhận: ghi số liệu thẩm định vào cột D (ô vàng) và lý do vào "
                   "cột I; chỉ có ý kiến: ghi cột I. Điểm thẩm định tự tính. Nội dung cần theo dõi (năm sau, lần đề nghị sửa sau): ghi cột M.",
                   f=font(10, italic=True), border=False)
    for i, (title, _) in enumerate(COLUMNS, start=1):
        put(ws, f"{get_column_letter(i)}4", title, f=font(10, bold=True), fill=FILL_HEADER, align=CENTER)
    ws.print_title_rows = "4:4"
    ws.freeze_panes = "C5"
    names: dict[str, str] = {}
    validations: dict[tuple, object] = {}
    by_code = {c[0]: c for c in self_result.criteria}
    row = 5
    for code in codes:
        c = catalog.criterion(code)
        top = row
        values = {i.key: f"$K${top + 1 + n}" for n, i in enumerate(c.inputs)}
        checks = {i.key: f"$L${top + 1 + n}" for n, i in enumerate(c.inputs)}
        cells = fx.CriterionCells(max_ref=f"$E${top}", status_ref=f"$H${top}", inputs=values, checks=checks)
        _, points, _, words, _ = by_code[code]
        put(ws, f"A{top}", code, f=font(bold=True))
        put(ws, f"B{top}", c.title, f=font(bold=True))
        for col in "CD":
            put(ws, f"{col}{top}", None, fill=FILL_FORMULA)
        put(ws, f"E{top}", c.max, fill=FILL_FORMULA, fmt="0.##", align=CENTER)
        put(ws, f"F{top}", points if points is not None else words, fill=FILL_FORMULA, fmt="0.00", align=CENTER)
        put_formula(ws, f"G{top}", fx.score_formula(c, cells), fill=FILL_FORMULA, fmt="0.00", align=CENTER)
        put_formula(ws, f"H{top}", fx.status_formula(c, cells), fill=FILL_FORMULA)
        put(ws, f"I{top}", None, fill=FILL_EVIDENCE, unlocked=True)
        evidence = " · ".join(t for t in self_result.evidence.get(code, []) if t)
        put(ws, f"J{top}", evidence or "(không ghi)", f=font(10), fill=FILL_FORMULA)
        names[score_name(code)] = ref(ws, f"G{top}")
        names[status_name(code)] = ref(ws, f"H{top}")
        names[reason_name(code)] = ref(ws, f"I{top}")
        put(ws, f"M{top}", None, fill=FILL_EVIDENCE, unlocked=True)
        names[follow_up_name(code)] = ref(ws, f"M{top}")
        put(ws, f"N{top}", (changes or {}).get(code, ""), f=font(10), fill=FILL_FORMULA)
        put(ws, f"O{top}", (previous or {}).get(code, ""), f=font(10), fill=FILL_FORMULA)
        typed = self_result.typed.get(code, {})
        for n, spec in enumerate(c.inputs):
            r = top + 1 + n
            put(ws, f"A{r}", None)
            put(ws, f"B{r}", f"{spec.key}: {spec.label} ({TYPE_HINTS[spec.type].lower()})", f=font(10))
            value = typed.get(spec.key)
            numeric = spec.type in ("count", "number", "amount")
            put(ws, f"C{r}", value, fill=FILL_FORMULA, align=CENTER, fmt="#,##0.##" if numeric and isinstance(value, int | float) else None)
            put(ws, f"D{r}", None, fill=FILL_INPUT, unlocked=True, align=CENTER, fmt="#,##0.##" if numeric else None)
            for col in "EFGHIJMNO":
                put(ws, f"{col}{r}", None)
            # "" (not 0) when both are blank: a formula that points at an empty cell reads 0
            write_formula(ws[f"K{r}"], f'=IF(TRIM(D{r})="",IF(TRIM(C{r})="","",C{r}),D{r})')
            write_formula(ws[f"L{r}"], fx.check_formula(spec, f"$K${r}"))
            key = (spec.type, spec.choices, spec.max)
            if key not in validations:
                validations[key] = validation(spec)
            validations[key].add(f"D{r}")  # type: ignore[attr-defined]
            names[input_name(code, spec.key)] = ref(ws, f"D{r}")
        row = top + 1 + len(c.inputs)
    for dv in validations.values():
        ws.add_data_validation(dv)  # type: ignore[arg-type]
    ws.merge_cells(f"A{row + 1}:D{row + 1}")
    put(ws, f"A{row + 1}", "NGƯỜI THẨM ĐỊNH (ký, ghi rõ họ tên)", f=font(bold=True), border=False, align=Alignment(horizontal="left"))
    ws.print_area = f"A1:O{row + 6}"
    fit_rows(ws)
    ws.row_dimensions[4].height = 2 * 10 * 1.32 + 6  # the wrapped headings ("Trạng thái thẩm định") take two lines
    print_setup(ws, landscape=True, footer=f"Thẩm định {unit.name} – {appraiser} – {campaign.period} – {vn.number(len(codes))} tiêu chí")
    protect(ws)
    for name, destination in names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=destination)
    identity = {"kind": "appraisal", "catalog_id": catalog.id, "catalog_version": catalog.version, "period": campaign.period,
                "unit_code": unit.code, "level": unit.level, "appraiser": appraiser, "self_sha256": self_result.sha256}
    for field_name, value in identity.items():
        name = nm.identity_name(field_name)
        wb.defined_names[name] = DefinedName(name, attr_text='"' + str(value).replace('"', '""') + '"')
        wb.custom_doc_props.append(StringProperty(name=name, value=str(value)))
    wb.custom_doc_props.append(StringProperty(name="hdx_generator", value=f"hue-dx {__version__}"))
    wb.properties.title = f"Phiếu thẩm định {campaign.period} – {unit.name} – {appraiser}"
    for row_cells in ws.iter_rows(min_row=5, max_row=row - 1, min_col=1, max_col=15):
        for cell in row_cells:
            if cell.column not in (11, 12):  # K and L are hidden helpers
                cell.border = BORDER
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
