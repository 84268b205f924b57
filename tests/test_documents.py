"""Every outgoing document measured against Nghị định 30/2020/NĐ-CP Phụ lục I (A4, margins,
fonts and sizes, heading, number and symbol, place and date, type and summary, body,
"Nơi nhận", signer, page numbers), and the content each must (not) carry.

The rules are checked on the PDF, as a reader holds it (tests/pdfmeasure.py), for each kind:
a department's report, a district's report, the province's ranking report, a letter asking
for corrections, a letter to a unit that sent nothing, and quarterly tracking's report to UBND
tỉnh and its reminder to a unit."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest
from pdfmeasure import A4, Measured

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli, demo, documents, reports, vn
from hue_dx.corrections import write_letters
from hue_dx.documents import upper
from hue_dx.intake.check import Context, check_file
from hue_dx.intake.consolidate import consolidate
from hue_dx.issues import TYPES

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "generator" / "campaign-2020.toml"
TEXT_CENTRE = (30 + 195) / 2  # the text area: 30 mm from the left edge, 15 mm from the right
LEFT_COLUMN_MAX = 30 + 165 * 0.5  # the issuing body's column lies in the left half of the text
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture(scope="module")
def world(tmp_path_factory, two_years):
    """The demo's outputs, a district's report, the letters, measured once (with pdfplumber,
    a Python dependency: nothing here may skip); and the demo's second year's ranking report and
    unit report, against the year before (issue 22)."""
    folder = tmp_path_factory.mktemp("documents")
    campaign = campaign_mod.load(RECIPE)
    catalog = hue_dx.load_catalog()
    outputs = demo.run(catalog, campaign, folder / "demo", say=lambda _: None)
    ctx = Context.create(catalog, campaign)
    checked = {}
    for code in ("HALUOI", "BQLKKT", "SNNPTNT"):
        path = next(outputs.returned.glob(f"*_{code}_*.xlsx"))
        data = path.read_bytes()
        checked[code] = check_file(data, path.name, hashlib.sha256(data).hexdigest(), ctx, details=True)
    pdfs = {"ranking": outputs.report_pdf, "unit": outputs.unit_pdf}
    for code, result in checked.items():
        pdfs[f"unit-{code}"] = folder / f"{code}.pdf"
        reports.write_pdf(reports.unit_report(catalog, campaign, result), pdfs[f"unit-{code}"])
    consolidation = consolidate(catalog, campaign, [outputs.returned], outputs.archive, workers=1, context=ctx)
    letters = {letter.unit: letter for letter in write_letters(consolidation, folder / "letters", days=10, today=dt.date(2026, 3, 5))}
    pdfs["letter"] = letters["SXD"].pdf  # typed text where numbers belong: a letter asking for corrections
    pdfs["missing"] = letters["HNDONG"].pdf  # sent nothing
    pdfs["tracking"], pdfs["tracking-letter"], tracking_sender = quarterly_documents(folder / "quy")
    second = two_years[1]
    pdfs["ranking-2021"], pdfs["unit-2021"] = second.outputs.report_pdf, second.outputs.unit_pdf
    later = second.result.campaign
    path = next(second.outputs.returned.glob("*_SKHCN_*.xlsx"))
    data = path.read_bytes()
    checked["SKHCN-2021"] = check_file(data, path.name, hashlib.sha256(data).hexdigest(), Context.create(catalog, later), details=True)
    measured = {kind: Measured(path) for kind, path in pdfs.items()}
    return {"campaign": campaign, "catalog": catalog, "outputs": outputs, "checked": checked, "consolidation": consolidation,
            "letters": letters, "pdf": measured, "folder": folder, "tracking_sender": tracking_sender, "later": later}


def quarterly_documents(folder: Path):
    """Quarterly tracking's two outgoing kinds (issue 16), through the same document layer:
    the report of Sở TT&TT to UBND tỉnh and a reminder to a unit that sent nothing."""
    from hue_dx.tracking import answers, periods, recipe, tasks
    from hue_dx.tracking import report as tracking_report
    from hue_dx.tracking.fill import fill
    from hue_dx.tracking.generate import generate
    from hue_dx.tracking.intake import consolidate as consolidate_quarter

    book = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
    catalog, quarter = tasks.load(book.tasks), periods.Quarter(2021, 3)
    made = generate(catalog, book, quarter, folder / "so", units=[book.unit("SCT"), book.unit("SYT")])
    sent = folder / "gui-ve"
    sent.mkdir()
    sct = next(g for g in made if g.unit == "SCT")
    lead = {"PL3.E.9": {"status": answers.IN_PROGRESS, "percent": 50, "disbursed": 200_000_000,
                        "difficulties": "Chậm bàn giao mặt bằng cho hạng mục thiết bị quan trắc"}}
    (sent / sct.path).write_bytes(fill((folder / "so" / sct.path).read_bytes(), lead, {}, {"unit_preparer": "Lê Văn C"}))
    q = consolidate_quarter(catalog, book, quarter, [sent], folder / "luu-tru")
    report = tracking_report.write_report(q, folder / "bao-cao", when=dt.date(2021, 10, 5))
    missing = next(u for u in q.units if u.unit.code == "SYT")
    letter = folder / "don-doc-SYT.pdf"
    reports.write_pdf(tracking_report.letter_document(q, missing, dt.date(2021, 10, 5)), letter)
    return report, letter, book.campaign(quarter).sender()


KINDS = ["unit", "unit-HALUOI", "unit-BQLKKT", "unit-SNNPTNT", "ranking", "letter", "missing", "tracking", "tracking-letter",
         "ranking-2021", "unit-2021"]
ISSUER = {"unit": "STTTT", "unit-HALUOI": "HALUOI", "unit-BQLKKT": "BQLKKT", "unit-SNNPTNT": "SNNPTNT", "ranking": None,
          "letter": "STTTT", "missing": "STTTT", "tracking": "STTTT", "tracking-letter": "STTTT", "ranking-2021": None, "unit-2021": "SKHCN"}


def body_of(world, kind):
    campaign = world["campaign"]
    if kind.startswith("tracking"):
        return world["tracking_sender"][0]
    code = ISSUER[kind]
    return campaign.province()[0] if code is None else campaign.body(campaign.unit(code))


def heading_segments(m: Measured) -> dict:
    """The heading's parts on page 1: parent, issuer lines, Số, date line, nation, motto."""
    nation = m.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0)
    motto = m.find("Độc lập - Tự do - Hạnh phúc", 0)
    number = m.find("Số:", 0, start=True)
    left = [s for s in m.segments[0] if s.baseline < number.baseline - 1 and s.centre < LEFT_COLUMN_MAX]
    issuer = [s for s in left if s.bold]
    parent = [s for s in left if not s.bold]
    return {"nation": nation, "motto": motto, "number": number, "issuer": issuer, "parent": parent}


