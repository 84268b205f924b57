"""A criteria set as sheets an officer edits: what each sheet and column is, and any catalog
written as their rows (pure: no spreadsheet library).

The shape follows XLSForm: one row per pillar, group and criterion (sheet "Cây tiêu chí"), one
row per input ("Số liệu"), per option of a choice ("Lựa chọn"), per evidence text
("Kiểm chứng"), per decision ("Quyết định"), and small sheets for the settings, the levels,
the plausible bounds, the grades and the policies. ``SHEETS`` is the single description of
every sheet and column (names, aliases, help texts): the workbook writer (``catalog_book``), its
guide sheet, the reader (``catalog_read``) and docs/catalog.md all use it. ``to_tables`` writes
any catalog as rows of these sheets, exactly: reading them back gives the same catalog.
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, code_key, nfc


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    help: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 14
    text: bool = False  # written as text (codes, versions, parameters: Excel would turn 5.10 into 5.1)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    help: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    required: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ROW_KINDS = {"pillar": "trụ cột", "group": "nhóm", "criterion": "tiêu chí", "unscored": "không điểm"}
ROW_ALIASES = {"pillar": "pillar", "group": "group", "nhóm tiêu chí": "group", "criterion": "criterion", "unscored": "unscored",
               "dòng không điểm": "unscored", "không có điểm": "unscored"}
TYPE_WORDS = {"count": "số đếm", "number": "số", "amount": "số tiền", "yesno": "Có/Không", "choice": "lựa chọn"}
ZERO_WORDS = {"na": "không áp dụng", "zero": "0 điểm"}
OVER_WORDS = {"invalid": "lỗi", "cap": "giới hạn ở 100%"}
YES_WORDS = ("co", "x", "yes", "true", "1", "so")  # plain spellings (no diacritics)

_C = Column
SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("settings", "Thông tin chung", "Mỗi dòng một mục: mã, phiên bản, tên bộ tiêu chí, văn bản ban hành, cách cộng điểm.", (
        _C("label", "Mục", "Tên mục (để đọc; hue-dx đọc theo cột Khóa).", width=34),
        _C("key", "Khóa", "Khóa của mục, không sửa.", True, ("ma muc",), 20, True),
        _C("value", "Giá trị", "Giá trị của mục: sửa ở cột này.", False, ("gia tri muc",), 60, True),
        _C("help", "Hướng dẫn", "Cách điền mục này (không đọc).", width=60),
    ), ("thong tin", "settings", "cai dat"), True),
    SheetSpec("levels", "Cấp đơn vị", "Mỗi dòng một cấp đơn vị mà tiêu chí có thể áp dụng.", (
        _C("key", "Khóa", "Khóa ngắn, chữ thường không dấu: so, xa, huyen…", True, ("ma cap", "cap"), 12, True),
        _C("name", "Tên cấp", "Tên cấp như đơn vị đọc: Sở, ban, ngành; UBND cấp xã…", True, ("ten",), 40),
    ), ("cap", "levels"), True),
    SheetSpec("tree", "Cây tiêu chí", "Mỗi dòng một trụ cột, nhóm, tiêu chí hoặc dòng không có điểm, theo thứ tự của văn bản.", (
        _C("code", "Mã", "Mã như văn bản in: 1 (trụ cột), 1.1 (nhóm), 1.1.1 (tiêu chí); gõ dạng chữ để giữ số 0 cuối (5.10).", True,
           ("ma so", "stt", "code"), 9, True),
        _C("row", "Loại dòng", "trụ cột, nhóm, tiêu chí hoặc không điểm (dòng văn bản in không có điểm riêng).", False, ("loai",), 11),
        _C("title", "Tên", "Nguyên văn tên trụ cột, nhóm, tiêu chí như văn bản in.", True, ("ten tieu chi", "noi dung", "title"), 50),
        _C("short_title", "Tên ngắn", "Trụ cột: tên trên thẻ trang tính của sổ (tối đa khoảng 27 ký tự).", False, ("ten trang",), 24),
        _C("how", "Cách tính điểm", "Nguyên văn cột 'Cách tính điểm' của văn bản.", False, ("cach tinh",), 50),
        _C("note", "Ghi chú", "Nguyên văn cột 'Ghi chú' của văn bản (định nghĩa a, b, c…).", False, (), 40),
        _C("max", "Điểm tối đa", "Tiêu chí: điểm tối đa (số). Điểm thưởng: số điểm cộng nhiều nhất; điểm trừ: số điểm trừ nhiều nhất.", False,
           ("diem", "max"), 9),
        _C("stated_max", "Điểm in trong văn bản", "Trụ cột, nhóm: điểm tối đa văn bản in (để trống nếu không in). "
           "Khác tổng các tiêu chí thì ghi quyết định ở trang Quyết định.", False, ("diem in",), 10),
        _C("kind", "Quy tắc chấm", "Một quy tắc trong danh sách (xem trang Hướng dẫn).", False, ("quy tac", "kind"), 20),
        _C("num", "Tử số", "Tỷ lệ: số liệu ở tử số, ví dụ b hoặc b + d.", False, (), 9, True),
        _C("den", "Mẫu số", "Tỷ lệ: số liệu ở mẫu số, ví dụ a hoặc a + c.", False, (), 9, True),
        _C("weights", "Trọng số", "Tỷ lệ có trọng số: b = 1/2; c = 1.", False, (), 16, True),
        _C("target", "Ngưỡng", "Tỷ lệ có ngưỡng, đạt ngưỡng: 0,7 hoặc 70% hoặc 3 (số lượt mỗi người).", False, (), 9, True),
        _C("full_at", "Đủ điểm khi", "Tỷ lệ có trọng số: đủ điểm khi một phần đạt tỷ lệ, ví dụ c ≥ 0,8.", False, (), 12, True),
        _C("zero", "Khi mẫu số bằng 0", "không áp dụng (mặc định) hoặc 0 điểm.", False, ("mau so bang 0",), 14),
        _C("over", "Khi tử số lớn hơn mẫu số", "lỗi (mặc định) hoặc giới hạn ở 100%.", False, ("tu so lon hon mau so",), 14),
        _C("constraints", "Ràng buộc", "Thêm điều kiện số liệu, ví dụ b ≤ a; d ≤ c.", False, (), 14, True),
        _C("applies_to", "Áp dụng cho cấp", "Khóa các cấp ở trang Cấp đơn vị, cách nhau dấu phẩy: so, xa.", False, ("ap dung", "cap ap dung"), 12, True),
        _C("scored_in", "Chấm chung với", "Dòng không điểm: mã tiêu chí chấm chung dòng này.", False, (), 10, True),
        _C("bonus_cap", "Điểm thưởng tối đa của trụ cột", "Trụ cột: điểm thưởng cộng nhiều nhất (để trống: không giới hạn).", False,
           ("tran diem thuong",), 10),
        _C("penalty_cap", "Điểm trừ tối đa của trụ cột", "Trụ cột: điểm trừ nhiều nhất (để trống: không giới hạn).", False,
           ("tran diem tru",), 10),
    ), ("cay", "tieu chi", "survey", "tree"), True),
    SheetSpec("inputs", "Số liệu", "Mỗi dòng một số liệu a, b, c… của một tiêu chí, theo thứ tự nhập.", (
        _C("criterion", "Mã tiêu chí", "Mã tiêu chí ở trang Cây tiêu chí.", True, ("ma", "tieu chi"), 10, True),
        _C("key", "Số liệu", "Tên số liệu: chữ thường không dấu a, b, c…", True, ("ten so lieu", "khoa"), 8, True),
        _C("label", "Nhãn", "Điều người điền đọc cạnh ô nhập (lấy từ Ghi chú của văn bản).", True, ("nhan so lieu",), 60),
        _C("type", "Kiểu", "số đếm, số, số tiền, Có/Không hoặc lựa chọn.", True, ("kieu so lieu",), 11),
        _C("default", "Để trống thì bằng", "Giá trị khi ô để trống; để trống cột này: số liệu bắt buộc.", False, ("mac dinh",), 10),
        _C("scale", "Mức hợp lý", "Tên mức lớn nhất hợp lý ở trang Mức hợp lý (để trống: theo kiểu).", False, ("muc",), 10, True),
        _C("points", "Điểm mỗi mục", "Điểm theo từng mục, điểm thưởng, điểm trừ: điểm cho mỗi mục đếm được (1 hoặc 1/3).", False, (), 9, True),
        _C("cap", "Tối đa của phần", "Điểm nhiều nhất của phần này.", False, ("tran",), 9, True),
        _C("central", "Sở cung cấp", "Có: số liệu do Sở cung cấp cho mọi đơn vị (điền sẵn, khóa trong sổ); để trống: đơn vị tự khai.", False,
           ("so cung cap", "tap trung"), 9),
    ), ("so lieu", "inputs"), True),
    SheetSpec("choices", "Lựa chọn", "Mỗi dòng một mức của tiêu chí 'Chọn một mức', theo thứ tự in.", (
        _C("criterion", "Mã tiêu chí", "Mã tiêu chí chọn một mức.", True, ("ma",), 10, True),
        _C("label", "Nhãn lựa chọn", "Mức như văn bản in (không có dấu phẩy).", True, ("lua chon", "muc"), 60),
        _C("fraction", "Phần điểm tối đa", "Phần của điểm tối đa được chấm: 1, 1/2, 1/3, 0.", True, ("ty le", "phan diem"), 12, True),
    ), ("choices",)),
    SheetSpec("evidence", "Kiểm chứng", "Mỗi tiêu chí một dòng: tài liệu kiểm chứng đơn vị ghi kèm.", (
        _C("criterion", "Mã tiêu chí", "Mã tiêu chí.", True, ("ma",), 10, True),
        _C("evidence", "Tài liệu kiểm chứng", "Tài liệu đơn vị phải ghi (số, ngày, trích yếu văn bản…).", True, ("tai lieu",), 70),
    ), ("tai lieu kiem chung", "evidence")),
    SheetSpec("decisions", "Quyết định", "Mỗi dòng một quyết định về cách đọc chỗ văn bản sai hoặc chưa rõ.", (
        _C("code", "Mã", "Mã tiêu chí, nhóm hoặc dòng không điểm.", True, ("ma tieu chi",), 10, True),
        _C("topic", "Chủ đề", "Ví dụ: cách tính, số liệu, điểm tối đa.", False, (), 14),
        _C("text", "Nội dung", "Quyết định, viết để đơn vị đọc và Sở bảo vệ được.", True, ("quyet dinh",), 90),
    ), ("decisions",)),
    SheetSpec("scales", "Mức hợp lý", "Mỗi dòng một mức lớn nhất hợp lý của một loại số liệu.", (
        _C("name", "Tên mức", "count, records, amount, number hoặc tên khác.", True, ("ten",), 12, True),
        _C("max", "Lớn nhất", "Số lớn nhất một đơn vị có thể báo cáo.", True, (), 18),
        _C("label", "Dùng cho", "Loại số liệu dùng mức này.", False, ("giai thich",), 60),
    ), ("scales",)),
    SheetSpec("grades", "Xếp loại", "Mỗi dòng một loại, theo chỉ số chung (để trống trang: không xếp loại).", (
        _C("label", "Tên loại", "Ví dụ: Xuất sắc, Tốt, Khá, Trung bình.", True, ("loai",), 20),
        _C("min", "Chỉ số từ", "Chỉ số (0–1) từ đó trở lên là loại này, ví dụ 0,9.", True, ("tu",), 12),
    ), ("grades",)),
    SheetSpec("policies", "Chính sách", "Các chính sách chung bằng lời (để người đọc; hue-dx áp dụng).", (
        _C("key", "Khóa", "Khóa ngắn không dấu.", True, (), 18, True),
        _C("text", "Nội dung", "Chính sách bằng lời.", True, (), 100),
    ), ("policies",)),
)
SHEET = {s.key: s for s in SHEETS}
GUIDE = "Hướng dẫn"

# key, label, help; "source.*" and "evidence.*" keys are open families (any name after the dot)
SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("id", "Mã bộ tiêu chí", "Chữ thường không dấu, số và '-', ví dụ hue-222-2020; mỗi bộ một mã, ghi vào mọi sổ và báo cáo."),
    ("version", "Phiên bản", "Ví dụ 1.0.0; tăng khi sửa bộ tiêu chí."),
    ("title", "Tên bộ tiêu chí", "Tên in trên sổ và báo cáo."),
    ("language", "Ngôn ngữ", "vi"),
    ("source.document", "Văn bản ban hành", "Số, ký hiệu văn bản, ví dụ Quyết định số 931/QĐ-UBND."),
    ("source.title", "Trích yếu văn bản", "Trích yếu của văn bản."),
    ("source.date", "Ngày ban hành", "Năm-tháng-ngày, ví dụ 2024-04-15."),
    ("source.issuer", "Cơ quan ban hành", "Ví dụ UBND thành phố Huế."),
    ("source.appendix", "Phụ lục", "Phụ lục chứa bộ tiêu chí, ví dụ Phụ lục 4."),
    ("evidence.number", "Tài liệu kiểm chứng: số", "Tên trường số, ký hiệu của tài liệu kiểm chứng."),
    ("evidence.date", "Tài liệu kiểm chứng: ngày", "Tên trường ngày ban hành."),
    ("evidence.title", "Tài liệu kiểm chứng: trích yếu", "Tên trường trích yếu."),
    ("evidence.link", "Tài liệu kiểm chứng: đường dẫn", "Tên trường đường dẫn hoặc giải trình."),
    ("totals.bonus_cap", "Điểm thưởng tối đa của cả bộ", "Số điểm thưởng cộng nhiều nhất cho cả bộ (để trống: không giới hạn)."),
    ("totals.penalty_cap", "Điểm trừ tối đa của cả bộ", "Số điểm trừ nhiều nhất cho cả bộ (để trống: không giới hạn)."),
    ("totals.floor", "Điểm sàn", "Điểm sau khi trừ không thấp hơn mức này (để trống: 0)."),
    ("totals.index_max", "Chỉ số tối đa", "Chỉ số không vượt mức này (để trống: 1; điểm thưởng bù điểm thiếu, không nâng chỉ số quá 1)."),
    ("comparable.catalog", "So sánh với bộ tiêu chí", "Mã bộ tiêu chí năm trước mà kết quả bộ này so sánh được một phần (để trống: "
                                                      "chỉ so sánh với chính bộ này), ví dụ hue-222-2020."),
    ("comparable.index", "So sánh được chỉ số chung", "Có: chỉ số chung so sánh được với bộ năm trước; Không (hoặc để trống): không."),
    ("comparable.pillars", "Trụ cột so sánh được", "Trụ cột của bộ này = trụ cột của bộ năm trước, cách nhau dấu chấm phẩy, "
                                                  "ví dụ 2 = 3; 3 = 4. Trụ cột không ghi: không so sánh được."),
    ("comparable.note", "Ghi chú so sánh", "Vì sao các phần trên so sánh được (in cùng phần so sánh)."),
)
SETTING_INFO = {k: (label, help_) for k, label, help_ in SETTINGS}
REQUIRED_SETTINGS = ("id", "version", "title")
SETTING_FAMILIES = ("source.", "evidence.")
NUMBER_SETTINGS = {"totals.bonus_cap", "totals.penalty_cap", "totals.floor", "totals.index_max"}


@dataclass
class Table:
    """One sheet as a reader found it: its name, the header row (column letter -> text) and
    every row that holds something (row number, column letter -> value)."""

    name: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


# --------------------------------------------------------------------------- words


def plain(text: object) -> str:
    """Text as compared with names: no diacritics, no case, no brackets, single spaces."""
    text = re.sub(r"\([^)]*\)", " ", nfc(str(text)))
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9%/.+=<>≤≥-]+", " ", text).split())


def did_you_mean(found: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """The candidate closest to what was found ("" when none is close)."""
    by_plain = {plain(c): c for c in candidates}
    match = difflib.get_close_matches(plain(found), list(by_plain), n=1, cutoff=cutoff)
    return by_plain[match[0]] if match else ""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    return nfc(str(value)).strip()


def keys_text(keys: Sequence[str]) -> str:
    return " + ".join(keys)


def number_text(value: Any) -> str:
    """A parameter written so that it reads back as the same value and type: 3, 0,7, 1/3."""
    if isinstance(value, bool):
        raise ValueError("a yes/no is not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


# --------------------------------------------------------------------------- writing


def _parts_by_input(params: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {p["input"]: p for p in params.get("parts", [])}


def to_tables(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Every sheet's rows (column key -> value), from any catalog, so that reading them gives
    the same catalog back: parameters as text in the types they have (3, 0,7, "1/3")."""
    out: dict[str, list[dict[str, Any]]] = {s.key: [] for s in SHEETS}
    values: dict[str, Any] = {"id": catalog.id, "version": catalog.version, "title": catalog.title, "language": "vi"}
    values |= {f"source.{k}": v for k, v in catalog.source.items()}
    values |= {f"evidence.{k}": v for k, v in catalog.evidence_fields.items()}
    t = catalog.totals
    values |= {"totals.bonus_cap": t.bonus_cap, "totals.penalty_cap": t.penalty_cap,
               "totals.floor": t.floor if t.floor != 0 else None, "totals.index_max": t.index_max if t.index_max != 1 else None}
    if catalog.comparable is not None:
        c = catalog.comparable
        values |= {"comparable.catalog": c.catalog, "comparable.index": "Có" if c.index else "Không",
                   "comparable.pillars": "; ".join(f"{mine} = {theirs}" for mine, theirs in c.pillars.items()) or None,
                   "comparable.note": c.note or None}
    keys = list(dict.fromkeys([*(k for k, _, _ in SETTINGS if not k.startswith(SETTING_FAMILIES) or k in values), *values]))
    for k in keys:
        label, help_ = SETTING_INFO.get(k, (k, ""))
        out["settings"].append({"label": label, "key": k, "value": values.get(k), "help": help_})
    out["levels"] = [{"key": k, "name": v} for k, v in catalog.levels.items()]
    out["scales"] = [{"name": s.name, "max": s.max, "label": s.label} for s in catalog.scales.values()]
    out["grades"] = [{"label": g.label, "min": g.min} for g in t.grades]
    out["policies"] = [{"key": k, "text": v} for k, v in catalog.policies.items()]
    for kind, item in _tree_order(catalog):
        if kind == "group":
            row = {"code": item.code, "row": ROW_KINDS["pillar" if item.is_pillar else "group"], "title": item.title,
                   "short_title": item.short_title or None, "stated_max": item.stated_max, "bonus_cap": item.bonus_cap,
                   "penalty_cap": item.penalty_cap}
            if item.decision:
                out["decisions"].append({"code": item.code, "topic": "điểm tối đa", "text": item.decision})
        elif kind == "unscored":
            row = {"code": item.code, "row": ROW_KINDS["unscored"], "title": item.title, "scored_in": item.scored_in}
            out["decisions"].append({"code": item.code, "topic": "dòng không có điểm", "text": item.decision})
        else:
            row = _criterion_row(item, out)
        out["tree"].append({k: v for k, v in row.items() if v not in (None, "")})
    return out


