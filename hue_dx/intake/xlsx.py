"""A small, defensive reader for returned .xlsx files: only what the consolidator needs, fast.

Why not openpyxl: it reads everything (5-7 of these workbooks a second on the reference
machine); the consolidator must read hundreds a second and trust none of them. Why not
python-calamine: it has no defined names, document properties or formulas, and turning every
cell of every sheet into a Python object costs about 5 ms a file. So this module reads the
zip itself: defined names, custom and core properties, sheet list, the formulas, and only the
cells it is asked for, guarded against decompression bombs, XML entity bombs, encryption and
corruption. Every failure is a ``FileProblem`` with a stable code; nothing here raises
anything else.

Parsing works on the raw XML bytes: ``bytes.find`` sweeps forward to each wanted cell, and
regular expressions collect formulas; OOXML written by Excel, LibreOffice, WPS and openpyxl
is regular enough, and a general pattern takes over whenever a file is not (namespace
prefixes, other attribute orders, rows out of order). Any DTD is refused before parsing."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import sanitize

try:  # ISA-L inflates about three times faster than zlib; zlib is the fallback everywhere
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - isal is a dependency; kept for platforms without wheels
    import zlib as _inflate  # type: ignore[no-redef]

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


@dataclass(slots=True)
class Cell:
    value: object  # float, str, bool, or None (a formula whose result the file did not store)
    kind: str  # "n" number, "s" text, "b" boolean, "e" error, "" blank
    formula: str = ""  # "=…" when the cell holds a formula (its value is the result the file stored)
    style: int = 0  # the cell's ``s`` attribute: its index into the styles part's cellXfs (``intake.styles``)


@dataclass
class RawWorkbook:
    sheets: list[str]
    names: dict[str, str]  # lower-case workbook-scoped name -> definition text (layout and constants)
    properties: dict[str, str]  # custom document properties
    modified: str | None  # dcterms:modified (ISO), when the file was last saved
    macros: bool
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # sheet -> ref -> cell (only requested ones)
    formulas: dict[str, list[str]] = field(default_factory=dict)  # sheet -> formulas ("=…") in cell order
    zip: _Zip | None = field(default=None, repr=False)
    paths: dict[str, str] = field(default_factory=dict, repr=False)  # sheet -> zip member of every sheet
    # ``names`` in two parts: the names that point at cells (one dict shared by every file with the
    # same table: decide things once per table, treat it as read-only) and those holding a
    # constant (the identity: unit code, generation id… differ from file to file)
    layout: dict[str, str] = field(default_factory=dict, repr=False)
    constants: dict[str, str] = field(default_factory=dict, repr=False)


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<Relationship\b([^>]*)/?>")
_PROPERTY = re.compile(rb'<property\b[^>]*\bname="([^"]*)"[^>]*>\s*<vt:(\w+)\b[^>]*>(.*?)</vt:\2>', re.S)
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]*)</dcterms:modified>")
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DEFINED_TEXT = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)
_NAME_TEXT = re.compile(r'\bname="([^"]*)"')


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
    return _unescape(text) if "_x" in text else text


def _unescape(text: str) -> str:
    """OOXML's _xHHHH_ escapes (how Excel stores a line break pasted from Word: _x000B_) as the
    characters they stand for; an escaped surrogate pair becomes its character, a lone
    surrogate (which no file format can hold) becomes U+FFFD."""
    return sanitize.text(_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text))


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
        raise FileProblem("file-not-workbook", _sniff_kind(data, name))


_MAGIC_KINDS = ((b"%PDF", "tệp PDF"), (b"\x89PNG", "ảnh PNG"), (b"\xff\xd8\xff", "ảnh JPEG"), (b"GIF8", "ảnh GIF"),
                (b"{\\rtf", "văn bản RTF"), (b"Rar!", "tệp nén RAR"), (b"7z\xbc\xaf", "tệp nén 7-Zip"), (b"\x1f\x8b", "tệp nén gzip"))


def _sniff_kind(data: bytes, name: str = "") -> str:
    """What a file that is not a workbook looks like, in words (for the message)."""
    for magic, words in _MAGIC_KINDS:
        if data.startswith(magic):
            return words
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "trang HTML"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "tệp XML hoặc văn bản"
    try:
        data[:4096].decode("utf-8")
        return "tệp văn bản"
    except UnicodeDecodeError:
        return "không rõ định dạng"


class _Zip:
    """A zip opened with bomb and encryption checks; members read at most once.

    The central directory is parsed by ``zipfile``; members are inflated here, straight from
    the local header, with ISA-L when it is installed (``isal``, about 3x faster than zlib on
    these files) and never past the size the directory declares (a lying header cannot blow
    up memory). Each member's CRC-32 is checked, as zipfile would.
    """

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            # zipfile's own words are English ("File is not a zip file"); say it in Vietnamese
            raise FileProblem("file-corrupt", "không mở được phần nén của tệp (tệp bị cắt cụt hoặc hỏng)") from None
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
        self.data = memoryview(data)
        self.names = {i.filename.lstrip("/"): i for i in infos}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        info = self.names.get(name)
        if info is None:
            raise FileProblem("file-corrupt", f"thiếu phần {name}")
        data = self._member(info)
        if _declares_dtd(data):
            raise FileProblem("file-xml-entities", name)
        return data

    def _member(self, info: zipfile.ZipInfo) -> bytes:
        offset = info.header_offset
        header = bytes(self.data[offset:offset + 30])
        if len(header) < 30 or header[:4] != ZIP_MAGIC:
            raise FileProblem("file-corrupt", f"{info.filename}: đầu mục hỏng")
        start = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        raw = self.data[start:start + info.compress_size]
        if len(raw) != info.compress_size:
            raise FileProblem("file-corrupt", f"{info.filename}: tệp bị cắt cụt")
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = _inflate.decompressobj(-15)
            try:
                out = inflater.decompress(raw, info.file_size + 1)
            except Exception as exc:  # noqa: BLE001  (zlib.error or ISA-L's: a broken deflate stream)
                raise FileProblem("file-corrupt", f"{info.filename}: {exc}") from None
        else:
            raise FileProblem("file-corrupt", f"{info.filename}: kiểu nén {info.compress_type} không hỗ trợ")
        if len(out) != info.file_size or _inflate.crc32(out) != info.CRC:
            raise FileProblem("file-corrupt", f"{info.filename}: dữ liệu không khớp (CRC hoặc kích thước)")
        return out


def _declares_dtd(data: bytes) -> bool:
    """True when the XML declares a DTD (where entities, and entity bombs, live). A DTD can only
    stand in the prolog, before the root element, so only the prolog is looked at."""
    pos = 0
    while True:
        start = data.find(b"<", pos)
        if start < 0:
            return False
        if data.startswith(b"<?", start):
            pos = data.find(b"?>", start)
        elif data.startswith(b"<!--", start):
            pos = data.find(b"-->", start)
        else:
            return data.startswith(b"<!", start)  # <!DOCTYPE …>; anything else is the root element
        if pos < 0:
            return False
        pos += 2


def read(data: bytes, wanted: dict[str, set[str]] | Callable[[RawWorkbook], Any] | None = None, *,
         formulas: bool = True) -> RawWorkbook:
    """Read a workbook's structure and the cells in ``wanted`` ({sheet: {"D12", …}}), which may
    also be a function of the workbook's defined names and properties (so one pass finds cells by
    name); such a function may return (wanted, presence): cells of ``presence`` holding text are
    read as ``PRESENT``, their text not decoded (evidence, when only whether it was given matters).

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
    # the sheet list comes before the (long) defined names; the whole part is searched only
    # if a writer put it elsewhere
    names_at = workbook.find(b"definedNames>")
    for raw in _SHEET.findall(workbook, 0, names_at if names_at > 0 else len(workbook)) or _SHEET.findall(workbook):
        a = _attrs(raw)
        name = _text(a.get(b"name", b""))
        sheets.append(name)
        paths[name] = targets.get(a.get(b"id", b"").decode(), "")
    layout, constants = _defined_names(workbook)
    names = {**layout, **constants} if constants else layout
    properties: dict[str, str] = {}
    if z.has("docProps/custom.xml"):
        for prop_name, _, prop_value in _PROPERTY.findall(z.read("docProps/custom.xml")):
            properties[_text(prop_name)] = _text(prop_value)
    modified = None
    if z.has("docProps/core.xml"):
        stamp = _MODIFIED.search(z.read("docProps/core.xml"))
        modified = _text(stamp.group(1)).strip() if stamp else None
    book = RawWorkbook(sheets, names, properties, modified, macros, zip=z)
    book.paths, book.layout, book.constants = paths, layout, constants
    presence: dict[str, set[str]] = {}
    cells_wanted: dict[str, set[str]]
    if callable(wanted):
        planned = wanted(book)
        cells_wanted, presence = planned if isinstance(planned, tuple) else (planned, {})
    else:
        cells_wanted = wanted or {}

    shared: _SharedStrings | None = None
    for sheet in sheets:
        want = cells_wanted.get(sheet)
        only_present = presence.get(sheet, _NOTHING)
        if not want and not formulas:
            continue
        path = paths.get(sheet)
        if not path or not z.has(path):
            continue
        xml = z.read(path)
        plain = _plain(xml)
        if formulas:
            book.formulas[sheet] = _formulas(b"\n=".join((_PLAIN_F if plain else _FTEXT).findall(xml)))
        if not want:
            continue
        cells: dict[str, Cell] = {}
        styled: dict[str, int] = {}
        for ref, raw_attrs, raw_value, inline, formula in _find_cells(xml, want, plain, only_present):
            if style := _style_of(raw_attrs):
                styled[ref] = style
            at = raw_attrs.find(b't="')
            kind = raw_attrs[at + 3:raw_attrs.find(b'"', at + 3)] if at >= 0 else b"n"
            if formula is not None:
                found = _value(kind, raw_value, inline, z, shared)
                shared = found[1]
                cells[ref] = Cell(found[0].value, found[0].kind, "=" + _text(formula))
                continue
            if not raw_value and kind != b"inlineStr":
                continue  # blank
            if kind == b"n":
                try:
                    cells[ref] = Cell(float(raw_value), "n")
                except ValueError:
                    cells[ref] = Cell(_text(raw_value), "s")
            elif kind == b"s":
                if shared is None:
                    shared = _SharedStrings(z)
                try:
                    index = int(raw_value)
                except ValueError:
                    cells[ref] = Cell("", "s")
                    continue
                if ref in only_present:  # only whether it holds text matters: not decoded
                    cells[ref] = Cell(PRESENT if shared.holds_text(index) else "", "s")
                else:
                    cells[ref] = Cell(shared[index], "s")
            elif kind == b"inlineStr":
                cells[ref] = Cell("".join(_text(t) for t in _T.findall(inline)), "s")
            elif kind == b"str":
                cells[ref] = Cell(_text(raw_value), "s")
            elif kind == b"d":
                cells[ref] = _date_cell(_text(raw_value))
            elif kind == b"b":
                cells[ref] = Cell(raw_value.strip() == b"1", "b")
            elif kind == b"e":
                cells[ref] = Cell(_text(raw_value), "e")
            else:  # an unknown type: keep what is there as text
                cells[ref] = Cell(_text(raw_value), "s")
        for ref, style in styled.items():
            if ref in cells:
                cells[ref].style = style
        book.cells[sheet] = cells
    return book


