"""Build one unit's quarterly tracking workbook with openpyxl (the Excel edge of tracking).

Sheets: Hướng dẫn (guide), Thông tin đơn vị (unit and contacts), Chỉ tiêu (PL1) (indicators the
unit leads: measured value, source, date), Nhiệm vụ chủ trì (documents, programmes, projects and
duties it leads or reports on behalf of an external lead: full rows), Nhiệm vụ phối hợp (tasks it
cooperates on: status of its part and its contribution). Every input cell is named
(``tracking.names``); each row has a check cell with a native formula (``tracking.answers``);
the previous quarter's answers are pre-filled, as text where they are text (never a formula). Cells
are written, styled, printed and protected as in the assessment workbook (``hue_dx.workbook.style``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__, vn
from .. import names as nm
from ..campaign import Unit
from ..catalog import Input
from ..workbook.build import Built
from ..workbook.identity import canonical_from
from ..workbook.style import (
    BORDER,
    CENTER,
    FILL_EVIDENCE,
    FILL_FORMULA,
    FILL_GROUP,
    FILL_HEADER,
    FILL_INPUT,
    PROTECTION_PASSWORD,
    WRAP,
    fit_rows,
    font,
    print_setup,
    protect,
    put,
    put_formula,
    ref,
    validation,
)
from . import answers as an
from . import names as tn
from .periods import DEADLINE_BASIS, LEGAL_BASIS, Period
from .roles import Duties, cooperating_units, external_leads, lead_units
from .tasks import Task, TaskCatalog

SHEET_GUIDE, SHEET_UNIT = "Hướng dẫn", "Thông tin đơn vị"
SHEET_INDICATORS, SHEET_LEAD, SHEET_COOPERATE = "Chỉ tiêu (PL1)", "Nhiệm vụ chủ trì", "Nhiệm vụ phối hợp"
HEADER_ROW, FIRST_ROW = 4, 5

FORMAT = {"percent": "0.##", "amount": "#,##0", "value": "0.##", "date": "dd/mm/yyyy", "text": "@", "status": "@"}
LEAD_COLUMNS = [("Mã", 11), ("Nội dung nhiệm vụ", 44), ("Loại, thời gian, kinh phí, phối hợp", 28)] + [
    (spec.label, w) for spec, w in zip(an.LEAD_FIELDS, (15, 9, 28, 24, 15, 15, 24, 24), strict=True)] + [("Kiểm tra", 20)]
INDICATOR_COLUMNS = [("Mã", 7), ("Nội dung chỉ tiêu", 48), ("Mục tiêu", 12), ("Phối hợp", 22)] + [
    (spec.label, w) for spec, w in zip(an.INDICATOR_FIELDS, (11, 26, 12, 26, 26), strict=True)] + [("Kiểm tra", 20)]
COOPERATE_COLUMNS = [("Mã", 11), ("Nội dung nhiệm vụ", 52), ("Đơn vị chủ trì, thời gian", 30)] + [
    (spec.label, w) for spec, w in zip(an.COOPERATE_FIELDS, (16, 56), strict=True)] + [("Kiểm tra", 22)]


@dataclass(frozen=True)
class Context:
    """What every sheet needs: the tasks, the unit's duties, the period, who to send it to."""

    catalog: TaskCatalog
    duties: Duties
    units: Sequence[Unit]  # the roster, to name co-leads and count cooperators
    period: Period
    contact: Mapping[str, str]
    issuer: Mapping[str, str]
    deadline_rule: str
    previous: Mapping[str, an.TaskAnswer]
    previous_label: str

    @property
    def unit_name(self) -> str:
        return self.duties.unit.name

    @property
    def footer(self) -> str:
        return f"{self.unit_name} – Báo cáo triển khai Kế hoạch 222/KH-UBND {self.period.quarter.title_vi}"


