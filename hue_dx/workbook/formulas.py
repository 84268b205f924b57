"""Excel formulas of the official workbook, built from the catalog (pure string building).

Only functions of the Excel 2007 set are used (IF, AND, OR, NOT, TRIM, ISNUMBER, ISLOGICAL,
ISERROR, INT, MID, CHOOSE, MIN, MAX, SUMIF, COUNTIF), so the workbook computes live in Excel
2010+, LibreOffice and WPS without any add-in. The words they produce are the engine's
words (``scoring``), so a status cell and ``CriterionResult.status_vi`` read the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import cells
from ..catalog import YES_NO, Criterion, Input
from ..rules import xl_num, xl_text
from ..totals import PENALTY

MISSING_MARK = "thiếu"  # what an input's check cell shows when a required input is blank
OK_TEXT, NA_TEXT = "đạt", "không áp dụng"


def blank(ref: str) -> str:
    return f'TRIM({ref})=""'


def _is_option(spec: Input, ref: str) -> str:
    """TRUE when the cell holds one of the input's options: chained "=" (never MATCH, whose
    wildcards would take "*" for the first option in Excel), case-insensitive in every client."""
    options = YES_NO if spec.type == "yesno" else spec.choices
    tests = [f"TRIM({ref})={xl_text(option)}" for option in options]
    return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"


def _option_value(spec: Input, ref: str) -> str:
    """The option's position (choice) or 1/0 (yes/no), for a cell already known to hold one."""
    if spec.type == "yesno":
        return f"IF(TRIM({ref})={xl_text(YES_NO[0])},1,0)"
    expr = str(len(spec.choices) - 1)
    for n in range(len(spec.choices) - 2, -1, -1):
        expr = f"IF(TRIM({ref})={xl_text(spec.choices[n])},{n},{expr})"
    return expr


def value_expr(spec: Input, ref: str) -> str:
    """The clean value of an input cell, as the rule sees it (valid, present or defaulted)."""
    expr = _option_value(spec, ref) if spec.type in ("yesno", "choice") else ref
    # A blank yes/no already reads 0 ("Không"); any other default needs saying.
    if spec.default is not None and not (spec.type == "yesno" and spec.default == 0):
        expr = f"IF({blank(ref)},{xl_num(spec.default)},{expr})"
    return expr


def check_formula(spec: Input, ref: str) -> str:
    """An input's own check: "" when fine, "thiếu" when a required input is blank, else the
    problem, in the words of ``cells`` (which the engine uses too) and in the same order."""
    k = spec.key
    if spec.type == "yesno":
        problem = f'IF({_is_option(spec, ref)},"",{xl_text(cells.msg_yesno(k))})'
    elif spec.type == "choice":
        problem = f'IF({_is_option(spec, ref)},"",{xl_text(cells.msg_choice(k))})'
    else:
        problem = '""'
        if spec.type == "count":
            problem = f'IF({ref}<>INT({ref}),{xl_text(cells.msg_fraction(k))},"")'
        if spec.max is not None:
            problem = f"IF({ref}>{xl_num(spec.max)},{xl_text(cells.msg_too_large(k, spec.max))},{problem})"
        problem = (f"IF(OR(ISLOGICAL({ref}),NOT(ISNUMBER({ref}))),{xl_text(cells.msg_not_number(k))},"
                   f"IF({ref}<0,{xl_text(cells.msg_negative(k))},{problem}))")
    when_blank = xl_text(MISSING_MARK) if spec.required else '""'
    return f"=IF(ISERROR({ref}),{xl_text(cells.msg_error(k))},IF({blank(ref)},{when_blank},{problem}))"


@dataclass(frozen=True)
class CriterionCells:
    """Where one criterion lives on its sheet (absolute A1 references)."""

    max_ref: str
    status_ref: str
    inputs: dict[str, str]  # key -> input cell
    checks: dict[str, str]  # key -> check cell


def status_formula(c: Criterion, cells: CriterionCells) -> str:
    """The criterion's status: first bad input, else missing inputs, else what the rule says."""
    v = {i.key: value_expr(i, cells.inputs[i.key]) for i in c.inputs}
    expr = c.rule.excel_status(c.params, v)
    required = [i for i in c.inputs if i.required]
    if required:
        marks = [f'{cells.checks[i.key]}="{MISSING_MARK}"' for i in required]
        keys = "&".join(f'IF({cells.checks[i.key]}="{MISSING_MARK}",", {i.key}","")' for i in required)
        expr = f'IF(OR({",".join(marks)}),"thiếu số liệu: "&MID({keys},3,200),{expr})'
    for i in reversed(c.inputs):
        check = cells.checks[i.key]
        expr = f'IF(AND({check}<>"",{check}<>"{MISSING_MARK}"),"lỗi: "&{check},{expr})'
    return "=" + expr


def score_formula(c: Criterion, cells: CriterionCells) -> str:
    """The points where the status is "đạt", else blank; a penalty that cannot be worked out
    (figures missing or wrong) is charged in full (−max), as ``scoring`` charges it."""
    v = {i.key: value_expr(i, cells.inputs[i.key]) for i in c.inputs}
    otherwise = f"-{cells.max_ref}" if c.role == PENALTY else '""'
    return f'=IF({cells.status_ref}="{OK_TEXT}",{c.rule.excel_score(c.params, v, cells.max_ref)},{otherwise})'


def amax_formula(cells: CriterionCells) -> str:
    return f'=IF({cells.status_ref}="{NA_TEXT}",0,{cells.max_ref})'


def udf_formulas(c: Criterion, cells: CriterionCells, catalog_id: str = "") -> tuple[str, str]:
    """Score and status cells that call the add-in (the UDF variant of the workbook). A set other
    than the default is named with the code ("mau-thu-nghiem-2026:4.1.1"), so the add-in scores
    by the workbook's own criteria."""
    from ..catalog import DEFAULT_CATALOG

    code = c.code if not catalog_id or catalog_id == DEFAULT_CATALOG else f"{catalog_id}:{c.code}"
    args = ",".join([xl_text(code), *(cells.inputs[i.key] for i in c.inputs)])
    return f"=HUEDX_SCORE({args})", f"=HUEDX_STATUS({args})"
