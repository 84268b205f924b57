"""One workbook written in every form ECMA-376 (transitional and strict) allows: the generator of
variants behind the conformance tests. Test-only code.

``variant(data, forms)`` parses each XML part of a real workbook with ElementTree (the content:
elements, attributes, text) and writes it back in the forms asked for, so the variant says
exactly what the original says, only written otherwise. The forms (``FORMS``), in the order
they apply:

- structure: ``positional`` (the r of a row or cell left out wherever it follows the previous
  one), ``dense-positional`` (empty rows and cells filling every gap, no r at all),
  ``shared-formulas`` (formulas that are one formula moved down a column written as a shared
  group), ``inline-strings`` and ``shared-strings`` (text moved to or from the shared table),
  ``rich-text`` (texts cut into runs with run properties), ``phonetic`` (phonetic runs and
  properties added, as Japanese Excel writes them), ``escaped`` (characters written as
  _xHHHH_), ``iso-dates`` (date cells as t="d" ISO 8601 text), ``date1904`` (the 1904 date
  system, date serials moved by 1,462 days);
- parts: ``renamed-parts`` (the workbook at /book.xml, every part elsewhere, absolute targets),
  ``relative-parts`` (the workbook at xl/main.xml, sheets in another folder reached with ../),
  ``case-parts`` (zip names in another case than the relationships say);
- namespaces: ``strict`` (the Strict namespaces and relationship types), ``prefixed`` (every
  SpreadsheetML element as <x:…>, other parts' default namespaces prefixed too);
- text and syntax: ``crlf`` and ``cr`` (line feeds in text written as CR LF or a lone CR),
  ``charrefs`` (non-ASCII and line feeds as character references), ``cdata`` (text in CDATA
  sections), ``comments`` (comments and processing instructions everywhere, inside text too),
  ``expanded`` (<x></x> for every empty element), ``single-quotes``, ``attribute-forms``
  (spaces around "=", other separators, reversed order, a space before ">"), ``end-tag-spaces``
  (</c >), ``pretty`` (indentation where whitespace means nothing), ``utf16``;
- zip: ``zip-descriptors`` (data descriptors, sizes after the data), ``zip64`` (ZIP64 extras
  and end records), ``zip-directories`` (directory entries), ``zip-stored`` (no compression),
  ``zip-order`` (members in another order).

A variant with no form is the workbook written back as is (every empty element self-closing).
``dates`` names the cells holding dates (sheet, cell): the date forms change only those."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import random
import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from xml.etree import ElementTree as ET

from openpyxl.utils import column_index_from_string

from hue_dx.intake.xlsx import move_formula

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
STRICT = {MAIN: "http://purl.oclc.org/ooxml/spreadsheetml/main",
          REL: "http://purl.oclc.org/ooxml/officeDocument/relationships",
          "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties": "http://purl.oclc.org/ooxml/officeDocument/customProperties",
          "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
          "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
          "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main"}
STRICT_TYPES = {"custom-properties": "customProperties", "extended-properties": "extendedProperties"}

STRUCTURE = ("positional", "dense-positional", "shared-formulas", "inline-strings", "shared-strings", "rich-text", "phonetic",
             "escaped", "iso-dates", "date1904")
PARTS = ("renamed-parts", "relative-parts", "case-parts")
SYNTAX = ("strict", "prefixed", "crlf", "cr", "charrefs", "cdata", "comments", "expanded", "single-quotes", "attribute-forms",
          "end-tag-spaces", "pretty", "utf16")
ZIP = ("zip-descriptors", "zip64", "zip-directories", "zip-stored", "zip-order")
FORMS = STRUCTURE + PARTS + SYNTAX + ZIP
# forms that cannot stand together (each rewrites the same thing its own way)
EXCLUSIVE = ({"positional", "dense-positional"}, {"inline-strings", "shared-strings"}, {"renamed-parts", "relative-parts"},
             {"crlf", "cr", "charrefs"})


def q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


# --------------------------------------------------------------------------- the package


@dataclass
class Part:
    root: ET.Element
    prefixes: dict[str, str]  # namespace -> prefix as the original declared it ("" for the default)


@dataclass
class Book:
    """A package being rewritten: XML parts as trees, other members as bytes."""

    parts: dict[str, Part | bytes]
    dates: set[tuple[str, str]] = field(default_factory=set)  # (sheet, cell) holding a date
    date1904: bool = False

    def xml(self, member: str) -> Part:
        part = self.parts.get(member)
        if part is None:  # part names compare without regard to case
            part = next(p for name, p in self.parts.items() if name.casefold() == member.casefold())
        assert isinstance(part, Part), member
        return part

    def has(self, member: str) -> bool:
        return any(name.casefold() == member.casefold() for name in self.parts)

    def relationships(self, source: str) -> list[tuple[ET.Element, str]]:
        """(Relationship element, target member) of a part ("" for the package)."""
        rels = rels_name(source) if source else "_rels/.rels"
        if not self.has(rels):
            return []
        folder = posixpath.dirname(source)
        out = []
        for element in self.xml(rels).root:
            if element.get("TargetMode") == "External":
                continue
            target = element.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append((element, member))
        return out

    def workbook(self) -> str:
        return next(m for e, m in self.relationships("") if e.get("Type", "").endswith("/officeDocument"))

    def sheets(self) -> dict[str, str]:
        """Sheet name -> member."""
        book = self.workbook()
        targets = {e.get("Id"): m for e, m in self.relationships(book)}
        return {s.get("name", ""): targets[s.get(f"{{{REL}}}id", "")] for s in self.xml(book).root.iter(q("sheet"))}

    def shared_strings(self) -> str | None:
        return next((m for e, m in self.relationships(self.workbook()) if e.get("Type", "").endswith("/sharedStrings")), None)


def rels_name(source: str) -> str:
    folder, name = posixpath.split(source)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def parse(data: bytes) -> Book:
    parts: dict[str, Part | bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            content = zf.read(info)
            if info.filename.endswith((".xml", ".rels")):
                prefixes: dict[str, str] = {}
                for _, (prefix, uri) in ET.iterparse(io.BytesIO(content), events=("start-ns",)):
                    prefixes.setdefault(uri, prefix)
                parts[info.filename] = Part(ET.fromstring(content), prefixes)
            else:
                parts[info.filename] = content
    return Book(parts)


# --------------------------------------------------------------------------- structure


_REF = re.compile(r"([A-Z]+)([0-9]+)")


def positional(book: Book, dense: bool = False) -> None:
    for member in book.sheets().values():
        data = book.xml(member).root.find(q("sheetData"))
        if data is None:
            continue
        rows: list[ET.Element] = []
        previous_row = 0
        for row in list(data):
            number = int(row.get("r", previous_row + 1))
            while dense and previous_row + 1 < number:
                rows.append(ET.Element(q("row")))
                previous_row += 1
            if number == previous_row + 1:
                row.attrib.pop("r", None)
            previous_row = number
            cells: list[ET.Element] = []
            previous = 0
            for cell in list(row):
                match = _REF.fullmatch(cell.get("r", ""))
                column = column_index_from_string(match.group(1)) if match else previous + 1
                while dense and previous + 1 < column:
                    cells.append(ET.Element(q("c")))
                    previous += 1
                if column == previous + 1:
                    cell.attrib.pop("r", None)
                cells.append(cell)
                previous = column
            row[:] = cells
            rows.append(row)
        data[:] = rows


def _cells(book: Book) -> Iterable[tuple[str, ET.Element]]:
    for sheet, member in book.sheets().items():
        for cell in book.xml(member).root.iter(q("c")):
            yield sheet, cell


def _insert_value(cell: ET.Element, child: ET.Element) -> None:
    """A v or is element in its place: after any f, before any extLst."""
    at = 1 if len(cell) and cell[0].tag == q("f") else 0
    cell.insert(at, child)


def inline_strings(book: Book) -> None:
    member = book.shared_strings()
    if member is None:
        return
    items = list(book.xml(member).root.iter(q("si")))
    for _, cell in _cells(book):
        if cell.get("t") == "s" and (value := cell.find(q("v"))) is not None:
            cell.remove(value)
            cell.set("t", "inlineStr")
            inline = ET.Element(q("is"))
            inline.extend(_copy(child) for child in items[int(value.text or "0")])
            _insert_value(cell, inline)


def _copy(element: ET.Element) -> ET.Element:
    return ET.fromstring(ET.tostring(element))


def shared_strings(book: Book) -> None:
    member = book.shared_strings()
    if member is None:
        workbook = book.workbook()
        member = posixpath.join(posixpath.dirname(workbook), "sharedStrings.xml")
        book.parts[member] = Part(ET.Element(q("sst")), {MAIN: ""})
        rels = book.xml(rels_name(workbook)).root
        ET.SubElement(rels, f"{{{PACKAGE_REL}}}Relationship", {"Id": "rIdStrings", "Type": f"{REL}/sharedStrings",
                                                                "Target": posixpath.relpath(member, posixpath.dirname(workbook))})
        types = book.xml("[Content_Types].xml").root
        ET.SubElement(types, "{http://schemas.openxmlformats.org/package/2006/content-types}Override",
                      {"PartName": "/" + member, "ContentType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"})
    table = book.xml(member).root
    count = len(list(table.iter(q("si"))))
    for _, cell in _cells(book):
        if cell.get("t") == "inlineStr" and (inline := cell.find(q("is"))) is not None:
            cell.remove(inline)
            item = ET.SubElement(table, q("si"))
            item.extend(_copy(child) for child in inline)
            value = ET.Element(q("v"))
            value.text = str(count)
            count += 1
            cell.set("t", "s")
            _insert_value(cell, value)
    table.set("count", str(count))
    table.set("uniqueCount", str(count))


def _string_items(book: Book) -> Iterable[ET.Element]:
    """Every string item: shared (<si>) and inline (<is>)."""
    member = book.shared_strings()
    if member is not None:
        yield from book.xml(member).root.iter(q("si"))
    for _, cell in _cells(book):
        inline = cell.find(q("is"))
        if inline is not None:
            yield inline


def _preserve(t: ET.Element) -> None:
    if t.text and t.text != t.text.strip():
        t.set(f"{{{XML_NS}}}space", "preserve")


def rich_text(book: Book, rng: random.Random) -> None:
    for item in _string_items(book):
        plain = item.find(q("t"))
        if plain is None or len(item) != 1 or len(plain.text or "") < 2:
            continue
        text = plain.text or ""
        cut = sorted(rng.sample(range(1, len(text)), min(2, len(text) - 1)))
        item.remove(plain)
        for n, (start, end) in enumerate(zip([0, *cut], [*cut, len(text)], strict=True)):
            run = ET.SubElement(item, q("r"))
            if n:  # run properties whose names start like the cell's own children: <family>, <vertAlign>, <color>
                props = ET.SubElement(run, q("rPr"))
                for tag, attrs in (("rFont", {"val": "Times New Roman"}), ("family", {"val": "1"}), ("b", {}),
                                   ("color", {"rgb": "FFFF0000"}), ("sz", {"val": "12"}), ("vertAlign", {"val": "baseline"})):
                    ET.SubElement(props, q(tag), attrs)
            t = ET.SubElement(run, q("t"))
            t.text = text[start:end]
            _preserve(t)


def phonetic(book: Book) -> None:
    for item in _string_items(book):
        if item.find(q("t")) is None and item.find(q("r")) is None:
            continue
        guide = ET.SubElement(item, q("rPh"), {"sb": "0", "eb": "1"})
        ET.SubElement(guide, q("t")).text = "ヨミ"
        ET.SubElement(item, q("phoneticPr"), {"fontId": "1", "type": "noConversion"})


_ESCAPABLE = re.compile(r"[\n\t]|[^\x00-\x7f]")


def escaped(book: Book) -> None:
    """Line feeds, tabs and the first non-ASCII letter of each text written as _xHHHH_ (an
    underscore that would start an escape written as _x005F_ first)."""
    def escape(text: str) -> str:
        text = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", text)
        seen = False

        def one(match: re.Match[str]) -> str:
            nonlocal seen
            ch = match.group(0)
            if ch in "\n\t" or not seen:
                seen = seen or ch not in "\n\t"
                return f"_x{ord(ch):04X}_" if ord(ch) <= 0xFFFF else ch
            return ch

        return _ESCAPABLE.sub(one, text)

    for item in _string_items(book):
        for t in item.iter(q("t")):
            if t.text:
                t.text = escape(t.text)
    for _, cell in _cells(book):
        value = cell.find(q("v"))
        if cell.get("t") == "str" and value is not None and value.text:
            value.text = escape(value.text)


def shared_formulas(book: Book) -> None:
    """Runs of a column whose formulas are one formula moved down written as a shared group."""
    for member in book.sheets().values():
        by_column: dict[str, list[tuple[int, ET.Element]]] = {}
        for cell in book.xml(member).root.iter(q("c")):
            formula = cell.find(q("f"))
            match = _REF.fullmatch(cell.get("r", ""))
            if formula is not None and formula.text and formula.get("t") is None and match:
                by_column.setdefault(match.group(1), []).append((int(match.group(2)), cell))
        group = 0
        for letters, cells in by_column.items():
            cells.sort(key=lambda item: item[0])
            n = 0
            while n < len(cells):
                row, master = cells[n]
                text = master.find(q("f")).text or ""  # type: ignore[union-attr]
                end = n + 1
                while end < len(cells) and cells[end][0] == row + (end - n) and \
                        cells[end][1].find(q("f")).text == move_formula(text, f"{letters}{row}", f"{letters}{cells[end][0]}"):  # type: ignore[union-attr]
                    end += 1
                if end - n > 1:
                    master.find(q("f")).attrib.update({"t": "shared", "ref": f"{letters}{row}:{letters}{cells[end - 1][0]}",  # type: ignore[union-attr]
                                                       "si": str(group)})
                    for _, dependent in cells[n + 1:end]:
                        formula = dependent.find(q("f"))
                        formula.text = None  # type: ignore[union-attr]
                        formula.attrib = {"t": "shared", "si": str(group)}  # type: ignore[union-attr]
                    group += 1
                n = end


def _date_cells(book: Book) -> Iterable[ET.Element]:
    sheets = book.sheets()
    for sheet, ref in sorted(book.dates):
        for cell in book.xml(sheets[sheet]).root.iter(q("c")):
            if cell.get("r") == ref:
                yield cell


def _serial_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def date1904(book: Book, rng: random.Random) -> None:
    workbook = book.xml(book.workbook()).root
    settings = workbook.find(q("workbookPr"))
    if settings is None:
        settings = ET.Element(q("workbookPr"))
        at = sum(1 for child in workbook if child.tag in (q("fileVersion"), q("fileSharing")))
        workbook.insert(at, settings)
    settings.set("date1904", rng.choice(["1", "true"]))
    for cell in _date_cells(book):
        value = cell.find(q("v"))
        if value is not None and value.text and cell.get("t", "n") == "n":
            value.text = _serial_text(float(value.text) - 1462)
    book.date1904 = True


def iso_dates(book: Book) -> None:
    base = dt.datetime(1904, 1, 1) if book.date1904 else dt.datetime(1899, 12, 30)
    for cell in _date_cells(book):
        value = cell.find(q("v"))
        if value is not None and value.text and cell.get("t", "n") == "n":
            value.text = (base + dt.timedelta(days=float(value.text))).isoformat()
            cell.set("t", "d")


# --------------------------------------------------------------------------- part names


def rename_parts(book: Book, scheme: str) -> None:
    """Every part moved (a scheme of names), relationships and content types following."""
    sheets = book.sheets()
    workbook = book.workbook()
    moves: dict[str, str] = {}
    if scheme == "case":
        moves = {m: m.upper() if n % 2 else posixpath.join(posixpath.dirname(m), posixpath.basename(m).capitalize())
                 for n, m in enumerate(book.parts) if not m.endswith(".rels") and m != "[Content_Types].xml"}
    else:
        top = "book.xml" if scheme == "root" else "xl/main.xml"
        moves[workbook] = top
        for n, member in enumerate(sheets.values(), 1):
            moves[member] = f"sheets/{n}/page.xml" if scheme == "root" else f"pages/s{n}.xml"
        for element, member in book.relationships(workbook) + book.relationships(""):
            if member not in moves and not element.get("Type", "").endswith(("/worksheet", "/officeDocument")):
                moves[member] = f"parts/{posixpath.basename(member)}" if scheme == "root" else f"xl/other/{posixpath.basename(member)}"
    sources = [""] + [m for m in book.parts if rels_name(m) in book.parts]
    links = {source: book.relationships(source) for source in sources}

    def new(member: str) -> str:
        return moves.get(member, member)

    parts: dict[str, Part | bytes] = {}
    for member, part in book.parts.items():
        if not member.endswith(".rels"):
            parts[new(member)] = part
    for source, rels in links.items():
        rels_part = book.xml(rels_name(source))
        for element, target in rels:
            moved = new(target) if scheme != "case" else target  # "case": the relationships keep the old case
            if scheme == "root":
                element.set("Target", "/" + moved)
            else:
                element.set("Target", posixpath.relpath(moved, posixpath.dirname(new(source)) or "."))
        parts[rels_name(new(source)) if source else "_rels/.rels"] = rels_part
    types = parts["[Content_Types].xml"]
    assert isinstance(types, Part)
    for override in types.root:
        name = override.get("PartName")
        if name and scheme != "case":
            override.set("PartName", "/" + new(name.lstrip("/")))
    book.parts = parts


# --------------------------------------------------------------------------- writing XML


@dataclass(frozen=True)
class Style:
    """How the XML of every part is written."""

    namespaces: dict[str, str] = field(default_factory=dict)  # namespace -> namespace (strict)
    prefixed: bool = False
    newline: str = "\n"  # a line feed in text: "\n", "\r\n", "\r" (raw) or "&#10;"
    charrefs: bool = False
    cdata: bool = False
    comments: bool = False
    expanded: bool = False
    quote: str = '"'
    attribute_forms: bool = False
    end_tag_spaces: bool = False
    pretty: bool = False
    utf16: bool = False


def _escaped(text: str, style: Style, attribute: bool = False) -> str:
    """Text as element content or as an attribute value in the style's quotes: markup escaped, a
    CR always as &#13; (raw, it would be read as a line feed), a line feed the style's way in
    content and as &#10; in an attribute (where a raw one is read as a space, a tab too)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">" and not attribute:
            out.append("&gt;")
        elif attribute and ch == style.quote:
            out.append("&quot;" if ch == '"' else "&apos;")
        elif ch == "\r" or (attribute and ch in "\n\t"):
            out.append(f"&#{code};")
        elif ch == "\n":
            out.append(style.newline)
        elif style.charrefs and code > 127:
            out.append(f"&#{code};" if code % 2 else f"&#x{code:X};")
        else:
            out.append(ch)
    return "".join(out)