def _value(kind: bytes, raw_value: bytes, inline: bytes, z: _Zip, shared: _SharedStrings | None) -> tuple[Cell, _SharedStrings | None]:
    """The stored result of a formula cell (blank when the file stored none)."""
    if not raw_value and kind != b"inlineStr":
        return Cell(None, ""), shared
    if kind == b"n":
        try:
            return Cell(float(raw_value), "n"), shared
        except ValueError:
            return Cell(_text(raw_value), "s"), shared
    if kind == b"s":
        shared = shared or _SharedStrings(z)
        try:
            return Cell(shared[int(raw_value)], "s"), shared
        except ValueError:
            return Cell("", "s"), shared
    if kind == b"inlineStr":
        return Cell("".join(_text(t) for t in _T.findall(inline)), "s"), shared
    if kind == b"b":
        return Cell(raw_value.strip() == b"1", "b"), shared
    if kind == b"e":
        return Cell(_text(raw_value), "e"), shared
    if kind == b"d":
        return _date_cell(_text(raw_value)), shared
    return Cell(_text(raw_value), "s"), shared


def _style_of(attrs: bytes) -> int:
    """A cell element's ``s`` attribute (0, the default style, when it has none or a bad one)."""
    at = attrs.find(b's="')
    while at > 0 and attrs[at - 1] not in b" \t\r\n":  # another attribute ending in s
        at = attrs.find(b's="', at + 1)
    if at < 0:
        return 0
    end = attrs.find(b'"', at + 3)
    digits = attrs[at + 3:end]
    return int(digits) if digits.isdigit() and len(digits) < 7 else 0


