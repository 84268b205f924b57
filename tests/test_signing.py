"""Signing a report: atomic (nothing under the requested name unless signed), one clear line for
a wrong or missing password, a visible signature at the signer's block, and long-term
validation data (chain and CRL given as files) embedded and verified by pyHanko."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pdfmeasure import PT, Measured

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli, demo

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "generator" / "campaign-2020.toml"


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signing")
    outputs = demo.run(hue_dx.load_catalog(), campaign_mod.load(RECIPE), folder / "demo", say=lambda _: None)
    return next(outputs.returned.glob("2020_HALUOI_*.xlsx"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a signer certificate it issued, and the CA's CRL, made here with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA kiểm thử hue-dx"), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=2)).not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Trần Quốc Việt"), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    crl_url = "http://ca.example.vn/ca.crl"
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_name).last_update(now - dt.timedelta(hours=1))
           .next_update(now + dt.timedelta(days=7))
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .add_extension(x509.CRLNumber(1), critical=False)
           .sign(ca_key, hashes.SHA256()))
    paths = {"p12": folder / "signer.p12", "ca": folder / "ca.pem", "crl": folder / "ca.crl"}
    paths["p12"].write_bytes(pkcs12.serialize_key_and_certificates(b"signer", key, cert, None, serialization.BestAvailableEncryption(b"mat-khau")))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["crl"].write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return paths


def test_visible_signature_at_the_signer_block_with_long_term_validation_data(returned, pki, tmp_path, capsys):
    target = tmp_path / "bao-cao.pdf"
    code = cli.main(["report", "unit", str(returned), "-o", str(target), "--recipe", str(RECIPE), "--sign", str(pki["p12"]),
                     "--password", "mat-khau", "--visible", "--chain", str(pki["ca"]), "--crl", str(pki["crl"])])
    assert code == 1 and "đã ký số" in capsys.readouterr().out  # signed; 1: A Lưới's file has errors to review (b + c > a)
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    with target.open("rb") as f:
        reader = PdfFileReader(f)
        (signature,) = reader.embedded_signatures
        dss = reader.root["/DSS"]
        assert len(dss["/CRLs"]) >= 1 and len(dss["/Certs"]) >= 1  # validation data in the file itself
        from asn1crypto import crl as asn1_crl
        from asn1crypto import x509 as asn1_x509

        # Only the trust root comes from outside: the revocation list and the chain are the ones
        # embedded in the PDF's DSS, so a reader with no network can verify it years later.
        embedded_crls = [asn1_crl.CertificateList.load(c.get_object().data) for c in dss["/CRLs"]]
        embedded_certs = [asn1_x509.Certificate.load(c.get_object().data) for c in dss["/Certs"]]
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(pki["ca"]))], crls=embedded_crls, other_certs=embedded_certs,
                                    allow_fetching=False, revocation_mode="hard-fail")
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.bottom_line, status.pretty_print_details()
        page_index, rect = _signature_widget(reader)
    m = Measured(target)
    position = m.find("TM. ỦY BAN NHÂN DÂN")
    name = m.find_all("CHỦ TỊCH")[-1]  # the position, last line of the block above the signing space
    assert page_index == position.page
    x0, y0, x1, y1 = (v * PT for v in rect)
    page_height = m.sizes[page_index][1]
    top, bottom = page_height - y1, page_height - y0  # mm from the top
    assert rect[2] - rect[0] > 100 and rect[3] - rect[1] > 40, rect  # a real box, not an invisible 0×0 field
    assert x0 <= name.centre <= x1 and top >= name.baseline - 1  # under the signer's position, in the signing space
    signer_name = next(s for s in m.segments[page_index] if s.bold and s.baseline > top and x0 <= s.centre <= x1)
    assert bottom <= signer_name.baseline, "the box sits between the position and the signer's name"


def _signature_widget(reader) -> tuple[int, list[float]]:
    """The page and rectangle of the signature's widget annotation."""
    count = int(reader.root["/Pages"]["/Count"])
    for n in range(count):
        page = reader.find_page_for_modification(n)[0].get_object()
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" and annot.get("/T") == "ChuKySo":
                return n, [float(v) for v in annot["/Rect"]]
    raise AssertionError("no signature widget")


@pytest.mark.parametrize("password, why", [("sai", "sai mật khẩu"), (None, "thiếu mật khẩu")])
def test_a_wrong_or_missing_password_is_one_line_and_leaves_nothing(returned, pki, tmp_path, capsys, password, why):
    target = tmp_path / "bao-cao.pdf"
    args = ["report", "unit", str(returned), "-o", str(target), "--recipe", str(RECIPE), "--sign", str(pki["p12"])]
    code = cli.main(args + (["--password", password] if password else []))
    captured = capsys.readouterr()
    assert code == 2 and not target.exists() and not list(tmp_path.iterdir())
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hue-dx: lỗi:") and why in lines[0] and "Traceback" not in captured.err + captured.out


def test_a_failure_while_signing_keeps_the_earlier_file(returned, pki, tmp_path, capsys):
    target = tmp_path / "bao-cao.pdf"
    target.write_bytes(b"%PDF earlier signed copy")
    junk = tmp_path / "not-a-crl.crl"
    junk.write_bytes(b"rubbish")
    code = cli.main(["report", "unit", str(returned), "-o", str(target), "--recipe", str(RECIPE), "--sign", str(pki["p12"]),
                     "--password", "mat-khau", "--crl", str(junk)])
    captured = capsys.readouterr()
    assert code == 2 and "không phải CRL" in captured.err and "Traceback" not in captured.err
    assert target.read_bytes() == b"%PDF earlier signed copy" and sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.pdf", "not-a-crl.crl"]


def test_a_report_without_its_signers_name_is_a_draft_and_is_not_signed(returned, pki, tmp_path, capsys):
    """A unit that left "Thủ trưởng đơn vị (họ và tên)" blank, with no name in the roster: the
    report is a draft (exit 1, a warning that says which cell) and --sign refuses it (exit 2)."""
    import hashlib

    from hue_dx.intake.check import Context, check_file
    from hue_dx.workbook.fill import fill

    campaign, catalog = campaign_mod.load(RECIPE), hue_dx.load_catalog()
    data = returned.read_bytes()
    result = check_file(data, returned.name, hashlib.sha256(data).hexdigest(), Context.create(catalog, campaign), details=True)
    unnamed = tmp_path / "khong-ten.xlsx"
    unnamed.write_bytes(fill(data, {}, {"unit_head": ""}))
    assert result.contacts["unit_head"]
    target = tmp_path / "bao-cao.pdf"
    code = cli.main(["report", "unit", str(unnamed), "-o", str(target), "--recipe", str(RECIPE)])
    out = capsys.readouterr().out
    assert code == 1 and target.is_file() and "DỰ THẢO" in Measured(target).text(0)
    (warning,) = [line for line in out.splitlines() if line.startswith("Cảnh báo:")]
    assert "Thủ trưởng đơn vị (họ và tên)" in warning and "Thông tin đơn vị" in warning and "HALUOI" in warning
    signed = tmp_path / "da-ky.pdf"
    code = cli.main(["report", "unit", str(unnamed), "-o", str(signed), "--recipe", str(RECIPE), "--sign", str(pki["p12"]), "--password", "mat-khau"])
    captured = capsys.readouterr()
    assert code == 2 and not signed.exists() and "Không ký" in captured.err and "chưa có họ tên người ký" in captured.err
