"""Parity: the generated workbook's own formulas, computed by independent engines
(LibreOffice headless and the `formulas` package), give the Python engine's numbers and
words, cell by cell: every score, status and applicable max, every pillar and the total;
for a set with bonus and penalty points their capped sums and the points after them, and
the grade of the index.

Both shipped sets are run: the 2020 plan and the sample test set (mau-thu-nghiem-2026,
whose criteria use every rule kind, bonus, penalty, grades and figures the Sở supplies,
stamped into each unit's locked cells as ``generate`` writes them). Inputs: each rule kind at
its boundaries, blanks, zero denominators, inconsistent counts, bad values of every type,
and random cases drawn by hypothesis (sized by HYPOTHESIS_PROFILE).
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path

import pytest
from engines import FormulasModel, input_names, libreoffice_recalc, output_names, read_by_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names, totals
from hue_dx.rules import PerItem, number
from hue_dx.workbook.build import build
from hue_dx.workbook.fill import fill
from hue_dx.workbook.stamp import Template

ROOT = Path(__file__).resolve().parents[1]
CATALOG = hue_dx.load_catalog()
CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
LEVELS = list(CATALOG.levels)
SAMPLE = hue_dx.load_catalog("mau-thu-nghiem-2026")
SAMPLE_CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-mau-2026.toml")
UNIT_VALUES = {"unit_code": "TEST", "unit_name": "Đơn vị kiểm thử", "generation_id": "0" * 32}
PROFILE_SCALE = 3 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 1


# ----------------------------------------------------------------------------- inputs


def _den_num(c):
    return c.params.get("den", []), c.params.get("num", [])


def scenarios(c) -> list[dict]:
    """Hand-picked inputs for one criterion: typical, boundaries, blanks, zero, inconsistent, bad."""
    specs = {i.key: i for i in c.inputs}

    def typical():
        v = {}
        for i in c.inputs:
            v[i.key] = {"yesno": "Có", "choice": i.choices[-2] if i.choices else None}.get(i.type, 40)
        for k in c.params.get("den", []):
            v[k] = 100
        return v

    first = c.inputs[0]
    bad_values = {"count": [-3, 2.5, "mười", "12"], "number": [-1, "N/A"], "amount": [-5, "1.234"], "yesno": ["x", 1], "choice": ["Khác", 0]}
    out = [typical(), {}, {**typical(), first.key: None}]
    out += [{**typical(), first.key: bad} for bad in bad_values[first.type]]
    if c.kind in ("proportional", "threshold", "step", "weighted_shares"):
        den, _ = _den_num(c)
        zero = {k: 0 for k in specs}
        out.append(zero)
        over = typical()
        for k in (c.params.get("num") or list(c.params.get("weights", {}))):
            over[k] = 1000
        out.append(over)
    if c.kind in ("threshold", "step"):
        target = Fraction(str(number(c.params["target"])))
        d = 1000 * target.denominator
        at = int(target * d)
        for n in (at - 1, at, at + 1):
            v = {k: 0 for k in specs}
            v[c.params["den"][0]], v[c.params["num"][0]] = d, n
            out.append(v)
    if c.kind == "weighted_shares" and "full_at" in c.params:
        full = c.params["full_at"]
        for n in (799, 800):
            v = {k: 0 for k in specs}
            v[c.params["den"][0]], v[full["input"]] = 1000, n
            out.append(v)
    if c.kind == "choice":
        out += [{first.key: choice} for choice in first.choices]
    if c.kind in ("yes_no", "checklist"):
        out += [{k: "Không" for k in specs}, {k: " Có " for k in specs}]
    if isinstance(c.rule, PerItem):  # per_item, bonus, penalty: each part below, at and above its cap
        out.append({p["input"]: ("Có" if specs[p["input"]].type == "yesno" else 50) for p in c.params["parts"]})
        for step in (0, 1, 2):
            v = {}
            for p in c.params["parts"]:
                spec = specs[p["input"]]
                at = int(math.ceil(number(p["cap"]) / number(p["points"])))
                v[p["input"]] = ("Có" if step else "Không") if spec.type == "yesno" else max(0, at - 1 + step)
            out.append(v)
    return out


def scenario_units(count: int, catalog=CATALOG) -> list[dict]:
    """Unit k gives every criterion its k-th scenario (cycling), so each file mixes all kinds."""
    table = {c.code: scenarios(c) for c in catalog.criteria}
    return [{code: cases[k % len(cases)] for code, cases in table.items()} for k in range(count)]


def typed_value(spec):
    """What a person can leave in a cell: blank, a value of the right type, or something else."""
    valid = {
        "count": st.integers(0, 5000),
        "number": st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
        "amount": st.integers(0, 10**11),
        "yesno": st.sampled_from(["Có", "Không"]),
        "choice": st.sampled_from(spec.choices or ("",)),
    }[spec.type]
    junk = st.one_of(st.integers(-50, -1), st.floats(0.1, 99.9).map(lambda x: round(x, 2)),
                     st.sampled_from(["mười", "N/A", " ", "12", "Có", "Không", "x"]))
    return st.one_of(st.none(), valid, valid, valid, junk)


@st.composite
def unit_inputs(draw, catalog=CATALOG):
    out = {}
    for c in catalog.criteria:
        values = {i.key: draw(typed_value(i)) for i in c.inputs}
        # Half of the time keep parts within their whole, so that scores (not only errors) are compared.
        if draw(st.booleans()):
            for rule in c.rule.constraints(c.params):
                whole = sum(v for k in rule["rhs"] if isinstance(v := values.get(k), (int, float)) and not isinstance(v, bool))
                for k in rule["lhs"]:
                    if isinstance(values.get(k), (int, float)) and whole >= 0:
                        values[k] = min(values[k], whole) if c.input(k).type != "count" else int(min(values[k], whole))
        out[c.code] = {k: v for k, v in values.items() if v is not None}
    return out


# ----------------------------------------------------------------------------- comparing


def _blank(value) -> bool:
    return value is None or value == ""


def _same_number(actual, expected) -> bool:
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        return False
    return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)


def mismatches(inputs: dict, level: str, got: dict, catalog=CATALOG) -> list[str]:
    result = hue_dx.score_unit(catalog, inputs, level)
    problems = []

    def check(name: str, expected) -> None:
        if name not in got:
            return  # a figure this set's workbook does not have (bonus of a pillar without bonus criteria)
        actual = got[name]
        same = _blank(actual) if expected is None else _same_number(actual, expected) if isinstance(expected, float) else actual == expected
        if not same:
            problems.append(f"{name}: workbook {actual!r}, engine {expected!r}")

    for c in result.criteria:
        check(names.score_name(c.code), c.points)
        check(names.status_name(c.code), c.status_vi)
        check(names.amax_name(c.code), float(c.applicable_max))
    for node in result.pillars:
        check(names.pillar_name(node.code, "points"), float(node.points))
        check(names.pillar_name(node.code, "max"), float(node.applicable_max))
        check(names.pillar_name(node.code, "index"), node.index)
        check(names.pillar_name(node.code, "base"), float(node.base_points))
        check(names.pillar_name(node.code, "bonus"), float(node.bonus))
        check(names.pillar_name(node.code, "penalty"), float(node.penalty))
    check(names.total_name("points"), float(result.total.points))
    check(names.total_name("max"), float(result.total.applicable_max))
    check(names.total_name("index"), result.total.index)
    check(names.total_name("base"), float(result.total.base_points))
    check(names.total_name("bonus"), float(result.total.bonus))
    check(names.total_name("penalty"), float(result.total.penalty))
    check(names.total_name("grade"), totals.grade(result.total.index, catalog.totals.grades))
    return problems


def as_cells(inputs: dict) -> dict:
    return {names.input_name(code, key): value for code, values in inputs.items() for key, value in values.items()}


def _numeric_text(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def without_numeric_text(inputs: dict) -> dict:
    """The `formulas` package's ISNUMBER says TRUE for text such as "12" (Excel and LibreOffice
    say FALSE), so text that looks like a number is left to the LibreOffice tests."""
    return {code: {k: ("N/A" if _numeric_text(v) else v) for k, v in values.items()} for code, values in inputs.items()}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def templates():
    return {level: build(CATALOG, CAMPAIGN, level, UNIT_VALUES).data for level in LEVELS}


@pytest.fixture(scope="module")
def sample_templates():
    """The sample set's templates with their tokens, to be stamped as ``generate`` stamps them."""
    return {level: Template.from_bytes(build(SAMPLE, SAMPLE_CAMPAIGN, level).data) for level in SAMPLE.levels}