_EPOCH = dt.datetime(1899, 12, 30)


def _date_cell(text: str) -> Cell:
    """A cell stored as an ISO 8601 date (t="d", as some writers store dates): the number Excel
    and LibreOffice use for it (days since 1899-12-30), which is what the formulas see."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", ""))
    except ValueError:
        return Cell(text, "s")
    return Cell((when - _EPOCH).total_seconds() / 86400, "n")


def _plain(xml: bytes) -> bool:
    """True when the sheet's elements carry no namespace prefix (<worksheet>, <c>, <f>), as
    Excel, LibreOffice, WPS and openpyxl write them: then the fast paths below apply."""
    head = xml[:1024]
    return b"<worksheet" in head


def _find_cells(xml: bytes, want: set[str], plain: bool, present: frozenset[str] | set[str] = frozenset()
                ) -> list[tuple[str, bytes, bytes, bytes, bytes | None]]:
    """(ref, attributes, value, inline text, formula or None) of each wanted cell that holds
    something: a value or a formula (a cell left out is blank).

    Fast path: rows and cells are written in order, each cell starting with its reference
    (``<c r="D12"``), so the wanted cells are found one after the other with ``bytes.find``
    (a single forward sweep, no object per unwanted cell). Wanted cells side by side in a row
    (a criterion's four evidence cells) are looked at together first: when their span holds no
    value, one look tells; when they are wanted only for whether they hold something
    (``present``), one look tells too (the first of them stands for the run, holding ``PRESENT``);
    otherwise each is read as a single cell. A wanted cell not found that way (a writer that
    orders attributes differently or leaves blank cells out) is looked up by the general
    pattern, so the result is the same either way, only slower.
    """
    out: list[tuple[str, bytes, bytes, bytes, bytes | None]] = []
    missing: list[str] = []
    if plain:
        pos = 0
        find = xml.find
        startswith = xml.startswith
        for refs, needles in _plan(want):
            if len(refs) > 1:  # a run of adjacent cells: find its span, look inside only if something is there
                start = find(needles[0], pos)
                last = find(needles[-1], start) if start >= 0 else -1
                close = find(b">", last) if last >= 0 else -1
                if close < 0:
                    missing.extend(refs)
                    continue
                end = close + 1 if xml[close - 1] == 47 else find(b"</c>", close) + 4  # 47: "/", an empty cell
                if end < close:
                    missing.extend(refs)
                    continue
                if find(b"<v>", start, end) < 0 and find(b"<is>", start, end) < 0:
                    pos = end
                    continue
                if refs[0] in present and all(ref in present for ref in refs):
                    out.append((refs[0], b' t="str"', _PRESENT_BYTES, b"", None))
                    pos = end
                    continue
                pos = start  # something is there: each cell of the run is looked at as a single one
            for ref, needle in zip(refs, needles, strict=True):
                start = find(needle, pos)
                if start < 0:
                    start = find(needle)  # rows out of order
                    if start < 0:
                        missing.append(ref)
                        continue
                head_end = find(b">", start)
                if head_end < 0:
                    missing.append(ref)
                    continue
                if xml[head_end - 1] == 47:  # "/>": an empty cell, nothing to convert (absent means blank)
                    pos = head_end
                    continue
                if startswith(b"<v>", head_end + 1):  # the common case, a value and nothing else: 2 looks
                    value_end = find(b"</v>", head_end + 4)
                    if value_end >= 0 and startswith(b"</c>", value_end + 4):
                        out.append((ref, xml[start + len(needle):head_end], xml[head_end + 4:value_end], b"", None))
                        pos = value_end + 8
                        continue
                elif startswith(b"<f>", head_end + 1):  # a plain formula (a score, a status) and perhaps its result
                    formula_end = find(b"</f>", head_end + 4)
                    if formula_end >= 0:
                        after = formula_end + 4
                        if startswith(b"</c>", after):  # no stored result
                            out.append((ref, xml[start + len(needle):head_end], b"", b"", xml[head_end + 4:formula_end]))
                            pos = after + 4
                            continue
                        if startswith(b"<v>", after):
                            value_end = find(b"</v>", after + 3)
                            if value_end >= 0 and startswith(b"</c>", value_end + 4):
                                out.append((ref, xml[start + len(needle):head_end], xml[after + 3:value_end], b"",
                                            xml[head_end + 4:formula_end]))
                                pos = value_end + 8
                                continue
                end = find(b"</c>", head_end)
                if end < 0:
                    missing.append(ref)
                    continue
                value = inline = b""
                formula = None
                if find(b"<f", head_end, end) >= 0:  # rare in cells read (an input typed as a formula)
                    formula = _formula_text(xml[head_end + 1:end])
                value_start = find(b"<v>", head_end, end)
                if value_start >= 0:
                    value_end = find(b"</v>", value_start, end)
                    if value_end >= 0:
                        value = xml[value_start + 3:value_end]
                elif find(b"<is>", head_end, end) >= 0:
                    inline = xml[head_end + 1:end]
                if value or inline or formula is not None:
                    out.append((ref, xml[start + len(needle):head_end], value, inline, formula))
                pos = end
        if not missing:
            return out
    else:
        missing = list(want)
    out.extend(_any_cells(xml, set(missing)))
    return out


def _any_cells(xml: bytes, wanted: set[str]) -> list[tuple[str, bytes, bytes, bytes, bytes | None]]:
    """The general pattern: wanted cells that hold something, written however."""
    out = []
    for lead, ref_bytes, attrs, formula, value, inline in _ANY_CELL.findall(xml):
        if (value or inline or formula) and (ref := ref_bytes.decode()) in wanted:
            out.append((ref, lead + attrs, value, inline, _formula_text(formula) if formula else None))
    return out


_F_BODY = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")


def _formula_text(cell_body: bytes) -> bytes:
    """The text of the formula inside a cell element's body (empty for a shared formula's
    dependent cell, which only points to its group)."""
    match = _F_BODY.search(cell_body)
    if match is None:
        return b""
    return match.group(2) or b""


_PLANS: dict[frozenset[str], list[tuple[tuple[str, ...], tuple[bytes, ...]]]] = {}
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _plan(want: set[str]) -> list[tuple[tuple[str, ...], tuple[bytes, ...]]]:
    """The wanted cells in the order a sheet stores them (by row, then column), adjacent cells
    of a row grouped into runs; with the bytes each cell element starts with."""
    key = frozenset(want)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _CACHE_LIMIT:
            _PLANS.clear()
        cells = []
        for ref in want:
            match = _REF.fullmatch(ref)
            if match:
                column = 0
                for letter in match.group(1):
                    column = column * 26 + ord(letter) - 64
                cells.append((int(match.group(2)), column, ref))
        cells.sort()
        runs: list[list[tuple[int, int, str]]] = []
        for cell in cells:
            if runs and cell[0] == runs[-1][-1][0] and cell[1] == runs[-1][-1][1] + 1:
                runs[-1].append(cell)
            else:
                runs.append([cell])
        plan = _PLANS[key] = [(tuple(ref for _, _, ref in run), tuple(b'<c r="' + ref.encode() + b'"' for _, _, ref in run))
                              for run in runs]
    return plan


_FTEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>")
_PLAIN_F = re.compile(rb"<f(?: [^>]*)?>([^<]*)</f>")  # the same without namespace prefixes: ~3x faster
# Any cell, whatever its attribute order or namespace prefix:
# (attributes before the reference, ref, attributes after it, value, inline text).
_ANY_CELL = re.compile(rb'<(?:\w+:)?c ((?:[^>]*? )?)r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(<(?:\w+:)?f[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))?'
                       rb'(?:<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>|<(?:\w+:)?is>(.*?)</(?:\w+:)?is>)?</(?:\w+:)?c>)', re.S)


# Files of one campaign share a handful of layouts (as generated, as re-saved by Excel, by
# LibreOffice, by WPS): the defined names and the formulas of a sheet are decoded once per
# distinct byte string and remembered (keyed by the bytes themselves: hashing them costs less
# than decoding, and equal keys are compared in full, so no collision can mix two files up).
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


# a name holding a text constant: ="…" or "…", the quote written as is or as &quot; (LibreOffice)
_CONSTANT_NAME = re.compile(rb'<(?:\w+:)?definedName\b[^>]*>=?(?:"|&quot;)[^<]*</(?:\w+:)?definedName>')


def _defined_names(workbook: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The workbook-scoped names: those that point at cells (files with the same table share one
    dict, decoded once), and those holding a constant (the identity, different in every unit's
    file, so never part of what is shared: distinct units still share their layout)."""
    start, end = workbook.find(b"definedNames>"), workbook.rfind(b"definedNames>")
    block = workbook[start:end] if start >= 0 else b""
    constants = _CONSTANT_NAME.findall(block)
    if constants:
        block = _CONSTANT_NAME.sub(b"", block)
    layout = _remember(_names_cache, block, lambda: _parse_names(block))
    return layout, (_parse_names(b"".join(constants)) if constants else {})


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
    return _remember(_formulas_cache, joined, lambda: _text(b"=" + joined).split("\n"))


