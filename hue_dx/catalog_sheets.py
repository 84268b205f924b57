"""A criteria set as sheets an officer edits, and back (pure: no spreadsheet library).

The shape follows XLSForm: one row per pillar, group and criterion (sheet "Cây tiêu chí"), one
row per input ("Số liệu"), per option of a choice ("Lựa chọn"), per evidence text
("Kiểm chứng"), per decision ("Quyết định"), and small sheets for the settings, the levels,
the plausible bounds, the grades and the policies. ``SHEETS`` is the single description of
every sheet and column (names, aliases, help texts): the workbook writer, its guide sheet,
the reader and docs/catalog.md all use it.

Stages, each small (pyxform's read → spec → build → write): ``catalog_book.read`` gives plain
``Table``s; ``read_tables`` matches sheets and columns (aliases, "did you mean"), reads every
row into the data ``catalog.from_data`` takes and records each problem as an issue naming the
sheet and the cell (errors apart from warnings); ``locate`` places ``audit``'s findings on the
cells to fix. ``to_tables`` is the way back: any catalog as rows of these sheets, exactly
(``read_tables(to_tables(c))`` gives ``c`` again).
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from . import rules
from .audit import ERROR as AUDIT_ERROR
from .audit import Finding
from .catalog import INPUT_TYPES, Catalog, code_key, nfc
from .issues import Issue, issue


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
)
_SETTING = {k: (label, help_) for k, label, help_ in SETTINGS}
_REQUIRED_SETTINGS = ("id", "version", "title")
_FAMILIES = ("source.", "evidence.")
_TEXT_SETTINGS = {"id", "version", "title", "language"}
_NUMBER_SETTINGS = {"totals.bonus_cap", "totals.penalty_cap", "totals.floor", "totals.index_max"}


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


def _kind_words() -> dict[str, str]:
    """Every spelling of a rule kind a person may write -> its name."""
    out = {}
    for name, kind in rules.KINDS.items():
        out[plain(name)] = name
        out[plain(name.replace("_", " "))] = name
        out[plain(kind.title)] = name
    return out


def _text_of(value: Any) -> str:
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


def parse_number(value: Any) -> int | float | str:
    """A parameter as written: a number cell as it is; text "3" is 3, "0,7" and "0.7" are 0.7,
    "70%" is 0.7, "1/3" stays the exact fraction "1/3"."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return value
    text = _text_of(value).replace(" ", "")
    if "/" in text:
        Fraction(text)  # raises ValueError when it is not a fraction
        return text
    if text.endswith("%"):
        return float(text[:-1].replace(",", ".")) / 100
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+[.,]\d+(e-?\d+)?|-?\d+e-?\d+", text):
        return float(text.replace(",", "."))
    raise ValueError(text)


def _fraction(value: Any) -> int | float | str:
    """An option's share of the max: written as text it stays the exact text ("1", "1/3"), as
    the shipped catalogs keep fractions; a number cell stays a number."""
    if isinstance(value, str):
        text = _text_of(value).replace(" ", "").replace(",", ".")
        Fraction(text)  # raises ValueError when it is not a number
        return text
    return parse_number(value)


def _number_cell(value: Any) -> float:
    """A number column (max, caps, bounds): a number cell, or a number written as text."""
    parsed = parse_number(value)
    return float(Fraction(parsed)) if isinstance(parsed, str) else float(parsed)


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
    keys = list(dict.fromkeys([*(k for k, _, _ in SETTINGS if not k.startswith(_FAMILIES) or k in values), *values]))
    for k in keys:
        label, help_ = _SETTING.get(k, (k, ""))
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


# --------------------------------------------------------------------------- reading


@dataclass
class Read:
    """What reading the sheets gave: the catalog's data (for ``catalog.from_data``), every
    problem found, and where each row was (to place later findings on their cells)."""

    data: dict[str, Any]
    issues: list[Issue]
    rows: dict[tuple[str, str], tuple[str, int]]  # (sheet key, code or "code key") -> (sheet name, row)
    columns: dict[tuple[str, str], str]  # (sheet key, column key) -> column letter
    broken: set[str]  # codes left out because of an error (their findings would only repeat it)
    file: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def cell(self, sheet: str, row_key: str, column: str) -> tuple[str, str]:
        """(sheet name, cell) of a row's column; the row's first column when that column is absent."""
        name, row = self.rows.get((sheet, row_key), (SHEET[sheet].title, 0))
        letter = self.columns.get((sheet, column)) or self.columns.get((sheet, SHEET[sheet].columns[0].key), "A")
        return name, f"{letter}{row}" if row else ""


