"""`hue-dx tasks consolidate`: returned quarterly workbooks in, each unit's answers out, through
the assessment's trust-nothing intake.

Reused as is: ``intake.received`` walks folders, nested archives, e-mails and mailboxes into
items with sender and date; ``intake.xlsx`` reads each file defensively (bombs, encryption,
corruption become issue codes); ``intake.ledger`` archives every file by SHA-256 and records
it in SQLite; ``intake.check`` gives the identity, the layout comparison (renamed sheets,
moved or lost names, changed formulas, overwritten check cells), the late and contact checks.
What is the tracking's own: which unit's layout a file must have (each unit's workbook holds
its own rows, so the expected layout is the unit's workbook, built once per run), how each
answer cell is read (``_read_field``: statuses from the closed list, numbers typed as text,
percent out of range, dates typed as text…), and which file counts for a unit and quarter.

Ledger: one per tracking campaign, all quarters in it (``TrackingLedger``; the default folder
differs from the assessment's). Its rows have kind "tracking" and the file's own period, so a
quarter's files are told apart and a file of another quarter that arrives late is recorded for
that quarter. An assessment archive is refused, so the two never read each other's files.
A file counts for its unit and quarter when it was identified and holds figures; among those,
an officer's choice, else the one saved last (a correction supersedes the first file); a
blank file never counts as a report.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import names as nm
from ..coerce import number_from_text
from ..documents import in_vietnam
from ..intake import check, xlsx
from ..intake.consolidate import work_item
from ..intake.ledger import Entry, Ledger, dumps, issue_records, loads
from ..intake.received import InputError, Item, Spool, walk
from ..issues import ERROR, Issue, issue
from . import answers as an
from . import names as tn
from .periods import Period, PeriodError, Quarter
from .recipe import Recipe
from .roles import Duties
from .roles import duties as duties_of
from .summary import QuarterSummary, UnitAnswers, summarize
from .tasks import Task, TaskCatalog, fmt_dong

__all__ = ["InputError", "Context", "TrackedFile", "TrackingLedger", "Quarterly", "UnitState", "check_file", "consolidate"]

KIND = tn.KIND
# The assessment's layout codes speak of scores; a tracking workbook has row checks instead.
_LAYOUT_CODES = {"layout-changed": "tk-layout-changed", "formula-changed": "tk-check-changed", "score-overwritten": "tk-check-overwritten"}


class TrackingIntakeError(ValueError):
    """The consolidation cannot run as asked (an assessment archive, for instance)."""


# ---------------------------------------------------------------------------------- context


@dataclass
class Context:
    """What checking needs: the tasks, the campaign, every unit's duties, and each unit's
    expected layout (built from the generator on first use, once per run)."""

    catalog: TaskCatalog
    recipe: Recipe
    quarter: Quarter
    duties: dict[str, Duties] = field(default_factory=dict)
    _expected: dict[str, check.Expected] = field(default_factory=dict)

    @classmethod
    def create(cls, catalog: TaskCatalog, recipe: Recipe, quarter: Quarter) -> Context:
        return cls(catalog, recipe, quarter, duties_of(catalog, recipe.units))

    def expected(self, unit: str) -> check.Expected:
        found = self._expected.get(unit)
        if found is None:
            found = self._expected[unit] = _expected_layout(self.catalog, self.duties[unit], self.recipe, self.quarter)
        return found

    def deadline(self, quarter: Quarter) -> dt.date:
        return self.recipe.period(quarter).deadline


def _expected_layout(catalog: TaskCatalog, duty: Duties, recipe: Recipe, quarter: Quarter) -> check.Expected:
    """The unit's workbook as the generator writes it, read by the same reader as a returned
    file: sheets, names, formulas, where the answers and contacts are. The layout does not
    depend on the quarter (dates and pre-filled answers are values, not layout)."""
    from .workbook import build

    built = build(catalog, duty, recipe.units, recipe.period(quarter))
    raw = xlsx.read(built.data)
    destinations = _destinations(raw.layout)
    wanted = _wanted(destinations)
    contacts = {k: destinations[nm.identity_name(k)] for k in nm.UNIT_FIELDS if nm.identity_name(k) in destinations}
    canonical = {sheet: [xlsx.canonical_formula(f) for f in formulas] for sheet, formulas in raw.formulas.items()}
    by_cell = {sheet: {ref: xlsx.canonical_formula(f) for ref, f in xlsx.formula_cells(raw, sheet).items()} for sheet in raw.sheets}
    read_sheets = frozenset(s for s in raw.sheets if wanted.get(s) or raw.formulas.get(s))
    return check.Expected(duty.unit.code, built.fingerprint, tuple(raw.sheets), raw.layout, raw.formulas, canonical, by_cell, destinations,
                          wanted, check.CellMap({}, {}, {}, {}, contacts), {s: frozenset(r) for s, r in wanted.items()}, read_sheets,
                          presence={})  # a tracking workbook has no evidence cells read for presence


_IDENTITY_NAMES = {nm.identity_name(k) for k in (*nm.IDENTITY, *nm.APPRAISAL_IDENTITY)}


def _destinations(names: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Every hue-dx name that points at a cell (identity constants are not cells)."""
    out = {}
    for name, definition in names.items():
        if name.startswith(nm.PREFIX) and name not in _IDENTITY_NAMES and (dest := xlsx.destination(definition)):
            out[name] = dest
    return out


