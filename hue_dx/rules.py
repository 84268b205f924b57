"""The closed set of scoring rule kinds: every criterion of a catalog is scored by one of these.

Each kind is a class registered by name in ``KINDS``. It knows how to check its parameters
against the criterion's inputs, score clean values, say the rule in Vietnamese words and
give a worked example. (The workbook generator asks the same classes for the Excel formula,
so the Python score and the spreadsheet formula live side by side.)

Values reaching ``score`` are already clean: numbers (float) for counts and amounts,
1.0/0.0 for yes/no, the option index (as float) for choices; a blank optional input has
been replaced by its default. Checking types, signs and blanks is ``scoring``'s job.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

# The rules' texts print numbers the Vietnamese way (hue_dx.vn); the short names stay for them.
from .errors import NotFound
from .totals import BONUS, PENALTY, SCORE
from .vn import number as fmt_num
from .vn import percent as fmt_pct

OK = "ok"
NA = "na"
INVALID = "invalid"


@dataclass(frozen=True)
class Outcome:
    """What a rule says for one criterion: a status, the points (for OK) and why."""

    status: str
    points: float | None = None
    reason: str | None = None


def number(value: Any) -> float:
    """A parameter as float; catalogs write exact fractions as strings such as "1/3"."""
    if isinstance(value, bool):
        raise ValueError("a yes/no is not a number")
    if isinstance(value, str):
        return _fraction(value)
    return float(value)


@functools.lru_cache(maxsize=256)
def _fraction(text: str) -> float:
    return float(Fraction(text.strip()))  # parsed once per distinct text: scoring runs per file


def sum_label(keys: Sequence[str]) -> str:
    return " + ".join(keys)


def check_constraints(constraints: Sequence[Mapping[str, Sequence[str]]], values: Mapping[str, float]) -> str | None:
    """First violated 'sum(lhs) <= sum(rhs)' as a Vietnamese reason, or None."""
    for rule in constraints:
        lhs = sum(values[k] for k in rule["lhs"])
        rhs = sum(values[k] for k in rule["rhs"])
        if lhs > rhs:
            return f"{sum_label(rule['lhs'])} lớn hơn {sum_label(rule['rhs'])}"
    return None


def xl_num(value: Any) -> str:
    """A parameter as an Excel literal. Exact fractions become a division, e.g. "(1/3)", which
    Excel, LibreOffice and Python all round the same way (a 17-digit literal would not: Excel
    keeps 15 significant digits of a typed number)."""
    if isinstance(value, str) and "/" in value:
        exact = Fraction(value.strip())
        return f"({exact.numerator}/{exact.denominator})"
    x = number(value)
    return str(int(x)) if x.is_integer() else repr(x)


def xl_text(text: str) -> str:
    """A string literal for an Excel formula."""
    return '"' + text.replace('"', '""') + '"'


def xl_sum(keys: Sequence[str], v: Mapping[str, str]) -> str:
    return v[keys[0]] if len(keys) == 1 else "(" + "+".join(v[k] for k in keys) + ")"


def xl_constraints(constraints: Sequence[Mapping[str, Sequence[str]]], v: Mapping[str, str], then: str) -> str:
    """Nested IFs reporting the first broken 'sum(lhs) <= sum(rhs)', in the same words as Python."""
    expr = then
    for rule in reversed(constraints):
        reason = f"lỗi: {sum_label(rule['lhs'])} lớn hơn {sum_label(rule['rhs'])}"
        expr = f"IF({xl_sum(rule['lhs'], v)}>{xl_sum(rule['rhs'], v)},{xl_text(reason)},{expr})"
    return expr


XL_OK, XL_NA = xl_text("đạt"), xl_text("không áp dụng")
_CONSTRAINTS: dict[int, tuple[Mapping[str, Any], list[dict[str, list[str]]]]] = {}


class RuleKind:
    """Base of every rule kind. Subclasses set ``name`` and ``title`` and implement the rest.

    The Excel side: ``excel_status`` and ``excel_score`` build formula expressions from
    ``v``, a map of input key to an expression for its clean value (a number, 1/0 for
    yes/no, the 0-based option index for choices), and ``m``, the cell holding the max.
    They mirror ``score`` operation for operation, so Excel, LibreOffice and Python round alike.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    #: input types this kind accepts
    input_types: ClassVar[frozenset[str]] = frozenset({"count", "number", "amount"})
    #: how the criterion's points enter the totals (``totals``): score, bonus or penalty
    role: ClassVar[str] = SCORE
    #: the parameters the kind reads (what a criteria workbook may fill for it)
    param_names: ClassVar[tuple[str, ...]] = ()

    def used_inputs(self, params: Mapping[str, Any], input_keys: Sequence[str]) -> set[str]:
        """Which input keys the rule reads."""
        raise NotImplementedError

    def check_params(self, params: Mapping[str, Any], input_keys: Sequence[str], max_points: float) -> list[str]:
        """Problems with the parameters, as messages (empty when fine)."""
        raise NotImplementedError

    def constraints(self, params: Mapping[str, Any]) -> list[dict[str, list[str]]]:
        """Consistency rules 'sum(lhs) <= sum(rhs)' whose breach makes the criterion invalid."""
        return [dict(lhs=list(c["lhs"]), rhs=list(c["rhs"])) for c in params.get("constraints", [])]

    def constraints_of(self, params: Mapping[str, Any]) -> list[dict[str, list[str]]]:
        """``constraints(params)``, worked out once per catalog criterion (scoring runs per file)."""
        known = _CONSTRAINTS.get(id(params))
        if known is None or known[0] is not params:
            if len(_CONSTRAINTS) > 4096:
                _CONSTRAINTS.clear()
            known = _CONSTRAINTS[id(params)] = (params, self.constraints(params))  # holding params keeps its id unique
        return known[1]

    def score(self, params: Mapping[str, Any], values: Mapping[str, float], max_points: float) -> Outcome:
        raise NotImplementedError

    def describe(self, params: Mapping[str, Any], max_points: float) -> str:
        """The rule in Vietnamese words, for `catalog show` and the workbook."""
        raise NotImplementedError

    def excel_status(self, params: Mapping[str, Any], v: Mapping[str, str]) -> str:
        """Excel expression: "đạt", "không áp dụng" or "lỗi: …", once every input is present and valid."""
        return xl_constraints(self.constraints(params), v, XL_OK)

    def excel_score(self, params: Mapping[str, Any], v: Mapping[str, str], m: str) -> str:
        """Excel expression for the points, used only where the status is "đạt"."""
        raise NotImplementedError

    def example(self, params: Mapping[str, Any], input_keys: Sequence[str]) -> dict[str, float]:
        """Plausible input values for a worked example."""
        raise NotImplementedError


