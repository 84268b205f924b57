"""The criteria workbook an officer edits, read and written with openpyxl (I/O at the edge).

``write`` lays any catalog out as the sheets of ``catalog_sheets`` (a guide first, then one
sheet per part, lists to choose from where a column takes fixed words); ``read`` gives the
sheets as plain tables; ``build`` turns a workbook into the catalog's data, the TOML text and
every problem (``catalog_read.read_tables``, then ``audit``'s findings placed on their cells).
The domain core never imports this module.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from . import audit, catalog_read, catalog_sheets, catalog_toml, rules
from .catalog import Catalog, CatalogError, from_data
from .catalog_sheets import GUIDE, OVER_WORDS, ROW_KINDS, SHEETS, TYPE_WORDS, ZERO_WORDS, Table
from .issues import Issue, issue

FONT = "Times New Roman"
HEADER_FILL = PatternFill("solid", fgColor="BDD7EE")
WRAP = Alignment(wrap_text=True, vertical="top")

#: columns whose value is one of a few words: a list to choose from in Excel
_LISTS = {("tree", "row"): list(ROW_KINDS.values()), ("tree", "kind"): [k.title for k in rules.KINDS.values()],
          ("tree", "zero"): list(ZERO_WORDS.values()), ("tree", "over"): list(OVER_WORDS.values()),
          ("inputs", "type"): list(TYPE_WORDS.values()), ("inputs", "central"): ["Có"]}


def write(catalog: Catalog) -> bytes:
    """The criteria workbook of a catalog; reading it back (``build``) gives the same catalog."""
    tables = catalog_sheets.to_tables(catalog)
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE
    _guide(guide, catalog)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.title)
        for n, column in enumerate(spec.columns, start=1):
            cell = ws.cell(1, n, column.title)
            cell.font = Font(name=FONT, bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.comment = Comment(column.help, "hue-dx")
            ws.column_dimensions[get_column_letter(n)].width = column.width
        ws.freeze_panes = "B2" if spec.key in ("tree", "inputs") else "A2"
        for r, row in enumerate(tables[spec.key], start=2):
            for n, column in enumerate(spec.columns, start=1):
                value = row.get(column.key)
                if value is None:
                    continue
                cell = ws.cell(r, n, value)
                cell.font = Font(name=FONT)
                cell.alignment = WRAP
                if column.text:
                    cell.number_format = "@"
        last = max(len(tables[spec.key]) + 1, 2) + 500  # room to add rows that keep the lists
        for n, column in enumerate(spec.columns, start=1):
            words = _LISTS.get((spec.key, column.key))
            if words:
                dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True, showErrorMessage=False)
                dv.add(f"{get_column_letter(n)}2:{get_column_letter(n)}{last}")
                ws.add_data_validation(dv)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _guide(ws, catalog: Catalog) -> None:
    """The first sheet: what the workbook is, how to fill each sheet and column, each rule with an example."""
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 100
    lines: list[tuple[str, str, str, bool]] = [
        ("SỔ BỘ TIÊU CHÍ", "", f"{catalog.title} — mã {catalog.id}, phiên bản {catalog.version}", True),
        ("Dùng để", "", "Viết hoặc sửa một bộ tiêu chí đánh giá chuyển đổi số mà không cần lập trình: mỗi trụ cột, nhóm, tiêu chí một dòng "
                        "ở trang Cây tiêu chí; mỗi số liệu một dòng ở trang Số liệu; các mức lựa chọn, tài liệu kiểm chứng, quyết định ở "
                        "trang riêng.", False),
        ("Kiểm tra và dựng", "", "hue-dx catalog build TỆP.xlsx -o bo-moi.toml (báo lỗi theo trang, dòng, cột; có lỗi thì không ghi tệp), "
                                 "rồi hue-dx catalog check --catalog bo-moi.toml và hue-dx generate --catalog bo-moi.toml.", False),
        ("Quy ước", "", "Giữ tên trang và tiêu đề cột ở dòng 1; thêm, bớt dòng tùy ý; ô mã gõ dạng chữ (5.10 không thành 5.1); "
                        "cột ghi chú riêng được bỏ qua (có cảnh báo). Tài liệu đầy đủ: docs/catalog.md.", False),
        ("", "", "", False),
        ("TRANG", "CỘT", "CÁCH ĐIỀN", True),
    ]
    for spec in SHEETS:
        lines.append((spec.title, "", spec.help, True))
        for column in spec.columns:
            required = " (bắt buộc)" if column.required else ""
            lines.append(("", column.title + required, column.help, False))
    lines += [("", "", "", False), ("QUY TẮC CHẤM", "THAM SỐ", "ĐIỂM", True)]
    params = {"num": "Tử số", "den": "Mẫu số", "target": "Ngưỡng", "zero": "Khi mẫu số bằng 0", "over": "Khi tử số lớn hơn mẫu số",
              "constraints": "Ràng buộc", "weights": "Trọng số", "full_at": "Đủ điểm khi", "parts": "Điểm mỗi mục, Tối đa của phần (trang Số liệu)",
              "options": "trang Lựa chọn"}
    for kind in rules.KINDS.values():
        example = next((c for c in catalog.criteria if c.kind == kind.name), None)
        text = (f"Ví dụ {example.code}: {example.describe()}" if example else kind.__doc__ or "").strip()
        lines.append((kind.title, ", ".join(params[p] for p in kind.param_names) or "(không có)", " ".join(text.split()), False))
    for n, (a, b, c, bold) in enumerate(lines, start=1):
        for col, value in zip("ABC", (a, b, c), strict=True):
            cell = ws[f"{col}{n}"]
            cell.value = value or None
            cell.font = Font(name=FONT, bold=bold and col != "C" or (bold and n == 1), size=13 if n == 1 else 11)
            cell.alignment = WRAP


def read(source: bytes | Path) -> list[Table]:
    """Every sheet as a table: its header row (row 1) and its non-empty rows, values as stored
    (a formula's last computed value)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, ())
            table = Table(ws.title, {get_column_letter(n): value for n, value in enumerate(header, start=1) if value not in (None, "")})
            for number, values in enumerate(rows, start=2):
                cells = {get_column_letter(n): v for n, v in enumerate(values, start=1) if v is not None and str(v).strip() != ""}
                if cells:
                    table.rows.append((number, cells))
            tables.append(table)
    finally:
        wb.close()
    return tables


@dataclass
class Built:
    """A criteria workbook turned into a catalog: the catalog (None when errors stop it), its
    TOML text, and every problem found (errors, warnings), in sheet order."""

    catalog: Catalog | None
    toml: str
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def build(path: Path) -> Built:
    """Read, check and build: the catalog of a criteria workbook and its problems."""
    try:
        tables = read(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:  # not a workbook, or a damaged one
        raise CatalogError(f"{path}: không đọc được sổ bộ tiêu chí ({type(exc).__name__}): mở và lưu lại bằng Excel dạng .xlsx") from None
    done = catalog_read.read_tables(tables, str(path))
    header = (f"Bộ tiêu chí dựng từ sổ {path.name} bằng hue-dx catalog build; sửa sổ rồi dựng lại, không sửa tệp này.\n"
              "Xem docs/catalog.md.")
    text = catalog_toml.dumps(done.data, header)
    try:
        catalog = from_data({k: v for k, v in done.data.items() if k != "rows"}, str(path))
    except CatalogError as exc:
        # what the rows could not give is reported above; anything else is said once, for the whole workbook
        return Built(None, text, done.issues if done.errors else [*done.issues, issue("cb-integrity", file=str(path), value=str(exc))])
    # The set's own checks run on what could be read, so one run reports every mistake it can
    # (findings about a row already in error are left out: they would only repeat it).
    found = catalog_read.locate(done, audit.audit(catalog), catalog)
    issues = [*done.issues, *found]
    return Built(None if found or done.errors else catalog, text, issues)


def cell_words(found: Issue) -> str:
    """Where an issue is, in words: trang «Cây tiêu chí», dòng 12, cột H."""
    parts = [f"trang «{found.sheet}»"] if found.sheet else []
    if found.cell:
        column = "".join(ch for ch in found.cell if ch.isalpha())
        row = found.cell[len(column):]
        parts += [f"dòng {row}", f"cột {column}"]
    return ", ".join(parts)


def as_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    """The problems for machines (JSON)."""
    return [{"code": i.code, "severity": i.severity, "sheet": i.sheet, "cell": i.cell, "criterion": i.criterion,
             "message": i.message, "hint": i.hint} for i in issues]