def build(catalog: TaskCatalog, duties: Duties, units: Sequence[Unit], period: Period, *, contact: Mapping[str, str] | None = None,
          issuer: Mapping[str, str] | None = None, deadline_rule: str = "", generation_id: str = "",
          previous: Mapping[str, an.TaskAnswer] | None = None, previous_label: str = "") -> Built:
    """The workbook of one unit for one quarter. ``previous``: the unit's answers of the previous
    quarter by task id (as consolidated), pre-filled in its input cells, funds of the period
    excepted; ``previous_label`` names that quarter on the sheets ("quý II năm 2021")."""
    ctx = Context(catalog, duties, units, period, contact or {}, issuer or {}, deadline_rule, previous or {}, previous_label)
    wb = Workbook()
    wb._named_styles["Normal"].font = font()  # empty cells print in the same font
    guide = wb.active
    guide.title = SHEET_GUIDE
    unit_ws = wb.create_sheet(SHEET_UNIT)
    name_map: dict[str, str] = {}
    _indicator_sheet(wb.create_sheet(SHEET_INDICATORS), ctx, name_map)
    _lead_sheet(wb.create_sheet(SHEET_LEAD), ctx, name_map)
    _cooperate_sheet(wb.create_sheet(SHEET_COOPERATE), ctx, name_map)
    _unit_sheet(unit_ws, ctx, name_map)
    _guide_sheet(guide, ctx)
    for name, destination in name_map.items():
        wb.defined_names[name] = DefinedName(name, attr_text=destination)
    print_ = fingerprint(wb)
    unit = duties.unit
    identity = {"kind": tn.KIND, "catalog_id": catalog.id, "catalog_version": catalog.version, "period": period.id,
                "unit_code": unit.code, "level": unit.level, "generation_id": generation_id, "fingerprint": print_}
    for key, value in identity.items():
        name = nm.identity_name(key)
        wb.defined_names[name] = DefinedName(name, attr_text='"' + value.replace('"', '""') + '"')
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    wb.custom_doc_props.append(StringProperty(name="hdx_generator", value=f"hue-dx {__version__}"))
    wb.properties.title = f"Báo cáo triển khai Kế hoạch 222/KH-UBND {period.quarter.title_vi} – {unit.name}"
    wb.properties.subject = f"{catalog.title} ({catalog.id} {catalog.version})"
    wb.properties.creator = f"hue-dx {__version__}"
    wb.properties.keywords = f"{catalog.id}; {period.id}; {unit.code}; {tn.KIND}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return Built(buffer.getvalue(), print_, name_map)