def _namespace(tag: str) -> str:
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


class _Writer:
    """One part written in a style: every namespace declared on the root, the root's own as the
    default one (unless ``prefixed``), the others with the prefixes the original gave them
    (mc:Ignorable names them) or new ones."""

    def __init__(self, part: Part, style: Style, rng: random.Random):
        self.style, self.rng = style, rng
        self.out: list[str] = []
        root_uri = _namespace(part.root.tag)
        used = set(part.prefixes)
        for element in part.root.iter():
            used.add(_namespace(element.tag))
            used.update(_namespace(key) for key in element.attrib)
        used -= {"", XML_NS}
        taken = {prefix for prefix in part.prefixes.values() if prefix}
        self.prefixes: dict[str, str] = {}
        for uri in sorted(used, key=lambda u: (u != root_uri, u)):
            original = part.prefixes.get(uri, "")
            if uri == root_uri and not style.prefixed:
                prefix = ""
            elif original:
                prefix = original
            else:
                prefix = next(p for p in ("x", "s", *(f"n{k}" for k in range(99))) if p not in taken)
            taken.add(prefix)
            self.prefixes[uri] = prefix

    def name(self, tag: str, attribute: bool = False) -> str:
        uri = _namespace(tag)
        if not uri:
            return tag
        local = tag.split("}")[1]
        if uri == XML_NS:
            return f"xml:{local}"
        prefix = self.prefixes[uri]
        assert prefix or not attribute, tag  # an attribute in the default namespace needs a prefix
        return f"{prefix}:{local}" if prefix else local

    def text(self, text: str, allow_markup: bool) -> str:
        style, rng = self.style, self.rng
        if not text:
            return ""
        if allow_markup and style.comments and len(text) > 1 and rng.random() < 0.5:
            cut = rng.randrange(1, len(text))
            return self.text(text[:cut], False) + rng.choice(["<!-- ghi chú -->", "<?hue-dx x?>"]) + self.text(text[cut:], False)
        if allow_markup and style.cdata and "]]>" not in text and "\r" not in text and rng.random() < 0.7:
            cut = rng.randrange(0, len(text))
            raw = text[cut:].replace("\n", style.newline if style.newline != "&#10;" else "\n")
            return _escaped(text[:cut], style) + "<![CDATA[" + raw + "]]>"
        return _escaped(text, style)

    def element(self, element: ET.Element, depth: int, declarations: list[tuple[str, str]]) -> None:
        style, rng, out = self.style, self.rng, self.out
        name = self.name(element.tag)
        attributes = declarations + [(self.name(k, True), v) for k, v in element.attrib.items()]
        if style.attribute_forms:
            attributes.reverse()
        parts = []
        for key, value in attributes:
            separator = rng.choice([" ", "\n", "\t", "  ", "\r\n"]) if style.attribute_forms else " "
            equals = rng.choice(["=", " = ", "\t="]) if style.attribute_forms else "="
            parts.append(f"{separator}{key}{equals}{style.quote}{_escaped(value, style, attribute=True)}{style.quote}")
        head = f"<{name}{''.join(parts)}{' ' if style.attribute_forms else ''}"
        end = f"</{name}{' ' if style.end_tag_spaces else ''}>"
        children = list(element)
        if not children and not element.text:
            out.append(f"{head}>{end}" if style.expanded else f"{head}/>")
            return
        out.append(head + ">")
        mixed = bool((element.text or "").strip()) or any((child.tail or "").strip() for child in children)
        out.append(self.text(element.text or "", True))
        for child in children:
            if style.pretty and not mixed:
                out.append("\n" + "  " * (depth + 1))
            if style.comments and not mixed and rng.random() < 0.2:
                out.append("<!--c-->")
            self.element(child, depth + 1, [])
            out.append(self.text(child.tail or "", True))
        if style.pretty and not mixed and children:
            out.append("\n" + "  " * depth)
        out.append(end)

    def write(self, root: ET.Element) -> bytes:
        style = self.style
        declarations = [("xmlns" if prefix == "" else f"xmlns:{prefix}", style.namespaces.get(uri, uri)) for uri, prefix in self.prefixes.items()]
        head = '<?xml version="1.0" encoding="{}" standalone="yes"?>\n'.format("UTF-16" if style.utf16 else "UTF-8")
        if style.comments:
            head += "<!-- viết lại -->\n<?hue-dx prolog?>\n"
        self.out = [head]
        self.element(root, 0, declarations)
        text = "".join(self.out)
        return text.encode("utf-16") if style.utf16 else text.encode("utf-8")


