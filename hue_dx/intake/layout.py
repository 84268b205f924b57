"""What every kind of returned workbook is checked for before its own figures: the stages the
assessment's check and the quarterly intake share.

- ``open_return``: the file read defensively (``xlsx``: bombs, encryption, corruption become
  issue codes) and identified by the identity embedded in it (custom properties and constant
  names, never its file name);
- ``Yardstick``: what the generator wrote for one layout (sheets, names, every formula by cell),
  from a stored layout (``layouts``) and never from a workbook built at run time;
- ``check_layout``: sheets renamed (recognised by content), lost, rows shifted, names lost,
  formulas changed or calculated cells overwritten, each at its cell;
- the checks of the unit's contacts, of lateness by the saved time, and of a formula typed
  where a figure goes.

Runs in worker processes: everything here is picklable and free of global state (a few caches
keyed by the file's own tables excepted).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import names as nm
from .. import vn
from ..cells import ErrorValue
from ..coerce import constant_formula
from ..documents import in_vietnam
from ..issues import Issue, issue
from . import xlsx

CHANGED_CELLS_LISTED = 20  # changed formulas recorded one by one, per file; the count is always exact
IDENTITY_NAMES = frozenset(nm.identity_name(k) for k in (*nm.IDENTITY, *nm.APPRAISAL_IDENTITY))
BLANK = xlsx.Cell(None, "")


@dataclass(frozen=True)
class Yardstick:
    """What the generator wrote for one layout: the yardstick a returned file is held against."""

    fingerprint: str
    sheets: tuple[str, ...]
    names: dict[str, str]  # the names that point at cells (identity constants apart)
    formulas: dict[str, list[str]]  # as the reader lists them: compared first, as is
    canonical: dict[str, list[str]]  # the same with number literals written one way
    formula_cells: dict[str, dict[str, str]]  # sheet -> cell -> canonical formula
    destinations: dict[str, tuple[str, str]]  # every cell a hue-dx name points at
    wanted: dict[str, set[str]]  # the cells to read
    user_cells: dict[str, frozenset[str]]  # the cells a unit fills in
    read_sheets: frozenset[str]  # sheets holding cells read or formulas: losing one loses figures

    @staticmethod
    def fields_of(layout: Mapping[str, Any], destinations: dict[str, tuple[str, str]], wanted: dict[str, set[str]],
                  user_cells: dict[str, frozenset[str]]) -> dict[str, Any]:
        """The fields, from a stored layout ({"fingerprint", "sheets", "names", "formulas": {sheet: {cell: formula}}})."""
        by_cell: dict[str, dict[str, str]] = layout["formulas"]
        formulas = {sheet: list(found.values()) for sheet, found in by_cell.items()}  # cell order, as the reader lists them
        canonical_cells = {sheet: {ref: xlsx.canonical_formula(f) for ref, f in found.items()} for sheet, found in by_cell.items()}
        return dict(fingerprint=layout["fingerprint"], sheets=tuple(layout["sheets"]), names=layout["names"], formulas=formulas,
                    canonical={sheet: list(found.values()) for sheet, found in canonical_cells.items()}, formula_cells=canonical_cells,
                    destinations=destinations, wanted=wanted, user_cells=user_cells,
                    read_sheets=frozenset(s for s in layout["sheets"] if wanted.get(s) or formulas.get(s)))

    @classmethod
    def of(cls, layout: Mapping[str, Any], destinations: dict[str, tuple[str, str]], wanted: dict[str, set[str]],
           user_cells: dict[str, frozenset[str]]) -> Yardstick:
        return cls(**cls.fields_of(layout, destinations, wanted, user_cells))


def destinations_of(names: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Every hue-dx name that points at a cell (identity constants are not cells)."""
    out = {}
    for name, definition in names.items():
        if name.startswith(nm.PREFIX) and name not in IDENTITY_NAMES and (dest := xlsx.destination(definition)):
            out[name] = dest
    return out