# ------------------------------------------------------------------------- the page


@pytest.mark.parametrize("kind", KINDS)
def test_a4_margins_and_one_serif_family(world, kind):
    m = world["pdf"][kind]
    for n, (w, h) in enumerate(m.sizes):
        # A4; a page of a wide annex (a table of many columns) may be A4 landscape (Phụ lục I: bảng, biểu
        # trình bày theo chiều ngang), with the same margins on its own edges
        portrait = abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5
        assert portrait or (n > 0 and abs(w - A4[1]) < 0.5 and abs(h - A4[0]) < 0.5), (n, w, h)
        left, right, top, bottom = m.text_area(n)
        assert left >= 29.5 and right <= w - 14.5, (kind, n + 1, left, right)  # left 30–35 mm, right 15–20 mm
        assert top >= 19.5 and bottom <= h - 19.5, (kind, n + 1, top, bottom)  # top and bottom 20–25 mm
    left, right, _, _ = m.text_area(0)
    assert left <= 35.5 and right >= 189.5, (left, right)  # the text fills the width between the margins
    fonts = {f for page in m.segments for s in page for f in s.fonts}
    assert fonts and all(re.search(r"Liberation-?Serif|TimesNewRoman|Times-New-Roman|Tinos", f) for f in fonts), fonts


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers_top_centre_from_page_two(world, kind):
    m = world["pdf"][kind]
    numbers = m.page_numbers()
    assert numbers[0] is None, "page 1 carries no number"
    for n, seg in enumerate(numbers[1:], start=2):
        assert seg is not None and seg.text == str(n), (n, seg)
        width = m.sizes[n - 1][0]  # a landscape page's text is centred between its own margins
        centre = TEXT_CENTRE if width < A4[1] - 0.5 else 30 + (width - 30 - 15) / 2
        assert abs(seg.centre - centre) <= 1.0 and seg.regular and seg.sizes <= {13.0, 14.0}, seg
    assert not [s for page in m.segments for s in page if re.fullmatch(r"Trang \d+/\d+", s.text)]  # no "Trang n/N" footer


