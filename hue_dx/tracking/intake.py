"""`hue-dx tasks consolidate`: returned quarterly workbooks in, each unit's answers out, through
the intake engine every kind of return shares (``intake.engine``: receiving, archiving by
SHA-256, recording, which file counts, lateness by the e-mail's date, the listing).

What is the quarterly report's own (``Quarterly``, its plug-in): which unit's layout a file must
have (each unit's workbook holds its own rows: its yardstick is built once per distinct set of
rows and kept in the cache folder, ``Context.expected``), how each answer cell is read
(``reading``), and the quarter's outcome: each unit's file that counts, the summary per task,
what was late, unchanged or missing.

Ledger: one per tracking campaign, all quarters in it (the default folder differs from the
assessment's). Its rows have kind "tracking" and the file's own period, so a quarter's files
are told apart and a file of another quarter that arrives late is recorded for that quarter.
An assessment archive is refused, so the two never read each other's files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import names as nm
from .. import vn
from ..intake import engine, xlsx
from ..intake import layouts as stored_layouts
from ..intake.engine import OTHER_PERIOD, UNREADABLE, ReceivedFile, Run, Wording
from ..intake.layout import (
    CellReader,
    ReadPlan,
    Yardstick,
    check_layout,
    contact_issues,
    destinations_of,
    late_issue,
    open_return,
)
from ..intake.ledger import Entry, FileRow, Ledger, Record, Stored, dumps, issue_rows
from ..intake.received import InputError, Item
from ..issues import ERROR, Issue, issue
from . import answers as an
from . import names as tn
from .periods import Period, PeriodError, Quarter
from .reading import read_answers
from .recipe import Recipe
from .roles import Duties
from .roles import duties as duties_of
from .summary import QuarterSummary, UnitAnswers, summarize
from .tasks import TaskCatalog

__all__ = ["InputError", "Context", "Quarterly", "QuarterlyKind", "TrackedFile", "UnitState", "check_file", "consolidate"]

KIND = tn.KIND
DEFAULT_ARCHIVE = Path("out") / "luu-tru-bao-cao-quy"
# The assessment's layout codes speak of scores; a tracking workbook has row checks instead.
_LAYOUT_CODES = {"layout-changed": "tk-layout-changed", "formula-changed": "tk-check-changed", "score-overwritten": "tk-check-overwritten"}
# The modules whose code decides a quarterly workbook's sheets, names and formulas.
GENERATOR_SOURCES = ("tracking/workbook.py", "tracking/names.py", "tracking/answers.py", "workbook/build.py", "names.py")


# ---------------------------------------------------------------------------------- context


@dataclass
class Context:
    """What checking needs: the tasks, the campaign, every unit's duties, and each unit's
    expected layout (one per distinct set of rows: read from the cache folder, else built from
    the generator once and kept there)."""

    catalog: TaskCatalog
    recipe: Recipe
    quarter: Quarter
    duties: dict[str, Duties] = field(default_factory=dict)
    _expected: dict[str, Yardstick] = field(default_factory=dict)

    @classmethod
    def create(cls, catalog: TaskCatalog, recipe: Recipe, quarter: Quarter) -> Context:
        return cls(catalog, recipe, quarter, duties_of(catalog, recipe.units))

    def expected(self, unit: str) -> Yardstick:
        duty = self.duties[unit]
        signature = _signature(duty)
        found = self._expected.get(signature)
        if found is None:
            found = self._expected[signature] = _yardstick(self, duty, signature)
        return found

    def prepare(self) -> None:
        """Every unit's yardstick at hand (in the parent: worker processes inherit them)."""
        for unit in self.duties:
            self.expected(unit)

    def deadline(self, quarter: Quarter) -> dt.date:
        return self.recipe.period(quarter).deadline