def _wanted(destinations: Mapping[str, tuple[str, str]]) -> dict[str, set[str]]:
    """The cells to read: answers and contacts (check cells are recomputed, never read)."""
    out: dict[str, set[str]] = {}
    for name, (sheet, ref) in destinations.items():
        if tn.parse_cell_name(name) or name[len(nm.PREFIX):] in nm.UNIT_FIELDS:
            out.setdefault(sheet, set()).add(ref)
    return out


# ------------------------------------------------------------------------------- one file


@dataclass
class TrackedFile:
    """One received file as the tracking intake saw it (also rebuilt from the ledger)."""

    name: str
    sha256: str
    size: int
    accepted: bool = False  # identified as a quarterly workbook of this campaign, for a known unit
    kind: str = KIND  # "tracking"; "other", "problem" for what is no workbook
    unit: str = ""
    period: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    modified: str | None = None
    answers: UnitAnswers = field(default_factory=UnitAnswers)
    contacts: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    figures: int = 0  # answer cells holding a usable value: 0 means the file is no report
    rows: int = 0  # rows with an answer
    expected: int = 0  # rows the unit's workbook holds

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def report(self) -> bool:
        return self.accepted and self.kind == KIND and self.figures > 0


def _plan_reading(ctx: Context, book: xlsx.RawWorkbook, plan: check.ReadPlan) -> dict[str, set[str]]:
    identity, _ = check.read_identity(book)
    unit = identity.get("unit_code", "")
    if identity.get("kind") != KIND or unit not in ctx.duties:
        return {}
    expected = ctx.expected(unit)
    names = book.names
    if all(names.get(n) == expected.names[n] for n in expected.destinations):
        plan.destinations = expected.destinations
        return expected.wanted
    own = _destinations(names)
    if any(tn.parse_cell_name(n) for n in own):
        plan.destinations = own
        return _wanted(own)
    plan.destinations, plan.by_position = dict(expected.destinations), True
    return expected.wanted


def check_file(data: bytes, name: str, sha256: str, ctx: Context) -> TrackedFile:
    """Check one returned file and read its answers; never raises (an unexpected failure is a
    ``file-internal-error`` record for the file)."""
    result = TrackedFile(name, sha256, len(data))
    where = dict(file=name, sha=sha256)
    try:
        _check(data, ctx, result, where)
    except Exception as exc:  # noqa: BLE001  (one file must never stop a run: it becomes a record)
        result.accepted, result.figures = False, 0
        result.issues.append(issue("file-internal-error", value=type(exc).__name__, **where))
    return result


