"""Scoring a unit: clean each input, apply the criterion's rule, add up groups and pillars.

Policies (also written in the catalog's [policies]): a blank required input is "thiếu số
liệu", never 0; a value of the wrong type, sign or inconsistent with the others makes the
criterion "lỗi" with a reason; a criterion that does not apply to the unit's level, or
whose denominator is 0 where the catalog says so, is "không áp dụng" and leaves both the
points and the max. Missing and invalid criteria count 0 points but keep their max, so a
unit cannot raise its index by leaving cells blank; for the same reason a penalty whose
figures are missing or invalid is charged in full. Bonus and penalty criteria never enter the
max; how they, their caps and the floor make a pillar's and the set's points and index is
``totals``. Nothing is rounded here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import cells, rules, totals
from .catalog import Catalog, Criterion, Input
from .errors import HueDxError, NotFound
from .totals import BONUS, PENALTY, SCORE

if TYPE_CHECKING:  # pandas is optional and only imported on demand
    import pandas

OK, NA, MISSING, INVALID = "ok", "na", "missing", "invalid"
STATUS_VI = {OK: "đạt", NA: "không áp dụng", MISSING: "thiếu số liệu", INVALID: "lỗi"}



class InputProblem(HueDxError, ValueError):
    """A value that cannot be used for an input; the message is Vietnamese and names the input."""


def status_words(status: str, reason: str | None) -> str:
    """A status in words as the workbook's status cell shows it ("lỗi: a lớn hơn b")."""
    if status in (INVALID, MISSING) and reason:
        return f"{STATUS_VI[status]}: {reason}"
    return STATUS_VI[status]


def reason_of(status: str, words: str) -> str | None:
    """The reason back from ``status_words`` (results are stored in words, as shown)."""
    label = STATUS_VI[status] + ": "
    return words[len(label):] if status in (INVALID, MISSING) and words.startswith(label) else None


@dataclass(frozen=True)
class CriterionResult:
    code: str
    status: str
    points: float | None
    max: float
    #: the max counted in totals: 0 when not applicable
    applicable_max: float
    reason: str | None = None
    values: Mapping[str, float] = field(default_factory=dict)

    @property
    def status_vi(self) -> str:
        """The status in words, exactly as the workbook's status cell shows it."""
        return status_words(self.status, self.reason)

    @property
    def counted_points(self) -> float:
        """Points as they enter totals: 0 for missing or invalid, except a penalty, which is
        then charged in full (its points say so: −max)."""
        return self.points if self.points is not None and self.status != NA else 0.0


@dataclass(frozen=True)
class NodeResult:
    """Totals of a pillar, a group, or the whole assessment (code ""). ``points`` are what the
    node scores in the end: its criteria's points (``base``) with its bonus and penalty (after
    their caps, ``totals``) and never below the floor; without bonus or penalty, the base."""

    code: str
    title: str
    points: float
    max: float
    applicable_max: float
    counts: Mapping[str, int]
    bonus: float = 0.0  # counted bonus (≥ 0, capped)
    penalty: float = 0.0  # counted penalty (≤ 0, capped)
    base: float | None = None  # the criteria's own points; None: the same as points
    index_max: float = 1.0

    @property
    def index(self) -> float | None:
        """Points / applicable max within [0, index_max] (0–1 unless the set says otherwise);
        None when nothing applies."""
        return totals.index(self.points, self.applicable_max, self.index_max)

    @property
    def base_points(self) -> float:
        return self.points if self.base is None else self.base


