"""Check and score one returned workbook: trust nothing, record everything, never raise.

``check_file`` reads the file (``xlsx``), identifies it by the identity embedded in it (never
by its name), compares its layout and formulas with the generator's, reads every input (by
its defined name; by position when the names were deleted but the layout is the
generator's), reads each cell as the workbook's own formulas do (``coerce``, ``cells``),
recomputes every score with the engine, compares the scores the file carries, and returns
a ``FileResult`` with all issues. An unexpected failure becomes a ``file-internal-error``
record for that file. Runs in worker processes: everything here is picklable and free of
global state (a few caches keyed by the file's own tables excepted).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .. import names as nm
from ..campaign import Campaign
from ..catalog import Catalog, Input
from ..cells import ErrorValue
from ..coerce import constant_formula, read_input
from ..documents import in_vietnam
from ..issues import ERROR, Issue, issue
from ..rules import fmt_num
from ..scoring import INVALID, MISSING, OK, UnitResult, aggregate, score_criterion
from . import xlsx

CHANGED_CELLS_LISTED = 20  # changed formulas recorded one by one, per file; the count is always exact


@dataclass(frozen=True)
class CellMap:
    """Where a workbook keeps each criterion's inputs, score, status and evidence, and the
    unit's contacts: worked out once per layout from the defined names (a returned file with
    the generator's layout reuses its level's map as is), so checking a file only looks up."""

    inputs: dict[str, tuple[tuple[Input, str, str] | None, ...]]  # code -> per input (spec, sheet, ref), None if unnamed
    score: dict[str, tuple[str, str]]
    status: dict[str, tuple[str, str]]
    evidence: dict[str, tuple[str, tuple[str, ...]]]  # code -> (sheet, refs of number, date, title, link)
    contacts: dict[str, tuple[str, str]]

    @classmethod
    def build(cls, catalog: Catalog, destinations: dict[str, tuple[str, str]]) -> CellMap:
        inputs, score, status, evidence = {}, {}, {}, {}
        for c in catalog.criteria:
            places = []
            for spec in c.inputs:
                dest = destinations.get(nm.input_name(c.code, spec.key))
                places.append((spec, *dest) if dest else None)
            inputs[c.code] = tuple(places)
            if (dest := destinations.get(nm.score_name(c.code))) is not None:
                score[c.code] = dest
                evidence[c.code] = (dest[0], tuple(nm.evidence_refs(dest[1]).values()))
            if (dest := destinations.get(nm.status_name(c.code))) is not None:
                status[c.code] = dest
        contacts = {key: dest for key in nm.UNIT_FIELDS if (dest := destinations.get(nm.identity_name(key))) is not None}
        return cls(inputs, score, status, evidence, contacts)

    def evidence_cells(self) -> dict[str, set[str]]:
        """Per sheet, the evidence cells (read for presence only when their text is not needed)."""
        out: dict[str, set[str]] = {}
        for sheet, refs in self.evidence.values():
            out.setdefault(sheet, set()).update(refs)
        return out

    def user_cells(self) -> dict[str, frozenset[str]]:
        """Per sheet, the cells a unit fills in (inputs, evidence, contacts)."""
        out: dict[str, set[str]] = {}
        for places in self.inputs.values():
            for place in places:
                if place is not None:
                    out.setdefault(place[1], set()).add(place[2])
        for sheet, refs in self.evidence.values():
            out.setdefault(sheet, set()).update(refs)
        for sheet, ref in self.contacts.values():
            out.setdefault(sheet, set()).add(ref)
        return {sheet: frozenset(refs) for sheet, refs in out.items()}


@dataclass(frozen=True)
class Expected:
    """What the generator wrote for one level: the yardstick for a returned file."""

    level: str
    fingerprint: str
    sheets: tuple[str, ...]
    names: dict[str, str]  # the names that point at cells (identity constants apart)
    formulas: dict[str, list[str]]  # as the reader lists them: compared first, as is
    canonical: dict[str, list[str]]  # the same with number literals written one way
    formula_cells: dict[str, dict[str, str]]  # sheet -> cell -> canonical formula
    destinations: dict[str, tuple[str, str]]
    wanted: dict[str, set[str]]
    cells: CellMap
    user_cells: dict[str, frozenset[str]]
    read_sheets: frozenset[str]  # sheets holding cells read or formulas: losing one loses figures
    presence: dict[str, set[str]]  # the evidence cells, read for presence when their text is not needed

    @classmethod
    def from_layout(cls, catalog: Catalog, level: str, layout: dict[str, Any]) -> Expected:
        """From a stored layout (``layouts``): sheets, names, every formula by cell."""
        names: dict[str, str] = layout["names"]
        by_cell: dict[str, dict[str, str]] = layout["formulas"]
        destinations: dict[str, tuple[str, str]] = {}
        wanted = _wanted(names, destinations)
        cells = CellMap.build(catalog, destinations)
        formulas = {sheet: list(found.values()) for sheet, found in by_cell.items()}  # cell order, as the reader lists them
        canonical_cells = {sheet: {ref: xlsx.canonical_formula(f) for ref, f in found.items()} for sheet, found in by_cell.items()}
        canonical = {sheet: list(found.values()) for sheet, found in canonical_cells.items()}
        read_sheets = frozenset(sheet for sheet in layout["sheets"] if wanted.get(sheet) or formulas.get(sheet))
        return cls(level, layout["fingerprint"], tuple(layout["sheets"]), names, formulas, canonical, canonical_cells, destinations,
                   wanted, cells, cells.user_cells(), read_sheets, cells.evidence_cells())


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    campaign: Campaign
    expected: dict[str, Expected]

    @classmethod
    def create(cls, catalog: Catalog, campaign: Campaign) -> Context:
        """The yardsticks of every level, from the stored layouts (``layouts``: shipped, or built
        once and cached; never rebuilt with openpyxl on every run)."""
        from .layouts import layouts

        stored = layouts(catalog, campaign)
        return cls(catalog, campaign, {level: Expected.from_layout(catalog, level, stored[level]) for level in catalog.levels})


@dataclass
class FileResult:
    name: str  # the file as received: its path, or archive.zip!/member
    sha256: str
    size: int
    accepted: bool = False  # identified, of this campaign, scored: may enter the ranking
    unit: str = ""
    level: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    modified: str | None = None
    criteria: list[tuple[str, float | None, str, str, float]] = field(default_factory=list)  # code, points, status, words, amax
    pillars: list[tuple[str, float, float, float | None]] = field(default_factory=list)  # code, points, amax, index
    total: tuple[float, float, float | None] = (0.0, 0.0, None)
    inputs: dict[str, dict[str, float]] = field(default_factory=dict)  # clean values of criteria scored ok
    issues: list[Issue] = field(default_factory=list)
    # filled only with check_file(details=True), for printed reports: inputs as typed, evidence, contacts
    typed: dict[str, dict[str, object]] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)
    # an appraisal workbook: who appraised, and per criterion the appraised values and reason
    kind: str = "self"
    appraiser: str = ""
    appraisal: dict[str, dict[str, object]] = field(default_factory=dict)
    scored_inputs: dict[str, dict[str, object]] = field(default_factory=dict)  # inputs as read for the engine
    figures: int = 0  # input cells holding a value the workbook accepts: 0 means the file is no submission

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def submission(self) -> bool:
        """A self-assessment with figures: what may count as the unit's return."""
        return self.accepted and self.kind == "self" and self.figures > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name, "sha256": self.sha256, "accepted": self.accepted, "submission": self.submission,
            "figures": self.figures, "unit": self.unit, "level": self.level,
            "period": self.identity.get("period"), "catalog": self.identity.get("catalog_id"), "modified": self.modified,
            "total": self.total[0], "max": self.total[1], "index": self.total[2],
            "pillars": [{"code": c, "points": p, "max": m, "index": i} for c, p, m, i in self.pillars],
            "criteria": [{"code": c, "score": p, "max": a, "status": s, "status_vi": w} for c, p, s, w, a in self.criteria],
            "issues": [i.as_dict() for i in self.issues],
        }


