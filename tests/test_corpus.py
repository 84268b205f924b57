"""Every kind of returned file in the corpus (tests/corpus.py) gets its expected outcome and its
named issues at the named cells; messages locate, are Vietnamese and bounded; renamed sheets,
deleted names and re-saves by other programs still give every figure."""

from __future__ import annotations

import hashlib
import re

import corpus
import pytest
import xlsxedit as xe

import hue_dx
from hue_dx import names
from hue_dx.coerce import read_input
from hue_dx.intake.check import check_file
from hue_dx.issues import ERROR, TYPES


@pytest.fixture(scope="module")
def checked(corpus_world):
    cases, campaign, catalog, ctx = corpus_world
    return [(case, check_file(case.data, f"thu-muc/{case.name}", hashlib.sha256(case.data).hexdigest(), ctx)) for case in cases]


def outcome(result) -> str:
    if not result.accepted:
        return corpus.REJECTED
    if not result.submission:
        return corpus.BLANK
    return corpus.ISSUES if result.errors else corpus.ACCEPTED


def test_the_corpus_covers_the_kinds_of_file_the_docs_promise(checked):
    kinds = {case.kind for case, _ in checked}
    assert len(kinds) == 68, len(kinds)  # the figure README.md and docs/consolidate.md give: change them together
    assert {case.outcome for case, _ in checked} == {corpus.ACCEPTED, corpus.ISSUES, corpus.BLANK, corpus.REJECTED}


def test_every_case_gets_its_outcome(checked):
    wrong = []
    for case, result in checked:
        got = outcome(result)
        if case.outcome == corpus.ISSUES and got == corpus.ACCEPTED:
            got = corpus.ISSUES  # accepted with the named warnings (no error among them)
        if got != case.outcome:
            wrong.append((case.name, case.outcome, got, sorted({i.code for i in result.issues})))
    assert not wrong, wrong


def test_every_case_gets_its_named_issues_and_none_it_must_not(checked):
    for case, result in checked:
        codes = {i.code for i in result.issues}
        assert case.codes <= codes, (case.name, sorted(case.codes - codes), sorted(codes))
        assert not (case.absent & codes), (case.name, sorted(case.absent & codes))
        if case.unit and result.accepted:
            assert result.unit == case.unit, case.name


def test_each_named_issue_points_at_its_cell(checked):
    for case, result in checked:
        for want in case.expect:
            found = [i for i in result.issues if i.code == want.code]
            if want.name:
                sheet, cell = xe.destination(case.data, want.name)
                assert any((i.sheet, i.cell) == (sheet, cell) for i in found), (case.name, want, [(i.sheet, i.cell) for i in found])
            if want.sheet:
                assert any(i.sheet == want.sheet for i in found), (case.name, want)
            if want.criterion:
                assert any(i.criterion == want.criterion for i in found), (case.name, want)


_ENGLISH = re.compile(r"\b(file|error|not|none|zip|is|the|of|invalid|missing|sheet|cell|traceback)\b", re.I)


def test_records_name_the_file_and_its_hash_and_speak_vietnamese(checked):
    for case, result in checked:
        for i in result.issues:
            assert i.file == f"thu-muc/{case.name}" and i.sha == result.sha256[:12], (case.name, i)
            assert i.severity == TYPES[i.code].severity and i.message and i.hint
            assert "()" not in i.message and "''" not in i.message, (case.name, i.message)
            words = re.sub(r"'[^']*'|\([^)]*\)|=[^ ]*|[\w.-]+\.xlsx?|#\S+", "", i.message)  # quoted values may be anything
            assert not _ENGLISH.search(words), (case.name, i.code, i.message)
            assert len(i.message) < 400 and len(i.value) <= 200, (case.name, i.code, len(i.message), len(i.value))


def test_a_formula_typed_into_an_input_counts_as_its_result(checked):
    by = {case.name: result for case, result in checked}
    for name in ("SNGV cong thuc co ket qua.xlsx", "SNGV cong thuc chua tinh.xlsx"):
        result = by[name]
        assert result.scored_inputs["5.1.1"]["a"] == 120, name
        formula = next(i for i in result.issues if i.code == "input-formula")
        assert formula.value == "=100+20" and formula.read == "120"
    changed = {i.code for i in by["SNGV cong thuc co ket qua.xlsx"].issues}
    assert not changed & {"formula-changed", "layout-changed"}  # reported once, at the input