def _check(data: bytes, ctx: Context, result: TrackedFile, where: dict[str, str]) -> None:
    plan = check.ReadPlan()  # how the cells are found: the generator's layout, the file's own names, or positions
    try:
        raw = xlsx.read(data, lambda book: _plan_reading(ctx, book, plan))
    except xlsx.FileProblem as problem:
        result.issues.append(issue(problem.code, value=problem.detail, **where))
        return
    if raw.macros:
        result.issues.append(issue("file-macro", **where))
    result.modified = raw.modified
    identity, conflicts = check.read_identity(raw)
    result.identity = identity
    if not {"catalog_id", "period", "unit_code"} <= set(identity):
        result.issues.append(issue("identity-missing", **where))
        return
    if identity.get("kind") != KIND:
        result.issues.append(issue("tk-not-tracking", value=f"{identity.get('kind') or 'sổ tự đánh giá'} {identity['catalog_id']}", **where))
        return
    result.unit = identity["unit_code"]
    where["unit"] = result.unit
    if conflicts:
        result.issues.append(issue("identity-conflict", value="; ".join(conflicts), **where))
    if identity["catalog_id"] != ctx.catalog.id:
        result.issues.append(issue("tk-tasks-other", value=identity["catalog_id"], **where))
        return
    try:
        quarter = Quarter.parse(identity["period"])
    except PeriodError:
        result.issues.append(issue("tk-period-bad", value=identity["period"], **where))
        return
    result.period = quarter.id
    duty = ctx.duties.get(result.unit)
    if duty is None:
        result.issues.append(issue("unit-unknown", value=result.unit, **where))
        return
    expected = ctx.expected(duty.unit.code)
    if identity.get("fingerprint") and identity["fingerprint"] != expected.fingerprint:
        # made by another version of the tasks file or roster: differences are the generator's, not the unit's
        result.issues.append(issue("tk-layout-version", **where))
        if plan.by_position:
            result.issues.append(issue("names-by-position", **where))
    else:
        found: list[Issue] = []
        layout = check.check_layout(raw, expected, plan, found, where)
        result.issues += [issue(_LAYOUT_CODES[i.code], file=i.file, unit=i.unit, sheet=i.sheet, cell=i.cell, value=i.value, read=i.read,
                                sha=result.sha256) if i.code in _LAYOUT_CODES else i for i in found]
        if plan.by_position and layout.renamed:  # read again at the generator's positions on the renamed sheets
            plan.destinations = {n: (layout.renamed.get(s, s), r) for n, (s, r) in plan.destinations.items()}
            raw = xlsx.read(data, _wanted(plan.destinations), formulas=False)
    _read_answers(raw, plan.destinations, ctx, duty, quarter, result, where)
    contacts = {k: plan.destinations[nm.identity_name(k)] for k in nm.UNIT_FIELDS if nm.identity_name(k) in plan.destinations}
    cells = check.CellReader(raw, plan.destinations)
    check.contact_issues(cells, check.CellMap({}, {}, {}, {}, contacts), result.issues, where)
    for key, place in contacts.items():
        value = cells.at(*place).value
        result.contacts[key] = "" if value is None else str(value).strip()
    check.late_issue(raw.modified, ctx.deadline(quarter), result.issues, where)
    result.accepted = True
    if result.figures == 0:
        # nothing was reported: one record says so, not one per row
        result.issues = [i for i in result.issues if i.code not in ("tk-rows-blank", "tk-row-incomplete", "contact-missing")]
        result.issues.append(issue("file-blank", **where))


# ------------------------------------------------------------------------------ answers