def fingerprint(wb) -> str:
    """SHA-256 of the layout (sheets, formulas, names), identity constants left out, as for the
    assessment workbook (``workbook.identity``); an intake recomputes it from a returned file."""
    formulas = {ws.title: [c.value for row in ws.iter_rows() for c in row if c.data_type == "f" and isinstance(c.value, str)]
                for ws in wb.worksheets}
    skip = set(tn.identity_names())
    defined = {n.lower(): wb.defined_names[n].attr_text for n in wb.defined_names if n.lower() not in skip}
    return hashlib.sha256(canonical_from([ws.title for ws in wb.worksheets], formulas, defined).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------- helpers


def _columns(ws: Worksheet, columns: Sequence[tuple[str, float]]) -> str:
    """Widths and the header row; returns the last column's letter."""
    for i, (title, width) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        put(ws, f"{letter}{HEADER_ROW}", title, f=font(10, bold=True), fill=FILL_HEADER, align=CENTER)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = f"C{FIRST_ROW}"
    return get_column_letter(len(columns))


def _heading(ws: Worksheet, ctx: Context, last: str, title: str) -> None:
    q = ctx.period.quarter
    ws.merge_cells(f"A1:{last}1")
    put(ws, "A1", f"{title} — {q.title_vi.upper()}", f=font(13, bold=True), border=False, align=Alignment(vertical="center"))
    ws.merge_cells(f"A2:{last}2")
    put(ws, "A2", f"Đơn vị: {ctx.unit_name} · Chốt số liệu {q.cutoff_vi} · Hạn gửi: {ctx.period.deadline_vi} · "
                   f"{ctx.catalog.source.get('document', '')}", f=font(11, italic=True), border=False)
    ws.merge_cells(f"A3:{last}3")
    carried = (f"Đã điền sẵn số liệu tổng hợp {ctx.previous_label}: chỉ sửa những gì thay đổi; kinh phí trong kỳ để trống, nhập số của kỳ này. "
               if ctx.previous else "")
    put(ws, "A3", carried + "Ô màu vàng, xanh: đơn vị nhập · Ô màu xám: không sửa · Cột Kiểm tra phải là \"đủ\" trước khi gửi. Xem trang Hướng dẫn.",
         f=font(10, italic=True, color="555555"), border=False)


def _group_row(ws: Worksheet, row: int, text: str, last: str) -> None:
    ws.merge_cells(f"A{row}:{last}{row}")
    put(ws, f"A{row}", text, f=font(bold=True), fill=FILL_GROUP)
    for col in range(2, ws.max_column + 1):
        ws.cell(row, col).border = BORDER


def _none_row(ws: Worksheet, row: int, text: str, last: str) -> None:
    ws.merge_cells(f"A{row}:{last}{row}")
    put(ws, f"A{row}", text, f=font(italic=True), fill=FILL_FORMULA)


class _Validations:
    """One DataValidation per kind of cell, each with its Vietnamese messages."""

    def __init__(self, ws: Worksheet, deadline: dt.date):
        self.ws, self.deadline = ws, deadline
        self.by_kind: dict[str, DataValidation] = {}

    def add(self, kind: str, cell: str) -> None:
        if kind not in self.by_kind:
            self.by_kind[kind] = self._make(kind)
            self.ws.add_data_validation(self.by_kind[kind])
        self.by_kind[kind].add(cell)

    def _make(self, kind: str) -> DataValidation:
        if kind == "status":
            return validation(Input("status", "", "choice", choices=tuple(an.STATUSES)))
        if kind == "amount":
            return validation(Input("amount", "", "amount"))  # no bound: the row's own check formula sets none
        if kind in ("percent", "value_percent"):
            text = "Nhập phần trăm từ 0 đến 100: gõ 70 hoặc 70%, cả hai đều là 70 phần trăm."
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        elif kind == "value":
            text = "Nhập số không âm."
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        elif kind == "date":
            last = self.deadline.strftime("%d/%m/%Y")
            text = f"Nhập ngày dạng ngày/tháng/năm, từ {an.FIRST_DAY:%d/%m/%Y} đến {last}."
            dv = DataValidation(type="date", operator="between", formula1=str((an.FIRST_DAY - an.EXCEL_EPOCH).days),
                                formula2=str((self.deadline - an.EXCEL_EPOCH).days), allow_blank=True)
        else:
            raise ValueError(kind)
        dv.error, dv.errorTitle, dv.errorStyle = text, "Số liệu không hợp lệ", "stop"
        dv.prompt, dv.promptTitle = text, "Nhập số liệu"
        dv.showErrorMessage = dv.showInputMessage = True
        return dv


def _input(ws: Worksheet, cell: str, spec: an.FieldSpec, value, validations: _Validations, kind: str | None = None) -> None:
    fill = FILL_EVIDENCE if spec.type == "text" else FILL_INPUT
    align = WRAP if spec.type == "text" else CENTER
    put(ws, cell, value, fill=fill, unlocked=True, fmt=FORMAT[spec.type], align=align)
    if spec.type != "text":
        validations.add(kind or spec.type, cell)


def _row_inputs(ws: Worksheet, ctx: Context, row: int, first_col: int, task: Task, role: str, tag: str, validations: _Validations,
                name_map: dict[str, str], kinds: Mapping[str, str] | None = None) -> tuple[dict[str, str], str]:
    """The input cells of one row, pre-filled from the previous quarter and named; returns the
    cells by field key and the column letter left for the row's check."""
    cells: dict[str, str] = {}
    before = _previous(ctx, task, role)
    specs = an.FIELDS[role]
    for n, spec in enumerate(specs):
        cell = f"{get_column_letter(first_col + n)}{row}"
        _input(ws, cell, spec, before.get(spec.key), validations, (kinds or {}).get(spec.key))
        cells[spec.key] = cell
        name_map[tn.cell_name(tag, task.id, spec.key)] = ref(ws, cell)
    return cells, get_column_letter(first_col + len(specs))


def _check(ws: Worksheet, cell: str, formula: str, name: str, name_map: dict[str, str]) -> None:
    put_formula(ws, cell, formula, fill=FILL_FORMULA, f=font(10))
    name_map[name] = ref(ws, cell)


def _check_formatting(ws: Worksheet, col: str, last_row: int) -> None:
    if last_row < FIRST_ROW:
        return
    area = f"{col}{FIRST_ROW}:{col}{last_row}"
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'AND({col}{FIRST_ROW}<>"",{col}{FIRST_ROW}<>"{an.OK}")'],
                                                    font=Font(color="C00000", bold=True)))
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'{col}{FIRST_ROW}="{an.OK}"'], font=Font(color="375623")))


