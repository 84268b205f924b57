"""Open data as a Frictionless Data Package: `consolidate --csv` writes datapackage.json beside
its CSVs, and the frictionless library (an independent implementation of the standard) finds
every file valid against it, on the corpus of real-life returned files; a column that drifts
from its description, or text where a number belongs, is caught."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json

import corpus
import pytest
from frictionless import validate

from hue_dx import cli, opendata
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.outputs import write_csv


@pytest.fixture(scope="module")
def package(corpus_world, tmp_path_factory):
    """The corpus consolidated by the command, with --csv."""
    cases, campaign, catalog, ctx = corpus_world
    tmp = tmp_path_factory.mktemp("opendata")
    folder = corpus.write(cases, tmp / "nhan-ve", set())
    code = cli.main(["consolidate", str(folder), "-o", str(tmp / "xh.xlsx"), "--archive", str(tmp / "kho"), "--recipe", str(campaign.path),
                     "--csv", str(tmp / "csv"), "--workers", "1"])
    assert code in (0, 1)
    return tmp / "csv", campaign, catalog, ctx, folder, tmp


def problems(report) -> list:
    return report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])


def test_the_package_written_by_consolidate_is_valid_frictionless(package):
    folder, campaign, catalog, *_ = package
    report = validate(folder / "datapackage.json")
    assert report.valid, problems(report)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in descriptor["resources"]] == ["xep-hang.csv", "tieu-chi.csv", "van-de.csv"]
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows["xep-hang"] == len(campaign.units)  # every roster unit, ranked or not
    assert rows["tieu-chi"] > 0 and rows["van-de"] > 0
    with (folder / "tieu-chi.csv").open(encoding="utf-8-sig") as f:
        assert rows["tieu-chi"] == sum(1 for _ in csv.reader(f)) - 1


def test_every_column_is_described_in_vietnamese_with_its_type_and_unit(package):
    folder, campaign, catalog, *_ = package
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert d["period"] == campaign.period and d["criteria"]["id"] == catalog.id and d["criteria"]["version"] == catalog.version
    assert len(d["criteria"]["pillars"]) == len(catalog.pillars)
    assert d["licenses"][0]["name"] and d["licenses"][0]["title"] and d["sources"] and d["contributors"]
    assert dt.datetime.fromisoformat(d["created"]).utcoffset() == dt.timedelta(hours=7)
    for resource in d["resources"]:
        header = next(csv.reader(io.StringIO((folder / resource["path"]).read_text(encoding="utf-8-sig"))))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header  # one description per column, in the file's order
        for f in fields:
            assert f["type"] in {"string", "integer", "number", "boolean"} and f["title"] and len(f["description"]) > 10, f
            assert any(ch in f["title"] + f["description"] for ch in "ăâđêôơưáàảãạ"), f  # Vietnamese, with its diacritics
    ranking = {f["name"]: f for f in d["resources"][0]["schema"]["fields"]}
    assert ranking["chi_so"]["unit"] == "chỉ số (0–1)" and ranking["diem"]["unit"] == "điểm" and ranking["hang"]["type"] == "integer"
    assert [f for f in ranking if f.startswith("chi_so_tru_cot_")] == [f"chi_so_tru_cot_{p.code}" for p in catalog.pillars]


def test_a_column_that_drifts_or_text_in_a_number_is_caught(package, tmp_path):
    """The validation can fail: the same package with one header renamed, then with a word in an index."""
    folder, *_ = package
    for name in ("datapackage.json", "xep-hang.csv", "tieu-chi.csv", "van-de.csv"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    text = (tmp_path / "xep-hang.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "xep-hang.csv").write_text(text.replace("chi_so,", "index,", 1), encoding="utf-8-sig")
    report = validate(tmp_path / "datapackage.json")
    assert not report.valid and "incorrect-label" in {p[3] for p in problems(report)}
    lines = text.splitlines()
    cells = next(csv.reader([lines[1]]))
    cells[6] = "không"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    (tmp_path / "xep-hang.csv").write_text("\r\n".join([lines[0], buffer.getvalue().rstrip(), *lines[2:]]), encoding="utf-8-sig")
    report = validate(tmp_path / "datapackage.json")
    assert not report.valid and "type-error" in {p[3] for p in problems(report)}


def test_the_csvs_stay_safe_from_formula_injection_and_valid(package, tmp_path):
    """A unit name (and every other text) that a spreadsheet would run as a formula is written with
    an apostrophe before it, and the package still validates (a text column holds it)."""
    folder, campaign, catalog, ctx, returned, tmp = package
    result = consolidate(catalog, campaign, [returned], tmp / "kho", workers=1, context=ctx)
    row = next(r for rows in result.groups.values() for r in rows if r.result)
    row.unit = dataclasses.replace(row.unit, name='=HYPERLINK("http://x","bấm")')
    written = write_csv(result, tmp_path, created=dt.datetime(2021, 1, 5, 9, 0))
    assert [p.name for p in written] == ["xep-hang.csv", "tieu-chi.csv", "van-de.csv", "datapackage.json"]
    text = (tmp_path / "xep-hang.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, problems(report)
    assert json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["created"] == "2021-01-05T09:00:00+07:00"


def test_a_recipe_may_name_its_own_licence_and_publisher(package):
    _, campaign, catalog, *_ = package
    own = dataclasses.replace(campaign, publish={"licence": "ODC-BY-1.0", "licence_title": "Open Data Commons Attribution", "publisher": "Sở X"})
    d = opendata.descriptor(catalog, own, ["xep-hang.csv"], dt.datetime(2021, 1, 5))
    assert d["licenses"] == [{"name": "ODC-BY-1.0", "title": "Open Data Commons Attribution"}] and d["contributors"][0]["title"] == "Sở X"
    assert opendata.descriptor(catalog, campaign, [], dt.datetime(2021, 1, 5))["licenses"] == [opendata.LICENCE]
