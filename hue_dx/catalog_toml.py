"""A catalog's data written as TOML, in the layout of the shipped catalogs (pure).

``dumps`` takes the data ``catalog.parse`` reads and writes it as a file: top-level keys, then
its tables ([source], [levels], …), then [[grades]], then ``rows``: the pillars, groups,
criteria and unscored rows as (table name, table) in the order of the tree, each criterion's
``params`` on one line as the shipped catalogs write them. Read back with ``tomllib``, the
file gives the same data, the rows as its ``groups``, ``criteria`` and ``unscored`` lists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_BARE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
TABLES = ("source", "levels", "evidence_fields", "scales", "policies", "totals", "comparable")


def string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def key(name: str) -> str:
    return name if name and set(name) <= _BARE else string(name)


def value(item: Any) -> str:
    """A TOML value on one line (tables inline)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError(f"không ghi được số {item!r} vào TOML")
        return repr(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }" if item else "{}"
    if isinstance(item, Sequence):
        return "[" + ", ".join(value(v) for v in item) + "]"
    raise TypeError(f"không ghi được {type(item).__name__} vào TOML")


def _pairs(table: Mapping[str, Any], skip: Sequence[str] = ()) -> list[str]:
    return [f"{key(k)} = {value(v)}" for k, v in table.items() if k not in skip]


def dumps(data: Mapping[str, Any], header: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in header.splitlines()] + ([""] if header else [])
    nested = (*TABLES, "grades", "groups", "criteria", "unscored", "rows")
    lines += _pairs(data, nested)
    for name in TABLES:
        table = data.get(name)
        if not table:
            continue
        if name == "scales":
            for scale, spec in table.items():
                lines += ["", f"[scales.{key(scale)}]", *_pairs(spec)]
            continue
        lines += ["", f"[{name}]", *_pairs(table)]
    for grade in data.get("grades", []):
        lines += ["", "[[grades]]", *_pairs(grade)]
    for kind, row in data.get("rows", []):  # groups, criteria and unscored rows, in tree order
        lines += ["", f"[[{kind}]]", *_pairs(row, ("inputs", "decisions"))]
        for item in row.get("inputs", []):
            lines += [f"[[{kind}.inputs]]", *_pairs(item)]
        for item in row.get("decisions", []):
            lines += [f"[[{kind}.decisions]]", *_pairs(item)]
    return "\n".join(lines) + "\n"
