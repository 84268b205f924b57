"""Outputs of a quarter's consolidation: the consolidated workbook (openpyxl, Times New Roman,
A4, charts with visible axes), JSON and CSV open data, and the answers file that pre-fills the
next quarter's workbooks (``hue-dx tasks generate --previous``).

Every file is written through a temporary file and renamed (``files.write_atomic``); every
text passes through the sanitizer of its format (``sanitize``): workbook cells are written by
``workbook.style.write`` (text stays text, never a formula, without what XML cannot hold), CSV
cells are never run as formulas, JSON holds valid Unicode. Machine outputs are locale-free (numbers as numbers, dates ISO 8601, amounts in đồng);
the workbook shows numbers with number formats, so each reader's Excel shows them its way.
The workbook holds values only, no formulas: nothing in it needs recomputing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from .. import sanitize, vn
from ..documents import local_time
from ..files import write_atomic
from ..intake.outputs import write_table
from ..issues import SEVERITY_VI
from .answers import LATE, STOPPED, TaskAnswer, dump_previous
from .figures import figures
from .intake import Quarterly
from .report import funds_since_words, late_words, missing_words
from .summary import NO_REPORT, STATUS_ORDER, IndicatorRow, TaskRow

APPENDIX_VI = {"PL1": "Phụ lục 1 (chỉ tiêu)", "PL2": "Phụ lục 2 (văn bản, chương trình)", "PL3": "Phụ lục 3 (dự án)", "IV": "Mục IV (nhiệm vụ thường xuyên)"}


def _upper_first(text: str) -> str:
    """'quý III năm 2021' -> 'Quý III năm 2021' (str.capitalize would lower the numeral)."""
    return text[:1].upper() + text[1:]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _quoted(answers: dict[str, TaskAnswer], key: str, names: Mapping[str, str], several: bool) -> str:
    """A text field of the answers, each prefixed with its unit when several units answer."""
    parts = [(names.get(u, u), getattr(a, key)) for u, a in answers.items() if getattr(a, key)]
    return "\n".join(f"{name}: {text}" if several else text for name, text in parts)


# -------------------------------------------------------------------------------- JSON


def _task_dict(row: TaskRow) -> dict[str, Any]:
    budget = row.budget
    return {
        "id": row.task.id, "appendix": row.task.appendix, "group": row.task.group, "kind": row.task.kind, "text": row.task.text,
        "years": [row.task.start, row.task.end], "reporting_units": list(row.reporting), "external_leads": list(row.external),
        "cooperating_units": list(row.cooperating), "status": row.status, "percent": _round(row.percent),
        "reported": list(row.reported), "missing": list(row.missing),
        "allocated": row.allocated, "disbursed": row.disbursed, "disbursed_to_date": row.disbursed_to_date,
        "budget": None if budget is None else {"id": budget.id, "state": budget.state, "other": budget.other, "total": budget.total},
        "disbursed_share": _round(row.disbursed_share, 4), "overdue": row.overdue, "due": row.due,
        "conflicts": [{"cooperator": c.cooperator, "cooperator_status": c.cooperator_status, "lead_status": c.lead_status, "why": c.why}
                      for c in row.conflicts],
        "answers": {u: a.as_dict() for u, a in row.answers.items()},
        "contributions": {u: a.as_dict() for u, a in row.contributions.items()},
    }


def _indicator_dict(row: IndicatorRow) -> dict[str, Any]:
    target = row.task.target
    return {"id": row.task.id, "text": row.task.text, "target": None if target is None else {"value": target.value, "unit": target.unit, "year": target.year},
            "reporting_units": list(row.reporting), "reported": list(row.reported), "value": _round(row.value), "progress": _round(row.progress),
            "answers": {u: a.as_dict() for u, a in row.answers.items()},
            "trend": [{"period": p, "value": _round(v)} for p, v in row.trend]}


def as_dict(q: Quarterly) -> dict[str, Any]:
    s = q.summary
    return {
        "kind": "tracking", "tasks_file": q.catalog.id, "tasks_version": q.catalog.version, **q.period.as_dict(),
        "files_seen": q.seen, "files_new": q.new, "figures": figures(q).as_dict(),
        "compared_with": s.before_quarter, "funds_since": s.funds_since, "opening_as_of": s.opening_as_of,
        "units": [{"unit": u.unit.code, "name": u.unit.name, "level": u.unit.level, "reported": u.reported, "late": u.late, "late_on": u.late_on,
                   "late_by": u.late_by, "arrived": [{"sha256": f.sha256, "name": f.name, "state": f.state, "reason": f.reason, "period": f.period}
                                                     for f in u.arrived],
                   "blank_only": u.blank_only, "unchanged": u.unchanged, "rows": u.file.rows if u.file else 0,
                   "expected": u.duties.rows, "errors": u.file.errors if u.file else 0,
                   "file": u.file.name if u.file else None, "sha256": u.file.sha256 if u.file else None,
                   "modified": u.file.modified if u.file else None, "contacts": u.file.contacts if u.file else {}} for u in q.units],
        "missing": [u.unit.code for u in q.missing],
        "by_appendix": {k: dict(v) for k, v in s.by_appendix().items()},
        "funds": s.funds(),
        "tasks": [_task_dict(r) for r in s.tasks],
        "indicators": [_indicator_dict(r) for r in s.indicators],
        "trend": [{"period": t.quarter, "statuses": dict(t.statuses), "indicators": {k: _round(v) for k, v in t.indicators.items()},
                   "disbursed": t.disbursed, "disbursed_to_date": t.disbursed_to_date, "units_reported": t.units_reported} for t in s.trend],
        "issues": [i.as_dict() for i in q.issues],
        "files": [f.as_dict() for f in q.files],
    }


def write_json(q: Quarterly, path: Path) -> None:
    write_atomic(path, (json.dumps(sanitize.for_json(as_dict(q)), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def write_answers(q: Quarterly, path: Path) -> None:
    """The answers that pre-fill next quarter's workbooks: each unit's latest answers (this
    quarter's, or, for a unit that did not report, those of the last quarter it did)."""
    merged = {unit: {**answers.lead, **answers.cooperate} for unit, (_, answers) in q.carried.items()}
    dump_previous(path, q.catalog.id, q.quarter.id, merged)


# --------------------------------------------------------------------------------- CSV


def write_csv(q: Quarterly, folder: Path) -> list[Path]:
    """Open data, one table a file: tasks, indicators (one row per quarter), funds, every
    unit's answers, units, issues. Status words are those of the workbook's closed list."""
    s = q.summary
    period = q.quarter.id
    tasks: list[list[Any]] = [["ky", "ma", "phu_luc", "nhom", "loai", "nam_bat_dau", "nam_ket_thuc", "don_vi_chu_tri", "trang_thai", "phan_tram",
                               "so_don_vi_da_bao_cao", "so_don_vi_chu_tri", "qua_han", "den_han_trong_nam", "so_mau_thuan",
                               "kinh_phi_giao_trong_ky", "giai_ngan_trong_ky", "giai_ngan_luy_ke", "kinh_phi_phu_luc_5"]]
    for r in s.tasks:
        tasks.append([period, r.task.id, r.task.appendix, r.task.group, r.task.kind, r.task.start, r.task.end, " ".join(r.reporting),
                      r.status or "", _round(r.percent), len(r.reported), len(r.reporting), int(r.overdue), int(r.due), len(r.conflicts),
                      r.allocated, r.disbursed, r.disbursed_to_date, r.budget.total if r.budget else None])
    indicators: list[list[Any]] = [["ky", "ma", "muc_tieu", "don_vi_muc_tieu", "nam_muc_tieu", "gia_tri", "dat_so_voi_muc_tieu_phan_tram"]]
    for ind in s.indicators:
        target = ind.task.target
        for p, v in ind.trend:
            indicators.append([p, ind.task.id, target.value if target else None, target.unit if target else "", target.year if target else None,
                               _round(v), _round(v / target.value * 100) if v is not None and target else None])
    funds: list[list[Any]] = [["ky", "ma_phu_luc_5", "ma_du_an", "trung_han", "nguon_khac", "tong", "kinh_phi_giao_trong_ky", "giai_ngan_trong_ky",
                               "giai_ngan_luy_ke"]]
    by_id = {r.task.id: r for r in s.tasks}
    for b in q.catalog.budget.rows:
        found = by_id.get(b.project)
        funds.append([period, b.id, b.project, b.state, b.other, b.total, found.allocated if found else None, found.disbursed if found else None,
                      found.disbursed_to_date if found else None])
    answers: list[list[Any]] = [["ky", "ma_don_vi", "ma", "vai_tro", "trang_thai", "phan_tram", "ket_qua", "tai_lieu_kiem_chung", "kinh_phi_giao",
                                 "giai_ngan", "kho_khan", "de_xuat", "gia_tri", "nguon_so_lieu", "ngay_so_lieu", "noi_dung_phoi_hop"]]
    for u in q.units:
        if u.file is None:
            continue
        for role, rows in (("chu_tri", u.file.answers.lead), ("phoi_hop", u.file.answers.cooperate)):
            for task_id, a in rows.items():
                answers.append([period, u.unit.code, task_id, role, a.status or "", a.percent, a.output, a.evidence, a.allocated, a.disbursed,
                                a.difficulties, a.proposals, a.value, a.source, a.measured_on.isoformat() if a.measured_on else "", a.contribution])
    units: list[list[Any]] = [["ky", "ma_don_vi", "ten_don_vi", "da_bao_cao", "gui_muon", "khong_cap_nhat", "dong_da_bao_cao", "dong_duoc_giao",
                               "so_loi", "sha256"]]
    for u in q.units:
        units.append([period, u.unit.code, u.unit.name, int(u.reported), int(u.late), int(u.unchanged), u.file.rows if u.file else 0,
                      u.duties.rows, u.file.errors if u.file else 0, u.file.sha256 if u.file else ""])
    issues: list[list[Any]] = [["ky", "ma_van_de", "muc", "tep", "don_vi", "trang", "o", "nhiem_vu", "gia_tri", "thong_bao", "cach_sua"]]
    issues += [[period, i.code, SEVERITY_VI[i.severity], i.file, i.unit, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint] for i in q.issues]
    written = []
    for name, table in (("nhiem-vu.csv", tasks), ("chi-tieu.csv", indicators), ("kinh-phi.csv", funds), ("tra-loi.csv", answers),
                        ("don-vi.csv", units), ("van-de.csv", issues)):
        path = folder / name
        write_table(path, table)
        written.append(path)
    return written


# ------------------------------------------------------------------------------ workbook


class _Book:
    """The consolidated workbook being written: sheets with a heading and tables, in Times
    New Roman, printed on A4 landscape across the width."""

    def __init__(self, q: Quarterly):
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        self.q = q
        self.wb = Workbook()
        self.font = Font(name="Times New Roman", size=11)
        self.bold = Font(name="Times New Roman", size=11, bold=True)
        self.fill = PatternFill("solid", fgColor="BDD7EE")
        self.total_fill = PatternFill("solid", fgColor="F2F2F2")
        self.wb._named_styles["Normal"].font = self.font
        self.first = True

    def sheet(self, title: str, heading: str):
        from openpyxl.styles import Font

        from ..workbook.style import write

        if self.first:
            ws, self.first = self.wb.active, False
            ws.title = title
        else:
            ws = self.wb.create_sheet(title)
        q = self.q
        write(ws["A1"], heading).font = Font(name="Times New Roman", size=13, bold=True)
        write(ws["A2"], f"{_upper_first(q.quarter.title_vi)} · chốt số liệu {q.quarter.cutoff_vi} · hạn gửi {q.period.deadline_vi} · "
                        f"tệp nhiệm vụ {q.catalog.id} (phiên bản {q.catalog.version})").font = Font(name="Times New Roman", size=11, italic=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "Trang &P/&N"
        ws.oddFooter.center.font = "Times New Roman"
        return ws

    def table(self, ws, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], formats: dict[int, str] | None = None,
              *, start: int | None = None, total: bool = False) -> int:
        """Headers and rows from row ``start`` (default: below what the sheet holds); returns
        the header's row. ``total``: the last row is a total (bold, shaded)."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        from ..workbook.style import write

        head = start or ws.max_row + 2
        for n, title in enumerate(headers, start=1):
            cell = write(ws.cell(head, n), title)
            cell.font, cell.fill = self.bold, self.fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        # Styling a cell through openpyxl's attributes interns each style object again (measured:
        # 80% of writing the workbook of 300 units); cells of one kind share one style, so the
        # first is styled and the others take a copy of its style array.
        styles: dict[tuple[bool, str], Any] = {}
        for offset, values in enumerate(rows, start=1):
            last = total and offset == len(rows)
            for n, value in enumerate(values, start=1):
                cell = write(ws.cell(head + offset, n), value)  # text a unit typed stays text
                number = "#,##0.0" if isinstance(value, float) else "#,##0" if isinstance(value, int) and not isinstance(value, bool) else ""
                key = (last, number)
                if key in styles:
                    cell._style = copy(styles[key])
                    continue
                cell.font = self.bold if last else self.font
                if last:
                    cell.fill = self.total_fill
                if number:
                    cell.number_format = number
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                styles[key] = copy(cell._style)
        for n, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = width
        for col, fmt in (formats or {}).items():
            for r in range(head + 1, head + len(rows) + 1):
                ws.cell(r, col).number_format = fmt
        if head <= 4:
            ws.freeze_panes = ws.cell(head + 1, 1).coordinate
            ws.print_title_rows = f"{head}:{head}"
            ws.auto_filter.ref = f"A{head}:{get_column_letter(len(headers))}{head + max(1, len(rows))}"
        return head

    def save(self, path: Path) -> None:
        from ..workbook.style import fit_rows

        for ws in self.wb.worksheets:
            last = max(ws.max_column, 8)
            for row in (1, 2):  # the heading spans the table, so it is measured over the table's width
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
            fit_rows(ws)  # wrapped texts: LibreOffice keeps rows at one line on load, Excel until edited
        buffer = io.BytesIO()
        self.wb.save(buffer)
        write_atomic(path, buffer.getvalue())


def write_workbook(q: Quarterly, path: Path) -> None:
    book = _Book(q)
    names = q.summary.names
    _overview(book, q)
    _tasks_sheet(book, q, names)
    _indicators_sheet(book, q, names)
    _funds_sheet(book, q)
    _cooperation_sheet(book, q, names)
    _late_sheet(book, q, names)
    _answers_sheet(book, q)
    _units_sheet(book, q)
    _trend_sheet(book, q)
    ws = book.sheet("Vấn đề", "CÁC VẤN ĐỀ TRONG TỆP GỬI VỀ VÀ TRONG SỐ LIỆU TỔNG HỢP")
    book.table(ws, ["Mức", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Nhiệm vụ", "Giá trị", "Thông báo", "Cách sửa"],
               [[SEVERITY_VI[i.severity], i.code, i.unit, i.file, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint] for i in q.issues],
               [10, 18, 10, 30, 18, 6, 10, 20, 50, 45], start=4)
    ws = book.sheet("Tệp đã nhận", "CÁC TỆP ĐÃ NHẬN (MỌI TỆP CỦA KỲ, KỂ CẢ TỆP KHÔNG PHẢI SỔ BÁO CÁO)")
    book.table(ws, ["Tệp (đường dẫn khi nhận)", "Đơn vị", "Kỳ của sổ", "Tình trạng", "Lý do", "Người gửi", "Trả lời thư", "Gửi lúc", "Lưu lần cuối",
                    "Nhận lúc", "Dòng đã báo cáo", "Số lỗi", "SHA-256 (16 ký tự đầu)"],
               [[f.source, f.unit, f.period or "", f.state, f.reason, f.sender, f.reply_note, local_time(f.sent), local_time(f.modified),
                 local_time(f.received), f.rows, f.errors, f.sha256[:16]] for f in q.files],
               [45, 10, 10, 20, 40, 26, 36, 16, 16, 16, 9, 7, 20], start=4)
    book.save(path)


def _overview(book: _Book, q: Quarterly) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    from ..workbook.style import style_chart, write

    s = q.summary
    ws = book.sheet("Tổng quan", f"TỔNG HỢP TÌNH HÌNH TRIỂN KHAI KẾ HOẠCH 222/KH-UBND — {q.quarter.title_vi.upper()}")
    f = figures(q)
    facts = [
        ("Đơn vị đã báo cáo", f"{f.units_reported}/{f.units}"),
        ("Gửi muộn", "; ".join(f"{u.unit.name}: {late_words(u)}" for u in q.late) or "không"),
        ("Chưa báo cáo", "; ".join(f"{u.unit.name}: {missing_words(q, u)}" for u in q.missing) or "không"),
        ("Nhiệm vụ có đơn vị phối hợp báo cáo khác đơn vị chủ trì", f.conflict_tasks),
        ("Cặp đơn vị chủ trì – phối hợp báo cáo khác nhau", f.conflict_pairs),
        ("Nhiệm vụ quá thời hạn chưa hoàn thành", f.tasks_overdue),
        ("Kinh phí được giao trong kỳ (đồng)", f.allocated),
        ("Kinh phí đã giải ngân trong kỳ (đồng)", f.disbursed),
        (f"Kinh phí đã giải ngân lũy kế (đồng; {funds_since_words(q)})", f.disbursed_to_date),
        ("Kinh phí dự kiến ở Phụ lục 5, các dự án có số (đồng)", f.planned),
    ]
    for n, (label, value) in enumerate(facts, start=4):
        write(ws.cell(n, 1), label).font = book.bold
        ws.cell(n, 1).alignment = Alignment(vertical="top")
        cell = write(ws.cell(n, 2), value)
        cell.font = book.font
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if isinstance(value, int):
            cell.number_format = "#,##0"
        ws.merge_cells(start_row=n, start_column=2, end_row=n, end_column=1 + len(STATUS_ORDER) + 1)
    counts = s.by_appendix()
    rows: list[list[Any]] = [[APPENDIX_VI.get(a, a), *[c.get(st, 0) for st in STATUS_ORDER], sum(c.values())] for a, c in counts.items()]
    rows.append(["Tổng", *[sum(c.get(st, 0) for c in counts.values()) for st in STATUS_ORDER], sum(sum(c.values()) for c in counts.values())])
    head = book.table(ws, ["Phần của Kế hoạch", *STATUS_ORDER, "Tổng"], rows, [52, 40, 14, 14, 14, 14, 14, 10], start=len(facts) + 6, total=True)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "Nhiệm vụ theo trạng thái"
    chart.y_axis.title = "số nhiệm vụ"
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(STATUS_ORDER), min_row=head, max_row=head + len(counts)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + len(counts)))
    chart.height, chart.width = 8, 24
    style_chart(chart)
    ws.add_chart(chart, f"A{head + len(rows) + 3}")


def _tasks_sheet(book: _Book, q: Quarterly, names: Mapping[str, str]) -> None:
    ws = book.sheet("Nhiệm vụ", "TÌNH HÌNH TỪNG NHIỆM VỤ (PHỤ LỤC 2, 3 VÀ MỤC IV)")
    rows = []
    for r in q.summary.tasks:
        several = len(r.answers) > 1
        lead = ", ".join(names.get(u, u) for u in r.reporting) if len(r.reporting) <= 3 else f"{len(r.reporting)} đơn vị"
        if r.external:
            lead = f"{', '.join(r.external)} (báo cáo thay: {lead})"
        rows.append([r.task.id, r.task.text, r.task.kind_vi, r.task.years_vi, lead, r.status_vi, _round(r.percent, 1),
                     f"{len(r.reported)}/{len(r.reporting)}", "quá hạn" if r.overdue else "đến hạn" if r.due else "",
                     len(r.conflicts) or None, _quoted(dict(r.answers), "output", names, several),
                     _quoted(dict(r.answers), "difficulties", names, several), _quoted(dict(r.answers), "proposals", names, several),
                     r.allocated, r.disbursed, r.disbursed_to_date, r.budget.total if r.budget else None])
    book.table(ws, ["Mã", "Nội dung", "Loại", "Năm thực hiện", "Chủ trì", "Trạng thái", "% hoàn thành", "Đã báo cáo", "Thời hạn", "Mâu thuẫn",
                    "Kết quả, sản phẩm", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị", "KP giao trong kỳ (đồng)", "Giải ngân trong kỳ (đồng)",
                    "Giải ngân lũy kế (đồng)", "KP dự kiến PL5 (đồng)"],
               rows, [11, 45, 11, 12, 26, 15, 9, 9, 9, 9, 36, 30, 30, 16, 16, 16, 18], {7: "0.0"}, start=4)


def _indicators_sheet(book: _Book, q: Quarterly, names: Mapping[str, str]) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference, Series

    from ..workbook.style import style_chart

    s = q.summary
    ws = book.sheet("Chỉ tiêu", "CHỈ TIÊU PHỤ LỤC 1: GIÁ TRỊ ĐẠT ĐƯỢC SO VỚI MỤC TIÊU NĂM 2025")
    quarters = [t.quarter for t in s.trend]
    rows = []
    for r in s.indicators:
        several = len(r.reporting) > 1
        sources = "\n".join(f"{names.get(u, u) + ': ' if several else ''}{vn.number(round(a.value, 2))}% — {a.source}"
                            + (f" ({a.measured_on:%d/%m/%Y})" if a.measured_on else "") for u, a in r.answers.items() if a.value is not None)
        rows.append([r.task.id, r.task.text, r.target, f"{len(r.reported)}/{len(r.reporting)}", _round(r.value, 2), _round(r.progress, 1), sources,
                     *[_round(v, 2) for _, v in r.trend]])
    head = book.table(ws, ["Mã", "Chỉ tiêu", "Mục tiêu 2025 (%)", "Đã báo cáo", "Giá trị kỳ này (%)", "Đạt so với mục tiêu (%)", "Nguồn, ngày số liệu",
                           *[f"Giá trị {p} (%)" for p in quarters]],
                      rows, [8, 50, 10, 9, 11, 11, 40, *[11] * len(quarters)],
                      {3: "0.##", 5: "0.##", 6: "0.0", **{8 + n: "0.##" for n in range(len(quarters))}}, start=4)
    last = head + len(rows)
    bar = BarChart()
    bar.type, bar.title = "bar", "Đạt so với mục tiêu năm 2025 (%)"
    bar.add_data(Reference(ws, min_col=6, min_row=head, max_row=last), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
    bar.x_axis.scaling.orientation = "maxMin"
    bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 100
    bar.legend = None
    bar.height, bar.width = 10, 18
    style_chart(bar)
    ws.add_chart(bar, f"B{last + 3}")
    if len(quarters) > 1:
        line = LineChart()
        line.title, line.y_axis.title = "Giá trị chỉ tiêu qua các quý (%)", "%"
        for n, r in enumerate(s.indicators):
            if any(v is not None for _, v in r.trend):
                line.series.append(Series(Reference(ws, min_col=8, max_col=7 + len(quarters), min_row=head + 1 + n), title=r.task.id))
        line.set_categories(Reference(ws, min_col=8, max_col=7 + len(quarters), min_row=head))
        line.height, line.width = 10, 18
        style_chart(line)
        ws.add_chart(line, f"G{last + 3}")


def _funds_sheet(book: _Book, q: Quarterly) -> None:
    ws = book.sheet("Kinh phí", "KINH PHÍ: GIAO, GIẢI NGÂN TRONG KỲ VÀ LŨY KẾ SO VỚI PHỤ LỤC 5 (ĐỒNG)")
    by_id = {r.task.id: r for r in q.summary.tasks}
    rows: list[list[Any]] = []
    for b in q.catalog.budget.rows:
        r = by_id.get(b.project)
        rows.append([b.id, b.text, b.lead, b.state, b.other, b.total if b.total is not None else "chưa xác định (\"-\")",
                     r.allocated if r else None, r.disbursed if r else None, r.disbursed_to_date if r else None,
                     _round(r.disbursed_share * 100, 1) if r and r.disbursed_share is not None else None])
    outside = [r for r in q.summary.tasks if r.budget is None and (r.allocated or r.disbursed or r.disbursed_to_date)]
    for r in outside:
        rows.append([r.task.id, r.task.text, "ngoài Phụ lục 5", None, None, None, r.allocated, r.disbursed, r.disbursed_to_date, None])
    funds = q.summary.funds()
    budget = q.catalog.budget
    planned = funds["planned"]
    rows.append(["Tổng", "", "", budget.summed("state"), budget.summed("other"), budget.summed("total"), funds["allocated"], funds["disbursed"],
                 funds["disbursed_to_date"], _round(funds["disbursed_to_date"] / planned * 100, 1) if planned else None])
    book.table(ws, ["Mã", "Dự án (Phụ lục 5)", "Chủ trì", "Trung hạn", "Xã hội hóa, tài trợ, trung ương, khác", "Tổng (PL5)", "Giao trong kỳ",
                    "Giải ngân trong kỳ", "Giải ngân lũy kế", "Lũy kế / PL5 (%)"],
               rows, [11, 50, 22, 16, 16, 17, 16, 16, 16, 10], {4: "#,##0", 5: "#,##0", 6: "#,##0", 7: "#,##0", 8: "#,##0", 9: "#,##0", 10: "0.0"},
               start=4, total=True)


def _cooperation_sheet(book: _Book, q: Quarterly, names: Mapping[str, str]) -> None:
    ws = book.sheet("Phối hợp", "PHẦN VIỆC CỦA ĐƠN VỊ PHỐI HỢP VÀ CÁC CHỖ KHÁC VỚI ĐƠN VỊ CHỦ TRÌ")
    rows = []
    for r in q.summary.tasks:
        conflicts = {c.cooperator: c.why for c in r.conflicts}
        for unit in r.cooperating:
            a = r.contributions.get(unit)
            rows.append([r.task.id, r.task.text, r.status_vi, names.get(unit, unit), (a.status or "") if a else NO_REPORT,
                         a.contribution if a else "", conflicts.get(unit, "")])
    book.table(ws, ["Mã", "Nhiệm vụ", "Chủ trì báo", "Đơn vị phối hợp", "Phần việc phối hợp", "Nội dung phối hợp", "Khác với chủ trì"],
               rows, [11, 45, 15, 28, 15, 45, 40], start=4)


def _late_sheet(book: _Book, q: Quarterly, names: Mapping[str, str]) -> None:
    ws = book.sheet("Chậm, quá hạn", "NHIỆM VỤ QUÁ HẠN, ĐẾN HẠN, CHẬM TIẾN ĐỘ, DỪNG VÀ MÂU THUẪN")
    rows = []
    for r in q.summary.tasks:
        why = [w for w, flag in (("quá thời hạn", r.overdue), ("đến hạn trong năm, chưa hoàn thành", r.due),
                                  ("chậm tiến độ", r.status == LATE), ("dừng", r.status == STOPPED),
                                  ("chủ trì và phối hợp báo cáo khác nhau", bool(r.conflicts))) if flag]
        if why:
            lead = ", ".join(names.get(u, u) for u in r.reporting) if len(r.reporting) <= 3 else f"{len(r.reporting)} đơn vị"
            rows.append([r.task.id, r.task.text, r.task.years_vi, lead, r.status_vi, "; ".join(why),
                         _quoted(dict(r.answers), "difficulties", names, len(r.answers) > 1)])
    book.table(ws, ["Mã", "Nhiệm vụ", "Năm thực hiện", "Chủ trì", "Trạng thái", "Vì sao", "Khó khăn, vướng mắc"], rows, [11, 50, 14, 28, 15, 30, 45], start=4)


def _answers_sheet(book: _Book, q: Quarterly) -> None:
    ws = book.sheet("Theo đơn vị", "CÂU TRẢ LỜI CỦA TỪNG ĐƠN VỊ (TỪ SỔ ĐANG DÙNG)")
    rows = []
    for u in q.units:
        if u.file is None:
            continue
        for role, answers in (("chủ trì", u.file.answers.lead), ("phối hợp", u.file.answers.cooperate)):
            for task_id, a in answers.items():
                rows.append([u.unit.code, task_id, role, a.status or "", a.percent, a.output or a.contribution, a.evidence, a.allocated, a.disbursed,
                             a.difficulties, a.proposals, a.value, a.source, a.measured_on.strftime("%d/%m/%Y") if a.measured_on else ""])
    book.table(ws, ["Đơn vị", "Mã", "Vai trò", "Trạng thái", "%", "Kết quả / nội dung phối hợp", "Tài liệu kiểm chứng", "KP giao (đồng)",
                    "Giải ngân (đồng)", "Khó khăn", "Đề xuất", "Giá trị chỉ tiêu", "Nguồn số liệu", "Ngày số liệu"],
               rows, [9, 11, 9, 15, 7, 40, 26, 15, 15, 30, 30, 9, 24, 11], {5: "0.##", 12: "0.##"}, start=4)


def _units_sheet(book: _Book, q: Quarterly) -> None:
    ws = book.sheet("Đơn vị", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ")
    rows = []
    for u in q.units:
        f = u.file
        state = "đã báo cáo" if f else "chưa báo cáo: " + missing_words(q, u)
        rows.append([u.unit.code, u.unit.name, state, late_words(u) if u.late else "", "có" if u.unchanged else "",
                     f.rows if f else 0, u.duties.rows, f.errors if f else None, f.name if f else "",
                     local_time(f.modified) if f else "", f.contacts.get("unit_preparer", "") if f else ""])
    book.table(ws, ["Mã", "Đơn vị", "Tình trạng", "Gửi muộn (ngày nào)", "Không cập nhật so với quý trước", "Dòng đã báo cáo", "Dòng được giao", "Số lỗi",
                    "Tệp đang dùng", "Lưu lần cuối", "Người lập biểu"],
               rows, [10, 40, 40, 22, 14, 10, 10, 8, 45, 16, 24], start=4)


def _trend_sheet(book: _Book, q: Quarterly) -> None:
    from openpyxl.chart import LineChart, Reference

    from ..workbook.style import style_chart

    s = q.summary
    ws = book.sheet("Xu hướng", "XU HƯỚNG QUA CÁC QUÝ: TRẠNG THÁI NHIỆM VỤ, GIẢI NGÂN, ĐƠN VỊ BÁO CÁO")
    rows = [[t.quarter, t.units_reported, *[t.statuses.get(st, 0) for st in STATUS_ORDER], t.disbursed, t.disbursed_to_date] for t in s.trend]
    head = book.table(ws, ["Kỳ", "Đơn vị đã báo cáo", *STATUS_ORDER, "Giải ngân trong kỳ (đồng)", "Giải ngân lũy kế (đồng)"], rows,
                      [10, 12, 14, 14, 14, 14, 10, 14, 20, 20], start=4)
    if len(rows) > 1:
        chart = LineChart()
        chart.title, chart.y_axis.title = "Nhiệm vụ theo trạng thái qua các quý", "số nhiệm vụ"
        chart.add_data(Reference(ws, min_col=3, max_col=2 + len(STATUS_ORDER), min_row=head, max_row=head + len(rows)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + len(rows)))
        chart.height, chart.width = 9, 20
        style_chart(chart)
        ws.add_chart(chart, f"A{head + len(rows) + 3}")


def trend_dict(q: Quarterly) -> dict[str, Any]:
    """The trend up to a quarter: per quarter, tasks by status, funds, units, indicators."""
    s = q.summary
    return {"kind": "tracking-trend", "tasks_file": q.catalog.id, "until": q.quarter.id,
            "quarters": [{"period": t.quarter, "statuses": dict(t.statuses), "disbursed": t.disbursed, "disbursed_to_date": t.disbursed_to_date,
                          "units_reported": t.units_reported} for t in s.trend],
            "indicators": [{"id": r.task.id, "text": r.task.text, "target": r.target,
                            "values": [{"period": p, "value": _round(v), "progress": _round(v / r.target * 100) if v is not None and r.target else None}
                                       for p, v in r.trend]} for r in s.indicators]}


def write_trend(q: Quarterly, path: Path) -> Path:
    """The year's trend (every quarter up to ``q``): a workbook with the status and funds of
    each quarter and the indicators over the quarters, with charts; and the same as JSON
    beside it. Returns the workbook's path."""
    book = _Book(q)
    _trend_sheet(book, q)
    _indicators_sheet(book, q, q.summary.names)
    book.save(path)
    write_atomic(path.with_suffix(".json"), (json.dumps(sanitize.for_json(trend_dict(q)), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