def _signature(duty: Duties) -> str:
    """What a unit's workbook layout depends on besides the tasks file and the generator: its rows."""
    return "|".join([duty.unit.level, ",".join(t.id for t in duty.lead), ",".join(sorted(duty.on_behalf)),
                     ",".join(t.id for t in duty.cooperate)])


def _yardstick(ctx: Context, duty: Duties, signature: str) -> Yardstick:
    """The unit's workbook as the generator writes it: sheets, names, formulas, where the answers
    and contacts are. The layout depends on the unit's rows only (dates, names and pre-filled
    answers are values, not layout; tested), so units with the same rows share one."""
    def build() -> dict[str, Any]:
        from .workbook import build as build_workbook

        built = build_workbook(ctx.catalog, duty, ctx.recipe.units, ctx.recipe.period(ctx.quarter))
        return stored_layouts.of_workbook(built.data, built.fingerprint)

    key = stored_layouts.generator_key(Path(ctx.catalog.path).read_bytes() if Path(ctx.catalog.path).is_file() else ctx.catalog.id.encode(),
                                       signature.encode(), sources=GENERATOR_SOURCES)
    layout = stored_layouts.cached(f"tracking-{ctx.catalog.id}", key, build)
    destinations = destinations_of(layout["names"])
    wanted = _wanted(destinations)
    return Yardstick.of(layout, destinations, wanted, {s: frozenset(r) for s, r in wanted.items()})


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

    def entry(self) -> Entry:
        """The file as the ledger records it: answers in the result column, rows answered and
        expected where the assessment keeps points and maximum."""
        body = {"identity": self.identity, "name": self.name, "answers": self.answers.as_dict(), "contacts": self.contacts,
                "rows": self.rows, "expected": self.expected}
        return Entry(Record(self.sha256, self.size, self.accepted, self.unit, self.period or self.identity.get("period"),
                            self.identity.get("catalog_id"), self.identity.get("level"), self.identity.get("generation_id"), self.modified,
                            self.rows, self.expected, self.rows / self.expected if self.expected else None, dumps(body), self.kind,
                            self.errors, issue_rows(self.issues), self.figures))

    @classmethod
    def from_stored(cls, stored: Stored) -> TrackedFile:
        """A recorded file rebuilt (answers, contacts, issues with their messages made again)."""
        row, body = stored.row, stored.body
        return cls(row.name, row.sha256, row.size, row.accepted, row.kind, row.unit, row.period, body.get("identity", {}), row.modified,
                   UnitAnswers.from_dict(body.get("answers", {}), row.name), body.get("contacts", {}), stored.issues,
                   max(row.figures, 0), body.get("rows", 0), body.get("expected", 0))


def _plan_reading(ctx: Context, book: xlsx.RawWorkbook, plan: ReadPlan) -> dict[str, set[str]]:
    from ..intake.layout import read_identity

    identity, _ = read_identity(book)
    unit = identity.get("unit_code", "")
    if identity.get("kind") != KIND or unit not in ctx.duties:
        return {}
    expected = ctx.expected(unit)
    names = book.names
    if all(names.get(n) == expected.names[n] for n in expected.destinations):
        plan.destinations = expected.destinations
        return expected.wanted
    own = destinations_of(names)
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
    plan = ReadPlan()  # how the cells are found: the generator's layout, the file's own names, or positions
    opened = open_return(data, lambda book: _plan_reading(ctx, book, plan), result.issues, where)
    if opened is None:
        return
    raw, identity = opened.raw, opened.identity
    result.modified, result.identity = raw.modified, identity
    if not opened.identified:
        return
    if identity.get("kind") != KIND:
        result.issues.append(issue("tk-not-tracking", value=f"{identity.get('kind') or 'sổ tự đánh giá'} {identity['catalog_id']}", **where))
        return
    result.unit = identity["unit_code"]
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
        layout = check_layout(raw, expected, plan, found, where)
        result.issues += [issue(_LAYOUT_CODES[i.code], file=i.file, unit=i.unit, sheet=i.sheet, cell=i.cell, value=i.value, read=i.read,
                                sha=result.sha256) if i.code in _LAYOUT_CODES else i for i in found]
        if plan.by_position and layout.renamed:  # read again at the generator's positions on the renamed sheets
            plan.destinations = {n: (layout.renamed.get(s, s), r) for n, (s, r) in plan.destinations.items()}
            raw = xlsx.read(data, _wanted(plan.destinations), formulas=False)
    read = read_answers(raw, plan.destinations, duty, ctx.deadline(quarter), where)
    result.answers, result.figures, result.rows, result.expected = read.answers, read.figures, read.rows, read.expected
    result.issues += read.issues
    contacts = {k: plan.destinations[nm.identity_name(k)] for k in nm.UNIT_FIELDS if nm.identity_name(k) in plan.destinations}
    cells = CellReader(raw, plan.destinations)
    contact_issues(cells, contacts, result.issues, where)
    for key, place in contacts.items():
        value = cells.at(*place).value
        result.contacts[key] = "" if value is None else str(value).strip()
    late_issue(raw.modified, ctx.deadline(quarter), result.issues, where)
    result.accepted = True
    if result.figures == 0:
        # nothing was reported: one record says so, not one per row
        result.issues = [i for i in result.issues if i.code not in ("tk-rows-blank", "tk-row-incomplete", "contact-missing")]
        result.issues.append(issue("file-blank", **where))