# ---------------------------------------------------------------------------------------
# Ratio family: proportional, threshold, step. A ratio r = sum(num) / sum(den).


class _RatioKind(RuleKind):
    param_names: ClassVar[tuple[str, ...]] = ("num", "den", "target", "zero", "over", "constraints")

    def used_inputs(self, params, input_keys):
        return set(params["num"]) | set(params["den"])

    def check_params(self, params, input_keys, max_points):
        problems = []
        for field in ("num", "den"):
            keys = params.get(field)
            if not keys or not isinstance(keys, list):
                problems.append(f"params.{field} phải là danh sách tên số liệu")
        if params.get("zero", "na") not in ("na", "zero"):
            problems.append("params.zero phải là 'na' hoặc 'zero'")
        if params.get("over", "invalid") not in ("invalid", "cap"):
            problems.append("params.over phải là 'invalid' hoặc 'cap'")
        if self.needs_target:
            try:
                if number(params.get("target")) <= 0:
                    problems.append("params.target phải lớn hơn 0")
            except (TypeError, ValueError):
                problems.append("params.target thiếu hoặc không phải số")
        return problems

    needs_target: ClassVar[bool] = True

    def target(self, params) -> float:
        return number(params["target"])

    def constraints(self, params):
        out = super().constraints(params)
        if params.get("over", "invalid") == "invalid":
            out.append(dict(lhs=list(params["num"]), rhs=list(params["den"])))
        return out

    def score(self, params, values, max_points):
        reason = check_constraints(self.constraints_of(params), values)
        if reason:
            return Outcome(INVALID, reason=reason)
        den = sum(values[k] for k in params["den"])
        num = sum(values[k] for k in params["num"])
        if den == 0:
            if params.get("zero", "na") == "zero":
                return Outcome(OK, 0.0, f"{sum_label(params['den'])} = 0: 0 điểm")
            return Outcome(NA, reason=f"{sum_label(params['den'])} = 0: không áp dụng")
        return Outcome(OK, self.fraction(num / den, params) * max_points)

    def fraction(self, ratio: float, params) -> float:
        raise NotImplementedError

    def excel_status(self, params, v):
        then = XL_OK if params.get("zero", "na") == "zero" else f"IF({xl_sum(params['den'], v)}=0,{XL_NA},{XL_OK})"
        return xl_constraints(self.constraints(params), v, then)

    def excel_score(self, params, v, m):
        den = xl_sum(params["den"], v)
        return f"IF({den}=0,0,{self.excel_fraction(xl_sum(params['num'], v) + '/' + den, params)}*{m})"

    def excel_fraction(self, ratio: str, params) -> str:
        raise NotImplementedError

    def ratio_words(self, params) -> str:
        num, den = params["num"], params["den"]
        n = sum_label(num) if len(num) == 1 else f"({sum_label(num)})"
        d = sum_label(den) if len(den) == 1 else f"({sum_label(den)})"
        return f"{n}/{d}"

    def policy_words(self, params) -> str:
        den = sum_label(params["den"])
        zero = "được 0 điểm" if params.get("zero", "na") == "zero" else "không áp dụng"
        if params.get("over", "invalid") == "invalid":
            over = f"{sum_label(params['num'])} lớn hơn {den} là lỗi"
        else:
            over = f"{sum_label(params['num'])} được phép lớn hơn {den}"
        return f" {den} = 0: {zero}; {over}."

    def example(self, params, input_keys):
        values = {k: 0.0 for k in input_keys}
        per_person = self.needs_target and self.target(params) > 1  # a rate such as trainings per officer
        for k in params["den"]:
            values[k] = 10.0 if per_person else 200.0
        for k in params["num"]:
            values[k] = 15.0 if per_person else 90.0
        return values