# ------------------------------------------------------------------------- heading


@pytest.mark.parametrize("kind", KINDS)
def test_national_heading_and_motto_rule(world, kind):
    h = heading_segments(world["pdf"][kind])
    nation, motto = h["nation"], h["motto"]
    assert nation.bold and nation.sizes <= {12.0, 13.0} and nation.centre > TEXT_CENTRE
    assert motto.bold and motto.sizes <= {13.0, 14.0} and abs(motto.centre - nation.centre) <= 1.5
    rule = world["pdf"][kind].rule_under(motto)
    assert rule is not None, "no rule under the motto"
    assert abs(rule.length - (motto.x1 - motto.x0)) <= 1.5 and abs(rule.centre - motto.centre) <= 1.0, (rule, motto)


GROUP_STARTS = ("VÀ ", "TỈNH ", "HUYỆN ", "THỊ XÃ ", "THÀNH PHỐ ", "QUẬN ", "XÃ ", "PHƯỜNG ", "THỊ TRẤN ")
KIND_PREFIXES = ("SỞ", "BAN", "ỦY BAN NHÂN DÂN", "VĂN PHÒNG", "BAN QUẢN LÝ", "THANH TRA")


@pytest.mark.parametrize("kind", KINDS)
def test_issuing_body_in_full_capitals_bold_unbroken_with_parent_and_short_rule(world, kind):
    m = world["pdf"][kind]
    h = heading_segments(m)
    body = body_of(world, kind)
    lines = [s.text for s in h["issuer"]]
    assert " ".join(lines) == upper(body.name), lines  # in full: "ỦY BAN NHÂN DÂN HUYỆN A LƯỚI", never "UBND HUYỆN …"
    for before, after in zip(lines, lines[1:], strict=False):  # cut between word groups only
        assert after.startswith(GROUP_STARTS) or before.endswith(",") or before in KIND_PREFIXES, (before, after)
    for s in h["issuer"]:
        assert s.bold and s.sizes <= {12.0, 13.0}, s
    if body.parent:
        (parent,) = h["parent"]
        assert parent.text == upper(body.parent) and parent.regular and parent.sizes <= {12.0, 13.0}
        assert parent.baseline < h["issuer"][0].baseline and abs(parent.centre - h["issuer"][0].centre) <= 1.5
    else:
        assert not h["parent"]
    rule = m.rule_under(h["issuer"][-1])
    widest = max(s.x1 - s.x0 for s in h["issuer"])
    assert rule is not None and widest / 3 - 0.5 <= rule.length <= widest / 2 + 0.5, (rule, widest)
    assert abs(rule.centre - h["issuer"][-1].centre) <= 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_number_with_a_real_blank_and_symbol_and_the_date_line_beside_it(world, kind):
    m = world["pdf"][kind]
    h = heading_segments(m)
    number = h["number"]
    assert number.text == "Số:" and number.regular and number.sizes <= {13.0, 14.0}
    symbol = next(s for s in m.segments[0] if abs(s.baseline - number.baseline) < 0.3 and s.x0 > number.x1 and s.centre < LEFT_COLUMN_MAX)
    body = body_of(world, kind)
    expected = f"/BC-{body.abbreviation}" if kind.startswith(("unit", "ranking")) or kind == "tracking" else f"/{body.abbreviation}-CNTT"
    assert symbol.text == expected and symbol.x0 - number.x1 >= 10.0, (symbol.text, symbol.x0 - number.x1)
    place = body.place
    dateline = m.find(f"{place}, ngày ", 0, start=True)
    assert dateline.italic and dateline.sizes <= {13.0, 14.0} and abs(dateline.baseline - number.baseline) < 0.5
    assert abs(dateline.centre - h["motto"].centre) <= 2.0
    assert abs((number.x0 + symbol.x1) / 2 - h["issuer"][-1].centre) <= 3.0