# ------------------------------------------------------------------------------- the kind


@dataclass
class QuarterlyKind(engine.ReturnKind):
    """The quarterly reports on the plan's tasks, plugged into the intake engine."""

    context: Context

    kind = KIND
    kinds = frozenset({KIND})
    default_archive = DEFAULT_ARCHIVE
    wording = Wording(other="đã lưu, không đọc số liệu", blank="không tính là đơn vị đã báo cáo")
    codes = {"file-other": "tk-file-other", "file-other-period": "tk-period-other", "file-fewer-figures": "tk-fewer-figures"}

    def check(self, data: bytes, source: str, sha256: str) -> Entry:
        return check_file(data, source, sha256, self.context).entry()

    def prepare(self) -> None:
        self.context.prepare()

    def measures(self, row: FileRow) -> dict[str, Any]:
        return {"rows": int(row.total or 0), "expected": int(row.max or 0)}

    def period_vi(self, period: str) -> str:
        try:
            return Quarter.parse(period).vi
        except PeriodError:
            return period


# ------------------------------------------------------------------------------- the run


@dataclass
class UnitState:
    """A roster unit in the quarter: its file that counts (if any), whether it came late, and
    every other file received from it for the quarter (refused, of another quarter, blank,
    replaced), with what was done with each and why (the engine's listing)."""

    unit: Any  # campaign.Unit
    duties: Duties
    file: TrackedFile | None
    late: bool = False
    late_on: str = ""  # dd/mm/yyyy of the date that made it late
    late_by: str = ""  # which date that is: the e-mail's (layout.MAIL_DATE) or the file's last save (layout.SAVED_DATE)
    blank_only: bool = False  # files received, none with figures
    unchanged: bool = False  # the answers pre-filled from the previous quarter, returned as they were
    arrived: tuple[ReceivedFile, ...] = ()  # its files received for the quarter that do not count

    @property
    def reported(self) -> bool:
        return self.file is not None

    @property
    def refused(self) -> tuple[ReceivedFile, ...]:
        """Files that could not be used: not a quarterly workbook that can be read (an .xls, a broken file)."""
        return tuple(f for f in self.arrived if f.state in (engine.UNUSABLE, UNREADABLE) or f.kind == "other")

    @property
    def other_period(self) -> tuple[ReceivedFile, ...]:
        return tuple(f for f in self.arrived if f.state == OTHER_PERIOD)


