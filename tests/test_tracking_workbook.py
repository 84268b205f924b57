"""The quarterly workbook of a unit: exactly its rows, named cells, validation, identity,
protection, print setup, pre-filling from the previous quarter, the generator and its command."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hue_dx import cli
from hue_dx import names as nm
from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, roles, tasks
from hue_dx.tracking.answers import TaskAnswer
from hue_dx.tracking.generate import MANIFEST, generate
from hue_dx.tracking.workbook import HEADER_ROW, SHEET_COOPERATE, SHEET_INDICATORS, SHEET_LEAD, fingerprint

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
Q3 = periods.Quarter(2021, 3)
DUTIES = roles.duties(CATALOG, RECIPE.units)
PREVIOUS = {
    "STTTT": {
        "PL3.B.1": TaskAnswer(status=an.IN_PROGRESS, percent=60, output="Đã triển khai LGSP", evidence="QĐ 123/QĐ-STTTT",
                              allocated=1_000_000_000, disbursed=400_000_000, difficulties="Thiếu nhân lực", proposals="Bổ sung biên chế"),
        "PL1.2": TaskAnswer(value=85.5, source="Cổng dịch vụ công tỉnh", measured_on=dt.date(2021, 6, 10)),
        "PL2.II.3": TaskAnswer(status=an.IN_PROGRESS, contribution="Chuẩn bị tài liệu cho 3 hội nghị"),
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("tracking") / "q3"
    written = generate(CATALOG, RECIPE, Q3, out, previous=PREVIOUS)
    return out, {g.unit: g for g in written}


def book(generated, unit: str, data_only: bool = False):
    out, files = generated
    return load_workbook(out / files[unit].path, data_only=data_only)


def named_cells(wb) -> dict[str, tuple[str, str]]:
    out = {}
    for name in wb.defined_names:
        destinations = list(wb.defined_names[name].destinations)
        if destinations:
            sheet, coord = destinations[0]
            out[name] = (sheet, coord.replace("$", ""))
    return out


@pytest.mark.parametrize("unit", ["STTTT", "SNV", "SCT", "TPHUE", "SNGV"])
def test_a_workbook_holds_exactly_the_units_rows(generated, unit):
    wb = book(generated, unit)
    duty = DUTIES[unit]
    found = {tn.parse_cell_name(n)[:2] for n in named_cells(wb) if tn.parse_cell_name(n)}
    expected = {(tn.LEAD_TAG, t.id) for t in duty.lead} | {(tn.COOPERATE_TAG, t.id) for t in duty.cooperate}
    assert found == expected
    for sheet, rows in ((SHEET_INDICATORS, duty.indicators), (SHEET_LEAD, duty.tasks), (SHEET_COOPERATE, duty.cooperate)):
        ids = [c.value for c in wb[sheet]["A"] if c.value in CATALOG.by_id]
        assert ids == [t.id for t in rows], sheet


def test_a_lead_unit_sees_the_tasks_it_reports_for_an_external_lead(generated):
    ws = book(generated, "STTTT")[SHEET_LEAD]
    row = next(c.row for c in ws["A"] if c.value == "PL3.C.4")
    assert "Chi nhánh Ngân hàng Nhà nước tỉnh Thừa Thiên Huế — đơn vị báo cáo thay" in ws[f"C{row}"].value
    assert "chưa xác định" in ws[f"C{row}"].value  # its funding prints "-"


def test_every_named_input_is_in_its_tasks_row_under_its_fields_header(generated):
    wb = book(generated, "STTTT")
    checked = 0
    for name, (sheet, coord) in named_cells(wb).items():
        parsed = tn.parse_cell_name(name)
        if not parsed:
            continue
        ws = wb[sheet]
        cell = ws[coord]
        assert ws.cell(cell.row, 1).value == parsed[1], name
        role = an.COOPERATE if parsed[0] == tn.COOPERATE_TAG else an.INDICATOR if sheet == SHEET_INDICATORS else an.LEAD
        assert ws.cell(HEADER_ROW, cell.column).value == next(s.label for s in an.FIELDS[role] if s.key == parsed[2]), name
        assert not cell.protection.locked, name
        checked += 1
    assert checked == 9 * 5 + 68 * 8 + 9 * 2


def test_each_row_has_a_named_check(generated):
    wb = book(generated, "SNV")
    cells = named_cells(wb)
    for task in DUTIES["SNV"].lead:
        sheet, coord = cells[tn.check_name(tn.LEAD_TAG, task.id)]
        assert wb[sheet][coord].value.startswith("=IF(TRIM(")
    for task in DUTIES["SNV"].cooperate:
        assert tn.check_name(tn.COOPERATE_TAG, task.id) in cells


def validation_of(ws, coord: str):
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) == 1, coord
    return found[0]


def test_inputs_are_validated_with_vietnamese_messages(generated):
    wb = book(generated, "STTTT")
    cells = named_cells(wb)
    seen = set()
    for name, (sheet, coord) in cells.items():
        parsed = tn.parse_cell_name(name)
        if not parsed or parsed[2] in ("output", "evidence", "difficulties", "proposals", "source", "contribution"):
            continue
        dv = validation_of(wb[sheet], coord)
        key = parsed[2]
        if key == "status":
            assert dv.type == "list" and all(s in dv.formula1 for s in an.STATUSES)
        elif key in ("percent", "value"):
            assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
        elif key in ("allocated", "disbursed"):
            assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        elif key == "measured_on":
            first = (dt.date(2020, 1, 1) - dt.date(1899, 12, 30)).days
            last = (dt.date(2021, 9, 20) - dt.date(1899, 12, 30)).days  # the period's deadline
            assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("date", "between", str(first), str(last))
        assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.errorTitle == "Số liệu không hợp lệ"
        assert not dv.error.isascii() and dv.prompt == dv.error, dv.error  # Vietnamese, with diacritics
        seen.add(key)
    assert seen == {"status", "percent", "allocated", "disbursed", "value", "measured_on"}


def test_identity_is_embedded_twice_and_names_a_tracking_workbook(generated):
    out, files = generated
    wb = book(generated, "SNV")
    props = {p.name: p.value for p in wb.custom_doc_props}
    expected = {"kind": "tracking", "catalog_id": "hue-222-2020-tasks", "catalog_version": CATALOG.version, "period": "2021-Q3",
                "unit_code": "SNV", "level": "so", "generation_id": files["SNV"].generation_id, "fingerprint": files["SNV"].fingerprint}
    for key, value in expected.items():
        name = nm.identity_name(key)
        assert props[name] == value
        assert wb.defined_names[name].attr_text == f'"{value}"'
    assert fingerprint(wb) == files["SNV"].fingerprint  # recomputed from the saved file
    assert files["TPHUE"].fingerprint == files["HALUOI"].fingerprint  # same rows, same layout
    assert files["TPHUE"].fingerprint != files["SNV"].fingerprint


def test_layout_is_protected_printable_and_in_times_new_roman(generated):
    wb = book(generated, "SCT")
    inputs = {coord for sheet, coord in named_cells(wb).values()}
    for ws in wb.worksheets:
        assert ws.protection.sheet and ws.protection.password
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked <= inputs, ws.title
        assert str(ws.page_setup.paperSize) == "9" and ws.sheet_properties.pageSetUpPr.fitToPage
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    assert c.font.name == "Times New Roman", (ws.title, c.coordinate)
    for sheet in (SHEET_INDICATORS, SHEET_LEAD, SHEET_COOPERATE):
        ws = wb[sheet]
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows.replace("$", "") == "4:4"
        assert "Sở Công Thương" in ws.oddFooter.left.text and ws.print_area


def test_the_previous_quarter_is_prefilled_except_the_funds_of_the_period(generated):
    wb = book(generated, "STTTT")
    cells = named_cells(wb)

    def value(tag, task_id, key):
        sheet, coord = cells[tn.cell_name(tag, task_id, key)]
        return wb[sheet][coord].value

    assert value(tn.LEAD_TAG, "PL3.B.1", "status") == an.IN_PROGRESS
    assert value(tn.LEAD_TAG, "PL3.B.1", "percent") == 60
    assert value(tn.LEAD_TAG, "PL3.B.1", "evidence") == "QĐ 123/QĐ-STTTT"
    assert value(tn.LEAD_TAG, "PL3.B.1", "allocated") is None and value(tn.LEAD_TAG, "PL3.B.1", "disbursed") is None
    assert value(tn.LEAD_TAG, "PL1.2", "value") == 85.5
    assert value(tn.LEAD_TAG, "PL1.2", "measured_on").date() == dt.date(2021, 6, 10)
    assert value(tn.COOPERATE_TAG, "PL2.II.3", "contribution") == "Chuẩn bị tài liệu cho 3 hội nghị"
    assert value(tn.LEAD_TAG, "PL3.B.4", "status") is None  # not in the previous answers
    assert "quý II năm 2021" in wb[SHEET_LEAD]["A3"].value
    fresh = book(generated, "SNV")
    assert "Đã điền sẵn" not in fresh[SHEET_LEAD]["A3"].value


def test_the_guide_gives_period_cut_off_deadline_and_legal_basis(generated):
    ws = book(generated, "TPHUE")["Hướng dẫn"]
    text = "\n".join(str(c.value) for c in ws["B"] if c.value)
    assert "QUÝ III NĂM 2021" in text and "từ ngày 15/06/2021 đến ngày 14/09/2021" in text
    assert "Điều 12 Nghị định số 09/2019/NĐ-CP" in text and "20/09/2021" in text
    assert "1 nhiệm vụ đơn vị chủ trì" in text and "IV.8.1" in "\n".join(str(c.value) for c in ws["A"] if c.value)


def test_generate_writes_every_unit_and_a_manifest(generated):
    out, files = generated
    assert len(files) == 30
    assert sorted(p.name for p in out.iterdir()) == sorted([g.path for g in files.values()] + [MANIFEST])
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["kind"], manifest["period"], manifest["deadline"], manifest["cutoff_start"]) == ("tracking", "2021-Q3", "2021-09-20", "2021-06-15")
    assert manifest["prefilled_from"] == "2021-Q2"
    assert len(manifest["files"]) == 30
    for entry in manifest["files"]:
        duty = DUTIES[entry["unit"]]
        assert (entry["indicators"], entry["lead"], entry["cooperate"]) == (len(duty.indicators), len(duty.tasks), len(duty.cooperate))
        assert entry["size"] == (out / entry["path"]).stat().st_size


def test_the_fourth_quarter_is_titled_as_the_annual_report(tmp_path):
    (g,) = generate(CATALOG, RECIPE, periods.Quarter(2021, 4), tmp_path, units=[RECIPE.unit("SYT")])
    wb = load_workbook(tmp_path / g.path)
    assert wb[SHEET_LEAD]["A1"].value.endswith("QUÝ IV VÀ NĂM 2021")
    assert wb.properties.title.startswith("Báo cáo triển khai Kế hoạch 222/KH-UBND quý IV và năm 2021")


def test_the_assessment_intake_tells_a_tracking_workbook_apart(generated, corpus_world):
    from hue_dx.intake.check import check_file

    out, files = generated
    _, _, _, ctx = corpus_world
    data = (out / files["SNV"].path).read_bytes()
    result = check_file(data, files["SNV"].path, hashlib.sha256(data).hexdigest(), ctx)
    assert not result.accepted
    assert [i.code for i in result.issues] == ["catalog-other"]


def test_the_command_generates_with_previous_answers(tmp_path, capsys):
    previous = tmp_path / "q2.json"
    an.dump_previous(previous, CATALOG.id, "2021-Q2", PREVIOUS)
    code = cli.main(["tasks", "--recipe", str(RECIPE.path), "generate", "--period", "quý III năm 2021", "--out", str(tmp_path / "out"),
                     "--unit", "STTTT", "--unit", "snv", "--previous", str(previous)])
    out = capsys.readouterr().out
    assert code == 0 and "Đã tạo 2 sổ báo cáo quý III năm 2021" in out and "Đã điền sẵn số liệu quý II năm 2021" in out
    assert len(list((tmp_path / "out").glob("2021-Q3_*.xlsx"))) == 2
    code = cli.main(["tasks", "--recipe", str(RECIPE.path), "generate", "--period", "2021-Q4", "--out", str(tmp_path / "x"),
                     "--previous", str(previous)])
    assert code == 2 and "kỳ trước của 2021-Q4 là 2021-Q3" in capsys.readouterr().err