def _finish(ws: Worksheet, ctx: Context, last: str, last_row: int) -> None:
    ws.print_area = f"A1:{last}{max(last_row, FIRST_ROW)}"
    fit_rows(ws)
    print_setup(ws, landscape=True, footer=f"{ctx.footer} – {ws.title}")
    protect(ws)


def _names_list(codes: Sequence[str], ctx: Context) -> str:
    by_code = {u.code: u.name for u in ctx.units}
    return ", ".join(by_code.get(c, c) for c in codes)


def _previous(ctx: Context, task: Task, role: str) -> dict:
    answer = ctx.previous.get(task.id)
    return answer.carried().cells(role) if answer else {}


# ------------------------------------------------------------------------------- indicators


def _indicator_sheet(ws: Worksheet, ctx: Context, name_map: dict[str, str]) -> None:
    last = _columns(ws, INDICATOR_COLUMNS)
    _heading(ws, ctx, last, "CHỈ TIÊU ĐƠN VỊ CHỦ TRÌ THEO DÕI (PHỤ LỤC 1)")
    validations = _Validations(ws, ctx.period.deadline)
    rows = ctx.duties.indicators
    row = FIRST_ROW
    if not rows:
        _none_row(ws, row, "Đơn vị không chủ trì chỉ tiêu nào của Phụ lục 1.", last)
    for task in rows:
        target = task.target
        percent = target is not None and target.unit == "%"
        put(ws, f"A{row}", task.id, f=font(bold=True))
        put(ws, f"B{row}", task.text)
        put(ws, f"C{row}", target.describe() if target else "", fill=FILL_FORMULA, align=CENTER)
        others = cooperating_units(ctx.catalog, task, ctx.units)
        put(ws, f"D{row}", task.cooperating + (f"\n({len(others)} đơn vị trong danh sách)" if len(others) > 3 else ""), f=font(10))
        cells, check = _row_inputs(ws, ctx, row, 5, task, an.INDICATOR, tn.LEAD_TAG, validations, name_map,
                                   {"value": "value_percent" if percent else "value"})
        _check(ws, f"{check}{row}", an.indicator_formula(cells, percent), tn.check_name(tn.LEAD_TAG, task.id), name_map)
        row += 1
    _check_formatting(ws, last, row - 1)
    _finish(ws, ctx, last, row - 1 if rows else row)


# ------------------------------------------------------------------------------- lead tasks