@dataclass
class ReadPlan:
    """How the cells of one file are found: the generator's map, the file's own names, or
    (names deleted) the generator's positions."""

    destinations: dict[str, tuple[str, str]] = field(default_factory=dict)
    cells: Any = None  # the kind's own map of the cells, when it keeps one
    by_position: bool = False
    evidence_text: bool = True  # False: evidence cells are read for presence only (text not decoded)


# The reader hands out one object per distinct table of defined names and per distinct list
# of a sheet's formulas (xlsx caches), so what depends only on such a table is decided once
# per table, not once per file.
_per_table: dict[tuple[str, int, int], tuple[object, object, object]] = {}


def once_per_table(what: str, table: object, against: object, decide):
    key = (what, id(table), id(against))
    known = _per_table.get(key)
    if known is None or known[0] is not table or known[1] is not against:
        if len(_per_table) >= 256:
            _per_table.clear()
        known = _per_table[key] = (table, against, decide())  # holding both keeps their ids unique
    return known[2]


@dataclass(frozen=True)
class Opened:
    """A returned workbook read, with the identity it carries."""

    raw: xlsx.RawWorkbook
    identity: dict[str, str]

    @property
    def identified(self) -> bool:
        """It says which criteria or tasks, period and unit it is for (hue-dx made it)."""
        return {"catalog_id", "period", "unit_code"} <= set(self.identity)


def open_return(data: bytes, cells: Callable[[xlsx.RawWorkbook], Any], issues: list[Issue], where: dict[str, str]) -> Opened | None:
    """Read a returned file (the cells to read planned from its names by ``cells``) and its
    identity, with what is wrong in ``issues``; None when it cannot be read as a workbook. The
    unit's code, once known, is added to ``where``."""
    try:
        raw = xlsx.read(data, cells)
    except xlsx.FileProblem as problem:
        issues.append(issue(problem.code, value=problem.detail, **where))
        return None
    if raw.macros:
        issues.append(issue("file-macro", **where))
    identity, conflicts = read_identity(raw)
    opened = Opened(raw, identity)
    if not opened.identified:
        issues.append(issue("identity-missing", **where))
        return opened
    where["unit"] = identity["unit_code"]
    if conflicts:
        issues.append(issue("identity-conflict", value="; ".join(conflicts), **where))
    return opened


def read_identity(raw: xlsx.RawWorkbook) -> tuple[dict[str, str], list[str]]:
    """Identity from custom properties and constant names; conflicts between the two."""
    found: dict[str, str] = {}
    conflicts = []
    for key in (*nm.IDENTITY, *nm.APPRAISAL_IDENTITY):
        name = nm.identity_name(key)
        prop = raw.properties.get(name)
        const = xlsx.constant(raw.names[name]) if name in raw.names else None
        if prop is not None and const is not None and prop.strip() != const.strip():
            conflicts.append(f"{key}: '{prop}' / '{const}'")
        value = const if const is not None else prop
        if value is not None:
            found[key] = value.strip()
    return found, conflicts


def formula_input(found: xlsx.Cell, out: list[Issue], where: dict[str, str]) -> tuple[object, str, bool]:
    """A formula typed into an input cell: its stored result is what the workbook shows, so it
    is what counts (with a warning); with no stored result, a formula of numbers only is worked
    out here; anything else cannot be read (an error value for the engine, reported here)."""
    if found.kind:
        out.append(issue("input-formula", value=found.formula, read=vn.found(found.value), **where))
        return found.value, found.kind, False
    number = constant_formula(found.formula)
    if number is None:
        out.append(issue("input-formula-unknown", value=found.formula, **where))
        return ErrorValue("#VALUE!"), "e", True
    out.append(issue("input-formula", value=found.formula, read=vn.found(number), **where))
    return number, "n", False



