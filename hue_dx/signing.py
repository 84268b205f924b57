"""Signing a PDF hue-dx wrote: PAdES with pyHanko, a visible signature at the signer's block or
none, long-term validation data (certificate chain, CRLs, OCSP responses) embedded from files
given, nothing fetched. A wrong password or an unreadable certificate is one clear line
(``SigningError``); nothing is written under the requested name unless it is signed.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .errors import HueDxError
from .reports import FONT_FILES


class SigningError(HueDxError, ValueError):
    """The certificate cannot sign: wrong password, unreadable file; the message says which."""


def load_signer(pkcs12: Path, passphrase: bytes | None, chain: list[Path] | None = None):
    """A pyHanko signer from a PKCS#12 file; a wrong password or a bad file is one clear line."""
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign import signers

    try:
        data = pkcs12.read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chứng thư số {pkcs12}: {exc.strerror or exc}") from None
    try:
        key, cert, extra = p12.load_key_and_certificates(data, passphrase)
    except ValueError:
        why = "thiếu mật khẩu (--password)" if not passphrase else "sai mật khẩu"
        raise SigningError(f"Không mở được chứng thư số {pkcs12.name}: {why}, hoặc tệp không phải PKCS#12 (.p12, .pfx)") from None
    if key is None or cert is None:
        raise SigningError(f"Tệp {pkcs12.name} không chứa khóa bí mật và chứng thư để ký")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra or []]
    for path in chain or []:
        try:
            others.extend(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError) as exc:
            raise SigningError(f"Không đọc được chứng thư trong chuỗi {path}: {exc}") from None
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(others),
    )


def sign_pdf(data: bytes | Path, pkcs12: Path, passphrase: bytes | None = None, reason: str = "Phê duyệt báo cáo", *,
             box: tuple[int, tuple[float, float, float, float]] | None = None, chain: list[Path] | None = None,
             revocation: list[Path] | None = None, signer=None) -> bytes:
    """A signed copy of a PDF (PAdES, pyHanko); nothing is written here.

    ``box``: a visible signature there (page, rectangle in points), else invisible.
    ``chain`` (certificates: intermediates and the root) and ``revocation`` (CRLs, OCSP
    responses, DER or PEM, as files: nothing is fetched) embed long-term validation data."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if isinstance(data, Path):  # the older call: sign a file in place
        path = data
        from .files import write_atomic

        write_atomic(path, sign_pdf(path.read_bytes(), pkcs12, passphrase, reason, box=box, chain=chain, revocation=revocation))
        return path.read_bytes()
    signer = signer or load_signer(pkcs12, passphrase, chain)
    import io

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    field_name = "ChuKySo"
    validation = _validation_context(signer, chain or [], revocation or []) if (chain or revocation) else None
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, subfilter=fields.SigSeedSubFilter.PADES,
                                        embed_validation_info=validation is not None, validation_context=validation)
    spec = None
    if box is not None:
        spec = fields.SigFieldSpec(field_name, on_page=box[0], box=tuple(round(v) for v in box[1]))  # type: ignore[arg-type]
    style = _stamp_style()
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    try:
        out = pdf_signer.sign_pdf(writer)
    except Exception as exc:  # noqa: BLE001  (pyHanko raises many kinds; the officer needs one line)
        raise SigningError(f"Không ký được: {type(exc).__name__}: {exc}") from None
    return out.getvalue()


def _stamp_style():
    """The visible signature's text, in Times New Roman (or its metric twin) so that Vietnamese
    prints; without a font to embed (or harfbuzz), the same words without diacritics."""
    from pyhanko.stamp import TextStampStyle

    text, when = "Ký số bởi: %(signer)s\nNgày ký: %(ts)s", "%d/%m/%Y %H:%M:%S %z"
    font = _stamp_font()
    try:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle
    except ImportError:
        font = None
    if font is None:
        import unicodedata

        plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return TextStampStyle(stamp_text="".join(ch for ch in plain if not unicodedata.combining(ch)), timestamp_format=when)
    return TextStampStyle(stamp_text=text, timestamp_format=when, border_width=1,
                          text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font), font_size=9))


@functools.cache
def _stamp_font() -> str | None:
    """Times New Roman (or Liberation Serif) scaled to 1000 units per em: pyHanko writes a
    TrueType font's glyph widths unscaled, and PDF reads them per 1000, so a 2048-unit font
    prints letter-spaced. Written once per process into the temporary folder."""
    import hashlib
    import tempfile

    source = next((p for p in FONT_FILES[False] if Path(p).is_file()), None)
    if source is None:
        return None
    target = Path(tempfile.gettempdir()) / f"hue-dx-stamp-{hashlib.sha256(source.encode()).hexdigest()[:12]}.ttf"
    if not target.is_file():
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        font = TTFont(source)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(partial)
        os.replace(partial, target)
    return str(target)


def _validation_context(signer, chain: list[Path], revocation: list[Path]):
    """Trust roots, intermediates and revocation data given as files; nothing fetched."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import pem
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    certs = []
    for path in chain:
        certs.extend(load_certs_from_pemder([str(path)]))
    roots = [c for c in certs if c.self_signed] or certs[-1:]
    others = [c for c in certs if c not in roots]
    crls, ocsps = [], []
    for path in revocation:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"Không đọc được dữ liệu thu hồi {path}: {exc.strerror or exc}") from None
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        try:
            crl = asn1_crl.CertificateList.load(raw)
            crl.native  # noqa: B018  (parse now: a bad file is reported here, not deep inside pyHanko)
            crls.append(crl)
        except ValueError:
            try:
                response = asn1_ocsp.OCSPResponse.load(raw)
                response.native  # noqa: B018
                ocsps.append(response)
            except ValueError:
                raise SigningError(f"{path.name} không phải CRL hay phản hồi OCSP") from None
    return ValidationContext(trust_roots=roots, other_certs=others, crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail")
