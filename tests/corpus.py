"""A corpus of returned workbooks as units really send them, one case per kind of file: good,
corrected, renamed, sent twice, re-saved by LibreOffice and Gnumeric, typed as text in both
number styles, blanks and spaces, booleans, error values, formulas typed into inputs (with a
stored result and without), text that XML cannot hold, very long text, tampered layouts
(overwritten score, edited formula, inserted rows, renamed, deleted sheets, deleted names),
other campaigns, blank workbooks, broken and hostile files.

Each case says its expected outcome (accepted; accepted with named issues at named cells;
received but no submission; rejected) and the issue codes that must not appear. Built from
the generator's own workbooks, edited the way other programs and people edit them
(``xlsxedit``), so every case is reproducible. Re-saves use the real programs."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import engines
import xlsxedit as xe
from openpyxl import Workbook, load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import names
from hue_dx.generate import generate
from hue_dx.workbook.fill import fill, set_saved_time

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "inputs"
CONTACT = {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B", "unit_head_title": "Giám đốc"}
ON_TIME = "2026-01-01T08:00:00Z"

ACCEPTED, ISSUES, BLANK, REJECTED = "accepted", "issues", "blank", "rejected"
# never acceptable on any file: a crash turned into a record, or noise from a harmless re-save
NEVER = {"file-internal-error"}


@dataclass(frozen=True)
class Expect:
    """An issue that must be raised, optionally at the cell of a defined name (or sheet/cell)."""

    code: str
    name: str | None = None  # defined name whose cell the issue must point at
    sheet: str | None = None
    cell: str | None = None
    criterion: str | None = None


@dataclass
class Case:
    name: str  # file name as received
    data: bytes
    outcome: str  # ACCEPTED, ISSUES, BLANK or REJECTED
    unit: str | None = None  # the unit it is for, when it can be identified
    expect: list[Expect] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)  # codes that must not be raised
    kind: str = ""  # what the case stands for, in words (the corpus covers at least 50 kinds)

    @property
    def accepted(self) -> bool:
        """Identified and scored (a submission or a blank one)."""
        return self.outcome != REJECTED

    @property
    def codes(self) -> set[str]:
        return {e.code for e in self.expect}


def sample_inputs(code: str) -> dict:
    return json.loads((SAMPLES / f"{code}.json").read_text(encoding="utf-8"))["inputs"]


set_modified = set_saved_time

PILLAR_5 = "5. Hoạt động của Chính quyền số"
PILLAR_7 = "7. Đào tạo và nguồn nhân lực"


def _evidence(codes) -> dict:
    return {code: {"number": f"{n + 10}/QĐ-UBND", "date": "15/03/2020", "title": "Văn bản làm căn cứ"} for n, code in enumerate(codes)}


def recipe_2030(tmp: Path) -> Path:
    """The 2020 campaign's recipe with its deadline moved to 2030 (no file of a test is late)."""
    recipe = tmp / "campaign.toml"
    original = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8")
    recipe.write_text(original.replace('deadline = "2020-12-31"', 'deadline = "2030-12-31"').replace(
        'roster = "roster-hue-2020.csv"', f'roster = "{(ROOT / "generator" / "roster-hue-2020.csv").as_posix()}"'), encoding="utf-8")
    return recipe