class CellReader:
    """Named cells of one returned workbook."""

    def __init__(self, raw: xlsx.RawWorkbook, destinations: dict[str, tuple[str, str]]):
        self.raw, self.destinations = raw, destinations

    def __call__(self, name: str) -> tuple[str, str, xlsx.Cell | None]:
        dest = self.destinations.get(name)
        if not dest:
            return "", "", None
        sheet, ref = dest
        return sheet, ref, self.raw.cells.get(sheet, {}).get(ref, BLANK)

    def at(self, sheet: str, ref: str) -> xlsx.Cell:
        return self.raw.cells.get(sheet, {}).get(ref, BLANK)


# ------------------------------------------------------------------------------ layout


@dataclass(frozen=True)
class Layout:
    """What the layout check found that reading needs: sheets renamed (expected name -> name in
    the file) and calculated cells overwritten with a value."""

    renamed: dict[str, str] = field(default_factory=dict)
    overwritten: frozenset[tuple[str, str]] = frozenset()


def _unchanged(raw: xlsx.RawWorkbook, expected: Yardstick) -> bool:
    """Exactly the generator's sheets, formulas and names: the common case, decided with a few
    comparisons."""
    return tuple(raw.sheets) == expected.sheets and raw.formulas == expected.formulas and _same_names(raw.layout, expected)


def _same_names(layout: dict[str, str], expected: Yardstick) -> bool:
    return bool(once_per_table("names", layout, expected, lambda: layout == expected.names))


def check_layout(raw: xlsx.RawWorkbook, expected: Yardstick, plan: ReadPlan, issues: list[Issue], where: dict[str, str]) -> Layout:
    """Compare sheets, names and formulas with the generator's, and say exactly what changed:
    a renamed sheet (recognised by its content), a missing one, rows inserted or deleted, a
    formula changed or a calculated cell overwritten (each at its cell, the count exact), a
    formula typed where the unit types figures (reported with the figure, not here). Number
    literals written differently but equal in value are no change (Gnumeric's re-save)."""
    if _unchanged(raw, expected):
        return Layout()
    details: list[str] = []
    missing = [s for s in expected.sheets if s not in raw.sheets]
    extra = [s for s in raw.sheets if s not in expected.sheets]
    renamed = _renamed_sheets(raw, expected, missing, extra)
    back = {actual: sheet for sheet, actual in renamed.items()}
    for sheet, actual in renamed.items():
        issues.append(issue("sheet-renamed", sheet=actual, value=sheet, read=actual, **where))
    lost = [s for s in missing if s not in renamed]
    for sheet in lost:
        if sheet in expected.read_sheets:
            issues.append(issue("sheet-missing", sheet=sheet, value=sheet, **where))
            details.append(f"thiếu trang {sheet}")
        else:
            details.append(f"trang {sheet} bị xóa (không có số liệu)")
    for copy, original in _copies(raw, expected, [s for s in extra if s not in back]).items():
        issues.append(issue("sheet-copy", sheet=copy, value=copy, read=original, **where))
        details.append(f"thêm trang {copy}, bản sao của trang {original}")
    shifted = _check_names(raw, expected, plan, back, lost, issues, where, details) if not plan.by_position else set()
    if plan.by_position:
        issues.append(issue("names-by-position", **where))
    overwritten: set[tuple[str, str]] = set()
    listed = 0
    for sheet in expected.sheets:
        actual = renamed.get(sheet, sheet)
        if actual not in raw.formulas or sheet in shifted or raw.formulas[actual] == expected.formulas.get(sheet):
            continue
        changes = _formula_changes(raw, expected, sheet, actual, back)
        if not changes:
            continue
        details.append(f"{len(changes)} công thức khác bản gốc ở trang {actual}")
        values = xlsx.read_cells(raw, actual, {ref for ref, _, now in changes if now is None})
        for ref, before, now in changes:
            if now is None and values.get(ref) is not None and values[ref].value not in (None, ""):
                overwritten.add((actual, ref))
                kind = ("score-overwritten", vn.found(values[ref].value))
            else:
                kind = ("formula-changed", now if now is not None else "(ô trống)")
            if listed < CHANGED_CELLS_LISTED:
                listed += 1
                issues.append(issue(kind[0], sheet=actual, cell=ref, value=kind[1], read=before or "(không có công thức)", **where))
    if details:
        issues.append(issue("layout-changed", value="; ".join(details), **where))
    return Layout(renamed, frozenset(overwritten))


