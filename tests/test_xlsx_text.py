"""Text read exactly as the file holds it (issue 28): XML's line-end handling (a raw CR LF or lone
CR is one line feed; &#13; is a CR), xml:space on any element carrying a value, SpreadsheetML's
_xHHHH_ escapes decoded once, rich-text runs joined, phonetic runs left out, in shared strings,
inline strings, formula results, defined names and document properties alike.

A generator of text forms (``written``) writes each text in one of many ways into a workbook;
hue-dx's reader, an independent reading (ElementTree over the part, the OOXML escapes decoded
the way the standard says) and, where it applies, openpyxl must give back the text, cell by
cell."""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import pytest
import xlsxedit as xe
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hue_dx import sanitize
from hue_dx.intake import xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "Văn bản"
LINE_ENDS = ("lf", "crlf", "cr", "ref", "escape")  # how a line feed is written
CONTAINERS = ("shared", "inline", "result")  # a shared string, an inline string, a formula's text result


@dataclass(frozen=True)
class Form:
    """How one text is written."""

    container: str = "shared"
    line_end: str = "lf"
    runs: int = 1  # rich text: the text cut into this many runs
    phonetic: bool = False  # a phonetic run and phonetic properties after the text
    preserve: bool = True  # xml:space="preserve" on the element holding the text
    cr: str = "ref"  # how a CR is written: "ref" (&#13;) or "escape" (_x000D_)
    cdata: bool = False
    prefix: bool = False


def _chars(text: str, form: Form) -> str:
    """A text as the content of an element: XML-escaped, SpreadsheetML-escaped where XML cannot
    hold a character (or where the form says), line feeds and CRs written the form's way."""
    text = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", text)  # a literal "_x…_" must not read as an escape
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append({"lf": "\n", "crlf": "\r\n", "cr": "\r", "ref": "&#10;", "escape": "_x000A_"}[form.line_end])
        elif ch == "\r":
            out.append("&#13;" if form.cr == "ref" else "_x000D_")
        elif (code < 0x20 and ch != "\t") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(escape(ch))
    written = "".join(out)
    if form.cdata and "]]>" not in text and "&#" not in written and "&" not in text and "<" not in text and ">" not in text:
        return f"<![CDATA[{written}]]>"
    return written


def _t(text: str, form: Form, p: str) -> str:
    space = ' xml:space="preserve"' if form.preserve else ""
    return f"<{p}t{space}>{_chars(text, form)}</{p}t>" if text else f"<{p}t{space}/>"