PRESENT = "…"  # the value of a cell read for its presence only (its text was not decoded)
_PRESENT_BYTES = PRESENT.encode("utf-8")
_NOTHING: frozenset[str] = frozenset()
_SOME_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>[^<]")


class _SharedStrings:
    """The shared string table, each string decoded only when a wanted cell uses it."""

    def __init__(self, z: _Zip):
        # Split, not a regular expression: the table holds every text of the workbook.
        xml = z.read("xl/sharedStrings.xml") if z.has("xl/sharedStrings.xml") else b""
        self.items = xml.split(b"<si>")[1:] if b"<si>" in xml else _SI.findall(xml)
        self.cache: dict[int, str] = {}

    def holds_text(self, index: int) -> bool:
        """Whether a string has any character, without decoding it."""
        return 0 <= index < len(self.items) and _SOME_TEXT.search(self.items[index]) is not None

    def __getitem__(self, index: int) -> str:
        found = self.cache.get(index)
        if found is None:
            found = self.cache[index] = self._decode(index) if 0 <= index < len(self.items) else ""
        return found

    def _decode(self, index: int) -> str:
        item = self.items[index]
        # Most strings are one plain run, <t>…</t> or <t xml:space="preserve">…</t>, right
        # before </si>: sliced out directly. Rich text (several runs) goes through the pattern.
        if item.startswith((b"<t>", b"<t ")):
            start = item.find(b">") + 1
            end = item.find(b"</t>", start)
            if end >= 0 and item.startswith(b"</si>", end + 4) and item.find(b"<", start, end) < 0:
                return _text(item[start:end])
        return "".join(_text(t) for t in _T.findall(item))


