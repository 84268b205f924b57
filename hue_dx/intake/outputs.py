"""Outputs of a consolidation: the ranking workbook, JSON, and CSV for open-data publishing.

Every file is written through a temporary file and renamed, so an interrupted run leaves no
half-written output. Every text passes through the sanitizer of its format (``sanitize``):
CSV cells that a spreadsheet would run as a formula are prefixed with an apostrophe (OWASP's
advice against CSV injection), workbook cells lose the characters XML cannot hold and are
never formulas, JSON holds only valid Unicode; numbers are left as numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path, PurePosixPath
from typing import Any

from .. import sanitize
from ..generate import write_atomic
from ..issues import ERROR, WARNING
from .consolidate import Consolidation

SEVERITY_VI = {ERROR: "lỗi", WARNING: "cảnh báo", "info": "thông tin"}


def file_name(source: str) -> str:
    """The file's own name from how it was received (a path, or archive.zip!/folder/member)."""
    return PurePosixPath(source.rsplit("!/", 1)[-1].replace("\\", "/")).name


def local_time(iso: str | None) -> str:
    """An ISO time as people read it here: dd/mm/yyyy hh:mm, Vietnam time (UTC+7)."""
    if not iso:
        return ""
    try:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if when.tzinfo:
        when = when.astimezone(dt.timezone(dt.timedelta(hours=7)))
    return when.strftime("%d/%m/%Y %H:%M")