def write_xml(part: Part, style: Style, rng: random.Random) -> bytes:
    return _Writer(part, style, rng).write(part.root)


# --------------------------------------------------------------------------- writing the zip


@dataclass(frozen=True)
class ZipStyle:
    descriptors: bool = False
    zip64: bool = False
    directories: bool = False
    stored: bool = False
    order: bool = False


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it writes each member's sizes after its data."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data) -> int:  # type: ignore[override]
        return self.buffer.write(data)

    def tell(self) -> int:
        raise OSError("unseekable")


def pack(members: dict[str, bytes], style: ZipStyle, rng: random.Random) -> bytes:
    names = list(members)
    if style.order:
        rng.shuffle(names)
    stream: io.RawIOBase | io.BytesIO = _Unseekable() if style.descriptors else io.BytesIO()
    method = zipfile.ZIP_STORED if style.stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(stream, "w", method) as zf:
        if style.directories:
            folders = set()
            for name in names:
                folder = posixpath.dirname(name)
                while folder:
                    folders.add(folder)
                    folder = posixpath.dirname(folder)
            for folder in sorted(folders):
                zf.mkdir(folder)
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2020, 11, 23, 8, 0, 0))
            info.compress_type = method
            with zf.open(info, "w", force_zip64=style.zip64) as f:
                f.write(members[name])
    data = stream.buffer.getvalue() if isinstance(stream, _Unseekable) else stream.getvalue()
    return _zip64_directory(data) if style.zip64 else data


