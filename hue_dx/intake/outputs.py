"""Outputs of a consolidation: the ranking workbook, JSON, and CSV for open-data publishing
(with the Frictionless ``datapackage.json`` that describes them: ``opendata``).

Written as streams: the ranking workbook with XlsxWriter in constant-memory mode, JSON and CSV a record at
a time, and the issues read back from the ledger one file at a time
(``Consolidation.iter_issues``), so that writing the outputs of thousands of files takes no
more memory than writing those of thirty. Every file is written through a temporary file and
renamed, so an interrupted run leaves no half-written output. Every text passes through the
sanitizer of its format (``sanitize``): CSV cells that a spreadsheet would run as a formula are
prefixed with an apostrophe (OWASP's advice against CSV injection), workbook cells lose the
characters XML cannot hold and are never formulas, JSON holds only valid Unicode; numbers are
left as numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .. import opendata, sanitize, series
from ..documents import VIETNAM, local_time
from ..files import open_atomic
from ..issues import SEVERITY_VI
from ..totals import grade
from .received import file_name
from .results import Consolidation, UnitRow


def _index(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _grade(c: Consolidation, r: UnitRow) -> str | None:
    """[grades] issue 24: the band of the unit's final index, as its workbook's summary names it."""
    return grade(r.index, c.catalog.totals.grades)


def _state(c: Consolidation, r: UnitRow) -> str:
    """[approval] The unit's state (chưa gửi … đã duyệt), derived from the ledger."""
    found = c.states.get(r.unit.code)
    return found.state if found else ""


def _states(c: Consolidation) -> Iterator[dict[str, Any]]:
    for _, r in _rows(c):
        found = c.states.get(r.unit.code)
        if found is not None:
            yield {"name": r.unit.name, **found.as_dict()}


def _versions(c: Consolidation) -> Iterator[dict[str, Any]]:
    for _, r in _rows(c):
        found = c.versions.get(r.unit.code)
        if found is not None:
            yield found.as_dict()


def _rows(c: Consolidation) -> Iterator[tuple[str, UnitRow]]:
    for group, rows in c.groups.items():
        for r in rows:
            yield group, r


def _against(c: Consolidation, r: UnitRow) -> series.UnitComparison | None:
    """[issue 22] the unit against the year before, when the consolidation was compared (``intake.years.attach``)."""
    return c.comparison.unit(r.unit.code) if c.comparison is not None else None


def _previous_record(c: Consolidation, r: UnitRow) -> dict[str, Any]:
    """[issue 22] ``lineage``, ``previous`` (the year before: period, index, rank, changes, per pillar) or
    null, and ``previous_reason`` saying why."""
    if c.comparison is None:
        return {}
    lineage = c.campaign.lineage.get(r.unit.code)
    found = _against(c, r)
    if found is None:
        reason = c.comparison.reason or f"chưa gửi sổ có số liệu năm {c.campaign.period}"
    else:
        reason = "" if found.previous() is not None else found.why
    return {"lineage": {"kind": lineage.kind, "from": list(lineage.sources)} if lineage else None,
            "previous": found.previous() if found is not None else None, "previous_reason": reason}


def _ranking_record(c: Consolidation, r: UnitRow) -> dict[str, Any]:
    pillars = [p.code for p in c.catalog.pillars]
    return {"rank": r.rank, "unit": r.unit.code, "name": r.unit.name, "level": r.unit.level,
            "points": r.final.final.total.points if r.final else None, "max": r.final.final.total.applicable_max if r.final else None,
            "index": _index(r.index), "self_index": _index(r.self_index),
            **({"grade": _grade(c, r)} if c.catalog.totals.grades else {}),  # [grades]
            "difference": _index(r.index - r.self_index) if r.index is not None and r.self_index is not None else None,
            "appraised": len(r.final.applied) if r.final else 0,
            "late": r.late, "errors": r.errors, "state": _state(c, r), "file": file_name(r.result.name) if r.result else None,
            "source": r.result.name if r.result else None,
            "sha256": r.result.sha256 if r.result else None,
            "pillars": {code: {"index": _index(r.pillar_index(n)), "self_index": _index(r.result.pillars[n][3]) if r.result else None,
                               "rank": r.pillar_ranks.get(code)}
                        for n, code in enumerate(pillars)},
            **_previous_record(c, r)}


