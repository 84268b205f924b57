"""What an input cell means to the workbook's own formulas, in Python (pure, no I/O).

One number everywhere: the score ``hue-dx check`` gives a returned file must be the score the
file's formulas show in Excel and LibreOffice. So the engine reads a cell exactly as the
formulas do, and the formulas (``workbook/formulas.py``) and the engine take their words from
the functions below. What the formulas do, and so what is mirrored here:

- an error value (#N/A, #DIV/0!…) is a problem of its own (``ISERROR`` comes first);
- blank is an empty cell or text of ASCII spaces only (``TRIM(x)=""``: Excel's and
  LibreOffice's TRIM remove the space U+0020 only, not a no-break space or a tab);
- a count, number or amount must be a number: text is never a number, even "12"
  (``ISNUMBER`` is false for text in every client), nor is TRUE/FALSE (``ISLOGICAL``: in
  LibreOffice a boolean passes ``ISNUMBER``);
- Có/Không and the options of a choice compare with ``=`` after ``TRIM`` (which also folds runs
  of inner spaces into one), ignoring case, without Unicode normalisation (an NFD "Có" is
  not "Có" in Excel or LibreOffice), and never with wildcards (``MATCH`` would treat "*" as
  one), so the formulas chain ``=`` comparisons;
- a number above the input's plausible maximum (the catalog's ``[scales]``) is refused.
"""

from __future__ import annotations

from . import vn
from .catalog import YES_NO, Input

_NUMERIC = frozenset(("count", "number", "amount"))
_INF = float("inf")


class ErrorValue(str):
    """An error value held by a cell ("#N/A", "#DIV/0!"…), as opposed to text typed as "#N/A"."""


def excel_trim(text: str) -> str:
    """Excel's TRIM: ASCII spaces removed at both ends, inner runs folded to one space."""
    return " ".join(part for part in text.split(" ") if part)


def is_blank(value: object) -> bool:
    """Blank to the formulas: an empty cell, or text that TRIM makes empty."""
    return value is None or (isinstance(value, str) and not isinstance(value, ErrorValue) and excel_trim(value) == "")


def same_text(value: object, wanted: str) -> bool:
    """``TRIM(cell)="wanted"`` as Excel and LibreOffice compute it (case-insensitive, no wildcards)."""
    return isinstance(value, str) and not isinstance(value, ErrorValue) and excel_trim(value).lower() == wanted.lower()


# The words of an input's check cell (and of the criterion's status after "lỗi: ").


def msg_error(key: str) -> str:
    return f"{key} có giá trị lỗi"


def msg_not_number(key: str) -> str:
    return f"{key} không phải là số"


def msg_negative(key: str) -> str:
    return f"{key} là số âm"


def msg_too_large(key: str, bound: float) -> str:
    return f"{key} lớn hơn mức hợp lý {vn.whole(bound)}"


def msg_fraction(key: str) -> str:
    return f"{key} phải là số nguyên"


def msg_yesno(key: str) -> str:
    return f"{key} phải là {YES_NO[0]} hoặc {YES_NO[1]}"


def msg_choice(key: str) -> str:
    return f"{key} không thuộc các lựa chọn"


def problem(spec: Input, value: object) -> str | None:
    """Why the formulas refuse a non-blank value of this input, or None when they accept it."""
    if type(value) is float and spec.type in _NUMERIC and 0 <= value <= (spec.max if spec.max is not None else _INF) \
            and (spec.type != "count" or value.is_integer()):
        return None  # the common case, decided at once (a number within bounds)
    key = spec.key
    if isinstance(value, ErrorValue):
        return msg_error(key)
    if spec.type == "yesno":
        # A Python bool is accepted from Python callers (hue-dx score, the API); a TRUE/FALSE
        # cell of a file reaches the engine as the text the formulas see (coerce.read_input).
        return None if isinstance(value, bool) or any(same_text(value, option) for option in YES_NO) else msg_yesno(key)
    if spec.type == "choice":
        return None if any(same_text(value, option) for option in spec.choices) else msg_choice(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        return msg_not_number(key)
    if value < 0:
        return msg_negative(key)
    if spec.max is not None and value > spec.max:
        return msg_too_large(key, spec.max)
    if spec.type == "count" and not float(value).is_integer():
        return msg_fraction(key)
    return None


def option_index(spec: Input, value: object) -> int:
    """The position of an accepted Có/Không or choice value among its options."""
    if isinstance(value, bool) and spec.type == "yesno":
        return 0 if value else 1
    options = YES_NO if spec.type == "yesno" else spec.choices
    for n, option in enumerate(options):
        if same_text(value, option):
            return n
    raise ValueError(msg_choice(spec.key))