class _Reader:
    """Reads matched tables row by row, recording problems where they are."""

    def __init__(self, tables: Sequence[Table], file: str):
        self.file = file
        self.issues: list[Issue] = []
        self.tables: dict[str, Table] = {}
        self.columns: dict[tuple[str, str], str] = {}
        self.rows: dict[tuple[str, str], tuple[str, int]] = {}
        self._match_sheets(tables)

    def add(self, code: str, sheet: str = "", cell: str = "", criterion: str = "", value: object = "", read: object = "") -> None:
        self.issues.append(issue(code, file=self.file, sheet=sheet, cell=cell, criterion=criterion, value=value, read=read))

    # sheets and columns ------------------------------------------------------------------

    def _match_sheets(self, tables: Sequence[Table]) -> None:
        names = {plain(s.title): s.key for s in SHEETS} | {plain(a): s.key for s in SHEETS for a in s.aliases}
        unmatched = []
        for table in tables:
            key = names.get(plain(table.name))
            if key is None or key in self.tables:
                if plain(table.name) != plain(GUIDE):
                    unmatched.append(table)
                continue
            self.tables[key] = table
        missing = [s for s in SHEETS if s.key not in self.tables]
        for table in unmatched:
            guess = did_you_mean(table.name, [s.title for s in missing])
            if guess:
                self.add("cb-sheet-misspelled", sheet=table.name, value=table.name, read=guess)
            else:
                self.add("cb-sheet-unknown", sheet=table.name, value=table.name, read=", ".join(s.title for s in SHEETS))
        spelled = {i.read for i in self.issues if i.code == "cb-sheet-misspelled"}
        for spec in missing:
            if spec.required and spec.title not in spelled:
                self.add("cb-sheet-missing", value=spec.title)
        for key, table in list(self.tables.items()):
            if not self._match_columns(SHEET[key], table):
                del self.tables[key]  # a required column is missing: its rows cannot be read

    def _match_columns(self, spec: SheetSpec, table: Table) -> bool:
        names = {plain(c.title): c.key for c in spec.columns} | {plain(a): c.key for c in spec.columns for a in c.aliases}
        found: dict[str, str] = {}
        strays = []
        for letter, header in table.headers.items():
            if not _text_of(header):
                continue
            key = names.get(plain(header))
            if key is None or key in found:
                strays.append((letter, header))
            else:
                found[key] = letter
        absent = [c for c in spec.columns if c.key not in found]
        spelled = set()
        for letter, header in strays:
            guess = did_you_mean(str(header), [c.title for c in absent])
            if guess:
                spelled.add(guess)
                self.add("cb-column-misspelled", sheet=table.name, cell=f"{letter}1", value=header, read=guess)
            else:
                self.add("cb-column-unknown", sheet=table.name, cell=f"{letter}1", value=header)
        complete = True
        for c in absent:
            if c.required:
                complete = False
                if c.title not in spelled:
                    self.add("cb-column-missing", sheet=table.name, cell="A1", value=c.title)
        for key, letter in found.items():
            self.columns[(spec.key, key)] = letter
        return complete

    def each(self, sheet: str) -> Iterable[_Row]:
        table = self.tables.get(sheet)
        if table is None:
            return
        for number, cells in table.rows:
            row = _Row(self, sheet, table.name, number, cells)
            if any(row.text(c.key) for c in SHEET[sheet].columns if c.key in ("code", "criterion", "key", "label", "name")):
                yield row


