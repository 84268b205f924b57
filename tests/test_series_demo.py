"""The demo's two years (issue 22's acceptance): every change a reader would check by hand, computed
here independently from the two years' own ranking workbooks and the 2021 roster, is what the 2021
workbook, JSON, CSV, PDF and the published pages show; the year before is read from its archive's
ledger alone; the panel of every unit × year × pillar, by command and by pandas."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from frictionless import validate
from openpyxl import load_workbook

from hue_dx import campaign as campaign_mod
from hue_dx import cli, publish, series, vn
from hue_dx.intake import years

ROOT = Path(__file__).resolve().parents[1]
MERGED = {"SKHCN": ("SKHCN", "STTTT")}  # the 2021 roster's merger, and its rename
RENAMED = {"SDTTG": "BDT"}


def sheet_rows(path: Path, title: str) -> list[tuple]:
    ws = load_workbook(path, read_only=True)[title]
    return [row for row in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in row)]


def ranking(path: Path) -> dict[str, dict]:
    """Code -> group, rank, index and pillar indices, as a year's own workbook prints them."""
    out = {}
    for row in sheet_rows(path, "Xếp hạng"):
        if row[1] is not None:
            out[row[2]] = {"group": row[0], "rank": row[1], "index": row[6], "name": row[3]}
    for row in sheet_rows(path, "Trụ cột"):
        if row[1] in out:
            out[row[1]]["pillars"] = [row[3 + 2 * n] for n in range(7)]
    return out


def mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4)


@pytest.fixture(scope="module")
def expected(two_years):
    """The changes, computed here from the two years' ranking workbooks and the lineage the 2021 roster states."""
    first, second = two_years
    before, now = ranking(first.outputs.ranking), ranking(second.outputs.ranking)
    with (ROOT / "generator" / "roster-hue-2021.csv").open(encoding="utf-8") as f:
        stated = {row["code"]: row["previous"] for row in csv.DictReader(f)}
    assert {code for code, text in stated.items() if text} == set(MERGED) | set(RENAMED)  # what this test reads the roster to say
    out = {}
    for code, unit in now.items():
        sources = MERGED.get(code) or (RENAMED[code],) if code in MERGED or code in RENAMED else (code,)
        found = [before[s] for s in sources if s in before]
        if not found:
            out[code] = None
            continue
        previous = mean([f["index"] for f in found])
        one = len(sources) == 1 and found[0]["group"] == unit["group"]
        out[code] = {"before": previous, "change": round(unit["index"] - previous, 4),
                     "rank_before": found[0]["rank"] if one else None, "rank_change": found[0]["rank"] - unit["rank"] if one else None,
                     "pillars": [round(unit["pillars"][n] - mean([f["pillars"][n] for f in found]), 4) for n in range(7)]}
    groups = {}
    for group in dict.fromkeys(u["group"] for u in now.values()):
        mine = [u["index"] for u in now.values() if u["group"] == group]
        theirs = [u["index"] for u in before.values() if u["group"] == group]
        groups[group] = {"now": mean(mine), "before": mean(theirs), "change": round(mean(mine) - mean(theirs), 4),
                         "half": (sum(v >= 0.5 for v in mine), sum(v >= 0.5 for v in theirs))}
    return {"units": out, "groups": groups, "now": now, "before": before}


def test_the_demo_runs_two_years_each_with_its_own_archive(two_years):
    first, second = two_years
    assert (first.period, second.period) == ("2020", "2021") and first.outputs.archive != second.outputs.archive
    assert first.outputs.report_pdf is None and second.outputs.report_pdf.is_file() and second.outputs.unit_pdf.name == "phieu-tu-danh-gia-SKHCN.pdf"
    k = second.result.comparison
    assert k.previous == "2020" and k.available and k.bridge.same


