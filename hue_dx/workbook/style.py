"""Writing cells of every workbook hue-dx builds with openpyxl: the one way a value goes into a
cell, and the look, print setup and protection the workbooks share (Times New Roman, A4 with
Nghị định 30/2020's margins, locked sheets whose input cells are unlocked).

One way to write a cell. openpyxl stores any ``str`` that begins with "=" as a formula, so a
text a unit typed (``=HYPERLINK("http://…","x")``, copied into an appraisal workbook or a
pre-filled quarterly workbook) would become a live formula in the officer's Excel. Here:

- ``write`` / ``put`` write a value: a ``str`` is always text, whatever it begins with ("=",
  "+", "-", "@"), cleaned of what XML cannot hold (``sanitize.for_xlsx_cell``: control
  characters, lone surrogates, more than 32,767 characters);
- ``write_formula`` / ``put_formula`` write a formula the generator made, and only a formula.

Every workbook module writes its cells through these (``workbook.build``,
``workbook.appraisal_book``, ``tracking.workbook``, ``tracking.outputs``, the fills of samples
and demos); the ranking workbook is XlsxWriter's, written with ``write_string``.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .. import sanitize, vn
from ..catalog import NUMERIC_TYPES, Input
from ..rules import xl_num

PROTECTION_PASSWORD = "huedx"  # deterrence, not security: documented in the README
FONT = "Times New Roman"

_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_EVIDENCE = PatternFill("solid", fgColor="DDEBF7")
FILL_FORMULA = PatternFill("solid", fgColor="F2F2F2")
FILL_HEADER = PatternFill("solid", fgColor="BDD7EE")
FILL_GROUP = PatternFill("solid", fgColor="E2EFDA")
FILL_NA = PatternFill("solid", fgColor="D9D9D9")
FILL_CENTRAL = PatternFill("solid", fgColor="E4DFEC")  # figures the Sở supplies: pre-filled, locked
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)


def font(size: float = 11, bold: bool = False, italic: bool = False, color: str | None = None) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=color)


# ------------------------------------------------------------------------ writing a cell


def write(cell: Cell, value: Any) -> Cell:
    """A value in a cell: a number, date, bool or None as it is; a ``str`` as text, never a
    formula (openpyxl would store "=…" as one), and only what an xlsx cell can hold."""
    if isinstance(value, str):
        cell.value = sanitize.for_xlsx_cell(value)
        cell.data_type = "s"  # after the assignment, which makes "=…" a formula
    else:
        cell.value = value
    return cell


def write_formula(cell: Cell, formula: str) -> Cell:
    """A formula the generator wrote ("=SUM(…)"), in a cell: the only call that makes one."""
    if not isinstance(formula, str) or not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell.value = formula
    cell.data_type = "f"
    return cell


def _styled(c: Cell, f: Font | None, fill, align, border: bool, unlocked: bool, fmt: str | None) -> Cell:
    c.font = f or font()
    c.alignment = align
    if fill is not None:
        c.fill = fill
    if border:
        c.border = BORDER
    if unlocked:
        c.protection = UNLOCKED
    if fmt:
        c.number_format = fmt
    return c


def put(ws: Worksheet, cell: str, value: Any, *, f: Font | None = None, fill=None, align=WRAP, border=True, unlocked=False, fmt=None) -> Cell:
    """``write`` a value (text stays text) into ``ws[cell]`` with the workbooks' look."""
    return _styled(write(ws[cell], value), f, fill, align, border, unlocked, fmt)


def put_formula(ws: Worksheet, cell: str, formula: str, *, f: Font | None = None, fill=None, align=WRAP, border=True, unlocked=False,
                fmt=None) -> Cell:
    """``write_formula`` into ``ws[cell]`` with the workbooks' look."""
    return _styled(write_formula(ws[cell], formula), f, fill, align, border, unlocked, fmt)


# ------------------------------------------------------------------------ sheets


def ref(ws: Worksheet, cell: str) -> str:
    """An absolute reference to a cell of a sheet, for a defined name: 'Tổng hợp'!$C$15."""
    col = "".join(ch for ch in cell if ch.isalpha())
    row = cell[len(col):]
    return f"{quote_sheetname(ws.title)}!${col}${row}"