def _lead_info(ctx: Context, task: Task) -> str:
    lines = [f"{task.kind_vi.capitalize()}" + (f" · {task.doc_type}" if task.doc_type else "") + f" · {task.years_vi}"]
    if task.target and task.kind != "indicator":
        lines.append(f"Chỉ tiêu: {task.target.describe()}")
    budget = ctx.catalog.budget.by_project.get(task.id)
    if budget is not None:
        if budget.total is None:
            lines.append("Kinh phí dự kiến (PL5): chưa xác định (\"-\")")
        else:
            lines.append(f"Kinh phí dự kiến (PL5): {vn.billions(budget.total)} (trung hạn {vn.billions(budget.state or 0)})")
    behalf = external_leads(ctx.catalog, task) if task.id in ctx.duties.on_behalf else ()
    if behalf:
        lines.append(f"Chủ trì: {', '.join(b.name for b in behalf)} — đơn vị báo cáo thay")
    co_leads = [c for c in lead_units(ctx.catalog, task, ctx.units) if c != ctx.duties.unit.code]
    if co_leads:
        lines.append(f"Cùng chủ trì: {len(co_leads)} đơn vị khác" if len(co_leads) > 3 else f"Cùng chủ trì: {_names_list(co_leads, ctx)}")
    if task.cooperating:
        lines.append(f"Phối hợp: {task.cooperating}")
    return "\n".join(lines)


def _lead_sheet(ws: Worksheet, ctx: Context, name_map: dict[str, str]) -> None:
    last = _columns(ws, LEAD_COLUMNS)
    _heading(ws, ctx, last, "NHIỆM VỤ ĐƠN VỊ CHỦ TRÌ")
    validations = _Validations(ws, ctx.period.deadline)
    tasks = ctx.duties.tasks
    row = FIRST_ROW
    if not tasks:
        _none_row(ws, row, "Đơn vị không chủ trì nhiệm vụ nào.", last)
    shown: set[str] = set()
    for task in tasks:
        for group in ctx.catalog.group_path(task):
            if group.code not in shown:
                shown.add(group.code)
                label = f"{group.label} — {group.title}" if group.label else f"{group.code.split('.')[-1]}. {group.title}"
                _group_row(ws, row, label, last)
                row += 1
        put(ws, f"A{row}", task.id, f=font(bold=True))
        put(ws, f"B{row}", task.text)
        put(ws, f"C{row}", _lead_info(ctx, task), f=font(10))
        cells, check = _row_inputs(ws, ctx, row, 4, task, an.LEAD, tn.LEAD_TAG, validations, name_map)
        _check(ws, f"{check}{row}", an.lead_formula(cells), tn.check_name(tn.LEAD_TAG, task.id), name_map)
        row += 1
    _check_formatting(ws, last, row - 1)
    _finish(ws, ctx, last, row - 1 if tasks else row)


# -------------------------------------------------------------------------------- cooperation


def _cooperate_sheet(ws: Worksheet, ctx: Context, name_map: dict[str, str]) -> None:
    last = _columns(ws, COOPERATE_COLUMNS)
    _heading(ws, ctx, last, "NHIỆM VỤ ĐƠN VỊ PHỐI HỢP")
    validations = _Validations(ws, ctx.period.deadline)
    tasks = ctx.duties.cooperate
    row = FIRST_ROW
    if not tasks:
        _none_row(ws, row, "Đơn vị không được giao phối hợp nhiệm vụ nào.", last)
    for task in tasks:
        put(ws, f"A{row}", task.id, f=font(bold=True))
        put(ws, f"B{row}", task.text)
        when = f"mục tiêu {task.target.describe()}" if task.kind == "indicator" and task.target else task.years_vi
        put(ws, f"C{row}", f"Chủ trì: {task.lead}\n{task.kind_vi.capitalize()} · {when}", f=font(10))
        cells, check = _row_inputs(ws, ctx, row, 4, task, an.COOPERATE, tn.COOPERATE_TAG, validations, name_map)
        _check(ws, f"{check}{row}", an.cooperate_formula(cells), tn.check_name(tn.COOPERATE_TAG, task.id), name_map)
        row += 1
    _check_formatting(ws, last, row - 1)
    _finish(ws, ctx, last, row - 1 if tasks else row)


# ----------------------------------------------------------------------------- other sheets