@dataclass
class _Row:
    reader: _Reader
    sheet: str
    name: str
    line: int
    cells: dict[str, Any]

    def letter(self, key: str) -> str:
        return self.reader.columns.get((self.sheet, key), "")

    def at(self, key: str) -> str:
        letter = self.letter(key) or self.reader.columns.get((self.sheet, SHEET[self.sheet].columns[0].key), "A")
        return f"{letter}{self.line}"

    def raw(self, key: str) -> Any:
        letter = self.letter(key)
        return self.cells.get(letter) if letter else None

    def text(self, key: str) -> str:
        return _text_of(self.raw(key))

    def problem(self, code: str, key: str, criterion: str = "", value: object = "", read: object = "") -> None:
        self.reader.add(code, sheet=self.name, cell=self.at(key), criterion=criterion, value=value, read=read)

    def blank(self, key: str, criterion: str = "", what: str = "") -> None:
        column = SHEET[self.sheet].column(key)
        self.problem("cb-blank", key, criterion, what or column.title, column.help)

    def number(self, key: str, criterion: str = "", required: bool = False) -> float | None:
        value = self.raw(key)
        if _text_of(value) == "":
            if required:
                self.blank(key, criterion)
            return None
        try:
            return _number_cell(value)
        except (ValueError, ZeroDivisionError):
            self.problem("cb-not-number", key, criterion, _text_of(value), SHEET[self.sheet].column(key).title)
            return None

    def word(self, key: str, words: Mapping[str, str], criterion: str = "", aliases: Mapping[str, str] | None = None) -> str | None:
        """A value among fixed words (``words``: meaning -> the word written; ``aliases``: other
        spellings -> meaning); None (recorded, with the word probably meant) when it is none of them."""
        accepted = {plain(w): meaning for meaning, w in words.items()} | {plain(a): m for a, m in (aliases or {}).items()}
        text = self.text(key)
        found = accepted.get(plain(text))
        if found is None:
            guess = did_you_mean(text, [*words.values(), *(aliases or {})])
            meant = words[accepted[plain(guess)]] if guess else ""
            hint = (f"có lẽ là «{meant}»; " if meant else "") + "dùng một trong: " + ", ".join(words.values())
            self.problem("cb-word-unknown", key, criterion, text, hint)
        return found


def read_tables(tables: Sequence[Table], file: str = "") -> Read:
    """The catalog's data from the sheets of a criteria workbook, and every problem found."""
    reader = _Reader(tables, file)
    data: dict[str, Any] = {"schema": 1}
    _settings(reader, data)
    levels = _levels(reader, data)
    data["scales"] = {}
    for row in reader.each("scales"):
        name = row.text("name")
        bound = row.number("max", required=True)
        if bound is not None:
            data["scales"][name] = {"max": int(bound) if bound.is_integer() else bound, **({"label": row.text("label")} if row.text("label") else {})}
    data["policies"] = {row.text("key"): row.text("text") for row in reader.each("policies") if row.text("key")}
    grades = []
    for row in reader.each("grades"):
        bound = row.number("min", required=True)
        if bound is not None:
            grades.append({"label": row.text("label"), "min": bound})
    if grades:
        data["grades"] = grades
    broken: set[str] = set()
    tree = _tree(reader, levels, broken)
    _details(reader, tree, data, broken)
    return Read(data, reader.issues, reader.rows, reader.columns, broken, file)


def _settings(reader: _Reader, data: dict[str, Any]) -> None:
    by_label = {plain(label): key for key, label, _ in SETTINGS}
    seen: set[str] = set()
    for row in reader.each("settings"):
        key = row.text("key") or by_label.get(plain(row.text("label")), "")
        if not key:
            continue
        if key not in _SETTING and not key.startswith(_FAMILIES):
            row.problem("cb-setting-unknown", "key", value=key, read=did_you_mean(key, _SETTING))
            continue
        seen.add(key)
        reader.rows[("settings", key)] = (row.name, row.line)
        raw = row.raw("value")
        if _text_of(raw) == "":
            continue
        if key in _NUMBER_SETTINGS:
            value = row.number("value")
            if value is not None:
                data.setdefault("totals", {})[key.split(".", 1)[1]] = value
            continue
        text = _text_of(raw)
        if key.startswith("source."):
            data.setdefault("source", {})[key[7:]] = text
        elif key.startswith("evidence."):
            data.setdefault("evidence_fields", {})[key[9:]] = text
        else:
            data[key] = text
    for key in _REQUIRED_SETTINGS:
        if key not in data:
            where = reader.rows.get(("settings", key))
            sheet = where[0] if where else SHEET["settings"].title
            cell = f"{reader.columns.get(('settings', 'value'), 'C')}{where[1]}" if where else ""
            reader.add("cb-setting-missing", sheet=sheet, cell=cell, value=_SETTING[key][0], read=_SETTING[key][1])
    if "id" in data and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", data["id"]):
        name, line = reader.rows[("settings", "id")]
        reader.add("cb-id-bad", sheet=name, cell=f"{reader.columns.get(('settings', 'value'), 'C')}{line}", value=data["id"])


