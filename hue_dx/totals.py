"""How a pillar and the whole set add up, the Python side and the Excel side together (pure).

A criterion has one of three roles (its rule kind says which, ``rules.RuleKind.role``):

- ``score``: its points and its max make the base points and the applicable max;
- ``bonus`` (điểm thưởng): its points are added above the max and never enter the max;
- ``penalty`` (điểm trừ): its points (negative) are subtracted.

A pillar's bonus is capped by the pillar's own cap (``Group.bonus_cap``), its penalty by
``Group.penalty_cap``; the whole set's bonus (the pillars' capped bonuses added up) by the set's
cap, likewise the penalty. The points after bonus and penalty never fall below the floor
(``floor``, 0 unless the set says otherwise). The index is points / applicable max, kept within
[0, ``index_max``] (1 unless the set says otherwise: a bonus makes up for lost points, it does not
lift the index above 1). A set without bonus or penalty adds up exactly as before: index =
points / applicable max.

A grade names the band the index falls in (the set's bands, e.g. Xuất sắc from 0,9), judged on
the index as published: 4 decimals, rounded half away from zero on its 15 significant digits, as
Excel's and LibreOffice's ROUND do, so the workbook and hue-dx name the same grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SCORE, BONUS, PENALTY = "score", "bonus", "penalty"
ROLE_VI = {SCORE: "điểm", BONUS: "điểm thưởng", PENALTY: "điểm trừ"}
PUBLISHED_DECIMALS = 4
_QUANTUM = Decimal(1).scaleb(-PUBLISHED_DECIMALS)


@dataclass(frozen=True)
class Grade:
    """A band of the index: ``label`` from ``min`` (inclusive) up to the next band's min."""

    label: str
    min: float


@dataclass(frozen=True)
class Totals:
    """The set's rules for adding up (its TOML ``[totals]`` table and ``[[grades]]``)."""

    bonus_cap: float | None = None
    penalty_cap: float | None = None
    floor: float = 0.0
    index_max: float = 1.0
    grades: tuple[Grade, ...] = ()

    @property
    def is_default(self) -> bool:
        return self == Totals()


# --------------------------------------------------------------------------- Python side


def capped(bonus: float, penalty: float, bonus_cap: float | None, penalty_cap: float | None) -> tuple[float, float]:
    """Bonus (≥ 0) and penalty (≤ 0) within their caps."""
    return (bonus if bonus_cap is None else min(bonus, bonus_cap),
            penalty if penalty_cap is None else max(penalty, -penalty_cap))


def adjusted(base: float, bonus: float, penalty: float, floor: float) -> float:
    """Points after the (already capped) bonus and penalty, never below the floor."""
    return max(base + bonus + penalty, floor)


def index(points: float, applicable_max: float, index_max: float = 1.0) -> float | None:
    """Points / applicable max within [0, index_max]; None when nothing applies."""
    if applicable_max <= 0:
        return None
    return min(max(points / applicable_max, 0.0), index_max)


def published(value: float) -> float:
    """The index as published (4 decimals), rounded as Excel's ROUND rounds: half away from zero
    on the number's 15 significant digits (Python's round() would look at the binary value and
    round 0.89995 down)."""
    return float(Decimal(f"{value:.15g}").quantize(_QUANTUM, rounding=ROUND_HALF_UP))


def grade(value: float | None, grades: Sequence[Grade]) -> str | None:
    """The label of the band the published index falls in; None with no index or below every band."""
    if value is None or not grades:
        return None
    shown = published(value)
    for band in sorted(grades, key=lambda g: -g.min):
        if shown >= band.min:
            return band.label
    return None


# --------------------------------------------------------------------------- Excel side
# Each builds an expression from cell references, mirroring the function above operation for
# operation (MIN, MAX, ROUND and IF are Excel 2007 functions).


def _literal(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def xl_bonus(sum_expr: str, cap: float | None) -> str:
    return sum_expr if cap is None else f"MIN({sum_expr},{_literal(cap)})"


def xl_penalty(sum_expr: str, cap: float | None) -> str:
    return sum_expr if cap is None else f"MAX({sum_expr},-{_literal(cap)})"


def xl_adjusted(base: str, bonus: str | None, penalty: str | None, floor: float) -> str:
    parts = "+".join(x for x in (base, bonus, penalty) if x)
    return f"MAX({parts},{_literal(floor)})"


def xl_index(points: str, applicable_max: str, index_max: float = 1.0) -> str:
    return f'IF({applicable_max}>0,MIN(MAX({points}/{applicable_max},0),{_literal(index_max)}),"")'


def xl_grade(index_ref: str, grades: Sequence[Grade]) -> str:
    """"" with no index or below every band, else the band's label."""
    expr = '""'
    for band in sorted(grades, key=lambda g: g.min):
        label = '"' + band.label.replace('"', '""') + '"'
        expr = f"IF(ROUND({index_ref},{PUBLISHED_DECIMALS})>={_literal(band.min)},{label},{expr})"
    return f'IF({index_ref}="","",{expr})'
