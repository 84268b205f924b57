"""What a quarter's answers say, task by task (pure, no I/O): the lead's status merged with the
cooperators' contributions and the conflicts between them, tasks past their years and not
done, indicators against their 2025 targets with the trend over the quarters, funds
disbursed against Phụ lục 5, and the figures of every quarter for the year's trend.

Input: the answers of each unit's file that counts, per quarter (``UnitAnswers``); the
consolidator reads them from the returned workbooks and the ledger. Rules (also in
docs/tracking.md, "Tổng hợp quý"):

- a task's status is its reporting units' statuses merged: hoàn thành when every one of them
  reports it done; chậm tiến độ when any reports it late; dừng or chưa triển khai when all say
  so; otherwise đang triển khai. With one lead, that is the lead's status. A task nobody
  reported has no status ("chưa báo cáo");
- percent done is the mean over the reporting units that gave one (hoàn thành counts 100 and
  chưa triển khai 0 when left blank);
- a conflict is a cooperator whose part contradicts the lead's status (see ``CONFLICTS``);
- a task is overdue when its last year is before the quarter's year and it is not done; it is
  due when its last year is the quarter's year and it is not done;
- an indicator's value in a quarter is the mean of the values its reporting units gave
  (several units lead "Các sở, ban, ngành" rows, each for its own field); progress is that
  value against the target;
- funds are summed over the reporting units; the amount disbursed to date is the opening
  balance (what was disbursed before the quarters tracked, entered once: ``recipe.Opening``)
  plus every consolidated quarter after it (the funds fields are the period's own, never
  carried over).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..campaign import CampaignError, Unit
from .answers import DONE, IN_PROGRESS, LATE, NOT_STARTED, STATUSES, STOPPED, TaskAnswer
from .periods import Quarter
from .recipe import Opening
from .roles import cooperating_units, external_leads, reporting_units
from .tasks import BudgetRow, Task, TaskCatalog

NO_REPORT = "chưa báo cáo"
STATUS_ORDER = (*STATUSES, NO_REPORT)

#: lead status -> cooperator statuses that contradict it, with why
CONFLICTS: dict[str, dict[str, str]] = {
    NOT_STARTED: {s: "đơn vị chủ trì báo chưa triển khai nhưng phần việc phối hợp đã bắt đầu" for s in (IN_PROGRESS, LATE, DONE)},
    DONE: {s: "đơn vị chủ trì báo hoàn thành nhưng phần việc phối hợp chưa xong" for s in (NOT_STARTED, IN_PROGRESS, LATE)},
    STOPPED: {s: "đơn vị chủ trì báo đã dừng nhưng phần việc phối hợp vẫn đang làm" for s in (IN_PROGRESS, LATE)},
}


@dataclass(frozen=True)
class UnitAnswers:
    """One unit's answers in one quarter: rows it answers as lead (indicators included) and
    rows it cooperates on, by task id. Only rows with something in them are present."""

    lead: Mapping[str, TaskAnswer] = field(default_factory=dict)
    cooperate: Mapping[str, TaskAnswer] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"lead": {k: a.as_dict() for k, a in self.lead.items()}, "cooperate": {k: a.as_dict() for k, a in self.cooperate.items()}}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], where: str = "") -> UnitAnswers:
        return cls({k: TaskAnswer.from_dict(v, f"{where}: {k}") for k, v in raw.get("lead", {}).items()},
                   {k: TaskAnswer.from_dict(v, f"{where}: {k}") for k, v in raw.get("cooperate", {}).items()})

    @property
    def empty(self) -> bool:
        return not self.lead and not self.cooperate


def merged_status(statuses: Sequence[str], expected: int) -> str | None:
    """The task's status from its reporting units' statuses (``expected``: how many units
    report it as lead)."""
    if not statuses:
        return None
    kinds = set(statuses)
    if kinds == {DONE}:
        return DONE if len(statuses) >= expected else IN_PROGRESS  # some units still to report their part
    if LATE in kinds:
        return LATE
    if kinds == {STOPPED}:
        return STOPPED
    if kinds == {NOT_STARTED}:
        return NOT_STARTED
    return IN_PROGRESS


def effective_percent(answer: TaskAnswer) -> float | None:
    """Percent done as a reader takes it: a blank beside hoàn thành is 100, beside chưa triển khai 0."""
    if answer.percent is not None:
        return answer.percent
    if answer.status == DONE:
        return 100.0
    if answer.status == NOT_STARTED:
        return 0.0
    return None


def _mean(values: Iterable[float | None]) -> float | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) / len(numbers) if numbers else None


def _sum(values: Iterable[int | None]) -> int | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) if numbers else None


@dataclass(frozen=True)
class Conflict:
    task: str
    lead_status: str
    cooperator: str
    cooperator_status: str
    why: str

    def describe(self, leads: Sequence[str]) -> str:
        """In a few words, with unit codes: 'chủ trì STTTT: chưa triển khai; phối hợp SNV: hoàn thành'."""
        lead = " ".join(leads) if len(leads) <= 2 else f"{len(leads)} đơn vị"
        return f"chủ trì {lead}: {self.lead_status}; phối hợp {self.cooperator}: {self.cooperator_status}"


@dataclass(frozen=True)
class TaskRow:
    """One task (document, programme, project, duty) in one quarter."""

    task: Task
    reporting: tuple[str, ...]  # roster units that answer it as lead
    cooperating: tuple[str, ...]
    external: tuple[str, ...]  # names of external leads (reported on their behalf)
    answers: Mapping[str, TaskAnswer]  # lead answers received, by unit
    contributions: Mapping[str, TaskAnswer]  # cooperation answers received, by unit
    status: str | None
    percent: float | None
    allocated: int | None  # in the period, summed over the reporting units
    disbursed: int | None
    disbursed_to_date: int | None  # every quarter of the plan so far
    budget: BudgetRow | None
    conflicts: tuple[Conflict, ...]
    overdue: bool
    due: bool

    @property
    def status_vi(self) -> str:
        return self.status or NO_REPORT

    @property
    def reported(self) -> tuple[str, ...]:
        """Reporting units that gave a status."""
        return tuple(u for u in self.reporting if u in self.answers and self.answers[u].status)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(u for u in self.reporting if u not in self.reported)

    @property
    def statuses(self) -> Counter[str]:
        return Counter(self.answers[u].status for u in self.reported)  # type: ignore[misc]

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.budget.total is not None and (self.disbursed_to_date or 0) > self.budget.total

    @property
    def disbursed_share(self) -> float | None:
        """Disbursed to date against the Phụ lục 5 total (0–1 and more)."""
        if self.budget is None or not self.budget.total or self.disbursed_to_date is None:
            return None
        return self.disbursed_to_date / self.budget.total


@dataclass(frozen=True)
class IndicatorRow:
    task: Task
    reporting: tuple[str, ...]
    answers: Mapping[str, TaskAnswer]  # lead answers received, by unit
    value: float | None  # mean of the values received
    trend: tuple[tuple[str, float | None], ...]  # (quarter id, value) for every quarter with data, oldest first

    @property
    def target(self) -> float | None:
        return self.task.target.value if self.task.target else None

    @property
    def progress(self) -> float | None:
        """The value against the target, in percent of the target."""
        if self.value is None or not self.target:
            return None
        return self.value / self.target * 100

    @property
    def reported(self) -> tuple[str, ...]:
        return tuple(u for u in self.reporting if u in self.answers and self.answers[u].value is not None)


@dataclass(frozen=True)
class TrendPoint:
    """The province in one quarter: tasks by status, indicators, funds, units that reported."""

    quarter: str
    statuses: Mapping[str, int]  # every tracked task other than indicators, by merged status (NO_REPORT included)
    indicators: Mapping[str, float | None]
    disbursed: int  # in the quarter, all tasks
    disbursed_to_date: int
    units_reported: int


@dataclass(frozen=True)
class QuarterSummary:
    quarter: Quarter
    tasks: tuple[TaskRow, ...]
    indicators: tuple[IndicatorRow, ...]
    trend: tuple[TrendPoint, ...]  # every quarter with answers up to this one, oldest first
    names: Mapping[str, str]  # unit code -> name, for messages
    before: Mapping[str, str | None] = field(default_factory=dict)  # each task's status in the quarter just before, if consolidated
    before_quarter: str | None = None  # that quarter (None: the previous quarter was not consolidated)
    funds_since: str | None = None  # the first quarter whose disbursement is counted to date
    opening_total: int = 0  # the opening balance (đồng) counted to date, all tasks
    opening_as_of: str | None = None  # ISO date the opening balance runs to (None: no opening balance)

    @property
    def newly_done(self) -> tuple[TaskRow, ...]:
        """Tasks done now that were not done in the quarter before (all done ones when it was not consolidated)."""
        return tuple(r for r in self.tasks if r.status == DONE and self.before.get(r.task.id) != DONE)

    @property
    def conflicts(self) -> list[tuple[TaskRow, Conflict]]:
        return [(row, c) for row in self.tasks for c in row.conflicts]

    @property
    def overdue(self) -> tuple[TaskRow, ...]:
        return tuple(r for r in self.tasks if r.overdue)

    def by_appendix(self) -> dict[str, Counter[str]]:
        """Tasks by merged status, per appendix (PL2, PL3, IV), in the plan's order."""
        out: dict[str, Counter[str]] = {}
        for row in self.tasks:
            out.setdefault(row.task.appendix, Counter())[row.status_vi] += 1
        return out

    def funds(self) -> dict[str, int]:
        """Totals over every task: allocated and disbursed in the period, disbursed to date,
        and the Phụ lục 5 total of the projects that print an amount."""
        return {"allocated": sum(r.allocated or 0 for r in self.tasks), "disbursed": sum(r.disbursed or 0 for r in self.tasks),
                "disbursed_to_date": sum(r.disbursed_to_date or 0 for r in self.tasks),
                "planned": sum(r.budget.total or 0 for r in self.tasks if r.budget is not None)}