@dataclass(frozen=True)
class UnitResult:
    catalog_id: str
    level: str | None
    criteria: tuple[CriterionResult, ...]
    nodes: Mapping[str, NodeResult]
    total: NodeResult
    pillar_codes: tuple[str, ...]

    def criterion(self, code: str) -> CriterionResult:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def pillars(self) -> tuple[NodeResult, ...]:
        return tuple(self.nodes[c] for c in self.pillar_codes)

    def to_frame(self) -> pandas.DataFrame:
        """One row per criterion (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(
            [
                dict(code=c.code, pillar=c.code.split(".")[0], status=c.status, status_vi=c.status_vi,
                     points=c.points, max=c.max, applicable_max=c.applicable_max, reason=c.reason)
                for c in self.criteria
            ]
        )

    def pillars_frame(self) -> pandas.DataFrame:
        """One row per pillar and a last row for the total (needs pandas)."""
        import pandas as pd

        rows = [dict(code=n.code, title=n.title, points=n.points, max=n.max, applicable_max=n.applicable_max, index=n.index)
                for n in (*self.pillars, self.total)]
        return pd.DataFrame(rows)


def clean_value(spec: Input, raw: Any) -> float | None:
    """A value (from Python, a cell or the add-in) as the number the rule uses.

    Returns None for blank; raises InputProblem with a Vietnamese message for a bad value.
    The engine accepts exactly what the workbook's formulas accept (``cells``), so both agree
    cell by cell, in the same words: numbers for counts and amounts (text is refused, even
    "12"; so are TRUE and FALSE), "Có"/"Không" for yes/no, an option's label for a choice;
    a number above the input's plausible maximum is refused.
    """
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if cells.is_blank(raw):
        return None
    why = cells.problem(spec, raw)
    if why is not None:
        raise InputProblem(why)
    if spec.type in ("yesno", "choice"):
        index = cells.option_index(spec, raw)
        return 1.0 - index if spec.type == "yesno" else float(index)
    return float(raw)


def score_criterion(criterion: Criterion, raw: Mapping[str, Any] | None, level: str | None = None) -> CriterionResult:
    """Score one criterion from its raw inputs (keyed by input key)."""
    code, top = criterion.code, criterion.max
    if not criterion.applies(level):
        return CriterionResult(code, NA, None, top, 0.0, f"không áp dụng cho cấp đơn vị '{level}'")
    raw = raw or {}
    values: dict[str, float] = {}
    missing: list[str] = []
    problems: list[str] = []
    for spec in criterion.inputs:
        try:
            value = clean_value(spec, raw.get(spec.key))
        except InputProblem as exc:
            problems.append(str(exc))
            continue
        if value is None:
            if spec.required:
                missing.append(spec.key)
                continue
            value = spec.default
        values[spec.key] = float(value)  # type: ignore[arg-type]
    role = criterion.role
    amax = top if role == SCORE else 0.0  # bonus and penalty never enter the max
    charged = -top if role == PENALTY else None  # a penalty that cannot be worked out is charged in full
    # The first bad value (in input order) is the reason, as in the workbook's status cell.
    if problems:
        return CriterionResult(code, INVALID, charged, top, amax, problems[0], values)
    if missing:
        return CriterionResult(code, MISSING, charged, top, amax, ", ".join(missing), values)
    outcome = criterion.rule.score(criterion.params, values, top)
    if outcome.status == rules.NA:
        return CriterionResult(code, NA, None, top, 0.0, outcome.reason, values)
    if outcome.status == rules.INVALID:
        return CriterionResult(code, INVALID, charged, top, amax, outcome.reason, values)
    points = outcome.points or 0.0
    points = min(max(points, -top), 0.0) if role == PENALTY else min(max(points, 0.0), top)
    return CriterionResult(code, OK, points, top, amax, outcome.reason, values)


def score_unit(catalog: Catalog, inputs: Mapping[str, Mapping[str, Any]], level: str | None = None) -> UnitResult:
    """Score every criterion of a catalog for one unit.

    ``inputs`` maps a criterion code to its raw inputs, e.g. ``{"5.2.1": {"a": 120, "b": 30, "c": 80}}``;
    ``level`` is the unit's level (a key of ``catalog.levels``), None to score every criterion.
    """
    if level is not None and level not in catalog.levels:
        raise NotFound(f"cấp đơn vị {level!r} không có trong bộ tiêu chí (có: {', '.join(catalog.levels)})")
    results = tuple(score_criterion(c, inputs.get(c.code), level) for c in catalog.criteria)
    return aggregate(catalog, results, level)


def restore(catalog: Catalog, stored: Iterable[tuple[str, float | None, str, str, float]], level: str | None = None) -> UnitResult:
    """A unit's result from what a check stored per criterion (code, points, status, words,
    applicable max), without scoring again: the totals are added up as ``score_unit`` adds them."""
    results = []
    for (code, points, status, words, amax), c in zip(stored, catalog.criteria, strict=True):
        if code != c.code:
            raise HueDxError(f"kết quả lưu không khớp bộ tiêu chí {catalog.id} ({code} thay vì {c.code})")
        results.append(CriterionResult(code, status, points, c.max, amax, reason_of(status, words)))
    return aggregate(catalog, results, level)


def aggregate(catalog: Catalog, results: Iterable[CriterionResult], level: str | None = None) -> UnitResult:
    """Totals per group, pillar and overall from criterion results (``totals``: a group adds
    its criteria's points, bonus and penalty included; a pillar caps its bonus and penalty and
    keeps to the floor; the whole set adds the pillars' base points and caps the pillars'
    capped bonuses and penalties with its own caps)."""
    results = tuple(results)
    by_code = {r.code: r for r in results}
    policy = catalog.totals

    def sums(members: Iterable[Criterion]) -> tuple[dict[str, int], float, float, float, float, float, bool]:
        # one pass, adding in catalog order (so the sums are the same floats as sum() gives)
        counts = dict.fromkeys(STATUS_VI, 0)
        points = top = applicable = bonus = penalty = 0.0
        adjusted = False
        for c in members:
            r = by_code[c.code]
            counts[r.status] += 1
            role = c.role
            if role == SCORE:
                points += r.counted_points
                top += c.max
                applicable += r.applicable_max
            elif role == BONUS:
                bonus += r.counted_points
                adjusted = True
            else:
                penalty += r.counted_points
                adjusted = True
        return counts, points, top, applicable, bonus, penalty, adjusted

    def group(g) -> NodeResult:
        counts, points, top, applicable, bonus, penalty, adjusted = sums(catalog.criteria_under(g.code))
        if g.is_pillar:
            if not adjusted:
                return NodeResult(g.code, g.title, points, top, applicable, counts, index_max=policy.index_max)
            bonus, penalty = totals.capped(bonus, penalty, g.bonus_cap, g.penalty_cap)
            return NodeResult(g.code, g.title, totals.adjusted(points, bonus, penalty, policy.floor), top, applicable, counts,
                              bonus, penalty, points, policy.index_max)
        return NodeResult(g.code, g.title, points + bonus + penalty if adjusted else points, top, applicable, counts, bonus, penalty,
                          points if adjusted else None, policy.index_max)

    nodes = {g.code: group(g) for g in catalog.groups}
    counts, points, top, applicable, _, _, adjusted = sums(catalog.criteria)
    if adjusted:
        pillars = [nodes[p.code] for p in catalog.pillars]
        bonus, penalty = totals.capped(sum(p.bonus for p in pillars), sum(p.penalty for p in pillars), policy.bonus_cap, policy.penalty_cap)
        total = NodeResult("", "Tổng cộng", totals.adjusted(points, bonus, penalty, policy.floor), top, applicable, counts, bonus, penalty,
                           points, policy.index_max)
    else:
        total = NodeResult("", "Tổng cộng", points, top, applicable, counts, index_max=policy.index_max)
    return UnitResult(catalog.id, level, results, nodes, total, tuple(p.code for p in catalog.pillars))