class Proportional(_RatioKind):
    name = "proportional"
    title = "Tỷ lệ"
    needs_target = False
    param_names = ("num", "den", "zero", "over", "constraints")

    def fraction(self, ratio, params):
        return min(max(ratio, 0.0), 1.0)

    def excel_fraction(self, ratio, params):
        return f"MIN(MAX({ratio},0),1)"

    def describe(self, params, max_points):
        return f"Điểm = tỷ lệ {self.ratio_words(params)} × {fmt_num(max_points)} (tỷ lệ tối đa 100%)." + self.policy_words(params)


class Threshold(_RatioKind):
    name = "threshold"
    title = "Tỷ lệ có ngưỡng"

    def fraction(self, ratio, params):
        return min(max(ratio / self.target(params), 0.0), 1.0)

    def excel_fraction(self, ratio, params):
        return f"MIN(MAX({ratio}/{xl_num(params['target'])},0),1)"

    def describe(self, params, max_points):
        t = self.target(params)
        target = fmt_pct(t) if t <= 1 else fmt_num(t)
        r = self.ratio_words(params)
        return (f"Tỷ lệ {r} từ {target} trở lên: {fmt_num(max_points)} điểm; dưới {target}: "
                f"điểm = ({r})/{target} × {fmt_num(max_points)}." + self.policy_words(params))