@dataclass
class Quarterly:
    """A quarter's consolidation: units, the summary per task, issues, files received."""

    catalog: TaskCatalog
    recipe: Recipe
    period: Period
    summary: QuarterSummary
    units: list[UnitState]
    issues: list[Issue]
    files: list[ReceivedFile]
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
                progress: Callable[[int, int, float], None] | None = None, context: Context | None = None,
                workers: int | None = None, record: bool = True) -> Quarterly:
    """Receive ``inputs`` (files, folders, archives, e-mails; none to rebuild from the ledger),
    record each file, and consolidate ``quarter`` from the files that count. ``record``: the
    quarter is recorded in the ledger as consolidated (``tasks consolidate``), so that it is a
    period of the trend; a report rebuilt from the ledger (``tasks report``) records nothing."""
    kind = QuarterlyKind(context or Context.create(catalog, recipe, quarter))
    return engine.consolidate(kind, inputs, archive_root, lambda ledger, run: _outcome(kind, quarter, ledger, run, record),
                              workers=workers, progress=progress)


def periods(ledger: Ledger) -> list[Quarter]:
    """The quarters consolidated as quarters (``tasks consolidate --period``). A file recorded
    for a quarter that never was (a unit's workbook of the last quarter, sent during this one)
    is listed and flagged, and makes no period: no trend point, no comparison."""
    out = set()
    for period in ledger.consolidated(KIND):
        try:
            out.add(Quarter.parse(period))
        except (PeriodError, TypeError):
            continue
    return sorted(out)


def was_consolidated(archive_root: Path, quarter: Quarter) -> bool:
    """Whether ``quarter`` was consolidated in the archive (read-only: nothing is created)."""
    if not (archive_root / "ledger.sqlite").is_file():
        return False
    ledger = Ledger.reader(archive_root)
    try:
        return quarter in periods(ledger)
    finally:
        ledger.close()


def history(ledger: Ledger, before: Quarter) -> dict[Quarter, dict[str, UnitAnswers]]:
    """The answers of the files that count in every earlier quarter consolidated in the ledger."""
    out: dict[Quarter, dict[str, UnitAnswers]] = {}
    for q in periods(ledger):
        if q < before:
            out[q] = {unit: TrackedFile.from_stored(ledger.stored(sha)).answers for unit, sha in ledger.current(q.id, KIND).items()}
    return out


def _same_as_carried(now: UnitAnswers, before: UnitAnswers) -> bool:
    def carried(rows: Mapping[str, an.TaskAnswer]) -> dict[str, an.TaskAnswer]:
        return {k: a.carried() for k, a in rows.items()}

    funds = any(a.allocated is not None or a.disbursed is not None for a in now.lead.values())
    return not funds and carried(now.lead) == carried(before.lead) and carried(now.cooperate) == carried(before.cooperate)


_NOT_FROM_A_UNIT = (engine.IN_USE, engine.DUPLICATE)
_CODE_TOKEN = re.compile(r"[0-9A-Za-z]+")


def _with_earlier(ledger: Ledger, quarter: Quarter, run: Run) -> Run:
    """This run, with the files received by the earlier runs that consolidated the quarter put
    before it: the listing then shows everything that arrived for the quarter, also what no
    period holds (an .xls, a workbook of another quarter), whichever run received it."""
    earlier = [(Item(source, "", sender=sender, sent=sent), sha) for sha, source, sender, sent in ledger.received_for(KIND, quarter.id)
               if sha not in run.first_source]
    first = dict(run.first_source)
    kept = []
    for item, sha in earlier:
        if sha not in first:
            first[sha] = item.source
            kept.append((item, sha))
    return Run([*kept, *run.items], first, run.issues, run.new)


def unit_of_file(f: ReceivedFile, codes: Mapping[str, str]) -> str:
    """The unit a received file is from: as identified inside it, else the one roster code its
    name holds (a refused .xls keeps the name of the workbook it was made from:
    2022-Q3_SXD_So-Xay-dung.xls), else "" (``codes``: code case-folded -> code)."""
    if f.unit:
        return f.unit
    found = {codes[t.casefold()] for t in _CODE_TOKEN.findall(f.name) if t.casefold() in codes}
    return found.pop() if len(found) == 1 else ""