def _index(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def as_dict(c: Consolidation) -> dict[str, Any]:
    pillars = [p.code for p in c.catalog.pillars]
    groups = {}
    for group, rows in c.groups.items():
        groups[group] = [
            {"rank": r.rank, "unit": r.unit.code, "name": r.unit.name, "level": r.unit.level,
             "points": r.final.final.total.points if r.final else None, "max": r.final.final.total.applicable_max if r.final else None,
             "index": _index(r.index), "self_index": _index(r.self_index),
             "difference": _index(r.index - r.self_index) if r.index is not None and r.self_index is not None else None,
             "appraised": len(r.final.applied) if r.final else 0,
             "late": r.late, "errors": r.errors, "file": file_name(r.result.name) if r.result else None,
             "source": r.result.name if r.result else None,
             "sha256": r.result.sha256 if r.result else None,
             "pillars": {code: {"index": _index(r.pillar_index(n)), "self_index": _index(r.result.pillars[n][3]) if r.result else None,
                                "rank": r.pillar_ranks.get(code)}
                         for n, code in enumerate(pillars)}}
            for r in rows]
    return {
        "catalog": c.catalog.id, "catalog_version": c.catalog.version, "period": c.campaign.period,
        "deadline": c.campaign.deadline.isoformat(), "files_seen": c.seen, "files_new": c.new,
        "ranking": groups,
        "missing": [{"unit": u.code, "name": u.name, "group": u.group} for u in c.missing],
        "province": [{k: v for k, v in p.items() if k != "labels"} for p in c.province],
        "files": c.files,
        "appraisals": c.differences,
        "issues": [i.as_dict() for i in c.issues],
    }


def write_json(c: Consolidation, path: Path) -> None:
    write_atomic(path, (json.dumps(sanitize.for_json(as_dict(c)), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


safe_cell = sanitize.for_csv  # a value no spreadsheet will run as a formula when it opens the CSV


def _xlsx_row(ws, values: list[Any]) -> None:
    """Append a row of values to a sheet: text cleaned for XML and never taken for a formula."""
    ws.append([sanitize.for_xlsx_cell(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # openpyxl took it for a formula; it is text a unit typed


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 Vietnamese correctly


def write_csv(c: Consolidation, folder: Path) -> list[Path]:
    pillars = [p.code for p in c.catalog.pillars]
    ranking: list[list[Any]] = [["nhom", "hang", "ma_don_vi", "ten_don_vi", "diem", "diem_toi_da", "chi_so",
                                 *[f"chi_so_tru_cot_{p}" for p in pillars], "nop_muon"]]
    for group, members in c.groups.items():
        for r in members:
            ranking.append([group, r.rank, r.unit.code, r.unit.name, _round(r.final.final.total.points) if r.final else None,
                            r.final.final.total.applicable_max if r.final else None, _index(r.index),
                            *[_index(r.pillar_index(n)) for n in range(len(pillars))], int(r.late)])
    criteria: list[list[Any]] = [["ma_don_vi", "ma_tieu_chi", "diem_tu_danh_gia", "diem", "diem_toi_da_ap_dung", "trang_thai", "nguon"]]
    for members in c.groups.values():
        for r in members:
            if r.final:
                criteria += [[r.unit.code, f.code, s.points, f.points, f.applicable_max, f.status_vi, r.final.source(f.code)]
                             for s, f in zip(r.final.self_result.criteria, r.final.final.criteria, strict=True)]
    issues: list[list[Any]] = [["ma_van_de", "muc", "tep", "don_vi", "trang", "o", "tieu_chi", "gia_tri", "thong_bao", "cach_sua"]]
    issues += [[i.code, SEVERITY_VI[i.severity], i.file, i.unit, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint] for i in c.issues]
    written = []
    for name, table in (("xep-hang.csv", ranking), ("tieu-chi.csv", criteria), ("van-de.csv", issues)):
        path = folder / name
        write_atomic(path, _csv(table))
        written.append(path)
    return written


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def write_workbook(c: Consolidation, path: Path) -> None:
    """The consolidated workbook: ranking, pillars, criteria, province-wide figures, issues,
    units missing, files received, with a chart of the indices."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..documents import local_time
    from ..reports import ratio_is_share
    from ..workbook.build import style_chart

    bold = Font(name="Times New Roman", bold=True)
    normal = Font(name="Times New Roman")
    header_fill = PatternFill("solid", fgColor="BDD7EE")
    wb = Workbook()
    wb._named_styles["Normal"].font = normal
    pillars = c.catalog.pillars

    def table(ws, title: str, headers: list[str], rows: list[list[Any]], widths: list[int], formats: dict[int, str] | None = None) -> int:
        ws.append([title])
        ws["A1"].font = Font(name="Times New Roman", bold=True, size=13)
        ws.append([f"Kỳ {c.campaign.period} · bộ tiêu chí {c.catalog.id} (phiên bản {c.catalog.version}) · hạn gửi {c.campaign.deadline_vi}"])
        ws["A2"].font = Font(name="Times New Roman", italic=True)
        ws.append(headers)
        for cell in ws[3]:
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for row in rows:
            _xlsx_row(ws, row)
        for n, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = width
        # The header wraps: its row is made as tall as its longest heading needs, or it would
        # overlap the first row of data (Excel and LibreOffice keep a set height as it is).
        lines = max(-(-int(len(str(h)) * 1.15) // max(1, int(w))) for h, w in zip(headers, widths, strict=False))
        ws.row_dimensions[3].height = 15.0 * max(1, lines) + 4
        for row_cells in ws.iter_rows(min_row=4):
            for cell in row_cells:
                cell.font = normal  # every cell in Times New Roman, numbers too (the default style is Calibri)
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, int) and not isinstance(cell.value, bool):
                    cell.number_format = "#,##0"
                elif isinstance(cell.value, str) and len(cell.value) > 30:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, fmt in (formats or {}).items():
            for row in ws.iter_rows(min_row=4, min_col=col, max_col=col):
                row[0].number_format = fmt
        ws.freeze_panes = "A4"
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        return 3 + len(rows)

    ws = wb.active
    ws.title = "Xếp hạng"
    rows: list[list[Any]] = []
    spans: list[tuple[str, int, int]] = []
    for group, members in c.groups.items():
        start = len(rows) + 4
        for r in members:
            diff = r.index - r.self_index if r.index is not None and r.self_index is not None else None
            rows.append([group, r.rank, r.unit.code, r.unit.name, r.final.final.total.points if r.final else None,
                         r.final.final.total.applicable_max if r.final else None, _index(r.index), _index(r.self_index), _index(diff),
                         "muộn" if r.late else "", r.errors or "", r.result.name if r.result else "chưa nhận được sổ hợp lệ"])
        spans.append((group, start, len(rows) + 3))
    appraised = any(r.final and r.final.applied for members in c.groups.values() for r in members)
    title = "XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ" + (" (SAU THẨM ĐỊNH)" if appraised else " (THEO KẾT QUẢ TỰ ĐÁNH GIÁ)")
    table(ws, title, ["Nhóm", "Hạng", "Mã", "Đơn vị", "Điểm", "Tối đa áp dụng", "Chỉ số (0–1)",
                                                                "Chỉ số tự đánh giá", "Chênh lệch", "Nộp muộn", "Số lỗi", "Tệp được dùng"],
          rows, [18, 6, 10, 40, 9, 9, 11, 11, 10, 9, 7, 40], {5: "#,##0.00", 6: "#,##0.##", 7: "0.0000", 8: "0.0000", 9: "+0.0000;-0.0000;0"})
    ranked = {group: sum(1 for r in members if r.rank is not None) for group, members in c.groups.items()}
    charts = wb.create_sheet("Biểu đồ")
    charts.append(["CHỈ SỐ CHUYỂN ĐỔI SỐ THEO NHÓM (đơn vị đã xếp hạng)"])
    charts["A1"].font = Font(name="Times New Roman", bold=True, size=13)
    anchor = 3
    for group, start, _ in spans:
        if not ranked[group]:
            continue
        end = start + ranked[group] - 1
        chart = BarChart()
        chart.type, chart.title, chart.legend = "bar", f"Chỉ số — {group}", None
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 on top
        chart.add_data(Reference(ws, min_col=7, min_row=start, max_row=end), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=4, min_row=start, max_row=end))
        chart.height, chart.width = max(5.0, 0.6 * ranked[group] + 2.5), 22
        chart.x_axis.tickLblSkip = 1  # a label for every unit, not every other one
        chart.y_axis.number_format, chart.y_axis.majorUnit = "0.0", 0.2
        style_chart(chart)
        charts.add_chart(chart, f"A{anchor}")
        anchor += int(chart.height * 2) + 2
    charts.page_setup.orientation = "landscape"
    charts.page_setup.paperSize = charts.PAPERSIZE_A4

    ws = wb.create_sheet("Trụ cột")
    headers = ["Nhóm", "Mã", "Đơn vị"]
    for p in pillars:
        headers += [f"{p.code}. Chỉ số", f"{p.code}. Hạng"]
    rows = []
    for group, members in c.groups.items():
        for r in members:
            row: list[Any] = [group, r.unit.code, r.unit.name]
            for n, p in enumerate(pillars):
                row += [_index(r.pillar_index(n)), r.pillar_ranks.get(p.code)]
            rows.append(row)
    table(ws, "CHỈ SỐ VÀ HẠNG THEO TRỤ CỘT", headers, rows, [18, 10, 36] + [10, 6] * len(pillars),
          {4 + 2 * n: "0.0000" for n in range(len(pillars))})

    ws = wb.create_sheet("Tiêu chí")
    units = [r for members in c.groups.values() for r in members if r.final]
    rows = []
    for n, crit in enumerate(c.catalog.criteria):
        line: list[Any] = [crit.code, crit.title, crit.max]
        for r in units:
            final = r.final.final.criteria[n]  # type: ignore[union-attr]
            line.append(final.points if final.points is not None else final.status_vi)
        rows.append(line)
    table(ws, "ĐIỂM THEO TIÊU CHÍ", ["Mã", "Tiêu chí", "Tối đa", *[r.unit.code for r in units]], rows, [8, 42, 7] + [9] * len(units),
          {3: "0.##", **{4 + n: "0.00" for n in range(len(units))}})
    # Printed across pages rather than shrunk to one: code, title and max repeat on each page.
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = 80
    ws.print_title_cols = "A:C"

    ws = wb.create_sheet("Thẩm định")
    rows = [[d["unit"], d["name"], d["code"], d["self"], d["final"], d["difference"], d["self_status"], d["final_status"], d["appraiser"],
             d["reason"], d["file"]] for d in c.differences]
    table(ws, "CHÊNH LỆCH GIỮA TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH (LỚN NHẤT TRƯỚC)", ["Mã", "Đơn vị", "Tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định",
          "Chênh lệch", "Trạng thái tự đánh giá", "Trạng thái thẩm định", "Người thẩm định", "Lý do", "Phiếu thẩm định"],
          rows, [10, 32, 9, 10, 10, 10, 22, 22, 26, 45, 30], {4: "0.00", 5: "0.00", 6: "+0.00;-0.00;0"})

    ws = wb.create_sheet("Toàn tỉnh")
    rows = []
    keys = sorted({k for figure in c.province for k in figure["sums"]})
    criteria = {x.code: x for x in c.catalog.criteria}
    for figure in c.province:
        labels = "; ".join(f"{k}: {figure['labels'].get(k, '')}" for k in figure["sums"])
        rows.append([figure["code"], figure["title"], figure["units"], labels, *[figure["sums"].get(k) for k in keys],
                     _index(figure["share"]), figure["points"], figure["max"]])
    table(ws, "SỐ LIỆU TOÀN TỈNH (CỘNG SỐ LIỆU CỦA CÁC ĐƠN VỊ)", ["Mã", "Tiêu chí", "Số đơn vị", "Số liệu", *keys,
                                                                   "Tỷ lệ (%) hoặc bình quân", "Điểm", "Tối đa"],
          rows, [8, 40, 8, 40, *[12] * len(keys), 11, 8, 7],
          {**{5 + n: "#,##0" for n in range(len(keys))}, 6 + len(keys): "0.00", 7 + len(keys): "0.##"})
    for n, figure in enumerate(c.province, start=4):  # a share is a percentage; a rate per person (7.2.2) is not
        share = ratio_is_share(criteria[figure["code"]])
        ws.cell(n, 5 + len(keys)).number_format = "0.00%" if share else "#,##0.00"

    ws = wb.create_sheet("Vấn đề")
    rows = [[SEVERITY_VI[i.severity], i.code, i.unit, i.file, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint] for i in c.issues]
    table(ws, "CÁC VẤN ĐỀ TRONG TỆP GỬI VỀ", ["Mức", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Tiêu chí", "Giá trị", "Thông báo", "Cách sửa"],
          rows, [10, 18, 10, 30, 22, 6, 8, 16, 50, 50])
    ws.auto_filter.ref = f"A3:J{max(3, len(rows) + 3)}"

    ws = wb.create_sheet("Chưa gửi")
    table(ws, "ĐƠN VỊ CHƯA GỬI SỔ HỢP LỆ", ["Mã", "Đơn vị", "Nhóm"], [[u.code, u.name, u.group] for u in c.missing], [10, 45, 20])

    ws = wb.create_sheet("Tệp đã nhận")
    rows = [[f["source"], f["unit"], f["state"], f["reason"], f["sender"], local_time(f["sent"]), local_time(f["modified"]),
             local_time(f["received"]), f["figures"] if f["figures"] >= 0 else None, _index(f["index"]), f["errors"], f["sha256"][:16]]
            for f in c.files]
    table(ws, "CÁC TỆP ĐÃ NHẬN (MỌI TỆP, KỂ CẢ TỆP KHÔNG PHẢI SỔ ĐÁNH GIÁ)",
          ["Tệp (đường dẫn khi nhận)", "Đơn vị", "Tình trạng", "Lý do", "Người gửi", "Gửi lúc", "Lưu lần cuối", "Nhận lúc", "Số ô số liệu",
           "Chỉ số", "Số lỗi", "SHA-256 (16 ký tự đầu)"],
          rows, [50, 10, 20, 40, 28, 16, 16, 16, 9, 9, 7, 20])

    buffer = io.BytesIO()
    wb.save(buffer)
    write_atomic(path, buffer.getvalue())
