"""Workbook-scoped defined names: how the workbook, the add-in and the consolidator find cells.

Every input cell, score, status and applicable max of a criterion, every evidence field,
every pillar total and every identity value has a name derived from the catalog, so a
returned workbook is read by name, never by position (rows may have been inserted).

Scheme (all lower case; Excel names are case-insensitive; dots in codes become "_",
because LibreOffice allows only letters, digits and "_" in names):

    hdx_in_5_2_1_a        input a of criterion 5.2.1
    hdx_score_5_2_1       score of 5.2.1 ("" unless its status is "đạt")
    hdx_status_5_2_1      status in words
    hdx_amax_5_2_1        applicable max (0 when not applicable)
    (evidence: number, date, title, link sit on the score cell's row, columns H–K; they
    have no names of their own, which keeps the name table, and reading it, small)
    hdx_p5_points / hdx_p5_max / hdx_p5_index     pillar 5 totals
    hdx_p5_base / hdx_p5_bonus / hdx_p5_penalty   its criteria's points, bonus and penalty
                                                  (only where the pillar has bonus or penalty criteria)
    hdx_total_points / hdx_total_max / hdx_total_index
    hdx_total_base / hdx_total_bonus / hdx_total_penalty   (only in a set with bonus or penalty)
    hdx_total_grade                               the grade of the index (only in a set with grades)
    hdx_catalog_id, hdx_catalog_version, hdx_period, hdx_unit_code, hdx_level,
    hdx_generation_id, hdx_fingerprint            identity (constants)
    hdx_unit_name, hdx_unit_preparer, …           unit sheet fields
    hdx_ap_in_5_2_1_a, hdx_ap_reason_5_2_1, hdx_ap_score_5_2_1, hdx_ap_status_5_2_1
                          appraisal workbooks: appraised value, reason, appraised score and status
    hdx_ap_follow_5_2_1   appraisal workbooks: what to follow up on the criterion (blank: nothing)
"""

from __future__ import annotations

PREFIX = "hdx_"
EVIDENCE_FIELDS = ("number", "date", "title", "link")
IDENTITY = ("catalog_id", "catalog_version", "period", "unit_code", "level", "generation_id", "fingerprint")
APPRAISAL_IDENTITY = ("kind", "appraiser", "self_sha256")  # only in appraisal workbooks
UNIT_FIELDS = ("unit_name", "unit_preparer", "unit_preparer_title", "unit_phone", "unit_email", "unit_head", "unit_head_title")


def _code(code: str) -> str:
    return code.replace(".", "_")


def input_name(code: str, key: str) -> str:
    return f"{PREFIX}in_{_code(code)}_{key}"


def score_name(code: str) -> str:
    return f"{PREFIX}score_{_code(code)}"


def status_name(code: str) -> str:
    return f"{PREFIX}status_{_code(code)}"


def amax_name(code: str) -> str:
    return f"{PREFIX}amax_{_code(code)}"


EVIDENCE_COLUMNS = ("H", "I", "J", "K")


def appraisal_input_name(code: str, key: str) -> str:
    """An appraised value in an appraisal workbook (likewise the names below)."""
    return f"{PREFIX}ap_in_{_code(code)}_{key}"


def appraisal_reason_name(code: str) -> str:
    return f"{PREFIX}ap_reason_{_code(code)}"


def appraisal_follow_up_name(code: str) -> str:
    return f"{PREFIX}ap_follow_{_code(code)}"


def appraisal_score_name(code: str) -> str:
    return f"{PREFIX}ap_score_{_code(code)}"


def appraisal_status_name(code: str) -> str:
    return f"{PREFIX}ap_status_{_code(code)}"


def evidence_refs(score_ref: str) -> dict[str, str]:
    """The evidence cells of a criterion, from its score cell ("F12" -> H12, I12, J12, K12)."""
    row = score_ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$").replace("$", "")
    return {field: f"{col}{row}" for field, col in zip(EVIDENCE_FIELDS, EVIDENCE_COLUMNS, strict=True)}


def pillar_name(pillar: str, what: str) -> str:
    """what: points, max, index; base, bonus, penalty."""
    return f"{PREFIX}p{pillar}_{what}"


def total_name(what: str) -> str:
    """what: points, max, index; base, bonus, penalty; grade."""
    return f"{PREFIX}total_{what}"


def identity_name(what: str) -> str:
    return f"{PREFIX}{what}"
