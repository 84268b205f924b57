"""Defined names of a quarterly workbook's cells: how the intake reads a returned file by name.

Every input cell has a workbook-scoped name built from the role, the task id and the field
(dots of the id become "_", everything lower case, as in ``hue_dx.names``):

    hdx_tk_pl3_a_i_1_status       a task the unit answers as lead (or on behalf of an external lead)
    hdx_tk_pl1_7_value            an indicator the unit leads: value, source, measured_on, …
    hdx_co_pl2_i_1_contribution   a task the unit cooperates on: status, contribution
    hdx_chk_tk_pl3_a_i_1          the row's check (a formula; "đủ" when the row is complete)

Identity and contact names are those of the assessment workbook (``hue_dx.names``), with
``hdx_kind`` = "tracking" so that an intake tells the two kinds of workbook apart.
"""

from __future__ import annotations

from .. import names
from .answers import FIELDS

KIND = "tracking"
LEAD_TAG, COOPERATE_TAG = "tk", "co"
IDENTITY = ("kind", *names.IDENTITY)
_FIELD_KEYS = sorted({spec.key for specs in FIELDS.values() for spec in specs}, key=len, reverse=True)


def task_code(task_id: str) -> str:
    return task_id.replace(".", "_").lower()


def cell_name(tag: str, task_id: str, key: str) -> str:
    """tag: LEAD_TAG for lead and indicator rows, COOPERATE_TAG for cooperation rows."""
    return f"{names.PREFIX}{tag}_{task_code(task_id)}_{key}"


def check_name(tag: str, task_id: str) -> str:
    return f"{names.PREFIX}chk_{tag}_{task_code(task_id)}"


def parse_cell_name(name: str) -> tuple[str, str, str] | None:
    """(tag, task id, field key) of an input cell's name, or None for any other name."""
    text = name.lower()
    for tag in (LEAD_TAG, COOPERATE_TAG):
        head = f"{names.PREFIX}{tag}_"
        if not text.startswith(head):
            continue
        rest = text[len(head):]
        for key in _FIELD_KEYS:
            if rest.endswith("_" + key):
                return tag, rest[: -len(key) - 1].replace("_", ".").upper(), key
    return None


def identity_names() -> tuple[str, ...]:
    return tuple(names.identity_name(k) for k in IDENTITY)