def _plain(text: str) -> str:
    """Lower case without diacritics, spaces squeezed: how a status typed by hand is matched."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


_PLAIN_STATUSES = {_plain(s): s for s in an.STATUSES}
_DATE_DMY = re.compile(r"^\s*(?:ngày\s*)?(\d{1,2})\s*(?:[/.\-]|\s+tháng\s+)\s*(\d{1,2})\s*(?:[/.\-]|\s+năm\s+)\s*(\d{4})\s*$", re.IGNORECASE)
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _status(text: str) -> tuple[str | None, str]:
    """(the status, or None) and, for a text not in the list, the status it probably means."""
    clean = " ".join(unicodedata.normalize("NFC", text).split())
    for status in an.STATUSES:
        if clean.casefold() == status.casefold():  # as the workbook's check: text compares ignoring case
            return status, ""
    plain = _plain(clean)
    if plain in _PLAIN_STATUSES:
        return None, _PLAIN_STATUSES[plain]
    meant = [s for p, s in _PLAIN_STATUSES.items() if p in plain]
    return None, max(meant, key=len) if meant else ""


def _date_from_text(text: str) -> dt.date | None:
    """A date typed as text, day first as written in Vietnam (10/09/2021, 10-9-2021,
    ngày 10 tháng 9 năm 2021) or ISO (2021-09-10); None when it is no date."""
    match = _DATE_DMY.match(unicodedata.normalize("NFC", text))
    try:
        if match:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _DATE_ISO.match(text)
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def _vn_number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


def _read_field(spec: an.FieldSpec, cell: xlsx.Cell, percent: bool, deadline: dt.date, out: list[Issue], where: dict[str, str],
                date1904: bool = False) -> Any:
    """One answer cell's value for the consolidation (None when it cannot be used), with an
    issue in ``out`` for anything the unit must fix or the officer should know."""
    value = cell.value
    if cell.kind == "e":
        out.append(issue("input-error-value", value=value, **where))
        return None
    if spec.type == "text":
        if isinstance(value, float):
            return _vn_number(value)
        return unicodedata.normalize("NFC", str(value)).strip()
    if spec.type == "status":
        if not isinstance(value, str):
            out.append(issue("tk-status-unknown", value=_vn_number(value) if isinstance(value, float) else value, **where))
            return None
        status, meant = _status(value)
        if status is None:
            out.append(issue("tk-status-unknown", value=value.strip(), read=f"có lẽ là '{meant}'" if meant else "", **where))
        return status
    if spec.type == "date":
        if isinstance(value, float) and (serial_day := xlsx.serial_date(value, date1904)) is not None:  # in the workbook's date system
            day = serial_day
        elif isinstance(value, str):
            day = _date_from_text(value)  # type: ignore[assignment]
            if day is None:
                out.append(issue("tk-date-unreadable", value=value.strip(), **where))
                return None
            out.append(issue("tk-date-text", value=value.strip(), read=day.strftime("%d/%m/%Y"), **where))
        else:
            out.append(issue("tk-date-unreadable", value=value, **where))
            return None
        if not an.FIRST_DAY <= day <= deadline:
            out.append(issue("tk-date-range", value=day.strftime("%d/%m/%Y"), read=deadline.strftime("%d/%m/%Y"), **where))
        return day
    # numbers: percent, amount, value
    if isinstance(value, str):
        number = number_from_text(value.strip().rstrip("%").strip())
        if number is None:
            out.append(issue("tk-not-number", value=value, **where))
        else:
            out.append(issue("tk-number-text", value=value, read=_vn_number(number), **where))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        out.append(issue("tk-not-number", value=value, **where))
        return None
    if value < 0:
        out.append(issue("tk-negative", value=_vn_number(value), **where))
        return None
    if spec.type == "percent" and value > 100:
        out.append(issue("tk-percent-range", value=_vn_number(value), **where))
        return None
    if spec.type == "value" and percent and value > 100:
        out.append(issue("tk-value-range", value=_vn_number(value), **where))
        return None
    if spec.type == "amount":
        return int(round(value))
    return float(value)


def _rows(duty: Duties) -> list[tuple[Task, str, str]]:
    """(task, role, tag) of every row of the unit's workbook."""
    rows = [(t, an.INDICATOR, tn.LEAD_TAG) for t in duty.indicators] + [(t, an.LEAD, tn.LEAD_TAG) for t in duty.tasks]
    return rows + [(t, an.COOPERATE, tn.COOPERATE_TAG) for t in duty.cooperate]


