"""Worksheet functions of the Excel add-in, as plain Python (no xlwings, no numpy, no pandas).

The add-in (`addin/hue_dx_addin.py`) only decorates these for xlwings; the same functions
run unchanged in xlwings Lite (Pyodide). They accept what Excel passes — numbers as float,
an empty cell as None, a one-row or one-column range as a list, a block as a list of lists,
text (also text that looks like a number), error values — and return what Excel can show: a
number, a text, or "" — never a Python traceback: any failure becomes a readable
"#HUEDX: …" text.

``REGISTRY`` lists every function with its arguments and help text; the VBA wrappers and the
ribbon of the add-in are generated from it, and tests derive both from it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import catalog as catalog_mod
from .coerce import read_input
from .ranking import competition_ranks
from .scoring import OK, score_criterion

PREFIX = "HUEDX_"


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]  # "*inputs" marks the variable-length argument
    help: str
    example: str
    call: Callable[..., Any]


REGISTRY: dict[str, Function] = {}


@functools.lru_cache(maxsize=4)
def _catalog(ref: str | None = None) -> catalog_mod.Catalog:
    return catalog_mod.load(ref)


def _register(args: tuple[str, ...], help_text: str, example: str):
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def safe(*a: Any) -> Any:
            try:
                return fn(*a)
            except Exception as exc:  # noqa: BLE001  (a worksheet cell must never show a traceback)
                message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
                return f"#HUEDX: {message}"

        REGISTRY[fn.__name__] = Function(fn.__name__, args, help_text, example, safe)
        return safe

    return decorate


def flatten(values: Iterable[Any]) -> list[Any]:
    """Arguments as Excel passes them (scalars, 1-D lists, 2-D lists) in reading order."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(flatten(value))
        else:
            out.append(value)
    return out


def _code(value: Any) -> str:
    """A criterion code as typed in a cell: text "5.2.1", or a number such as 5.1 (Excel
    turns "5.10" typed without quotes into 5.1, so a number is read back as typed text)."""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if value is None:
        raise ValueError("thiếu mã tiêu chí")
    return str(value).strip()


def _named(code: Any) -> tuple[catalog_mod.Catalog, str]:
    """The set and the code a cell names: "5.2.1" in the default set, "mau-thu-nghiem-2026:4.1.1" in another."""
    ref, _, bare = _code(code).rpartition(":")
    return _catalog(ref or None), bare


def _criterion(code: Any) -> catalog_mod.Criterion:
    cat, text = _named(code)
    return cat.criterion(text)


def _inputs(code: Any, values: tuple[Any, ...]) -> tuple[catalog_mod.Criterion, dict[str, Any]]:
    criterion = _criterion(code)
    given = flatten(values)
    if len(given) > len(criterion.inputs):
        raise ValueError(f"{criterion.code} cần {len(criterion.inputs)} số liệu ({', '.join(i.key for i in criterion.inputs)}), "
                         f"nhận {len(given)}")
    raw: dict[str, Any] = {}
    for spec, value in zip(criterion.inputs, given, strict=False):
        # Numbers stored as text are read as numbers, the way the consolidator reads them.
        raw[spec.key] = read_input(spec, value).value
    return criterion, raw


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


@_register(("code", "*inputs"), "Điểm của một tiêu chí từ các số liệu a, b, c… (ô trống nếu chưa chấm được; xem HUEDX_STATUS).",
           '=HUEDX_SCORE("5.2.1"; D12; D13; D14)')
def HUEDX_SCORE(code, *inputs):  # noqa: N802  (Excel function names are upper case)
    criterion, raw = _inputs(code, inputs)
    result = score_criterion(criterion, raw)
    return result.points if result.status == OK else ""


@_register(("code", "*inputs"), "Trạng thái của tiêu chí bằng lời: đạt, thiếu số liệu: …, lỗi: …, không áp dụng.",
           '=HUEDX_STATUS("5.2.1"; D12:D14)')
def HUEDX_STATUS(code, *inputs):  # noqa: N802
    criterion, raw = _inputs(code, inputs)
    return score_criterion(criterion, raw).status_vi


@_register(("code",), "Điểm tối đa của một tiêu chí, nhóm hoặc trụ cột.", '=HUEDX_MAX("5.8.2")')
def HUEDX_MAX(code):  # noqa: N802
    cat, text = _named(code)
    if text in cat.groups_by_code:
        return cat.max_of(text)
    return cat.criterion(text).max


@_register(("code",), "Tên của tiêu chí, nhóm hoặc trụ cột (nguyên văn Kế hoạch).", '=HUEDX_TITLE("3.1.1")')
def HUEDX_TITLE(code):  # noqa: N802
    cat, text = _named(code)
    if text in cat.groups_by_code:
        return cat.groups_by_code[text].title
    return cat.criterion(text).title


@_register(("code",), "Cách hue-dx chấm tiêu chí, bằng lời.", '=HUEDX_RULE("7.2.3")')
def HUEDX_RULE(code):  # noqa: N802
    return _criterion(code).describe()


@_register(("code", "key"), "Nhãn của số liệu a, b, c… của tiêu chí (theo Ghi chú của Kế hoạch).", '=HUEDX_LABEL("5.2.1"; "b")')
def HUEDX_LABEL(code, key):  # noqa: N802
    return _criterion(code).input(str(key).strip()).label


