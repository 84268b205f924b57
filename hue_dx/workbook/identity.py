"""A workbook's identity and fingerprint, as written by the generator and read back later.

Identity (catalog id and version, period, unit code, level, generation id, fingerprint) is
stored twice, as custom document properties and as workbook-scoped defined names holding
constants: both survive e-mail, renaming and a LibreOffice or WPS re-save (a veryHidden
sheet or workbook structure protection would not).

The fingerprint is a SHA-256 of the layout and the formulas: sheet names in order, every
formula with its cell, and every defined name with its destination (identity constants
excepted). It is the same for every unit of a level, so a changed formula, an inserted or
deleted row or a removed sheet shows as a different fingerprint.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .. import names

_IDENTITY = {names.identity_name(k) for k in names.IDENTITY}


def canonical(wb: Any) -> str:
    """The text the fingerprint hashes (an openpyxl Workbook, freshly built or loaded)."""
    lines = ["sheets:" + "|".join(ws.title for ws in wb.worksheets)]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    lines.append(f"{ws.title}!{cell.coordinate}{value.strip()}")
    for name in sorted(wb.defined_names):
        if name.lower() in _IDENTITY:
            continue
        lines.append(f"name:{name.lower()}={wb.defined_names[name].attr_text}")
    return "\n".join(lines)


def fingerprint(wb: Any) -> str:
    return hashlib.sha256(canonical(wb).encode("utf-8")).hexdigest()