def arrivals(files: Sequence[ReceivedFile], units: Sequence[Any]) -> dict[str, list[ReceivedFile]]:
    """Per unit, its files received for the quarter that do not count (containers and copies aside)."""
    codes = {u.code.casefold(): u.code for u in units}
    out: dict[str, list[ReceivedFile]] = {}
    for f in files:
        if f.kind == "container" or f.state in _NOT_FROM_A_UNIT:
            continue
        unit = unit_of_file(f, codes)
        if unit:
            out.setdefault(unit, []).append(f)
    return out


def _outcome(kind: QuarterlyKind, quarter: Quarter, ledger: Ledger, run: Run, record: bool = True) -> Quarterly:
    if record:
        ledger.mark_consolidated(KIND, quarter.id)
    ctx = kind.context
    catalog, recipe = ctx.catalog, ctx.recipe
    period = recipe.period(quarter)
    current = ledger.current(quarter.id, KIND)
    choices = ledger.choices(quarter.id)
    rows = ledger.files(current.values())
    files = {unit: TrackedFile.from_stored(ledger.stored(sha)) for unit, sha in current.items()}
    earlier = history(ledger, quarter)
    blank = ledger.blank_units(quarter.id, KIND)
    issues = list(run.issues)
    units: list[UnitState] = []
    carried: dict[str, tuple[str, UnitAnswers]] = {}
    for unit in recipe.units:
        result = files.get(unit.code)
        state = UnitState(unit, ctx.duties[unit.code], result, blank_only=result is None and unit.code in blank)
        before = next(((q, answers[unit.code]) for q, answers in sorted(earlier.items(), reverse=True) if unit.code in answers), None)
        if result is not None:
            row = rows[result.sha256]
            mail_late, late = engine.late_by_mail(kind, row, period.deadline)
            if mail_late is not None:
                result.issues = engine.without_saved_lateness(result.issues) + ([late] if late else [])
            said = engine.chosen_issue(kind, row, choices.get(unit.code)) or engine.fewer_figures(kind, ledger, row, quarter.id)
            if said is not None:
                result.issues.append(said)
            late_record = next((i for i in result.issues if i.code == "file-late"), None)
            if late_record is not None:
                state.late, state.late_on, state.late_by = True, late_record.value, late_record.read
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
    summary = summarize(catalog, recipe.units, quarter, {u: f.answers for u, f in files.items()}, earlier, recipe.opening)
    issues += _summary_issues(summary)
    listed = engine.listing(kind, ledger, quarter.id, current, choices, _with_earlier(ledger, quarter, run))
    issues += listed.superseded
    for sha in listed.not_in_use:
        issues.extend(ledger.issues_of(sha))
    arrived = arrivals(listed.files, recipe.units)
    for state in units:
        state.arrived = tuple(arrived.get(state.unit.code, ()))
    return Quarterly(catalog, recipe, period, summary, units, issues, listed.files, carried)


def _summary_issues(summary: QuarterSummary) -> list[Issue]:
    out = []
    for row, conflict in summary.conflicts:
        out.append(issue("tk-conflict", unit=conflict.cooperator, criterion=row.task.id, value=conflict.describe(row.reporting)))
    for row in summary.overdue:
        out.append(issue("tk-overdue", unit=" ".join(row.reporting), criterion=row.task.id, value=f"năm thực hiện {row.task.years_vi}",
                         read=row.status_vi))
    for row in summary.tasks:
        if row.over_budget:
            out.append(issue("tk-over-budget", unit=" ".join(row.reporting), criterion=row.task.id, value=f"{vn.whole(row.disbursed_to_date or 0)} đồng",
                             read=f"{vn.whole(row.budget.total or 0)} đồng"))  # type: ignore[union-attr]
    return out
