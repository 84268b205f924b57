"""A quarterly workbook opened, recomputed and re-saved by LibreOffice (an independent engine, as a
unit's desk may be): identity, names, validation and protection survive, and every row's check
computed by LibreOffice says what the Python check says about the same cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from engines import libreoffice_recalc
from openpyxl import load_workbook

from hue_dx import names as nm
from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, roles, tasks
from hue_dx.tracking.generate import generate
from hue_dx.tracking.workbook import fingerprint

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
DUTY = roles.duties(CATALOG, RECIPE.units)["STTTT"]
DAY = dt.datetime(2021, 9, 10)

# Raw cell values as a person may leave them (text where a number belongs, odd case, blanks).
LEAD_CASES = [
    {}, {"status": "   "}, {"status": "xong rồi"}, {"status": "Hoàn thành", "percent": 100, "output": "QĐ 12"},
    {"status": an.IN_PROGRESS, "percent": "50"}, {"status": an.IN_PROGRESS, "percent": 150}, {"status": an.DONE, "percent": 90},
    {"status": an.DONE}, {"status": an.NOT_STARTED, "percent": 10}, {"status": an.NOT_STARTED}, {"status": an.LATE},
    {"status": an.IN_PROGRESS, "percent": 30, "allocated": "2 tỷ"}, {"status": an.IN_PROGRESS, "percent": 30, "disbursed": -5},
    {"status": an.STOPPED}, {"status": an.STOPPED, "difficulties": "Chưa có vốn"}, {"status": an.DONE, "percent": 100},
    {"status": an.IN_PROGRESS, "percent": 0, "allocated": 1_000_000_000, "disbursed": 250_000_000},
    {"status": an.LATE, "percent": 45.5, "difficulties": "Đấu thầu lại"},
]
INDICATOR_CASES = [
    {}, {"value": "80%"}, {"value": 101}, {"value": -1}, {"value": 80}, {"value": 80, "source": "Cổng DVC"},
    {"value": 80, "source": "Cổng DVC", "measured_on": "ngày 14"}, {"value": 80, "source": "Cổng DVC", "measured_on": DAY},
    {"value": 0, "source": "Báo cáo", "measured_on": DAY},
]
COOPERATE_CASES = [{}, {"status": an.NOT_STARTED}, {"status": an.IN_PROGRESS}, {"status": an.IN_PROGRESS, "contribution": "Cử cán bộ"},
                   {"status": "Dừng", "contribution": "Tạm dừng"}]


def cases() -> list[tuple[str, str, dict]]:
    """(tag, task id, raw values) for as many rows as there are cases, per kind of row."""
    out = []
    for rows, kind, tag in ((DUTY.tasks, LEAD_CASES, tn.LEAD_TAG), (DUTY.indicators, INDICATOR_CASES, tn.LEAD_TAG),
                            (DUTY.cooperate, COOPERATE_CASES, tn.COOPERATE_TAG)):
        assert len(rows) >= len(kind)
        out += [(tag, task.id, values) for task, values in zip(rows, kind, strict=False)]
    return out


def expected(tag: str, task_id: str, values: dict) -> str:
    task = CATALOG.task(task_id)
    if tag == tn.COOPERATE_TAG:
        return an.check_cooperate(values)
    if task.kind == "indicator":
        return an.check_indicator(values, task.target is not None and task.target.unit == "%")
    return an.check_lead(values)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tracking-resave")
    (g,) = generate(CATALOG, RECIPE, periods.Quarter(2021, 3), directory / "gen", units=[DUTY.unit])
    original = directory / "in" / g.path
    original.parent.mkdir()
    wb = load_workbook(directory / "gen" / g.path)
    for tag, task_id, values in cases():
        for key in an.FIELDS[an.COOPERATE if tag == tn.COOPERATE_TAG else an.INDICATOR if task_id.startswith("PL1.") else an.LEAD]:
            sheet, coord = next(iter(wb.defined_names[tn.cell_name(tag, task_id, key.key)].destinations))
            wb[sheet][coord.replace("$", "")].value = values.get(key.key)
    wb.save(original)  # openpyxl keeps these validations: every list is inline, none points at another sheet
    (resaved,) = libreoffice_recalc([original], directory / "out")
    PATHS.update(original=original, resaved=resaved)
    return load_workbook(original), load_workbook(resaved), load_workbook(resaved, data_only=True), g


PATHS: dict[str, Path] = {}  # the files of ``pair``, for the intake test below


def test_every_check_computed_by_libreoffice_matches_python(pair):
    _, _, computed, _ = pair
    seen = set()
    for tag, task_id, values in cases():
        sheet, coord = next(iter(computed.defined_names[tn.check_name(tag, task_id)].destinations))
        got = computed[sheet][coord.replace("$", "")].value
        want = expected(tag, task_id, values)
        assert got == want, (task_id, values)
        seen.add(want)
    assert len(seen) == 19  # every message but "giá trị không được âm" (no target of the plan is a count), and "đủ"


def test_identity_survives(pair):
    _, after, _, generated = pair
    props = {p.name: p.value for p in after.custom_doc_props}
    for key, value in {"kind": "tracking", "catalog_id": CATALOG.id, "period": "2021-Q3", "unit_code": "STTTT", "level": "so",
                       "generation_id": generated.generation_id, "fingerprint": generated.fingerprint}.items():
        name = nm.identity_name(key)
        assert props[name] == value
        assert after.defined_names[name].attr_text.strip('"') == value
    assert fingerprint(after) == generated.fingerprint


def test_every_defined_name_survives_pointing_to_the_same_cell(pair):
    before, after, _, _ = pair
    assert len(list(before.defined_names)) > 700
    for name in before.defined_names:
        assert name in after.defined_names, name
        assert after.defined_names[name].attr_text.replace("$", "") == before.defined_names[name].attr_text.replace("$", ""), name


def test_validation_protection_and_print_setup_survive(pair):
    from test_workbook_resave import validated_cells

    before, after, _, _ = pair
    for a, b in zip(before.worksheets, after.worksheets, strict=True):
        assert a.title == b.title and b.protection.sheet
        assert validated_cells(a) == validated_cells(b), a.title
        unlocked = lambda ws: {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}  # noqa: E731
        assert unlocked(a) <= unlocked(b)
        assert str(b.page_setup.paperSize) == "9" and b.page_setup.orientation == a.page_setup.orientation
        assert (b.print_title_rows or "").replace("$", "") == (a.print_title_rows or "").replace("$", "")


def test_the_intake_reads_the_resaved_file_as_the_original(pair, tmp_path):
    """LibreOffice's re-save (names, formulas and values written its own way) is no layout change
    for the quarterly intake, and every answer reads the same as in the file before the re-save."""
    from hue_dx.tracking.intake import Context, consolidate

    context = Context.create(CATALOG, RECIPE, periods.Quarter(2021, 3))
    results = {}
    for key, path in PATHS.items():
        (tmp_path / key).mkdir()
        (tmp_path / key / path.name).write_bytes(path.read_bytes())
        results[key] = consolidate(CATALOG, RECIPE, periods.Quarter(2021, 3), [tmp_path / key], tmp_path / f"kho-{key}", context=context)
    layout = {"tk-layout-changed", "tk-check-changed", "tk-check-overwritten", "rows-shifted", "name-missing", "sheet-missing", "tk-layout-version"}
    for result in results.values():
        assert not [i for i in result.issues if i.code in layout]
    before, after = (next(u for u in results[k].units if u.unit.code == "STTTT") for k in ("original", "resaved"))
    assert after.file.answers == before.file.answers and before.file.answers.lead
    issues = lambda r: sorted((i.code, i.cell, i.criterion, i.value) for i in r.issues if i.code.startswith("tk-") and i.code != "tk-conflict")  # noqa: E731
    assert issues(results["resaved"]) == issues(results["original"])
