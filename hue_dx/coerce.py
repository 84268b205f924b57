"""Reading what people really leave in input cells (pure, no I/O).

The engine accepts exactly what the workbook's formulas accept (``cells``), so a returned
file scores the same in its own workbook, in ``hue-dx check`` and in the ranking. Returned
files hold more: numbers typed as text, Vietnamese number formats, stray spaces, words.
Those are never read as numbers (the workbook does not either: its status cell says "lỗi"),
but this module names what the cell holds, and for text that is clearly a number written
the way people write them ("12 ", "1.234", "12,5") what number was probably meant, so the
message can tell the unit exactly what to retype.

Vietnamese convention: "." groups thousands and "," is the decimal mark. A lone "." is a
decimal point unless exactly three digits follow ("1.5" → 1.5, "1.500" → 1500).
"""

from __future__ import annotations

import ast
import math
import operator
import re
import unicodedata
from dataclasses import dataclass

from .catalog import YES_NO, Input
from .cells import ErrorValue, is_blank, problem

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
    read: object = None  # what the message adds: the number a text was read as, the option probably meant, the bound exceeded


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


def _percent(text: str) -> float | None:
    """A percentage written as text ("80%", "12,5 %") as a fraction (0.8), else None."""
    t = unicodedata.normalize("NFC", text).strip()
    if not t.endswith("%"):
        return None
    number = number_from_text(t[:-1])
    return None if number is None else number / 100


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip().casefold()


def read_input(spec: Input, value: object, kind: str = "") -> Read:
    """One input cell's value (as the xlsx reader gives it) for the engine, and its issue.

    The engine receives what the workbook's formulas see (``cells``): a value they refuse is
    passed on unchanged, so the engine marks the criterion "lỗi" with the workbook's words, and
    the issue code says what the cell holds; for text that reads as a number, ``read`` is that
    number, so the message can say what the unit probably meant."""
    if kind == "e" or isinstance(value, ErrorValue):
        return Read(ErrorValue(str(value)), "input-error-value")
    if is_blank(value):
        return Read(None)
    if isinstance(value, bool) and spec.type in ("yesno", "choice"):
        value = "TRUE" if value else "FALSE"  # what TRIM() of the cell gives the formulas: never Có/Không
    why = problem(spec, value)
    if why is None:
        return Read(value)
    if spec.type == "yesno" or spec.type == "choice":
        options = YES_NO if spec.type == "yesno" else spec.choices
        meant = next((o for o in options if isinstance(value, str) and _norm(value) == _norm(o)), None)
        if meant is not None and isinstance(value, str) and value != meant and unicodedata.normalize("NFC", value).strip(" ") == meant:
            return Read(value, "input-composed", meant)  # the same letters, decomposed: the two words would look alike
        return Read(value, "input-yesno" if spec.type == "yesno" else "input-choice", meant)
    if isinstance(value, str):
        number = number_from_text(value)
        if number is None and (share := _percent(value)) is not None:
            return Read(value, "input-percent", share)
        return Read(value, "input-not-number" if number is None else "input-text-number", number)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Read(value, "input-not-number")  # NaN or infinity in a hand-made file: no spreadsheet stores them
    number = float(value)
    if number < 0:
        return Read(value, "input-negative")
    if spec.max is not None and number > spec.max:
        return Read(value, "input-too-large", spec.max)
    return Read(value, "input-fraction")


# Python and Excel agree on these operators' precedence; not on ^ (Excel: -2^2 = 4, and ^ binds
# tighter than * where Python's ** and ^ differ), so a formula with ^ is not worked out here.
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FORMULA_NUMBERS = re.compile(r"^[0-9.+\-*/()\sEe]+$")


def constant_formula(formula: str) -> float | None:
    """The value of a formula made only of numbers and + - * / ( ), the kind a clerk types
    into a cell (=120+35), or None for anything else (cell references, functions). Worked out
    with the syntax tree, never ``eval``; sizes are capped so no input can take long."""
    text = formula.lstrip("=").strip()
    if not text or len(text) > 200 or not _FORMULA_NUMBERS.match(text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return None

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return float(_OPERATORS[type(node.op)](value(node.left), value(node.right)))
        raise ValueError("not a number formula")

    try:
        result = value(tree.body)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return result if result == result and abs(result) != float("inf") else None