def _check_names(raw: xlsx.RawWorkbook, expected: Yardstick, plan: ReadPlan, back: dict[str, str], lost: list[str],
                 issues: list[Issue], where: dict[str, str], details: list[str]) -> set[str]:
    """Names deleted or moved (rows inserted or deleted); returns the sheets whose rows moved."""
    def compare() -> tuple[list[str], list[str]]:
        moved: list[str] = []
        gone: list[str] = []
        for name, definition in expected.names.items():
            if name in IDENTITY_NAMES or (want := xlsx.destination(definition)) is None:
                continue
            found = raw.layout.get(name)
            got = xlsx.destination(found) if found else None
            if got is None:
                if want[0] not in lost:  # a lost sheet's names are reported with the sheet
                    gone.append(name)
            elif (back.get(got[0], got[0]), got[1]) != want:
                moved.append(name)
        return moved, gone

    # every file of one table of names (all the files one program re-saved) gets the same answer
    moved, gone = once_per_table("names-moved", raw.layout, expected, compare) if not back and not lost else compare()
    shifted = {xlsx.destination(expected.names[n])[0] for n in moved}  # type: ignore[index]
    if moved:
        first = min(moved, key=lambda n: expected.names[n])
        issues.append(issue("rows-shifted", sheet=", ".join(sorted(shifted)), value=f"{len(moved)} ô, ví dụ {first}", **where))
        details.append(f"{len(moved)} ô dịch chỗ")
    for name in gone[:CHANGED_CELLS_LISTED]:
        sheet, ref = xlsx.destination(expected.names[name])  # type: ignore[misc]
        issues.append(issue("name-missing", sheet=sheet, cell=ref, value=name, **where))
    if gone:
        details.append(f"{len(gone)} ô mất tên")
    return shifted


def _unqualified(formula: str) -> str:
    """A formula without its sheet qualifiers ('Sheet'!A1 -> A1), to compare sheets by content."""
    return _QUALIFIER.sub("", formula)


_QUALIFIER = re.compile(r"(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!")


def _renamed_sheets(raw: xlsx.RawWorkbook, expected: Yardstick, missing: list[str], extra: list[str]) -> dict[str, str]:
    """Expected sheet -> the sheet of the file it became, recognised by content: the same
    formulas, else the names that pointed at it now pointing at it under a new name, else
    the one sheet left on each side."""
    out: dict[str, str] = {}
    free = list(extra)
    for sheet in missing:
        want = [_unqualified(f) for f in expected.canonical.get(sheet, [])]
        match = None
        if want:
            match = next((s for s in free if [_unqualified(xlsx.canonical_formula(f)) for f in raw.formulas.get(s, [])] == want), None)
        if match is None:
            pointing = {xlsx.destination(raw.names[n])[0] for n, d in expected.names.items()  # type: ignore[index]
                        if n in raw.names and (e := xlsx.destination(d)) and e[0] == sheet and (g := xlsx.destination(raw.names[n]))
                        and g[1] == e[1]}
            candidates = [s for s in pointing if s in free]
            match = candidates[0] if len(candidates) == 1 else None
        if match is not None:
            out[sheet] = match
            free.remove(match)
    left = [s for s in missing if s not in out]
    if len(left) == 1 and len(free) == 1:
        out[left[0]] = free[0]
    return out


