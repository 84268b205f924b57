"""A corpus of returned workbooks as units really send them: good, corrected, renamed, sent
twice, re-saved, mistyped, tampered with, broken, hostile. Built from the generator's own
workbooks so every case is reproducible; each case says which issue codes it must raise."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.generate import generate
from hue_dx.workbook.fill import fill, set_saved_time

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "inputs"
CONTACT = {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B"}


@dataclass
class Case:
    name: str  # file name as received
    data: bytes
    expect: set[str] = field(default_factory=set)  # issue codes that must be raised for this file
    unit: str | None = None  # the unit it is for, when it can be identified
    accepted: bool = True


def sample_inputs(code: str) -> dict:
    return json.loads((SAMPLES / f"{code}.json").read_text(encoding="utf-8"))["inputs"]


set_modified = set_saved_time


def _rewrite(data: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def _with_identity(data: bytes, key: str, value: str) -> bytes:
    name = names.identity_name(key)
    data = _rewrite(data, "xl/workbook.xml", lambda xml: re.sub(
        rb'(<definedName name="' + name.encode() + rb'">)[^<]*(</definedName>)', rb'\g<1>"' + value.encode() + rb'"\g<2>', xml))
    return _rewrite(data, "docProps/custom.xml", lambda xml: re.sub(
        rb'(name="' + name.encode() + rb'"[^>]*>\s*<vt:lpwstr[^>]*>)[^<]*', rb"\g<1>" + value.encode(), xml))


def _edit(data: bytes, change) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(wb, name):
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][coord.replace("$", "")]


def build(tmp: Path, deadline_ok: str = "2026-01-01T08:00:00Z") -> tuple[list[Case], Path]:
    """The corpus, and a campaign recipe (deadline 2030) to check it against."""
    recipe = tmp / "campaign.toml"
    original = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8")
    recipe.write_text(original.replace('deadline = "2020-12-31"', 'deadline = "2030-12-31"').replace(
        'roster = "roster-hue-2020.csv"', f'roster = "{(ROOT / "generator" / "roster-hue-2020.csv").as_posix()}"'), encoding="utf-8")
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(recipe)
    blank_dir = tmp / "blank"
    codes = ["STTTT", "SYT", "SNGV", "SNV", "STP", "TPHUE", "HALUOI", "HNDONG", "HPLOC"]
    generate(catalog, campaign, blank_dir, [campaign.unit(c) for c in codes])
    blank = {c: next(blank_dir.glob(f"2020_{c}_*.xlsx")).read_bytes() for c in codes}

    def filled(code: str, inputs: dict | None = None, saved: str = deadline_ok, contact=CONTACT) -> bytes:
        return set_modified(fill(blank[code], inputs if inputs is not None else sample_inputs(code), contact), saved)

    cases: list[Case] = []
    good = filled("STTTT")
    cases.append(Case("2020_STTTT_so-thong-tin.xlsx", good, {"evidence-missing", "not-calculated"}, "STTTT"))
    cases.append(Case("Bao cao STTTT (gui lai).xlsx", good, {"file-duplicate"}, "STTTT"))  # renamed, same bytes
    # Corrected a week later: the earlier file is superseded.
    syt_first = sample_inputs("SYT")
    syt_first["5.1.1"] = {"a": 100, "b": 150}  # b > a: corrected below
    cases.append(Case("SYT lan 1.xlsx", filled("SYT", syt_first, "2025-12-01T08:00:00Z"), {"inconsistent", "file-superseded"}, "SYT"))
    cases.append(Case("SYT lan 2 da sua.xlsx", filled("SYT", saved="2025-12-08T08:00:00Z"), {"evidence-missing"}, "SYT"))
    # Typed text, Vietnamese formats, bad values.
    typed = sample_inputs("SNGV")
    typed["1.1.1"] = {"a": " 3 "}
    typed["5.1.1"] = {"a": "1.234", "b": "mười"}
    typed["7.1.1"] = {"a": "12,5", "b": 1}
    typed["7.2.4"] = {"a": "N/A", "b": 1}
    typed["5.3.1"] = {"a": 10, "b": -3}
    typed["5.3.2"] = {"a": 10.5, "b": 3}
    typed["2.1.1"] = {"a": "x"}
    typed["1.2.1"] = {"a": "Giám đốc"}
    typed["6.2.1"] = {"a": 10}
    cases.append(Case("SNGV.xlsx", filled("SNGV", typed), {"input-text-number", "input-not-number", "input-fraction", "input-negative",
                                                           "input-yesno", "input-choice", "input-missing"}, "SNGV"))
    # No contact, late (saved after the deadline).
    cases.append(Case("TP Hue.xlsx", filled("TPHUE", saved="2031-01-05T08:00:00Z", contact={}), {"contact-missing", "file-late"}, "TPHUE"))
    # Two districts with identical figures: they share a rank.
    cases.append(Case("Nam Dong.xlsx", filled("HNDONG", sample_inputs("HALUOI")), set(), "HNDONG"))
    cases.append(Case("A Luoi.xlsx", filled("HALUOI"), {"inconsistent"}, "HALUOI"))
    # Tampering.
    overwritten = _edit(filled("SNV", sample_inputs("STTTT")), lambda wb: setattr(_cell(wb, names.score_name("5.1.1")), "value", 2))
    cases.append(Case("SNV.xlsx", set_modified(overwritten, deadline_ok), {"layout-changed", "formula-changed"}, "SNV"))

    def shift_rows(wb):
        ws = wb["5. Hoạt động của Chính quyền số"]
        ws.insert_rows(20, 2)
        for name in list(wb.defined_names):
            text = wb.defined_names[name].attr_text
            m = re.match(r"^('.*'!\$[A-Z]+\$)(\d+)$", text)
            if m and text.startswith("'5. ") and int(m.group(2)) >= 20:
                wb.defined_names[name].attr_text = m.group(1) + str(int(m.group(2)) + 2)  # what Excel does to names below

    cases.append(Case("STP.xlsx", set_modified(_edit(filled("STP", sample_inputs("SYT")), shift_rows), deadline_ok),
                      {"layout-changed", "rows-shifted"}, "STP"))

    def delete_sheet(wb):
        del wb["7. Đào tạo và nguồn nhân lực"]
        for name in list(wb.defined_names):
            if wb.defined_names[name].attr_text.startswith("'7. "):
                wb.defined_names[name].attr_text = "#REF!"

    cases.append(Case("HPLOC.xlsx", set_modified(_edit(filled("HPLOC", sample_inputs("TPHUE")), delete_sheet), deadline_ok),
                      {"sheet-missing", "name-missing", "layout-changed"}, "HPLOC"))
    # Another campaign, another period, an unknown unit, not a hue-dx workbook.
    cases.append(Case("bo tieu chi khac.xlsx", _with_identity(good, "catalog_id", "hue-2023"), {"catalog-other"}, None, False))
    cases.append(Case("ky truoc.xlsx", _with_identity(good, "period", "2019"), {"period-other"}, None, False))
    cases.append(Case("don vi la.xlsx", _with_identity(good, "unit_code", "XYZ"), {"unit-unknown"}, None, False))
    plain = io.BytesIO()
    Workbook().save(plain)
    cases.append(Case("bang tu lam.xlsx", plain.getvalue(), {"identity-missing"}, None, False))
    # Broken and hostile files.
    cases.append(Case("rong.xlsx", b"", {"file-empty"}, None, False))
    cases.append(Case("hong.xlsx", good[: len(good) // 2], {"file-corrupt"}, None, False))
    cases.append(Case("tai lieu.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", {"file-not-workbook"}, None, False))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    cases.append(Case("mau cu.xls", ole + b"Workbook".ljust(64, b"\x00"), {"file-xls"}, None, False))
    # An encrypted .xlsx is an OLE container with EncryptionInfo and EncryptedPackage streams.
    cases.append(Case("co mat khau.xlsx", ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"),
                      {"file-encrypted"}, None, False))
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    cases.append(Case("libreoffice.ods", ods.getvalue(), {"file-ods"}, None, False))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook>" + b" " * (70 * 1024 * 1024) + b"</workbook>")
    cases.append(Case("bom.xlsx", bomb.getvalue(), {"file-zip-bomb"}, None, False))
    entities = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook>&lol2;</workbook>'
    cases.append(Case("thuc the.xlsx", _rewrite(good, "xl/workbook.xml", lambda _: entities), {"file-xml-entities"}, None, False))
    macro = _rewrite(good, "[Content_Types].xml", lambda x: x)
    with zipfile.ZipFile(io.BytesIO(macro)) as src:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info))
            dst.writestr("xl/vbaProject.bin", b"\x00" * 128)
    macro_data = set_modified(_with_identity(out.getvalue(), "unit_code", "HALUOI"), "2025-01-01T08:00:00Z")
    cases.append(Case("A Luoi co macro.xlsm", macro_data, {"file-macro", "file-superseded"}, "HALUOI"))
    return cases, recipe


def write(cases: list[Case], folder: Path, zipped: set[str] = frozenset()) -> Path:  # type: ignore[assignment]
    """The corpus as a folder of received files (some inside an e-mail attachment .zip)."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = zipfile.ZipFile(folder / "dinh-kem-thu.zip", "w")
    with archive:
        for case in cases:
            if case.name in zipped:
                archive.writestr(case.name, case.data)
            else:
                (folder / case.name).write_bytes(case.data)
    (folder / "ghi chu.txt").write_text("không phải sổ đánh giá", encoding="utf-8")
    return folder
