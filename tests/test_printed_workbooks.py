"""The workbooks people print: the summary sheet of a unit's workbook (heading never cut, charts
with axes, Times New Roman), its guide (how to fill in, not the tool's audit), the ranking
workbook (readable header, number formats, every unit labelled, local times, numbers as
numbers) and the appraisal workbook."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import demo
from hue_dx.documents import full_name, upper
from hue_dx.generate import generate
from hue_dx.workbook import appraisal_book
from hue_dx.workbook.build import HEADING_CHARS

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "generator" / "campaign-2020.toml"
DELETE_0 = re.compile(r'<(?:c:)?delete val="0"/>')  # openpyxl writes the chart namespace as the default one


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("printed")
    campaign = campaign_mod.load(RECIPE)
    catalog = hue_dx.load_catalog()
    generated = generate(catalog, campaign, folder / "so", [campaign.unit(c) for c in ("BQLKKT", "SNNPTNT", "HALUOI", "SYT")])
    books = {g.unit: (folder / "so" / g.path).read_bytes() for g in generated}
    outputs = demo.run(catalog, campaign, folder / "demo", say=lambda _: None)
    return {"campaign": campaign, "catalog": catalog, "books": books, "outputs": outputs}


def chart_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/charts/chart")]


@pytest.mark.parametrize("code", ["BQLKKT", "SNNPTNT", "HALUOI"])
def test_summary_heading_is_whole_and_tall_enough(made, code):
    campaign = made["campaign"]
    unit = campaign.unit(code)
    ws = load_workbook(io.BytesIO(made["books"][code]))["Tổng hợp"]
    issuer_cell = "A2" if unit.parent else "A1"
    lines = ws[issuer_cell].value.split("\n")
    assert " ".join(lines) == upper(full_name(unit.heading_name)) and all(len(line) <= HEADING_CHARS for line in lines)
    for before, after in zip(lines, lines[1:], strict=False):
        assert after.startswith(("VÀ ", "TỈNH ", "HUYỆN ", "CÔNG NGHIỆP")) or before.endswith(",") or before in ("SỞ", "BAN", "ỦY BAN NHÂN DÂN")
    if unit.parent:
        assert ws["A1"].value == upper(unit.parent) and not ws["A1"].font.b and ws["A2"].font.b
    # the rows the heading spans hold its lines at 12 pt (about 15 pt a line), whatever the unit
    rows = range(2 if unit.parent else 1, 4)
    height = sum(ws.row_dimensions[r].height or 15 for r in rows)
    assert height >= 15 * len(lines), (height, lines)
    assert ws["D" + str(next(r for r in range(1, 80) if isinstance(ws[f"D{r}"].value, str) and "ngày" in ws[f"D{r}"].value))].value.startswith(
        campaign.body(unit).place + ", ngày")


def test_summary_chart_shows_axes_in_times_new_roman(made):
    (xml,) = chart_xml(made["books"]["SYT"])
    assert len(DELETE_0.findall(xml)) == 2, "both axes shown"
    assert 'typeface="Times New Roman"' in xml
    ws = load_workbook(io.BytesIO(made["books"]["SYT"]))["Tổng hợp"]
    names = [ws[f"B{r}"].value for r in range(8, 15)]
    assert names == [p.sheet_name for p in made["catalog"].pillars] and all(len(n) <= 31 for n in names), names  # short names: nothing cut


def test_the_signature_block_takes_the_heads_position_from_the_unit_sheet(made):
    ws = load_workbook(io.BytesIO(made["books"]["SYT"]))["Tổng hợp"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "hdx_unit_head_title" in c.value]
    assert formulas and "UPPER" in formulas[0]


def test_the_guide_tells_how_to_fill_in_not_the_tools_decisions(made):
    ws = load_workbook(io.BytesIO(made["books"]["SYT"]))["Hướng dẫn"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "(lỗi in)" not in text and "CÁC CHỖ KẾ HOẠCH CHƯA RÕ" not in text and not re.search(r"\[[^\]]+\] ", text)
    assert ws.max_row <= 25, ws.max_row  # one printed page
    assert "chức vụ" in text


def test_the_ranking_workbook_prints_readably(made):
    data = made["outputs"].ranking.read_bytes()
    wb = load_workbook(io.BytesIO(data))
    ranking = wb["Xếp hạng"]
    assert "SAU THẨM ĐỊNH" not in ranking["A1"].value  # nothing was appraised in the demo
    headers = [c.value for c in ranking[3]]
    widths = [ranking.column_dimensions[chr(65 + n)].width for n in range(len(headers))]
    needed = max(-(-len(h) // int(w)) for h, w in zip(headers, widths, strict=True))
    assert ranking.row_dimensions[3].height >= 13 * needed, "the wrapped header overlaps the first row"
    for ws in wb.worksheets:
        found_as_typed = ws.title == "Vấn đề"  # the values units typed, kept as text on purpose
        for row in ws.iter_rows(min_row=4):
            for c in row:
                if c.value is not None:
                    assert c.font.name == "Times New Roman", (ws.title, c.coordinate)
                if isinstance(c.value, str) and not found_as_typed:
                    assert not re.fullmatch(r"\d{1,3}(\.\d{3})+", c.value), (ws.title, c.coordinate, c.value)  # a number as text
    criteria = wb["Tiêu chí"]
    floats = [c for row in criteria.iter_rows(min_row=4, min_col=4) for c in row if isinstance(c.value, float)]
    assert floats and all(c.number_format == "0.00" for c in floats)
    assert criteria.print_title_cols and not criteria.sheet_properties.pageSetUpPr.fitToPage
    received = wb["Tệp đã nhận"]
    columns = [c.value for c in received[3]]
    times = [row[columns.index(name)].value for row in received.iter_rows(min_row=4) for name in ("Nhận lúc", "Lưu lần cuối")]
    assert times and all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", t) for t in times if t)
    province = wb["Toàn tỉnh"]
    header = [c.value for c in province[3]]
    share_col = header.index("Tỷ lệ (%) hoặc bình quân") + 1
    formats = {province.cell(r, 1).value: province.cell(r, share_col).number_format for r in range(4, province.max_row + 1)}
    assert formats.get("7.2.2") == "#,##0.00" and formats.get("5.1.1") == "0.00%"
    charts = chart_xml(data)
    assert charts
    for xml in charts:
        assert len(DELETE_0.findall(xml)) == 2 and re.search(r'<(c:)?tickLblSkip val="1"/>', xml) and 'typeface="Times New Roman"' in xml


def test_the_appraisal_workbook_carries_no_hash_and_formats_numbers(made, tmp_path):
    import hashlib

    from hue_dx.intake.check import Context, check_file

    campaign, catalog = made["campaign"], made["catalog"]
    path = next(made["outputs"].returned.glob("2020_HALUOI_*.xlsx"))
    raw = path.read_bytes()
    result = check_file(raw, path.name, hashlib.sha256(raw).hexdigest(), Context.create(catalog, campaign), details=True)
    data = appraisal_book.build(catalog, campaign, campaign.unit("HALUOI"), "Sở Thông tin và Truyền thông", ["5.1.1", "5.2.1"], result)
    ws = load_workbook(io.BytesIO(data)).active
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert result.sha256 not in text and result.sha256[:16] not in text and "SHA-256" not in text
    numbers = [c for row in ws.iter_rows(min_row=5, min_col=3, max_col=4) for c in row if c.protection.locked is False or isinstance(c.value, int | float)]
    assert numbers and all(c.number_format == "#,##0.##" for c in numbers if c.column == 4)
    assert ws.row_dimensions[4].height and ws.row_dimensions[4].height >= 26


def test_appraisal_plan_never_has_a_unit_appraise_itself(made):
    from hue_dx.appraisal import plan, self_assignments

    campaign, catalog = made["campaign"], made["catalog"]
    for code in ("SNV", "STTTT", "STC"):
        unit = campaign.unit(code)

        def is_self(name: str, unit=unit) -> bool:
            return campaign.find(name) == unit

        assert self_assignments(catalog, unit.level, campaign.appraisal, is_self), code  # the recipe assigns it to itself…
        assigned = plan(catalog, unit.level, campaign.appraisal, is_self)
        assert all(campaign.find(who) != unit for who in assigned), (code, list(assigned))  # …and the plan moves it
    assert campaign.find("Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế") == campaign.unit("STTTT")
