"""Regenerate the example workbooks and their printed pages kept in samples/ for the README.

    python samples/render_examples.py        (needs LibreOffice and pdftoppm)

Writes samples/workbooks/ (a blank and a filled workbook of Sở Thông tin và Truyền thông,
and a filled one of UBND huyện A Lưới with typical mistakes), samples/rendered/ (their
PDFs as LibreOffice prints them, and PNG previews of the summary and a pillar page) and
samples/demo/ (what `hue-dx demo` produces, two years: each year's returned files of the whole
roster as a .zip and its ranking workbook, the second year's printed reports against the first),
samples/documents/ (the first page of each kind of outgoing document, the comparison with the
year before and quarterly tracking's included) and samples/publish/ (screenshots of the results
site, `hue-dx publish`, with the change against the year before, in headless Chromium: needs `npm ci`
in tests/browser).

    python samples/render_examples.py --demo   (only samples/demo/, documents/ and publish/)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.generate import generate  # noqa: E402
from hue_dx.workbook.fill import fill  # noqa: E402

UNIT_FIELDS = {
    "STTTT": {"unit_preparer": "Nguyễn Thị Minh Thư", "unit_preparer_title": "Chuyên viên Phòng Công nghệ thông tin",
              "unit_phone": "0234 3 000 000", "unit_email": "cntt.stttt@example.vn", "unit_head": "Lê Văn Hùng",
              "unit_head_title": "Giám đốc"},
    "HALUOI": {"unit_preparer": "Hồ Văn Đức", "unit_head": "Trần Quốc Việt", "unit_head_title": "Chủ tịch UBND huyện"},
}
EVIDENCE = {"2.1.1": {"number": "125/KH-STTTT", "date": "15/02/2021", "title": "Kế hoạch phát triển chính quyền số giai đoạn 2021-2025",
                      "link": "https://example.vn/van-ban/125"}}


def soffice(args: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args], check=True, capture_output=True)


def demo_outputs(catalog, campaign) -> None:
    import zipfile

    from hue_dx import demo

    target = HERE / "demo"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        # Run as a clerk would, from the working folder: the files the reports trace (in their
        # metadata) are named "demo/2021/2-so-gui-ve/…", not by this machine's temporary folder.
        os.chdir(tmp)
        try:
            years = demo.run_series(Path("demo"), say=lambda _: None)
            for year in years:
                with zipfile.ZipFile(target / f"so-gui-ve-{year.period}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                    for path in sorted(year.outputs.returned.rglob("*.xlsx")):
                        zf.write(path, path.relative_to(year.outputs.returned))
                shutil.copyfile(year.outputs.ranking, target / year.outputs.ranking.name)
            last = years[-1].outputs
            for path in (last.report_pdf, last.unit_pdf):
                shutil.copyfile(path, target / path.name)
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", "1", "-l", "1", str(last.report_pdf),
                            str(target / "bao-cao-trang-1")], check=True)
            document_samples(catalog, years, Path("."))
        finally:
            os.chdir(here)


def _page_with(pdf: Path, words: str) -> int:
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                                   check=True).stdout.splitlines() if line.startswith("Pages")))
    return next(n for n in range(1, pages + 1) if words in subprocess.run(
        ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def document_samples(catalog, years, tmp: Path) -> None:
    """samples/documents/: the first page of each kind of outgoing document, 100 dpi (and the
    pages of the ranking report with the signature and with the comparison with the year before),
    as Nghị định 30/2020 lays them out; from the demo's second year."""
    import datetime as dt
    import hashlib

    from hue_dx import reports
    from hue_dx.corrections import write_letters
    from hue_dx.intake.check import Context, check_file
    from hue_dx.intake.consolidate import consolidate
    from hue_dx.intake.years import attach

    target = HERE / "documents"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    year = years[-1]
    out, campaign = year.outputs, year.result.campaign
    ctx = Context.create(catalog, campaign)
    district = next(out.returned.glob(f"{year.period}_HALUOI_*.xlsx"))
    data = district.read_bytes()
    result = check_file(data, district.name, hashlib.sha256(data).hexdigest(), ctx, details=True)
    reports.write_pdf(reports.unit_report(catalog, campaign, result, comparison=year.result.comparison.unit("HALUOI")), tmp / "bao-cao-huyen.pdf")
    consolidation = consolidate(catalog, campaign, [out.returned], out.archive, workers=1, context=ctx)
    attach(consolidation)
    letters = {letter.unit: letter for letter in write_letters(consolidation, tmp / "thu", today=dt.date(2022, 1, 5))}
    empty = tmp / "trong"
    empty.mkdir()
    reports.write_pdf(reports.ranking_report(consolidate(catalog, campaign, [empty], tmp / "kho-trong", workers=1, context=ctx)),
                      tmp / "du-thao.pdf")
    signed = _page_with(out.report_pdf, "Nơi nhận")
    pages = {"bao-cao-xep-hang": (out.report_pdf, 1), "bao-cao-xep-hang-trang-ky": (out.report_pdf, signed),
             "bao-cao-xep-hang-so-voi-nam-truoc": (out.report_pdf, _page_with(out.report_pdf, "III. SO SÁNH VỚI NĂM")),
             "bao-cao-xep-hang-xu-huong": (out.report_pdf, _page_with(out.report_pdf, "IV. ĐÁNH GIÁ CHUNG")),
             "bao-cao-don-vi-so": (out.unit_pdf, 1), "bao-cao-don-vi-huyen": (tmp / "bao-cao-huyen.pdf", 1),
             "thu-de-nghi-sua": (letters["HPVANG"].pdf, 1), "thu-chua-gui-so": (letters["SNGV"].pdf, 1),
             "bao-cao-xep-hang-du-thao": (tmp / "du-thao.pdf", 1)}
    pages.update(quarterly_pages(tmp / "quy"))
    for name, (pdf, page) in pages.items():
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(target / name)],
                       check=True)
    publish_samples(consolidation, tmp / "cong-bo")