def test_each_unit_dates_its_report_from_its_own_place(world):
    assert world["pdf"]["unit-HALUOI"].find("A Lưới, ngày ", 0, start=True)
    assert world["pdf"]["unit"].find("Thừa Thiên Huế, ngày ", 0, start=True)
    assert world["campaign"].body(world["campaign"].unit("HPLOC")).place == "Phú Lộc"
    assert documents.date_line("Phú Lộc", dt.date(2026, 3, 5)) == "Phú Lộc, ngày 05 tháng 3 năm 2026"
    assert documents.date_line("Huế", dt.date(2026, 1, 15)) == "Huế, ngày 15 tháng 01 năm 2026"
    assert world["pdf"]["letter"].find("Thừa Thiên Huế, ngày 05 tháng 3 năm 2026", 0)


@pytest.mark.parametrize("kind", ["unit", "unit-HALUOI", "ranking", "tracking"])
def test_report_type_and_summary_bold_centred(world, kind):
    m = world["pdf"][kind]
    kind_seg = m.find("BÁO CÁO", 0, start=True)
    assert kind_seg.text == "BÁO CÁO" and kind_seg.bold and kind_seg.sizes <= {13.0, 14.0} and abs(kind_seg.centre - TEXT_CENTRE) <= 1.5
    summary = next(s for s in m.segments[0] if s.baseline > kind_seg.baseline)
    assert summary.text.startswith(("Kết quả", "Tình hình")) and summary.bold and summary.sizes <= {13.0, 14.0} and abs(summary.centre - TEXT_CENTRE) <= 1.5
    assert m.rule_under(summary) is not None


@pytest.mark.parametrize("kind", ["letter", "missing", "tracking-letter"])
def test_a_letter_has_its_subject_under_the_number_not_in_the_body(world, kind):
    m = world["pdf"][kind]
    number = heading_segments(m)["number"]
    (vv,) = m.find_all("V/v ")
    assert vv.page == 0 and vv.baseline > number.baseline and vv.centre < LEFT_COLUMN_MAX and vv.regular and vv.sizes <= {12.0, 13.0}
    addressee = m.find("Kính gửi:", 0)
    assert addressee.baseline > vv.baseline and addressee.regular


# ------------------------------------------------------------------------- body, recipients, signer


def body_lines(m: Measured, page: int) -> list:
    return [s for s in m.segments[page] if s.sizes == {13.0} and s.regular and s.baseline > 60 and s.x1 - s.x0 > 100]


@pytest.mark.parametrize("kind", KINDS)
def test_body_is_justified_13_to_14_pt(world, kind):
    m = world["pdf"][kind]
    lines = body_lines(m, 0)
    full = [s for s in lines if s.x1 >= 194.0]
    assert len(full) >= 2, [s.text for s in lines]  # lines of a paragraph end at the right margin
    assert all(s.x1 <= 195.5 for s in lines)


@pytest.mark.parametrize("kind", KINDS)
def test_recipients_left_bold_italic_beside_the_signer_and_kept_with_the_text(world, kind):
    m = world["pdf"][kind]
    (title,) = m.find_all("Nơi nhận:")
    assert title.text == "Nơi nhận:" and title.bold and title.italic and title.sizes == {12.0} and abs(title.x0 - 30.0) <= 0.6
    items = [s for s in m.segments[title.page] if s.text.startswith("- ") and s.baseline > title.baseline and s.x0 < 40]
    assert items and all(s.sizes == {11.0} and s.regular and abs(s.x0 - 30.0) <= 0.6 for s in items)
    assert all(s.text.endswith(";") for s in items[:-1]) and items[-1].text.startswith("- Lưu:") and items[-1].text.endswith(".")
    signer = world_signer(world, kind)
    first = m.find((signer.authority_lines or [signer.position])[0], title.page)
    assert abs(first.baseline - title.baseline) <= 1.5 and first.centre > TEXT_CENTRE, "the signer's block beside Nơi nhận"
    # never alone on a page: the last lines of the text are on the same page
    above = [s for s in m.segments[title.page] if s.sizes == {13.0} and s.regular and 20 < s.baseline < title.baseline]
    assert len(above) >= 2, [s.text for s in above]


