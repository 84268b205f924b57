"""Open data as a Frictionless Data Package: each CSV a consolidation writes, its columns
described once (name, type, Vietnamese title and description, unit), and the
``datapackage.json`` that says what the files are (criteria set, period, licence, sources,
when made). Pure: it builds dictionaries; ``intake.outputs.write_csv`` writes the CSVs with
these very column names and the descriptor beside them, and ``hue-dx publish`` puts the same
package on the site.

Why a Data Package: it is the standard a portal (CKAN, the national open-data portal) and a
journalist's tools read without asking what a column means; the ``frictionless`` library
validates the files against it (the tests do).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import __version__, vn
from .campaign import Campaign
from .catalog import Catalog
from .documents import VIETNAM, as_date_text
from .intake.states import STATES
from .issues import SEVERITY_VI

DESCRIPTOR = "datapackage.json"
# The licence when the recipe's [publish] table names none: open, with attribution.
LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)",
           "path": "https://creativecommons.org/licenses/by/4.0/deed.vi"}
SAFE_TEXT = ("Ô chữ bắt đầu bằng =, +, -, @ (hoặc ký tự tab) được thêm dấu nháy đơn ' ở đầu để bảng tính không chạy nó như công thức; "
             "số viết kiểu máy (dấu chấm thập phân), không phân cách hàng nghìn; tệp UTF-8 có BOM (Excel đọc đúng tiếng Việt).")


@dataclass(frozen=True)
class Column:
    """One column of a CSV as a Table Schema field."""

    name: str
    type: str  # string, integer, number, boolean
    title: str
    description: str
    unit: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # trueValues, falseValues…

    def field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "title": self.title, "description": self.description}
        if self.unit:
            out["unit"] = self.unit
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Table:
    """One CSV file of the package."""

    file: str  # xep-hang.csv
    title: str
    description: str
    columns: tuple[Column, ...]

    @property
    def name(self) -> str:
        return self.file.rsplit(".", 1)[0]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]




def ranking_table(catalog: Catalog) -> Table:
    """xep-hang.csv: one row per unit of the roster, ranked or not."""
    index = {"minimum": 0, "maximum": catalog.totals.index_max}  # an index above 1 only where the set's bonus allows it
    pillars = tuple(Column(f"chi_so_tru_cot_{p.code}", "number", f"Chỉ số trụ cột {p.code}", f"Chỉ số của trụ cột {p.code} ({p.title}): "
                           "điểm đạt của trụ cột chia điểm tối đa áp dụng của trụ cột, 4 chữ số; trống: chưa có.", "chỉ số (0–1)", index)
                    for p in catalog.pillars)
    bands = sorted(catalog.totals.grades, key=lambda g: -g.min)
    graded = (Column("xep_loai", "string", "Xếp loại", "Loại theo chỉ số chung làm tròn 4 chữ số: "
                     + "; ".join(f"{g.label} từ {vn.number(g.min)}" for g in bands) + "; trống: chưa có chỉ số hoặc dưới mọi mức.",
                     constraints={"enum": [g.label for g in bands]}),) if bands else ()
    return Table("xep-hang.csv", "Xếp hạng chỉ số chuyển đổi số theo nhóm",
                 "Mỗi dòng một đơn vị của danh sách đánh giá: nhóm, hạng, điểm, chỉ số chung và chỉ số từng trụ cột. "
                 "Đơn vị chưa gửi sổ có số liệu có hạng và điểm để trống.",
                 (Column("nhom", "string", "Nhóm xếp hạng", "Nhóm các đơn vị được xếp hạng với nhau (sở, ban, ngành; UBND cấp huyện).",
                         constraints={"required": True}),
                  Column("hang", "integer", "Hạng trong nhóm", "Hạng theo chỉ số trong nhóm; cùng chỉ số (4 chữ số) thì cùng hạng (1, 2, 2, 4); "
                         "trống: chưa được xếp hạng.", constraints={"minimum": 1}),
                  Column("ma_don_vi", "string", "Mã đơn vị", "Mã của đơn vị trong danh sách đơn vị của đợt đánh giá.",
                         constraints={"required": True, "unique": True}),
                  Column("ten_don_vi", "string", "Tên đơn vị", "Tên đơn vị như trong danh sách đơn vị.", constraints={"required": True}),
                  Column("diem", "number", "Điểm đạt", "Tổng điểm đạt (sau thẩm định nếu có), 4 chữ số thập phân.", "điểm",
                         {"minimum": catalog.totals.floor}),
                  Column("diem_toi_da", "number", "Điểm tối đa áp dụng", "Tổng điểm tối đa của các tiêu chí áp dụng cho cấp của đơn vị "
                         "(tiêu chí không áp dụng không tính).", "điểm", {"minimum": 0}),
                  Column("chi_so", "number", "Chỉ số chuyển đổi số", "Điểm đạt chia điểm tối đa áp dụng, từ 0 đến 1, 4 chữ số; trống: chưa có.",
                         "chỉ số (0–1)", index),
                  *graded,
                  *pillars,
                  Column("nop_muon", "boolean", "Nộp muộn", "1: sổ được dùng để xếp hạng gửi sau hạn; 0: đúng hạn hoặc chưa gửi.",
                         extra={"trueValues": ["1"], "falseValues": ["0"]}),
                  Column("tinh_trang", "string", "Tình trạng", "Tình trạng của đơn vị trong đợt đánh giá, suy ra từ sổ cái: chưa gửi; đã nhận; "
                         "đề nghị sửa (đã gửi thư đề nghị sửa, chưa nhận bản sửa); đã sửa (đã nhận bản gửi sau thư đề nghị); đã thẩm định; "
                         "đã duyệt (kết quả đã được phê duyệt, khóa).", constraints={"enum": list(STATES)}),
                  *previous_columns(catalog)))


def previous_columns(catalog: Catalog) -> tuple[Column, ...]:
    """[issue 22] xep-hang.csv against the year before (hue_dx.series: how units that were renamed, merged, split or are new
    compare); the values of ``intake.outputs``, in this order."""
    change = {"minimum": -catalog.totals.index_max, "maximum": catalog.totals.index_max}
    return (Column("truoc_day", "string", "Năm trước là", "Đơn vị năm trước là đơn vị nào, theo cột previous của danh sách đơn vị: giữ nguyên; "
                   "đổi tên từ MÃ; hợp nhất từ MÃ; MÃ; tách từ MÃ; mới. Trống: đợt đánh giá không nối tiếp đợt nào."),
            Column("ky_truoc", "string", "Kỳ so sánh", "Kỳ đánh giá trước mà đơn vị được so sánh; trống: không có kỳ trước."),
            Column("chi_so_ky_truoc", "number", "Chỉ số kỳ trước", "Chỉ số kỳ trước (4 chữ số) của chính đơn vị, của đơn vị trước khi đổi tên "
                   "hoặc tách, hoặc bình quân cộng chỉ số các đơn vị hợp nhất; trống: không so sánh được (lý do ở cột so_sanh).",
                   "chỉ số (0–1)", {"minimum": 0, "maximum": catalog.totals.index_max}),
            Column("thay_doi_chi_so", "number", "Thay đổi chỉ số", "chi_so trừ chi_so_ky_truoc, cả hai làm tròn 4 chữ số (điểm chỉ số, không phải "
                   "phần trăm); trống: không so sánh được.", "điểm chỉ số", change),
            Column("hang_ky_truoc", "integer", "Hạng kỳ trước", "Hạng trong nhóm kỳ trước; trống khi không so sánh hạng (hợp nhất, tách, mới, "
                   "đổi nhóm, chưa gửi).", constraints={"minimum": 1}),
            Column("thay_doi_hang", "integer", "Thay đổi hạng", "hang_ky_truoc trừ hang: dương là tăng bậc, âm là giảm bậc; trống: không so sánh hạng."),
            Column("so_sanh", "string", "Cách so sánh", "So với gì (cùng đơn vị; đơn vị trước khi đổi tên; bình quân của các đơn vị hợp nhất), "
                   "hoặc vì sao không so sánh được."))


def criteria_table(catalog: Catalog) -> Table:
    """tieu-chi.csv: one row per unit ranked and criterion."""
    return Table("tieu-chi.csv", "Điểm từng tiêu chí của từng đơn vị",
                 f"Mỗi dòng một tiêu chí ({len(catalog.criteria)} tiêu chí chấm điểm) của một đơn vị đã gửi sổ có số liệu: "
                 "điểm tự đánh giá, điểm dùng để xếp hạng, điểm tối đa áp dụng, trạng thái.",
                 (Column("ma_don_vi", "string", "Mã đơn vị", "Mã của đơn vị trong danh sách đơn vị (cột ma_don_vi của xep-hang.csv).",
                         constraints={"required": True}),
                  Column("ma_tieu_chi", "string", "Mã tiêu chí", f"Mã tiêu chí trong bộ tiêu chí {catalog.id} (ví dụ 5.2.1).",
                         constraints={"required": True}),
                  Column("diem_tu_danh_gia", "number", "Điểm tự đánh giá", "Điểm theo số liệu đơn vị tự đánh giá; trống: chưa chấm được "
                         "(thiếu số liệu, số liệu lỗi, không áp dụng).", "điểm", {"minimum": 0}),
                  Column("diem", "number", "Điểm", "Điểm dùng để xếp hạng (sau thẩm định nếu tiêu chí được thẩm định); trống: chưa chấm được.",
                         "điểm", {"minimum": 0}),
                  Column("diem_toi_da_ap_dung", "number", "Điểm tối đa áp dụng", "Điểm tối đa của tiêu chí cho đơn vị; 0 khi tiêu chí "
                         "không áp dụng cho cấp của đơn vị hoặc mẫu số bằng 0.", "điểm", {"minimum": 0}),
                  Column("trang_thai", "string", "Trạng thái", "Bằng lời: đạt; không áp dụng; thiếu số liệu, lỗi (kèm lý do).",
                         constraints={"required": True}),
                  Column("nguon", "string", "Nguồn của điểm", "tự đánh giá, hoặc thẩm định khi điểm thẩm định thay điểm tự đánh giá.",
                         constraints={"required": True, "enum": ["tự đánh giá", "thẩm định"]})))


def issues_table() -> Table:
    """van-de.csv: every issue found in the files received (for the officer; not on the public site)."""
    def text(name: str, title: str, description: str, **constraints: Any) -> Column:
        return Column(name, "string", title, description, constraints=constraints)

    return Table("van-de.csv", "Các vấn đề trong tệp gửi về",
                 "Mỗi dòng một vấn đề phát hiện khi kiểm tra tệp: mã, mức, tệp, ô, thông báo và cách sửa (bảng mã: docs/issues.md của hue-dx).",
                 (text("ma_van_de", "Mã vấn đề", "Mã ổn định, viết thường nối bằng gạch ngang (ví dụ input-not-number).", required=True),
                  text("muc", "Mức", "lỗi, cảnh báo hoặc thông tin.", required=True, enum=sorted(SEVERITY_VI.values())),
                  text("tep", "Tệp", "Tên tệp như khi nhận (đường dẫn trong thư mục, tệp .zip hoặc thư)."),
                  text("sha256", "SHA-256 của tệp", "12 ký tự đầu của mã băm SHA-256 của tệp trong kho lưu trữ (đủ để tìm tệp).",
                       pattern="[0-9a-f]{12,64}"),
                  text("don_vi", "Mã đơn vị", "Đơn vị của tệp (trống nếu không nhận ra)."),
                  text("trang", "Trang", "Tên trang tính."),
                  text("o", "Ô", "Địa chỉ ô (ví dụ D12)."),
                  text("tieu_chi", "Tiêu chí", "Mã tiêu chí liên quan."),
                  text("gia_tri", "Giá trị gặp", "Giá trị đọc được trong ô."),
                  text("thong_bao", "Thông báo", "Điều phát hiện."),
                  text("cach_sua", "Cách sửa", "Việc cần làm để sửa.")))


def tables(catalog: Catalog) -> dict[str, Table]:
    """Every table a consolidation writes, by file name."""
    return {t.file: t for t in (ranking_table(catalog), criteria_table(catalog), issues_table())}


def package_name(campaign: Campaign) -> str:
    """A Data Package name: lower case, digits, '-', '.', '_' only."""
    return "hue-dx-chi-so-chuyen-doi-so-" + re.sub(r"[^a-z0-9._-]+", "-", campaign.period.lower()).strip("-")


def licence(campaign: Campaign) -> dict[str, str]:
    p = campaign.publish
    if not p.get("licence"):
        return dict(LICENCE)
    out = {"name": p["licence"], "title": p.get("licence_title") or p["licence"]}
    if p.get("licence_path"):
        out["path"] = p["licence_path"]
    return out


def publisher(campaign: Campaign) -> str:
    """Who publishes the results: the recipe's [publish] publisher, else who collects the files."""
    return campaign.publish.get("publisher") or campaign.contact.get("unit") or campaign.issuer.get("office", "")