def _unit_sheet(ws: Worksheet, ctx: Context, name_map: dict[str, str]) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 64
    ws.merge_cells("A1:B1")
    put(ws, "A1", "THÔNG TIN ĐƠN VỊ", f=font(14, bold=True), border=False)
    unit, q = ctx.duties.unit, ctx.period.quarter
    rows = [
        ("Mã đơn vị", unit.code, None),
        ("Tên đơn vị", unit.name, "unit_name"),
        ("Kỳ báo cáo", q.title_vi, None),
        ("Thời gian chốt số liệu", q.cutoff_vi, None),
        ("Hạn gửi báo cáo", ctx.period.deadline_vi, None),
        ("Người lập biểu (họ và tên)", None, "unit_preparer"),
        ("Chức vụ người lập biểu", None, "unit_preparer_title"),
        ("Điện thoại", None, "unit_phone"),
        ("Thư điện tử", None, "unit_email"),
        ("Thủ trưởng đơn vị (họ và tên)", None, "unit_head"),
        ("Chức vụ thủ trưởng", None, "unit_head_title"),
    ]
    for n, (label, value, name) in enumerate(rows, start=3):
        put(ws, f"A{n}", label, f=font(bold=True))
        editable = value is None
        put(ws, f"B{n}", value, fill=FILL_INPUT if editable else FILL_FORMULA, unlocked=editable, fmt="@")
        if name:
            name_map[nm.identity_name(name)] = ref(ws, f"B{n}")
    note = len(rows) + 4
    ws.merge_cells(f"A{note}:B{note}")
    put(ws, f"A{note}", "Ô màu vàng: đơn vị điền. Mã, tên, kỳ báo cáo, thời gian chốt số liệu và hạn gửi do Sở Thông tin và Truyền thông "
                         "điền sẵn, không sửa.", f=font(10, italic=True), border=False)
    fit_rows(ws)
    print_setup(ws, landscape=False, footer=ctx.footer)
    protect(ws)


STATUS_MEANING = {
    an.NOT_STARTED: "chưa bắt đầu (% hoàn thành là 0 hoặc để trống)",
    an.IN_PROGRESS: "đang thực hiện, đúng tiến độ (nhập % hoàn thành)",
    an.DONE: "đã xong (% hoàn thành là 100; ghi kết quả, sản phẩm và tài liệu kiểm chứng)",
    an.LATE: "đang thực hiện nhưng chậm so với năm thực hiện (nhập % hoàn thành; ghi khó khăn, vướng mắc)",
    an.STOPPED: "đã dừng (ghi lý do ở cột khó khăn, vướng mắc)",
}


