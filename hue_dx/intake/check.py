"""Check and score one returned workbook: trust nothing, record everything, never raise.

``check_file`` reads the file (``xlsx``), identifies it by the identity embedded in it (never
by its name), compares its layout and formulas with the generator's, reads every input by
its defined name, converts what people typed (``coerce``), recomputes every score with the
engine, compares the scores the file carries, and returns a ``FileResult`` with all issues.
Runs in worker processes: everything here is picklable and free of global state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .. import names as nm
from ..campaign import Campaign
from ..catalog import Catalog, Input
from ..coerce import read_input
from ..issues import ERROR, Issue, issue
from ..scoring import INVALID, MISSING, OK, UnitResult, aggregate, score_criterion
from ..workbook.identity import fingerprint_from
from . import xlsx


@dataclass(frozen=True)
class Expected:
    """What the generator wrote for one level: the yardstick for a returned file."""

    fingerprint: str
    sheets: tuple[str, ...]
    names: dict[str, str]
    formulas: dict[str, list[str]]
    destinations: dict[str, tuple[str, str]]
    wanted: dict[str, set[str]]
    cells: CellMap


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


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    campaign: Campaign
    expected: dict[str, Expected]

    @classmethod
    def create(cls, catalog: Catalog, campaign: Campaign) -> Context:
        from ..workbook.build import build  # openpyxl, once per level

        expected = {}
        for level in catalog.levels:
            built = build(catalog, campaign, level)
            raw = xlsx.read(built.data)
            destinations: dict[str, tuple[str, str]] = {}
            wanted = _wanted(raw.names, destinations)
            expected[level] = Expected(built.fingerprint, tuple(raw.sheets), raw.names, raw.formulas, destinations, wanted,
                                       CellMap.build(catalog, destinations))
        return cls(catalog, campaign, expected)


@dataclass
class FileResult:
    name: str
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

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name, "sha256": self.sha256, "accepted": self.accepted, "unit": self.unit, "level": self.level,
            "period": self.identity.get("period"), "catalog": self.identity.get("catalog_id"), "modified": self.modified,
            "total": self.total[0], "max": self.total[1], "index": self.total[2],
            "pillars": [{"code": c, "points": p, "max": m, "index": i} for c, p, m, i in self.pillars],
            "criteria": [{"code": c, "score": p, "max": a, "status": s, "status_vi": w} for c, p, s, w, a in self.criteria],
            "issues": [i.as_dict() for i in self.issues],
        }


def _identity(raw: xlsx.RawWorkbook) -> tuple[dict[str, str], list[str]]:
    """Identity from custom properties and constant names; conflicts between the two."""
    found: dict[str, str] = {}
    conflicts = []
    for key in (*nm.IDENTITY, *nm.APPRAISAL_IDENTITY):
        name = nm.identity_name(key)
        prop = raw.properties.get(name)
        const = xlsx.constant(raw.names[name]) if name in raw.names else None
        if prop is not None and const is not None and prop != const:
            conflicts.append(f"{key}: '{prop}' / '{const}'")
        value = const if const is not None else prop
        if value is not None:
            found[key] = value.strip()
    return found, conflicts


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


_SCORE = nm.score_name("")
_STATUS = nm.status_name("")
_READ = (nm.PREFIX + "in_", _SCORE, nm.identity_name("unit_"), nm.PREFIX + "ap_in_", nm.PREFIX + "ap_reason_")


def _wanted_for(ctx: Context, names: dict[str, str], destinations: dict[str, tuple[str, str]],
                layout: list[CellMap]) -> dict[str, set[str]]:
    """Most returned files keep the generator's layout: then its cell map is reused as is
    (and appended to ``layout``)."""
    expected = _same_layout(ctx, names)
    if expected is not None:
        destinations.update(expected.destinations)
        layout.append(expected.cells)
        return expected.wanted
    return _wanted(names, destinations)


# The reader hands out one dict per distinct table of defined names (xlsx._defined_names), so
# what depends only on a table is decided once per table, not once per file.
_per_table: dict[tuple[str, int, int], tuple[dict[str, str], object, object]] = {}


def _once_per_table(what: str, names: dict[str, str], against: object, decide):
    key = (what, id(names), id(against))
    known = _per_table.get(key)
    if known is None or known[0] is not names or known[1] is not against:
        if len(_per_table) >= 128:
            _per_table.clear()
        known = _per_table[key] = (names, against, decide())  # holding both keeps their ids unique
    return known[2]


def _same_layout(ctx: Context, names: dict[str, str]) -> Expected | None:
    """The level whose generator layout these names keep, if any."""
    def decide() -> Expected | None:
        expected = ctx.expected.get(xlsx.constant(names.get(nm.identity_name("level"), "")) or "")
        if expected is not None and all(names.get(n) == expected.names[n] for n in expected.destinations):
            return expected
        return None

    return _once_per_table("layout", names, ctx, decide)


def check_file(data: bytes, name: str, sha256: str, ctx: Context, details: bool = False) -> FileResult:
    result = FileResult(name, sha256, len(data))
    where = dict(file=name)
    try:
        destinations: dict[str, tuple[str, str]] = {}
        layout: list[CellMap] = []
        raw = xlsx.read(data, lambda names: _wanted_for(ctx, names, destinations, layout))
    except xlsx.FileProblem as problem:
        result.issues.append(issue(problem.code, value=problem.detail, **where))
        return result
    except Exception as exc:  # noqa: BLE001  (a file must never stop the run)
        result.issues.append(issue("file-corrupt", value=f"{type(exc).__name__}: {exc}", **where))
        return result
    if raw.macros:
        result.issues.append(issue("file-macro", **where))
    result.modified = raw.modified
    identity, conflicts = _identity(raw)
    result.identity = identity
    if not {"catalog_id", "period", "unit_code"} <= set(identity):
        result.issues.append(issue("identity-missing", **where))
        return result
    unit_code = identity["unit_code"]
    result.unit = unit_code
    where["unit"] = unit_code
    if conflicts:
        result.issues.append(issue("identity-conflict", value="; ".join(conflicts), **where))
    campaign, catalog = ctx.campaign, ctx.catalog
    if identity["catalog_id"] != catalog.id:
        result.issues.append(issue("catalog-other", value=identity["catalog_id"], **where))
        return result
    if identity["period"] != campaign.period:
        result.issues.append(issue("period-other", value=identity["period"], **where))
        return result
    try:
        unit = campaign.unit(unit_code)
    except KeyError:
        result.issues.append(issue("unit-unknown", value=unit_code, **where))
        return result
    result.unit = unit.code
    level = unit.level
    if identity.get("level") and identity["level"] != level:
        result.issues.append(issue("level-mismatch", value=identity["level"], **where))
    result.level = level
    if identity.get("kind") == "appraisal":
        _check_appraisal(raw, destinations, catalog, identity, result, where)
        return result
    expected = ctx.expected[level]
    _check_layout(raw, expected, result, where)

    cmap = layout[0] if layout else CellMap.build(catalog, destinations)
    cell = _Cells(raw, destinations)
    scored = _check_criteria(raw, cmap, catalog, level, result, where, details)
    _contact_issues(cell, cmap, result, where)
    _late(raw.modified, campaign.deadline, result, where)
    result.criteria = [(c.code, c.points, c.status, c.status_vi, c.applicable_max) for c in scored.criteria]
    result.pillars = [(p.code, p.points, p.applicable_max, p.index) for p in scored.pillars]
    result.total = (scored.total.points, scored.total.applicable_max, scored.total.index)
    result.inputs = {c.code: dict(c.values) for c in scored.criteria if c.status == OK}
    if details:
        for key in nm.UNIT_FIELDS:
            place = cmap.contacts.get(key)
            value = cell.at(*place).value if place else None
            result.contacts[key] = "" if value is None else str(value)
    result.accepted = True
    return result


def _check_criteria(raw: xlsx.RawWorkbook, cmap: CellMap, catalog: Catalog, level: str, result: FileResult,
                    where: dict[str, str], details: bool) -> UnitResult:
    """One pass over the criteria: read each input as typed (``coerce``), score the criterion
    with the engine, and note what is wrong: bad values, blanks, inconsistent counts, missing
    evidence, a score in the file that differs from the recomputed one. Issues come out grouped
    by kind (input values, then criteria, then scores), in criterion order within each."""
    cells = raw.cells
    value_issues: list[Issue] = []
    criterion_issues: list[Issue] = []
    score_issues: list[Issue] = []
    results = []
    computed_any = False
    for c in catalog.criteria:
        code = c.code
        places = cmap.inputs[code]
        values: dict[str, Any] = {}
        typed: dict[str, object] = {}
        for spec, place in zip(c.inputs, places, strict=True):
            if place is None:
                values[spec.key] = "#REF!"  # the engine will mark the criterion invalid
                typed[spec.key] = None
                continue
            _, sheet, ref = place
            found = cells.get(sheet, _NO_CELLS).get(ref, _BLANK)
            typed[spec.key] = found.value
            read = read_input(spec, found.value, found.kind)
            values[spec.key] = read.value
            if read.issue:
                value_issues.append(issue(read.issue, sheet=sheet, cell=ref, criterion=code, value=found.value,
                                          read=_fmt(read.read), **where))
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
        elif r.status == INVALID and r.reason and " lớn hơn " in r.reason:
            sheet, ref = _place(places, r.reason.split(" ")[0])
            criterion_issues.append(issue("inconsistent", sheet=sheet, cell=ref, criterion=code, value=r.reason, **where))
        if details:
            result.typed[code] = typed
            if evidence is not None:
                sheet_cells = cells.get(evidence[0], _NO_CELLS)
                result.evidence[code] = [_shown(sheet_cells.get(ref)) for ref in evidence[1]] if filled else [""] * len(evidence[1])
        score_place = cmap.score.get(code)
        if score_place is None or not c.applies(level):
            continue  # a constant "không áp dụng" in the template, not a computed value
        cached = cells.get(score_place[0], _NO_CELLS).get(score_place[1], _BLANK).value
        status_place = cmap.status.get(code)
        status = cells.get(status_place[0], _NO_CELLS).get(status_place[1], _BLANK).value if status_place else None
        if status not in (None, ""):
            computed_any = True
        if cached in (None, "") and status in (None, ""):
            continue
        expected = r.points
        same = (expected is None and cached in (None, "")) or (
            expected is not None and isinstance(cached, float) and abs(cached - expected) <= 1e-6 * max(1.0, abs(expected)))
        if not same:
            score_issues.append(issue("score-differs", sheet=score_place[0], cell=score_place[1], criterion=code,
                                      value=_fmt(cached) if cached not in (None, "") else "(trống)",
                                      read=_fmt(expected) if expected is not None else f"(trống: {r.status_vi})", **where))
    if not computed_any:
        score_issues.append(issue("not-calculated", **where))
    result.issues.extend(value_issues)
    result.issues.extend(criterion_issues)
    result.issues.extend(score_issues)
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


def _shown(found: xlsx.Cell | None) -> str:
    return "" if found is None or found.value is None else str(found.value)


def _check_appraisal(raw, destinations, catalog: Catalog, identity: dict[str, str], result: FileResult, where: dict[str, str]) -> None:
    """An appraisal workbook: read each criterion's appraised values and reason."""
    from ..workbook import appraisal_book as book

    cell_of = _Cells(raw, destinations)
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


