"""A small, defensive reader for returned .xlsx files: only what the consolidator needs, fast.

Why not openpyxl: it reads everything (5-7 of these workbooks a second on the reference
machine); the consolidator must read hundreds a second and trust none of them. Why not
python-calamine: it has no defined names, document properties or formulas, and turning every
cell of every sheet into a Python object costs about 5 ms a file. So this module reads the
zip itself: defined names, custom and core properties, sheet list, the formulas, and only the
cells it is asked for, guarded against decompression bombs, XML entity bombs, encryption and
corruption. Every failure is a ``FileProblem`` with a stable code; nothing here raises
anything else.

It reads the package as ECMA-376 (transitional and strict) defines it, not as a few programs
happen to write it: parts are found through relationships (``_rels/.rels`` names the workbook,
whatever its name; the workbook's relationships name its sheets and shared strings, targets
relative or absolute), in either namespace set, with or without element prefixes, rows and
cells with or without their ``r`` attribute, any element empty or self-closing, the 1900 or
1904 date system, text as XML defines it (line ends, character references, CDATA) and as
SpreadsheetML escapes it (``_xHHHH_``, decoded once), rich text joined and phonetic runs left out.

Parsing works on the raw XML bytes: ``bytes.find`` sweeps forward to each wanted cell, and
regular expressions collect formulas. That is exact once a part is *regular*: every ``<`` starts
a tag and SpreadsheetML elements carry no prefix. Excel, LibreOffice, WPS and openpyxl write
regular parts, which a few single-byte searches confirm; any other part is made regular first,
exactly (comments and processing instructions dropped, CDATA sections written as escaped text,
the prefix bound to SpreadsheetML's namespace on the root element removed). A sheet whose cells
are not all written ``<c r="…"`` (positional cells, other attribute forms) gets each row and cell
its explicit reference first (``_positioned``), so cells are found the same way. Any DTD is
refused before parsing."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import urllib.parse
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
    style: int = 0  # a number's ``s`` attribute: its index into the styles part's cellXfs (``intake.styles``)


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
    # the workbook's date system: True when serials count from 1904-01-01 (Excel for Mac's
    # option, <workbookPr date1904="1"/>); see ``serial_date``
    date1904: bool = False
    strings: _SharedStrings | None = field(default=None, repr=False)  # the shared string table, read when first needed
    styles: str | None = field(default=None, repr=False)  # the styles part, found through the workbook's relationships


# ---------------------------------------------------------------- dates

_BASE_1900 = dt.date(1899, 12, 30)  # serial 61 and on (1 March 1900 and later)
_BASE_1900_EARLY = dt.date(1899, 12, 31)  # serials 1 to 59: Excel counts a 29 February 1900 (serial 60)
_BASE_1904 = dt.date(1904, 1, 1)


def serial_date(value: object, date1904: bool = False) -> dt.date | None:
    """The day a date serial stands for in a workbook's date system (ECMA-376 Part 1,
    18.17.4.1): in the 1900 system serial 1 is 1 January 1900 and serial 60 the 29 February
    1900 Excel counts (no such day: None); in the 1904 system serial 0 is 1 January 1904. The
    fraction (a time of day) is dropped; None for what is no day of years 1900-9999."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    days = math.floor(value)
    if date1904:
        base = _BASE_1904
    elif days < 1 or days == 60:
        return None
    else:
        base = _BASE_1900_EARLY if days < 60 else _BASE_1900
    if days < 0:
        return None
    try:
        return base + dt.timedelta(days=days)
    except OverflowError:
        return None


def _date_serial(when: dt.datetime, date1904: bool) -> float:
    """The serial of a moment in a workbook's date system (the inverse of ``serial_date``)."""
    if date1904:
        base = _BASE_1904
    else:
        base = _BASE_1900 if when.date() >= dt.date(1900, 3, 1) else _BASE_1900_EARLY
    return (when - dt.datetime.combine(base, dt.time())).total_seconds() / 86400


def _date_cell(text: str, date1904: bool) -> Cell:
    """A cell stored as an ISO 8601 date (t="d", as some writers store dates): the serial Excel
    and LibreOffice use for it in the workbook's own date system, which is what the formulas see.
    A time zone, when written, is dropped: the wall-clock time is the cell's."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", ""))
    except ValueError:
        return Cell(text, "s")
    return Cell(_date_serial(when.replace(tzinfo=None), date1904), "n")


# ---------------------------------------------------------------- text

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_REFERENCE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,7})|(lt|gt|amp|quot|apos));")
_XML_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"))
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ATTR_SPACE = re.compile(rb"[\t\n\r]")


def _xml_char(code: int) -> str:
    """A character reference's character; one XML cannot hold (not well-formed) is U+FFFD."""
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    return "\ufffd"


def _reference(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _NAMED[name]
    return _xml_char(int(decimal) if decimal else int(hexadecimal, 16))


def _xml_text(raw: bytes) -> str:
    """Character data as an XML processor passes it on: a raw CR LF or lone CR is one LF (XML 1.0,
    2.11), then entity and character references are replaced (so &#13; stays a CR)."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" not in raw:
        return raw.decode("utf-8", errors="replace")
    if b"&#" in raw:
        return _REFERENCE.sub(_reference, raw.decode("utf-8", errors="replace"))
    for entity, char in _XML_ENTITIES:
        raw = raw.replace(entity, char)
    return raw.replace(b"&amp;", b"&").decode("utf-8", errors="replace")


def _text(raw: bytes) -> str:
    """A SpreadsheetML string: XML's text, then the _xHHHH_ escapes decoded once. (The common
    case, plain UTF-8, in one call: this runs for every text cell read.)"""
    if b"&" in raw or b"\r" in raw:
        text = _xml_text(raw)
    else:
        text = raw.decode("utf-8", errors="replace")
    return _unescape(text) if "_x" in text else text


def _attr_value(raw: bytes) -> str:
    """An attribute value as XML normalises it (3.3.3): each raw tab, line feed, CR or CR LF is
    one space; character references (&#10;) are kept as the characters they stand for."""
    if b"\t" in raw or b"\n" in raw or b"\r" in raw:
        raw = _ATTR_SPACE.sub(b" ", raw.replace(b"\r\n", b" "))
    elif b"&" not in raw:
        return raw.decode("utf-8", errors="replace")
    return _xml_text(raw)


def _attr_text(raw: bytes) -> str:
    """A SpreadsheetML string held in an attribute (a sheet's name, a defined name)."""
    text = _attr_value(raw)
    return _unescape(text) if "_x" in text else text


def _unescape(text: str) -> str:
    """OOXML's _xHHHH_ escapes (how Excel stores a line break pasted from Word: _x000B_) as the
    characters they stand for, in one pass from left to right (so _x005F_x000D_, an escaped
    underscore, is the text "_x000D_"); an escaped surrogate pair becomes its character, a lone
    surrogate (which no file format can hold) becomes U+FFFD."""
    return sanitize.text(_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text))


