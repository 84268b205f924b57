"""A second criteria set, as data only: the sample TEST set (mau-thu-nghiem-2026) written as the
officer's workbook, its roster after the 2025 reform and its campaign, run end to end with the
commands people use: generate (the Sở's figures stamped in) → fill → LibreOffice recompute and
save → consolidate with the Sở's CSV → ranking with grades → reports → appraisal and its return.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from pathlib import Path

import pytest
from engines import libreoffice_resave
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import catalog_book, central, names, totals
from hue_dx.cli import main
from hue_dx.intake.check import Context, check_file
from hue_dx.workbook.fill import fill, set_saved_time

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "samples" / "criteria" / "mau-thu-nghiem-2026.xlsx"
SHIPPED = ROOT / "hue_dx" / "catalogs" / "mau-thu-nghiem-2026.toml"
RECIPE = ROOT / "generator" / "campaign-mau-2026.toml"
CENTRAL = ROOT / "samples" / "criteria" / "so-lieu-so-cung-cap-2026.csv"
CATALOG = hue_dx.load_catalog("mau-thu-nghiem-2026")
CAMPAIGN = campaign_mod.load(RECIPE)


def test_the_shipped_toml_is_built_from_the_officers_workbook():
    built = catalog_book.build(SOURCE)
    assert built.catalog is not None and not built.issues, [i.message for i in built.issues]
    assert built.toml == SHIPPED.read_text(encoding="utf-8"), "stale: hue-dx catalog build samples/criteria/mau-thu-nghiem-2026.xlsx -o " \
                                                               "hue_dx/catalogs/mau-thu-nghiem-2026.toml"


def test_the_sample_set_differs_from_2020_and_uses_every_new_shape():
    plan = hue_dx.load_catalog()
    assert set(CATALOG.levels) == {"so", "xa"} and {u.level for u in CAMPAIGN.units} == {"so", "xa"}
    assert [p.title for p in CATALOG.pillars] != [p.title for p in plan.pillars]
    assert [CATALOG.max_of(p.code) for p in CATALOG.pillars] != [plan.max_of(p.code) for p in plan.pillars]
    assert CATALOG.with_role("bonus") and CATALOG.with_role("penalty") and CATALOG.totals.grades and CATALOG.central_inputs
    assert {c.kind for c in CATALOG.criteria} == set(hue_dx.rules.KINDS)


def test_the_sample_set_says_it_is_a_test_set_in_its_name_settings_roster_and_recipe():
    words = "MẪU THỬ NGHIỆM"
    assert "mau-thu-nghiem" in CATALOG.id and words in CATALOG.title and "KHÔNG PHẢI VĂN BẢN CHÍNH THỨC" in CATALOG.source["document"]
    assert "mẫu thử nghiệm" in CATALOG.policies["sample"].lower()
    assert words in RECIPE.read_text(encoding="utf-8").splitlines()[0]
    with (ROOT / "generator" / "roster-mau-2026.csv").open(encoding="utf-8") as f:
        assert all(row["note"] == "dữ liệu mẫu" for row in csv.DictReader(f))


def _typical(rng: random.Random, level: str) -> dict[str, dict[str, object]]:
    """What a unit types: plausible figures for every criterion it fills (not the Sở's)."""
    out: dict[str, dict[str, object]] = {}
    for c in CATALOG.criteria:
        if not c.applies(level):
            continue
        values: dict[str, object] = {}
        for i in c.inputs:
            if i.central:
                continue
            if i.type == "yesno":
                values[i.key] = rng.choice(["Có", "Có", "Không"])
            elif i.type == "choice":
                values[i.key] = rng.choice(i.choices)
            elif i.type == "amount":
                values[i.key] = rng.randint(2, 90) * 100_000_000
            else:
                values[i.key] = rng.randint(0, 40)
        den = [k for k in c.params.get("den", []) if k in values]
        parts = [k for k in (c.params.get("num") or list(c.params.get("weights", {}))) if k in values]
        for k in den:
            values[k] = rng.randint(10, 200) if c.input(k).type == "count" else values[k]
        whole = sum(int(values[k]) for k in den)
        for k in parts:  # parts within their whole (a rate per person may exceed it)
            room = whole * 3 if c.params.get("over") == "cap" else whole // max(1, len(parts))
            values[k] = rng.randint(0, room) if c.input(k).type == "count" else whole // rng.randint(30, 80)
        if not values:
            continue
        out[c.code] = values
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The whole cycle once, through the commands, for the tests below to look at."""
    tmp = tmp_path_factory.mktemp("mau")
    out = io.StringIO()
    blank = tmp / "1-so-danh-gia"
    assert main(["generate", "--recipe", str(RECIPE), "--central", str(CENTRAL), "--out", str(blank)]) == 0
    rng = random.Random(24)
    units = [u for u in CAMPAIGN.units][::3]  # ten of the 29 units send their workbook back
    typed = {}
    filled_dir = tmp / "2-dien"
    filled_dir.mkdir()
    for u in units:
        path = next(blank.glob(f"2026_{u.code}_*.xlsx"))
        typed[u.code] = _typical(rng, u.level)
        if u.code == units[1].code:
            typed[u.code].setdefault("4.1.1", {})["b"] = 999_999  # typed over a locked cell of the Sở: never counts
        contacts = {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B", "unit_head_title": "Giám đốc"}
        evidence = {code: {"number": "12/KH", "date": "10/03/2026", "title": "Kế hoạch", "link": "https://example.org"} for code in typed[u.code]}
        (filled_dir / path.name).write_bytes(set_saved_time(fill(path.read_bytes(), typed[u.code], contacts, evidence), "2026-11-20T08:00:00Z"))
    returned = libreoffice_resave(sorted(filled_dir.glob("*.xlsx")), tmp / "3-gui-ve")  # one LibreOffice run for all: recomputed, saved
    archive = tmp / "luu-tru"
    ranking = tmp / "xep-hang.xlsx"
    code = main(["consolidate", str(tmp / "3-gui-ve"), "--recipe", str(RECIPE), "--central", str(CENTRAL), "--archive", str(archive),
                 "-o", str(ranking), "--json", str(tmp / "xep-hang.json"), "--csv", str(tmp / "csv"), "--workers", "1"])
    return tmp, units, typed, returned, archive, ranking, code, out


def test_libreoffice_and_check_score_every_returned_workbook_alike(run):
    tmp, units, typed, returned, *_ = run
    ctx = Context.create(CATALOG, CAMPAIGN)
    for path in returned:
        data = path.read_bytes()
        result = check_file(data, path.name, hashlib.sha256(data).hexdigest(), ctx)
        assert result.accepted, [i.message for i in result.issues]
        assert not [i for i in result.issues if i.code in ("score-differs", "layout-changed", "formula-changed", "not-calculated")], \
            [(i.code, i.cell, i.value, i.read) for i in result.issues if i.code == "score-differs"]
        wb = load_workbook(path, data_only=True)

        def named(name, wb=wb):
            sheet, ref = next(iter(wb.defined_names[name].destinations))
            return wb[sheet][ref.replace("$", "")].value

        assert named(names.total_name("points")) == pytest.approx(result.total[0], abs=1e-9)
        grade = named(names.total_name("grade"))
        assert grade == totals.grade(result.total[2], CATALOG.totals.grades)


def test_the_consolidation_ranks_with_grades_and_uses_the_figures_of_the_so(run):
    tmp, units, typed, returned, archive, ranking, code, _ = run
    assert code in (0, 1)
    data = json.loads((tmp / "xep-hang.json").read_text(encoding="utf-8"))
    assert set(data["ranking"]) == {"Sở, ban, ngành", "UBND xã, phường"}
    records = {r["unit"]: r for rows in data["ranking"].values() for r in rows}
    sent = [r for r in records.values() if r["index"] is not None]
    assert len(sent) == len(units)
    assert all(r["grade"] == totals.grade(r["index"], CATALOG.totals.grades) for r in sent)
    figures = central.load(CENTRAL, CATALOG, CAMPAIGN)
    tampered = units[1]
    own = hue_dx.score_unit(CATALOG, central.lay_over(typed[tampered.code], figures.of(tampered.code)), tampered.level)
    assert records[tampered.code]["index"] == pytest.approx(round(own.total.index, 4), abs=1e-9), "the Sở's figure, not the one typed over it"
    assert records[tampered.code]["appraised"] >= 1  # the changed criterion is listed with where its figure came from
    with (tmp / "csv" / "xep-hang.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert "xep_loai" in rows[0] and {r["xep_loai"] for r in rows if r["chi_so"]} <= {g.label for g in CATALOG.totals.grades}
    sheet = load_workbook(ranking, read_only=True)["Xếp hạng"]
    header = [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))]
    assert "Xếp loại" in header


def test_the_reports_say_the_grades_and_that_the_set_is_a_test_set(run, tmp_path):
    tmp, units, _, returned, archive, *_ = run
    html = tmp_path / "bao-cao.html"
    assert main(["report", "ranking", str(tmp / "3-gui-ve"), "--recipe", str(RECIPE), "--central", str(CENTRAL), "--archive", str(archive),
                 "-o", str(tmp_path / "bao-cao.pdf"), "--html", str(html)]) in (0, 1)
    text = html.read_text(encoding="utf-8")
    assert "Xếp loại" in text and "MẪU THỬ NGHIỆM" in text
    assert (tmp_path / "bao-cao.pdf").read_bytes().startswith(b"%PDF")
    unit_html = tmp_path / "phieu.html"
    assert main(["report", "unit", str(returned[0]), "--recipe", str(RECIPE), "-o", str(tmp_path / "phieu.pdf"), "--html", str(unit_html)]) in (0, 1)
    assert "MẪU THỬ NGHIỆM" in unit_html.read_text(encoding="utf-8")


def test_an_appraisal_of_the_sample_set_comes_back_and_changes_the_final_index(run, tmp_path):
    tmp, units, typed, returned, archive, *_ = run
    folder = tmp_path / "tham-dinh"
    unit = units[0]
    assert main(["appraise", str(tmp / "3-gui-ve"), "--recipe", str(RECIPE), "--central", str(CENTRAL), "--archive", str(archive),
                 "--out", str(folder), "--unit", unit.code]) in (0, 1)
    books = sorted(folder.glob(f"tham-dinh_2026_{unit.code}_*.xlsx"))
    assert books
    wb = load_workbook(books[0])
    sheet, ref = next(iter(wb.defined_names[names.appraisal_input_name("2.1.1", "b")].destinations))
    wb[sheet][ref.replace("$", "")].value = 0
    sheet, ref = next(iter(wb.defined_names[names.appraisal_reason_name("2.1.1")].destinations))
    wb[sheet][ref.replace("$", "")].value = "Chưa có chứng thư số cá nhân nào được cấp"
    buffer = io.BytesIO()
    wb.save(buffer)
    back = tmp_path / "ve"
    back.mkdir()
    (back / books[0].name).write_bytes(set_saved_time(buffer.getvalue(), "2026-12-20T08:00:00Z"))
    assert main(["consolidate", str(tmp / "3-gui-ve"), str(back), "--recipe", str(RECIPE), "--central", str(CENTRAL), "--archive",
                 str(archive), "-o", str(tmp_path / "x.xlsx"), "--json", str(tmp_path / "x.json"), "--workers", "1"]) in (0, 1)
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    record = next(r for rows in data["ranking"].values() for r in rows if r["unit"] == unit.code)
    expected = hue_dx.score_unit(CATALOG, central.lay_over({**typed[unit.code], "2.1.1": {**typed[unit.code]["2.1.1"], "b": 0}},
                                                           central.load(CENTRAL, CATALOG, CAMPAIGN).of(unit.code)), unit.level)
    assert record["index"] == pytest.approx(round(expected.total.index, 4), abs=1e-9)
    assert record["grade"] == totals.grade(record["index"], CATALOG.totals.grades)
