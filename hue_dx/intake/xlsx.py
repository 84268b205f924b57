"""A small, defensive reader for returned .xlsx files: only what the consolidator needs, fast.

Why not openpyxl: it reads everything (about 60 files a second); the consolidator must read
hundreds a second and trust none of them. Why not python-calamine: it has no defined names,
document properties or formulas. So this module reads the zip itself with the standard
library: defined names, custom and core properties, sheet list, cached cell values and
formulas, guarded against decompression bombs, XML entity bombs, encryption and corruption.
Every failure is a ``FileProblem`` with a stable code; nothing here raises anything else.

Parsing uses regular expressions over the raw XML: OOXML written by Excel, LibreOffice, WPS
and openpyxl is regular enough, and any DTD or entity declaration is refused before parsing.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

# Limits: a real assessment workbook is ~100 KB zipped and ~1 MB unzipped.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 2000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file cannot be read as a workbook. ``code`` is a stable issue code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass
class Cell:
    value: object  # float, str, bool, or None
    kind: str  # "n" number, "s" text, "b" boolean, "e" error, "" blank


@dataclass
class RawWorkbook:
    sheets: list[str]
    names: dict[str, str]  # lower-case workbook-scoped name -> definition text
    properties: dict[str, str]  # custom document properties
    modified: str | None  # dcterms:modified (ISO), when the file was last saved
    macros: bool
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # sheet -> ref -> cell (only requested ones)
    formulas: dict[str, list[str]] = field(default_factory=dict)  # sheet -> formulas ("=…") in cell order
    shared_formulas: bool = False  # True when some formulas are shared (then ``formulas`` is incomplete)


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_DEFINED = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)
_REL = re.compile(rb"<Relationship\b([^>]*)/?>")
_PROPERTY = re.compile(rb'<property\b[^>]*\bname="([^"]*)"[^>]*>\s*<vt:(\w+)\b[^>]*>(.*?)</vt:\2>', re.S)
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]*)</dcterms:modified>")
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DEFINED_TEXT = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)
_NAME_TEXT = re.compile(r'\bname="([^"]*)"')
_TYPE = re.compile(rb'\bt="(\w+)"')


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: v for k, v in _ATTR.findall(raw)}


_XML_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"))


def _text(raw: bytes) -> str:
    if b"&" in raw:
        if b"&#" in raw:
            text = html.unescape(raw.decode("utf-8", errors="replace"))
        else:
            for entity, char in _XML_ENTITIES:
                raw = raw.replace(entity, char)
            text = raw.replace(b"&amp;", b"&").decode("utf-8", errors="replace")
    else:
        text = raw.decode("utf-8", errors="replace")
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def sniff(data: bytes, name: str = "") -> None:
    """Refuse what is not an .xlsx before opening it, with the right code."""
    if not data:
        raise FileProblem("file-empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem("file-too-large", f"{len(data) // 1024 // 1024} MB")
    if data.startswith(OLE_MAGIC):
        # An OLE container is either an old .xls or an encrypted (password-protected) .xlsx.
        if "EncryptionInfo".encode("utf-16-le") in data[:65536] or b"EncryptedPackage" in data or \
                "EncryptedPackage".encode("utf-16-le") in data:
            raise FileProblem("file-encrypted")
        raise FileProblem("file-xls")
    if not data.startswith(ZIP_MAGIC):
        raise FileProblem("file-not-workbook")


class _Zip:
    """A zip opened with bomb and encryption checks; members read at most once."""

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise FileProblem("file-corrupt", str(exc)) from None
        if len(infos) > MAX_ENTRIES:
            raise FileProblem("file-zip-bomb", f"{len(infos)} mục")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise FileProblem("file-encrypted")
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise FileProblem("file-zip-bomb", f"{info.filename}: tỷ lệ nén {info.file_size // max(info.compress_size, 1)}")
        if total > MAX_UNZIPPED_BYTES:
            raise FileProblem("file-zip-bomb", f"giải nén {total // 1024 // 1024} MB")
        self.names = {i.filename.lstrip("/"): i for i in infos}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        info = self.names.get(name)
        if info is None:
            raise FileProblem("file-corrupt", f"thiếu phần {name}")
        try:
            data = self.zf.read(info)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise FileProblem("file-corrupt", f"{name}: {exc}") from None
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
            raise FileProblem("file-xml-entities", name)
        return data


def read(data: bytes, wanted: dict[str, set[str]] | Callable[[dict[str, str]], dict[str, set[str]]] | None = None, *,
         formulas: bool = True) -> RawWorkbook:
    """Read a workbook's structure and the cells in ``wanted`` ({sheet: {"D12", …}}), which may
    also be a function of the workbook's defined names (so one pass finds cells by name).

    Raises FileProblem for anything that is not a readable .xlsx.
    """
    sniff(data)
    z = _Zip(data)
    if z.has("mimetype") and b"opendocument" in z.read("mimetype"):
        raise FileProblem("file-ods")
    if not z.has("xl/workbook.xml"):
        raise FileProblem("file-not-workbook", "không có xl/workbook.xml")
    content_types = z.read("[Content_Types].xml") if z.has("[Content_Types].xml") else b""
    macros = z.has("xl/vbaProject.bin") or b"macroEnabled" in content_types
    workbook = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels") if z.has("xl/_rels/workbook.xml.rels") else b""
    targets = {}
    for raw in _REL.findall(rels):
        a = _attrs(raw)
        target = a.get(b"Target", b"").decode()
        targets[a.get(b"Id", b"").decode()] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheets: list[str] = []
    paths: dict[str, str] = {}
    for raw in _SHEET.findall(workbook):
        a = _attrs(raw)
        name = _text(a.get(b"name", b""))
        sheets.append(name)
        paths[name] = targets.get(a.get(b"id", b"").decode(), "")
    names = _defined_names(workbook)
    properties: dict[str, str] = {}
    if z.has("docProps/custom.xml"):
        for prop_name, _, prop_value in _PROPERTY.findall(z.read("docProps/custom.xml")):
            properties[_text(prop_name)] = _text(prop_value)
    modified = None
    if z.has("docProps/core.xml"):
        stamp = _MODIFIED.search(z.read("docProps/core.xml"))
        modified = _text(stamp.group(1)).strip() if stamp else None
    book = RawWorkbook(sheets, names, properties, modified, macros)
    if callable(wanted):
        wanted = wanted(names)

    shared: _SharedStrings | None = None
    for sheet in sheets:
        want = (wanted or {}).get(sheet)
        if not want and not formulas:
            continue
        path = paths.get(sheet)
        if not path or not z.has(path):
            continue
        xml = z.read(path)
        if formulas:
            if b'"shared"' in xml:
                book.shared_formulas = True
            book.formulas[sheet] = _formulas(b"\n=".join(_FTEXT.findall(xml)))
        if not want:
            continue
        cells: dict[str, Cell] = {}
        wanted_refs = {ref.encode() for ref in want}
        hits = [m for m in _cell_pattern(xml, want).findall(xml) if m[0] in wanted_refs]
        for ref_bytes, raw_attrs, raw_value, inline in hits:
            ref = ref_bytes.decode()
            kind = raw_attrs.split(b't="', 1)[1].split(b'"', 1)[0].decode() if b't="' in raw_attrs else "n"
            value: object = None
            if kind == "inlineStr":
                value, kind = "".join(_text(t) for t in _T.findall(inline)), "s"
            elif not raw_value:
                value, kind = None, ""
            elif kind == "s":
                if shared is None:
                    shared = _SharedStrings(z)
                value = shared[int(raw_value)]
            elif kind in ("str", "d"):
                value, kind = _text(raw_value), "s"
            elif kind == "b":
                value = raw_value.strip() == b"1"
            elif kind == "e":
                value = _text(raw_value)
            else:
                try:
                    value, kind = float(raw_value), "n"
                except ValueError:
                    value, kind = _text(raw_value), "s"
            cells[ref] = Cell(value, kind)
        book.cells[sheet] = cells
    return book


_FTEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>")
_CELL_TAIL = rb'"([^>]*?)(?:/>|>(?:<f[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>|<is>(.*?)</is>)?</c>)'
_ANY_CELL = re.compile(rb'<c (?:[^>]*? )?r="([A-Z]+[0-9]+)' + _CELL_TAIL, re.S)
_patterns: dict[frozenset[str], re.Pattern[bytes]] = {}
_ODD_CELL = re.compile(rb"<c (?!r=)|<\w+:c ")  # a cell element that does not start with its reference


# Files of one campaign share a handful of layouts (as generated, as re-saved by Excel, by
# LibreOffice, by WPS): the defined names and the formulas of a sheet are decoded once per
# distinct byte string and remembered, so thousands of files cost little more than one.
_CACHE_LIMIT = 64
_names_cache: dict[bytes, dict[str, str]] = {}
_formulas_cache: dict[bytes, list[str]] = {}


def _remember(cache: dict, key: bytes, make):
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        found = cache[key] = make()
    return found


def _defined_names(workbook: bytes) -> dict[str, str]:
    start, end = workbook.find(b"definedNames>"), workbook.rfind(b"definedNames>")
    block = workbook[start:end] if start >= 0 else b""
    return dict(_remember(_names_cache, hashlib.sha1(block).digest(), lambda: _parse_names(block)))


def _parse_names(block: bytes) -> dict[str, str]:
    names: dict[str, str] = {}
    for name_attrs, body in _DEFINED_TEXT.findall(_text(block)):
        if "localSheetId" in name_attrs:
            continue  # sheet-scoped names (print areas) are not hue-dx's
        found_name = _NAME_TEXT.search(name_attrs)
        if found_name:
            names[found_name.group(1).lower()] = body
    return names


def _formulas(joined: bytes) -> list[str]:
    """A sheet's formulas, "=…" each; decoded in one go (a formula holds no line break here)."""
    if not joined:
        return []
    return _remember(_formulas_cache, hashlib.sha1(joined).digest(), lambda: _text(b"=" + joined).split("\n"))


