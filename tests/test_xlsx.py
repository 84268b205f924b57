"""The fast .xlsx reader (hue_dx/intake/xlsx.py) on hand-made files: every writer style it may meet gives the same cells
and formulas (the fast paths and the general pattern agree), and damaged zips are refused
with the right code."""

from __future__ import annotations

import io
import zipfile

import pytest

from hue_dx.intake import xlsx

WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="Tr\xe1\xbb\xa5 c\xe1\xbb\x99t" sheetId="1" r:id="rId1"/></sheets>'
            b"<definedNames><definedName name=\"hdx_in_1_1_1_a\">'Tr\xe1\xbb\xa5 c\xe1\xbb\x99t'!$D$2</definedName></definedNames>"
            b"</workbook>")
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET = "Trụ cột"
WANTED = {SHEET: {"D2", "D3", "D4", "H5", "I5", "J5", "K5", "H6", "I6", "J6", "K6", "D9"}}


def sheet(rows: str, root: str = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
          end: str = "</worksheet>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>{root}<sheetData>{rows}</sheetData>{end}'.encode()


def book(sheet_xml: bytes, method: int = zipfile.ZIP_DEFLATED, shared: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


# The same content as LibreOffice, Excel or openpyxl write it: a number, a shared string, an
# inline string; an empty evidence run, a run with one filled cell; a formula with its value.
PLAIN = (
    '<row r="2"><c r="D2" s="3" t="n"><v>12</v></c><c r="E2" s="1"><f aca="false">SUM(D2:D3)</f><v>12</v></c></row>'
    '<row r="3"><c r="D3" s="3" t="s"><v>0</v></c></row>'
    '<row r="4"><c r="D4" t="inlineStr"><is><t>m&#432;&#7901;i</t></is></c></row>'
    '<row r="5"><c r="F5"><f>IF(D2&gt;0,1,0)</f><v>1</v></c><c r="H5" s="2"/><c r="I5" s="2"/><c r="J5" s="2"/><c r="K5" s="2"/></row>'
    '<row r="6"><c r="H6" s="2"/><c r="I6" s="2" t="s"><v>1</v></c><c r="J6" s="2"/><c r="K6" s="2"/></row>'
)
SHARED = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<si><t>12,5</t></si><si><t>Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh 12/Q\xc4\x90</t></si></sst>')
EXPECTED = {"D2": (12.0, "n"), "D3": ("12,5", "s"), "D4": ("mười", "s"), "I6": ("Quyết định 12/QĐ", "s")}


def cells(data: bytes) -> dict[str, tuple[object, str]]:
    raw = xlsx.read(data, WANTED)
    return {ref: (cell.value, cell.kind) for ref, cell in raw.cells[SHEET].items()}


def formulas(data: bytes) -> list[str]:
    return xlsx.read(data, WANTED).formulas[SHEET]


def test_plain_file_fast_path():
    data = book(sheet(PLAIN), shared=SHARED)
    assert cells(data) == EXPECTED
    assert formulas(data) == ["=SUM(D2:D3)", "=IF(D2>0,1,0)"]
    raw = xlsx.read(data, WANTED)
    assert raw.sheets == [SHEET] and raw.names == {"hdx_in_1_1_1_a": "'Trụ cột'!$D$2"}
    assert xlsx.formula_cells(raw, SHEET) == {"E2": "=SUM(D2:D3)", "F5": "=IF(D2>0,1,0)"}  # no shared formula to move


@pytest.mark.parametrize("variant", ["attribute order", "namespace prefix", "rows out of order", "blank cells left out", "stored"])
def test_every_writer_style_reads_the_same(variant):
    rows, root, end, method = PLAIN, None, None, zipfile.ZIP_DEFLATED
    if variant == "attribute order":  # the reference is not the first attribute: the general pattern finds it
        rows = PLAIN.replace('<c r="D2" s="3" t="n">', '<c s="3" t="n" r="D2">').replace('<c r="I6" s="2" t="s">', '<c t="s" r="I6">')
    elif variant == "namespace prefix":
        rows = PLAIN.replace("<c ", "<x:c ").replace("</c>", "</x:c>").replace("<v>", "<x:v>").replace("</v>", "</x:v>") \
            .replace("<f", "<x:f").replace("</f>", "</x:f>").replace("<row", "<x:row").replace("</row>", "</x:row>") \
            .replace("<is>", "<x:is>").replace("</is>", "</x:is>").replace("<t>", "<x:t>").replace("</t>", "</x:t>")
        root = '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        end = "</x:worksheet>"
    elif variant == "rows out of order":
        first, rest = PLAIN.split("</row>", 1)
        rows = rest + first + "</row>"
    elif variant == "blank cells left out":
        rows = PLAIN.replace('<c r="H5" s="2"/>', "").replace('<c r="K6" s="2"/>', "")
    elif variant == "stored":
        method = zipfile.ZIP_STORED
    xml = sheet(rows, root, end) if root else sheet(rows)
    data = book(xml, method, SHARED.replace(b"<si>", b"<x:si>").replace(b"</si>", b"</x:si>").replace(b"<t>", b"<x:t>")
                .replace(b"</t>", b"</x:t>").replace(b"<sst ", b"<x:sst xmlns:x=\"x\" ").replace(b"</sst>", b"</x:sst>")
                if variant == "namespace prefix" else SHARED)
    assert cells(data) == EXPECTED
    assert sorted(formulas(data)) == sorted(["=SUM(D2:D3)", "=IF(D2>0,1,0)"])


def test_a_run_of_adjacent_cells_with_text_in_the_middle():
    rows = '<row r="5"><c r="H5"/><c r="I5" t="inlineStr"><is><t>CV 1</t></is></c><c r="J5"><v>45000</v></c><c r="K5"/></row>'
    assert cells(book(sheet(rows))) == {"I5": ("CV 1", "s"), "J5": (45000.0, "n")}


def test_a_filled_run_and_every_form_of_shared_string():
    # A criterion's evidence filled in, as units return it: the fast path reads each cell of
    # the run; shared strings come plain, with spaces kept, with entities, as rich text (runs
    # of several <t>), and empty.
    rows = ('<row r="5"><c r="H5" s="2" t="s"><v>0</v></c><c r="I5" s="2" t="s"><v>1</v></c>'
            '<c r="J5" s="2" t="s"><v>2</v></c><c r="K5" s="2" t="s"><v>3</v></c></row>'
            '<row r="6"><c r="H6" s="2" t="s"><v>4</v></c><c r="I6" s="2" t="n"><v>43905</v></c><c r="J6" s="2"/><c r="K6" s="2"/></row>')
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<si><t>12/Q\xc4\x90-UBND</t></si><si><t xml:space="preserve"> 15/03/2020 </t></si>'
              b'<si><t>A &amp; B &lt;C&gt;</t></si>'
              b'<si><r><rPr><b/></rPr><t>Quy\xe1\xba\xbft</t></r><r><t xml:space="preserve"> \xc4\x91\xe1\xbb\x8bnh</t></r></si>'
              b'<si><t/></si></sst>')
    assert cells(book(sheet(rows), shared=shared)) == {
        "H5": ("12/QĐ-UBND", "s"), "I5": (" 15/03/2020 ", "s"), "J5": ("A & B <C>", "s"), "K5": ("Quyết định", "s"),
        "H6": ("", "s"), "I6": (43905.0, "n")}


def test_shared_formulas_are_moved_to_each_cell_as_excel_reads_them():
    rows = ('<row r="2"><c r="E2"><f t="shared" ref="E2:E3" si="0">D2*2</f><v>2</v></c></row>'
            '<row r="3"><c r="E3"><f t="shared" si="0"/><v>4</v></c></row>')
    raw = xlsx.read(book(sheet(rows)), WANTED)
    assert raw.formulas[SHEET] == ["=D2*2"]  # the fast list: the shared master only
    assert xlsx.formula_cells(raw, SHEET) == {"E2": "=D2*2", "E3": "=D3*2"}


def _damage(data: bytes, member: str, how) -> bytes:
    """Change the stored bytes of one member in place (sizes in the directory unchanged)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(data)
    how(raw, start, info.compress_size)
    return bytes(raw)


def test_a_damaged_member_is_a_corrupt_file():
    data = book(sheet(PLAIN), zipfile.ZIP_STORED)

    def flip(raw, start, size):
        raw[start + size // 2] ^= 0xFF

    with pytest.raises(xlsx.FileProblem) as problem:
        xlsx.read(_damage(data, "xl/worksheets/sheet1.xml", flip), WANTED)
    assert problem.value.code == "file-corrupt" and "CRC" in problem.value.detail


def test_a_truncated_file_is_a_corrupt_file():
    data = book(sheet(PLAIN))
    with pytest.raises(xlsx.FileProblem) as problem:
        xlsx.read(data[: len(data) // 2], WANTED)
    assert problem.value.code == "file-corrupt"


def test_a_dtd_is_refused_even_after_comments_but_text_mentioning_one_is_not():
    bomb = (b'<?xml version="1.0"?><!-- a comment --><!-- another -->'
            b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><worksheet><sheetData/></worksheet>')
    with pytest.raises(xlsx.FileProblem) as problem:
        xlsx.read(book(bomb), WANTED)
    assert problem.value.code == "file-xml-entities"
    harmless = sheet('<row r="2"><c r="D2" t="inlineStr"><is><t>&lt;!ENTITY x&gt; trong v&#259;n b&#7843;n</t></is></c></row>')
    assert cells(book(harmless)) == {"D2": ("<!ENTITY x> trong văn bản", "s")}


# ---------------------------------------------------------------- markup the byte search must not be fooled by


def test_a_cell_inside_a_comment_or_cdata_is_not_a_cell():
    """A comment or a CDATA section can hold text that looks like a cell; only the real one is read."""
    rows = ('<row r="2"><!-- <c r="D2"><v>99</v></c> --><c r="D2"><v>12</v></c></row>'
            '<row r="4"><c r="D4" t="inlineStr"><is><t><![CDATA[<c r="D9"><v>7</v></c> & <f>SUM(1)</f>]]></t></is></c></row>')
    data = book(sheet(rows))
    assert cells(data) == {"D2": (12.0, "n"), "D4": ('<c r="D9"><v>7</v></c> & <f>SUM(1)</f>', "s")}
    assert formulas(data) == []


def test_a_dtd_in_a_utf16_part_is_refused():
    bomb = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData/></worksheet>'
    with pytest.raises(xlsx.FileProblem) as problem:
        xlsx.read(book(bomb.encode("utf-16")), WANTED)
    assert problem.value.code == "file-xml-entities"


def test_a_word_document_named_xlsx_says_so():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("_rels/.rels", b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                   b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                   b'officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    with pytest.raises(xlsx.FileProblem) as problem:
        xlsx.read(buffer.getvalue())
    assert problem.value.code == "file-not-workbook" and "Word" in problem.value.detail


def test_a_shared_string_table_with_empty_items_keeps_its_indexes():
    """<si/> is an item too: a split on "<si>" alone would move every later string up one."""
    rows = '<row r="2"><c r="D2" t="s"><v>2</v></c></row><row r="3"><c r="D3" t="s"><v>0</v></c></row>'
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="3">'
              '<si><t>đầu</t></si><si/><si><t>thứ ba</t></si></sst>').encode()
    assert cells(book(sheet(rows), shared=shared)) == {"D2": ("thứ ba", "s"), "D3": ("đầu", "s")}