# ---------------------------------------------------------------- formulas cell by cell
# Only when a file's formulas differ from the generator's (rare): which cell holds what.

_CELL_F = re.compile(rb'<(?:\w+:)?c ((?:[^>]*? )?)r="([A-Z]+[0-9]+)"([^>]*?)>(?:(?!</(?:\w+:)?c>).)*?'
                     rb'<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)', re.S)


def formula_cells(raw: RawWorkbook, sheet: str) -> dict[str, str]:
    """Every formula of a sheet by cell ("F12" -> "=IF(…)"); a shared formula's dependent
    cells get the shared formula moved to them, as Excel reads it."""
    path = raw.paths.get(sheet)
    if raw.zip is None or not path or not raw.zip.has(path):
        return {}
    out: dict[str, str] = {}
    masters: dict[bytes, tuple[str, str]] = {}
    dependents: list[tuple[str, bytes]] = []
    for _, ref_bytes, _, f_attrs, text in _CELL_F.findall(raw.zip.read(path)):
        ref = ref_bytes.decode()
        attrs = _attrs(f_attrs)
        if attrs.get(b"t") == b"shared":
            si = attrs.get(b"si", b"")
            if text:
                masters[si] = (ref, _text(text))
            else:
                dependents.append((ref, si))
                continue
        out[ref] = "=" + _text(text)
    for ref, si in dependents:
        master = masters.get(si)
        out[ref] = "=" + (move_formula(master[1], master[0], ref) if master else "")
    return out