def test_one_overwritten_score_is_one_cell_not_a_count_of_shifted_formulas(checked):
    result = dict((c.name, r) for c, r in checked)["SNV ghi de diem.xlsx"]
    records = [i for i in result.issues if i.code in ("score-overwritten", "formula-changed")]
    assert len(records) == 1 and records[0].value == "2"
    layout = next(i for i in result.issues if i.code == "layout-changed")
    assert "1 công thức" in layout.message


@pytest.mark.parametrize("name, same_as", [("SKHDT doi ten trang.xlsx", "2020_STTTT_so-thong-tin.xlsx"),
                                           ("STC doi ten va xoa ten.xlsx", "2020_STTTT_so-thong-tin.xlsx"),
                                           ("SCT xoa ten.xlsx", "2020_STTTT_so-thong-tin.xlsx"),
                                           ("SGTVT xoa het ten.xlsx", "2020_STTTT_so-thong-tin.xlsx"),
                                           ("SYT Gnumeric.xlsx", "SYT lan 2 da sua.xlsx")])
def test_renamed_sheets_deleted_names_and_resaves_still_give_every_figure(checked, name, same_as):
    by = {case.name: result for case, result in checked}
    assert by[name].criteria == by[same_as].criteria and by[name].total == by[same_as].total


def test_a_blank_workbook_is_one_record_not_a_hundred(checked):
    result = dict((c.name, r) for c, r in checked)["2020_SDL_trong.xlsx"]
    assert result.accepted and not result.submission and result.figures == 0
    assert [i.code for i in result.issues].count("file-blank") == 1
    assert not any(i.code == "input-missing" for i in result.issues)


def test_text_in_a_number_cell_is_an_error_that_says_what_was_meant(checked):
    result = dict((c.name, r) for c, r in checked)["SNGV so chu.xlsx"]
    text = next(i for i in result.issues if i.code == "input-text-number")
    assert text.severity == ERROR and text.value == "1.234" and "1234" in text.message
    assert dict((c[0], c) for c in result.criteria)["5.1.1"][2] == "invalid"  # as the workbook's own status cell says
    long = next(i for i in dict((c.name, r) for c, r in checked)["SNGV chu rat dai.xlsx"].issues if i.code == "input-text-number")
    assert len(long.value) == 200 and long.value.endswith("…") and "…" in long.message


def test_a_mistyped_option_says_which_option_was_probably_meant(checked):
    results = dict((c.name, r) for c, r in checked)
    (nbsp,) = [i for i in results["SNGV co nbsp.xlsx"].issues if i.code == "input-yesno"]
    assert nbsp.message.endswith("không phải Có hoặc Không (có lẽ là 'Có').")  # the no-break space cannot be seen: the reason can
    (wrong,) = [i for i in results["SNGV co khong sai.xlsx"].issues if i.code == "input-yesno"]
    assert wrong.message == "Ô chứa 'x', không phải Có hoặc Không."  # nothing meant: no empty brackets


def test_a_number_no_spreadsheet_stores_is_not_a_number():
    spec = hue_dx.load_catalog().criterion("5.2.1").input("a")
    for value in (float("nan"), float("inf"), float("-inf")):
        assert read_input(spec, value).issue == "input-not-number"


def test_characters_a_message_cannot_show_become_visible_symbols(checked, corpus_world):
    good = dict((c.name, c) for c, _ in checked)["2020_STTTT_so-thong-tin.xlsx"].data
    found = check_file(xe.set_named(good, {names.input_name("5.1.1", "a"): xe.text("12\x0b3")}), "x.xlsx", "0" * 64, corpus_world[3])
    record = next(i for i in found.issues if i.code == "input-not-number")
    assert "12␋3" in record.message and record.value == "12\x0b3"
    found = check_file(xe.set_named(good, {names.input_name("5.1.1", "a"): xe.text("12\n3\t")}), "x.xlsx", "0" * 64, corpus_world[3])
    record = next(i for i in found.issues if i.code == "input-not-number")
    assert "12␊3␉" in record.message and "\n" not in record.message  # Alt+Enter in a cell: the message stays one line