def _cell_pattern(xml: bytes, want: set[str]) -> re.Pattern[bytes]:
    """A pattern matching only cells of the wanted columns (much faster than every cell), when
    every cell element starts with its reference, as Excel, LibreOffice, WPS and openpyxl write;
    a general one otherwise."""
    if _ODD_CELL.search(xml):
        return _ANY_CELL
    columns = frozenset(ref.rstrip("0123456789") for ref in want)
    pattern = _patterns.get(columns)
    if pattern is None:
        alternatives = b"|".join(sorted(c.encode() for c in columns))
        pattern = _patterns[columns] = re.compile(rb'<c r="((?:' + alternatives + rb')[0-9]+)' + _CELL_TAIL, re.S)
    return pattern


class _SharedStrings:
    """The shared string table, each string decoded only when a wanted cell uses it."""

    def __init__(self, z: _Zip):
        # Split, not a regular expression: the table holds every text of the workbook.
        xml = z.read("xl/sharedStrings.xml") if z.has("xl/sharedStrings.xml") else b""
        self.items = xml.split(b"<si>")[1:] if b"<si>" in xml else _SI.findall(xml)
        self.cache: dict[int, str] = {}

    def __getitem__(self, index: int) -> str:
        if index not in self.cache:
            self.cache[index] = "".join(_text(t) for t in _T.findall(self.items[index])) if 0 <= index < len(self.items) else ""
        return self.cache[index]


_DESTINATION = re.compile(r"^'?(.*?)'?!\$?([A-Z]{1,3})\$?([0-9]+)$")


def destination(definition: str) -> tuple[str, str] | None:
    """'Sheet name'!$D$12 -> ("Sheet name", "D12"); None for constants, ranges or #REF!."""
    match = _DESTINATION.match(definition.strip())
    if not match:
        return None
    sheet = match.group(1).replace("''", "'")
    return sheet, match.group(2) + match.group(3)


def constant(definition: str) -> str | None:
    """="abc" or "abc" -> abc; None when the name is not a string constant."""
    text = definition.strip().lstrip("=")
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return None