def _head(c: Consolidation) -> dict[str, Any]:
    return {"catalog": c.catalog.id, "catalog_version": c.catalog.version, "period": c.campaign.period,
            "deadline": c.campaign.deadline.isoformat(), "files_seen": c.seen, "files_new": c.new,
            "approval": c.approval_record, "standing": c.standing,  # [approval] null: not an approved result
            **({"previous": c.comparison.head()} if c.comparison is not None else {})}


def as_dict(c: Consolidation) -> dict[str, Any]:
    """Everything in one dictionary (what write_json writes), for Python users of small runs."""
    return {**_head(c),
            "ranking": {group: [_ranking_record(c, r) for r in rows] for group, rows in c.groups.items()},
            "missing": [{"unit": u.code, "name": u.name, "group": u.group} for u in c.missing],
            "province": [{k: v for k, v in p.items() if k != "labels"} for p in c.province],
            "files": [f.as_dict() for f in c.files], "appraisals": c.differences, "states": list(_states(c)), "versions": list(_versions(c)),
            "issues": [i.as_dict() for i in c.iter_issues()]}


def write_json(c: Consolidation, path: Path) -> None:
    """The JSON form of ``as_dict``, written a record at a time."""
    def dumps(value: Any) -> str:
        return json.dumps(sanitize.for_json(value), ensure_ascii=False)

    def array(f: BinaryIO, records: Iterable[Any], indent: str = "  ") -> None:
        first = True
        for record in records:
            f.write((("\n" if first else ",\n") + indent + "  " + dumps(record)).encode("utf-8"))
            first = False
        f.write((("\n" + indent) if not first else "").encode("utf-8") + b"]")

    with open_atomic(path) as f:
        f.write(b"{\n")
        for key, value in _head(c).items():
            f.write(f"  {dumps(key)}: {dumps(value)},\n".encode())
        f.write(b'  "ranking": {')
        for n, (group, rows) in enumerate(c.groups.items()):
            f.write(((",\n" if n else "\n") + f"    {dumps(group)}: [").encode("utf-8"))
            array(f, (_ranking_record(c, r) for r in rows), "    ")
        f.write(b"\n  },\n")
        for key, records in (("missing", ({"unit": u.code, "name": u.name, "group": u.group} for u in c.missing)),
                             ("province", ({k: v for k, v in p.items() if k != "labels"} for p in c.province)),
                             ("files", (f.as_dict() for f in c.files)), ("appraisals", c.differences),
                             ("states", _states(c)), ("versions", _versions(c)),
                             ("issues", (i.as_dict() for i in c.iter_issues()))):
            f.write(f'  "{key}": ['.encode())
            array(f, records)
            f.write(b",\n" if key != "issues" else b"\n")
        f.write(b"}\n")


safe_cell = sanitize.for_csv  # a value no spreadsheet will run as a formula when it opens the CSV
ALL_TABLES = ("xep-hang.csv", "tieu-chi.csv", "van-de.csv")


def write_table(path: Path, rows: Iterable[list[Any]]) -> None:
    with open_atomic(path) as f:
        f.write("\ufeff".encode())  # BOM: Excel then reads UTF-8 Vietnamese correctly
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        for row in rows:
            writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
        text.flush()
        text.detach()


def _previous_cells(c: Consolidation, r: UnitRow) -> list[Any]:
    """[issue 22] xep-hang.csv's columns of the year before (opendata.PREVIOUS_COLUMNS)."""
    lineage = c.campaign.lineage.get(r.unit.code)
    found = _against(c, r)
    if c.comparison is None:
        return ["", "", None, None, None, None, ""]
    if found is None:
        return [lineage.text() if lineage else "", c.comparison.previous, None, None, None, None,
                c.comparison.reason or f"chưa gửi sổ có số liệu năm {c.campaign.period}"]
    index = found.index
    return [lineage.text() if lineage else "", found.period, _index(index.before) if index.compared else None, index.delta,
            found.rank_before if found.rank_change is not None else None, found.rank_change, found.rule if index.compared else found.why]