_ATTR = re.compile(rb"""([^\s=/<>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# a start tag's attributes (a quoted value may hold ">"): _TAG_ATTRS up to ">" (a "/" of "/>" included),
# _OPEN_ATTRS up to what ends the start tag, "/>" or ">", so that an empty element is told apart
_TAG_ATTRS = rb"""((?:[^>"']+|"[^"]*"|'[^']*')*)"""
_OPEN_ATTRS = rb"""((?:[^>"'/]+|"[^"]*"|'[^']*'|/(?!>))*)"""


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    """A start tag's attributes by local name (r:id is "id"), values as written (not decoded)."""
    return {name.rsplit(b":", 1)[-1]: double or single for name, double, single in _ATTR.findall(raw)}


_RICH_T = re.compile(rb"<t\b[^>]*?(?:/>|>([^<]*)</t\s*>)")
_PHONETIC = re.compile(rb"<rPh\b[^>]*?(?:/>|>.*?</rPh\s*>)", re.S)
_SOME_TEXT = re.compile(rb"<t\b[^>]*(?<!/)>[^<]")


def _rich_text(raw: bytes) -> str:
    """The text of a string item (<si>, <is>): its runs joined; phonetic runs (<rPh>, the
    furigana Japanese Excel adds) are a reading guide, not text, and are left out."""
    if raw.startswith(b"<is><t>"):  # an inline string of one plain run (openpyxl's, hue-dx's): sliced out
        end = raw.find(b"<", 7)
        if end + 9 == len(raw) and raw.startswith(b"</t></is>", end):
            return _text(raw[7:end])
    if b"<rPh" in raw:
        raw = _PHONETIC.sub(b"", raw)
    return "".join(_text(t) for t in _RICH_T.findall(raw))


def _holds_text(raw: bytes) -> bool:
    """Whether a string item has any character, without decoding it."""
    if b"<rPh" in raw:
        raw = _PHONETIC.sub(b"", raw)
    return _SOME_TEXT.search(raw) is not None


# ---------------------------------------------------------------- the file and its zip


_SPREADSHEET_TYPES = (b"spreadsheetml.sheet.main", b"spreadsheetml.template.main", b"ms-excel.sheet.macroEnabled.main",
                      b"ms-excel.template.macroEnabled.main", b"ms-excel.addin.macroEnabled.main")


def is_workbook_package(zf: zipfile.ZipFile) -> bool:
    """Whether an opened zip is a spreadsheet package (an .xlsx however its parts are named:
    its [Content_Types].xml declares a workbook's main part), not an archive of files."""
    names = {n.lower().lstrip("/") for n in zf.namelist()}
    if "xl/workbook.xml" in names:
        return True
    info = next((i for i in zf.infolist() if i.filename.lstrip("/").lower() == "[content_types].xml"), None)
    if info is None or info.file_size > 1024 * 1024:
        return False
    try:
        types = zf.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError):
        return False
    return any(t in types for t in _SPREADSHEET_TYPES)


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

    The central directory is parsed by ``zipfile`` (ZIP64 records and extras included); members
    are inflated here, straight from the local header, with ISA-L when it is installed (``isal``,
    about 3x faster than zlib on these files) and never past the size the directory declares (a
    lying header cannot blow up memory; a data descriptor's zeros in the local header do not
    matter). Each member's CRC-32 is checked, as zipfile would. Directory entries are no parts.
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
        # a member's name is its part name without the leading "/" (some writers keep it, or
        # write Windows separators)
        self.names = {(i.filename.replace("\\", "/") if "\\" in i.filename else i.filename).lstrip("/"): i
                      for i in infos if not i.filename.endswith(("/", "\\"))}
        self._folded: dict[str, str] | None = None

    def has(self, name: str) -> bool:
        return name in self.names

    def find(self, part: str) -> str | None:
        """The member holding a part: OPC compares part names without regard to ASCII case, and
        a relationship may percent-encode what the zip stores as is."""
        if part in self.names:
            return part
        if self._folded is None:
            self._folded = {name.casefold(): name for name in self.names}
        found = self._folded.get(part.casefold())
        if found is None and "%" in part:
            found = self._folded.get(urllib.parse.unquote(part).casefold())
        return found

    def read(self, name: str) -> bytes:
        data = self._member(name)
        if _prolog(data) is None:
            raise FileProblem("file-xml-entities", name)
        return data

    def xml(self, name: str) -> bytes:
        """A part read and made regular (see ``_regular``); a DTD refused, in UTF-8 or UTF-16."""
        data = self._member(name)
        if data[:1] != b"<" or data[1:2] == b"\x00":  # a byte order mark, or UTF-16
            data = _utf8(data)
        root = _prolog(data)
        if root is None:
            raise FileProblem("file-xml-entities", name)
        return _regular(data, root)

    def _member(self, name: str) -> bytes:
        info = self.names.get(name)
        if info is None:
            raise FileProblem("file-corrupt", f"thiếu phần {name}")
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


# ---------------------------------------------------------------- XML parts made regular


def _prolog(data: bytes) -> int | None:
    """Where the root element starts (the length of the part when it has none), or None when
    the XML declares a DTD (where entities, and entity bombs, live). A DTD can only stand in the
    prolog, before the root element, so only the prolog is looked at."""
    pos = 0
    while True:
        start = data.find(b"<", pos)
        if start < 0:
            return len(data)
        if data.startswith(b"<?", start):
            pos = data.find(b"?>", start)
        elif data.startswith(b"<!--", start):
            pos = data.find(b"-->", start)
        elif data.startswith(b"<!", start):
            return None  # <!DOCTYPE …>
        else:
            return start  # the root element
        if pos < 0:
            return len(data)
        pos += 2


def _utf8(data: bytes) -> bytes:
    """A part in UTF-8 without a byte order mark: ECMA-376 lets a part be UTF-8 or UTF-16."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    head = data[:2]
    if head in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
        codec = "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-16-le" if head == b"<\x00" else "utf-16-be"
        return data.decode(codec, errors="replace").lstrip("\ufeff").encode("utf-8", errors="replace")
    return data


_MARKUP = re.compile(rb"<[!?]")
_NOT_ELEMENTS = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[(.*?)\]\]>", re.S)
_ROOT_TAG = re.compile(rb"<([^\s/>]+)" + _TAG_ATTRS + rb">")
_NAMESPACE = re.compile(rb"""\sxmlns:([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAIN_NAMESPACES = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")


_SPREADSHEET_ROOTS = (b"workbook", b"worksheet", b"sst", b"chartsheet", b"dialogsheet")


def _has_markup(data: bytes, root: int) -> bool:
    """Whether a comment, CDATA section or processing instruction follows the root's start: a
    processing instruction needs a "?", a CDATA section a "!" and a "[", a comment a "!" and
    "-": single-byte searches tell (a formula's "!" alone does not; a part with dashes is looked
    at dash by dash, then by the pattern)."""
    if data.find(b"?", root) >= 0:
        return _MARKUP.search(data, root) is not None
    if data.find(b"!", root) < 0:
        return False
    if data.find(b"[", root) >= 0:
        return _MARKUP.search(data, root) is not None
    dash = data.find(b"-", root)
    for _ in range(16):
        if dash < 0:
            return False
        if data.startswith(b"<!--", dash - 2):
            return True
        dash = data.find(b"-", dash + 1)
    return _MARKUP.search(data, root) is not None


def _cdata(match: re.Match[bytes]) -> bytes:
    """A comment or processing instruction dropped; a CDATA section written as the escaped text
    it holds (its line ends are left to the text's own handling)."""
    text = match.group(1)
    if text is None:
        return b""
    return text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


def _regular(data: bytes, root: int) -> bytes:
    """The part with every ``<`` starting a tag and SpreadsheetML's elements unprefixed, so that
    byte searches and patterns read it exactly. A part as Excel, LibreOffice, WPS or openpyxl
    write it already is: single-byte searches tell (see ``_has_markup``), and the root's start
    tag shows any prefix. Anything else is rewritten, exactly: comments and processing instructions carry no
    content, CDATA is text. (A prefix declared below the root element is not looked for: no
    writer declares SpreadsheetML's namespace there.)"""
    if _has_markup(data, root):
        data = data[:root] + _NOT_ELEMENTS.sub(_cdata, data[root:])
    head = data[root:data.find(b">", root)]
    if b":" in head:  # a prefix on the root, or a namespace declared with one
        # the decision depends on the root's start tag only: remembered per distinct tag (the
        # bytes up to its first ">", which is its end when no value is quoted with "'" and the
        # double quotes pair up; else the pattern finds the end)
        if b"'" not in head and head.count(b'"') % 2 == 0:
            tag = None
        else:
            tag = _ROOT_TAG.match(data, root)
            head = tag.group(0) if tag else head
        prefixes = _remember(_prefixes_cache, head, lambda: _main_prefixes(tag or _ROOT_TAG.match(data, root)))
        for prefix in prefixes:
            # every "<" starts a tag by now: "<x:" and "</x:" are element names and nothing else
            data = data.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")
    return data


def _main_prefixes(tag: re.Match[bytes] | None) -> list[bytes]:
    """The prefixes a root start tag gives SpreadsheetML's elements: its own when it is a
    SpreadsheetML part's (a valid part binds it to SpreadsheetML's namespace), and any other the
    root binds to that namespace. Remembered per distinct tag: every sheet of a writer has one."""
    if tag is None:
        return []
    own, _, local = tag.group(1).rpartition(b":")
    prefixes = {own} if own and local in _SPREADSHEET_ROOTS else set()
    prefixes.update(prefix for prefix, double, single in _NAMESPACE.findall(tag.group(2)) if (double or single).strip() in _MAIN_NAMESPACES)
    return sorted(prefixes)


# ---------------------------------------------------------------- the package: parts through relationships

_RELATIONSHIP = re.compile(rb"<(?:[^\s/>:]+:)?Relationship\b" + _TAG_ATTRS + rb">")


def _relationships(z: _Zip, source: str) -> list[tuple[str, str, str]]:
    """(id, kind, member) of a part's internal relationships, ``source`` "" for the package's
    own (_rels/.rels). The kind is the last segment of the relationship type, the same in the
    transitional and strict namespaces ("officeDocument", "worksheet", "sharedStrings"…); the
    member is the target resolved against the source part's folder, found in the zip (None when
    the zip has no such part)."""
    folder, _, name = source.rpartition("/")
    rels = z.find(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
    if rels is None:
        return []
    out = []
    xml = z.xml(rels)
    for rid, kind, part in _remember(_rels_cache, folder.encode() + b"\x00" + xml, lambda: _parse_rels(folder, xml)):
        member = z.find(part)
        if member is not None:
            out.append((rid, kind, member))
    return out


def _parse_rels(folder: str, xml: bytes) -> list[tuple[str, str, str]]:
    """(id, kind, part name) of a relationships part's internal relationships."""
    out = []
    for raw in _RELATIONSHIP.findall(xml):
        attrs = _attrs(raw)
        if b"TargetMode" in attrs and _attr_value(attrs[b"TargetMode"]).strip() == "External":
            continue
        kind = _attr_value(attrs.get(b"Type", b"")).strip().rstrip("/").rsplit("/", 1)[-1]
        out.append((_attr_value(attrs.get(b"Id", b"")).strip(), kind, _resolve(folder, _attr_value(attrs.get(b"Target", b"")))))
    return out


def _resolve(folder: str, target: str) -> str:
    """A relationship target as a part name without its leading "/": an absolute target from the
    package root, a relative one from the source part's folder, "." and ".." segments resolved."""
    target = target.strip().replace("\\", "/").split("#", 1)[0]
    path = target if target.startswith("/") else f"{folder}/{target}"
    parts: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if parts:
                parts.pop()
        elif segment not in ("", "."):
            parts.append(segment)
    return "/".join(parts)


def _first(relationships: list[tuple[str, str, str]], *kinds: str) -> str | None:
    return next((member for _, kind, member in relationships if kind in kinds), None)


_CORE_KINDS = ("core-properties",)
_CUSTOM_KINDS = ("custom-properties", "customProperties")
_OTHER_DOCUMENTS = {"document": "tài liệu Word", "presentation": "bản trình chiếu PowerPoint"}


def _main_part(z: _Zip, package: list[tuple[str, str, str]]) -> str:
    """The workbook part: the package's officeDocument (any name); a package without
    relationships (some writers leave them out) at the usual name."""
    main = _first(package, "officeDocument")
    if main is None:
        main = z.find("xl/workbook.xml")
    if main is None:
        raise FileProblem("file-not-workbook", "không có phần sổ tính (xl/workbook.xml, hay phần mà _rels/.rels chỉ tới)")
    return main


# ---------------------------------------------------------------- reading a workbook

_SHEET = re.compile(rb"<sheet\b" + _TAG_ATTRS + rb">")
_WORKBOOK_PR = re.compile(rb"<workbookPr\b" + _TAG_ATTRS + rb">")
# a custom property and its value, the first element inside it (<vt:lpwstr>…</vt:lpwstr>, or empty)
_PROPERTY = re.compile(rb"<(?:[^\s/>:]+:)?property\b" + _OPEN_ATTRS + rb"(?:/>|>\s*(?:<([^\s/>]+)[^>]*?(?:/>|>([^<]*)</\2\s*>))?)")
_NAME_ATTR = re.compile(rb"""\sname\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MODIFIED = re.compile(rb"<(?:[^\s/>:]+:)?modified\b[^>]*?(?:/>|>([^<]*)<)")


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
    package = _relationships(z, "")
    main = _main_part(z, package)
    workbook = z.xml(main)
    root = _ROOT_TAG.match(workbook, _prolog(workbook) or 0)
    if root is not None and (other := _OTHER_DOCUMENTS.get(root.group(1).rsplit(b":", 1)[-1].decode("ascii", "replace"))):
        raise FileProblem("file-not-workbook", other)
    relationships = _relationships(z, main)
    targets = {rid: member for rid, _, member in relationships}
    content_types = z.read("[Content_Types].xml") if z.has("[Content_Types].xml") else b""
    macros = _first(relationships, "vbaProject") is not None or z.has("xl/vbaProject.bin") or b"macroEnabled" in content_types
    sheets: list[str] = []
    paths: dict[str, str] = {}
    # the sheet list comes before the (long) defined names; the whole part is searched only
    # if a writer put it elsewhere
    names_at = workbook.find(b"<definedNames")
    head_end = names_at if names_at > 0 else len(workbook)
    for raw in _SHEET.findall(workbook, 0, head_end) or _SHEET.findall(workbook):
        a = _attrs(raw)
        name = _attr_text(a.get(b"name", b""))
        sheets.append(name)
        paths[name] = targets.get(_attr_value(a.get(b"id", b"")).strip(), "")
    settings = _WORKBOOK_PR.search(workbook, 0, head_end) or _WORKBOOK_PR.search(workbook)
    date1904 = settings is not None and _attrs(settings.group(1)).get(b"date1904", b"").strip() in (b"1", b"true")
    layout, constants = _defined_names(workbook)
    names = {**layout, **constants} if constants else layout
    book = RawWorkbook(sheets, names, _custom_properties(z, package), _modified(z, package), macros, zip=z, date1904=date1904)
    book.paths, book.layout, book.constants = paths, layout, constants
    # (the usual name when the workbook's relationships list no table: some writers leave it out)
    book.strings = _SharedStrings(z, _first(relationships, "sharedStrings") or z.find("xl/sharedStrings.xml"))
    book.styles = _first(relationships, "styles") or z.find("xl/styles.xml")
    presence: dict[str, set[str]] = {}
    cells_wanted: dict[str, set[str]]
    if callable(wanted):
        planned = wanted(book)
        cells_wanted, presence = planned if isinstance(planned, tuple) else (planned, {})
    else:
        cells_wanted = wanted or {}

    for sheet in sheets:
        want = cells_wanted.get(sheet)
        if not want and not formulas:
            continue
        path = paths.get(sheet)
        if not path or not z.has(path):
            continue
        xml = z.xml(path)
        if formulas:
            book.formulas[sheet] = _formulas(_FORMULA.findall(xml))
        if not want:
            continue
        only_present = presence.get(sheet, _NOTHING)
        book.cells[sheet] = _cells(xml, _sheet_cells(xml, want, book.strings, only_present), book.strings, only_present, date1904)
    return book


def _cells(xml: bytes, found: list[_Found], strings: _SharedStrings | None, present: frozenset[str] | set[str],
           date1904: bool) -> dict[str, Cell]:
    """The cells found, converted; a shared formula's dependent cell (its <f> holds no text)
    gets the group's formula moved to it."""
    cells: dict[str, Cell] = {}
    by_cell: dict[str, str] | None = None
    for ref, raw_attrs, raw_value, inline, formula in found:
        # the type, and the common cells (a number, a shared string, a text) converted right
        # here: this runs for every cell read
        at = raw_attrs.find(b' t="')
        kind = raw_attrs[at + 4:raw_attrs.find(b'"', at + 4)] if at >= 0 else b"n" if b"t" not in raw_attrs else _kind(raw_attrs)
        if formula is None:
            if kind == b"n" and raw_value:
                try:
                    cells[ref] = Cell(float(raw_value), "n")
                    continue
                except ValueError:
                    pass
            elif kind == b"s" and raw_value and strings is not None and ref not in present:
                try:
                    cells[ref] = Cell(strings[int(raw_value)], "s")
                    continue
                except ValueError:
                    pass
            elif kind == b"inlineStr" and inline:
                cells[ref] = Cell(_rich_text(inline), "s")
                continue
            elif kind == b"str" and raw_value:
                cells[ref] = Cell(_text(raw_value), "s")
                continue
        elif formula:  # a formula (a score, a status) and its stored result, if any
            if not raw_value:
                cells[ref] = Cell(None, "", "=" + _text(formula))
                continue
            if kind == b"n":
                try:
                    cells[ref] = Cell(float(raw_value), "n", "=" + _text(formula))
                    continue
                except ValueError:
                    pass
            elif kind == b"str":
                cells[ref] = Cell(_text(raw_value), "s", "=" + _text(formula))
                continue
        cell = _convert(kind, raw_value, inline, formula, strings, ref in present, date1904)
        if cell is None:
            continue
        if formula == b"":
            if by_cell is None:
                by_cell = _formulas_by_cell(xml if _referenced(xml) else _positioned(xml))
            cell.formula = by_cell.get(ref, cell.formula)
        cells[ref] = cell
    for ref, raw_attrs, *_ in found:  # a number's style says whether it shows as a percentage (70% is stored as 0.7)
        cell = cells.get(ref)
        if cell is not None and cell.kind == "n" and b's="' in raw_attrs:
            cell.style = _style_of(raw_attrs)
    return cells


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


def _custom_properties(z: _Zip, package: list[tuple[str, str, str]]) -> dict[str, str]:
    """The custom document properties (name -> value as text), found through the package's
    relationships (at the usual name when the package lists none)."""
    member = _first(package, *_CUSTOM_KINDS) or z.find("docProps/custom.xml")
    properties: dict[str, str] = {}
    if member is None:
        return properties
    for attrs, element, value in _PROPERTY.findall(z.xml(member)):
        name = _NAME_ATTR.search(attrs)
        if name is not None and element:
            properties[_attr_text(name.group(1) or name.group(2))] = _text(value)
    return properties


def _modified(z: _Zip, package: list[tuple[str, str, str]]) -> str | None:
    """dcterms:modified of the core properties: when the file was last saved."""
    member = _first(package, *_CORE_KINDS) or z.find("docProps/core.xml")
    if member is None:
        return None
    stamp = _MODIFIED.search(z.xml(member))
    return _text(stamp.group(1) or b"").strip() if stamp else None


def _kind(attrs: bytes) -> bytes:
    """A cell's type (its t attribute; "n" when it has none), from the attributes after r."""
    at = attrs.find(b' t="')
    if at >= 0:
        return attrs[at + 4:attrs.find(b'"', at + 4)].strip()
    if b"t" not in attrs:  # s="3", cm, vm…: no type written, a number
        return b"n"
    return _attrs(attrs).get(b"t", b"n").strip() or b"n"  # t='s', t = "s", a tab before t…


def _convert(kind: bytes, raw_value: bytes, inline: bytes, formula: bytes | None, strings: _SharedStrings | None,
             present: bool, date1904: bool) -> Cell | None:
    """A cell's value (None for a blank cell: neither a value nor a formula)."""
    kind = kind.strip()  # an enumerated value may have spaces around it
    if formula is not None:
        stored = _stored(kind, raw_value, inline, strings, False, date1904)
        return Cell(stored.value, stored.kind, "=" + _text(formula)) if stored else Cell(None, "", "=" + _text(formula))
    return _stored(kind, raw_value, inline, strings, present, date1904)


def _stored(kind: bytes, raw_value: bytes, inline: bytes, strings: _SharedStrings | None, present: bool,
            date1904: bool) -> Cell | None:
    """The value a cell stores (a formula's stored result), None when it stores none."""
    if kind == b"inlineStr":
        return Cell(_rich_text(inline), "s") if inline else None
    if not raw_value:
        return None
    if kind == b"n":
        try:
            return Cell(float(raw_value), "n")
        except ValueError:
            return Cell(_text(raw_value), "s")
    if kind == b"s":
        try:
            index = int(raw_value)
        except ValueError:
            return Cell("", "s")
        if strings is None:
            return Cell("", "s")
        if present:  # only whether it holds text matters: not decoded
            return Cell(PRESENT if strings.holds_text(index) else "", "s")
        return Cell(strings[index], "s")
    if kind == b"str":
        return Cell(_text(raw_value), "s")
    if kind == b"d":
        return _date_cell(_text(raw_value), date1904)
    if kind == b"b":
        return Cell(raw_value.strip() in (b"1", b"true"), "b")
    if kind == b"e":
        return Cell(_text(raw_value), "e")
    return Cell(_text(raw_value), "s")  # an unknown type: keep what is there as text


# ---------------------------------------------------------------- cells of a sheet

_Found = tuple[str, bytes, bytes, bytes, bytes | None]  # ref, attributes after r, value, inline string element, formula
_CELL_END = re.compile(rb"</c\s*>")
_CELL_TAG = re.compile(rb"<c[\s/>]")
_F_ELEMENT = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f\s*>)")
_V_ELEMENT = re.compile(rb"<v\b[^>]*?(?:/>|>([^<]*)</v\s*>)")
_IS_ELEMENT = re.compile(rb"<is\b[^>]*?(?:/>|>.*?</is\s*>)", re.S)
_VALUE_TEXT = re.compile(rb"<(v|t)\b[^>]*(?<!/)>[^<]")


def _sheet_cells(xml: bytes, want: set[str], strings: _SharedStrings | None, present: frozenset[str] | set[str] = frozenset()
                 ) -> list[_Found]:
    """The wanted cells that hold something (a value or a formula; a cell left out is blank).
    Found by their references; when some are not, and the sheet has cells written otherwise
    than ``<c r="…"`` (positional cells, r not first, other quotes), the sheet is given explicit
    references (``_positioned``) and those are looked for again."""
    found, missing = _find_cells(xml, want, strings, present)
    if missing and not _referenced(xml):
        found += _find_cells(_positioned(xml), set(missing), strings, present)[0]
    return found


def _referenced(xml: bytes) -> bool:
    """Whether every cell of a sheet is written ``<c r="…"``: then a cell not found is blank."""
    return xml.count(b'<c r="') == len(_CELL_TAG.findall(xml))


def _find_cells(xml: bytes, want: set[str], strings: _SharedStrings | None, present: frozenset[str] | set[str] = frozenset()
                ) -> tuple[list[_Found], list[str]]:
    """(ref, attributes, value, inline string, formula or None) of each wanted cell that holds
    something, and the wanted cells not found.

    Fast path: each cell starting with its reference (``<c r="D12"``), the wanted cells are found
    one after the other with ``bytes.find`` (a single forward sweep, no object per unwanted cell).
    Wanted cells side by side in a row (a criterion's four evidence cells) are looked at together
    first: when every element of their span is empty (``<c …/>``), one look tells; when they are
    wanted only for whether they hold something (``present``), a look at their values tells (the
    first of them stands for the run, holding ``PRESENT``); otherwise each is read as a single
    cell. The common forms of a cell (a value; a formula and perhaps its result) are sliced out
    directly; any other goes through the element patterns."""
    out: list[_Found] = []
    missing: list[str] = []
    pos = 0
    find = xml.find
    startswith = xml.startswith
    for refs, needles in _plan(want):
        if len(refs) > 1:  # a run of adjacent cells: find its span, look inside only if something is there
            start = find(needles[0], pos)
            last = find(needles[-1], start) if start >= 0 else -1
            close = find(b">", last) if last >= 0 else -1
            if close >= 0:
                if xml[close - 1] == 47:  # 47: "/", the last cell is an empty element
                    end = close + 1
                else:
                    end = find(b"</c", close)
                    end = end + 4 if end >= 0 and xml[end + 3] == 62 else _cell_end(xml, close)[1]  # 62: ">"
                if end > 0:
                    if find(b"</", start, end) < 0:  # no end tag: every element of the span is empty (<c …/>)
                        pos = end
                        continue
                    if refs[0] in present and all(ref in present for ref in refs):
                        # an inline string's run with a character (no phonetic guide before it) tells at once
                        text = find(b"<t>", start, end)
                        filled = True if text >= 0 and xml[text + 3] != 60 and find(b"<rPh", start, text) < 0 else \
                            _run_holds_text(xml, start, end, strings)
                        if filled is not None:
                            if filled:
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
            head = start + len(needle)
            head_end = find(b">", head)
            if head_end < 0:
                missing.append(ref)
                continue
            if xml[head_end - 1] == 47:  # "/>": an empty cell, nothing to convert (absent means blank)
                pos = head_end
                continue
            # The common forms are sliced out directly; each slice ends at the first "<" after
            # its start, which must begin the end tags expected (so no other form passes).
            if startswith(b"<v>", head_end + 1):  # the common case, a value and nothing else: 2 looks
                value_end = find(b"<", head_end + 4)
                if startswith(b"</v></c>", value_end):
                    out.append((ref, xml[head:head_end], xml[head_end + 4:value_end], b"", None))
                    pos = value_end + 8
                    continue
            elif startswith(b"<f", head_end + 1) and xml[head_end + 3] in b"> ":
                # a formula (a score, a status; <f aca="false"> as LibreOffice writes it) with its
                # text, and perhaps its result (a shared formula's dependent, <f …/>, goes below)
                text_start = head_end + 4 if xml[head_end + 3] == 62 else find(b">", head_end + 3) + 1
                formula_end = find(b"<", text_start) if xml[text_start - 2] != 47 else -1
                if formula_end >= 0 and startswith(b"</f>", formula_end):
                    after = formula_end + 4
                    if startswith(b"</c>", after):  # no stored result
                        out.append((ref, xml[head:head_end], b"", b"", xml[text_start:formula_end]))
                        pos = after + 4
                        continue
                    if startswith(b"<v>", after):
                        value_end = find(b"<", after + 3)
                        if startswith(b"</v></c>", value_end):
                            out.append((ref, xml[head:head_end], xml[after + 3:value_end], b"", xml[text_start:formula_end]))
                            pos = value_end + 8
                            continue
            elif startswith(b"<is>", head_end + 1):  # an inline string (as openpyxl writes text)
                inline_end = find(b"</is>", head_end + 5)
                if inline_end >= 0 and startswith(b"</c>", inline_end + 5) and find(b"</c", head_end, inline_end) < 0:
                    out.append((ref, xml[head:head_end], b"", xml[head_end + 1:inline_end + 5], None))
                    pos = inline_end + 9
                    continue
            elif startswith(b"</c>", head_end + 1):  # <c …></c>: empty too
                pos = head_end + 5
                continue
            body_end = find(b"</c", head_end)
            if body_end >= 0 and xml[body_end + 3] == 62:
                end = body_end + 4
            else:
                body_end, end = _cell_end(xml, head_end)
            if end < 0:
                missing.append(ref)
                continue
            value, inline, formula = _cell_body(xml[head_end + 1:body_end])
            if value or inline or formula is not None:
                out.append((ref, xml[head:head_end], value, inline, formula))
            pos = end
    return out, missing


def _cell_end(xml: bytes, start: int) -> tuple[int, int]:
    """Where the cell element open at ``start`` ends when the first "</c" after it is not its
    </c> (</c >, or </color> of a run's properties): (its end tag, just after it), or -1."""
    found = _CELL_END.search(xml, start)
    return (found.start(), found.end()) if found else (-1, -1)


def _cell_body(body: bytes) -> tuple[bytes, bytes, bytes | None]:
    """(value, inline string element, formula text or None) of a cell element's content, any
    element empty or self-closing, with attributes (<v xml:space="preserve">) or without."""
    formula = None
    if b"<f" in body:
        found = _F_ELEMENT.search(body)
        if found is not None:
            formula = found.group(2) or b""
    value = b""
    if b"<v" in body:
        found = _V_ELEMENT.search(body)
        if found is not None:
            value = found.group(1) or b""
    inline = b""
    if b"<is" in body:
        found = _IS_ELEMENT.search(body)
        if found is not None:
            inline = found.group(0)
    return value, inline, formula


def _run_holds_text(xml: bytes, start: int, end: int, strings: _SharedStrings | None) -> bool | None:
    """Whether a run of cells holds a value anywhere, its text not decoded (None: a phonetic
    guide is there, each cell must be read)."""
    find = xml.find
    value = find(b"<v>", start, end)  # the first value of the run, a number or a shared string
    if value >= 0 and xml[value + 3] != 60:
        cell = xml.rfind(b"<c", start, value)  # its cell's start tag: only a formula (no "<") stands between
        if cell >= 0 and xml[cell + 2] in b" \t\r\n>":
            attrs = xml[cell + 2:find(b">", cell)]
            if b't="s"' not in attrs and (b"t" not in attrs or _kind(attrs) != b"s"):
                return True
            try:
                if strings is not None and strings.holds_text(int(xml[value + 3:find(b"<", value + 3)])):
                    return True
            except ValueError:
                pass
    if find(b"<rPh", start, end) >= 0:
        return None
    for match in _VALUE_TEXT.finditer(xml, start, end):
        if match.group(1) == b"t":  # an inline string with a character
            return True
        cell = xml.rfind(b"<c", start, match.start())  # a value's cell starts right before it (a formula holds no "<")
        if cell < 0 or xml[cell + 2] not in b" \t\r\n>" or _kind(xml[cell + 2:xml.find(b">", cell)]) != b"s":
            return True
        try:
            index = int(xml[match.end() - 1:xml.find(b"<", match.end())])
        except ValueError:
            continue
        if strings is not None and strings.holds_text(index):
            return True
    return False


_ROW_OR_CELL = re.compile(rb"<(row|c)(?=[\s/>])" + _TAG_ATTRS + rb">")
_REF_BYTES = re.compile(rb"([A-Z]{1,3})([0-9]+)")


def _positioned(xml: bytes) -> bytes:
    """The sheet with every row and cell written with its reference first (``<c r="D12"``), as
    ECMA-376 places those that leave it out: a row without r follows the previous row, a cell
    without r the previous cell of its row (the first one is in column A)."""
    row = column = 0

    def place(match: re.Match[bytes]) -> bytes:
        nonlocal row, column
        body = match.group(2)
        ref = None
        if b"r" in body and (found := _R_ATTR.search(body)) is not None:
            ref = (found.group(1) if found.group(1) is not None else found.group(2)).strip()
            body = body[:found.start()] + body[found.end():]
        if match.group(1) == b"row":
            row = int(ref) if ref and ref.isdigit() else row + 1
            column = 0
            return b'<row r="%d"' % row + body + b">"
        at = _REF_BYTES.fullmatch(ref) if ref else None
        if at is not None:
            column = _column(at.group(1).decode())
        else:
            column += 1
            ref = b"%s%d" % (_LETTERS[column] if column < len(_LETTERS) else _letters(column).encode(), row)
        return b'<c r="' + (ref or b"") + b'"' + body + b">"

    return _ROW_OR_CELL.sub(place, xml)


_R_ATTR = re.compile(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # the r attribute (not x:r, not ref)
_LETTERS = [b""] + [_l.encode() for _l in (chr(65 + a) for a in range(26))] + \
    [(chr(65 + a) + chr(65 + b)).encode() for a in range(26) for b in range(26)]  # column names up to ZZ


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


# a cell's formula with its text (a shared formula's dependent cell, <f t="shared" si="0"/>,
# has none and is not listed: the list holds what each formula says, in cell order)
_FORMULA = re.compile(rb"<f(?:\s[^>]*)?>([^<]+)</f\s*>")


# Files of one campaign share a handful of layouts (as generated, as re-saved by Excel, by
# LibreOffice, by WPS): the defined names and the formulas of a sheet are decoded once per
# distinct byte string and remembered (keyed by the bytes themselves: hashing them costs less
# than decoding, and equal keys are compared in full, so no collision can mix two files up).
_CACHE_LIMIT = 64
_names_cache: dict[bytes, dict[str, str]] = {}
_rels_cache: dict[bytes, list[tuple[str, str, str]]] = {}
_prefixes_cache: dict[bytes, list[bytes]] = {}
_formulas_cache: dict[bytes, list[str]] = {}


def _remember(cache: dict, key: bytes, make):
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        found = cache[key] = make()
    return found


# a name holding a text constant: ="…" or "…", the quote written as is or as &quot; (LibreOffice)
_CONSTANT_NAME = re.compile(rb'<definedName\b[^>]*>=?(?:"|&quot;)[^<]*</definedName\s*>')
_DEFINED = re.compile(rb"<definedName\b" + _OPEN_ATTRS + rb"(?:/>|>([^<]*)</definedName\s*>)")


def _defined_names(workbook: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The workbook-scoped names: those that point at cells (files with the same table share one
    dict, decoded once), and those holding a constant (the identity, different in every unit's
    file, so never part of what is shared: distinct units still share their layout)."""
    start, end = workbook.find(b"<definedNames"), workbook.rfind(b"definedNames")
    block = workbook[start:end] if 0 <= start < end else b""
    constants = _CONSTANT_NAME.findall(block)
    if constants:
        block = _CONSTANT_NAME.sub(b"", block)
    layout = _remember(_names_cache, block, lambda: _parse_names(block))
    return layout, (_parse_names(b"".join(constants)) if constants else {})


def _parse_names(block: bytes) -> dict[str, str]:
    names: dict[str, str] = {}
    for raw_attrs, body in _DEFINED.findall(block):
        attrs = _attrs(raw_attrs)
        if b"localSheetId" in attrs:
            continue  # sheet-scoped names (print areas) are not hue-dx's
        name = attrs.get(b"name")
        if name is not None:
            names[_attr_text(name).lower()] = _text(body)
    return names


def _formulas(found: list[bytes]) -> list[str]:
    """A sheet's formulas, "=…" each (decoded once per distinct list: see ``_remember``)."""
    if not found:
        return []
    # NUL cannot stand in an XML part, so the joined bytes tell one list of formulas from another
    return _remember(_formulas_cache, b"\x00".join(found), lambda: ["=" + _text(f) for f in found])


PRESENT = "…"  # the value of a cell read for its presence only (its text was not decoded)
_PRESENT_BYTES = PRESENT.encode("utf-8")
_NOTHING: frozenset[str] = frozenset()
_SST = re.compile(rb"<sst\b([^>]*)>")
_SI = re.compile(rb"<si\b[^>]*?(?:/>|>(.*?)</si\s*>)", re.S)


class _SharedStrings:
    """The shared string table, read when a wanted cell first uses it, each string decoded only
    when one does."""

    def __init__(self, z: _Zip, member: str | None):
        self.z, self.member = z, member
        self._items: list[bytes] | None = None
        self.cache: dict[int, str] = {}

    @property
    def items(self) -> list[bytes]:
        if self._items is None:
            self._items = self._load()
        return self._items

    def _load(self) -> list[bytes]:
        xml = self.z.xml(self.member) if self.member else b""
        # Split, not a regular expression: the table holds every text of the workbook. The
        # split is right when it finds as many strings as the table says it has (an item
        # written <si/> or <si > is not split on: the count tells, and the pattern reads it).
        items = xml.split(b"<si>")[1:]
        head = _SST.search(xml, 0, 4096)
        count = _attrs(head.group(1)).get(b"uniqueCount") if head else None
        if count is None or not count.strip().isdigit() or int(count) != len(items):
            items = [m.group(1) or b"" for m in _SI.finditer(xml)]
        return items

    def holds_text(self, index: int) -> bool:
        """Whether a string has any character, without decoding it."""
        items = self.items
        if not 0 <= index < len(items):
            return False
        item = items[index]
        if item.startswith(b"<t>"):  # a plain run first: it holds text when a character follows
            return len(item) > 3 and item[3] != 60
        return _holds_text(item)

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
            if item[start - 2] != 47:  # not <t/>
                end = item.find(b"</t>", start)
                if end >= 0 and item.find(b"<", start, end) < 0 and (end + 4 == len(item) or item.startswith(b"</si>", end + 4)):
                    return _text(item[start:end])
        return _rich_text(item)


# ---------------------------------------------------------------- formulas cell by cell
# Only when a file's formulas differ from the generator's (rare): which cell holds what.

_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"' + _OPEN_ATTRS + rb"(?:/>|>(.*?)</c\s*>)", re.S)


def _cells_of(raw: RawWorkbook, sheet: str) -> bytes | None:
    """A sheet's part, every cell written with its reference (None when there is no such sheet)."""
    path = raw.paths.get(sheet)
    if raw.zip is None or not path or not raw.zip.has(path):
        return None
    xml = raw.zip.xml(path)
    return xml if _referenced(xml) else _positioned(xml)


def formula_cells(raw: RawWorkbook, sheet: str) -> dict[str, str]:
    """Every formula of a sheet by cell ("F12" -> "=IF(…)"); a shared formula's dependent
    cells get the shared formula moved to them, as Excel reads it."""
    xml = _cells_of(raw, sheet)
    return {} if xml is None else _formulas_by_cell(xml)


def _formulas_by_cell(xml: bytes) -> dict[str, str]:
    """formula_cells of a sheet whose cells all carry their reference."""
    out: dict[str, str] = {}
    masters: dict[bytes, tuple[str, str]] = {}
    dependents: list[tuple[str, bytes]] = []
    for ref_bytes, _, body in _CELL.findall(xml):
        if b"<f" not in body or (found := _F_ELEMENT.search(body)) is None:
            continue
        ref = ref_bytes.decode()
        attrs = _attrs(found.group(1))
        text = found.group(2) or b""
        if attrs.get(b"t", b"").strip() == b"shared":
            si = attrs.get(b"si", b"").strip()
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
    xml = _cells_of(raw, sheet) if refs else None
    if xml is None:
        return {}
    return _cells(xml, _find_cells(xml, refs, raw.strings)[0], raw.strings, _NOTHING, raw.date1904)


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