# ---------------------------------------------------------------------------------- building


def _task_row(catalog: TaskCatalog, task: Task, units: Sequence[Unit], quarter: Quarter, answers: Mapping[str, UnitAnswers],
              disbursed_before: int | None, counted: bool = True) -> TaskRow:
    """``counted``: the quarter's disbursement adds to the amount to date (not already in the opening balance)."""
    reporting = reporting_units(catalog, task, units)
    cooperating = cooperating_units(catalog, task, units)
    leads = {u: answers[u].lead[task.id] for u in reporting if u in answers and task.id in answers[u].lead}
    contributions = {u: answers[u].cooperate[task.id] for u in cooperating if u in answers and task.id in answers[u].cooperate}
    statuses = [a.status for a in leads.values() if a.status]
    status = merged_status(statuses, len(reporting))
    conflicts = []
    if status in CONFLICTS:
        for unit, answer in contributions.items():
            why = CONFLICTS[status].get(answer.status or "")
            if why:
                conflicts.append(Conflict(task.id, status, unit, answer.status or "", why))  # type: ignore[arg-type]
    disbursed = _sum(a.disbursed for a in leads.values())
    to_date = disbursed_before if disbursed is None or not counted else (disbursed_before or 0) + disbursed
    done = status == DONE
    return TaskRow(
        task=task, reporting=reporting, cooperating=cooperating, external=tuple(b.name for b in external_leads(catalog, task)),
        answers=leads, contributions=contributions, status=status, percent=_mean(effective_percent(a) for a in leads.values()),
        allocated=_sum(a.allocated for a in leads.values()), disbursed=disbursed, disbursed_to_date=to_date,
        budget=catalog.budget.by_project.get(task.id), conflicts=tuple(conflicts),
        overdue=task.end < quarter.year and not done, due=task.end == quarter.year and not done)