def world_signer(world, kind):
    campaign = world["campaign"]
    if kind.startswith("ranking"):
        return campaign.province()[1]
    if kind == "unit-2021":  # the second year's receiving Sở, merged (issue 22)
        later = world["later"]
        return reports.unit_signer(later, later.unit("SKHCN"), world["checked"]["SKHCN-2021"].contacts)
    if kind.startswith("tracking"):
        return world["tracking_sender"][1]
    if kind in ("letter", "missing"):
        return campaign.sender()[1]
    code = ISSUER[kind]
    unit = campaign.unit(code)
    result = world["checked"][code] if code in world["checked"] else None
    if result is None:
        path = next(world["outputs"].returned.glob(f"*_{code}_*.xlsx"))
        data = path.read_bytes()
        result = check_file(data, path.name, hashlib.sha256(data).hexdigest(), Context.create(world["catalog"], campaign), details=True)
        world["checked"][code] = result
    return reports.unit_signer(campaign, unit, result.contacts)


@pytest.mark.parametrize("kind", KINDS)
def test_signer_position_and_name_from_data_in_bold(world, kind):
    m = world["pdf"][kind]
    signer = world_signer(world, kind)
    position = m.find_all(signer.position)[-1]
    assert position.text == signer.position == signer.position.upper() and position.bold and position.sizes <= {13.0, 14.0}
    for line in signer.authority_lines:
        authority = m.find(line, position.page)
        assert authority.bold and authority.baseline < position.baseline and abs(authority.centre - position.centre) <= 1.5
    assert signer.name, "the shipped campaign names every signer: its documents are complete"
    name = m.find(signer.name, position.page)
    assert name.bold and name.baseline - position.baseline >= 20.0 and abs(name.centre - position.centre) <= 1.5
    assert "DỰ THẢO" not in m.text()


def test_the_unit_report_uses_the_head_and_preparer_the_unit_filled_in(world):
    campaign = world["campaign"]
    result = world["checked"]["HALUOI"]
    contacts = result.contacts
    assert contacts["unit_head_title"] and contacts["unit_head"] and contacts["unit_preparer_title"]
    m = world["pdf"]["unit-HALUOI"]
    text = m.text()
    assert "THỦ TRƯỞNG ĐƠN VỊ" not in text
    signer = reports.unit_signer(campaign, campaign.unit("HALUOI"), contacts)
    assert signer.position in text and contacts["unit_head"] in text
    assert contacts["unit_preparer"] in text and contacts["unit_preparer_title"] in text
    deputy = documents.Signer.from_title("Phó Giám đốc", "GIÁM ĐỐC", name="Lê Văn A")
    assert (deputy.authority, deputy.position) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    district = documents.Signer.from_title("Phó Chủ tịch", "CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN")
    assert (district.authority_lines, district.position) == (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH")


# ------------------------------------------------------------------------- numbers


def test_numbers_are_vietnamese_and_never_split(world):
    assert vn.fixed(5831) == "5.831" and vn.fixed(1234.5, 2) == "1.234,50"
    assert documents.vn_equals("b", "3.931") == "b\u00a0=\u00a03.931"
    m = world["pdf"]["ranking"]
    for page in m.segments:
        for s in page:
            assert not s.text.endswith("=") and not s.text.startswith("="), s.text
    segments = [s.text for page in m.segments for s in page]
    for figure in world["consolidation"].province:  # every province-wide figure whole, on the line of its "="
        for key, value in figure["sums"].items():
            shown = re.compile(rf"= {re.escape(vn.fixed(value, 0))}(?![\d.,])")
            assert any(shown.search(text) for text in segments), (figure["code"], key, value)
    unit = world["pdf"]["unit-HALUOI"]
    segments = [s.text for page in unit.segments for s in page]
    assert not [t for t in segments if t.endswith("=")]
    result = world["checked"]["HALUOI"]
    for code, typed in result.typed.items():  # every figure the unit typed, whole, beside its "="
        for key, value in typed.items():
            if isinstance(value, int | float) and value >= 1000 and world["catalog"].criterion(code).applies("huyen"):
                shown = re.compile(rf"= {re.escape(reports._shown(value))}(?![\d.,])")
                assert any(shown.search(t) for t in segments), (code, key, value)


def s_page(m: Measured, code: str) -> int:
    return next(n for n in range(m.pages) for s in m.segments[n] if s.text.startswith(code + " ") or s.text == code)


def test_a_rate_per_person_is_no_percentage_and_figures_carry_their_labels(world):
    catalog = world["catalog"]
    assert not reports.ratio_is_share(catalog.criterion("7.2.2")) and reports.ratio_is_share(catalog.criterion("5.1.1"))
    m = world["pdf"]["ranking"]
    page = s_page(m, "7.2.2")
    row = [s for s in m.segments[page] if s.text.startswith("7.2.2")]
    assert row and "%" not in " ".join(s.text for s in m.segments[page] if abs(s.baseline - row[0].baseline) < 1)
    label = catalog.criterion("7.2.2").input("a").label
    assert m.find(f"a: {label[:20]}", page)


def test_no_english_issue_codes_in_printed_documents(world):
    for kind, m in world["pdf"].items():
        text = m.text()
        for code in TYPES:
            assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), (kind, code)