def print_setup(ws: Worksheet, landscape: bool, footer: str, fit_height: int = 0) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_height
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Nghị định 30/2020: left 30–35 mm, right 15–20 mm, top and bottom 20–25 mm.
    ws.page_margins = PageMargins(left=1.18, right=0.6, top=0.8, bottom=0.8, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.left.text = footer.replace("&", "&&")
    ws.oddFooter.left.font = FONT
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.font = FONT
    ws.oddFooter.right.size = 9


def fit_rows(ws: Worksheet, skip_formulas: bool = True) -> None:
    """Set row heights for wrapped text: LibreOffice keeps a row at one line on load, and
    Excel only grows it when the row is edited, so long Vietnamese titles would overlap."""
    spans: dict[str, float] = {}
    for merged in ws.merged_cells.ranges:
        width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(merged.min_col, merged.max_col + 1))
        spans[merged.start_cell.coordinate] = width
    merged_inner = {c.coordinate for m in ws.merged_cells.ranges for row in ws.iter_rows(
        min_row=m.min_row, max_row=m.max_row, min_col=m.min_col, max_col=m.max_col) for c in row} - set(spans)
    for row in ws.iter_rows():
        lines_needed, size = 1.0, 11.0
        for cell in row:
            value = cell.value
            if not isinstance(value, str) or cell.coordinate in merged_inner or (skip_formulas and cell.data_type == "f"):
                continue
            width = spans.get(cell.coordinate) or ws.column_dimensions[cell.column_letter].width or 8.43
            fsize = cell.font.sz or 11.0
            chars_per_line = max(1.0, width * 1.05 * 11.0 / fsize)
            if cell.font.b:
                chars_per_line *= 0.92
            lines = sum(max(1, -(-len(part) // int(chars_per_line))) for part in value.split("\n"))
            if lines > lines_needed or (lines == lines_needed and fsize > size):
                lines_needed, size = lines, fsize
        if lines_needed > 1 or size > 11:
            ws.row_dimensions[row[0].row].height = round(lines_needed * size * 1.32 + 3, 1)


def protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.password = PROTECTION_PASSWORD
    # Let people widen columns and rows to read long texts; nothing else.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def validation(spec: Input) -> DataValidation:
    """An input cell's data validation: the same limits as its check formula and the engine
    (``cells``), with the message in Vietnamese. Pasting bypasses it; the check cell does not."""
    if spec.type in NUMERIC_TYPES:
        limit = f" đến {vn.whole(spec.max)}" if spec.max is not None else ""
        text = {"count": f"Nhập số nguyên từ 0{limit}. Không nhập chữ, số âm hay số lẻ.",
                "number": f"Nhập số từ 0{limit}.",
                "amount": f"Nhập số tiền bằng đồng, từ 0{limit}, chỉ gồm chữ số."}[spec.type]
        vtype = "whole" if spec.type == "count" else "decimal"
        if spec.max is not None:
            dv = DataValidation(type=vtype, operator="between", formula1="0", formula2=xl_num(spec.max), allow_blank=True)
        else:
            dv = DataValidation(type=vtype, operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    else:
        text = "Chọn một mục trong danh sách."
        dv = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
    dv.error, dv.errorTitle, dv.errorStyle = text, "Số liệu không hợp lệ", "stop"
    dv.prompt, dv.promptTitle = text, "Nhập số liệu"
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def style_chart(chart, size: int = 9) -> None:
    """Axes shown (openpyxl leaves them to the reader's default, and Excel then hides them) and
    every text of the chart in Times New Roman, like the sheet."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
    from openpyxl.drawing.text import Font as DrawingFont

    def text(sz: int, bold: bool = False) -> RichText:
        props = CharacterProperties(latin=DrawingFont(typeface=FONT), cs=DrawingFont(typeface=FONT), sz=sz * 100, b=bold)
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])

    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
        axis.txPr = text(size)
    if chart.title is not None and chart.title.tx is not None and chart.title.tx.rich is not None:
        for paragraph in chart.title.tx.rich.p:
            props = CharacterProperties(latin=DrawingFont(typeface=FONT), sz=(size + 2) * 100, b=True)
            paragraph.pPr = ParagraphProperties(defRPr=props)
            for run in paragraph.r or []:
                run.rPr = props