# ------------------------------------------------------------------------------ reading plan


_SCORE = nm.score_name("")
_STATUS = nm.status_name("")
_READ = (nm.PREFIX + "in_", _SCORE, nm.identity_name("unit_"), nm.PREFIX + "ap_in_", nm.PREFIX + "ap_reason_")
_IDENTITY_NAMES = {nm.identity_name(k) for k in (*nm.IDENTITY, *nm.APPRAISAL_IDENTITY)}


def _wanted(names: dict[str, str], destinations: dict[str, tuple[str, str]]) -> dict[str, set[str]]:
    """The cells to read (inputs, scores, their evidence, one status, the contacts); every
    hue-dx name's destination is kept in ``destinations``."""
    cells: dict[str, set[str]] = {}
    status_read = False
    for name, definition in names.items():
        if name.startswith(nm.PREFIX):
            dest = xlsx.destination(definition)
            if dest:
                destinations[name] = dest
                if name.startswith(_READ):
                    cells.setdefault(dest[0], set()).add(dest[1])
                    if name.startswith(_SCORE):
                        cells[dest[0]].update(nm.evidence_refs(dest[1]).values())
                elif name.startswith(_STATUS) and not status_read:
                    cells.setdefault(dest[0], set()).add(dest[1])
                    status_read = True
    return cells


