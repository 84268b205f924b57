"""The shipped catalog against the plan: every numbered row, its printed max, totals, labels."""

import csv
import unicodedata
from pathlib import Path

import pytest

from hue_dx import catalog as catalog_mod

PLAN_MAXIMA = Path(__file__).parent / "data" / "plan_maxima.csv"


def plan_rows():
    """An independent transcription of Phụ lục 4 (code, level, printed max), made by hand from the seed."""
    with PLAN_MAXIMA.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_numbered_criterion_of_the_plan_is_in_the_catalog_with_its_printed_max(catalog):
    rows = [r for r in plan_rows() if r["level"] == "criterion"]
    assert len(rows) == 111
    unscored = {u.code: u for u in catalog.unscored}
    for row in rows:
        if row["printed_max"] == "":
            assert row["code"] in unscored, f"{row['code']} prints no max and must be an unscored row"
            continue
        crit = catalog.criterion(row["code"])
        assert crit.max == float(row["printed_max"]), row["code"]
    plan_codes = {r["code"] for r in rows}
    assert {c.code for c in catalog.criteria} | set(unscored) == plan_codes


def test_groups_and_pillars_keep_the_max_the_plan_prints(catalog):
    for row in plan_rows():
        if row["level"] == "criterion":
            continue
        group = catalog.groups_by_code[row["code"]]
        expected = None if row["printed_max"] == "" else float(row["printed_max"])
        assert group.stated_max == expected, row["code"]
        assert group.is_pillar == (row["level"] == "pillar")


def test_totals_are_what_the_criteria_add_up_to(catalog):
    assert len(catalog.criteria) == 109
    assert [catalog.max_of(p.code) for p in catalog.pillars] == [30, 38, 43, 44, 83, 26, 20]
    assert catalog.total_max == 284
    rows = [r for r in plan_rows() if r["level"] == "criterion" and r["printed_max"]]
    assert sum(float(r["printed_max"]) for r in rows) == catalog.total_max


def test_unscored_rows_point_to_the_criterion_that_scores_them(catalog):
    assert {(u.code, u.scored_in) for u in catalog.unscored} == {("5.8.1", "5.8.2"), ("5.9.1", "5.9.2")}


def test_every_text_is_nfc_and_every_input_has_a_label(catalog):
    for c in catalog.criteria:
        for text in (c.title, c.how, c.note, c.evidence, *(i.label for i in c.inputs), *(d.text for d in c.decisions)):
            assert unicodedata.is_normalized("NFC", text)
        assert c.inputs, c.code
        assert all(i.label for i in c.inputs)


def test_the_catalog_file_itself_is_nfc():
    for name in catalog_mod.available():
        text = (Path(catalog_mod.__file__).parent / "catalogs" / f"{name}.toml").read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text)


def test_plan_wording_is_kept_verbatim(catalog):
    c = catalog.criterion("3.1.1")
    assert c.title == "100% CBCC tại CQNN cấp tỉnh được trang bị máy tính để bàn"
    assert c.note.startswith("- Thống kê số lượng máy tính để bàn tại CQNN cấp tỉnh (gọi là a)")
    assert catalog.criterion("7.2.3").how.endswith("Điểm=Số lượt*Điểm tối đa")
    assert catalog.criterion("2.5.1").title == "Tổng chi cho CNTT/ tổng chi NSNN của đơn vị, địa phương ≥ 01%"


def test_the_catalog_records_its_source(catalog):
    assert catalog.id == "hue-222-2020"
    assert catalog.source["document"] == "Kế hoạch số 222/KH-UBND"
    assert catalog.source["date"] == "2020-10-21"
    assert set(catalog.levels) == {"so", "huyen", "tinh"}


def test_levels_split_provincial_and_district_criteria(catalog):
    assert catalog.criterion("5.10.1").applies_to == ("so", "tinh")
    assert catalog.criterion("5.10.3").applies_to == ("huyen", "tinh")
    assert catalog.criterion("3.4.1").applies_to == ("tinh",)
    assert catalog.criterion("1.1.1").applies_to == ("so", "huyen")


def test_a_catalog_from_a_file_loads_like_a_shipped_one(tmp_path, catalog):
    source = Path(catalog_mod.__file__).parent / "catalogs" / "hue-222-2020.toml"
    copy = tmp_path / "next-year.toml"
    copy.write_text(source.read_text(encoding="utf-8").replace('id = "hue-222-2020"', 'id = "hue-2021"'), encoding="utf-8")
    other = catalog_mod.load(copy)
    assert other.id == "hue-2021"
    assert len(other.criteria) == len(catalog.criteria)


@pytest.mark.parametrize(
    "text, message",
    [
        ("schema = 2\nid='x'\nversion='1'\ntitle='t'", "schema"),
        ("schema = 1\nid = ", "TOML"),
        ("schema = 1\nid='x'\nversion='1'\ntitle='t'\n[[groups]]\ncode='1'\ntitle='P'\n[[criteria]]\ncode='1.1'\ntitle='T'\nmax=1\nkind='magic'\n", "magic"),
        ("schema = 1\nid='x'\nversion='1'\ntitle='t'\n[[criteria]]\ncode='9.1'\ntitle='T'\nmax=1\nkind='yes_no'\n", "không nằm trong nhóm"),
    ],
)
def test_a_malformed_catalog_fails_with_a_message_that_says_where(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(catalog_mod.CatalogError, match=message):
        catalog_mod.load(path)


def test_an_unknown_catalog_id_lists_the_available_ones():
    with pytest.raises(catalog_mod.CatalogError, match="hue-222-2020"):
        catalog_mod.load("hue-1999")
