"""Parity: the generated workbook's own formulas, computed by independent engines
(LibreOffice headless and the `formulas` package), give the Python engine's numbers and
words, cell by cell: every score, status and applicable max, every pillar and the total.

Inputs: each rule kind at its boundaries, blanks, zero denominators, inconsistent counts,
bad values of every type, and many random cases drawn by hypothesis.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
from engines import FormulasModel, input_names, libreoffice_recalc, output_names, read_by_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.rules import number
from hue_dx.workbook.build import build
from hue_dx.workbook.fill import fill

ROOT = Path(__file__).resolve().parents[1]
CATALOG = hue_dx.load_catalog()
CAMPAIGN = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
LEVELS = list(CATALOG.levels)
UNIT_VALUES = {"unit_code": "TEST", "unit_name": "Đơn vị kiểm thử", "generation_id": "0" * 32}


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
    if c.kind == "per_item":
        out.append({p["input"]: ("Có" if specs[p["input"]].type == "yesno" else 50) for p in c.params["parts"]})
    return out


def scenario_units(count: int) -> list[dict]:
    """Unit k gives every criterion its k-th scenario (cycling), so each file mixes all kinds."""
    table = {c.code: scenarios(c) for c in CATALOG.criteria}
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
def unit_inputs(draw):
    out = {}
    for c in CATALOG.criteria:
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


def mismatches(inputs: dict, level: str, got: dict) -> list[str]:
    result = hue_dx.score_unit(CATALOG, inputs, level)
    problems = []

    def check(name: str, expected) -> None:
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
    check(names.total_name("points"), float(result.total.points))
    check(names.total_name("max"), float(result.total.applicable_max))
    check(names.total_name("index"), result.total.index)
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


def write_filled(directory: Path, template: bytes, units: list[dict], prefix: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, inputs in enumerate(units):
        path = directory / f"{prefix}-{n:02d}.xlsx"
        path.write_bytes(fill(template, inputs))
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------- LibreOffice


def test_scenarios_cover_every_kind_and_case():
    table = {c.code: scenarios(c) for c in CATALOG.criteria}
    assert all(len(cases) >= 6 for cases in table.values())
    assert {c.kind for c in CATALOG.criteria} == set(hue_dx.rules.KINDS)


def test_libreoffice_computes_what_the_engine_computes_on_boundary_cases(templates, tmp_path):
    units = scenario_units(12)
    files, expected = [], []
    for level in LEVELS:
        files += write_filled(tmp_path / "in", templates[level], units, level)
        expected += [(u, level) for u in units]
    computed = libreoffice_recalc(files, tmp_path / "out")
    wanted = output_names(CATALOG)
    problems = []
    for path, (inputs, level) in zip(computed, expected, strict=True):
        problems += [f"{path.name} {p}" for p in mismatches(inputs, level, read_by_names(path, wanted))]
    assert not problems, "\n".join(problems[:30])


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


def test_formulas_package_computes_what_the_engine_computes_on_boundary_cases(compiled):
    problems = []
    for level, model in compiled.items():
        for n, inputs in enumerate(map(without_numeric_text, scenario_units(12))):
            problems += [f"{level}#{n} {p}" for p in mismatches(inputs, level, model(as_cells(inputs)))]
    assert not problems, "\n".join(problems[:30])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs=unit_inputs(), level=st.sampled_from(["so", "huyen"]))
def test_formulas_package_computes_what_the_engine_computes_on_random_inputs(compiled, inputs, level):
    inputs = without_numeric_text(inputs)
    problems = mismatches(inputs, level, compiled[level](as_cells(inputs)))
    assert not problems, "\n".join(problems[:30])