@dataclass
class ReadPlan:
    """How the cells of one file are found: the generator's map, the file's own names, or
    (names deleted) the generator's positions."""

    destinations: dict[str, tuple[str, str]] = field(default_factory=dict)
    cells: CellMap | None = None
    by_position: bool = False
    evidence_text: bool = True  # False: evidence cells are read for presence only (text not decoded)


# The reader hands out one object per distinct table of defined names and per distinct list
# of a sheet's formulas (xlsx caches), so what depends only on such a table is decided once
# per table, not once per file.
_per_table: dict[tuple[str, int, int], tuple[object, object, object]] = {}


def _once_per_table(what: str, table: object, against: object, decide):
    key = (what, id(table), id(against))
    known = _per_table.get(key)
    if known is None or known[0] is not table or known[1] is not against:
        if len(_per_table) >= 256:
            _per_table.clear()
        known = _per_table[key] = (table, against, decide())  # holding both keeps their ids unique
    return known[2]


def _level_of(book: xlsx.RawWorkbook) -> str:
    name = nm.identity_name("level")
    return (xlsx.constant(book.constants.get(name, "")) or book.properties.get(name, "")).strip()


@dataclass(frozen=True)
class _ByNames:
    wanted: dict[str, set[str]]
    destinations: dict[str, tuple[str, str]]
    cells: CellMap
    presence: dict[str, set[str]]