def test_an_evidence_date_entered_as_a_real_date_prints_as_a_date(world, tmp_path):
    from hue_dx.workbook.fill import fill

    campaign, catalog = world["campaign"], world["catalog"]
    blank = next(world["outputs"].workbooks.glob("2020_SYT_*.xlsx")).read_bytes()
    data = fill(blank, {"5.1.1": {"a": 100, "b": 50}}, {"unit_head": "Lê Văn A"},
                {"5.1.1": {"number": "12/KH-SYT", "date": dt.datetime(2020, 9, 15), "title": "Kế hoạch"}})
    result = check_file(data, "syt.xlsx", hashlib.sha256(data).hexdigest(), Context.create(catalog, campaign), details=True)
    html = reports.unit_report(catalog, campaign, result).html
    assert "12/KH-SYT · 15/09/2020 · Kế hoạch" in html and "44089" not in html


def test_an_evidence_date_typed_as_a_date_prints_as_a_date():
    assert documents.as_date_text(44089.0) == "15/09/2020" and documents.as_date_text("44089.0") == "15/09/2020"
    assert documents.as_date_text(dt.datetime(2020, 9, 15)) == "15/09/2020" and documents.as_date_text("15/09/2020") == "15/09/2020"
    assert reports._evidence(["12/KH-UBND", "44089.0", "Kế hoạch", ""]) == "12/KH-UBND · 15/09/2020 · Kế hoạch"


# ------------------------------------------------------------------------- what goes to units


@pytest.mark.parametrize("kind", ["unit", "unit-HALUOI", "letter", "missing"])
def test_no_tool_stamp_or_hashes_on_the_face_traced_in_metadata(world, kind):
    m = world["pdf"][kind]
    text = m.text()
    assert "Lập bằng hue-dx" not in text and "SHA-256" not in text and not HEX64.search(text)
    if kind != "missing":
        assert HEX64.search(m.metadata.get("Keywords", "")), m.metadata
    assert m.metadata.get("Creator", "").startswith("hue-dx")


def test_the_ranking_report_lists_files_in_a_referenced_annex_only(world):
    m = world["pdf"]["ranking"]
    signed = m.find("Nơi nhận:").page
    annex = m.find("DANH MỤC SỔ TỰ ĐÁNH GIÁ DÙNG ĐỂ XẾP HẠNG")
    assert annex.page > signed and m.find("Phụ lục", annex.page, start=True)
    assert "danh mục sổ tự đánh giá dùng để" in m.text(signed).lower()  # the text refers to it
    for n in range(annex.page):
        assert not HEX64.search(m.text(n)), f"a hash on page {n + 1}"
    assert HEX64.search(m.metadata.get("Keywords", ""))


# ------------------------------------------------------------------------- content


def test_ranking_flags_errors_and_counts_only_self_assessments(world, tmp_path):
    c = world["consolidation"]
    flagged = {r.unit.name: reports._flags(r) for rows in c.groups.values() for r in rows if r.result}
    with_errors = [r for rows in c.groups.values() for r in rows if r.result and r.errors]
    assert with_errors and all(f"{r.errors} lỗi" in flagged[r.unit.name] for r in with_errors)
    text = world["pdf"]["ranking"].text(0)
    assert f"Số sổ tự đánh giá nhận được: {sum(1 for f in c.files if f.kind != 'appraisal')}." in text
    assert "SAU THẨM ĐỊNH" not in world["pdf"]["ranking"].text().upper()  # nothing was appraised in the demo


def test_sender_writes_no_letter_to_itself_and_a_missing_unit_is_told_what_to_send(world):
    letters = world["letters"]
    assert "STTTT" not in letters and "SXD" in letters
    text = world["pdf"]["missing"].text()
    assert "2020_HNDONG_" in text and "trước ngày 19/03/2026" in text and "gửi lại chính tệp" in text.lower()
    plain = letters["HNDONG"].text.read_text(encoding="utf-8")
    assert "2020_HNDONG_" in plain and "19/03/2026" in plain and "4. Gửi lại" in plain