def _guide_sheet(ws: Worksheet, ctx: Context) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    q, duty, catalog = ctx.period.quarter, ctx.duties, ctx.catalog
    send_to = ctx.contact.get("unit", "Sở Thông tin và Truyền thông") + (f" — {ctx.contact['email']}" if ctx.contact.get("email") else "")
    annual = " Báo cáo quý IV đồng thời là báo cáo năm (chốt số liệu năm từ ngày 15/12 năm trước đến ngày 14/12)." if q.is_annual else ""
    content = (f"Trang '{SHEET_INDICATORS}': {len(duty.indicators)} chỉ tiêu đơn vị chủ trì. "
               f"Trang '{SHEET_LEAD}': {len(duty.tasks)} nhiệm vụ đơn vị chủ trì"
               + (f" (trong đó {len(duty.on_behalf)} nhiệm vụ báo cáo thay cơ quan chủ trì ngoài danh sách)" if duty.on_behalf else "")
               + f". Trang '{SHEET_COOPERATE}': {len(duty.cooperate)} nhiệm vụ đơn vị phối hợp.")
    lines: list[tuple[str, str, Font]] = [
        ("", f"HƯỚNG DẪN BÁO CÁO TÌNH HÌNH TRIỂN KHAI KẾ HOẠCH 222/KH-UBND — {q.title_vi.upper()}", font(14, bold=True)),
        ("", f"Đơn vị: {ctx.unit_name} (mã {duty.unit.code})", font(12, bold=True)),
        ("Căn cứ", f"{catalog.reporting.get('source', 'Mục IV.8')} {catalog.source.get('document', '')} ngày 21/10/2020: "
                   f"\"{catalog.reporting.get('text', '')}\" (\"Sở Thông tin Thông tin và Truyền thông\" là lỗi in của Sở Thông tin và Truyền thông).", font()),
        ("Kỳ báo cáo", f"{q.title_vi}.{annual}", font(bold=True)),
        ("Chốt số liệu", f"{q.cutoff_vi} ({LEGAL_BASIS}, khoản {4 if q.is_annual else 2}).", font()),
        ("Hạn gửi", f"{ctx.period.deadline_vi}" + (f" ({ctx.deadline_rule}; {DEADLINE_BASIS})" if ctx.deadline_rule else ""), font(bold=True)),
        ("Gửi về", send_to, font()),
        ("Phát hành", f"{ctx.issuer.get('office', '')} — {ctx.issuer.get('name', '')}", font()),
        ("Nội dung", content, font()),
        ("", "", font()),
        ("Cách điền", "1. Trang 'Thông tin đơn vị': điền người lập biểu, điện thoại, thư điện tử và thủ trưởng đơn vị.", font()),
        ("", f"2. Trang '{SHEET_INDICATORS}': với mỗi chỉ tiêu, nhập giá trị đạt được tại thời điểm chốt số liệu (phần trăm từ 0 đến 100: "
             "gõ 70 hoặc 70%, cả hai đều là 70 phần trăm), nguồn số liệu và ngày của số liệu.", font()),
        ("", f"3. Trang '{SHEET_LEAD}': với mỗi nhiệm vụ, chọn trạng thái, nhập % hoàn thành (gõ 70 hoặc 70%), kết quả, tài liệu kiểm chứng, "
             "kinh phí được giao và đã giải ngân trong kỳ (đồng), khó khăn, vướng mắc và đề xuất, kiến nghị. "
             "Đơn vị chủ trì chung (\"Các sở, ban, ngành\") báo cáo phần việc của mình.", font()),
        ("", f"4. Trang '{SHEET_COOPERATE}': chọn trạng thái phần việc của đơn vị và ghi nội dung phối hợp đã thực hiện trong kỳ.", font()),
        ("", "5. Cột 'Kiểm tra' tự kiểm tra từng dòng; sửa cho đến khi mọi dòng là \"đủ\". Gửi lại chính tệp này (.xlsx); có thể đổi tên tệp, "
             "nhưng không thêm, xóa dòng hay sửa công thức.", font()),
        ("", "", font()),
        ("Trạng thái", "; ".join(f"{k}: {v}" for k, v in STATUS_MEANING.items()) + ".", font()),
        ("Số liệu quý trước", (f"Đã điền sẵn câu trả lời tổng hợp {ctx.previous_label} của đơn vị; chỉ sửa những gì thay đổi. Kinh phí được giao và "
                               "đã giải ngân là số của riêng kỳ này nên để trống." if ctx.previous else "Chưa có số liệu quý trước."), font()),
        ("Màu ô", "Vàng: trạng thái, số liệu · Xanh: nội dung chữ · Xám: điền sẵn hoặc tự tính, không sửa.", font()),
        ("Bảo vệ", f"Các trang được khóa để tránh sửa nhầm (mật khẩu: {PROTECTION_PASSWORD}); chỉ các ô vàng, xanh được nhập.", font()),
        ("", "", font()),
        ("", "CÁC CHỖ KẾ HOẠCH CHƯA RÕ VÀ CÁCH ĐỌC (liên quan tới đơn vị)", font(12, bold=True)),
    ]
    for n, (label, text, f) in enumerate(lines, start=1):
        put(ws, f"A{n}", label, f=font(bold=True), border=False)
        put(ws, f"B{n}", text, f=f, border=False)
    row = len(lines) + 1
    mine = {t.id for t in duty.lead} | {t.id for t in duty.cooperate}
    for d in catalog.all_decisions:
        if d.code == "chung" or d.code in mine:
            put(ws, f"A{row}", d.code, f=font(10, bold=True), border=False)
            put(ws, f"B{row}", f"[{d.topic}] {d.text}", f=font(10), border=False)
            row += 1
    fit_rows(ws)
    print_setup(ws, landscape=False, footer=f"{ctx.unit_name} – Hướng dẫn")
    protect(ws)