def _read_answers(raw: xlsx.RawWorkbook, destinations: Mapping[str, tuple[str, str]], ctx: Context, duty: Duties, quarter: Quarter,
                  result: TrackedFile, where: dict[str, str]) -> None:
    deadline = ctx.deadline(quarter)
    lead: dict[str, an.TaskAnswer] = {}
    cooperate: dict[str, an.TaskAnswer] = {}
    blank: list[str] = []
    rows = _rows(duty)
    for task, role, tag in rows:
        percent = task.target is not None and task.target.unit == "%"
        typed: dict[str, Any] = {}
        clean: dict[str, Any] = {}
        row_issues: list[Issue] = []
        first = ("", "")
        for spec in an.FIELDS[role]:
            place = destinations.get(tn.cell_name(tag, task.id, spec.key))
            if place is None:
                continue  # the cell is gone: reported with the layout
            first = first if first[0] else place
            found = raw.cells.get(place[0], {}).get(place[1])
            if found is None or found.value is None or (isinstance(found.value, str) and not found.value.strip()):
                typed[spec.key] = None
                continue
            at = dict(sheet=place[0], cell=place[1], criterion=task.id, **where)
            if found.formula:
                value, kind, _ = check.formula_input(found, row_issues, at)
                found = xlsx.Cell(value, kind)
            typed[spec.key] = found.value
            value = _read_field(spec, found, percent, deadline, row_issues, at, raw.date1904)
            if value is not None and value != "":
                clean[spec.key] = value
        if all(v is None for v in typed.values()):
            blank.append(task.id)
            continue
        if clean.get("disbursed") is not None and clean.get("allocated") is not None and clean["disbursed"] > clean["allocated"]:
            place = destinations[tn.cell_name(tag, task.id, "disbursed")]
            row_issues.append(issue("tk-disbursed-over", sheet=place[0], cell=place[1], criterion=task.id, value=fmt_dong(clean["disbursed"]),
                                    read=fmt_dong(clean["allocated"]), **where))
        if not any(i.severity == ERROR for i in row_issues):  # a cell error already says what the row check would
            seen = {**typed, **{k: v for k, v in clean.items() if isinstance(v, dt.date)}}  # a date typed as text was read: not asked again
            verdict = (an.check_cooperate(seen) if role == an.COOPERATE else
                       an.check_indicator(seen, percent) if role == an.INDICATOR else an.check_lead(seen))
            if verdict != an.OK:
                row_issues.append(issue("tk-row-incomplete", sheet=first[0], cell=first[1], criterion=task.id, value=verdict, **where))
        result.issues += row_issues
        result.figures += len(clean)
        if clean:
            (cooperate if role == an.COOPERATE else lead)[task.id] = an.TaskAnswer(**clean)
    result.answers = UnitAnswers(lead, cooperate)
    result.rows, result.expected = len(lead) + len(cooperate), len(rows)
    if blank:
        shown = ", ".join(blank[:3]) + (", …" if len(blank) > 3 else "")  # the full list is in the workbook's sheet of answers
        result.issues.append(issue("tk-rows-blank", value=f"{len(blank)}/{len(rows)} dòng ({shown})", **where))


# -------------------------------------------------------------------------------- ledger