def read_cells(raw: RawWorkbook, sheet: str, refs: set[str]) -> dict[str, Cell]:
    """Some cells of a sheet read again, whatever they hold (for cells not planned at first)."""
    path = raw.paths.get(sheet)
    if not refs or raw.zip is None or not path or not raw.zip.has(path):
        return {}
    shared: _SharedStrings | None = None
    out = {}
    for ref, attrs, value, inline, formula in _any_cells(raw.zip.read(path), refs):
        at = attrs.find(b't="')
        kind = attrs[at + 3:attrs.find(b'"', at + 3)] if at >= 0 else b"n"
        cell, shared = _value(kind, value, inline, raw.zip, shared)
        cell.formula = "=" + _text(formula) if formula is not None else ""
        cell.style = _style_of(attrs)
        out[ref] = cell
    return out


def ref_key(ref: str) -> tuple[int, int]:
    """Sort key of a cell reference: row, then column (the order a sheet stores cells in)."""
    match = _REF.fullmatch(ref)
    return (int(match.group(2)), _column(match.group(1))) if match else (0, 0)


_A1 = re.compile(r"(?<![A-Za-z0-9_.'!\]])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_(])")
_QUOTED = re.compile(r'("(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'!?)')


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def move_formula(formula: str, origin: str, target: str) -> str:
    """A formula written at ``origin`` as it reads at ``target``: relative references move,
    absolute ($) ones stay; text in quotes and quoted sheet names are left alone."""
    o = _REF.fullmatch(origin)
    t = _REF.fullmatch(target)
    if not o or not t:
        return formula
    dc, dr = _column(t.group(1)) - _column(o.group(1)), int(t.group(2)) - int(o.group(2))

    def move(m: re.Match[str]) -> str:
        col = m.group(2) if m.group(1) else _letters(max(1, _column(m.group(2)) + dc))
        row = m.group(4) if m.group(3) else str(max(1, int(m.group(4)) + dr))
        return f"{m.group(1)}{col}{m.group(3)}{row}"

    parts = _QUOTED.split(formula)
    return "".join(part if n % 2 else _A1.sub(move, part) for n, part in enumerate(parts))


_NUMBER = re.compile(r"(?<![A-Za-z0-9_$.])([0-9]+\.?[0-9]*(?:[Ee][+-]?[0-9]+)?)(?![A-Za-z0-9_(.$])")


def canonical_formula(formula: str) -> str:
    """A formula with each number literal written one way (Gnumeric writes 0.01 as
    0.0099999999999999999998; equal values are the same formula), outside quoted text."""
    def number(m: re.Match[str]) -> str:
        try:
            return repr(float(m.group(1)))
        except ValueError:
            return m.group(1)

    parts = _QUOTED.split(formula)
    return "".join(part if n % 2 else _NUMBER.sub(number, part) for n, part in enumerate(parts))


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
