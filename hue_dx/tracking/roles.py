"""Who reports what: for each unit of a roster, the tasks it leads, those it reports on behalf of
an external lead, and those it cooperates on.

Rules (recorded as decisions in the tasks file): a body resolves to one roster unit, to every
unit of some levels (a group such as "Các sở, ban, ngành"), or to an external body; a unit
never both leads and cooperates on one task (the lead role wins); a task led only by external
bodies is reported by the unit named in their ``reported_by``; duties that are the same work
as an appendix row (``same_as``) are reported there only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..campaign import Unit
from .tasks import Body, Task, TaskCatalog

LEAD, ON_BEHALF, COOPERATE = "lead", "on_behalf", "cooperate"


def units_of(body: Body, units: Iterable[Unit]) -> tuple[str, ...]:
    """The roster codes a body stands for (none for an external body)."""
    if body.external:
        return ()
    if body.unit:
        return tuple(u.code for u in units if u.code == body.unit)
    return tuple(u.code for u in units if u.level in body.levels)


def lead_units(catalog: TaskCatalog, task: Task, units: Sequence[Unit]) -> tuple[str, ...]:
    return _codes(catalog.resolve(task.lead).bodies, units)


def reporting_units(catalog: TaskCatalog, task: Task, units: Sequence[Unit]) -> tuple[str, ...]:
    """The units that answer a task as its lead: the roster leads, or, when every lead is
    external, the units that report on their behalf."""
    leads = lead_units(catalog, task, units)
    if leads:
        return leads
    codes = {u.code for u in units}
    proxies = [b.reported_by for b in catalog.resolve(task.lead).bodies if b.external and b.reported_by in codes]
    return tuple(dict.fromkeys(p for p in proxies if p))


def cooperating_units(catalog: TaskCatalog, task: Task, units: Sequence[Unit]) -> tuple[str, ...]:
    """Roster units named in the cooperating cell, minus those that report the task as lead."""
    reporting = set(reporting_units(catalog, task, units))
    return tuple(c for c in _codes(catalog.resolve(task.cooperating).bodies, units) if c not in reporting) if task.cooperating else ()


def external_leads(catalog: TaskCatalog, task: Task) -> tuple[Body, ...]:
    return tuple(b for b in catalog.resolve(task.lead).bodies if b.external)


def _codes(bodies: Iterable[Body], units: Sequence[Unit]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for body in bodies:
        for code in units_of(body, units):
            out[code] = None
    return tuple(out)


@dataclass(frozen=True)
class Duties:
    """What one unit reports in a quarter. ``lead`` holds the tasks it answers as lead, in the
    plan's order, including those reported on behalf of an external lead (``on_behalf``)."""

    unit: Unit
    lead: tuple[Task, ...]
    on_behalf: frozenset[str]  # ids of lead tasks answered for an external lead
    cooperate: tuple[Task, ...]

    @property
    def rows(self) -> int:
        """How many rows the unit's workbook asks it to answer."""
        return len(self.lead) + len(self.cooperate)

    @property
    def indicators(self) -> tuple[Task, ...]:
        return tuple(t for t in self.lead if t.kind == "indicator")

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Lead rows other than indicators (documents, programmes, projects, duties)."""
        return tuple(t for t in self.lead if t.kind != "indicator")

    def role(self, task_id: str) -> str | None:
        if any(t.id == task_id for t in self.lead):
            return ON_BEHALF if task_id in self.on_behalf else LEAD
        if any(t.id == task_id for t in self.cooperate):
            return COOPERATE
        return None

    @property
    def empty(self) -> bool:
        return not self.lead and not self.cooperate


def duties(catalog: TaskCatalog, units: Sequence[Unit]) -> dict[str, Duties]:
    """Every unit's duties, keyed by unit code, in roster order."""
    lead: dict[str, list[Task]] = {u.code: [] for u in units}
    behalf: dict[str, set[str]] = {u.code: set() for u in units}
    coop: dict[str, list[Task]] = {u.code: [] for u in units}
    for task in catalog.tracked:
        direct = lead_units(catalog, task, units)
        for code in reporting_units(catalog, task, units):
            lead[code].append(task)
            if code not in direct:
                behalf[code].add(task.id)
        for code in cooperating_units(catalog, task, units):
            coop[code].append(task)
    return {u.code: Duties(u, tuple(lead[u.code]), frozenset(behalf[u.code]), tuple(coop[u.code])) for u in units}