def _zip64_directory(data: bytes) -> bytes:
    """The central directory written again with ZIP64 extras for every size and offset, and a
    ZIP64 end record and locator before the end record (as writers of big archives do)."""
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    directory = data[offset:offset + size]
    entries = []
    pos = 0
    for _ in range(count):
        fixed = directory[pos:pos + 46]
        (sig, made, need, flags, method, time, date, crc, csize, usize, nlen, elen, clen, disk, iattr, eattr,
         local) = struct.unpack("<IHHHHHHIIIHHHHHII", fixed)
        name = directory[pos + 46:pos + 46 + nlen]
        comment = directory[pos + 46 + nlen + elen:pos + 46 + nlen + elen + clen]
        extra = struct.pack("<HHQQQ", 1, 24, usize, csize, local)
        entries.append(struct.pack("<IHHHHHHIIIHHHHHII", sig, made, max(need, 45), flags, method, time, date, crc, 0xFFFFFFFF,
                                   0xFFFFFFFF, nlen, len(extra), clen, disk, iattr, eattr, 0xFFFFFFFF) + name + extra + comment)
        pos += 46 + nlen + elen + clen
    new_directory = b"".join(entries)
    record_at = offset + len(new_directory)
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(new_directory), offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, record_at, 1)
    end_record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:offset] + new_directory + record + locator + end_record