def test_the_workbook_shows_every_change_as_computed_from_the_two_years(two_years, expected):
    rows = {row[2]: row for row in sheet_rows(two_years[1].outputs.ranking, "So với năm trước")}
    assert set(rows) == set(expected["now"])
    for code, want in expected["units"].items():
        row = rows[code]
        assert row[5] == expected["now"][code]["index"], code
        if want is None:
            assert row[6] == row[7] == "không so sánh được" and "chưa gửi sổ có số liệu" in row[10], (code, row)
            continue
        assert (row[6], row[7]) == (want["before"], want["change"]), (code, row[:11])
        if want["rank_change"] is None:
            assert row[8] == "—" and row[9] == "không so sánh (hợp nhất)", (code, row[:11])
        else:
            assert (row[8], row[9]) == (want["rank_before"], want["rank_change"]), (code, row[:11])
        assert [row[13 + 3 * n] for n in range(7)] == want["pillars"], code
    assert "bình quân cộng chỉ số năm 2020" in rows["SKHCN"][10] and "Ban Dân tộc tỉnh" in rows["SDTTG"][10]
    assert rows["SDTTG"][4] == "đổi tên từ Ban Dân tộc tỉnh" and rows["SKHCN"][4] == "hợp nhất với Sở Thông tin và Truyền thông"
    averages = [row for row in sheet_rows(two_years[1].outputs.ranking, "Bình quân theo năm")]
    for group, want in expected["groups"].items():
        by_year = {row[1]: row for row in averages if row[0] == group}
        assert by_year["2021"][3] == want["now"] and by_year["2020"][3] == want["before"] and by_year["2021"][4] == want["change"], group
        assert (by_year["2021"][6], by_year["2020"][6]) == want["half"], group
    history_rows = {row[1]: row for row in sheet_rows(two_years[1].outputs.ranking, "Qua các năm")}
    assert history_rows["SDTTG"][3:7] == (expected["before"]["BDT"]["index"], expected["before"]["BDT"]["rank"],
                                          expected["now"]["SDTTG"]["index"], expected["now"]["SDTTG"]["rank"])