class TrackingLedger(Ledger):
    """The assessment's ledger (same schema, archive and sources), holding the quarterly
    workbooks of one tracking campaign: every quarter, each file under its own period, kind
    "tracking". An assessment archive is refused. The file that counts for a unit is chosen
    as in the assessment (``Ledger.current``), among the quarter's tracking workbooks."""

    counted_kind = KIND

    def __init__(self, root: Path):
        super().__init__(root)
        kinds = {k for (k,) in self.db.execute("SELECT DISTINCT COALESCE(kind, 'self') FROM files")}
        if kinds & {"self", "appraisal"}:
            self.close()
            raise TrackingIntakeError(f"Thư mục lưu trữ {root} là kho của đợt đánh giá chuyển đổi số (có sổ tự đánh giá): "
                                      "dùng thư mục khác cho báo cáo quý (mặc định out/luu-tru-bao-cao-quy)")

    def periods(self) -> list[Quarter]:
        out = []
        for (period,) in self.db.execute("SELECT DISTINCT period FROM files WHERE kind = ? AND accepted = 1", (KIND,)):
            try:
                out.append(Quarter.parse(period))
            except (PeriodError, TypeError):
                continue
        return sorted(out)

    def period_files(self, period: str) -> list[str]:
        return [sha for (sha,) in self.db.execute("SELECT sha256 FROM files WHERE period = ? ORDER BY received_at, sha256", (period,))]

    def blank_units(self, period: str) -> set[str]:
        return {u for (u,) in self.db.execute("SELECT DISTINCT unit FROM files WHERE kind = ? AND accepted = 1 AND period = ? AND figures = 0",
                                              (KIND, period))}

    def tracked(self, sha256: str) -> TrackedFile:
        """A recorded file rebuilt (answers, contacts, issues with their messages made again)."""
        row = self.db.execute("SELECT sha256, size, accepted, unit, period, modified, result, source, issues, kind, figures FROM files "
                              "WHERE sha256 = ?", (sha256,)).fetchone()
        body = loads(row[6] or "{}")
        name = body.get("name") or row[7]
        result = TrackedFile(name, row[0], row[1] or 0, bool(row[2]), row[9] or KIND, row[3] or "", row[4] or "", body.get("identity", {}),
                             row[5], UnitAnswers.from_dict(body.get("answers", {}), name), body.get("contacts", {}),
                             figures=row[10] if row[10] is not None else 0, rows=body.get("rows", 0), expected=body.get("expected", 0))
        result.issues = issue_records(name, row[0], row[8])
        return result

    def senders(self, shas: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """Per file: the first source it came as, its sender and e-mail date."""
        out: dict[str, tuple[str, str, str]] = {}
        for sha, source, sender, sent in self.db.execute("SELECT sha256, source, sender, sent FROM sources ORDER BY seen_at, rowid"):
            if sha in shas and sha not in out:
                out[sha] = (source, sender or "", sent or "")
        return out


def tracking_entry(r: TrackedFile) -> Entry:
    """A checked file as the ledger records it: answers in the result column, rows answered
    and expected where the assessment keeps points and maximum."""
    body = {"identity": r.identity, "name": r.name, "answers": r.answers.as_dict(), "contacts": r.contacts, "rows": r.rows, "expected": r.expected}
    issues = [[i.code, i.unit, i.sheet, i.cell, i.criterion, i.value, i.read] for i in r.issues]
    row = (r.sha256, r.size, int(r.accepted), r.unit, r.period or r.identity.get("period"), r.identity.get("catalog_id"), r.identity.get("level"),
           r.identity.get("generation_id"), r.modified, r.rows, r.expected, r.rows / r.expected if r.expected else None, dumps(body), r.kind,
           r.errors, dumps(issues), r.figures)
    return Entry(r.sha256, r.unit, row, ())


# ------------------------------------------------------------------------------- the run


@dataclass
class UnitState:
    """A roster unit in the quarter: its file that counts (if any), whether it came late."""

    unit: Any  # campaign.Unit
    duties: Duties
    file: TrackedFile | None
    late: bool = False
    late_on: str = ""  # dd/mm/yyyy the file was sent or saved, when late
    blank_only: bool = False  # files received, none with figures
    unchanged: bool = False  # the answers pre-filled from the previous quarter, returned as they were

    @property
    def reported(self) -> bool:
        return self.file is not None


@dataclass
class Quarterly:
    """A quarter's consolidation: units, the summary per task, issues, files received."""

    catalog: TaskCatalog
    recipe: Recipe
    period: Period
    summary: QuarterSummary
    units: list[UnitState]
    issues: list[Issue]
    files: list[dict[str, Any]]
    carried: dict[str, tuple[str, UnitAnswers]]  # per unit: the latest answers (quarter id, answers), to pre-fill the next quarter
    seen: int = 0
    new: int = 0
    seconds: float = 0.0

    @property
    def quarter(self) -> Quarter:
        return self.period.quarter

    @property
    def missing(self) -> list[UnitState]:
        return [u for u in self.units if not u.reported]

    @property
    def late(self) -> list[UnitState]:
        return [u for u in self.units if u.late]

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)

    @property
    def needs_review(self) -> bool:
        """Something for an officer to look at: errors in files, units missing, conflicts, tasks overdue."""
        return self.has_errors or bool(self.missing) or bool(self.summary.conflicts) or bool(self.summary.overdue)

    def answers(self) -> dict[str, UnitAnswers]:
        return {u.unit.code: u.file.answers for u in self.units if u.file is not None}


def consolidate(catalog: TaskCatalog, recipe: Recipe, quarter: Quarter, inputs: Sequence[Path], archive_root: Path, *,
                progress: Callable[[int, int, float], None] | None = None, context: Context | None = None) -> Quarterly:
    """Receive ``inputs`` (files, folders, archives, e-mails; none to rebuild from the ledger),
    record each file, and consolidate ``quarter`` from the files that count."""
    started = time.perf_counter()
    ctx = context or Context.create(catalog, recipe, quarter)
    with Spool() as spool:
        items = walk(inputs, spool)
        ledger = TrackingLedger(archive_root)
        try:
            ledger.start_run([str(p) for p in inputs])
            known = frozenset(ledger.known())
            run_issues: list[Issue] = []
            first_source: dict[str, str] = {}
            received: list[tuple[Item, str]] = []
            new = 0
            for done, item in enumerate(items, start=1):
                item, found, sha = work_item(item, archive_root, known,
                                             lambda data, source, sha: tracking_entry(check_file(data, source, sha, ctx)))
                received.append((item, sha))
                if sha in first_source:
                    run_issues.append(issue("file-duplicate", file=item.source, unit=found.unit if found else ledger.unit(sha),
                                            value=first_source[sha], sha=sha))
                first_source.setdefault(sha, item.source)
                if found is None:
                    ledger.seen(sha, item.source, item.sender, item.sent)
                elif ledger.record(found, item.source, item.sender, item.sent):
                    new += 1
                if progress:
                    progress(done, len(items), time.perf_counter() - started)
            ledger.commit()
            outcome = _outcome(ctx, quarter, ledger, received, first_source, run_issues)
            ledger.finish_run(len(items), new)
        finally:
            ledger.close()
    outcome.seen, outcome.new = len(items), new
    outcome.seconds = time.perf_counter() - started
    return outcome


