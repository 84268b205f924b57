"""Fill a quarterly workbook's answer cells by name, as a unit would type them (for the demo and
tests): any raw value, including the wrong ones people type (text in number cells, statuses not
from the list, dates as text; a text as text, whatever it begins with). Uses openpyxl load and save, which is safe for hue-dx's own
workbooks; never use it on a returned file: originals are never modified.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from openpyxl import load_workbook

from .. import names as nm
from ..workbook.fill import cell_named
from ..workbook.style import write
from . import names as tn

Rows = Mapping[str, Mapping[str, Any]]  # task id -> field key -> raw value (None clears the cell)


def fill(data: bytes, lead: Rows | None = None, cooperate: Rows | None = None, contacts: Mapping[str, str] | None = None) -> bytes:
    """A copy of the workbook with the answers of lead and indicator rows (``lead``), of
    cooperation rows (``cooperate``) and the unit sheet's contacts ({"unit_preparer": …})
    written in. A name the workbook does not have is an error: the caller asked for a row
    the unit does not report."""
    wb = load_workbook(io.BytesIO(data))
    for tag, rows in ((tn.LEAD_TAG, lead or {}), (tn.COOPERATE_TAG, cooperate or {})):
        for task_id, values in rows.items():
            for key, value in values.items():
                name = tn.cell_name(tag, task_id, key)
                if name not in wb.defined_names:
                    raise KeyError(f"sổ không có ô {name} (dòng {task_id} không thuộc đơn vị, hoặc trường {key} không có ở dòng này)")
                write(cell_named(wb, name), value)
    for key, value in (contacts or {}).items():
        write(cell_named(wb, nm.identity_name(key)), value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
