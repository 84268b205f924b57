"""Excel formulas of the official workbook, built from the catalog (pure string building).

Only functions of the Excel 2007 set are used (IF, AND, OR, NOT, TRIM, ISNUMBER, INT, MID,
MATCH, ISNA, CHOOSE, MIN, MAX, SUMIF, COUNTIF), so the workbook computes live in Excel
2010+, LibreOffice and WPS without any add-in. The words they produce are the engine's
words (``scoring``), so a status cell and ``CriterionResult.status_vi`` read the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import YES_NO, Criterion, Input
from ..rules import xl_num, xl_text

MISSING_MARK = "thiếu"  # what an input's check cell shows when a required input is blank
OK_TEXT, NA_TEXT = "đạt", "không áp dụng"


def choice_list(spec: Input) -> str:
    """The options as an array constant for MATCH."""
    return "{" + ",".join(xl_text(c) for c in spec.choices) + "}"


def blank(ref: str) -> str:
    return f'TRIM({ref})=""'


def value_expr(spec: Input, ref: str) -> str:
    """The clean value of an input cell, as the rule sees it (valid, present or defaulted)."""
    if spec.type == "yesno":
        expr = f'IF(TRIM({ref})={xl_text(YES_NO[0])},1,0)'
    elif spec.type == "choice":
        expr = f"(MATCH(TRIM({ref}),{choice_list(spec)},0)-1)"
    else:
        expr = ref
    # A blank yes/no already reads 0 ("Không"); any other default needs saying.
    if spec.default is not None and not (spec.type == "yesno" and spec.default == 0):
        expr = f"IF({blank(ref)},{xl_num(spec.default)},{expr})"
    return expr


def check_formula(spec: Input, ref: str) -> str:
    """An input's own check: "" when fine, "thiếu" when a required input is blank, else the problem."""
    k = spec.key
    if spec.type == "yesno":
        problem = f'IF(OR(TRIM({ref})={xl_text(YES_NO[0])},TRIM({ref})={xl_text(YES_NO[1])}),"",{xl_text(f"{k} phải là Có hoặc Không")})'
    elif spec.type == "choice":
        problem = f'IF(ISNA(MATCH(TRIM({ref}),{choice_list(spec)},0)),{xl_text(f"{k} không thuộc các lựa chọn")},"")'
    else:
        integer = f'IF({ref}<>INT({ref}),{xl_text(f"{k} phải là số nguyên")},"")' if spec.type == "count" else '""'
        problem = (f'IF(NOT(ISNUMBER({ref})),{xl_text(f"{k} không phải là số")},'
                   f'IF({ref}<0,{xl_text(f"{k} là số âm")},{integer}))')
    when_blank = xl_text(MISSING_MARK) if spec.required else '""'
    return f"=IF({blank(ref)},{when_blank},{problem})"


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
    v = {i.key: value_expr(i, cells.inputs[i.key]) for i in c.inputs}
    return f'=IF({cells.status_ref}="{OK_TEXT}",{c.rule.excel_score(c.params, v, cells.max_ref)},"")'


def amax_formula(cells: CriterionCells) -> str:
    return f'=IF({cells.status_ref}="{NA_TEXT}",0,{cells.max_ref})'


def udf_formulas(c: Criterion, cells: CriterionCells) -> tuple[str, str]:
    """Score and status cells that call the add-in (the UDF variant of the workbook)."""
    args = ",".join([xl_text(c.code), *(cells.inputs[i.key] for i in c.inputs)])
    return f"=HUEDX_SCORE({args})", f"=HUEDX_STATUS({args})"
