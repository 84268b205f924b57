"""The assessment's check of one returned workbook: trust nothing, record everything, never raise.

``check_file`` reads the file and identifies it (``layout.open_return``: by the identity
embedded in it, never by its name), compares its layout and formulas with the generator's
(``layout.check_layout``), reads every input (by its defined name; by position when the names
were deleted but the layout is the generator's), reads each cell as the workbook's own formulas
do (``coerce``, ``cells``), recomputes every score with the engine, compares the scores the file
carries, and returns a ``FileResult`` with all issues; an appraisal workbook's appraised values
and reasons likewise. An unexpected failure becomes a ``file-internal-error`` record for that
file. Runs in worker processes: everything here is picklable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import names as nm
from .. import vn
from ..campaign import Campaign
from ..catalog import Catalog, Input
from ..coerce import read_input
from ..issues import ERROR, Issue, issue
from ..scoring import INVALID, MISSING, OK, UnitResult, aggregate, score_criterion
from . import xlsx
from .layout import (
    BLANK,
    CellReader,
    ReadPlan,
    Yardstick,
    check_layout,
    contact_issues,
    formula_input,
    late_issue,
    once_per_table,
    open_return,
)
from .ledger import Appraised, Entry, Record, Stored, dumps, issue_rows


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
class Expected(Yardstick):
    """What the generator wrote for one level: the yardstick for a returned file, with where
    each criterion's cells are."""

    level: str
    cells: CellMap
    presence: dict[str, set[str]]  # the evidence cells, read for presence when their text is not needed

    @classmethod
    def from_layout(cls, catalog: Catalog, level: str, layout: dict[str, Any]) -> Expected:
        """From a stored layout (``layouts``): sheets, names, every formula by cell."""
        destinations: dict[str, tuple[str, str]] = {}
        wanted = _wanted(layout["names"], destinations)
        cells = CellMap.build(catalog, destinations)
        return cls(**Yardstick.fields_of(layout, destinations, wanted, cells.user_cells()), level=level, cells=cells,
                   presence=cells.evidence_cells())


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
    # criteria whose evidence holds something (read for its presence by every check; None: recorded before it was kept)
    evidence_given: list[str] | None = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def submission(self) -> bool:
        """A self-assessment with figures: what may count as the unit's return."""
        return self.accepted and self.kind == "self" and self.figures > 0

    def entry(self) -> Entry:
        """The file as the ledger records it. Kept small (thousands of files): inputs as typed
        only where they differ from the values scored, evidence only where some was given."""
        typed_changes = {}
        for code, typed in self.typed.items():
            scored = self.scored_inputs.get(code, {})
            changed = {k: v for k, v in typed.items() if k not in scored or type(scored[k]) is not type(v) or scored[k] != v}
            if changed:
                typed_changes[code] = changed
        body = {"identity": self.identity, "criteria": self.criteria, "pillars": self.pillars, "total": self.total,
                "inputs": self.inputs, "name": self.name, "scored_inputs": self.scored_inputs, "kind": self.kind,
                "appraiser": self.appraiser, "appraisal": self.appraisal, "typed_changes": typed_changes,
                "details": bool(self.typed), "evidence": {code: texts for code, texts in self.evidence.items() if any(texts)},
                "contacts": self.contacts, "evidence_given": self.evidence_given}
        record = Record(self.sha256, self.size, self.accepted, self.unit, self.identity.get("period"), self.identity.get("catalog_id"),
                        self.level, self.identity.get("generation_id"), self.modified, self.total[0], self.total[1], self.total[2],
                        dumps(body), self.kind, self.errors, issue_rows(self.issues), self.figures)
        appraised = tuple(Appraised(code, self.appraiser, item["inputs"], item["reason"], self.modified,  # type: ignore[arg-type]
                                    str(item.get("follow_up", "")))
                          for code, item in self.appraisal.items())
        return Entry(record, appraised)

    @classmethod
    def from_stored(cls, stored: Stored) -> FileResult:
        """A recorded file's check, as it was made (messages made again from the codes)."""
        row, body = stored.row, stored.body
        result = cls(row.name, row.sha256, row.size, row.accepted, row.unit, row.level, body["identity"],
                     row.modified, [tuple(c) for c in body["criteria"]], [tuple(p) for p in body["pillars"]],  # type: ignore[misc]
                     tuple(body["total"]), body["inputs"])  # type: ignore[arg-type]
        result.scored_inputs = body.get("scored_inputs", {})
        result.kind, result.appraiser, result.appraisal = body.get("kind", "self"), body.get("appraiser", ""), body.get("appraisal", {})
        result.evidence, result.contacts = body.get("evidence", {}), body.get("contacts", {})
        result.figures = row.figures
        result.evidence_given = body.get("evidence_given")
        if "typed_changes" in body:  # ledger version 2 and later
            if body.get("details"):
                changes = body["typed_changes"]
                result.typed = {code: {**values, **changes.get(code, {})} for code, values in result.scored_inputs.items()}
        else:
            result.typed = body.get("typed", {})
        result.issues = stored.issues
        return result

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
_READ = (nm.PREFIX + "in_", _SCORE, nm.identity_name("unit_"), nm.PREFIX + "ap_in_", nm.PREFIX + "ap_reason_", nm.PREFIX + "ap_follow_")


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

        found = once_per_table("by-names", layout, ctx, by_names)
        plan.destinations, plan.cells = found.destinations, found.cells
        return found.wanted, ({} if plan.evidence_text else found.presence)
    if expected is not None:  # the names are gone, the identity (document properties) is not
        plan.destinations, plan.cells, plan.by_position = expected.destinations, expected.cells, True
        return expected.wanted, ({} if plan.evidence_text else expected.presence)
    return {}, {}