def write_filled(directory: Path, template: bytes, units: list[dict], prefix: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, inputs in enumerate(units):
        path = directory / f"{prefix}-{n:02d}.xlsx"
        path.write_bytes(fill(template, inputs))
        paths.append(path)
    return paths


def central_cells(catalog, inputs: dict, level: str) -> dict:
    """The Sở's figures of a unit as ``generate`` stamps them into the locked cells (given ones, of applicable criteria)."""
    return {names.input_name(c.code, i.key): inputs[c.code][i.key] for c, i in catalog.central_inputs
            if c.applies(level) and inputs.get(c.code, {}).get(i.key) is not None}


def write_stamped(directory: Path, template: Template, units: list[dict], level: str, prefix: str) -> list[Path]:
    """Each unit's file stamped with its central figures, the other inputs then typed in (``fill``)."""
    directory.mkdir(parents=True, exist_ok=True)
    central = {(c.code, i.key) for c, i in SAMPLE.central_inputs}
    paths = []
    for n, inputs in enumerate(units):
        data = template.stamp({**UNIT_VALUES, "unit_code": f"T{n}"}, central_cells(SAMPLE, inputs, level))
        typed = {code: {k: v for k, v in values.items() if (code, k) not in central} for code, values in inputs.items()}
        path = directory / f"{prefix}-{n:02d}.xlsx"
        path.write_bytes(fill(data, typed))
        paths.append(path)
    return paths


# Index values at and around the bands' bounds (the sample set's and odd ones): what
# ROUND(…;4) makes of a value half way between two published indices, or one ulp off a bound.
GRADE_BANDS = (SAMPLE.totals.grades, (totals.Grade("Đạt", 0.5), totals.Grade("Tốt", 0.8)))
GRADE_VALUES = [0.0, 1.0, 0.9, 0.89995, 0.00015, 0.10005, 0.8999499999, 0.89994999, 0.75, 0.74995, 0.7499, 0.6, 0.59995, 0.45, 0.44995, 0.44994,
                0.49995, 0.4999, 0.79995, 0.8, 0.9 - 2 ** -52, 0.9 + 2 ** -52, 25.2 / 28, 17999 / 20000, 0.123456789, 0.99999]


def grade_probe(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for n, value in enumerate(GRADE_VALUES, start=1):
        ws.cell(n, 1, value)
        for col, bands in enumerate(GRADE_BANDS, start=2):
            ws.cell(n, col, "=" + totals.xl_grade(f"A{n}", bands))
    ws.cell(len(GRADE_VALUES) + 1, 2, "=" + totals.xl_grade(f"A{len(GRADE_VALUES) + 1}", SAMPLE.totals.grades))  # no index: blank
    wb.save(path)


def grade_mismatches(path: Path) -> list[str]:
    from openpyxl import load_workbook

    ws = load_workbook(path, data_only=True).active
    problems = []
    for n, value in enumerate(GRADE_VALUES, start=1):
        for col, bands in enumerate(GRADE_BANDS, start=2):
            got, wanted = ws.cell(n, col).value, totals.grade(value, bands)
            if (got or None) != wanted:
                problems.append(f"grade of {value!r} with bands {col - 1}: workbook {got!r}, engine {wanted!r}")
    if ws.cell(len(GRADE_VALUES) + 1, 2).value not in (None, ""):
        problems.append("a blank index has a grade")
    return problems


# ----------------------------------------------------------------------------- LibreOffice


def test_scenarios_cover_every_kind_and_case():
    for catalog in (CATALOG, SAMPLE):
        table = {c.code: scenarios(c) for c in catalog.criteria}
        assert all(len(cases) >= 6 for cases in table.values())
    assert {c.kind for c in CATALOG.criteria} | {c.kind for c in SAMPLE.criteria} == set(hue_dx.rules.KINDS)
    assert {c.kind for c in SAMPLE.criteria} == set(hue_dx.rules.KINDS), "the sample set uses every rule kind"
    assert SAMPLE.central_inputs and SAMPLE.totals.grades and SAMPLE.totals.bonus_cap and SAMPLE.totals.penalty_cap


def test_libreoffice_computes_what_the_engine_computes_on_boundary_cases(templates, sample_templates, tmp_path):
    """One LibreOffice run for everything: the 2020 set's files, the sample set's stamped files and the grade probe."""
    units = scenario_units(12)
    files, expected = [], []
    for level in LEVELS:
        files += write_filled(tmp_path / "in", templates[level], units, level)
        expected += [(u, level, CATALOG) for u in units]
    sample_units = scenario_units(16, SAMPLE)
    for level, template in sample_templates.items():
        files += write_stamped(tmp_path / "in", template, sample_units, level, f"mau-{level}")
        expected += [(u, level, SAMPLE) for u in sample_units]
    probe = tmp_path / "in" / "grades.xlsx"
    grade_probe(probe)
    computed = libreoffice_recalc([*files, probe], tmp_path / "out")
    problems = grade_mismatches(computed[-1])
    for path, (inputs, level, catalog) in zip(computed[:-1], expected, strict=True):
        got = read_by_names(path, output_names(catalog))
        problems += [f"{path.name} {p}" for p in mismatches(inputs, level, got, catalog)]
    assert not problems, "\n".join(problems[:30])


def test_the_sample_boundary_cases_reach_every_cap_and_the_floor():
    """The sample set's boundary units do hit what the totals' formulas decide: a pillar's bonus
    and penalty caps, the whole set's caps, the floor, and more than one grade."""
    reached = set()
    for level in SAMPLE.levels:
        for inputs in scenario_units(16, SAMPLE):
            result = hue_dx.score_unit(SAMPLE, inputs, level)
            for p in result.pillars:
                raw = sum(r.counted_points for c in SAMPLE.criteria_under(p.code) if c.role == "bonus"
                          for r in [result.criterion(c.code)])
                group = SAMPLE.groups_by_code[p.code]
                if group.bonus_cap is not None and raw > group.bonus_cap:
                    reached.add("pillar bonus cap")
                if p.base_points + p.bonus + p.penalty < 0:
                    reached.add("floor")
            t = result.total
            if SAMPLE.totals.bonus_cap is not None and sum(p.bonus for p in result.pillars) > SAMPLE.totals.bonus_cap:
                reached.add("set bonus cap")
            if SAMPLE.totals.penalty_cap is not None and sum(p.penalty for p in result.pillars) < -SAMPLE.totals.penalty_cap:
                reached.add("set penalty cap")
            reached.add(totals.grade(t.index, SAMPLE.totals.grades))
    assert {"pillar bonus cap", "floor", "set bonus cap", "set penalty cap"} <= reached, reached
    assert len(reached & {g.label for g in SAMPLE.totals.grades}) >= 2, reached


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(units=st.lists(unit_inputs(), min_size=6, max_size=6), level=st.sampled_from(LEVELS))
def test_libreoffice_computes_what_the_engine_computes_on_random_inputs(templates, tmp_path_factory, units, level):
    directory = tmp_path_factory.mktemp("random")
    computed = libreoffice_recalc(write_filled(directory / "in", templates[level], units, level), directory / "out")
    wanted = output_names(CATALOG)
    problems = []
    for path, inputs in zip(computed, units, strict=True):
        problems += [f"{path.name} {p}" for p in mismatches(inputs, level, read_by_names(path, wanted))]
    assert not problems, "\n".join(problems[:30])


@settings(max_examples=2 * PROFILE_SCALE, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(units=st.lists(unit_inputs(SAMPLE), min_size=8, max_size=8), level=st.sampled_from(list(SAMPLE.levels)))
def test_libreoffice_computes_the_sample_sets_random_inputs_as_the_engine(sample_templates, tmp_path_factory, units, level):
    directory = tmp_path_factory.mktemp("random-mau")
    computed = libreoffice_recalc(write_stamped(directory / "in", sample_templates[level], units, level, "mau"), directory / "out")
    wanted = output_names(SAMPLE)
    problems = []
    for path, inputs in zip(computed, units, strict=True):
        problems += [f"{path.name} {p}" for p in mismatches(inputs, level, read_by_names(path, wanted), SAMPLE)]
    assert not problems, "\n".join(problems[:30])


# ----------------------------------------------------------------------------- formulas package


@pytest.fixture(scope="module")
def compiled(templates, tmp_path_factory):
    directory = tmp_path_factory.mktemp("formulas")
    models = {}
    for level in ("so", "huyen"):
        path = directory / f"parity-{level}.xlsx"
        path.write_bytes(templates[level])
        models[level] = FormulasModel(path, input_names(CATALOG), output_names(CATALOG))
    return models


@pytest.fixture(scope="module")
def sample_compiled(tmp_path_factory):
    directory = tmp_path_factory.mktemp("formulas-mau")
    models = {}
    for level in SAMPLE.levels:
        path = directory / f"parity-mau-{level}.xlsx"
        path.write_bytes(build(SAMPLE, SAMPLE_CAMPAIGN, level, UNIT_VALUES).data)
        models[level] = FormulasModel(path, input_names(SAMPLE), output_names(SAMPLE))
    return models


def test_formulas_package_computes_what_the_engine_computes_on_boundary_cases(compiled, sample_compiled):
    problems = []
    for catalog, models, count in ((CATALOG, compiled, 12), (SAMPLE, sample_compiled, 16)):
        for level, model in models.items():
            for n, inputs in enumerate(map(without_numeric_text, scenario_units(count, catalog))):
                problems += [f"{catalog.id} {level}#{n} {p}" for p in mismatches(inputs, level, model(as_cells(inputs)), catalog)]
    assert not problems, "\n".join(problems[:30])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs=unit_inputs(), level=st.sampled_from(["so", "huyen"]))
def test_formulas_package_computes_what_the_engine_computes_on_random_inputs(compiled, inputs, level):
    inputs = without_numeric_text(inputs)
    problems = mismatches(inputs, level, compiled[level](as_cells(inputs)))
    assert not problems, "\n".join(problems[:30])


@settings(max_examples=20 * PROFILE_SCALE, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs=unit_inputs(SAMPLE), level=st.sampled_from(list(SAMPLE.levels)))
def test_formulas_package_computes_the_sample_sets_random_inputs_as_the_engine(sample_compiled, inputs, level):
    inputs = without_numeric_text(inputs)
    problems = mismatches(inputs, level, sample_compiled[level](as_cells(inputs)), SAMPLE)
    assert not problems, "\n".join(problems[:30])
