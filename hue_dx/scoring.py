"""Scoring a unit: clean each input, apply the criterion's rule, add up groups and pillars.

Policies (also written in the catalog's [policies]): a blank required input is "thiếu số
liệu", never 0; a value of the wrong type, sign or inconsistent with the others makes the
criterion "lỗi" with a reason; a criterion that does not apply to the unit's level, or
whose denominator is 0 where the catalog says so, is "không áp dụng" and leaves both the
points and the max. Missing and invalid criteria count 0 points but keep their max, so a
unit cannot raise its index by leaving cells blank. Nothing is rounded here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import cells, rules
from .catalog import Catalog, Criterion, Input
from .errors import HueDxError, NotFound

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
        """Points as they enter totals (0 for missing or invalid)."""
        return self.points if self.status == OK and self.points is not None else 0.0


@dataclass(frozen=True)
class NodeResult:
    """Totals of a pillar, a group, or the whole assessment (code "")."""

    code: str
    title: str
    points: float
    max: float
    applicable_max: float
    counts: Mapping[str, int]

    @property
    def index(self) -> float | None:
        """Points / applicable max, 0–1; None when nothing applies."""
        return self.points / self.applicable_max if self.applicable_max > 0 else None


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
    # The first bad value (in input order) is the reason, as in the workbook's status cell.
    if problems:
        return CriterionResult(code, INVALID, None, top, top, problems[0], values)
    if missing:
        return CriterionResult(code, MISSING, None, top, top, ", ".join(missing), values)
    outcome = criterion.rule.score(criterion.params, values, top)
    if outcome.status == rules.NA:
        return CriterionResult(code, NA, None, top, 0.0, outcome.reason, values)
    if outcome.status == rules.INVALID:
        return CriterionResult(code, INVALID, None, top, top, outcome.reason, values)
    points = min(max(outcome.points or 0.0, 0.0), top)
    return CriterionResult(code, OK, points, top, top, outcome.reason, values)


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
    """Totals per group, pillar and overall from criterion results."""
    results = tuple(results)
    by_code = {r.code: r for r in results}

    def node(code: str, title: str, members: Iterable[Criterion]) -> NodeResult:
        # one pass, adding in catalog order (so the sums are the same floats as sum() gives)
        counts = dict.fromkeys(STATUS_VI, 0)
        points = top = applicable = 0.0
        for c in members:
            r = by_code[c.code]
            counts[r.status] += 1
            points += r.counted_points
            top += c.max
            applicable += r.applicable_max
        return NodeResult(code, title, points, top, applicable, counts)

    nodes = {g.code: node(g.code, g.title, catalog.criteria_under(g.code)) for g in catalog.groups}
    total = node("", "Tổng cộng", catalog.criteria)
    return UnitResult(catalog.id, level, results, nodes, total, tuple(p.code for p in catalog.pillars))
