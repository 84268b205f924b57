"""The UDF variant of the official workbook (score and status cells call HUEDX_SCORE and
HUEDX_STATUS) gives, computed by the `formulas` package with the add-in's functions, every
score equal to the native-formula workbook and to the engine."""

from __future__ import annotations

import pytest
from engines import FormulasModel, input_names, output_names, register_udfs
from hypothesis import HealthCheck, given, settings
from test_workbook_parity import CAMPAIGN, CATALOG, UNIT_VALUES, as_cells, mismatches, scenario_units, unit_inputs, without_numeric_text

from hue_dx.workbook.build import build


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    register_udfs()
    directory = tmp_path_factory.mktemp("udf")
    out = {}
    for variant in ("udf", "native"):
        path = directory / f"{variant}.xlsx"
        path.write_bytes(build(CATALOG, CAMPAIGN, "huyen", UNIT_VALUES, formulas=variant).data)
        out[variant] = FormulasModel(path, input_names(CATALOG), output_names(CATALOG))
    return out


def test_the_udf_workbook_calls_the_addin_for_scores_and_statuses(models, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "udf.xlsx"
    path.write_bytes(build(CATALOG, CAMPAIGN, "so", UNIT_VALUES, formulas="udf").data)
    ws = load_workbook(path)["5. Hoạt động của Chính quyền số"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HUEDX_")]
    assert any(f.startswith('=HUEDX_SCORE("5.2.1",') for f in formulas) and any(f.startswith('=HUEDX_STATUS("5.2.1",') for f in formulas)


def test_udf_and_native_workbooks_and_engine_agree_on_boundary_cases(models):
    problems = []
    for n, inputs in enumerate(map(without_numeric_text, scenario_units(12))):
        cells = as_cells(inputs)
        udf, native = models["udf"](cells), models["native"](cells)
        problems += [f"udf#{n} {p}" for p in mismatches(inputs, "huyen", udf)]
        problems += [f"#{n} {k}: udf {udf[k]!r} native {native[k]!r}" for k in udf if udf[k] != native[k] and
                     not (isinstance(udf[k], float) and isinstance(native[k], float) and abs(udf[k] - native[k]) < 1e-9)]
    assert not problems, "\n".join(problems[:30])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs=unit_inputs())
def test_udf_workbook_agrees_with_the_engine_on_random_inputs(models, inputs):
    inputs = without_numeric_text(inputs)
    problems = mismatches(inputs, "huyen", models["udf"](as_cells(inputs)))
    assert not problems, "\n".join(problems[:30])