def _indicator_values(catalog: TaskCatalog, task: Task, units: Sequence[Unit], answers: Mapping[str, UnitAnswers]) -> dict[str, TaskAnswer]:
    return {u: answers[u].lead[task.id] for u in reporting_units(catalog, task, units) if u in answers and task.id in answers[u].lead}


def opening_amounts(catalog: TaskCatalog, opening: Opening) -> dict[str, int]:
    """The opening balance by task id (a Phụ lục 5 row id stands for its project); an id that
    is no project of the plan with a Phụ lục 5 row is refused, with the file and the id."""
    projects = {b.project.upper(): b.project for b in catalog.budget.rows}
    rows = {b.id.upper(): b.project for b in catalog.budget.rows}
    out: dict[str, int] = {}
    for code, amount in opening.amounts.items():
        task = projects.get(code) or rows.get(code)
        if task is None:
            raise CampaignError(f"{opening.file}: {code} không phải dự án có dòng kinh phí ở Phụ lục 5 (ví dụ PL3.A.I.1 hoặc PL5.A.I.1)")
        if task in out:
            raise CampaignError(f"{opening.file}: {code} và một dòng khác cùng chỉ dự án {task}")
        out[task] = amount
    return out


def summarize(catalog: TaskCatalog, units: Sequence[Unit], quarter: Quarter, answers: Mapping[str, UnitAnswers],
              history: Mapping[Quarter, Mapping[str, UnitAnswers]] | None = None, opening: Opening | None = None) -> QuarterSummary:
    """The quarter's summary from the answers of the files that count (by unit code), and the
    trend from ``history``: the same for the earlier quarters of the plan (later ones ignored).
    ``opening``: what was disbursed before the quarters tracked; a quarter whose cut-off ends
    by its date is in it already, so only later quarters add to it."""
    earlier = {q: a for q, a in (history or {}).items() if q < quarter}
    quarters = [*sorted(earlier), quarter]
    by_quarter = {**earlier, quarter: answers}
    tracked = [t for t in catalog.tracked if t.kind != "indicator"]
    indicator_tasks = [t for t in catalog.tracked if t.kind == "indicator"]
    start = opening_amounts(catalog, opening) if opening else {}
    to_date: dict[str, int | None] = {t.id: start.get(t.id) for t in tracked}
    counted = [q for q in quarters if opening is None or opening.counts(q)]
    trend: list[TrendPoint] = []
    rows: list[TaskRow] = []
    values: dict[str, list[tuple[str, float | None]]] = {t.id: [] for t in indicator_tasks}
    before: dict[str, str | None] = {}
    for q in quarters:
        current = by_quarter[q]
        before = {r.task.id: r.status for r in rows}
        rows = [_task_row(catalog, t, units, q, current, to_date[t.id], q in counted) for t in tracked]
        for row in rows:
            to_date[row.task.id] = row.disbursed_to_date
        point_values = {}
        for t in indicator_tasks:
            value = _mean(a.value for a in _indicator_values(catalog, t, units, current).values())
            values[t.id].append((q.id, value))
            point_values[t.id] = value
        statuses = Counter(r.status_vi for r in rows)
        trend.append(TrendPoint(q.id, {s: statuses.get(s, 0) for s in STATUS_ORDER}, point_values,
                                sum(r.disbursed or 0 for r in rows), sum(r.disbursed_to_date or 0 for r in rows),
                                sum(1 for a in current.values() if not a.empty)))
    indicators = []
    for t in indicator_tasks:
        received = _indicator_values(catalog, t, units, answers)
        series = tuple(values[t.id])
        indicators.append(IndicatorRow(t, reporting_units(catalog, t, units), received, series[-1][1], series))
    # compared only with the quarter just before, when it was consolidated: not across a gap
    compared = len(quarters) > 1 and quarters[-2] == quarter.previous
    return QuarterSummary(quarter, tuple(rows), tuple(indicators), tuple(trend), {u.code: u.name for u in units},
                          before if compared else {}, quarters[-2].id if compared else None, counted[0].id if counted else None,
                          sum(start.get(t.id, 0) for t in tracked), opening.as_of.isoformat() if opening else None)