class Step(_RatioKind):
    name = "step"
    title = "Đạt ngưỡng hoặc không"

    def fraction(self, ratio, params):
        return 1.0 if ratio >= self.target(params) else 0.0

    def excel_fraction(self, ratio, params):
        return f"IF({ratio}>={xl_num(params['target'])},1,0)"

    def describe(self, params, max_points):
        target = fmt_pct(self.target(params))
        return (f"Tỷ lệ {self.ratio_words(params)} từ {target} trở lên: {fmt_num(max_points)} điểm; "
                f"dưới {target}: 0 điểm." + self.policy_words(params))


# ---------------------------------------------------------------------------------------


class YesNo(RuleKind):
    name = "yes_no"
    title = "Có/Không"
    input_types = frozenset({"yesno"})

    def used_inputs(self, params, input_keys):
        return {input_keys[0]} if input_keys else set()

    def check_params(self, params, input_keys, max_points):
        return [] if len(input_keys) == 1 else ["cần đúng một số liệu Có/Không"]

    def score(self, params, values, max_points):
        (value,) = values.values()
        return Outcome(OK, max_points if value >= 1 else 0.0)

    def describe(self, params, max_points):
        return f"Có: {fmt_num(max_points)} điểm; Không: 0 điểm."

    def excel_score(self, params, v, m):
        (value,) = v.values()
        return f"IF({value}>=1,{m},0)"

    def example(self, params, input_keys):
        return {input_keys[0]: 1.0}


class Choice(RuleKind):
    name = "choice"
    title = "Chọn một mức"
    input_types = frozenset({"choice"})

    def used_inputs(self, params, input_keys):
        return {input_keys[0]} if input_keys else set()

    param_names = ("options",)

    def options(self, params) -> list[tuple[str, float]]:
        return [(o["label"], number(o["fraction"])) for o in params["options"]]

    def check_params(self, params, input_keys, max_points):
        problems = [] if len(input_keys) == 1 else ["cần đúng một số liệu dạng lựa chọn"]
        options = params.get("options")
        if not options or len(options) < 2:
            return problems + ["params.options cần ít nhất hai lựa chọn"]
        labels = [o.get("label", "") for o in options]
        if len(set(labels)) != len(labels) or not all(labels):
            problems.append("các lựa chọn phải có nhãn khác nhau, không rỗng")
        for label in labels:
            # Excel's inline list validation splits on commas and holds 255 characters in all.
            if "," in label:
                problems.append(f"nhãn lựa chọn không được chứa dấu phẩy: {label!r}")
        if len(",".join(labels)) > 255:
            problems.append("tổng độ dài các nhãn lựa chọn vượt 255 ký tự")
        try:
            fractions = [number(o["fraction"]) for o in options]
            if any(not 0 <= f <= 1 for f in fractions):
                problems.append("mỗi fraction phải trong [0; 1]")
        except (KeyError, TypeError, ValueError):
            problems.append("mỗi lựa chọn cần fraction là số")
        return problems

    def score(self, params, values, max_points):
        (index,) = values.values()
        return Outcome(OK, self.options(params)[int(index)][1] * max_points)

    def describe(self, params, max_points):
        parts = [f"{label}: {fmt_num(f * max_points)} điểm" for label, f in self.options(params)]
        return "; ".join(parts) + "."

    def excel_score(self, params, v, m):
        (index,) = v.values()
        return f"CHOOSE({index}+1," + ",".join(f"{xl_num(o['fraction'])}*{m}" for o in params["options"]) + ")"

    def example(self, params, input_keys):
        return {input_keys[0]: 1.0}