def test_a_blank_workbook_is_refused_and_an_empty_ranking_is_a_draft(world, tmp_path, capsys):
    blank = next(world["outputs"].workbooks.glob("2020_SYT_*.xlsx"))
    target = tmp_path / "blank.pdf"
    code = cli.main(["report", "unit", str(blank), "-o", str(target), "--recipe", str(RECIPE)])
    assert code == 1 and not target.exists() and "chưa có số liệu" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    draft = tmp_path / "draft.pdf"
    code = cli.main(["report", "ranking", str(empty), "-o", str(draft), "--archive", str(tmp_path / "archive"), "--recipe", str(RECIPE)])
    assert code == 1 and "DỰ THẢO" in capsys.readouterr().out
    m = Measured(draft)
    assert "DỰ THẢO" in m.text(0) and not m.find_all("Phụ lục I", start=True)


# ------------------------------------------------------------------------- black ink, named signers


def is_black(colour) -> bool:
    """A fill colour as pdfplumber reads it: grey 0, RGB (0, 0, 0) or CMYK (0, 0, 0, 1)."""
    values = tuple(colour) if isinstance(colour, list | tuple) else (colour,)
    if len(values) == 4:
        return all(abs(v) < 1e-3 for v in values[:3]) and abs(values[3] - 1) < 1e-3
    return len(values) in (1, 3) and all(abs(v) < 1e-3 for v in values)


def glyph_colours(m: Measured) -> dict[tuple, list[str]]:
    """Every visible glyph's fill colour, with a few of the glyphs drawn in it."""
    found: dict[tuple, list[str]] = {}
    for page in m.segments:
        for s in page:
            for c in s.chars:
                if c["text"].strip():
                    colour = c.get("non_stroking_color")
                    key = tuple(colour) if isinstance(colour, list | tuple) else (colour,)
                    shown = found.setdefault(key, [])
                    if len(shown) < 5 and s.text[:40] not in shown:
                        shown.append(s.text[:40])
    return found