def _local_day(iso: str) -> dt.date | None:
    when = in_vietnam(iso)
    return when.date() if when else None


def _late_check(ledger: TrackingLedger, result: TrackedFile, deadline: dt.date) -> None:
    """A file that came by e-mail is late when the e-mail is (received on the message's date),
    whatever the time it was saved; otherwise when it was saved after the deadline."""
    sent = ledger.first_sent(result.sha256)
    day = _local_day(sent) if sent else None
    if day is None:
        return
    result.issues = [i for i in result.issues if i.code != "file-late"]
    if day > deadline:
        result.issues.append(issue("file-late", file=result.name, unit=result.unit, value=day.strftime("%d/%m/%Y") + " (ngày gửi thư)",
                                   sha=result.sha256))


def history(ledger: TrackingLedger, before: Quarter) -> dict[Quarter, dict[str, UnitAnswers]]:
    """The answers of the files that count in every earlier quarter recorded in the ledger."""
    out: dict[Quarter, dict[str, UnitAnswers]] = {}
    for q in ledger.periods():
        if q < before:
            out[q] = {unit: ledger.tracked(sha).answers for unit, sha in ledger.current(q.id).items()}
    return out


def _same_as_carried(now: UnitAnswers, before: UnitAnswers) -> bool:
    def carried(rows: Mapping[str, an.TaskAnswer]) -> dict[str, an.TaskAnswer]:
        return {k: a.carried() for k, a in rows.items()}

    funds = any(a.allocated is not None or a.disbursed is not None for a in now.lead.values())
    return not funds and carried(now.lead) == carried(before.lead) and carried(now.cooperate) == carried(before.cooperate)


def _outcome(ctx: Context, quarter: Quarter, ledger: TrackingLedger, received: list[tuple[Item, str]], first_source: dict[str, str],
             run_issues: list[Issue]) -> Quarterly:
    catalog, recipe = ctx.catalog, ctx.recipe
    period = recipe.period(quarter)
    current = ledger.current(quarter.id)
    files = {unit: ledger.tracked(sha) for unit, sha in current.items()}
    earlier = history(ledger, quarter)
    blank = ledger.blank_units(quarter.id)
    issues = list(run_issues)
    units: list[UnitState] = []
    carried: dict[str, tuple[str, UnitAnswers]] = {}
    for unit in recipe.units:
        result = files.get(unit.code)
        state = UnitState(unit, ctx.duties[unit.code], result, blank_only=result is None and unit.code in blank)
        before = next(((q, rows[unit.code]) for q, rows in sorted(earlier.items(), reverse=True) if unit.code in rows), None)
        if result is not None:
            _late_check(ledger, result, period.deadline)
            late = next((i for i in result.issues if i.code == "file-late"), None)
            state.late, state.late_on = late is not None, (late.value.split(" ")[0] if late else "")
            if before is not None and before[0] == quarter.previous and _same_as_carried(result.answers, before[1]):
                state.unchanged = True
                result.issues.append(issue("tk-unchanged", file=result.name, unit=unit.code, value=before[0].vi, sha=result.sha256))
            issues.extend(result.issues)
            carried[unit.code] = (quarter.id, result.answers)
        else:
            issues.append(issue("unit-not-received", unit=unit.code,
                                value=f"{unit.name}; chỉ nhận được sổ chưa có số liệu" if state.blank_only else unit.name))
            if before is not None:
                carried[unit.code] = (before[0].id, before[1])
        units.append(state)
    summary = summarize(catalog, recipe.units, quarter, {u: f.answers for u, f in files.items()}, earlier)
    issues += _summary_issues(summary)
    listing = _files(ledger, quarter, current, received, first_source, issues)
    return Quarterly(catalog, recipe, period, summary, units, issues, listing, carried)