class PerItem(RuleKind):
    """Points per counted item, each part with its own cap, the total capped at the max."""

    name = "per_item"
    title = "Điểm theo từng mục"
    input_types = frozenset({"count", "yesno"})
    param_names = ("parts",)

    def used_inputs(self, params, input_keys):
        return {p["input"] for p in params["parts"]}

    def check_params(self, params, input_keys, max_points):
        parts = params.get("parts")
        if not parts:
            return ["params.parts cần ít nhất một phần"]
        problems = []
        for part in parts:
            try:
                if number(part["points"]) <= 0 or number(part["cap"]) <= 0:
                    problems.append(f"phần {part.get('input')}: points và cap phải lớn hơn 0")
            except (KeyError, TypeError, ValueError):
                problems.append(f"phần {part.get('input')}: cần input, points, cap")
        return problems

    def score(self, params, values, max_points):
        total = sum(min(values[p["input"]] * number(p["points"]), number(p["cap"])) for p in params["parts"])
        return Outcome(OK, min(total, max_points))

    def describe(self, params, max_points):
        return "Điểm = " + self.parts_words(params) + f", tổng tối đa {fmt_num(max_points)} điểm."

    def parts_words(self, params) -> str:
        """The parts in words: "a × 1 điểm (tối đa 3) + b × 1/3 điểm (tối đa 1)"."""
        return " + ".join(f"{p['input']} × {fmt_num(number(p['points']))} điểm (tối đa {fmt_num(number(p['cap']))})" for p in params["parts"])

    def excel_score(self, params, v, m):
        parts = "+".join(f"MIN({v[p['input']]}*{xl_num(p['points'])},{xl_num(p['cap'])})" for p in params["parts"])
        return f"MIN({parts},{m})"

    def example(self, params, input_keys):
        return {p["input"]: 2.0 for p in params["parts"]}


class Checklist(RuleKind):
    """Share of named items present (each input is a yes/no)."""

    name = "checklist"
    title = "Tỷ lệ nội dung đã có"
    input_types = frozenset({"yesno"})

    def used_inputs(self, params, input_keys):
        return set(input_keys)

    def check_params(self, params, input_keys, max_points):
        return [] if len(input_keys) >= 2 else ["cần ít nhất hai nội dung"]

    def score(self, params, values, max_points):
        return Outcome(OK, sum(1 for v in values.values() if v >= 1) / len(values) * max_points)

    def describe(self, params, max_points):
        return f"Điểm = (số nội dung đã có / tổng số nội dung) × {fmt_num(max_points)}."

    def excel_score(self, params, v, m):
        return f"({'+'.join(v.values())})/{len(v)}*{m}"

    def example(self, params, input_keys):
        return {k: float(i % 2 == 0) for i, k in enumerate(input_keys)}


