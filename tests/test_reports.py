"""Printed reports and the demo: real PDFs, Vietnamese text exact, fonts embedded, pages not
blank, every input file traced by SHA-256, and a PAdES signature that verifies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli, demo, reports

ROOT = Path(__file__).resolve().parents[1]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        import os

        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{tool} is not installed (apt-get install poppler-utils)")
    return path


def pdf_text(path: Path) -> str:
    text = subprocess.run([need("pdftotext"), "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", " ".join(text.split()))


def pdf_pages(path: Path) -> int:
    info = subprocess.run([need("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


def assert_fonts_embedded(path: Path) -> None:
    rows = subprocess.run([need("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows, "no fonts"
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column


def assert_pages_not_blank(path: Path, folder: Path) -> None:
    from PIL import Image

    subprocess.run([need("pdftoppm"), "-r", "30", "-png", str(path), str(folder / "page")], check=True)
    pages = sorted(folder.glob("page*.png"))
    assert len(pages) == pdf_pages(path)
    for page in pages:
        extrema = Image.open(page).convert("L").getextrema()
        assert extrema[0] < 128, f"{page.name} is blank"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    campaign = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
    lines: list[str] = []
    # Run from inside the folder with a relative path, as the README's command does: every
    # step must find what an earlier one wrote wherever the clerk stands.
    here = os.getcwd()
    os.chdir(folder)
    try:
        outputs = demo.run(hue_dx.load_catalog(), campaign, Path("demo"), say=lines.append)
    finally:
        os.chdir(here)
    outputs = demo.DemoOutputs(*(folder / p for p in dataclasses.astuple(outputs)))
    return outputs, campaign, lines


def test_the_demo_runs_the_whole_chain_and_says_where_each_output_is(demo_run):
    outputs, campaign, lines = demo_run
    said, ran_in = " ".join(lines), outputs.workbooks.parent.parent  # paths as the clerk typed them
    assert len(lines) == 4 and all(str(p.relative_to(ran_in)) in said for p in (outputs.workbooks, outputs.returned, outputs.ranking, outputs.report_pdf,
                                                                                 outputs.drafts))
    assert len(list(outputs.drafts.glob("*.eml"))) == len(campaign.units)  # the e-mail to every unit, with its workbook
    assert len(list(outputs.workbooks.glob("*.xlsx"))) == len(campaign.units)
    assert (outputs.archive / "ledger.sqlite").is_file() and (outputs.csv / "xep-hang.csv").is_file()
    import json

    data = json.loads(outputs.json.read_text(encoding="utf-8"))
    assert sorted(m["unit"] for m in data["missing"]) == sorted(demo.NOT_SENT)
    used = {row["unit"]: row["file"] for rows in data["ranking"].values() for row in rows if row["file"]}
    assert used["SYT"] == "Bao cao chuyen doi so - So Y te.xlsx"  # a renamed file is identified by its content
    states = {f["source"]: f["state"] for f in data["files"]}
    stnmt = [s for src, s in states.items() if "STNMT" in src]
    assert sorted(stnmt) == ["không dùng", "đang dùng"]
    assert any(f["state"] == "đang dùng" and "sua-lan-2" in f["source"] for f in data["files"])


def test_the_ranking_report_reads_right_in_vietnamese(demo_run, tmp_path):
    outputs, campaign, _ = demo_run
    text = pdf_text(outputs.report_pdf)
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ",
                   "BÁO CÁO Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm 2020", "1. Sở, ban, ngành", "2. UBND cấp huyện",
                   "Sở Thông tin và Truyền thông", "UBND huyện A Lưới", "Sở Lao động - Thương binh và Xã hội",
                   "Chỉ số trung bình theo trụ cột", "SỐ LIỆU TOÀN TỈNH", "TÓM TẮT CÁC VẤN ĐỀ", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                   "Sở Ngoại vụ", "Phụ lục I"):
        assert phrase in text, phrase
    assert pdf_pages(outputs.report_pdf) >= 3
    assert_fonts_embedded(outputs.report_pdf)
    assert_pages_not_blank(outputs.report_pdf, tmp_path)
    html_text = outputs.report_html.read_text(encoding="utf-8")
    import json

    data = json.loads(outputs.json.read_text(encoding="utf-8"))
    for rows in data["ranking"].values():
        for row in rows:
            if row["sha256"]:
                assert row["sha256"] in html_text  # every file used is traced
    # self-contained: styles and charts inline, nothing fetched
    assert "<svg" in html_text and "<style>" in html_text
    assert "<link" not in html_text and 'src="' not in html_text and "@import" not in html_text


def test_the_unit_report_has_every_criterion_inputs_and_signatures(demo_run, tmp_path):
    outputs, campaign, _ = demo_run
    text = pdf_text(outputs.unit_pdf)
    for phrase in ("SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG", "BÁO CÁO Kết quả tự đánh giá chuyển đổi số năm 2020", "Người lập biểu:",
                   "KẾT QUẢ TỰ ĐÁNH GIÁ", "CHI TIẾT SỐ LIỆU, ĐIỂM VÀ TÀI LIỆU KIỂM CHỨNG", "CÁC VẤN ĐỀ PHÁT HIỆN KHI KIỂM TRA", "Tổng cộng"):
        assert phrase in text, phrase
    catalog = hue_dx.load_catalog()
    for c in catalog.criteria:
        assert f" {c.code} " in f" {text} ", c.code
    assert_fonts_embedded(outputs.unit_pdf)
    assert_pages_not_blank(outputs.unit_pdf, tmp_path)


def make_certificate(folder: Path) -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kiểm thử hue-dx"), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / "test.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"test", key, cert, None, serialization.BestAvailableEncryption(b"secret")))
    (folder / "test.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_sign_a_report_and_verify_the_signature(demo_run, tmp_path, capsys):
    outputs, campaign, _ = demo_run
    p12 = make_certificate(tmp_path)
    target = tmp_path / "phieu.pdf"
    code = cli.main(["report", "unit", str(outputs.returned / "2020_STTTT_so-thong-tin-va-truyen-thong.xlsx"), "-o", str(target),
                     "--sign", str(p12), "--password", "secret", "--recipe", str(ROOT / "generator" / "campaign-2020.toml")])
    assert code == 0 and "đã ký số" in capsys.readouterr().out
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    with target.open("rb") as f:
        reader = PdfFileReader(f)
        (signature,) = reader.embedded_signatures
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(tmp_path / "test.pem"))]))
    assert status.intact and status.valid and status.bottom_line
    assert "PAdES" in str(signature.sig_object.get("/SubFilter")) or "ETSI" in str(signature.sig_object.get("/SubFilter"))


def test_a_wrong_certificate_password_is_a_clear_error(demo_run, tmp_path, capsys):
    outputs, campaign, _ = demo_run
    p12 = make_certificate(tmp_path)
    code = cli.main(["report", "unit", str(outputs.returned / "2020_STTTT_so-thong-tin-va-truyen-thong.xlsx"), "-o", str(tmp_path / "x.pdf"),
                     "--sign", str(p12), "--password", "wrong", "--recipe", str(ROOT / "generator" / "campaign-2020.toml")])
    assert code == 2 and "hue-dx: lỗi" in capsys.readouterr().err


def test_bar_chart_svg_is_self_contained():
    svg = reports.bar_chart_svg(["Sở A", "Sở B"], [0.75, None], "Chỉ số")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and ">0,7500<" in svg and "Sở B" in svg and ">0,4<" in svg


def test_the_html_report_opens_in_headless_chromium_with_its_table_and_charts(demo_run, tmp_path):
    from PIL import Image

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        import os

        (pytest.fail if os.environ.get("CI") else pytest.skip)("chromium is not installed (apt-get install chromium)")
    outputs, *_ = demo_run
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1100,7000",
                    outputs.report_html.as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours, "no picture"

    def count(rgb, tolerance=6):
        return sum(n for n, c in colours if all(abs(a - b) <= tolerance for a, b in zip(c, rgb, strict=True)))

    assert count((0xE8, 0xE8, 0xE8), tolerance=2) > 2000, "the ranking table's header row (light grey: black ink) is not on the screenshot"
    assert count((0x8C, 0x8C, 0x8C), tolerance=2) > 2000, "the chart's bars (grey: black ink) are not on the screenshot"
    assert count((0, 0, 0), tolerance=60) > 2000, "no text"
