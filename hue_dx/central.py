"""Figures the Sở supplies centrally for every unit (central inputs), and how they replace what
a unit's file holds (pure: the standard library's csv only).

Some inputs of a set are measured centrally (the national public-service portal, the Sở's
monitoring) rather than declared by the unit: the catalog marks them ``central``. The Sở enters
them for all units in one CSV, ``unit,code,key,value`` (UTF-8, comma or semicolon separated, as
Excel saves CSV; a number with a dot or a decimal comma; Có/Không and options as the workbook
lists them). ``load`` reads it into {unit: {criterion: {key: value}}} with typed issue records
for every line it cannot use (the rest is kept); ``generate`` pre-fills each unit's locked cells
with these figures; the consolidation lays them over the unit's own (``lay_over``, ``apply``),
so a figure a unit typed over its locked cell never counts.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import appraisal
from .appraisal import Appraisal
from .campaign import Campaign
from .catalog import Catalog, Input, nfc
from .cells import problem
from .issues import Issue, issue
from .scoring import UnitResult, score_unit

COLUMNS = ("unit", "code", "key", "value")
SOURCE_WORDS = "số liệu do Sở cung cấp"


class CentralError(ValueError):
    """The Sở's file cannot be read at all (missing, not UTF-8, no header); the message says why."""


@dataclass
class Central:
    """The Sở's figures, the file they came from and what could not be used."""

    values: dict[str, dict[str, dict[str, Any]]]  # unit -> criterion -> key -> value
    file: str = ""
    sha256: str = ""
    supplier: str = "Sở"
    issues: list[Issue] = field(default_factory=list)

    def of(self, unit: str) -> dict[str, dict[str, Any]]:
        return self.values.get(unit, {})


def _number(text: str) -> float | None:
    """A plain number: digits with at most one decimal mark (dot, or the Vietnamese comma)."""
    body = text.strip().replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text.strip()
    try:
        return float(body)
    except ValueError:
        return None


def parse_value(spec: Input, text: str) -> tuple[Any, str | None]:
    """The value of one cell of the file for an input, and why it cannot be used (or None)."""
    text = nfc(text).strip()
    if spec.type in ("yesno", "choice"):
        return text, problem(spec, text)
    number = _number(text)
    if number is None:
        return text, f"{spec.key} không phải là số"
    if number.is_integer():
        number = float(int(number))
    return number, problem(spec, number)


def from_option(path: Path | None, catalog: Catalog, campaign: Campaign) -> Central | None:
    """The figures of a command's ``--central FILE.csv`` (None without it); what a person can fix
    (no such file, a criteria set with no such figures, a bad file) is a ``UsageError``."""
    from .errors import UsageError

    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"{path} là một thư mục, không phải tệp" if path.is_dir() else f"Không tìm thấy tệp: {path}")
    if not catalog.central_inputs:
        raise UsageError(f"bộ tiêu chí {catalog.id} không có số liệu nào do Sở cung cấp: bỏ --central {path}")
    try:
        return load(path, catalog, campaign)
    except CentralError as exc:
        raise UsageError(str(exc)) from None