def descriptor(catalog: Catalog, campaign: Campaign, files: list[str], created: dt.datetime,
               approval: dict[str, Any] | None = None) -> dict[str, Any]:
    """The datapackage.json of the tables ``files`` (names of tables()), made at ``created``;
    ``approval``: the approval the data reproduces (who, when, snapshot SHA-256), or None."""
    known = tables(catalog)
    source = catalog.source
    plan = f"{source.get('document', '')} ngày {as_date_text(source.get('date', ''))} của {source.get('issuer', '')}".strip()
    when = created.astimezone(VIETNAM) if created.tzinfo else created.replace(tzinfo=VIETNAM)
    return {
        "profile": "tabular-data-package",
        "name": package_name(campaign),
        "title": f"Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm {campaign.period}",
        "description": f"Chỉ số chuyển đổi số của các sở, ban, ngành và UBND cấp huyện, kỳ {campaign.period}, theo {catalog.title} "
                       f"({source.get('appendix', '')} {plan}): chỉ số là điểm đạt chia điểm tối đa áp dụng cho đơn vị (0–1). "
                       f"Bộ tiêu chí {catalog.id} phiên bản {catalog.version}, {len(catalog.criteria)} tiêu chí, {len(catalog.pillars)} trụ cột. "
                       + SAFE_TEXT,
        "keywords": ["chuyển đổi số", "chỉ số chuyển đổi số", "xếp hạng", "chính quyền số", campaign.issuer.get("place", ""), campaign.period],
        "created": when.isoformat(timespec="seconds"),
        "period": campaign.period,
        "criteria": {"id": catalog.id, "version": catalog.version, "title": catalog.title,
                     "pillars": [{"code": p.code, "title": p.title, "max": catalog.max_of(p.code)} for p in catalog.pillars]},
        "licenses": [licence(campaign)],
        "contributors": [{"title": publisher(campaign), "role": "publisher"}],
        "sources": [{"title": f"{catalog.title}, {source.get('appendix', '')} {plan}".strip()},
                    {"title": f"Sổ tự đánh giá (và phiếu thẩm định) các đơn vị gửi về {publisher(campaign)}, tổng hợp bằng hue-dx {__version__}"}],
        "resources": [resource(known[name]) for name in files],
        "approval": approval,  # [approval] null: the figures are not an approved result
    }


def resource(table: Table) -> dict[str, Any]:
    return {"name": table.name, "path": table.file, "profile": "tabular-data-resource", "title": table.title, "description": table.description,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [c.field() for c in table.columns], "missingValues": [""]}}

