"""The counts a quarter is told by, computed once (pure): the report to UBND tỉnh, the letters'
context, the consolidated workbook's overview, the JSON and the console line all read them
from here, so a figure never says one thing in one place and another elsewhere.

Each count is named for what it counts: units (of the roster), tasks (of Phụ lục 2, 3 and mục
IV), pairs (a lead's report and one cooperating unit's report that contradict it: one task
can have many), files. A conflict is counted both ways: ``conflict_tasks`` tasks hold
``conflict_pairs`` contradicting pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..intake.engine import OTHER_PERIOD, UNREADABLE, UNUSABLE
from .answers import DONE, LATE, STOPPED
from .intake import Quarterly


@dataclass(frozen=True)
class Figures:
    units: int  # units of the roster
    units_reported: int  # with a file that counts
    units_on_time: int
    units_late: int
    units_missing: int  # without a file that counts
    units_blank: int  # of the missing: sent only workbooks without figures
    units_refused: int  # of the missing: sent files that could not be used (an .xls, a broken file…)
    units_other_period: int  # of the missing: sent a workbook of another quarter
    units_nothing: int  # of the missing: nothing received at all
    units_unchanged: int  # returned the previous quarter's pre-filled answers unchanged
    tasks: int  # tracked tasks, indicators aside
    tasks_done: int
    tasks_newly_done: int  # done now, not in the quarter before (when it was consolidated)
    tasks_overdue: int  # past their last year, not done
    tasks_due: int  # last year is this year, not done
    tasks_late: int  # reported late (chậm tiến độ)
    tasks_stopped: int
    tasks_not_reported: int
    conflict_tasks: int  # tasks where a cooperating unit contradicts the lead
    conflict_pairs: int  # the (task, cooperating unit) pairs that do
    conflict_units: int  # the cooperating units that do, once each
    indicators: int
    indicators_reported: int
    indicators_met: int
    projects_over_budget: int
    files: int  # files listed for the quarter (received, whatever they were)
    files_other_period: int  # workbooks of another quarter among them
    files_refused: int  # files that could not be used among them
    allocated: int  # đồng, in the quarter
    disbursed: int
    disbursed_to_date: int  # opening balance included
    opening: int  # the opening balance entered once (0 without one)
    planned: int  # Phụ lục 5 total of the projects that print an amount

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def figures(q: Quarterly) -> Figures:
    s = q.summary
    missing = q.missing
    funds = s.funds()
    pairs = s.conflicts
    return Figures(
        units=len(q.units), units_reported=len(q.units) - len(missing), units_on_time=len(q.units) - len(missing) - len(q.late),
        units_late=len(q.late), units_missing=len(missing),
        units_blank=sum(1 for u in missing if u.blank_only),
        units_refused=sum(1 for u in missing if u.refused and not u.blank_only),
        units_other_period=sum(1 for u in missing if u.other_period and not u.refused and not u.blank_only),
        units_nothing=sum(1 for u in missing if not u.arrived and not u.blank_only),
        units_unchanged=sum(1 for u in q.units if u.unchanged),
        tasks=len(s.tasks), tasks_done=sum(1 for r in s.tasks if r.status == DONE), tasks_newly_done=len(s.newly_done),
        tasks_overdue=len(s.overdue), tasks_due=sum(1 for r in s.tasks if r.due), tasks_late=sum(1 for r in s.tasks if r.status == LATE),
        tasks_stopped=sum(1 for r in s.tasks if r.status == STOPPED), tasks_not_reported=sum(1 for r in s.tasks if r.status is None),
        conflict_tasks=len({row.task.id for row, _ in pairs}), conflict_pairs=len(pairs), conflict_units=len({c.cooperator for _, c in pairs}),
        indicators=len(s.indicators), indicators_reported=sum(1 for i in s.indicators if i.value is not None),
        indicators_met=sum(1 for i in s.indicators if i.value is not None and i.target is not None and i.value >= i.target),
        projects_over_budget=sum(1 for r in s.tasks if r.over_budget),
        files=len(q.files), files_other_period=sum(1 for f in q.files if f.state == OTHER_PERIOD),
        files_refused=sum(1 for f in q.files if f.state in (UNUSABLE, UNREADABLE)),
        allocated=funds["allocated"], disbursed=funds["disbursed"], disbursed_to_date=funds["disbursed_to_date"],
        opening=s.opening_total, planned=funds["planned"])