def _same_layout(names: dict[str, str], expected: Expected) -> bool:
    def decide() -> bool:
        return all(names.get(n) == expected.names[n] for n in expected.destinations)

    return once_per_table("layout", names, expected, decide)


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
    opened = open_return(data, lambda book: _plan_reading(ctx, book, plan), result.issues, where)
    if opened is None:
        return
    raw, identity = opened.raw, opened.identity
    result.modified, result.identity = raw.modified, identity
    if not opened.identified:
        return
    unit_code = identity["unit_code"]
    result.unit = unit_code
    campaign, catalog = ctx.campaign, ctx.catalog
    if identity["catalog_id"] != catalog.id:
        result.issues.append(issue("catalog-other", value=identity["catalog_id"], **where))
        return
    if identity["period"] != campaign.period:
        result.issues.append(issue("period-other", value=identity["period"], **where))
        return
    try:
        unit = campaign.unit(unit_code)
    except LookupError:  # errors.NotFound
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
    contact_issues(cells, cmap.contacts, result.issues, where)
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
        result.issues = [i for i in result.issues if i.code not in ("input-missing", "input-central-blank", "evidence-missing")]
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
            found = cells.get(sheet, _NO_CELLS).get(ref, BLANK)
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
                    shown_read = vn.number(read.read) if isinstance(read.read, float) and read.issue == "input-too-large" else vn.found(read.read)
                    value_issues.append(issue(read.issue, sheet=sheet, cell=ref, criterion=code, value=_shown_value(value),
                                              read=shown_read, **where))
            elif read.value is not None and c.applies(level) and not spec.central:
                figures += 1  # [central] issue 24: a figure the Sở stamped in is not one the unit sent
        result.scored_inputs[code] = values
        r = score_criterion(c, values, level)
        results.append(r)
        evidence = cmap.evidence.get(code)
        filled = evidence is not None and _any_filled(cells.get(evidence[0], _NO_CELLS), evidence[1])
        if filled and result.evidence_given is not None:
            result.evidence_given.append(code)
        if r.status == OK:
            if (r.points or 0) > 0 and evidence is not None and not filled:
                criterion_issues.append(issue("evidence-missing", sheet=evidence[0], cell=evidence[1][0], criterion=code, **where))
        elif r.status == MISSING:
            for key in (r.reason or "").split(", "):
                sheet, ref = _place(places, key)
                label = f"{key} ({c.input(key).label})" if key else ""
                # a figure the Sở supplies is not the unit's to fill: the consolidation uses the Sở's own
                code_missing = "input-central-blank" if key and c.input(key).central else "input-missing"
                criterion_issues.append(issue(code_missing, sheet=sheet, cell=ref, criterion=code, value=label, **where))
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
        cached = cells.get(score_place[0], _NO_CELLS).get(score_place[1], BLANK).value
        status_place = cmap.status.get(code)
        status = cells.get(status_place[0], _NO_CELLS).get(status_place[1], BLANK).value if status_place else None
        if status not in (None, ""):
            computed_any = True
        if (cached in (None, "") and status in (None, "")) or score_place in overwritten:
            continue
        expected = r.points
        same = (expected is None and cached in (None, "")) or (
            expected is not None and isinstance(cached, float) and abs(cached - expected) <= 1e-6 * max(1.0, abs(expected)))
        if not same:
            score_issues.append(issue("score-differs", sheet=score_place[0], cell=score_place[1], criterion=code,
                                      value=vn.found(cached) if cached not in (None, "") else "(trống)",
                                      read=vn.found(expected) if expected is not None else f"(trống: {r.status_vi})", **where))
    if not computed_any and figures:
        score_issues.append(issue("not-calculated", **where))
    result.issues.extend(value_issues)
    result.issues.extend(criterion_issues)
    result.issues.extend(score_issues)
    result.figures = figures
    return aggregate(catalog, results, level)


_NO_CELLS: dict[str, xlsx.Cell] = {}


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
        return vn.found(value)
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
                result.issues.append(issue(read.issue, sheet=sheet, cell=ref, criterion=c.code, value=cell.value, read=vn.found(read.read), **where))
            given[spec.key] = read.value
        reason_cell = cell_of(book.reason_name(c.code))[2]
        reason = "" if reason_cell is None or reason_cell.value is None else str(reason_cell.value).strip()
        follow_up = _text(cell_of(book.follow_up_name(c.code))[2]) if book.follow_up_name(c.code) in destinations else ""
        if given or reason or follow_up:
            result.appraisal[c.code] = {"inputs": given, "reason": reason, **({"follow_up": follow_up} if follow_up else {})}
            if given and not reason:
                sheet, ref, _ = cell_of(book.reason_name(c.code))
                result.issues.append(issue("appraisal-no-reason", sheet=sheet, cell=ref, criterion=c.code, **where))
    result.accepted = True



def _text(cell) -> str:
    """A text cell's text, trimmed ("" when blank)."""
    return "" if cell is None or cell.value is None else str(cell.value).strip()


def _shown_value(value: object) -> object:
    """A cell's value in a message: a number the Vietnamese way, anything else as it is."""
    return vn.number(value) if isinstance(value, float) and abs(value) < 1e16 else value