def write_csv(c: Consolidation, folder: Path, files: Sequence[str] = ALL_TABLES, created: dt.datetime | None = None) -> list[Path]:
    """The open-data CSVs (``files``: some of xep-hang.csv, tieu-chi.csv, van-de.csv) and the
    datapackage.json that describes them (``opendata``: the columns are named there), last."""
    pillars = [p.code for p in c.catalog.pillars]
    described = opendata.tables(c.catalog)

    def ranking() -> Iterator[list[Any]]:
        graded = bool(c.catalog.totals.grades)
        yield described["xep-hang.csv"].header
        for group, r in _rows(c):
            yield [group, r.rank, r.unit.code, r.unit.name, _index(r.final.final.total.points) if r.final else None,
                   r.final.final.total.applicable_max if r.final else None, _index(r.index), *([_grade(c, r) or ""] if graded else []),
                   *[_index(r.pillar_index(n)) for n in range(len(pillars))], int(r.late), _state(c, r), *_previous_cells(c, r)]

    def criteria() -> Iterator[list[Any]]:
        yield described["tieu-chi.csv"].header
        for _, r in _rows(c):
            if r.final:
                unit = safe_cell(r.unit.code)
                self_points = r.final.self_result.points()
                for n, (code, points, amax, _, words) in enumerate(r.final.final.rows()):
                    yield [unit, code, self_points[n], points, amax, words, r.final.source(code)]

    def issues() -> Iterator[list[Any]]:
        yield described["van-de.csv"].header
        for i in c.iter_issues():
            yield [i.code, SEVERITY_VI[i.severity], i.file, i.sha, i.unit, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint]

    written = []
    makers = {"xep-hang.csv": ranking, "tieu-chi.csv": criteria, "van-de.csv": issues}
    for name in files:
        path = folder / name
        write_table(path, makers[name]())
        written.append(path)
    package = opendata.descriptor(c.catalog, c.campaign, list(files), created or c.made or dt.datetime.now(VIETNAM), c.approval_record)
    with open_atomic(folder / opendata.DESCRIPTOR) as f:
        f.write(json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return [*written, folder / opendata.DESCRIPTOR]


# ------------------------------------------------------------------------------ the workbook

FONT = "Times New Roman"


class _Sheet:
    """One sheet of the ranking workbook, written row by row (XlsxWriter's constant-memory mode:
    a row is on disk once the next begins): a title, a line saying which campaign, a header
    that wraps, then the rows; Times New Roman everywhere, numbers formatted, text written as
    text (never a formula), printed landscape on A4 with the header repeated."""

    def __init__(self, book: _Book, title: str, heading: str, headers: list[str], widths: list[int],
                 formats: dict[int, str] | None = None, fit: bool = True):
        self.book, self.formats = book, formats or {}
        self.ws = ws = book.wb.add_worksheet(title)
        for n, width in enumerate(widths):
            ws.set_column(n, n, width)
        # The header wraps: its row is made as tall as its longest heading needs, or it would
        # overlap the first row of data (Excel and LibreOffice keep a set height as it is).
        lines = max(-(-int(len(str(h)) * 1.15) // max(1, int(w))) for h, w in zip(headers, widths, strict=False))
        ws.freeze_panes(3, 0)
        ws.repeat_rows(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        if fit:
            ws.fit_to_pages(1, 0)
        ws.write_string(0, 0, sanitize.for_xlsx_cell(heading), book.look("title"))
        ws.write_string(1, 0, sanitize.for_xlsx_cell(book.subtitle), book.look("subtitle"))
        ws.set_row(2, 15.0 * max(1, lines) + 4)
        for col, text in enumerate(headers):
            ws.write_string(2, col, sanitize.for_xlsx_cell(text), book.look("header"))
        self.rows = 3  # rows written (the next row's index)

    def add(self, values: list[Any]) -> int:
        """Write a row; returns its number as Excel counts (1-based)."""
        row, ws, book = self.rows, self.ws, self.book
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(row, col, sanitize.for_xlsx_cell(value), book.look("wrap" if len(value) > 30 else "plain"))
            elif isinstance(value, bool):
                ws.write_boolean(row, col, value, book.look("plain"))
            else:
                number_format = self.formats.get(col + 1) or ("#,##0.00" if isinstance(value, float) else "#,##0")
                ws.write_number(row, col, value, book.look("number", number_format))
        self.rows += 1
        return self.rows


class _Book:
    """The workbook and its formats, each made once (a format per look, shared by every cell)."""

    def __init__(self, path: BinaryIO, subtitle: str, created: dt.datetime | None = None):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                             "strings_to_numbers": False, "nan_inf_to_errors": True})
        if created is not None:  # [approval] the approval's time, not the run's: the workbook comes out byte for byte as issued
            self.wb.set_properties({"created": created.astimezone(dt.UTC).replace(tzinfo=None)})
        self.subtitle = subtitle
        self._looks: dict[tuple[str, str], Any] = {}

    def look(self, kind: str, number_format: str = ""):
        key = (kind, number_format)
        found = self._looks.get(key)
        if found is None:
            spec: dict[str, Any] = {"font_name": FONT, "font_size": 11, "valign": "top"}
            if kind == "title":
                spec.update(bold=True, font_size=13)
            elif kind == "subtitle":
                spec.update(italic=True)
            elif kind == "header":
                spec.update(bold=True, bg_color="#BDD7EE", text_wrap=True, valign="vcenter", align="center", border=1)
            elif kind == "wrap":
                spec.update(text_wrap=True)
            elif kind == "number":
                spec.update(num_format=number_format)
            found = self._looks[key] = self.wb.add_format(spec)
        return found


def write_workbook(c: Consolidation, path: Path) -> None:
    """The consolidated workbook: ranking, pillars, criteria, province-wide figures, issues,
    units missing, files received, with a chart of the indices."""
    from ..reports import ratio_is_share

    with open_atomic(path) as f:
        _workbook(c, f, ratio_is_share)


def _workbook(c: Consolidation, target: BinaryIO, ratio_is_share) -> None:
    book = _Book(target, f"Kỳ {c.campaign.period} · bộ tiêu chí {c.catalog.id} (phiên bản {c.catalog.version}) · hạn gửi {c.campaign.deadline_vi}"
                 f" · {c.standing_short}", c.made)
    pillars = c.catalog.pillars

    appraised = any(r.final and r.final.applied for _, r in _rows(c))
    graded = bool(c.catalog.totals.grades)  # [grades] a column after the index (the chart reads columns 3 and 6 only)
    ranking = _Sheet(book, "Xếp hạng", "XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ" + (" (SAU THẨM ĐỊNH)" if appraised else " (THEO KẾT QUẢ TỰ ĐÁNH GIÁ)"),
                     ["Nhóm", "Hạng", "Mã", "Đơn vị", "Điểm", "Tối đa áp dụng", "Chỉ số (0–1)", *(["Xếp loại"] if graded else []),
                      "Chỉ số tự đánh giá", "Chênh lệch", "Nộp muộn", "Số lỗi", "Tệp được dùng", "Tình trạng"],
                     [18, 6, 10, 40, 9, 9, 11, *([11] if graded else []), 11, 10, 9, 7, 40, 14],
                     {5: "#,##0.00", 6: "#,##0.##", 7: "0.0000", 8 + graded: "0.0000", 9 + graded: "+0.0000;-0.0000;0"})
    spans: list[tuple[str, int, int]] = []
    for group, rows in c.groups.items():
        start = ranking.rows  # 0-based row of the group's first unit
        for r in rows:
            diff = r.index - r.self_index if r.index is not None and r.self_index is not None else None
            ranking.add([group, r.rank, r.unit.code, r.unit.name, r.final.final.total.points if r.final else None,
                         r.final.final.total.applicable_max if r.final else None, _index(r.index), *([_grade(c, r) or ""] if graded else []),
                         _index(r.self_index), _index(diff),
                         "muộn" if r.late else "", r.errors or "", r.result.name if r.result else "chưa nhận được sổ có số liệu", _state(c, r)])
        spans.append((group, start, sum(1 for r in rows if r.rank is not None)))
    if c.comparison is not None and c.comparison.previous:  # [issue 22] against the year before, and over the years
        _comparison_sheets(book, c, c.comparison)

    charts = book.wb.add_worksheet("Biểu đồ")
    charts.set_landscape()
    charts.set_paper(9)
    charts.write_string(0, 0, "CHỈ SỐ CHUYỂN ĐỔI SỐ THEO NHÓM (đơn vị đã xếp hạng)", book.look("title"))
    anchor = 2
    text = {"name": FONT, "size": 9}
    for group, start, ranked in spans:
        if not ranked:
            continue
        chart = _visible_axes(book.wb.add_chart({"type": "bar"}))
        chart.add_series({"categories": ["Xếp hạng", start, 3, start + ranked - 1, 3], "values": ["Xếp hạng", start, 6, start + ranked - 1, 6],
                          "fill": {"color": "#4F81BD"}})
        chart.set_title({"name": sanitize.for_xlsx_cell(f"Chỉ số — {group}"), "name_font": {"name": FONT, "size": 11, "bold": True}})
        chart.set_legend({"none": True})
        # (in a bar chart XlsxWriter's y axis is the category axis) rank 1 on top; a label for every
        # unit, not every other one; the index from 0 to 1; every text in Times New Roman
        chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": text, "visible": True})
        chart.set_x_axis({"min": 0, "max": 1, "major_unit": 0.2, "num_format": "0.0", "num_font": text, "visible": True,
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        height_cm = max(5.0, 0.6 * ranked + 2.5)
        chart.set_size({"width": int(22 / 2.54 * 96), "height": int(height_cm / 2.54 * 96)})
        charts.insert_chart(anchor, 0, chart)
        anchor += int(height_cm * 2) + 2

    headers = ["Nhóm", "Mã", "Đơn vị"]
    for p in pillars:
        headers += [f"{p.code}. Chỉ số", f"{p.code}. Hạng"]
    by_pillar = _Sheet(book, "Trụ cột", "CHỈ SỐ VÀ HẠNG THEO TRỤ CỘT", headers, [18, 10, 36] + [10, 6] * len(pillars),
                       {4 + 2 * n: "0.0000" for n in range(len(pillars))})
    for group, r in _rows(c):
        row: list[Any] = [group, r.unit.code, r.unit.name]
        for n, p in enumerate(pillars):
            row += [_index(r.pillar_index(n)), r.pillar_ranks.get(p.code)]
        by_pillar.add(row)

    # One row per unit (thousands of units stay thousands of rows, never thousands of columns);
    # printed across pages with the unit repeated, not shrunk to one unreadable page.
    criteria = c.catalog.criteria
    per_criterion = _Sheet(book, "Tiêu chí", "ĐIỂM THEO TIÊU CHÍ (điểm; ô chữ: trạng thái, lý do ở trang 'Vấn đề')",
                           ["Mã", "Đơn vị", "Chỉ số", *[f"{x.code} (tối đa {_max_text(x.max)})" for x in criteria]],
                           [10, 32, 8] + [9] * len(criteria), {3: "0.0000", **{4 + n: "0.00" for n in range(len(criteria))}}, fit=False)
    per_criterion.ws.set_print_scale(80)
    per_criterion.ws.repeat_columns(0, 1)
    for _, r in _rows(c):
        if r.final:
            per_criterion.add([r.unit.code, r.unit.name, _index(r.index), *r.final.final.shown()])

    appraisal = _Sheet(book, "Thẩm định", "CHÊNH LỆCH GIỮA TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH (LỚN NHẤT TRƯỚC)",
                       ["Mã", "Đơn vị", "Tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định", "Chênh lệch", "Trạng thái tự đánh giá",
                        "Trạng thái thẩm định", "Người thẩm định", "Lý do", "Phiếu thẩm định"],
                       [10, 32, 9, 10, 10, 10, 22, 22, 26, 45, 30], {4: "0.00", 5: "0.00", 6: "+0.00;-0.00;0"})
    for d in c.differences:
        appraisal.add([d["unit"], d["name"], d["code"], d["self"], d["final"], d["difference"], d["self_status"], d["final_status"],
                       d["appraiser"], d["reason"], d["file"]])

    keys = sorted({k for figure in c.province for k in figure["sums"]})
    kinds = {x.code: x for x in criteria}
    share_col = 5 + len(keys)
    province = _Sheet(book, "Toàn tỉnh", "SỐ LIỆU TOÀN TỈNH (CỘNG SỐ LIỆU CỦA CÁC ĐƠN VỊ)",
                      ["Mã", "Tiêu chí", "Số đơn vị", "Số liệu", *keys, "Tỷ lệ (%) hoặc bình quân", "Điểm", "Tối đa"],
                      [8, 40, 8, 40, *[12] * len(keys), 11, 8, 7],
                      {**{5 + n: "#,##0" for n in range(len(keys))}, 6 + len(keys): "0.00", 7 + len(keys): "0.##"})
    for figure in c.province:  # a share is a percentage; a rate per person (7.2.2) is not
        province.formats[share_col] = "0.00%" if ratio_is_share(kinds[figure["code"]]) else "#,##0.00"
        labels = "; ".join(f"{k}: {figure['labels'].get(k, '')}" for k in figure["sums"])
        province.add([figure["code"], figure["title"], figure["units"], labels, *[figure["sums"].get(k) for k in keys],
                      _index(figure["share"]), figure["points"], figure["max"]])

    problems = _Sheet(book, "Vấn đề", "CÁC VẤN ĐỀ TRONG TỆP GỬI VỀ",
                      ["Mức", "Mã", "Đơn vị", "Tệp", "SHA-256", "Trang", "Ô", "Tiêu chí", "Giá trị", "Thông báo", "Cách sửa"],
                      [10, 18, 10, 30, 14, 22, 6, 8, 16, 50, 50])
    for i in c.iter_issues():
        problems.add([SEVERITY_VI[i.severity], i.code, i.unit, i.file, i.sha, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint])
    problems.ws.autofilter(2, 0, max(2, problems.rows - 1), 10)

    missing = _Sheet(book, "Chưa gửi", "ĐƠN VỊ CHƯA GỬI SỔ CÓ SỐ LIỆU", ["Mã", "Đơn vị", "Nhóm"], [10, 45, 20])
    for u in c.missing:
        missing.add([u.code, u.name, u.group])

    received = _Sheet(book, "Tệp đã nhận", "CÁC TỆP ĐÃ NHẬN (MỌI TỆP, KỂ CẢ TỆP KHÔNG PHẢI SỔ ĐÁNH GIÁ)",
                      ["Tệp (đường dẫn khi nhận)", "Đơn vị", "Tình trạng", "Lý do", "Người gửi", "Trả lời thư", "Gửi lúc", "Lưu lần cuối", "Nhận lúc",
                       "Số ô số liệu", "Chỉ số", "Số lỗi", "SHA-256 (16 ký tự đầu)"], [50, 10, 20, 40, 28, 36, 16, 16, 16, 9, 9, 7, 20],
                      {11: "0.0000"})
    for f in c.files:  # times as read in Vietnam (dd/mm/yyyy hh:mm, UTC+7), not ISO UTC
        received.add([f.source, f.unit, f.state, f.reason, f.sender, f.reply_note, local_time(f.sent), local_time(f.modified),
                      local_time(f.received), f.figures if f.figures >= 0 else None, _index(f.index), f.errors, f.sha256[:16]])
    _states_sheet(book, c)  # [approval] issue 23
    _versions_sheet(book, c)
    book.wb.close()


def _states_sheet(book: _Book, c: Consolidation) -> None:
    """[approval] Every unit's state and what it was derived from; the approval in the title."""
    sheet = _Sheet(book, "Tình trạng", f"TÌNH TRẠNG CỦA CÁC ĐƠN VỊ ({c.standing_short.upper()})",
                   ["Mã", "Đơn vị", "Nhóm", "Tình trạng", "Chi tiết", "Tệp đang dùng (SHA-256, 16 ký tự đầu)", "Nhận lúc", "Đề nghị sửa ngày",
                    "Hạn sửa", "Thẩm định lúc"], [10, 36, 18, 14, 50, 20, 16, 16, 12, 16])
    for group, r in _rows(c):
        found = c.states.get(r.unit.code)
        if found is None:
            continue
        deadline = dt.date.fromisoformat(found.deadline).strftime("%d/%m/%Y") if found.deadline else ""
        sheet.add([r.unit.code, r.unit.name, group, found.state, found.detail, found.file[:16], local_time(found.received),
                   local_time(found.requested), deadline, local_time(found.appraised)])
    sheet.ws.autofilter(2, 0, max(2, sheet.rows - 1), 9)


def _versions_sheet(book: _Book, c: Consolidation) -> None:
    """[approval] What each unit changed between its file in use and the one before: a line for
    the index, then one per criterion that changed (inputs old → new, evidence, score)."""
    sheet = _Sheet(book, "Thay đổi", "THAY ĐỔI GIỮA BẢN ĐANG DÙNG VÀ BẢN GỬI TRƯỚC CỦA ĐƠN VỊ",
                   ["Mã", "Đơn vị", "Tiêu chí", "Thay đổi", "Điểm (chỉ số) bản trước", "Điểm (chỉ số) bản đang dùng", "Chênh lệch",
                    "Bản trước", "Bản đang dùng"], [10, 32, 9, 60, 12, 12, 10, 30, 30], {5: "0.00", 6: "0.00", 7: "+0.00;-0.00;0"})
    for _, r in _rows(c):
        v = c.versions.get(r.unit.code)
        if v is None:
            continue
        diff = v.new_index - v.old_index if v.new_index is not None and v.old_index is not None else None
        sheet.formats.update({5: "0.0000", 6: "0.0000", 7: "+0.0000;-0.0000;0"})
        sheet.add([r.unit.code, r.unit.name, "Chỉ số", f"{len(v.criteria)} tiêu chí thay đổi"
                   + ("" if v.evidence_known else " (không so được tài liệu kiểm chứng: tệp ghi nhận trước phiên bản 4 của sổ cái)"),
                   _index(v.old_index), _index(v.new_index), _index(diff), v.old_name, v.new_name])
        sheet.formats.update({5: "0.00", 6: "0.00", 7: "+0.00;-0.00;0"})
        for change in v.criteria:
            sheet.add([r.unit.code, r.unit.name, change.code, change.words(), change.old_points, change.new_points, change.difference])


def _compared(change: series.Change) -> Any:
    """A change as a number, or the words saying it does not compare (never a blank that hides it)."""
    return change.delta if change.compared else series.NOT_COMPARABLE


def _before(change: series.Change) -> Any:
    return _index(change.before) if change.compared else series.NOT_COMPARABLE


def _comparison_sheets(book: _Book, c: Consolidation, k: series.Comparison) -> None:
    """[issue 22] "So với năm trước": each unit's index, rank and pillars against the year before, as a
    reader checks them by hand; "Bình quân theo năm": each group's average and distribution over the
    years; "Qua các năm": each unit's history."""
    now, before = c.campaign.period, k.previous
    pillars = [p.code for p in c.catalog.pillars]
    headers = ["Nhóm", "Hạng", "Mã", "Đơn vị", f"Năm {before} là", f"Chỉ số {now}", f"Chỉ số {before}", "Thay đổi chỉ số",
               f"Hạng {before}", "Thay đổi hạng (bậc)", "So với gì, hoặc vì sao không so sánh được"]
    widths = [18, 6, 9, 34, 42, 10, 18, 18, 8, 18, 60]
    formats = {6: "0.0000", 7: "0.0000", 8: "+0.0000;-0.0000;0.0000", 10: "+0;-0;0"}
    for code in pillars:
        formats |= {len(headers) + 1: "0.0000", len(headers) + 2: "0.0000", len(headers) + 3: "+0.0000;-0.0000;0.0000"}
        headers += [f"TC {code} {now}", f"TC {code} {before}", f"TC {code} thay đổi"]
        widths += [9, 11, 11]
    bridge = k.bridge
    note = ("cùng bộ tiêu chí: so sánh chỉ số chung, từng trụ cột, từng tiêu chí" if bridge and bridge.same
            else bridge.reason if bridge else k.reason)
    sheet = _Sheet(book, "So với năm trước", f"SO SÁNH VỚI NĂM {before} ({note})", headers, widths, formats, fit=False)
    sheet.ws.set_print_scale(70)
    sheet.ws.repeat_columns(0, 3)
    names = _previous_names(c)
    for group, r in _rows(c):
        found = k.unit(r.unit.code)
        if found is None:
            continue
        lineage = c.campaign.lineage.get(r.unit.code)
        rank_change: Any = found.rank_change if found.rank_change is not None else _no_rank(found)
        why = found.rule if found.index.compared else found.why
        sheet.ws.set_row(sheet.rows, 15.0 * max(1, -(-int(len(why) * 1.15) // widths[10])) + 2)  # the reason whole, not under the next row
        row: list[Any] = [group, r.rank, r.unit.code, r.unit.name, lineage.words(names, r.unit.code) if lineage else "",
                          _index(found.index.now), _before(found.index) if not found.is_new else "mới",
                          _compared(found.index) if not found.is_new else "mới",
                          found.rank_before if found.rank_change is not None else "—", rank_change, why]
        for code in pillars:
            change = found.pillars[code]
            row += [_index(change.now), _before(change), _compared(change)]
        sheet.add(row)
    for code, name in k.removed:
        sheet.add(["", "", code, name, f"không còn trong danh sách năm {now} (không đơn vị nào tiếp nối)"])

    bands = [series.band_label(n) for n in range(len(series.BANDS))]
    averages = _Sheet(book, "Bình quân theo năm", "CHỈ SỐ BÌNH QUÂN VÀ PHÂN BỐ CỦA TỪNG NHÓM QUA CÁC NĂM (bình quân các chỉ số đã làm tròn 4 chữ số)",
                      ["Nhóm", "Năm", "Số đơn vị xếp hạng", "Chỉ số bình quân", "Thay đổi so với năm trước", "Thay đổi (%)",
                       f"Số đơn vị từ {series.HALF:g}".replace(".", ","), *[f"Chỉ số {b}" for b in bands],
                       *[f"TC {code} bình quân" for code in pillars], "Ghi chú"],
                      [18, 7, 11, 11, 18, 11, 11, *[13] * len(bands), *[11] * len(pillars), 60],
                      {4: "0.0000", 5: "+0.0000;-0.0000;0.0000", 6: "+0.0%;-0.0%;0.0%",
                       **{8 + len(bands) + n: "0.0000" for n in range(len(pillars))}})
    for g in k.groups:
        if g.ranked_before is not None:
            averages.add([g.name, before, g.ranked_before, _index(g.average.before) if g.average.compared else series.NOT_COMPARABLE, None, None,
                          g.at_least_half[1], *(g.bands[1] or [None] * len(bands)), *[_before(g.pillars[code]) for code in pillars],
                          g.average.reason])
        averages.add([g.name, now, g.ranked, _index(g.average.now), _compared(g.average), g.average.relative if g.average.compared else None,
                      g.at_least_half[0], *g.bands[0], *[_index(g.pillars[code].now) for code in pillars],
                      g.average.reason or "; ".join(f"TC {code}: {g.pillars[code].reason}" for code in pillars if g.pillars[code].reason)])
    for point in k.trend:
        if point.period in (now, before):
            continue
        for group, value in point.averages.items():  # earlier years, as they were (their own groups)
            averages.add([group, point.period, None, _index(value), None, None, None, *[None] * len(bands), *[None] * len(pillars),
                          point.reason])
        if not point.averages:
            averages.add(["", point.period, None, None, None, None, None, *[None] * len(bands), *[None] * len(pillars), point.reason])

    years = [point.period for point in k.trend]
    history = _Sheet(book, "Qua các năm", "CHỈ SỐ VÀ HẠNG CỦA TỪNG ĐƠN VỊ QUA CÁC NĂM (năm trước khi đơn vị có tên hiện nay: của đơn vị tiền thân)",
                     ["Nhóm", "Mã", "Đơn vị", *[f"{label} {y}" for y in years for label in ("Chỉ số", "Hạng")], "Ghi chú"],
                     [18, 9, 34, *[9, 6] * len(years), 60], {4 + 2 * n: "0.0000" for n in range(len(years))})
    for group, r in _rows(c):
        found = k.unit(r.unit.code)
        if found is None:
            continue
        by_year = {h.period: h for h in found.history}
        cells: list[Any] = []
        for y in years:
            h = by_year.get(y)
            cells += [_index(h.index) if h else None, h.rank if h else None]
        notes = "; ".join(f"{h.period}: {h.note}" for h in found.history if h.note)
        history.add([group, r.unit.code, r.unit.name, *cells, notes])


def _no_rank(found: series.UnitComparison) -> str:
    """Why a unit's rank is not compared, in a few words (the reason in full is in the last column)."""
    if found.is_new:
        return "mới"
    if not found.index.compared:
        return series.NOT_COMPARABLE
    return {"merged": "không so sánh (hợp nhất)", "split": "không so sánh (tách)"}.get(found.lineage.kind, "không so sánh")


def _previous_names(c: Consolidation) -> dict[str, str]:
    previous = c.campaign.previous
    return {u.code: u.name for u in previous.units} if previous is not None else {}


def _visible_axes(chart):
    """Every axis of the chart says it is shown (<c:delete val="0"/>, as Excel writes it), not
    left to the reader's default: a reader that defaults to hidden still draws them."""
    write_position = getattr(chart, "_write_axis_pos", None)
    if write_position is not None and hasattr(chart, "_write_delete"):
        def shown_then_position(*args, **kwargs):
            chart._write_delete(0)  # the schema's place: after the scaling, before the position
            return write_position(*args, **kwargs)

        chart._write_axis_pos = shown_then_position
    return chart


def _max_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")