@pytest.fixture(scope="module")
def drafts(world, tmp_path_factory):
    """Documents whose signer has no name (a recipe with every signer_name emptied): the ranking
    report, a letter, and the ranking of nothing (a draft twice over)."""
    folder = tmp_path_factory.mktemp("unsigned")
    recipe = folder / "campaign-2020.toml"
    text = RECIPE.read_text(encoding="utf-8")
    recipe.write_text(re.sub(r'signer_name = "[^"]*"', 'signer_name = ""', text), encoding="utf-8")
    (folder / RECIPE.parent.joinpath("roster-hue-2020.csv").name).write_bytes((RECIPE.parent / "roster-hue-2020.csv").read_bytes())
    returned, runs = world["outputs"].returned, {}
    for name, inputs in (("ranking", [returned]), ("empty", [folder / "trong"])):
        (folder / "trong").mkdir(exist_ok=True)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(["report", "ranking", *map(str, inputs), "-o", str(folder / f"{name}.pdf"), "--archive", str(folder / f"kho-{name}"),
                             "--recipe", str(recipe)])
        runs[name] = (code, out.getvalue(), Measured(folder / f"{name}.pdf"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["requests", str(returned), "--out", str(folder / "thu"), "--archive", str(folder / "kho-ranking"), "--recipe", str(recipe)])
    runs["letter"] = (code, out.getvalue(), Measured(folder / "thu" / "de-nghi-SXD.pdf"))
    return runs, recipe


@pytest.mark.parametrize("kind", KINDS)
def test_every_glyph_is_black(world, kind):
    """Black ink (issue 25): scores, chart labels, annex texts, statuses: all #000, nothing grey,
    red or orange; a status is told by its words and weight."""
    colours = glyph_colours(world["pdf"][kind])
    assert colours and all(is_black(c) for c in colours), {c: shown for c, shown in colours.items() if not is_black(c)}


def test_a_draft_is_in_black_ink_too(drafts):
    runs, _ = drafts
    for name, (_, _, m) in runs.items():
        colours = glyph_colours(m)
        assert all(is_black(c) for c in colours), (name, {c: s for c, s in colours.items() if not is_black(c)})


def test_the_ink_test_sees_a_grey_glyph(tmp_path):
    """The colour check is not vacuous: the former grey of the chart labels (#444) is caught."""
    from weasyprint import HTML

    path = tmp_path / "grey.pdf"
    HTML(string='<p style="color:#000">đen</p><p style="color:#444">xám</p><p style="color:#b00000">đỏ</p>').write_pdf(path)
    colours = glyph_colours(Measured(path))
    assert sum(1 for c in colours if is_black(c)) == 1 and len(colours) == 3, colours


@pytest.mark.parametrize("name", ["ranking", "letter"])
def test_a_document_without_its_signers_name_is_a_draft_that_says_where_to_fill_it_in(drafts, name):
    runs, recipe = drafts
    code, out, m = runs[name]
    assert code == 1, out
    warnings = [line for line in out.splitlines() if line.startswith("Cảnh báo:")]
    assert len(warnings) == 1, out  # one line, also for the 27 letters that share one signer
    table = "[report]" if name == "ranking" else "[contact]"
    assert f"khóa signer_name của mục {table} trong tệp {recipe}" in warnings[0] and "chưa có họ tên người ký" in warnings[0]
    (box,) = [s for s in m.segments[0] if s.text == "DỰ THẢO"]  # boxed at the top of page 1
    assert box.bold and box.baseline < 40.0 and box.centre > TEXT_CENTRE and m.rules, name
    for page in range(1, m.pages):  # then in the top margin of every page
        mark = [s for s in m.segments[page] if s.text == "DỰ THẢO"]
        assert mark and mark[0].bold and mark[0].baseline < 20.0, (name, page + 1)
    assert m.pages > 1 or name == "letter", name


def test_a_ranking_of_nothing_without_a_signer_says_both(drafts):
    runs, _ = drafts
    code, out, m = runs["empty"]
    assert code == 1 and "Chưa có đơn vị nào được xếp hạng" in out and "chưa có họ tên người ký" in out
    assert "DỰ THẢO" in m.text(0)


def test_a_unit_report_takes_the_head_from_the_roster_when_the_unit_left_it_blank(world):
    campaign = world["campaign"]
    unit = dataclasses.replace(campaign.unit("HALUOI"), signer_name="Hồ Văn Mẫu")
    assert reports.unit_signer(campaign, unit, {"unit_head": ""}).name == "Hồ Văn Mẫu"
    unnamed = reports.unit_signer(campaign, campaign.unit("HALUOI"), {"unit_head": "  "})
    assert not unnamed.named and "Thông tin đơn vị" in unnamed.where and "HALUOI" in unnamed.where


def test_outputs_are_readable_by_colleagues(world, tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        from hue_dx.files import FILE_MODE, write_atomic

        write_atomic(tmp_path / "x.pdf", b"%PDF")
    finally:
        os.umask(mask)
    assert (tmp_path / "x.pdf").stat().st_mode & 0o777 == FILE_MODE
    for path in (world["outputs"].report_pdf, world["outputs"].ranking, world["outputs"].json, world["letters"]["SXD"].pdf):
        assert path.stat().st_mode & 0o044 == 0o044 & FILE_MODE, path  # group and others read as the umask allows


def test_heading_lines_cut_only_between_word_groups():
    def fits(n):
        return lambda text: len(text) <= n

    assert documents.heading_lines("Sở Thông tin và Truyền thông", fits(20)) == ["SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG"]
    assert documents.heading_lines("Ủy ban nhân dân huyện Phú Lộc", fits(20)) == ["ỦY BAN NHÂN DÂN", "HUYỆN PHÚ LỘC"]
    assert documents.heading_lines("Ban Quản lý Khu kinh tế, công nghiệp tỉnh", fits(26)) == ["BAN QUẢN LÝ KHU KINH TẾ,", "CÔNG NGHIỆP TỈNH"]
    assert documents.heading_lines("Sở Lao động - Thương binh và Xã hội", fits(26)) == ["SỞ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"]
    assert documents.heading_lines("Sở Y tế", fits(26)) == ["SỞ Y TẾ"]
    assert documents.heading_lines("Sở Nông nghiệp|và Phát triển nông thôn", fits(80)) == ["SỞ NÔNG NGHIỆP", "VÀ PHÁT TRIỂN NÔNG THÔN"]
    assert documents.full_name("UBND huyện A Lưới") == "Ủy ban nhân dân huyện A Lưới"
