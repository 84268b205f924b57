"""Reading what people really leave in input cells (pure, no I/O).

The engine accepts exactly what the workbook's formulas accept. Returned files hold more:
numbers typed as text, Vietnamese number formats, stray spaces, words. The rule here: a
value is read, with a warning, when its meaning is unambiguous and a person typing it right
would have entered that number ("12 " → 12, "1.234" → 1234, "12,5" → 12.5); anything else
is passed on unchanged, so the engine marks the criterion invalid with its reason, and the
consolidator records an error for the cell.

Vietnamese convention: "." groups thousands and "," is the decimal mark. A lone "." is a
decimal point unless exactly three digits follow ("1.5" → 1.5, "1.500" → 1500).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .catalog import YES_NO, Input

_INT = re.compile(r"^[+-]?\d+$")
_VN_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.234.567,5
_EN_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$")  # 1,234,567.5 (two or more groups: unambiguous)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")  # 12,5
_DECIMAL_DOT = re.compile(r"^[+-]?\d+\.\d+$")  # 12.5
_SPACED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")  # 1 234 567


@dataclass(frozen=True)
class Read:
    """What to give the engine, and what to record about the cell (issue code or None)."""

    value: object
    issue: str | None = None
    read: object = None  # the number a text was read as


def number_from_text(text: str) -> float | None:
    """A number written as text the way people write them, or None when it is not one."""
    t = unicodedata.normalize("NFC", text).strip().replace("\u2212", "-")
    if _INT.match(t):
        return float(t)
    if _VN_GROUPED.match(t):
        return float(t.replace(".", "").replace(",", "."))
    if _EN_GROUPED.match(t):
        return float(t.replace(",", ""))
    if _DECIMAL_COMMA.match(t):
        return float(t.replace(",", "."))
    if _DECIMAL_DOT.match(t):
        whole, _, decimals = t.partition(".")
        return float(whole + decimals) if len(decimals) == 3 else float(t)
    if _SPACED.match(t):
        return float(re.sub(r"[ \u00a0\u202f]", "", t))
    return None


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def read_input(spec: Input, value: object, kind: str = "") -> Read:
    """One input cell's value (as the xlsx reader gives it) for the engine, with its issue."""
    if kind == "e":
        return Read(str(value), "input-error-value")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Read(None)
    if spec.type in ("count", "number", "amount"):
        if isinstance(value, bool):
            return Read(value, "input-not-number")
        if isinstance(value, (int, float)):
            return Read(value, _sign_issue(spec, float(value)))
        number = number_from_text(str(value))
        if number is None:
            return Read(value, "input-not-number")
        return Read(number, _sign_issue(spec, number) or "input-text-number", number)
    if spec.type == "yesno":
        if isinstance(value, bool) or (isinstance(value, str) and _norm(value) in {_norm(v) for v in YES_NO}):
            return Read(value)
        return Read(value, "input-yesno")
    if isinstance(value, str) and _norm(value) in {_norm(c) for c in spec.choices}:
        return Read(value)
    return Read(value, "input-choice")


def _sign_issue(spec: Input, number: float) -> str | None:
    if number < 0:
        return "input-negative"
    if spec.type == "count" and not float(number).is_integer():
        return "input-fraction"
    return None