# --------------------------------------------------------------------------- a variant


def variant(data: bytes, forms: Iterable[str] = (), dates: Iterable[tuple[str, str]] = (), seed: int = 0) -> bytes:
    """The workbook ``data`` written in ``forms`` (names from FORMS; any combination where no
    two of one EXCLUSIVE set are asked for)."""
    chosen = set(forms)
    unknown = chosen - set(FORMS)
    assert not unknown, unknown
    for group in EXCLUSIVE:
        assert len(chosen & group) <= 1, chosen & group
    rng = random.Random(seed)
    book = parse(data)
    book.dates = set(dates)
    # the forms that find cells by their reference come before positional
    if "date1904" in chosen:
        date1904(book, rng)
    if "iso-dates" in chosen:
        iso_dates(book)
    if "shared-formulas" in chosen:
        shared_formulas(book)
    if "inline-strings" in chosen:
        inline_strings(book)
    if "shared-strings" in chosen:
        shared_strings(book)
    if "rich-text" in chosen:
        rich_text(book, rng)
    if "phonetic" in chosen:
        phonetic(book)
    if "escaped" in chosen:
        escaped(book)
    if "positional" in chosen or "dense-positional" in chosen:
        positional(book, dense="dense-positional" in chosen)
    for form, scheme in (("renamed-parts", "root"), ("relative-parts", "relative"), ("case-parts", "case")):
        if form in chosen:
            rename_parts(book, scheme)
    style = Style()
    if "strict" in chosen:
        style = replace(style, namespaces=STRICT)
        _strict_types(book)
    style = replace(style, prefixed="prefixed" in chosen, charrefs="charrefs" in chosen, cdata="cdata" in chosen,
                    comments="comments" in chosen, expanded="expanded" in chosen, quote="'" if "single-quotes" in chosen else '"',
                    attribute_forms="attribute-forms" in chosen, end_tag_spaces="end-tag-spaces" in chosen,
                    pretty="pretty" in chosen, utf16="utf16" in chosen,
                    newline="\r\n" if "crlf" in chosen else "\r" if "cr" in chosen else "&#10;" if "charrefs" in chosen else "\n")
    members = {name: write_xml(part, style, random.Random(f"{seed}:{name}")) if isinstance(part, Part) else part
               for name, part in book.parts.items()}
    zip_style = ZipStyle(descriptors="zip-descriptors" in chosen, zip64="zip64" in chosen, directories="zip-directories" in chosen,
                         stored="zip-stored" in chosen, order="zip-order" in chosen)
    return pack(members, zip_style, rng)


def _strict_types(book: Book) -> None:
    """Relationship types in the Strict namespace; the workbook says it conforms to Strict."""
    for member, part in book.parts.items():
        if member.endswith(".rels") and isinstance(part, Part):
            for element in part.root:
                kind = element.get("Type", "")
                if kind.startswith(REL + "/"):
                    last = kind.rsplit("/", 1)[1]
                    element.set("Type", f"{STRICT[REL]}/{STRICT_TYPES.get(last, last)}")
    book.xml(book.workbook()).root.set("conformance", "strict")