def publish_samples(consolidation, site: Path) -> None:
    """samples/publish/: the results site's ranking (a desktop's width) and a district's page
    (a 360 px phone), the top of each, as headless Chromium shows them."""
    from hue_dx.publish import write_site

    target = HERE / "publish"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    write_site(consolidation, site)
    checker = HERE.parent / "tests" / "browser" / "check.mjs"
    subprocess.run(["node", str(checker), str(site), "--axe", "", "--shot", f"index.html={target / 'xep-hang.png'}@1280x1500",
                    "--shot", f"don-vi/HALUOI.html={target / 'don-vi-dien-thoai.png'}@360x1400",
                    "--shot", f"don-vi/SKHCN.html={target / 'don-vi.png'}@1280x1300"], check=True, capture_output=True)


def quarterly_pages(folder: Path) -> dict[str, tuple[Path, int]]:
    """Quarterly tracking's documents, from the four-quarter demo (`hue-dx tasks demo`): the
    report of quarter IV to UBND tỉnh and a reminder to a unit that was late or sent nothing."""
    from hue_dx.tracking import demo as tracking_demo
    from hue_dx.tracking import recipe, tasks

    book = recipe.load(HERE.parent / "generator" / "tracking-hue-222.toml")
    run = tracking_demo.run(tasks.load(book.tasks), book, folder, say=lambda _: None)
    last = run.quarters[-1]
    assert last.report is not None and last.letters
    return {"bao-cao-trien-khai-quy": (last.report, 1), "thu-don-doc-bao-cao-quy": (last.letters[0], 1)}


def main() -> None:
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(HERE.parent / "generator" / "campaign-2020.toml")
    if sys.argv[1:] == ["--demo"]:
        demo_outputs(catalog, campaign)
        return
    books, rendered = HERE / "workbooks", HERE / "rendered"
    for folder in (books, rendered):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        made = generate(catalog, campaign, Path(tmp), [campaign.unit("STTTT"), campaign.unit("HALUOI")])
        blank = {g.unit: (Path(tmp) / g.path).read_bytes() for g in made}
    outputs = [books / "2020_STTTT_trong.xlsx"]
    outputs[0].write_bytes(blank["STTTT"])
    for code in ("STTTT", "HALUOI"):
        inputs = json.loads((HERE / "inputs" / f"{code}.json").read_text(encoding="utf-8"))["inputs"]
        path = books / f"2020_{code}_da-dien.xlsx"
        path.write_bytes(fill(blank[code], inputs, UNIT_FIELDS[code], EVIDENCE if code == "STTTT" else None))
        outputs.append(path)
    soffice(["--convert-to", "pdf", "--outdir", str(rendered), *map(str, outputs)])
    filled = rendered / "2020_STTTT_da-dien.pdf"
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(filled)], capture_output=True, text=True,
                                                                   check=True).stdout.splitlines() if line.startswith("Pages")))
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(pages), "-l", str(pages), str(filled),
                    str(rendered / "tong-hop")], check=True)
    first_pillar = next(n for n in range(1, pages + 1) if "TRỤ CỘT 1:" in subprocess.run(
        ["pdftotext", "-f", str(n), "-l", str(n), str(filled), "-"], capture_output=True, text=True, check=True).stdout)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(first_pillar), "-l", str(first_pillar),
                    str(filled), str(rendered / "tru-cot-1")], check=True)
    district = rendered / "2020_HALUOI_da-dien.pdf"
    demo_outputs(catalog, campaign)
    for path in sorted(books.iterdir()) + sorted(rendered.iterdir()):
        print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size // 1024} KB")
    print(f"{filled.name}: {pages} trang; {district.name} cho thấy các tiêu chí lỗi.")


if __name__ == "__main__":
    main()