def build(tmp: Path) -> tuple[list[Case], Path]:
    """The corpus, and a campaign recipe (deadline 2030) to check it against."""
    recipe = recipe_2030(tmp)
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(recipe)
    blank_dir = tmp / "blank"
    generate(catalog, campaign, blank_dir)
    blank = {u.code: next(blank_dir.glob(f"2020_{u.code}_*.xlsx")).read_bytes() for u in campaign.units}
    levels = {u.code: u.level for u in campaign.units}

    def base_inputs(code: str) -> dict:
        sample = {"so": "STTTT", "huyen": "HALUOI"}[levels[code]]
        return sample_inputs(code) if (SAMPLES / f"{code}.json").is_file() else sample_inputs(sample)

    def filled(code: str, inputs: dict | None = None, saved: str = ON_TIME, contact=CONTACT, evidence=True) -> bytes:
        values = inputs if inputs is not None else base_inputs(code)
        proof = _evidence(values) if evidence else None
        return set_modified(fill(blank[code], values, contact, proof), saved)

    def at(code: str, key: str) -> str:
        return names.input_name(code, key)

    cases: list[Case] = []

    def add(name, data, outcome, unit=None, expect=(), absent=(), kind=""):
        cases.append(Case(name, data, outcome, unit, list(expect), set(absent) | NEVER, kind or name))

    clean = {"layout-changed", "formula-changed", "score-differs", "input-text-number", "input-not-number"}
    # ------------------------------------------------------------------ good files
    good = filled("STTTT")
    add("2020_STTTT_so-thong-tin.xlsx", good, ACCEPTED, "STTTT", [Expect("not-calculated")], clean, "đủ số liệu, đúng hạn")
    add("Bao cao STTTT (gui lai).xlsx", good, ACCEPTED, "STTTT", [], clean, "cùng tệp, đổi tên")
    add("A Luoi.xlsx", filled("HALUOI"), ISSUES, "HALUOI", [Expect("inconsistent", criterion="5.2.2")], {"layout-changed"},
        "số liệu mâu thuẫn b + c > a")
    add("Nam Dong.xlsx", filled("HNDONG", sample_inputs("HALUOI")), ISSUES, "HNDONG", [Expect("inconsistent")], {"layout-changed"},
        "huyện khác cùng số liệu")
    syt_first = sample_inputs("SYT")
    syt_first["5.1.1"] = {"a": 100, "b": 150}
    add("SYT lan 1.xlsx", filled("SYT", syt_first, "2025-12-01T08:00:00Z"), ISSUES, "SYT",
        [Expect("inconsistent", at("5.1.1", "b"))], {"layout-changed"}, "bản đầu có lỗi")
    add("SYT lan 2 da sua.xlsx", filled("SYT", saved="2025-12-08T08:00:00Z"), ACCEPTED, "SYT", [], clean, "bản sửa lần hai")
    add("TP Hue.xlsx", filled("TPHUE", saved="2031-01-05T08:00:00Z", contact={}), ISSUES, "TPHUE",
        [Expect("contact-missing"), Expect("file-late")], set(), "gửi muộn, thiếu người lập biểu")
    add("Thanh tra khong kiem chung.xlsx", filled("TTT", evidence=False), ISSUES, "TTT", [Expect("evidence-missing")], clean,
        "có điểm nhưng không ghi tài liệu kiểm chứng")

    # ------------------------------------------------------------------ values as people type them
    sngv = filled("SNGV", sample_inputs("STTTT"))  # clean figures: each case below adds one problem
    value_cases = [
        ("SNGV so chu.xlsx", "SNGV", {at("5.1.1", "a"): xe.text("1.234")}, "input-text-number", at("5.1.1", "a"), "số có dấu chấm nghìn, gõ dạng chữ"),
        ("SNGV dau cach.xlsx", "SNGV", {at("1.1.1", "a"): xe.text(" 3 ")}, "input-text-number", at("1.1.1", "a"), "số có dấu cách, dạng chữ"),
        ("SNGV so kieu Anh.xlsx", "SNGV", {at("5.2.1", "a"): xe.text("1,234,567")}, "input-text-number", at("5.2.1", "a"),
         "số kiểu Anh 1,234,567 dạng chữ"),
        ("SNGV so thap phan phay.xlsx", "SNGV", {at("4.3.2.2", "a"): xe.text("12,5")}, "input-text-number", at("4.3.2.2", "a"),
         "số thập phân dấu phẩy dạng chữ"),
        ("SNGV chu.xlsx", "SNGV", {at("5.1.1", "b"): xe.text("mười")}, "input-not-number", at("5.1.1", "b"), "chữ thay cho số"),
        ("SNGV so am.xlsx", "SNGV", {at("5.3.1", "b"): xe.number(-3)}, "input-negative", at("5.3.1", "b"), "số âm"),
        ("SNGV so le.xlsx", "SNGV", {at("5.3.2", "a"): xe.number(10.5)}, "input-fraction", at("5.3.2", "a"), "số lẻ ở ô đếm"),
        ("SNGV co khong sai.xlsx", "SNGV", {at("2.1.1", "a"): xe.text("x")}, "input-yesno", at("2.1.1", "a"), "Có/Không gõ sai"),
        ("SNGV co nbsp.xlsx", "SNGV", {at("2.1.1", "a"): xe.text("Có\u00a0")}, "input-yesno", at("2.1.1", "a"), "Có kèm dấu cách không ngắt"),
        ("SNGV co NFD.xlsx", "SNGV", {at("2.1.1", "a"): xe.text("Co\u0301")}, "input-yesno", at("2.1.1", "a"), "Có viết dạng NFD"),
        ("SNGV muc sai.xlsx", "SNGV", {at("1.2.1", "a"): xe.text("Giám đốc")}, "input-choice", at("1.2.1", "a"), "mức chọn gõ tay sai"),
        ("SNGV muc sao.xlsx", "SNGV", {at("1.2.1", "a"): xe.text("*")}, "input-choice", at("1.2.1", "a"), "dấu * ở ô chọn (ký tự đại diện)"),
        ("SNGV trong.xlsx", "SNGV", {at("6.2.1", "b"): xe.text("")}, "input-missing", at("6.2.1", "b"), "ô bắt buộc để trống"),
        ("SNGV dau cach trong.xlsx", "SNGV", {at("6.2.1", "b"): xe.text("   ")}, "input-missing", at("6.2.1", "b"), "ô chỉ có dấu cách"),
        ("SNGV nbsp trong.xlsx", "SNGV", {at("6.2.1", "b"): xe.text("\u00a0")}, "input-not-number", at("6.2.1", "b"),
         "ô chỉ có dấu cách không ngắt"),
        ("SNGV so qua lon.xlsx", "SNGV", {at("5.1.1", "a"): xe.number("1E+15")}, "input-too-large", at("5.1.1", "a"), "1e15 ở ô đếm"),
        ("SNGV tien qua lon.xlsx", "SNGV", {at("2.5.1", "a"): xe.number("2E+13")}, "input-too-large", at("2.5.1", "a"), "số tiền quá lớn"),
        ("SNGV dung sai.xlsx", "SNGV", {at("5.1.1", "a"): xe.boolean(True)}, "input-not-number", at("5.1.1", "a"), "TRUE ở ô đếm"),
        ("SNGV dung co khong.xlsx", "SNGV", {at("2.1.1", "a"): xe.boolean(True)}, "input-yesno", at("2.1.1", "a"), "TRUE ở ô Có/Không"),
        ("SNGV loi NA.xlsx", "SNGV", {at("5.1.1", "a"): xe.error("#N/A", None)}, "input-error-value", at("5.1.1", "a"), "giá trị lỗi #N/A"),
        ("SNGV cong thuc co ket qua.xlsx", "SNGV", {at("5.1.1", "a"): xe.formula("100+20", 120)}, "input-formula", at("5.1.1", "a"),
         "công thức gõ vào ô số liệu, có kết quả lưu"),
        ("SNGV cong thuc chua tinh.xlsx", "SNGV", {at("5.1.1", "a"): xe.formula("100+20")}, "input-formula", at("5.1.1", "a"),
         "công thức số chưa có kết quả lưu"),
        ("SNGV cong thuc tham chieu.xlsx", "SNGV", {at("5.1.1", "a"): xe.formula("D2*2")}, "input-formula-unknown", at("5.1.1", "a"),
         "công thức tham chiếu, chưa có kết quả"),
        ("SNGV cong thuc loi.xlsx", "SNGV", {at("5.1.1", "a"): xe.error("#DIV/0!", "1/0")}, "input-error-value", at("5.1.1", "a"),
         "công thức ra giá trị lỗi"),
        ("SNGV chu rat dai.xlsx", "SNGV", {at("5.1.1", "a"): xe.text("1" * 100_000)}, "input-text-number", at("5.1.1", "a"),
         "ô chứa 100.000 ký tự"),
    ]
    for name, unit, cells, code, where, kind in value_cases:
        add(name, xe.set_named(sngv, cells), ISSUES, unit, [Expect(code, where)], {"layout-changed"} if code != "input-formula" else set(), kind)
    lower = xe.set_named(sngv, {at("2.1.1", "a"): xe.text("có")})
    add("SNGV co chu thuong.xlsx", lower, ACCEPTED, "SNGV", [], {"input-yesno", "layout-changed"}, "có viết thường (Excel không phân biệt)")
    # text Excel cannot store as is, in the cells people fill: evidence, contacts
    word = "Dòng một\x0bdòng hai \x01\x1f và 🙂 _x0041_ <b>&amp;</b> =HYPERLINK(\"http://x\") \ud83d\ude00"
    score_row = xe.destination(sngv, names.score_name("1.1.1"))
    strange = xe.set_cells(sngv, {(score_row[0], "J" + score_row[1][1:]): xe.text(word),
                                  (score_row[0], "K" + score_row[1][1:]): xe.text("x" * 100_000),
                                  xe.destination(sngv, names.identity_name("unit_preparer")): xe.text("Lê\x0bThị \ud800C")})
    add("SNGV ky tu la.xlsx", strange, ACCEPTED, "SNGV", [], clean, "ký tự điều khiển, emoji, chuỗi giống công thức, 100.000 ký tự ở tài liệu kiểm chứng")
    unreadable = xe.set_named(blank["BDT"], {names.input_name(c.code, i.key): xe.text("chưa có")
                                             for c in catalog.criteria if c.applies("so") for i in c.inputs})
    add("Ban Dan toc toan chu.xlsx", set_modified(unreadable, ON_TIME), BLANK, "BDT", [Expect("file-blank"), Expect("input-not-number")],
        set(), "mọi ô số liệu đều không đọc được")

    # ------------------------------------------------------------------ blank workbooks
    add("2020_SDL_trong.xlsx", set_modified(blank["SDL"], ON_TIME), BLANK, "SDL", [Expect("file-blank")], {"input-missing"},
        "sổ trống như khi nhận")
    one_formula = xe.set_named(blank["SKHCN"], {names.input_name("5.1.1", "a"): xe.formula("D2*2")})
    add("2020_SKHCN_mot-cong-thuc.xlsx", set_modified(one_formula, ON_TIME), BLANK, "SKHCN",
        [Expect("file-blank"), Expect("input-formula-unknown", at("5.1.1", "a"))], set(),
        "sổ trống, chỉ một công thức chưa có kết quả: không phải là số liệu")

    # ------------------------------------------------------------------ layout tampered with
    snv = filled("SNV", sample_inputs("STTTT"))
    score = xe.destination(snv, names.score_name("5.1.1"))
    add("SNV ghi de diem.xlsx", xe.set_cells(snv, {score: xe.number(2)}), ISSUES, "SNV",
        [Expect("score-overwritten", names.score_name("5.1.1")), Expect("layout-changed")], {"formula-changed"}, "ô điểm bị ghi đè")
    status = xe.destination(snv, names.status_name("5.1.1"))
    add("SNV sua cong thuc.xlsx", xe.set_cells(snv, {status: xe.formula('"đạt"', "đạt")}), ISSUES, "SNV",
        [Expect("formula-changed", names.status_name("5.1.1")), Expect("layout-changed")], {"rows-shifted", "score-overwritten"},
        "một công thức bị sửa")

    def shift_rows(wb):
        ws = wb[PILLAR_5]
        ws.insert_rows(20, 2)
        for name in list(wb.defined_names):
            text = wb.defined_names[name].attr_text
            if text.startswith("'5. ") and "!$" in text:
                sheet, ref = text.rsplit("!", 1)
                col, row = ref.split("$")[1], int(ref.split("$")[2])
                if row >= 20:
                    wb.defined_names[name].attr_text = f"{sheet}!${col}${row + 2}"  # what Excel does to names below

    add("STP chen dong.xlsx", set_modified(_edit(filled("STP", sample_inputs("SYT")), shift_rows), ON_TIME), ISSUES, "STP",
        [Expect("rows-shifted"), Expect("layout-changed")], {"name-missing", "input-missing"}, "chèn dòng (tên ô dịch theo)")
    renamed = xe.rename_sheet(filled("SKHDT", sample_inputs("STTTT")), PILLAR_5, "Trụ cột 5")
    add("SKHDT doi ten trang.xlsx", renamed, ACCEPTED, "SKHDT", [Expect("sheet-renamed", sheet="Trụ cột 5")],
        {"sheet-missing", "rows-shifted", "name-missing", "formula-changed", "input-missing"}, "đổi tên trang trụ cột")
    renamed_no_names = xe.delete_names(xe.rename_sheet(filled("STC", sample_inputs("STTTT")), PILLAR_5, "TC5", names=True),
                                       keep=lambda n: not n.startswith("hdx_") or n in IDENTITY_NAMES)
    add("STC doi ten va xoa ten.xlsx", renamed_no_names, ACCEPTED, "STC", [Expect("sheet-renamed", sheet="TC5"), Expect("names-by-position")],
        {"sheet-missing", "name-missing", "input-missing"}, "đổi tên trang và xóa các tên ô")
    no_names = xe.delete_names(filled("SCT", sample_inputs("STTTT")), keep=lambda n: n in IDENTITY_NAMES)
    add("SCT xoa ten.xlsx", no_names, ACCEPTED, "SCT", [Expect("names-by-position")], {"name-missing", "input-missing", "formula-changed"},
        "xóa các tên ô (còn thuộc tính nhận diện)")
    no_names_at_all = xe.delete_names(filled("SGTVT", sample_inputs("STTTT")))
    add("SGTVT xoa het ten.xlsx", no_names_at_all, ACCEPTED, "SGTVT", [Expect("names-by-position")], {"identity-missing", "input-missing"},
        "xóa mọi tên, nhận diện bằng thuộc tính tệp")
    gone = xe.remove_sheet(filled("HPLOC", sample_inputs("TPHUE")), PILLAR_7)
    add("HPLOC xoa trang.xlsx", gone, ISSUES, "HPLOC", [Expect("sheet-missing", sheet=PILLAR_7), Expect("layout-changed")],
        {"name-missing"}, "xóa một trang trụ cột")
    no_guide = xe.remove_sheet(filled("SXD", sample_inputs("STTTT")), "Hướng dẫn")
    add("SXD xoa huong dan.xlsx", no_guide, ACCEPTED, "SXD", [Expect("layout-changed")], {"sheet-missing", "input-missing"},
        "xóa trang Hướng dẫn (không có số liệu)")
    # a stale stored score: the file says 2, its own formulas (and hue-dx) say otherwise
    stale = xe.set_cells(snv, {score: xe.formula(_formula_at(snv, score), 0.123)})
    add("SNV ket qua cu.xlsx", stale, ISSUES, "SNV", [Expect("score-differs", names.score_name("5.1.1"))], {"formula-changed"},
        "kết quả lưu trong tệp cũ, khác số liệu")

    # ------------------------------------------------------------------ other programs
    cases_to_resave = {"SGDDT LibreOffice.xlsx": filled("SGDDT", sample_inputs("SYT")),
                       "HPVANG LibreOffice.xlsx": filled("HPVANG", sample_inputs("TPHUE"))}
    source_dir, lo_dir = tmp / "lo-in", tmp / "lo-out"
    source_dir.mkdir()
    for name, data in cases_to_resave.items():
        (source_dir / name).write_bytes(data)
    for path in engines.libreoffice_resave(sorted(source_dir.iterdir()), lo_dir):
        unit = path.name.split()[0]
        add(path.name, path.read_bytes(), ACCEPTED if unit == "SGDDT" else ISSUES, unit, [],
            {"layout-changed", "formula-changed", "score-differs", "not-calculated", "identity-conflict"},
            "lưu lại bằng LibreOffice" + ("" if unit == "SGDDT" else ", số liệu có lỗi"))
    gnumeric_in = tmp / "gn-in.xlsx"
    gnumeric_in.write_bytes(filled("SYT", sample_inputs("SYT"), saved="2025-11-01T08:00:00Z"))
    gnumeric = engines.gnumeric_resave(gnumeric_in, tmp / "gn-out.xlsx").read_bytes()
    add("SYT Gnumeric.xlsx", gnumeric, ACCEPTED, "SYT", [],
        {"layout-changed", "formula-changed", "score-differs", "identity-missing", "rows-shifted"}, "lưu lại bằng Gnumeric")

    # ------------------------------------------------------------------ identity
    add("bo tieu chi khac.xlsx", _identity(good, "catalog_id", "hue-2023"), REJECTED, None, [Expect("catalog-other")], kind="bộ tiêu chí khác")
    add("ky truoc.xlsx", _identity(good, "period", "2019"), REJECTED, None, [Expect("period-other")], kind="kỳ đánh giá khác")
    add("don vi la.xlsx", _identity(good, "unit_code", "XYZ"), REJECTED, None, [Expect("unit-unknown")], kind="mã đơn vị không có")
    conflict = xe.set_property(filled("SLDTBXH", sample_inputs("STTTT")), names.identity_name("generation_id"), "khac")
    add("SLDTBXH xung dot.xlsx", conflict, ISSUES, "SLDTBXH", [Expect("identity-conflict")], kind="thuộc tính và tên ghi khác nhau")
    mismatch = xe.set_name_constant(xe.set_property(filled("SVHTT", sample_inputs("STTTT")), names.identity_name("level"), "huyen"),
                                    names.identity_name("level"), "huyen")
    add("SVHTT sai cap.xlsx", mismatch, ISSUES, "SVHTT", [Expect("level-mismatch")], kind="sổ của cấp khác")
    plain = io.BytesIO()
    Workbook().save(plain)
    add("bang tu lam.xlsx", plain.getvalue(), REJECTED, None, [Expect("identity-missing")], kind="bảng tính tự làm")

    # ------------------------------------------------------------------ broken and hostile files
    add("rong.xlsx", b"", REJECTED, None, [Expect("file-empty")], kind="tệp 0 byte")
    add("hong.xlsx", good[: len(good) // 2], REJECTED, None, [Expect("file-corrupt")], kind="tệp bị cắt cụt")
    add("tai lieu.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", REJECTED, None, [Expect("file-not-workbook")], kind="PDF đổi đuôi .xlsx")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    add("mau cu.xls", ole + "Workbook".encode("utf-16-le").ljust(64, b"\x00"), REJECTED, None, [Expect("file-xls")], kind="Excel 97-2003 .xls")
    add("co mat khau.xlsx", ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"), REJECTED, None,
        [Expect("file-encrypted")], kind="tệp đặt mật khẩu")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    add("libreoffice.ods", ods.getvalue(), REJECTED, None, [Expect("file-ods")], kind="tệp .ods")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook>" + b" " * (70 * 1024 * 1024) + b"</workbook>")
    add("bom.xlsx", bomb.getvalue(), REJECTED, None, [Expect("file-zip-bomb")], kind="bom nén")
    entities = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook>&lol2;</workbook>'
    add("thuc the.xlsx", xe.rewrite(good, "xl/workbook.xml", lambda _: entities), REJECTED, None, [Expect("file-xml-entities")],
        kind="khai báo thực thể XML")
    parts = xe.members(_identity(good, "unit_code", "HALUOI"))
    parts["xl/vbaProject.bin"] = b"\x00" * 128
    add("A Luoi co macro.xlsm", set_modified(xe.pack(parts), "2025-01-01T08:00:00Z"), ISSUES, "HALUOI", [Expect("file-macro")],
        kind="tệp có macro")
    return cases, recipe


IDENTITY_NAMES = {names.identity_name(k) for k in names.IDENTITY}


def _formula_at(data: bytes, place: tuple[str, str]) -> str:
    from hue_dx.intake import xlsx

    raw = xlsx.read(data)
    return xlsx.formula_cells(raw, place[0])[place[1]].lstrip("=")


def _identity(data: bytes, key: str, value: str) -> bytes:
    return xe.set_name_constant(xe.set_property(data, names.identity_name(key), value), names.identity_name(key), value)


def _edit(data: bytes, change) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- as received


def write(cases: list[Case], folder: Path, zipped: set[str] = frozenset()) -> Path:  # type: ignore[assignment]
    """The corpus as a folder of received files: most loose, some inside an e-mail attachment
    .zip, and a note that is not a workbook."""
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