def _tree_order(catalog: Catalog) -> Iterable[tuple[str, Any]]:
    """Groups, criteria and unscored rows interleaved by code, each kept in its catalog order."""
    def keyed(kind: str, items: Iterable[Any]) -> Iterable[tuple[tuple[int, ...], int, str, Any]]:
        rank = {"group": 0, "criterion": 1, "unscored": 2}[kind]
        return ((code_key(x.code), rank, kind, x) for x in items)

    for _, _, kind, item in heapq.merge(keyed("group", catalog.groups), keyed("criterion", catalog.criteria),
                                        keyed("unscored", catalog.unscored), key=lambda t: (t[0], t[1])):
        yield kind, item


def _criterion_row(c, out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    p = c.params
    known = set(c.rule.param_names)
    extra = set(p) - known
    if extra:
        raise ValueError(f"tiêu chí {c.code}: tham số {', '.join(sorted(extra))} không ghi được vào sổ bộ tiêu chí")
    row: dict[str, Any] = {"code": c.code, "row": ROW_KINDS["criterion"], "title": c.title, "how": c.how, "note": c.note, "max": c.max,
                           "kind": c.rule.title, "applies_to": ", ".join(c.applies_to)}
    if "num" in p:
        row["num"] = keys_text(p["num"])
    if "den" in p:
        row["den"] = keys_text(p["den"])
    if "weights" in p:
        row["weights"] = "; ".join(f"{k} = {number_text(w)}" for k, w in p["weights"].items())
    if "target" in p:
        row["target"] = number_text(p["target"])
    if "full_at" in p:
        row["full_at"] = f"{p['full_at']['input']} ≥ {number_text(p['full_at']['target'])}"
    if "zero" in p:
        row["zero"] = ZERO_WORDS.get(p["zero"], p["zero"])
    if "over" in p:
        row["over"] = OVER_WORDS.get(p["over"], p["over"])
    if "constraints" in p:
        row["constraints"] = "; ".join(f"{keys_text(r['lhs'])} ≤ {keys_text(r['rhs'])}" for r in p["constraints"])
    parts = _parts_by_input(p)
    if "parts" in p and [q["input"] for q in p["parts"]] != [i.key for i in c.inputs if i.key in parts]:
        raise ValueError(f"tiêu chí {c.code}: các phần không theo thứ tự số liệu, không ghi được vào sổ bộ tiêu chí")
    for i in c.inputs:
        part = parts.get(i.key)
        scale = i.scale if i.scale and i.scale != i.type else None
        out["inputs"].append({k: v for k, v in {
            "criterion": c.code, "key": i.key, "label": i.label, "type": TYPE_WORDS[i.type], "default": i.default, "scale": scale,
            "points": number_text(part["points"]) if part else None, "cap": number_text(part["cap"]) if part else None,
            "central": "Có" if i.central else None}.items() if v is not None})
    for option in p.get("options", []):
        out["choices"].append({"criterion": c.code, "label": option["label"], "fraction": number_text(option["fraction"])})
    if c.evidence:
        out["evidence"].append({"criterion": c.code, "evidence": c.evidence})
    for d in c.decisions:
        out["decisions"].append({"code": c.code, "topic": d.topic, "text": d.text})
    return row