def _plan_reading(ctx: Context, book: xlsx.RawWorkbook, plan: ReadPlan) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The cells to read, and those read only for whether they hold text (evidence, unless its
    text is wanted)."""
    layout = book.layout  # shared by every file of one table of names: what depends on it is decided once
    expected = ctx.expected.get(_level_of(book))
    if expected is not None and _same_layout(layout, expected):
        plan.destinations, plan.cells = expected.destinations, expected.cells
        return expected.wanted, ({} if plan.evidence_text else expected.presence)
    if any(n.startswith(nm.PREFIX) for n in layout):
        def by_names() -> _ByNames:
            destinations: dict[str, tuple[str, str]] = {}
            wanted = _wanted(layout, destinations)
            cells = CellMap.build(ctx.catalog, destinations)
            return _ByNames(wanted, destinations, cells, cells.evidence_cells())

        found = _once_per_table("by-names", layout, ctx, by_names)
        plan.destinations, plan.cells = found.destinations, found.cells
        return found.wanted, ({} if plan.evidence_text else found.presence)
    if expected is not None:  # the names are gone, the identity (document properties) is not
        plan.destinations, plan.cells, plan.by_position = expected.destinations, expected.cells, True
        return expected.wanted, ({} if plan.evidence_text else expected.presence)
    return {}, {}


def _same_layout(names: dict[str, str], expected: Expected) -> bool:
    def decide() -> bool:
        return all(names.get(n) == expected.names[n] for n in expected.destinations)

    return _once_per_table("layout", names, expected, decide)


# ------------------------------------------------------------------------------ the check


def check_file(data: bytes, name: str, sha256: str, ctx: Context, details: bool = False, evidence_text: bool | None = None) -> FileResult:
    """Check one file; ``name`` is how it was received (a path, or archive.zip!/member).
    ``details``: keep what printed documents need (inputs as typed, contacts, and, unless
    ``evidence_text`` is False, the evidence texts; the consolidator, which prints no evidence,
    only looks whether evidence was given)."""
    result = FileResult(name, sha256, len(data))
    where = dict(file=name, sha=sha256)
    try:
        _check(data, ctx, result, where, details, details if evidence_text is None else evidence_text)
    except Exception as exc:  # noqa: BLE001  (one file must never stop a run: it becomes a record)
        result.accepted, result.figures = False, 0
        result.issues.append(issue("file-internal-error", value=type(exc).__name__, **where))
    return result


def _check(data: bytes, ctx: Context, result: FileResult, where: dict[str, str], details: bool, evidence_text: bool) -> None:
    plan = ReadPlan(evidence_text=evidence_text)
    try:
        raw = xlsx.read(data, lambda book: _plan_reading(ctx, book, plan))
    except xlsx.FileProblem as problem:
        result.issues.append(issue(problem.code, value=problem.detail, **where))
        return
    if raw.macros:
        result.issues.append(issue("file-macro", **where))
    result.modified = raw.modified
    identity, conflicts = read_identity(raw)
    result.identity = identity
    if not {"catalog_id", "period", "unit_code"} <= set(identity):
        result.issues.append(issue("identity-missing", **where))
        return
    unit_code = identity["unit_code"]
    result.unit = unit_code
    where["unit"] = unit_code
    if conflicts:
        result.issues.append(issue("identity-conflict", value="; ".join(conflicts), **where))
    campaign, catalog = ctx.campaign, ctx.catalog
    if identity["catalog_id"] != catalog.id:
        result.issues.append(issue("catalog-other", value=identity["catalog_id"], **where))
        return
    if identity["period"] != campaign.period:
        result.issues.append(issue("period-other", value=identity["period"], **where))
        return
    try:
        unit = campaign.unit(unit_code)
    except KeyError:
        result.issues.append(issue("unit-unknown", value=unit_code, **where))
        return
    result.unit = unit.code
    where["unit"] = unit.code
    level = unit.level
    if identity.get("level") and identity["level"] != level:
        result.issues.append(issue("level-mismatch", value=identity["level"], **where))
    result.level = level
    if identity.get("kind") == "appraisal":
        _check_appraisal(raw, plan.destinations, catalog, identity, result, where)
        return
    expected = ctx.expected[level]
    layout = check_layout(raw, expected, plan, result.issues, where)
    if plan.by_position and layout.renamed:  # read again, at the generator's positions on the renamed sheets
        raw = xlsx.read(data, {layout.renamed.get(sheet, sheet): refs for sheet, refs in expected.wanted.items()}, formulas=False)
    cmap = plan.cells or CellMap.build(catalog, plan.destinations)
    if plan.by_position and layout.renamed:
        cmap = _on_sheets(cmap, layout.renamed)
    cells = CellReader(raw, plan.destinations)
    scored = _check_criteria(raw, cmap, catalog, level, result, where, details, evidence_text, layout.overwritten)
    contact_issues(cells, cmap, result.issues, where)
    late_issue(raw.modified, campaign.deadline, result.issues, where)
    result.criteria = [(c.code, c.points, c.status, c.status_vi, c.applicable_max) for c in scored.criteria]
    result.pillars = [(p.code, p.points, p.applicable_max, p.index) for p in scored.pillars]
    result.total = (scored.total.points, scored.total.applicable_max, scored.total.index)
    result.inputs = {c.code: dict(c.values) for c in scored.criteria if c.status == OK}
    if details:
        for key in nm.UNIT_FIELDS:
            place = cmap.contacts.get(key)
            value = cells.at(*place).value if place else None
            result.contacts[key] = "" if value is None else str(value)
    result.accepted = True
    if result.figures == 0:
        # Nothing was sent: one record says so, not one "thiếu số liệu" per criterion.
        result.issues = [i for i in result.issues if i.code not in ("input-missing", "evidence-missing")]
        result.issues.append(issue("file-blank", **where))


def _on_sheets(cmap: CellMap, renamed: dict[str, str]) -> CellMap:
    """A cell map moved onto renamed sheets (expected name -> name in the file)."""
    def move(sheet: str) -> str:
        return renamed.get(sheet, sheet)

    return CellMap(
        {code: tuple(None if p is None else (p[0], move(p[1]), p[2]) for p in places) for code, places in cmap.inputs.items()},
        {code: (move(s), r) for code, (s, r) in cmap.score.items()},
        {code: (move(s), r) for code, (s, r) in cmap.status.items()},
        {code: (move(s), refs) for code, (s, refs) in cmap.evidence.items()},
        {key: (move(s), r) for key, (s, r) in cmap.contacts.items()},
    )


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


# ------------------------------------------------------------------------------ criteria


def _check_criteria(raw: xlsx.RawWorkbook, cmap: CellMap, catalog: Catalog, level: str, result: FileResult,
                    where: dict[str, str], details: bool, evidence_text: bool, overwritten: frozenset[tuple[str, str]]) -> UnitResult:
    """One pass over the criteria: read each input as the workbook's formulas read it
    (``coerce``), score the criterion with the engine, and note what is wrong: bad values,
    blanks, inconsistent counts, missing evidence, a score in the file that differs from the
    recomputed one. Issues come out grouped by kind (input values, then criteria, then
    scores), in criterion order within each."""
    cells = raw.cells
    value_issues: list[Issue] = []
    criterion_issues: list[Issue] = []
    score_issues: list[Issue] = []
    results = []
    computed_any = False
    figures = 0
    for c in catalog.criteria:
        code = c.code
        places = cmap.inputs[code]
        values: dict[str, Any] = {}
        typed: dict[str, object] = {}
        refused = False  # an input the workbook does not read as a figure: its own issue, not a consistency one
        for spec, place in zip(c.inputs, places, strict=True):
            if place is None:
                values[spec.key] = None  # the cell is gone (sheet or name deleted): reported with the layout
                typed[spec.key] = None
                continue
            _, sheet, ref = place
            found = cells.get(sheet, _NO_CELLS).get(ref, _BLANK)
            value, kind, reported = found.value, found.kind, False
            if found.formula:
                value, kind, reported = formula_input(found, value_issues, dict(sheet=sheet, cell=ref, criterion=code, **where))
            typed[spec.key] = value
            read = read_input(spec, value, kind)
            values[spec.key] = read.value
            if read.issue:
                refused = True
                if not reported:  # a formula typed in the cell was reported as such, once
                    # numbers as people read them (3.007.000.000); the number a text probably meant, ungrouped ("1234")
                    shown_read = fmt_num(read.read) if isinstance(read.read, float) and read.issue == "input-too-large" else _fmt(read.read)
                    value_issues.append(issue(read.issue, sheet=sheet, cell=ref, criterion=code, value=_shown_value(value),
                                              read=shown_read, **where))
            elif read.value is not None and c.applies(level):
                figures += 1
        result.scored_inputs[code] = values
        r = score_criterion(c, values, level)
        results.append(r)
        evidence = cmap.evidence.get(code)
        filled = evidence is not None and _any_filled(cells.get(evidence[0], _NO_CELLS), evidence[1])
        if r.status == OK:
            if (r.points or 0) > 0 and evidence is not None and not filled:
                criterion_issues.append(issue("evidence-missing", sheet=evidence[0], cell=evidence[1][0], criterion=code, **where))
        elif r.status == MISSING:
            for key in (r.reason or "").split(", "):
                sheet, ref = _place(places, key)
                label = f"{key} ({c.input(key).label})" if key else ""
                criterion_issues.append(issue("input-missing", sheet=sheet, cell=ref, criterion=code, value=label, **where))
        elif r.status == INVALID and r.reason and not refused:  # every value read, yet the rule refuses them: counts that contradict
            sheet, ref = _place(places, r.reason.split(" ")[0])
            criterion_issues.append(issue("inconsistent", sheet=sheet, cell=ref, criterion=code, value=r.reason, **where))
        if details:
            result.typed[code] = typed
            if evidence is not None and evidence_text:
                sheet_cells = cells.get(evidence[0], _NO_CELLS)
                result.evidence[code] = [_evidence_text(field_name, sheet_cells.get(ref), raw.date1904)
                                         for field_name, ref in zip(nm.EVIDENCE_FIELDS, evidence[1], strict=True)] if filled \
                    else [""] * len(evidence[1])
        score_place = cmap.score.get(code)
        if score_place is None or not c.applies(level):
            continue  # a constant "không áp dụng" in the template, not a computed value
        cached = cells.get(score_place[0], _NO_CELLS).get(score_place[1], _BLANK).value
        status_place = cmap.status.get(code)
        status = cells.get(status_place[0], _NO_CELLS).get(status_place[1], _BLANK).value if status_place else None
        if status not in (None, ""):
            computed_any = True
        if (cached in (None, "") and status in (None, "")) or score_place in overwritten:
            continue
        expected = r.points
        same = (expected is None and cached in (None, "")) or (
            expected is not None and isinstance(cached, float) and abs(cached - expected) <= 1e-6 * max(1.0, abs(expected)))
        if not same:
            score_issues.append(issue("score-differs", sheet=score_place[0], cell=score_place[1], criterion=code,
                                      value=_fmt(cached) if cached not in (None, "") else "(trống)",
                                      read=_fmt(expected) if expected is not None else f"(trống: {r.status_vi})", **where))
    if not computed_any and figures:
        score_issues.append(issue("not-calculated", **where))
    result.issues.extend(value_issues)
    result.issues.extend(criterion_issues)
    result.issues.extend(score_issues)
    result.figures = figures
    return aggregate(catalog, results, level)


def formula_input(found: xlsx.Cell, out: list[Issue], where: dict[str, str]) -> tuple[object, str, bool]:
    """A formula typed into an input cell: its stored result is what the workbook shows, so it
    is what counts (with a warning); with no stored result, a formula of numbers only is worked
    out here; anything else cannot be read (an error value for the engine, reported here)."""
    if found.kind:
        out.append(issue("input-formula", value=found.formula, read=_fmt(found.value), **where))
        return found.value, found.kind, False
    number = constant_formula(found.formula)
    if number is None:
        out.append(issue("input-formula-unknown", value=found.formula, **where))
        return ErrorValue("#VALUE!"), "e", True
    out.append(issue("input-formula", value=found.formula, read=_fmt(number), **where))
    return number, "n", False


_NO_CELLS: dict[str, xlsx.Cell] = {}
_BLANK = xlsx.Cell(None, "")


def _place(places, key: str) -> tuple[str, str]:
    for place in places:
        if place is not None and place[0].key == key:
            return place[1], place[2]
    return "", ""


def _any_filled(sheet_cells: dict[str, xlsx.Cell], refs: tuple[str, ...]) -> bool:
    for ref in refs:
        found = sheet_cells.get(ref)  # the reader keeps only cells that hold something
        if found is not None and found.value not in (None, ""):
            return True
    return False


def _evidence_text(field_name: str, found: xlsx.Cell | None, date1904: bool = False) -> str:
    """An evidence field as a person reads it: a date typed as a real date (a number of days
    to Excel, in the workbook's date system) is shown as dd/mm/yyyy, not as 44089.0."""
    if found is None or found.value is None:
        return ""
    value = found.value
    if field_name == "date" and isinstance(value, float) and (day := xlsx.serial_date(value, date1904)) is not None:
        return day.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _check_appraisal(raw, destinations, catalog: Catalog, identity: dict[str, str], result: FileResult, where: dict[str, str]) -> None:
    """An appraisal workbook: read each criterion's appraised values and reason."""
    from ..workbook import appraisal_book as book

    cell_of = CellReader(raw, destinations)
    result.kind = "appraisal"
    result.appraiser = identity.get("appraiser", "")
    for c in catalog.criteria:
        if book.reason_name(c.code) not in destinations:
            continue
        given: dict[str, object] = {}
        for spec in c.inputs:
            sheet, ref, cell = cell_of(book.input_name(c.code, spec.key))
            if cell is None or cell.value in (None, "") or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            read = read_input(spec, cell.value, cell.kind)
            if read.issue:
                result.issues.append(issue(read.issue, sheet=sheet, cell=ref, criterion=c.code, value=cell.value, read=_fmt(read.read), **where))
            given[spec.key] = read.value
        reason_cell = cell_of(book.reason_name(c.code))[2]
        reason = "" if reason_cell is None or reason_cell.value is None else str(reason_cell.value).strip()
        if given or reason:
            result.appraisal[c.code] = {"inputs": given, "reason": reason}
            if given and not reason:
                sheet, ref, _ = cell_of(book.reason_name(c.code))
                result.issues.append(issue("appraisal-no-reason", sheet=sheet, cell=ref, criterion=c.code, **where))
    result.accepted = True


class CellReader:
    """Named cells of one returned workbook."""

    def __init__(self, raw: xlsx.RawWorkbook, destinations: dict[str, tuple[str, str]]):
        self.raw, self.destinations = raw, destinations

    def __call__(self, name: str) -> tuple[str, str, xlsx.Cell | None]:
        dest = self.destinations.get(name)
        if not dest:
            return "", "", None
        sheet, ref = dest
        return sheet, ref, self.raw.cells.get(sheet, {}).get(ref, _BLANK)

    def at(self, sheet: str, ref: str) -> xlsx.Cell:
        return self.raw.cells.get(sheet, {}).get(ref, _BLANK)


# ------------------------------------------------------------------------------ layout


@dataclass(frozen=True)
class Layout:
    """What the layout check found that reading needs: sheets renamed (expected name -> name in
    the file) and calculated cells overwritten with a value."""

    renamed: dict[str, str] = field(default_factory=dict)
    overwritten: frozenset[tuple[str, str]] = frozenset()


def _unchanged(raw: xlsx.RawWorkbook, expected: Expected) -> bool:
    """Exactly the generator's sheets, formulas and names: the common case, decided with a few
    comparisons."""
    return tuple(raw.sheets) == expected.sheets and raw.formulas == expected.formulas and _same_names(raw.layout, expected)


def _same_names(layout: dict[str, str], expected: Expected) -> bool:
    return bool(_once_per_table("names", layout, expected, lambda: layout == expected.names))


def check_layout(raw: xlsx.RawWorkbook, expected: Expected, plan: ReadPlan, issues: list[Issue], where: dict[str, str]) -> Layout:
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
                kind = ("score-overwritten", _fmt(values[ref].value))
            else:
                kind = ("formula-changed", now if now is not None else "(ô trống)")
            if listed < CHANGED_CELLS_LISTED:
                listed += 1
                issues.append(issue(kind[0], sheet=actual, cell=ref, value=kind[1], read=before or "(không có công thức)", **where))
    if details:
        issues.append(issue("layout-changed", value="; ".join(details), **where))
    return Layout(renamed, frozenset(overwritten))


def _check_names(raw: xlsx.RawWorkbook, expected: Expected, plan: ReadPlan, back: dict[str, str], lost: list[str],
                 issues: list[Issue], where: dict[str, str], details: list[str]) -> set[str]:
    """Names deleted or moved (rows inserted or deleted); returns the sheets whose rows moved."""
    def compare() -> tuple[list[str], list[str]]:
        moved: list[str] = []
        gone: list[str] = []
        for name, definition in expected.names.items():
            if name in _IDENTITY_NAMES or (want := xlsx.destination(definition)) is None:
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
    moved, gone = _once_per_table("names-moved", raw.layout, expected, compare) if not back and not lost else compare()
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


def _renamed_sheets(raw: xlsx.RawWorkbook, expected: Expected, missing: list[str], extra: list[str]) -> dict[str, str]:
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


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _renamed_back(formula: str, back: dict[str, str]) -> str:
    for actual, sheet in back.items():
        formula = formula.replace(_quoted(actual) + "!", _quoted(sheet) + "!").replace(actual + "!", _quoted(sheet) + "!")
    return formula


def _formula_changes(raw: xlsx.RawWorkbook, expected: Expected, sheet: str, actual: str,
                     back: dict[str, str]) -> list[tuple[str, str | None, str | None]]:
    """(cell, formula expected, formula found) of each formula that differs in value, in cell
    order; formulas in cells the unit fills are left to the reading of those cells."""
    got = raw.formulas[actual]

    def same_text() -> bool:
        return [xlsx.canonical_formula(_renamed_back(f, back)) for f in got] == expected.canonical.get(sheet, [])

    if not back and _once_per_table(f"formulas:{sheet}", got, expected, same_text):
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


def contact_issues(cell_of: CellReader, cmap: CellMap, issues: list[Issue], where) -> None:
    missing = []
    for key, label in (("unit_preparer", "người lập biểu"), ("unit_head", "thủ trưởng đơn vị")):
        place = cmap.contacts.get(key)
        value = cell_of.at(*place).value if place else None
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            missing.append(label)
    if missing:
        issues.append(issue("contact-missing", value=" và ".join(missing), **where))


def late_issue(modified: str | None, deadline: dt.date, issues: list[Issue], where) -> None:
    local = in_vietnam(modified)  # a file saved on the deadline day, Vietnam time, is on time
    if local is not None and local.date() > deadline:
        issues.append(issue("file-late", value=local.strftime("%d/%m/%Y"), **where))


def _shown_value(value: object) -> object:
    """A cell's value in a message: a number the Vietnamese way, anything else as it is."""
    return fmt_num(value) if isinstance(value, float) and abs(value) < 1e16 else value


def _fmt(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return "" if value is None else str(value)