def _summary_issues(summary: QuarterSummary) -> list[Issue]:
    out = []
    for row, conflict in summary.conflicts:
        out.append(issue("tk-conflict", unit=conflict.cooperator, criterion=row.task.id, value=conflict.describe(row.reporting)))
    for row in summary.overdue:
        out.append(issue("tk-overdue", unit=" ".join(row.reporting), criterion=row.task.id, value=f"năm thực hiện {row.task.years_vi}",
                         read=row.status_vi))
    for row in summary.tasks:
        if row.over_budget:
            out.append(issue("tk-over-budget", unit=" ".join(row.reporting), criterion=row.task.id, value=f"{fmt_dong(row.disbursed_to_date or 0)} đồng",
                             read=f"{fmt_dong(row.budget.total or 0)} đồng"))  # type: ignore[union-attr]
    return out


def _files(ledger: TrackingLedger, quarter: Quarter, current: dict[str, str], received: list[tuple[Item, str]], first_source: dict[str, str],
           issues: list[Issue]) -> list[dict[str, Any]]:
    """One row per file of the quarter (every run) and per file received in this run, with
    what was done with it and why; issues of files not in use are added to ``issues``."""
    in_use = {sha: unit for unit, sha in current.items()}
    this_run = {sha for _, sha in received}
    shas = list(dict.fromkeys([*ledger.period_files(quarter.id), *(sha for _, sha in received)]))
    recorded = ledger.files(shas)
    sources = ledger.senders(set(shas))  # type: ignore[arg-type]
    out = []
    listed: set[str] = set()
    for sha in shas:
        if sha not in recorded or sha in listed:
            continue
        listed.add(sha)
        received_at, accepted, unit, modified, _, errors, kind, _, size, figures = recorded[sha]
        result = ledger.tracked(sha)
        source, sender, sent = sources.get(sha, (result.name, "", ""))
        state, reason = _state(sha, result, quarter, in_use, current, sources)
        if sha not in in_use and (sha in this_run or result.period == quarter.id):
            if result.report and result.period == quarter.id:
                issues.append(issue("file-superseded", file=source, unit=unit, value=sources.get(current.get(unit, ""), ("",))[0], sha=sha))
            elif result.report:
                issues.append(issue("tk-period-other", file=source, unit=unit, value=Quarter.parse(result.period).vi, read=quarter.vi, sha=sha))
            else:
                issues.extend(result.issues)
        out.append(dict(source=source, name=Path(source.rsplit("!/", 1)[-1]).name, sha256=sha, size=size, kind=kind, unit=unit, period=result.period,
                        sender=sender, sent=sent, modified=modified, received=received_at, rows=result.rows, expected=result.expected,
                        errors=errors, figures=figures, state=state, reason=reason))
    for item, sha in received:  # the same file received again in this run
        if first_source.get(sha) != item.source:
            out.append(dict(source=item.source, name=item.name, sha256=sha, size=recorded.get(sha, (None,) * 10)[8], kind="", unit="", period="",
                            sender=item.sender, sent=item.sent, modified=None, received=None, rows=0, expected=0, errors=0, figures=0,
                            state="trùng tệp đã nhận", reason=f"giống hệt {first_source.get(sha, '')}"))
    return out


def _state(sha: str, result: TrackedFile, quarter: Quarter, in_use: dict[str, str], current: dict[str, str],
           sources: Mapping[str, tuple[str, str, str]]) -> tuple[str, str]:
    if result.kind == "other":
        found = next((i for i in result.issues if i.code == "file-other"), None)
        return "đã lưu, không đọc số liệu", found.value if found else ""
    if result.kind == "problem":
        return "đã ghi nhận, không đọc được", result.issues[0].message if result.issues else ""
    if not result.accepted:
        found = next((i for i in result.issues if i.severity == ERROR), None)
        return "không dùng được", found.message if found else ""
    if result.period != quarter.id:
        return "sổ của kỳ khác", f"ghi nhận cho {Quarter.parse(result.period).vi}"
    if result.figures == 0:
        return "sổ chưa có số liệu", "không tính là đơn vị đã báo cáo"
    if sha in in_use:
        return "đang dùng", "bản có số liệu lưu sau cùng của đơn vị"
    newer = current.get(result.unit, "")
    return "không dùng", f"đã có bản mới hơn: {sources.get(newer, (newer,))[0]}"