def test_the_printed_report_shows_every_change(two_years, expected):
    text = subprocess.run(["pdftotext", "-layout", str(two_years[1].outputs.report_pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "III. SO SÁNH VỚI NĂM 2020" in text and "Phụ lục II" in text
    for code, want in expected["units"].items():
        if want is None:
            continue
        assert vn.fixed(want["before"], 4) in flat and series.signed(want["change"]) in flat, code
        for change in want["pillars"]:
            assert f"({series.signed(change)})" in flat, (code, change)
    for group, want in expected["groups"].items():
        assert f"{vn.fixed(want['now'], 4)} {vn.fixed(want['before'], 4)} {series.signed(want['change'])}" in flat, group
    assert "Sở Khoa học và Công nghệ hợp nhất với Sở Thông tin và Truyền thông, được so với bình quân cộng chỉ số năm 2020" in flat
    assert "đổi tên: Sở Dân tộc và Tôn giáo (đổi tên từ Ban Dân tộc tỉnh)" in flat
    assert "Thanh tra tỉnh (năm 2020 Thanh tra tỉnh chưa gửi sổ có số liệu)" in flat
    assert "Chỉ số bình quân của từng nhóm qua các năm" in flat and "Đơn vị dẫn đầu từng trụ cột năm 2021" in flat


def test_the_unit_report_shows_its_pillars_against_last_year_and_its_history(two_years, expected):
    text = " ".join(subprocess.run(["pdftotext", str(two_years[1].outputs.unit_pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    want = expected["units"]["SKHCN"]
    assert f"chỉ số {vn.fixed(want['before'], 4)} → {vn.fixed(expected['now']['SKHCN']['index'], 4)} ({series.signed(want['change'])})" in text
    assert "hợp nhất: không so sánh hạng" in text and "Năm 2020" in text
    assert "bình quân của Sở Khoa học và Công nghệ, Sở Thông tin và Truyền thông" in text  # its history: the predecessors' year


def test_every_ranked_unit_of_the_json_has_its_previous_year_or_why_not(two_years, expected):
    data = json.loads(two_years[1].outputs.json.read_text(encoding="utf-8"))
    assert data["previous"]["period"] == "2020" and data["previous"]["same_catalog"] and data["previous"]["rule"]
    assert {(x["unit"], x["kind"]) for x in data["previous"]["lineage"]} == {("SKHCN", "merged"), ("SDTTG", "renamed")}
    seen = 0
    for rows in data["ranking"].values():
        for r in rows:
            if r["rank"] is None:
                continue
            seen += 1
            want = expected["units"][r["unit"]]
            assert "previous" in r and "previous_reason" in r and r["lineage"]["kind"] in ("same", "renamed", "merged")
            if want is None:
                assert r["previous"] is None and r["previous_reason"].startswith("năm 2020 ") and "chưa gửi sổ" in r["previous_reason"]
                continue
            p = r["previous"]
            assert (p["period"], p["index"], p["index_change"], p["rank"], p["rank_change"]) == \
                ("2020", want["before"], want["change"], want["rank_before"], want["rank_change"]), r["unit"]
            assert [p["pillars"][str(n + 1)]["change"] for n in range(7)] == want["pillars"]
    assert seen == len(expected["now"])


def test_the_open_data_with_the_previous_year_is_valid_frictionless(two_years, expected):
    report = validate(two_years[1].outputs.csv / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    with (two_years[1].outputs.csv / "xep-hang.csv").open(encoding="utf-8-sig") as f:
        rows = {row["ma_don_vi"]: row for row in csv.DictReader(f)}
    assert rows["SDTTG"]["truoc_day"] == "đổi tên từ BDT" and rows["SKHCN"]["truoc_day"] == "hợp nhất từ SKHCN; STTTT"
    want = expected["units"]["SDTTG"]
    assert (float(rows["SDTTG"]["chi_so_ky_truoc"]), float(rows["SDTTG"]["thay_doi_chi_so"]), int(rows["SDTTG"]["thay_doi_hang"])) == \
        (want["before"], want["change"], want["rank_change"])
    assert rows["TTT"]["chi_so_ky_truoc"] == "" and "chưa gửi sổ" in rows["TTT"]["so_sanh"]
    assert rows["SNGV"]["hang"] == "" and rows["SNGV"]["so_sanh"] == "chưa gửi sổ có số liệu năm 2021"


def test_the_year_before_is_read_from_its_ledger_alone_never_from_its_files(two_years, tmp_path):
    first, second = two_years
    only = tmp_path / "chi-so-cai"
    only.mkdir()
    for part in first.outputs.archive.glob("ledger.sqlite*"):
        shutil.copyfile(part, only / part.name)
    assert not (only / "files").exists()
    campaign = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
    read = years.read_year(campaign, only)
    assert read.available and len(read.units) == 27
    kept = json.loads(first.outputs.json.read_text(encoding="utf-8"))
    for rows in kept["ranking"].values():
        for r in rows:
            if r["rank"] is not None:
                assert (series.rounded(read.units[r["unit"]].index), read.units[r["unit"]].rank) == (r["index"], r["rank"])
    missing = years.read_year(campaign, tmp_path / "khong-co")
    assert not missing.available and "không có kho lưu trữ" in missing.reason


def recipes(two_years, tmp: Path) -> Path:
    """The 2021 recipe with its archive and the 2020 one's where the demo put them."""
    first, second = two_years
    text = (ROOT / "generator" / "campaign-2021.toml").read_text(encoding="utf-8")
    text = text.replace('roster = "roster-hue-2021.csv"', f'roster = "{(ROOT / "generator" / "roster-hue-2021.csv").as_posix()}"')
    text = text.replace('archive = "out/luu-tru-2021"', f'archive = "{second.outputs.archive.as_posix()}"')
    text = text.replace('recipe = "campaign-2020.toml"', f'recipe = "{(ROOT / "generator" / "campaign-2020.toml").as_posix()}"\n'
                                                           f'archive = "{first.outputs.archive.as_posix()}"')
    (tmp / "dot-2021.toml").write_text(text, encoding="utf-8")
    return tmp / "dot-2021.toml"


def test_the_history_command_and_pandas_give_the_panel_of_every_unit_year_and_pillar(two_years, expected, tmp_path, capsys):
    recipe = recipes(two_years, tmp_path)
    assert cli.main(["history", "--recipe", str(recipe), "-o", str(tmp_path / "panel.csv")]) == 0
    said = capsys.readouterr().out
    assert "Năm 2020: 27 đơn vị có kết quả" in said and "Năm 2021: 28 đơn vị có kết quả" in said
    with (tmp_path / "panel.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(years.PANEL_COLUMNS)
    assert len(rows) == (27 + 28) * 8  # each unit ranked, each year: its index and its 7 pillars
    frame = years.panel(recipe)
    assert len(frame) == len(rows) and list(frame.columns) == list(years.PANEL_COLUMNS)
    whole = frame[(frame.tru_cot == "")].set_index(["ky", "ma_don_vi"])
    for (year, data) in (("2020", expected["before"]), ("2021", expected["now"])):
        for code, unit in data.items():
            assert whole.loc[(year, code), "chi_so"] == unit["index"] and whole.loc[(year, code), "hang"] == unit["rank"]
    assert whole.loc[("2021", "SKHCN"), "truoc_day"] == "hợp nhất từ SKHCN; STTTT"
    pillar = frame[(frame.ky == "2021") & (frame.ma_don_vi == "SDL") & (frame.tru_cot == "7")].iloc[0]
    assert pillar.chi_so == expected["now"]["SDL"]["pillars"][6] and pillar.diem_toi_da_ap_dung > 0


def test_consolidate_says_the_comparison_and_history_says_a_year_it_cannot_read(two_years, tmp_path, capsys):
    recipe = recipes(two_years, tmp_path)
    code = cli.main(["consolidate", str(two_years[1].outputs.returned), "--recipe", str(recipe), "--archive", str(tmp_path / "kho"),
                     "-o", str(tmp_path / "x.xlsx"), "--workers", "1"])
    assert code == 1  # SNGV sent nothing
    said = capsys.readouterr().out
    assert "So với năm 2020: 26/28 đơn vị so sánh được chỉ số (hợp nhất với Sở Thông tin và Truyền thông; đổi tên từ Ban Dân tộc tỉnh)" in said
    recipe.write_text(recipe.read_text(encoding="utf-8").replace(two_years[0].outputs.archive.as_posix(), (tmp_path / "khong-co").as_posix()),
                      encoding="utf-8")
    assert cli.main(["history", "--recipe", str(recipe), "-o", str(tmp_path / "p.csv")]) == 1
    assert "Năm 2020: chưa đọc được: không có kho lưu trữ" in capsys.readouterr().out


def test_the_published_site_shows_each_unit_against_the_year_before(two_years, tmp_path, expected):
    c = two_years[1].result
    site = publish.site_of(c)
    units = {u.code: u for u in site.units}
    want = expected["units"]["SDTTG"]
    assert units["SDTTG"].previous == publish.Standing("2020", want["before"], want["rank_before"]) and "Ban Dân tộc tỉnh" in units["SDTTG"].previous_note
    assert units["SKHCN"].previous.rank is None and units["SKHCN"].previous.index == expected["units"]["SKHCN"]["before"]
    assert units["TTT"].previous is None and "chưa gửi sổ" in units["TTT"].previous_reason
    assert [h.period for h in units["SDL"].history] == ["2020", "2021"] and site.compared
    publish.write_site(c, tmp_path / "site", site)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "So với kỳ trước" in index and series.signed(want["change"]) in index
    page = (tmp_path / "site" / "don-vi" / "SKHCN.html").read_text(encoding="utf-8")
    assert "bình quân cộng chỉ số năm 2020 của các đơn vị hợp nhất" in page and "Chỉ số và hạng trong nhóm" in page
    from test_publish import check, problems_of  # the results site's own browser check (headless Chromium, axe-core)

    pages = ["index.html", "don-vi/SKHCN.html", "don-vi/SDTTG.html", "don-vi/TTT.html"]
    report = check(tmp_path / "site", pages, "--widths", "360,1280", "--axe", "360,1280")
    assert problems_of(report) == [] and len(report["visits"]) == 8


def test_a_units_own_report_from_its_file_compares_its_pillars_with_last_year(two_years, expected, tmp_path):
    recipe = recipes(two_years, tmp_path)
    path = next(two_years[1].outputs.returned.glob("*_SDTTG_*.xlsx"))
    assert cli.main(["report", "unit", str(path), "--recipe", str(recipe), "-o", str(tmp_path / "u.pdf")]) in (0, 1)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "u.pdf"), "-"], capture_output=True, text=True, check=True).stdout.split())
    want = expected["units"]["SDTTG"]
    assert f"So với năm 2020 (Ban Dân tộc tỉnh năm 2020 (trước khi đổi tên)): chỉ số {vn.fixed(want['before'], 4)}" in text
    assert "hạng" not in text.split("So với năm 2020")[1].split(".")[0]  # one file has no rank: none is claimed
    for change in want["pillars"]:
        assert series.signed(change) in text


def test_a_damaged_ledger_of_the_year_before_is_a_reason_not_a_crash(two_years, tmp_path):
    broken = tmp_path / "hong"
    broken.mkdir()
    (broken / "ledger.sqlite").write_bytes(b"khong phai sqlite " * 100)
    read = years.read_year(campaign_mod.load(ROOT / "generator" / "campaign-2020.toml"), broken)
    assert not read.available and "không đọc được sổ cái" in read.reason


def test_the_readme_shows_what_the_main_command_prints(two_years):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(".venv/bin/hue-dx demo\n```\n\n```\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[:-1] == two_years.said
    assert block[-1].startswith("Xong. Mở out/demo/2021/4-bao-cao/bao-cao-xep-hang-2021.pdf")
