"""The criteria set as a workbook an officer edits: any catalog written out and read back exactly,
and every kind of mistake in a hand-edited workbook reported in Vietnamese with its sheet, row and
column, a hint, and warnings apart from errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_workbook_parity import scenario_units

import hue_dx
from hue_dx import catalog as catalog_mod
from hue_dx import catalog_book, catalog_read, catalog_sheets
from hue_dx.cli import main
from hue_dx.scoring import score_unit

ROOT = Path(__file__).resolve().parents[1]
PLAN = hue_dx.load_catalog()


@pytest.fixture(scope="module")
def book2020(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "bo-tieu-chi.xlsx"
    assert main(["catalog", "export", "-o", str(path)]) == 0
    return path


def edited(book: Path, tmp_path: Path, change) -> Path:
    """A copy of the workbook after a person's edit (``change(wb)``), saved by openpyxl as Excel would."""
    wb = load_workbook(book)
    change(wb)
    out = tmp_path / "sua.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    out.write_bytes(buffer.getvalue())
    return out


def row_of(ws, code: str, column: int = 1) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == code)


def column_of(ws, title: str) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == title)


def only(issues, code: str):
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, [(i.code, i.sheet, i.cell, i.message) for i in issues]
    return found[0]


# --------------------------------------------------------------------------- round trip


def test_the_2020_set_round_trips_exactly_through_the_workbook(book2020, tmp_path, capsys):
    toml = tmp_path / "hue-222-2020.toml"
    assert main(["catalog", "build", str(book2020), "-o", str(toml)]) == 0
    capsys.readouterr()
    assert main(["catalog", "--format", "json"]) == 0
    shipped = capsys.readouterr().out
    assert main(["catalog", "--catalog", str(toml), "--format", "json"]) == 0
    assert capsys.readouterr().out == shipped
    again = catalog_mod.load(toml)
    assert again == PLAN
    for ref in ("check", "check --format json"):
        assert main(["catalog", *ref.split()]) == 0
        first = capsys.readouterr().out
        assert main(["catalog", "--catalog", str(toml), *ref.split()]) == 0
        assert capsys.readouterr().out == first


def test_the_2020_set_read_back_scores_every_test_case_identically(book2020):
    built = catalog_book.build(book2020)
    again = catalog_mod.parse(built.toml.encode("utf-8"), "again.toml")
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "samples" / "inputs").glob("*.json"))]
    units = [(c["inputs"], c.get("level")) for c in cases] + [(u, level) for level in PLAN.levels for u in scenario_units(12)]
    for inputs, level in units:
        assert score_unit(again, inputs, level) == score_unit(PLAN, inputs, level)


@pytest.mark.parametrize("ref", catalog_mod.available())
def test_every_shipped_set_is_written_and_read_back_as_itself(ref):
    catalog = catalog_mod.load(ref)
    tables = catalog_book.read(catalog_book.write(catalog))
    done = catalog_read.read_tables(tables)
    assert not done.issues, [(i.code, i.sheet, i.cell, i.message) for i in done.issues]
    assert catalog_mod.from_data(done.data) == catalog


def test_a_sheet_or_column_named_with_other_case_or_without_diacritics_is_read_as_it(book2020, tmp_path):
    def change(wb):
        wb["Số liệu"].title = "SO LIEU"
        wb["Cây tiêu chí"].cell(1, 7).value = "diem toi da"

    built = catalog_book.build(edited(book2020, tmp_path, change))
    assert built.catalog == PLAN and not built.issues


# --------------------------------------------------------------------------- mistakes


def test_a_criterion_without_its_max_is_an_error_on_its_cell(book2020, tmp_path, capsys):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "1.1.1"), column_of(ws, "Điểm tối đa")).value = None

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    found = only(built.issues, "cb-blank")
    ws = load_workbook(path)["Cây tiêu chí"]
    assert (found.sheet, found.cell, found.criterion) == ("Cây tiêu chí", f"G{row_of(ws, '1.1.1')}", "1.1.1")
    assert found.severity == "error" and "Điểm tối đa" in found.message and "điểm tối đa" in found.hint
    assert built.catalog is None
    target = tmp_path / "khong-ghi.toml"
    assert main(["catalog", "build", str(path), "-o", str(target)]) == 1
    out = capsys.readouterr().out
    assert f"trang «Cây tiêu chí», dòng {row_of(ws, '1.1.1')}, cột G" in out and "Ô «Điểm tối đa» để trống" in out
    assert not target.exists(), "a workbook with errors writes no catalog"


