"""Appraisal (thẩm định): who appraises what, and how appraisals become final scores (pure).

An appraisal of a criterion is what an appraiser wrote in an appraisal workbook for it:
appraised values for some of its inputs (the others keep the unit's values) and/or a reason.
A criterion nobody wrote anything for is accepted as self-assessed.

Rule for several appraisals of one criterion (two appraisers, or one appraiser twice): the
appraisal saved last wins (the "modified" time inside the workbook, else when it was
received); the earlier ones stay in the ledger, and when they disagree an
``appraisal-conflict`` warning names them. The self-assessment is never overwritten: the
final score is computed from the unit's inputs with the appraised ones laid over them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .scoring import UnitResult, score_unit

DEFAULT_APPRAISER = "Sở Thông tin và Truyền thông"


def appraiser_of(code: str, assignments: dict[str, Any]) -> str:
    """The appraiser of a criterion: by criterion, else by its pillar, else the default."""
    by_criterion = assignments.get("by_criterion", {})
    if code in by_criterion:
        return str(by_criterion[code])
    pillar = code.split(".")[0]
    by_pillar = assignments.get("by_pillar", {})
    if pillar in by_pillar:
        return str(by_pillar[pillar])
    return str(assignments.get("default", DEFAULT_APPRAISER))


@dataclass(frozen=True)
class Appraisal:
    criterion: str
    appraiser: str
    inputs: dict[str, Any]  # appraised values (only those given)
    reason: str
    saved: str  # when the appraisal workbook was saved (ISO), for ordering
    file: str
    sha256: str
    #: "appraisal" (an appraisal workbook), or "central" (the Sở's own figures, ``central``)
    kind: str = "appraisal"

    @property
    def source_words(self) -> str:
        return "số liệu của Sở" if self.kind == "central" else "thẩm định"


@dataclass
class Final:
    """A unit's final result: self-assessment with the appraisals applied."""

    self_result: UnitResult
    final: UnitResult
    applied: dict[str, Appraisal] = field(default_factory=dict)  # criterion -> the appraisal that counts
    conflicts: dict[str, list[Appraisal]] = field(default_factory=dict)

    def source(self, code: str) -> str:
        return self.applied[code].source_words if code in self.applied else "tự đánh giá"


def apply(catalog: Catalog, level: str, self_inputs: dict[str, dict[str, Any]], appraisals: list[Appraisal],
          self_result: UnitResult | None = None) -> Final:
    """The unit's final result. ``self_result``, when the caller has it (the check of the unit's
    file scored it already), is not computed again; with no appraisal, it is the final result."""
    if self_result is None:
        self_result = score_unit(catalog, self_inputs, level)
    if not appraisals:
        return Final(self_result, self_result)
    chosen: dict[str, Appraisal] = {}
    by_code: dict[str, list[Appraisal]] = {}
    for a in sorted(appraisals, key=lambda a: (a.saved or "", a.sha256)):
        by_code.setdefault(a.criterion, []).append(a)
        chosen[a.criterion] = a  # the one saved last wins
    conflicts = {code: items for code, items in by_code.items()
                 if len({(tuple(sorted((k, str(v)) for k, v in i.inputs.items())), i.reason) for i in items}) > 1}
    merged = {code: dict(values) for code, values in self_inputs.items()}
    for code, a in chosen.items():
        merged.setdefault(code, {}).update(a.inputs)
    return Final(self_result, score_unit(catalog, merged, level), chosen, conflicts)


def plan(catalog: Catalog, level: str, assignments: dict[str, Any], is_self: Callable[[str], bool] | None = None) -> dict[str, list[str]]:
    """Appraiser -> the criteria (applicable to the level) they appraise, in catalog order.

    ``is_self(appraiser)`` says whether an appraiser is the unit being appraised; see
    ``reassigned`` for what happens then."""
    out: dict[str, list[str]] = {}
    for c in catalog.criteria:
        if c.applies(level):
            who = appraiser_of(c.code, assignments)
            if is_self is not None and is_self(who):
                who = instead_of_self(assignments, is_self) or who
            out.setdefault(who, []).append(c.code)
    return out


def instead_of_self(assignments: dict[str, Any], is_self: Callable[[str], bool]) -> str | None:
    """Nobody appraises itself: a unit assigned to appraise its own figures is replaced by the
    default appraiser, or, when the default is that unit (Sở TT&TT's own file), by the body
    named ``fallback`` in the [appraisal] table; None when there is no one else."""
    for candidate in (str(assignments.get("default", DEFAULT_APPRAISER)), str(assignments.get("fallback", ""))):
        if candidate and not is_self(candidate):
            return candidate
    return None


def self_assignments(catalog: Catalog, level: str, assignments: dict[str, Any], is_self: Callable[[str], bool]) -> dict[str, list[str]]:
    """Appraiser (as assigned) -> the criteria it was assigned although it is the unit appraised."""
    out: dict[str, list[str]] = {}
    for c in catalog.criteria:
        if c.applies(level) and is_self(who := appraiser_of(c.code, assignments)):
            out.setdefault(who, []).append(c.code)
    return out
