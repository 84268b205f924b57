"""Properties of every criterion of the catalog, with inputs drawn by hypothesis from the catalog itself.

- 0 ≤ score ≤ max, whatever the inputs;
- a score never falls when a "good" count rises (or a yes/no turns yes, or a better option is chosen);
- threshold and step boundaries are exact just below, at and just above the target T.
"""

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import hue_dx
from hue_dx.rules import number
from hue_dx.scoring import INVALID, OK, score_criterion, score_unit

CATALOG = hue_dx.load_catalog()
RATIO_KINDS = {"proportional", "threshold", "step"}


def good_keys(c):
    """Inputs whose rise should never lower the score."""
    if c.kind in RATIO_KINDS:
        return list(c.params["num"])
    if c.kind == "weighted_shares":
        return list(c.params["weights"])
    if c.kind == "per_item":
        return [p["input"] for p in c.params["parts"]]
    return [i.key for i in c.inputs]


def value_for(spec, draw, upper):
    if spec.type == "yesno":
        return draw(st.sampled_from(["Có", "Không"]))
    if spec.type == "choice":
        return draw(st.sampled_from(spec.choices))
    if spec.type == "count":
        return draw(st.integers(0, max(0, int(upper))))
    return draw(st.floats(0, max(0.0, upper), allow_nan=False))


@st.composite
def valid_inputs(draw, c):
    """Inputs that respect the criterion's consistency rules (parts never exceed their whole)."""
    values = {}
    specs = {i.key: i for i in c.inputs}
    constraints = c.rule.constraints(c.params)
    bounded = {k for rule in constraints for k in rule["lhs"]}
    for key, spec in specs.items():
        if key not in bounded:
            values[key] = value_for(spec, draw, 10_000 if spec.type != "amount" else 1e9)
    for rule in constraints:
        room = sum(float(values.get(k, 0)) for k in rule["rhs"])
        for key in rule["lhs"]:
            if key in values:
                room -= float(values[key])
                continue
            values[key] = value_for(specs[key], draw, max(room, 0))
            room -= float(values[key])
    return values


@st.composite
def criterion_and_inputs(draw):
    c = draw(st.sampled_from(CATALOG.criteria))
    return c, draw(valid_inputs(c))


@st.composite
def any_inputs(draw):
    """Anything a person might type, valid or not."""
    c = draw(st.sampled_from(CATALOG.criteria))
    raw = st.one_of(st.none(), st.integers(-5, 10_000), st.floats(allow_nan=True), st.text(max_size=6), st.booleans(),
                    st.sampled_from(["Có", "Không", " 12 ", "1,5"]))
    return c, {i.key: draw(raw) for i in c.inputs}


@given(criterion_and_inputs())
def test_score_is_between_zero_and_max_for_valid_inputs(case):
    c, values = case
    result = score_criterion(c, values)
    assert result.status in (OK, "na"), (c.code, values, result)
    if result.status == OK:
        assert 0 <= result.points <= c.max


@given(any_inputs())
def test_any_typed_value_gives_a_status_never_an_exception(case):
    c, values = case
    result = score_criterion(c, values)
    assert result.status in ("ok", "na", "missing", "invalid")
    if result.status == OK:
        assert 0 <= result.points <= c.max
    else:
        assert result.points is None
        assert result.status == "na" or result.reason


@given(criterion_and_inputs(), st.data())
def test_score_never_falls_when_a_good_count_rises(case, data):
    c, values = case
    key = data.draw(st.sampled_from(good_keys(c)))
    spec = c.input(key)
    before = score_criterion(c, values)
    raised = dict(values)
    if spec.type == "yesno":
        raised[key] = "Có"
    elif spec.type == "choice":
        fractions = [number(o["fraction"]) for o in c.params["options"]]
        current = fractions[spec.choices.index(values[key])]
        better = [label for label, f in zip(spec.choices, fractions, strict=True) if f >= current]
        raised[key] = data.draw(st.sampled_from(better))
    else:
        raised[key] = values[key] + data.draw(st.integers(1, 500))
    after = score_criterion(c, raised)
    assume(before.status == OK and after.status != INVALID)
    assert after.status == OK
    assert after.points >= before.points - 1e-12, (c.code, values, raised)


THRESHOLDS = [c for c in CATALOG.criteria if c.kind in ("threshold", "step")]


def boundary_inputs(c, num_value, den_value):
    values = {i.key: 0 for i in c.inputs}
    values[c.params["den"][0]] = den_value
    values[c.params["num"][0]] = num_value
    return values


@pytest.mark.parametrize("c", THRESHOLDS, ids=lambda c: c.code)
def test_threshold_boundaries_are_exact(c):
    target = Fraction(str(number(c.params["target"])))
    den = 1000 * target.denominator
    at = int(target * den)
    below = score_criterion(c, boundary_inputs(c, at - 1, den))
    exact = score_criterion(c, boundary_inputs(c, at, den))
    above = score_criterion(c, boundary_inputs(c, at + 1, den))
    assert exact.points == c.max
    assert above.points == c.max
    if c.kind == "step":
        assert below.points == 0
    else:
        assert below.points == pytest.approx((at - 1) / den / float(target) * c.max)
        assert below.points < c.max


def test_dvctt_level_four_boundary_is_exact():
    c = CATALOG.criterion("5.8.2")
    assert score_criterion(c, dict(a=1000, b=0, c=800)).points == 10
    assert score_criterion(c, dict(a=1000, b=0, c=799)).points == pytest.approx(7.99)
    assert score_criterion(c, dict(a=1000, b=200, c=799)).points == pytest.approx(7.99 + 1)


@given(st.lists(criterion_and_inputs(), max_size=40), st.sampled_from([None, "so", "huyen", "tinh"]))
def test_unit_totals_add_up_and_index_stays_in_zero_one(cases, level):
    inputs = {c.code: values for c, values in cases}
    result = score_unit(CATALOG, inputs, level)
    assert result.total.points == pytest.approx(sum(p.points for p in result.pillars))
    assert result.total.applicable_max == pytest.approx(sum(p.applicable_max for p in result.pillars))
    for node in (*result.pillars, result.total):
        assert 0 <= node.points <= node.applicable_max + 1e-9
        assert node.index is None or 0 <= node.index <= 1