class WeightedShares(RuleKind):
    """Disjoint parts of a whole, each share weighted: max × Σ wᵢ·xᵢ/den.

    Covers paper + electronic documents (5.2.x: ½ and 1), online services at levels 3 and 4
    with a full-marks threshold on level 4 (5.8) and the four security layers (6.1.1).
    """

    name = "weighted_shares"
    title = "Tỷ lệ có trọng số"
    param_names = ("den", "weights", "full_at", "zero", "constraints")

    def used_inputs(self, params, input_keys):
        used = set(params["den"]) | set(params["weights"])
        if "full_at" in params:
            used.add(params["full_at"]["input"])
        return used

    def check_params(self, params, input_keys, max_points):
        problems = []
        if not params.get("den"):
            problems.append("params.den thiếu")
        weights = params.get("weights") or {}
        if not weights:
            problems.append("params.weights thiếu")
        try:
            if any(not 0 < number(w) <= 1 for w in weights.values()):
                problems.append("mỗi trọng số phải trong (0; 1]")
        except (TypeError, ValueError):
            problems.append("trọng số phải là số")
        if params.get("zero", "na") not in ("na", "zero"):
            problems.append("params.zero phải là 'na' hoặc 'zero'")
        full = params.get("full_at")
        if full is not None and (full.get("input") not in weights or not 0 < number(full.get("target", 0)) <= 1):
            problems.append("params.full_at cần input thuộc weights và target trong (0; 1]")
        return problems

    def constraints(self, params):
        # The parts are disjoint pieces of the whole, so together they cannot exceed it.
        return super().constraints(params) + [dict(lhs=list(params["weights"]), rhs=list(params["den"]))]

    def score(self, params, values, max_points):
        reason = check_constraints(self.constraints_of(params), values)
        if reason:
            return Outcome(INVALID, reason=reason)
        den = sum(values[k] for k in params["den"])
        if den == 0:
            if params.get("zero", "na") == "zero":
                return Outcome(OK, 0.0, f"{sum_label(params['den'])} = 0: 0 điểm")
            return Outcome(NA, reason=f"{sum_label(params['den'])} = 0: không áp dụng")
        full = params.get("full_at")
        if full is not None and values[full["input"]] / den >= number(full["target"]):
            return Outcome(OK, max_points)
        share = sum(number(w) * values[k] for k, w in params["weights"].items()) / den
        return Outcome(OK, min(share, 1.0) * max_points)

    def describe(self, params, max_points):
        den = sum_label(params["den"])
        terms = [f"{k}/{den} × {fmt_num(number(w))}" for k, w in params["weights"].items()]
        text = f"Điểm = ({' + '.join(terms)}) × {fmt_num(max_points)}"
        full = params.get("full_at")
        if full is not None:
            text = (f"Tỷ lệ {full['input']}/{den} từ {fmt_pct(number(full['target']))} trở lên: "
                    f"{fmt_num(max_points)} điểm; dưới đó: " + text[0].lower() + text[1:])
        zero = "được 0 điểm" if params.get("zero", "na") == "zero" else "không áp dụng"
        return text + f". {sum_label(list(params['weights']))} không được lớn hơn {den}; {den} = 0: {zero}."

    excel_status = _RatioKind.excel_status

    def excel_score(self, params, v, m):
        den = xl_sum(params["den"], v)
        share = "(" + "+".join(f"{xl_num(w)}*{v[k]}" for k, w in params["weights"].items()) + f")/{den}"
        expr = f"MIN({share},1)*{m}"
        full = params.get("full_at")
        if full is not None:
            expr = f"IF({v[full['input']]}/{den}>={xl_num(full['target'])},{m},{expr})"
        return f"IF({den}=0,0,{expr})"

    def example(self, params, input_keys):
        values = {k: 0.0 for k in input_keys}
        for k in params["den"]:
            values[k] = 100.0
        keys = list(params["weights"])
        for i, k in enumerate(keys):
            values[k] = float(40 // (i + 1))
        return values


class Bonus(PerItem):
    """Bonus points (điểm thưởng) per counted item, added above the pillar's max: the
    criterion's max is the most it can add and never enters the applicable max."""

    name = "bonus"
    title = "Điểm thưởng"
    role = BONUS

    def describe(self, params, max_points):
        return (f"Điểm thưởng = {self.parts_words(params)}, tối đa {fmt_num(max_points)} điểm; cộng thêm vào điểm của trụ cột, "
                "không tính vào điểm tối đa.")


class Penalty(PerItem):
    """Penalty points (điểm trừ) per counted item, subtracted: the points are negative, the
    criterion's max is the most it can subtract. A penalty whose figures are missing or wrong is
    charged in full (``scoring``), so a blank never spares a unit."""

    name = "penalty"
    title = "Điểm trừ"
    role = PENALTY

    def score(self, params, values, max_points):
        total = sum(min(values[p["input"]] * number(p["points"]), number(p["cap"])) for p in params["parts"])
        return Outcome(OK, -min(total, max_points))

    def describe(self, params, max_points):
        return (f"Điểm trừ = {self.parts_words(params)}, trừ tối đa {fmt_num(max_points)} điểm; thiếu số liệu hoặc số liệu lỗi: "
                f"trừ đủ {fmt_num(max_points)} điểm.")

    def excel_score(self, params, v, m):
        return "-" + super().excel_score(params, v, m)


KINDS: dict[str, RuleKind] = {k.name: k() for k in (Proportional, Threshold, Step, YesNo, Choice, PerItem, Checklist, WeightedShares,
                                                    Bonus, Penalty)}


def kind(name: str) -> RuleKind:
    try:
        return KINDS[name]
    except KeyError:
        raise NotFound(f"loại quy tắc không có: {name!r} (có: {', '.join(KINDS)})") from None
