"""A workbook's identity and fingerprint, as written by the generator and read back later.

Identity (catalog id and version, period, unit code, level, generation id, fingerprint) is
stored twice, as custom document properties and as workbook-scoped defined names holding
constants: both survive e-mail, renaming and a LibreOffice or WPS re-save (a veryHidden
sheet or workbook structure protection would not).

The fingerprint is a SHA-256 of the layout and the formulas: sheet names in order,
every formula of every sheet in cell order, and every defined name with its destination (identity
constants excepted). Cell addresses are not hashed themselves: a moved or inserted row
changes the references inside the formulas and the names' destinations, which are. It
is the same for every unit of a level, so a changed formula, an inserted or deleted row
or a removed sheet shows as a different fingerprint.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .. import names

_IDENTITY = {names.identity_name(k) for k in names.IDENTITY}


def canonical_from(sheets: list[str], formulas: dict[str, list[str]], defined: dict[str, str]) -> str:
    """The text the fingerprint hashes: sheet names, each sheet's formulas in cell order, names."""
    lines = ["sheets:" + "|".join(sheets)]
    for sheet in sheets:
        lines.append(f"sheet:{sheet}")
        lines.extend(formula.strip() for formula in formulas.get(sheet, []))
    for name in sorted(defined):
        if name not in _IDENTITY:
            lines.append(f"name:{name}={defined[name]}")
    return "\n".join(lines)


def canonical(wb: Any) -> str:
    """canonical_from for an openpyxl Workbook, freshly built or loaded."""
    formulas: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        formulas[ws.title] = [cell.value for row in ws.iter_rows() for cell in row
                              if cell.data_type == "f" and isinstance(cell.value, str)]  # a text "=…" is no formula
    defined = {name.lower(): wb.defined_names[name].attr_text for name in wb.defined_names}
    return canonical_from([ws.title for ws in wb.worksheets], formulas, defined)


def fingerprint(wb: Any) -> str:
    return hashlib.sha256(canonical(wb).encode("utf-8")).hexdigest()


def fingerprint_from(sheets: list[str], formulas: dict[str, list[str]], defined: dict[str, str]) -> str:
    return hashlib.sha256(canonical_from(sheets, formulas, defined).encode("utf-8")).hexdigest()