def _levels(reader: _Reader, data: dict[str, Any]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for row in reader.each("levels"):
        key = row.text("key")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            row.problem("cb-key-bad", "key", value=key)
            continue
        levels[key] = row.text("name") or key
    data["levels"] = levels
    return levels


_CODE = re.compile(r"\d+(\.\d+)*")


def _tree(reader: _Reader, levels: Mapping[str, str], broken: set[str]) -> list[tuple[str, dict[str, Any], _Row]]:
    """Every row of the tree, as (table name in the catalog data, table, row) in tree order."""
    kinds = _kind_words()
    out: list[tuple[str, dict[str, Any], _Row]] = []
    seen: dict[str, int] = {}
    for row in reader.each("tree"):
        raw_code = row.raw("code")
        code = row.text("code")
        if isinstance(raw_code, float) and not raw_code.is_integer():
            row.problem("cb-code-number", "code", code, code)
        if not _CODE.fullmatch(code):
            row.problem("cb-code-bad", "code", value=code)
            continue
        if code in seen:
            row.problem("cb-code-duplicate", "code", code, code, seen[code])
            continue
        seen[code] = row.line
        reader.rows[("tree", code)] = (row.name, row.line)
        what = row.word("row", ROW_KINDS, code, ROW_ALIASES) if row.text("row") else _guess_row(row, code)
        if what is None:
            broken.add(code)
            continue
        title = row.text("title")
        if not title:
            row.blank("title", code)
        if what in ("pillar", "group"):
            table: dict[str, Any] = {"code": code, "title": title}
            if row.text("short_title"):
                table["short_title"] = row.text("short_title")
            for key in ("stated_max", "bonus_cap", "penalty_cap"):
                value = row.number(key, code)
                if value is not None:
                    table[key] = value
            out.append(("groups", table, row))
        elif what == "unscored":
            scored_in = row.text("scored_in")
            if not scored_in:
                row.blank("scored_in", code)
            out.append(("unscored", {"code": code, "title": title, "scored_in": scored_in}, row))
        else:
            criterion = _criterion(row, code, title, kinds, levels)
            if criterion is None:
                broken.add(code)
            else:
                out.append(("criteria", criterion, row))
    return out


def _guess_row(row: _Row, code: str) -> str:
    """The kind of a row whose 'Loại dòng' is blank: a criterion has a rule or a max."""
    if row.text("kind") or row.text("max"):
        return "criterion"
    if row.text("scored_in"):
        return "unscored"
    return "group" if "." in code else "pillar"


def _criterion(row: _Row, code: str, title: str, kinds: Mapping[str, str], levels: Mapping[str, str]) -> dict[str, Any] | None:
    top = row.number("max", code, required=True)
    if not row.text("kind"):
        row.blank("kind", code)
        kind = None
    else:
        kind = kinds.get(plain(row.text("kind")))
        if kind is None:
            guess = did_you_mean(row.text("kind"), [k.title for k in rules.KINDS.values()] + list(rules.KINDS))
            row.problem("cb-rule-unknown", "kind", code, row.text("kind"),
                        (f"có lẽ là «{guess}»; " if guess else "") + "có: " + ", ".join(k.title for k in rules.KINDS.values()))
    applies = [a for a in re.split(r"[,;\s]+", row.text("applies_to")) if a]
    if not applies:
        row.blank("applies_to", code)
    for level in applies:
        if level not in levels:
            named = {plain(v): k for k, v in levels.items()}
            guess = named.get(plain(level)) or did_you_mean(level, levels)
            row.problem("cb-level-unknown", "applies_to", code, level, (f"có lẽ là «{guess}»; " if guess else "") + "có: " + ", ".join(levels))
    if top is None or kind is None:
        return None
    table: dict[str, Any] = {"code": code, "title": title}
    for key in ("how", "note"):
        if row.text(key):
            table[key] = row.text(key)
    table["max"] = int(top) if top.is_integer() else top
    table["kind"] = kind
    table["applies_to"] = applies
    params = _params(row, code, kind)
    if params is None:
        return None
    table["params"] = params
    table["inputs"], table["decisions"] = [], []
    return table


_CONSTRAINT = re.compile(r"^(.+?)(?:≤|<=)(.+)$")
_FULL_AT = re.compile(r"^([a-z][a-z0-9_]*)\s*(?:≥|>=)\s*(.+)$")


def _keys(text: str) -> list[str]:
    keys = [k.strip() for k in re.split(r"[+,]", text) if k.strip()]
    if not keys or any(not re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys):
        raise ValueError(text)
    return keys


_SYNTAX = {"num": "tên số liệu nối bằng '+', ví dụ b + d", "den": "tên số liệu nối bằng '+', ví dụ a + c",
           "weights": "số liệu = trọng số, cách nhau dấu chấm phẩy, ví dụ b = 1/2; c = 1",
           "target": "một số: 0,7 hoặc 70% hoặc 1/3", "full_at": "số liệu ≥ tỷ lệ, ví dụ c ≥ 0,8",
           "constraints": "phần ≤ tổng, cách nhau dấu chấm phẩy, ví dụ b ≤ a; d ≤ c"}


def _params(row: _Row, code: str, kind: str) -> dict[str, Any] | None:
    """The rule's parameters from their columns, in the order the shipped catalogs write them;
    a filled column the rule does not read is a warning (and is left out)."""
    wanted = set(rules.KINDS[kind].param_names)
    params: dict[str, Any] = {}
    ok = True
    for key in ("num", "den", "weights", "target", "full_at", "zero", "over", "constraints"):
        text = row.text(key)
        if not text:
            continue
        if key not in wanted:
            row.problem("cb-param-unused", key, code, SHEET["tree"].column(key).title, rules.KINDS[kind].title)
            continue
        try:
            if key in ("num", "den"):
                params[key] = _keys(text)
            elif key == "weights":
                params[key] = {k.strip(): parse_number(w) for k, w in (part.split("=", 1) for part in text.split(";") if part.strip())}
                if any(not re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in params[key]):
                    raise ValueError(text)
            elif key == "target":
                params[key] = parse_number(row.raw(key))
            elif key == "full_at":
                found = _FULL_AT.match(text)
                if not found:
                    raise ValueError(text)
                params[key] = {"input": found.group(1), "target": parse_number(found.group(2))}
            elif key == "constraints":
                params[key] = []
                for part in (p for p in text.split(";") if p.strip()):
                    found = _CONSTRAINT.match(part.strip())
                    if not found:
                        raise ValueError(part)
                    params[key].append({"lhs": _keys(found.group(1)), "rhs": _keys(found.group(2))})
            else:
                words = ZERO_WORDS if key == "zero" else OVER_WORDS
                meaning = row.word(key, words, code, {k: k for k in words})
                if meaning is None:
                    ok = False
                    continue
                params[key] = meaning
        except (ValueError, ZeroDivisionError):
            row.problem("cb-param-bad", key, code, text, _SYNTAX[key])
            ok = False
    return params if ok else None


def _details(reader: _Reader, tree: list[tuple[str, dict[str, Any], _Row]], data: dict[str, Any], broken: set[str]) -> None:
    """Inputs, options, evidence and decisions joined to their rows of the tree."""
    criteria = {t["code"]: t for kind, t, _ in tree if kind == "criteria"}
    others = {t["code"]: t for kind, t, _ in tree if kind != "criteria"}
    codes = [*criteria, *others, *broken]
    type_spellings = {k: k for k in INPUT_TYPES} | {v: k for k, v in INPUT_TYPES.items()}

    def owner(row: _Row, column: str, pool: Mapping[str, Any]) -> Any:
        code = row.text(column)
        if code in pool:
            return pool[code]
        if code not in broken:
            row.problem("cb-code-unknown", column, code, code, did_you_mean(code, codes, 0.5) or "")
        return None

    parts: dict[str, list[dict[str, Any]]] = {}
    for row in reader.each("inputs"):
        c = owner(row, "criterion", criteria)
        if c is None:
            continue
        key = row.text("key")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            row.problem("cb-key-bad", "key", c["code"], key)
            continue
        if any(i["key"] == key for i in c["inputs"]):
            row.problem("cb-input-duplicate", "key", c["code"], f"{c['code']} {key}")
            continue
        reader.rows[("inputs", f"{c['code']} {key}")] = (row.name, row.line)
        item: dict[str, Any] = {"key": key, "label": row.text("label")}
        if not item["label"]:
            row.blank("label", c["code"])
        kind = row.word("type", TYPE_WORDS, c["code"], type_spellings) if row.text("type") else None
        if not row.text("type"):
            row.blank("type", c["code"])
        item["type"] = kind or "count"
        default = row.number("default", c["code"])
        if default is not None:
            item["default"] = int(default) if default.is_integer() else default
        if row.text("scale"):
            if row.text("scale") not in data["scales"]:
                row.problem("cb-word-unknown", "scale", c["code"], row.text("scale"), "dùng một trong: " + ", ".join(data["scales"]))
            else:
                item["scale"] = row.text("scale")
        if row.text("central"):
            if plain(row.text("central")) in YES_WORDS:
                item["central"] = True
            elif plain(row.text("central")) not in ("khong", "no", "false", "0"):
                row.problem("cb-word-unknown", "central", c["code"], row.text("central"), "Có, hoặc để trống")
        if row.text("points") or row.text("cap"):
            if "parts" not in rules.KINDS[c["kind"]].param_names:
                row.problem("cb-param-unused", "points", c["code"], SHEET["inputs"].column("points").title, rules.KINDS[c["kind"]].title)
            else:
                try:
                    parts.setdefault(c["code"], []).append({"input": key, "points": parse_number(row.raw("points")),
                                                             "cap": parse_number(row.raw("cap"))})
                except (ValueError, ZeroDivisionError):
                    row.problem("cb-param-bad", "points" if row.text("cap") else "cap", c["code"],
                                f"{row.text('points')} / {row.text('cap')}", "điểm mỗi mục và tối đa của phần đều là số: 1, 1/3, 0,5")
        c["inputs"].append(item)
    for code, found in parts.items():
        criteria[code]["params"]["parts"] = found
    options: dict[str, list[dict[str, Any]]] = {}
    for row in reader.each("choices"):
        c = owner(row, "criterion", criteria)
        if c is None:
            continue
        if "options" not in rules.KINDS[c["kind"]].param_names:
            row.problem("cb-param-unused", "label", c["code"], SHEET["choices"].title, rules.KINDS[c["kind"]].title)
            continue
        try:
            fraction = _fraction(row.raw("fraction"))
        except (ValueError, ZeroDivisionError):
            row.problem("cb-param-bad", "fraction", c["code"], row.text("fraction"), "một số từ 0 đến 1: 1, 1/2, 1/3, 0")
            continue
        options.setdefault(c["code"], []).append({"label": row.text("label"), "fraction": fraction})
        reader.rows.setdefault(("choices", c["code"]), (row.name, row.line))
    for code, found in options.items():
        criteria[code]["params"]["options"] = found
    for code, c in list(criteria.items()):
        if "options" in rules.KINDS[c["kind"]].param_names and code not in options:
            broken.add(code)  # left out: its rule cannot be checked without its options
            if "choices" in reader.tables:  # a missing or misspelled sheet is reported once, as such
                row_name, number = reader.rows[("tree", code)]
                reader.add("cb-choices-missing", sheet=row_name, cell=f"{reader.columns.get(('tree', 'kind'), 'A')}{number}", criterion=code,
                           value=code)
    for row in reader.each("evidence"):
        c = owner(row, "criterion", criteria)
        if c is not None:
            c["evidence"] = row.text("evidence")
            reader.rows[("evidence", c["code"])] = (row.name, row.line)
    pool = {**criteria, **others}
    for row in reader.each("decisions"):
        item = owner(row, "code", pool)
        if item is None:
            continue
        if row.text("code") in criteria:
            item["decisions"].append({"topic": row.text("topic") or "cách đọc", "text": row.text("text")})
        elif "decision" in item:
            row.problem("cb-decision-twice", "code", item["code"], item["code"])
        else:
            item["decision"] = row.text("text")
    for kind, table, _ in tree:
        if kind == "criteria":
            if not table["decisions"]:
                del table["decisions"]
            if "evidence" not in table:
                table["evidence"] = ""
        elif kind == "unscored" and "decision" not in table:
            table["decision"] = ""
    data["rows"] = [(kind, table) for kind, table, _ in tree if table["code"] not in broken]
    data["groups"] = [t for kind, t in data["rows"] if kind == "groups"]
    data["criteria"] = [t for kind, t in data["rows"] if kind == "criteria"]
    data["unscored"] = [t for kind, t in data["rows"] if kind == "unscored"]


# --------------------------------------------------------------------------- findings on cells


def locate(read: Read, findings: Sequence[Finding], catalog: Catalog) -> list[Issue]:
    """``audit``'s errors placed on the cells to fix: a printed total on the group's 'Điểm in'
    cell, an unused input on its row of 'Số liệu', a parameter on the rule's cell, a field on
    its column; nothing for a code already left out with an error of its own."""
    out = []
    for f in findings:
        # a finding about a row left out, or about a group holding one (its total is short of it), would only repeat that row's error
        if f.severity != AUDIT_ERROR or any(f.code == b or f.code.startswith(b + ".") or (f.code and b.startswith(f.code + "."))
                                            for b in read.broken if b):
            continue
        sheet, cell = _where(read, f, catalog)
        code = {"totals": "cb-totals-differ", "input-unused": "cb-input-unused", "input-undeclared": "cb-input-undeclared"}.get(f.check,
                                                                                                                              "cb-integrity")
        value = f.subject if code in ("cb-input-unused", "cb-input-undeclared") else f.message
        out.append(issue(code, file=read.file, sheet=sheet, cell=cell, criterion=f.code, value=value))
    return out


_FIELD_COLUMNS = {"max": "max", "title": "title", "how": "how", "applies_to": "applies_to", "short_title": "short_title",
                  "scored_in": "scored_in", "bonus_cap": "bonus_cap", "penalty_cap": "penalty_cap"}


def _where(read: Read, f: Finding, catalog: Catalog) -> tuple[str, str]:
    if f.check == "totals":
        return read.cell("tree", f.code, "stated_max")
    if f.check in ("input-unused", "input-label", "input-type", "input") and ("inputs", f"{f.code} {f.subject}") in read.rows:
        column = {"input-unused": "key", "input-label": "label", "input-type": "type"}.get(f.check, "key")
        return read.cell("inputs", f"{f.code} {f.subject}", column)
    if f.check == "input-undeclared" and f.code in catalog.by_code:
        params = catalog.by_code[f.code].params
        for column in ("num", "den", "weights", "full_at", "constraints"):
            if f.subject in str(params.get(column, "")):
                return read.cell("tree", f.code, column)
        return read.cell("inputs", f.code, "criterion") if ("inputs", f.code) in read.rows else read.cell("tree", f.code, "kind")
    if f.check == "param":
        return read.cell("tree", f.code, "kind")
    if f.check == "field" and f.subject == "evidence":
        return read.cell("tree", f.code, "code")
    if f.check == "field" and f.subject in _FIELD_COLUMNS:
        return read.cell("tree", f.code, _FIELD_COLUMNS[f.subject])
    if f.check == "field" and f.subject.startswith("totals."):
        return read.cell("settings", f.subject, "value")
    if f.check == "field" and f.subject == "grades":
        return SHEET["grades"].title, ""
    return read.cell("tree", f.code, "code")