class _Cells:
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


_BLANK = xlsx.Cell(None, "")
_IDENTITY_NAMES = {nm.identity_name(k) for k in nm.IDENTITY}


def _unchanged(raw: xlsx.RawWorkbook, expected: Expected) -> bool:
    """Exactly the generator's sheets, formulas and names (then the fingerprint matches too,
    so it need not be computed: the common case, decided with a few comparisons)."""
    # (equal formulas imply no shared ones: a shared formula's dependents list no text, so a
    # workbook using them never lists the generator's formulas)
    return tuple(raw.sheets) == expected.sheets and raw.formulas == expected.formulas and _same_names(raw.names, expected)


def _same_names(names: dict[str, str], expected: Expected) -> bool:
    def decide() -> bool:
        return ({n: d for n, d in names.items() if n not in _IDENTITY_NAMES} ==
                {n: d for n, d in expected.names.items() if n not in _IDENTITY_NAMES})

    return _once_per_table("names", names, expected, decide)


def _check_layout(raw: xlsx.RawWorkbook, expected: Expected, result: FileResult, where: dict[str, str]) -> None:
    if _unchanged(raw, expected):
        return
    actual = fingerprint_from(raw.sheets, raw.formulas, raw.names)
    if actual == expected.fingerprint and not raw.shared_formulas:
        return
    details = []
    for sheet in expected.sheets:
        if sheet not in raw.sheets:
            result.issues.append(issue("sheet-missing", sheet=sheet, value=sheet, **where))
    layout = {n: d for n, d in expected.names.items() if n not in _IDENTITY_NAMES}
    moved = [n for n, d in layout.items() if n in raw.names and raw.names[n] != d and xlsx.destination(raw.names[n])]
    missing = [n for n, d in layout.items() if n not in raw.names or (xlsx.destination(raw.names[n]) is None and xlsx.destination(d))]
    if moved:
        sheets = sorted({xlsx.destination(expected.names[n])[0] for n in moved if xlsx.destination(expected.names[n])})  # type: ignore[index]
        first = min(moved, key=lambda n: (expected.names[n]))
        result.issues.append(issue("rows-shifted", sheet=", ".join(sheets), value=f"{len(moved)} ô, ví dụ {first}", **where))
        details.append(f"{len(moved)} ô dịch chỗ")
    for n in missing[:20]:
        sheet_ref = xlsx.destination(expected.names[n])
        result.issues.append(issue("name-missing", sheet=sheet_ref[0] if sheet_ref else "", cell=sheet_ref[1] if sheet_ref else "",
                                   value=n, **where))
    if missing:
        details.append(f"{len(missing)} ô mất")
    if not moved and not missing:
        for sheet, formulas in expected.formulas.items():
            got = raw.formulas.get(sheet, [])
            changed = [i for i, (a, b) in enumerate(zip(formulas, got, strict=False)) if a != b]
            if changed or len(got) != len(formulas):
                count = len(changed) + abs(len(got) - len(formulas))
                sample = got[changed[0]] if changed else ""
                result.issues.append(issue("formula-changed", sheet=sheet, value=f"{count} công thức; ví dụ {sample[:80]}", **where))
                details.append(f"{count} công thức sửa ở {sheet}")
    if raw.shared_formulas and not details:
        return  # a client stored repeated formulas in shared form: nothing actually changed
    result.issues.append(issue("layout-changed", value="; ".join(details) or "dấu vân tay khác", **where))


def _contact_issues(cell_of: _Cells, cmap: CellMap, result: FileResult, where) -> None:
    missing = []
    for key, label in (("unit_preparer", "người lập biểu"), ("unit_head", "thủ trưởng đơn vị")):
        place = cmap.contacts.get(key)
        value = cell_of.at(*place).value if place else None
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            missing.append(label)
    if missing:
        result.issues.append(issue("contact-missing", value=" và ".join(missing), **where))


def _late(modified: str | None, deadline: dt.date, result: FileResult, where) -> None:
    if not modified:
        return
    try:
        saved = dt.datetime.fromisoformat(modified.replace("Z", "+00:00"))
    except ValueError:
        return
    # Vietnam is UTC+7; a file saved on the deadline day, local time, is on time.
    local = saved.astimezone(dt.timezone(dt.timedelta(hours=7))) if saved.tzinfo else saved
    if local.date() > deadline:
        result.issues.append(issue("file-late", value=local.strftime("%d/%m/%Y"), **where))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return "" if value is None else str(value)