def _item(text: str, form: Form, rng: random.Random, p: str) -> str:
    """The inside of an <si> or <is>: one <t>, or runs; perhaps a phonetic guide."""
    if form.runs <= 1 or len(text) < 2:
        body = _t(text, form, p)
    else:
        cuts = sorted(rng.sample(range(1, len(text)), min(form.runs - 1, len(text) - 1)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        props = f'<{p}rPr><{p}b/><{p}family val="2"/><{p}vertAlign val="baseline"/></{p}rPr>'  # names starting like <f>, <v>
        body = "".join(f"<{p}r>{props if n else ''}{_t(piece, form, p)}</{p}r>" for n, piece in enumerate(pieces))
    if form.phonetic:
        body += f'<{p}rPh sb="0" eb="1"><{p}t>ふりがな</{p}t></{p}rPh><{p}phoneticPr fontId="1"/>'
    return body


def written(texts: list[tuple[str, Form]], seed: int = 0, prefix: bool = False) -> bytes:
    """A workbook whose sheet holds each text in column B, one row each, written in its form;
    the same texts as defined names and custom properties."""
    rng = random.Random(seed)
    p = "x:" if prefix else ""
    ns = f'xmlns:x="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    shared, rows = [], []
    for n, (text, form) in enumerate(texts, 1):
        if form.container == "shared":
            shared.append(f"<{p}si>{_item(text, form, rng, p)}</{p}si>")
            body = f'<{p}c r="B{n}" t="s"><{p}v>{len(shared) - 1}</{p}v></{p}c>'
        elif form.container == "inline":
            body = f'<{p}c r="B{n}" t="inlineStr"><{p}is>{_item(text, form, rng, p)}</{p}is></{p}c>'
        else:
            space = ' xml:space="preserve"' if form.preserve else ""
            body = f'<{p}c r="B{n}" t="str"><{p}f>"x"</{p}f><{p}v{space}>{_chars(text, form)}</{p}v></{p}c>'
        empty = f'<{p}c r="A{n}"/>' if n % 2 else ""  # a self-closing cell right before, as LibreOffice writes them
        rows.append(f'<{p}row r="{n}">{empty}{body}</{p}row>')
    sheet = f'<?xml version="1.0" encoding="UTF-8"?>\r\n<{p}worksheet {ns}><{p}sheetData>{"".join(rows)}</{p}sheetData></{p}worksheet>'
    def plain(form: Form) -> Form:  # names and properties: the line end as XML writes it (no _x escape there)
        return Form(line_end=form.line_end if form.line_end != "escape" else "lf")

    names = "".join(f'<{p}definedName name="text_{n}">"{_chars(text.replace(chr(34), chr(34) * 2), plain(form))}"</{p}definedName>'
                    for n, (text, form) in enumerate(texts, 1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<{p}sheets><{p}sheet name="{SHEET}" sheetId="1" r:id="rId1"/></{p}sheets><{p}definedNames>{names}</{p}definedNames></{p}workbook>')
    properties = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{n + 1}" name="text_{n}"><vt:lpwstr>'
                         f'{_chars(text, plain(form))}</vt:lpwstr></property>'
                         for n, (text, form) in enumerate(texts, 1))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": workbook,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><{p}sst {ns} count="{len(shared)}" '
        f'uniqueCount="{len(shared)}">{"".join(shared)}</{p}sst>',
        "docProps/custom.xml": '<?xml version="1.0" encoding="UTF-8"?><Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{properties}</Properties>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content.encode("utf-8"))
    return out.getvalue()


# --------------------------------------------------------------------------- the readers


def hue_dx_texts(data: bytes, count: int) -> list[object]:
    raw = xlsx.read(data, {SHEET: {f"B{n}" for n in range(1, count + 1)}})
    cells = raw.cells[SHEET]
    return [cells[f"B{n}"].value if f"B{n}" in cells else None for n in range(1, count + 1)]


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml(text: str) -> str:
    """SpreadsheetML's escapes decoded, once, left to right; an escaped surrogate pair is its
    character, a lone surrogate U+FFFD."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _item_text(item: ET.Element) -> str:
    """The text of an <si> or <is> as the standard defines it: the <t> of the item and of each
    run (each an ST_Xstring of its own: an escape cannot run across two runs), the phonetic
    runs left out."""
    parts = []
    for child in item:
        if child.tag == f"{{{MAIN}}}t":
            parts.append(_ooxml(child.text or ""))
        elif child.tag == f"{{{MAIN}}}r":
            parts.extend(_ooxml(t.text or "") for t in child.iter(f"{{{MAIN}}}t"))
    return "".join(parts)


def element_texts(data: bytes, count: int) -> list[object]:
    """The independent reading: ElementTree (expat) over the parts."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
        strings = [_item_text(item) for item in ET.fromstring(zf.read("xl/sharedStrings.xml"))]
    out: dict[str, object] = {}
    for cell in sheet.iter(f"{{{MAIN}}}c"):
        kind = cell.get("t")
        if kind == "s":
            out[cell.get("r", "")] = strings[int(cell.findtext(f"{{{MAIN}}}v") or "0")]
        elif kind == "inlineStr":
            out[cell.get("r", "")] = _item_text(cell.find(f"{{{MAIN}}}is"))  # type: ignore[arg-type]
        elif kind == "str":
            out[cell.get("r", "")] = _ooxml(cell.findtext(f"{{{MAIN}}}v") or "")
    return [out.get(f"B{n}") for n in range(1, count + 1)]


def openpyxl_texts(data: bytes, count: int) -> list[object]:
    ws = load_workbook(io.BytesIO(data), data_only=True)[SHEET]
    return [ws[f"B{n}"].value for n in range(1, count + 1)]


def _blank(value: object) -> object:
    return None if value == "" else value  # an empty text result and no value read alike


# --------------------------------------------------------------------------- each class of issue 28


TEXT = "Dòng một\ndòng hai\n\nhết"
CASES = [(TEXT, Form(container=c, line_end=e)) for c in CONTAINERS for e in LINE_ENDS]


def test_line_ends_are_one_line_feed_however_written():
    """A raw CR LF or a lone CR inside text is one line feed (XML 1.0, 2.11): the old reader kept
    "\\r\\n" ("abc\\r\\ndef")."""
    data = written(CASES)
    assert hue_dx_texts(data, len(CASES)) == [TEXT] * len(CASES)
    assert element_texts(data, len(CASES)) == [TEXT] * len(CASES)
    raw = xlsx.read(data)
    assert [raw.names[f"text_{n}"] for n in range(1, len(CASES) + 1)] == [f'"{TEXT}"'] * len(CASES)
    assert [raw.properties[f"text_{n}"] for n in range(1, len(CASES) + 1)] == [TEXT] * len(CASES)


def test_an_escaped_cr_before_a_raw_line_end_is_cr_lf():
    """_x000D_ then a raw CR LF: CR then LF (the old reader gave CR CR LF); &#13;&#10; is CR LF."""
    cases = [("a\r\nb", Form(container=c, line_end=e, cr=cr)) for c in CONTAINERS for e in ("crlf", "lf", "cr") for cr in ("escape", "ref")]
    data = written(cases)
    assert hue_dx_texts(data, len(cases)) == ["a\r\nb"] * len(cases)
    assert element_texts(data, len(cases)) == ["a\r\nb"] * len(cases)


def test_escapes_are_decoded_once():
    cases = [(text, Form(container=c)) for c in CONTAINERS for text in ("_x000D_", "_x005F_", "a_x0041_b", "__x", "_x00", "😀 _xD83D_")]
    data = written(cases)
    assert hue_dx_texts(data, len(cases)) == [text for text, _ in cases]
    # written by hand: _x005F_x000D_ is an escaped underscore, then the text x000D_
    hand = xe.rewrite(written([("", Form())]), "xl/sharedStrings.xml",
                      lambda xml: xml.replace(b'<t xml:space="preserve"/>', b"<t>_x005F_x000D_|_x0041__x0042_</t>"))
    assert hue_dx_texts(hand, 1) == ["_x000D_|AB"]


def test_a_text_result_beginning_or_ending_with_a_space_is_read():
    """Excel writes such a formula result <v xml:space="preserve"> …</v>; the old reader found no
    value there and read the cell as blank."""
    cases = [(text, Form(container="result", preserve=True)) for text in (" đang triển khai", "Hoàn thành ", "  ", "x")]
    data = written(cases)
    assert hue_dx_texts(data, len(cases)) == [text for text, _ in cases]
    assert openpyxl_texts(data, len(cases)) == [text for text, _ in cases]


def test_phonetic_runs_are_left_out():
    """Japanese Excel adds furigana (<rPh>) to rich text; the old reader appended it ("豊田トヨタ")."""
    cases = [(text, Form(container=c, runs=runs, phonetic=True)) for c in ("shared", "inline") for runs in (1, 3) for text in ("豊田", "Sở Nội vụ")]
    data = written(cases)
    assert hue_dx_texts(data, len(cases)) == [text for text, _ in cases]
    assert openpyxl_texts(data, len(cases)) == [text for text, _ in cases]


def test_every_form_of_an_empty_inline_string_is_empty():
    for inner in (b"<is/>", b"<is></is>", b"<is><t/></is>", b"<is><t></t></is>", b'<is><r><t xml:space="preserve"/></r></is>'):
        data = xe.rewrite(written([("x", Form(container="inline"))]), "xl/worksheets/sheet1.xml",
                          lambda xml, inner=inner: re.sub(rb"<is>.*?</is>", inner, xml))
        assert hue_dx_texts(data, 1) == [""], inner


# --------------------------------------------------------------------------- any text, any form

TEXTS = st.text(st.one_of(st.sampled_from(list("\n\r\t _x0123456789ABCDEFaf&<>\"'")), st.characters(codec="utf-8")), min_size=1, max_size=30)
FORMS = st.builds(Form, container=st.sampled_from(CONTAINERS), line_end=st.sampled_from(LINE_ENDS), runs=st.integers(1, 4),
                  phonetic=st.booleans(), preserve=st.booleans(), cr=st.sampled_from(["ref", "escape"]), cdata=st.booleans())


@settings(max_examples=60)
@given(st.lists(st.tuples(TEXTS, FORMS), min_size=1, max_size=12), st.integers(0, 2**16), st.booleans())
def test_any_text_in_any_form_reads_as_written(cases, seed, prefix):
    cases = [(text, form if form.container != "result" else Form(container="result", line_end=form.line_end, cr=form.cr,
                                                                    preserve=form.preserve, cdata=form.cdata)) for text, form in cases]
    data = written(cases, seed, prefix)
    want = [sanitize.text(text) for text, _ in cases]  # a lone surrogate is U+FFFD in any reading
    assert [_blank(v) for v in element_texts(data, len(cases))] == [_blank(v) for v in want]
    assert [_blank(v) for v in hue_dx_texts(data, len(cases))] == [_blank(v) for v in want]
    plain = [n for n, (text, form) in enumerate(cases) if "_x" not in _chars(text, form) and form.line_end != "escape"]
    if not prefix and plain:  # openpyxl leaves _xHHHH_ escapes as they are: compared where there are none
        got = openpyxl_texts(data, len(cases))
        assert [_blank(got[n]) for n in plain] == [_blank(want[n]) for n in plain]


@pytest.mark.parametrize("prefix", [False, True])
def test_every_class_mixed_cell_by_cell(prefix):
    """Each class above mixed with the others, in every container, read by hue-dx, by an XML
    parser and (without prefixes, which openpyxl does not read) by openpyxl, cell by cell."""
    rng = random.Random(28)
    texts = [TEXT, " đầu và cuối ", "a\r\nb", "_x000D_", "豊田", "Quyết định\r\nsố 12", "tab\there", "<&>\"'", "😀", "  "]
    cases = []
    for text in texts:
        for container in CONTAINERS:
            form = Form(container=container, line_end=rng.choice(LINE_ENDS), runs=rng.randint(1, 3) if container != "result" else 1,
                        phonetic=container != "result" and rng.random() < 0.5, preserve=rng.random() < 0.7,
                        cr=rng.choice(["ref", "escape"]), cdata=rng.random() < 0.3)
            cases.append((text, form))
    data = written(cases, 28, prefix)
    want = [text for text, _ in cases]
    assert [_blank(v) for v in hue_dx_texts(data, len(cases))] == [_blank(v) for v in want]
    assert [_blank(v) for v in element_texts(data, len(cases))] == [_blank(v) for v in want]