def load(path: Path, catalog: Catalog, campaign: Campaign) -> Central:
    """The Sở's CSV of central figures. A line that names an unknown unit, criterion or input, an
    input the unit declares itself, or a value the workbook would refuse, is an issue record
    (file, cell as a spreadsheet shows the CSV: column letter and line) and is left out."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CentralError(f"Không đọc được tệp số liệu của Sở {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CentralError(f"{path}: không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}); lưu lại dạng CSV UTF-8") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CentralError(f"{path}: dòng 1 cần các cột {', '.join(COLUMNS)} (thiếu {', '.join(missing)})")
    col = {c: header.index(c) for c in COLUMNS}
    letter = {c: chr(ord("A") + col[c]) for c in COLUMNS}
    supplier = campaign.contact.get("unit") or campaign.issuer.get("office", "Sở")
    out = Central({}, str(path), hashlib.sha256(data).hexdigest(), supplier)
    central = {(c.code, i.key): (c, i) for c, i in catalog.central_inputs}
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[col[c]].strip() if col[c] < len(row) else "") for c in COLUMNS}

        def refuse(code: str, column: str, value: str, read: str = "", row_cells=cells, at=line) -> None:
            out.issues.append(issue(code, file=str(path), cell=f"{letter[column]}{at}", unit=row_cells["unit"],
                                    criterion=row_cells["code"], value=value, read=read))

        try:
            unit = campaign.unit(cells["unit"])
        except LookupError:  # errors.NotFound: a unit not on the roster
            refuse("central-unit-unknown", "unit", cells["unit"])
            continue
        found = central.get((cells["code"], cells["key"]))
        if found is None:
            declared = cells["code"] in catalog.by_code and any(i.key == cells["key"] for i in catalog.by_code[cells["code"]].inputs)
            refuse("central-not-central" if declared else "central-input-unknown", "key", f"{cells['code']} {cells['key']}")
            continue
        criterion, spec = found
        if not cells["value"]:
            refuse("central-value-blank", "value", f"{criterion.code} {spec.key}")
            continue
        value, why = parse_value(spec, cells["value"])
        if why is not None:
            refuse("central-value-bad", "value", cells["value"], why)
            continue
        where = (unit.code, criterion.code, spec.key)
        if where in seen:
            refuse("central-duplicate", "value", f"{criterion.code} {spec.key}", str(seen[where]))
        seen[where] = line
        out.values.setdefault(unit.code, {}).setdefault(criterion.code, {})[spec.key] = value
    for unit in campaign.units:
        lacking = [f"{c.code} {i.key}" for c, i in catalog.central_inputs
                   if c.applies(unit.level) and i.key not in out.of(unit.code).get(c.code, {})]
        if lacking:
            out.issues.append(issue("central-missing", file=str(path), unit=unit.code, value=", ".join(lacking)))
    return out


def lay_over(inputs: Mapping[str, Mapping[str, Any]], figures: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A unit's inputs with the Sở's figures in place of its own (the other inputs unchanged)."""
    merged: dict[str, dict[str, Any]] = {code: dict(values) for code, values in inputs.items()}
    for code, values in figures.items():
        merged.setdefault(code, {}).update(values)
    return merged


def changed(inputs: Mapping[str, Mapping[str, Any]], figures: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Sở's figures that differ from what the unit's file holds, by criterion."""
    out: dict[str, dict[str, Any]] = {}
    for code, values in figures.items():
        own = inputs.get(code, {})
        diff = {k: v for k, v in values.items() if own.get(k) != v}
        if diff:
            out[code] = diff
    return out


def apply(catalog: Catalog, level: str, self_inputs: Mapping[str, Mapping[str, Any]], figures: Mapping[str, Mapping[str, Any]],
          appraisals: list[Appraisal], self_result: UnitResult | None = None, supplier: str = "Sở", file: str = "",
          sha256: str = "") -> appraisal.Final:
    """A unit's final result with the Sở's figures laid over its own, then the appraisals over
    both (``appraisal.apply``). The self-assessment stays what the unit sent; each criterion
    whose figures the Sở's changed is recorded among those applied (so outputs say where the
    final figure came from), unless an appraisal of it counts."""
    differ = changed(self_inputs, figures)
    if not differ:
        return appraisal.apply(catalog, level, {code: dict(v) for code, v in self_inputs.items()}, appraisals, self_result)
    merged = lay_over(self_inputs, figures)
    base = score_unit(catalog, merged, level)
    done = appraisal.apply(catalog, level, merged, appraisals, base)
    records = {code: Appraisal(code, supplier, values, SOURCE_WORDS, "", file, sha256, kind="central") for code, values in differ.items()}
    return appraisal.Final(self_result or score_unit(catalog, self_inputs, level), done.final, {**records, **done.applied},
                           done.conflicts)