def test_an_unknown_rule_is_an_error_that_says_which_rule_was_meant(book2020, tmp_path):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "2.5.1"), column_of(ws, "Quy tắc chấm")).value = "Tỷ lệ có ngưỡg"

    built = catalog_book.build(edited(book2020, tmp_path, change))
    found = only(built.issues, "cb-rule-unknown")
    assert found.cell.startswith("I") and found.criterion == "2.5.1"
    assert "«Tỷ lệ có ngưỡg»" in found.message and "có lẽ là «Tỷ lệ có ngưỡng»" in found.hint


def test_an_input_used_by_no_rule_is_an_error_on_its_row_of_the_inputs_sheet(book2020, tmp_path):
    def change(wb):
        ws = wb["Số liệu"]
        ws.append(["5.1.1", "c", "Số liệu thừa do cán bộ thêm", "số đếm"])

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    found = only(built.issues, "cb-input-unused")
    rows = load_workbook(path)["Số liệu"].max_row
    assert (found.sheet, found.cell, found.criterion) == ("Số liệu", f"B{rows}", "5.1.1")
    assert "Số liệu c được khai báo nhưng quy tắc chấm của tiêu chí không dùng" in found.message


def test_a_rule_that_names_an_input_not_declared_is_an_error_on_the_rules_cell(book2020, tmp_path):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "5.1.1"), column_of(ws, "Tử số")).value = "d"

    built = catalog_book.build(edited(book2020, tmp_path, change))
    found = next(i for i in built.issues if i.code == "cb-input-undeclared")
    assert found.sheet == "Cây tiêu chí" and found.cell.startswith("J") and "d" in found.message


def test_a_duplicated_code_is_an_error_on_the_second_row(book2020, tmp_path):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "1.1.2"), 1).value = "1.1.1"

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    found = only(built.issues, "cb-code-duplicate")
    ws = load_workbook(path)["Cây tiêu chí"]
    first = row_of(ws, "1.1.1")
    second = next(r for r in range(first + 1, ws.max_row + 1) if ws.cell(r, 1).value == "1.1.1")
    assert (found.sheet, found.cell) == ("Cây tiêu chí", f"A{second}") and f"dòng {first}" in found.message


def test_totals_that_disagree_are_an_error_on_the_printed_total(book2020, tmp_path):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "1.1.2"), column_of(ws, "Điểm tối đa")).value = 4

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    found = only(built.issues, "cb-totals-differ")
    ws = load_workbook(path)["Cây tiêu chí"]
    assert (found.sheet, found.cell, found.criterion) == ("Cây tiêu chí", f"H{row_of(ws, '1.1')}", "1.1")
    assert "in 10 điểm" in found.message and "cộng lại 9" in found.message and "Quyết định" in found.hint


def test_a_misspelled_sheet_is_an_error_that_names_the_sheet_meant(book2020, tmp_path):
    built = catalog_book.build(edited(book2020, tmp_path, lambda wb: setattr(wb["Số liệu"], "title", "Sô liêuu")))
    found = only(built.issues, "cb-sheet-misspelled")
    assert found.sheet == "Sô liêuu" and found.severity == "error" and "«Số liệu»" in found.hint
    assert built.catalog is None


def test_a_misspelled_column_is_an_error_on_its_header_cell(book2020, tmp_path):
    def change(wb):
        ws = wb["Số liệu"]
        ws.cell(1, column_of(ws, "Nhãn")).value = "Nhảnn"

    built = catalog_book.build(edited(book2020, tmp_path, change))
    found = only(built.issues, "cb-column-misspelled")
    assert (found.sheet, found.cell) == ("Số liệu", "C1") and "«Nhãn»" in found.hint


def test_a_missing_required_sheet_or_column_is_an_error(book2020, tmp_path):
    built = catalog_book.build(edited(book2020, tmp_path, lambda wb: wb.remove(wb["Cấp đơn vị"])))
    assert only(built.issues, "cb-sheet-missing").value == "Cấp đơn vị"

    def drop(wb):
        wb["Số liệu"].delete_cols(4)  # "Kiểu"

    built = catalog_book.build(edited(book2020, tmp_path, drop))
    found = only(built.issues, "cb-column-missing")
    assert found.sheet == "Số liệu" and found.value == "Kiểu"