@_register(("scores",), "Tổng các điểm trong một vùng (bỏ qua ô trống và chữ).", "=HUEDX_TOTAL(F5:F40)")
def HUEDX_TOTAL(scores):  # noqa: N802
    return sum(n for n in map(_number, flatten([scores])) if n is not None)


@_register(("points", "maxes"), "Chỉ số 0–1: tổng điểm / tổng điểm tối đa áp dụng (ô trống nếu tối đa bằng 0).",
           "=HUEDX_INDEX(F5:F40; L5:L40)")
def HUEDX_INDEX(points, maxes):  # noqa: N802
    top = HUEDX_TOTAL(maxes)
    return HUEDX_TOTAL(points) / top if top else ""


@_register(("pillar", "level"), "Điểm tối đa áp dụng của một trụ cột (hoặc \"\" cho toàn bộ) cho một cấp: so, huyen, tinh.",
           '=HUEDX_PILLAR_MAX(5; "huyen")')
def HUEDX_PILLAR_MAX(pillar, level):  # noqa: N802
    cat = _catalog()
    level = str(level).strip()
    if level not in cat.levels:
        raise ValueError(f"cấp {level!r} không có (có: {', '.join(cat.levels)})")
    code = "" if pillar in (None, "") else _code(pillar)
    members = cat.criteria_under(code) if code else cat.criteria
    return sum(c.max for c in members if c.applies(level))


@_register(("value", "values"), "Hạng của một chỉ số trong một vùng, cao nhất là 1, bằng nhau (4 chữ số) cùng hạng (1, 2, 2, 4).",
           "=HUEDX_RANK(G5; G$5:G$34)")
def HUEDX_RANK(value, values):  # noqa: N802
    mine = _number(value)
    if mine is None:
        return ""
    numbers = [n for n in map(_number, flatten([values])) if n is not None]
    return competition_ranks([mine, *numbers])[0]


@_register((), "Bộ tiêu chí đang dùng: mã, phiên bản và văn bản nguồn.", "=HUEDX_CATALOG()")
def HUEDX_CATALOG():  # noqa: N802
    cat = _catalog()
    return f"{cat.id} {cat.version} ({cat.source.get('document', '')} ngày {cat.source.get('date', '')})"


# ------------------------------------------------------------------ ribbon command helpers
# What the add-in's buttons do, minus Excel itself (tested without Excel).


def from_vba(hex_utf16: str) -> str:
    """Text sent by the ribbon's VBA (HueDxHex in hue_dx_ribbon.bas): hex of its UTF-16 code
    units, so that the Python code RunPython passes through cmd.exe is plain ASCII whatever the
    folder's name. Surrogate pairs and combining marks come back exactly as typed."""
    return bytes.fromhex(hex_utf16).decode("utf-16-be")


def check_rows(path: str, recipe: str | None = None) -> tuple[str, list[list[Any]]]:
    """("sheet title", rows) listing the issues of one saved workbook, for a new sheet."""
    import hashlib
    from pathlib import Path

    from . import campaign as campaign_mod
    from .intake.check import Context, check_file
    from .issues import SEVERITY_VI

    file = Path(path)
    if not file.is_file():
        raise ValueError("Hãy lưu sổ trước khi kiểm tra (sổ chưa có trên đĩa).")
    campaign = campaign_mod.load(recipe)
    cat = _catalog(campaign.catalog)
    data = file.read_bytes()
    result = check_file(data, file.name, hashlib.sha256(data).hexdigest(), Context.create(cat, campaign))
    points, top, index = result.total
    rows: list[list[Any]] = [["Mức", "Mã", "Trang", "Ô", "Tiêu chí", "Giá trị", "Thông báo", "Cách sửa"]]
    order = {"error": 0, "warning": 1, "info": 2}
    for i in sorted(result.issues, key=lambda i: order[i.severity]):
        rows.append([SEVERITY_VI[i.severity], i.code, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint])
    rows.append([])
    rows.append(["Tổng điểm", points, "Tối đa", top, "Chỉ số", index if index is not None else ""])
    return "hue-dx kiểm tra", rows


def consolidate_folder(folder: str, recipe: str | None = None) -> str:
    """Consolidate a folder; returns the path of the ranking workbook written beside it."""
    from pathlib import Path

    from . import campaign as campaign_mod
    from .intake.consolidate import consolidate
    from .intake.outputs import write_workbook

    campaign = campaign_mod.load(recipe)
    root = Path(folder)
    result = consolidate(_catalog(campaign.catalog), campaign, [root], root / "hue-dx-luu-tru")
    output = root / f"xep-hang-{campaign.period}.xlsx"
    write_workbook(result, output)
    return str(output)


def generate_unit(code: str, beside: str, recipe: str | None = None, formulas: str = "native") -> str:
    """Write one unit's official workbook in the folder of ``beside``; returns its path."""
    from pathlib import Path

    from . import campaign as campaign_mod
    from .generate import generate

    campaign = campaign_mod.load(recipe)
    folder = Path(beside).parent if beside else Path.cwd()
    made = generate(_catalog(campaign.catalog), campaign, folder, [campaign.unit(str(code))], formulas=formulas, manifest=False)
    return str(folder / made[0].path)