def _copies(raw: xlsx.RawWorkbook, expected: Yardstick, extra: list[str]) -> dict[str, str]:
    """Sheets added to the workbook that copy one of the generator's (a clerk's "Sheet (2)"):
    the copy -> the sheet it copies, recognised by its formulas or by the name Excel and
    LibreOffice give a copy (the original's name, cut to fit 31 characters, and a number). Its
    figures are never read: the original's are."""
    out: dict[str, str] = {}
    wanted = {sheet: [_unqualified(f) for f in expected.canonical.get(sheet, [])] for sheet in expected.sheets}
    for sheet in extra:
        own = [_unqualified(xlsx.canonical_formula(f)) for f in raw.formulas.get(sheet, [])]
        same = next((s for s, formulas in wanted.items() if formulas and formulas == own), None)
        base = _COPY_NAME.match(sheet)
        named = next((s for s in expected.sheets if base and s.startswith(base.group(1).rstrip())), None)
        original = same or named
        if original is not None:
            out[sheet] = original
    return out


_COPY_NAME = re.compile(r"^(.+?)\s*(?:\((\d+)\)|_(\d+))$")  # "3. Hạ tầng (2)" as Excel names a copy, "…_2" as LibreOffice does


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _renamed_back(formula: str, back: dict[str, str]) -> str:
    for actual, sheet in back.items():
        formula = formula.replace(_quoted(actual) + "!", _quoted(sheet) + "!").replace(actual + "!", _quoted(sheet) + "!")
    return formula


def _formula_changes(raw: xlsx.RawWorkbook, expected: Yardstick, sheet: str, actual: str,
                     back: dict[str, str]) -> list[tuple[str, str | None, str | None]]:
    """(cell, formula expected, formula found) of each formula that differs in value, in cell
    order; formulas in cells the unit fills are left to the reading of those cells."""
    got = raw.formulas[actual]

    def same_text() -> bool:
        return [xlsx.canonical_formula(_renamed_back(f, back)) for f in got] == expected.canonical.get(sheet, [])

    if not back and once_per_table(f"formulas:{sheet}", got, expected, same_text):
        return []  # the same formulas, literals written otherwise (a whole class of re-saves: decided once)
    if back and same_text():
        return []
    now = xlsx.formula_cells(raw, actual)
    before = expected.formula_cells.get(sheet, {})
    user = expected.user_cells.get(sheet, frozenset())
    out = []
    for ref in sorted(set(before) | set(now), key=xlsx.ref_key):
        want = before.get(ref)
        text = now.get(ref)
        if want is None and ref in user:
            continue
        if text is not None and xlsx.canonical_formula(_renamed_back(text, back)) == want:
            continue
        out.append((ref, want, text))
    return out



# ------------------------------------------------------------------------------ the rest


def contact_issues(cell_of: CellReader, contacts: Mapping[str, tuple[str, str]], issues: list[Issue], where) -> None:
    """The preparer and the head of the unit named (the form is signed by them)."""
    missing = []
    for key, label in (("unit_preparer", "người lập biểu"), ("unit_head", "thủ trưởng đơn vị")):
        place = contacts.get(key)
        value = cell_of.at(*place).value if place else None
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            missing.append(label)
    if missing:
        issues.append(issue("contact-missing", value=" và ".join(missing), **where))


SAVED_DATE, MAIL_DATE = "ngày lưu tệp lần cuối", "ngày của thư gửi tệp"  # which date a late file's record speaks of


def late_issue(modified: str | None, deadline: dt.date, issues: list[Issue], where) -> None:
    """Late by the time the file was saved (a file that came by e-mail is judged by the e-mail's
    date instead: ``engine.late_by_mail``)."""
    local = in_vietnam(modified)  # a file saved on the deadline day, Vietnam time, is on time
    if local is not None and local.date() > deadline:
        issues.append(issue("file-late", value=local.strftime("%d/%m/%Y"), read=SAVED_DATE, **where))