def test_a_column_of_the_officers_own_is_a_warning_and_the_catalog_is_still_built(book2020, tmp_path, capsys):
    def change(wb):
        wb["Cây tiêu chí"].cell(1, 30).value = "Ghi chép riêng của phòng"
        wb.create_sheet("Nháp")

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    assert {i.code for i in built.issues} == {"cb-column-unknown", "cb-sheet-unknown"}
    assert all(i.severity == "warning" for i in built.issues) and built.catalog == PLAN
    assert main(["catalog", "build", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Cảnh báo (2)" in out and "Lỗi" not in out.split("Cảnh báo")[0]


@pytest.mark.parametrize("sheet, code, column, value, issue_code, words", [
    ("Cây tiêu chí", "1.1.1", "Áp dụng cho cấp", "so, huyện", "cb-level-unknown", "có lẽ là «huyen»"),
    ("Cây tiêu chí", "5.2.1", "Khi mẫu số bằng 0", "không áp dụngg", "cb-word-unknown", "có lẽ là «không áp dụng»"),
    ("Cây tiêu chí", "5.9.2", "Ràng buộc", "b lớn hơn a", "cb-param-bad", "b ≤ a"),
    ("Cây tiêu chí", "2.5.1", "Ngưỡng", "một phần trăm", "cb-param-bad", "70%"),
    ("Cây tiêu chí", "1.1.1", "Điểm tối đa", "năm", "cb-not-number", "chữ số"),
    ("Số liệu", "5.1.1", "Kiểu", "số đếmm", "cb-word-unknown", "có lẽ là «số đếm»"),
    ("Cây tiêu chí", "1.1.1", "Loại dòng", "tiêu chíí", "cb-word-unknown", "có lẽ là «tiêu chí»"),
    ("Thông tin chung", "Trụ cột so sánh được", "Giá trị", "2 là 3", "cb-param-bad", "2 = 3; 3 = 4"),  # [comparable] (issue 22)
    ("Thông tin chung", "So sánh được chỉ số chung", "Giá trị", "Cóo", "cb-word-unknown", "có lẽ là «Có»"),
])
def test_each_cell_mistake_names_its_cell_and_says_what_to_write(book2020, tmp_path, sheet, code, column, value, issue_code, words):
    def change(wb):
        ws = wb[sheet]
        ws.cell(row_of(ws, code), column_of(ws, column)).value = value

    path = edited(book2020, tmp_path, change)
    built = catalog_book.build(path)
    found = next((i for i in built.issues if i.code == issue_code), None)
    assert found is not None, [(i.code, i.cell, i.message) for i in built.issues]
    ws = load_workbook(path)[sheet]
    letter = ws.cell(1, column_of(ws, column)).column_letter
    assert (found.sheet, found.cell) == (sheet, f"{letter}{row_of(ws, code)}")
    assert words in found.message + found.hint


def test_an_inputs_row_for_a_code_not_in_the_tree_says_which_code_was_meant(book2020, tmp_path):
    built = catalog_book.build(edited(book2020, tmp_path, lambda wb: wb["Số liệu"].append(["5.1.11", "a", "Nhãn", "số đếm"])))
    found = only(built.issues, "cb-code-unknown")
    assert found.sheet == "Số liệu" and "có lẽ là «5.1.1»" in found.hint


def test_a_code_typed_as_a_number_is_a_warning_that_excel_drops_its_last_zero(book2020, tmp_path):
    def change(wb):
        ws = wb["Cây tiêu chí"]
        ws.cell(row_of(ws, "5.1"), 1).value = 5.1

    built = catalog_book.build(edited(book2020, tmp_path, change))
    found = only(built.issues, "cb-code-number")
    assert found.severity == "warning" and "5.10 thành 5.1" in found.message


def test_every_message_is_vietnamese_and_every_sheet_and_column_has_a_help_text():
    from hue_dx.issues import TYPES

    for code, kind in TYPES.items():
        if code.startswith("cb-"):
            assert kind.title and kind.message and kind.hint
    for spec in catalog_sheets.SHEETS:
        assert spec.help and all(c.help for c in spec.columns), spec.title


def test_the_officers_guide_names_every_sheet_column_rule_and_setting():
    """docs/catalog.md is written for the officer who writes the next set: it cannot drift from what the workbook reads."""
    guide = " ".join((ROOT / "docs" / "catalog.md").read_text(encoding="utf-8").split())
    for spec in catalog_sheets.SHEETS:
        assert spec.title in guide, spec.title
        for column in spec.columns:
            if column.key not in ("label", "key", "value", "help") or spec.key != "settings":
                assert column.title in guide, (spec.title, column.title)
    for kind in hue_dx.rules.KINDS.values():
        assert f"**{kind.title}** (`{kind.name}`)" in guide, kind.name
    for key, _, _ in catalog_sheets.SETTINGS:
        assert key.split(".")[0] in guide
