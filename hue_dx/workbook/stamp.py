"""Write one unit's workbook from its level's template by replacing tokens in the saved XML.

Building a workbook with openpyxl takes a few hundred milliseconds; the template is built
once per level and each unit's file is then a copy of its zip entries with three tokens
(unit code, unit name, generation id) replaced, escaped for the place they stand in. Figures
the Sở supplies for each unit (central inputs) are written into their named, locked cells the
same way: the empty cell of the template becomes the cell with its value.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .build import TOKENS, with_derived


def _xml(text: str) -> bytes:
    return escape(text, {'"': "&quot;"}).encode("utf-8")


@dataclass(frozen=True)
class Template:
    """A built workbook whose unit texts are tokens, split into zip entries once."""

    entries: tuple[tuple[zipfile.ZipInfo, bytes, bool], ...]  # info, data, whether it holds a token
    #: defined name -> (worksheet part, cell) of every name that points at one cell
    cells: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_bytes(cls, data: bytes) -> Template:
        markers = tuple(t.encode() for t in TOKENS.values())
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = []
            for info in zf.infolist():
                content = zf.read(info)
                if info.filename.endswith(".xml"):
                    content = _utf8(content)
                entries.append((info, content, any(m in content for m in markers)))
        parts = {info.filename: content for info, content, _ in entries}
        return cls(tuple(entries), _named_cells(parts))

    def stamp(self, values: dict[str, str], cells: Mapping[str, object] | None = None) -> bytes:
        """The workbook of one unit: values for unit_code, unit_name and generation_id, and
        ``cells``: defined name -> value (a number, or a text such as "Có") for named cells
        that are empty in the template (the figures the Sở supplies)."""
        values = with_derived(values)
        by_part: dict[str, dict[str, object]] = {}
        for name, value in (cells or {}).items():
            if name not in self.cells:
                raise KeyError(f"sổ mẫu không có ô tên {name}")
            part, ref = self.cells[name]
            by_part.setdefault(part, {})[ref] = value
        plain = {key: _xml(values[key]) for key in TOKENS}
        # In a defined name the value is a formula string constant ("…"), so quotes double;
        # in a header or footer "&" starts a code, so it doubles.
        in_name = {key: _xml(values[key].replace('"', '""')) for key in TOKENS}
        in_footer = {key: _xml(values[key].replace("&", "&&")) for key in TOKENS}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for info, content, has_token in self.entries:
                if has_token:
                    if info.filename == "xl/workbook.xml":
                        content = _replace(content, in_name)
                    elif info.filename.startswith("xl/worksheets/"):
                        content = _HEADER_FOOTER.sub(lambda m: _replace(m.group(0), in_footer), content)
                        content = _replace(content, plain)
                    else:
                        content = _replace(content, plain)
                if info.filename in by_part:
                    content = _put_values(content, by_part[info.filename])
                zf.writestr(_fresh(info), content)
        return out.getvalue()


def write_cells(template: Template, values: Mapping[tuple[str, str], object]) -> bytes:
    """The template's workbook with values written into cells it leaves empty ((worksheet part, cell)
    -> a number or a text), every other entry copied unchanged (``fill.fill_fast``: the demo fills
    hundreds of workbooks; openpyxl would load and save each)."""
    by_part: dict[str, dict[str, object]] = {}
    for (part, ref), value in values.items():
        by_part.setdefault(part, {})[ref] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for info, content, _ in template.entries:
            if info.filename in by_part:
                content = _put_values(content, by_part[info.filename])
            zf.writestr(_fresh(info), content)
    return out.getvalue()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DESTINATION = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]+)\$?([0-9]+)$")


def _named_cells(parts: Mapping[str, bytes]) -> dict[str, tuple[str, str]]:
    """Defined name -> (worksheet part, cell), from the template's workbook.xml and its relationships."""
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL), "")
        sheets[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    out: dict[str, tuple[str, str]] = {}
    for defined in book.iter(f"{_MAIN}definedName"):
        found = _DESTINATION.match((defined.text or "").strip())
        if found:
            title = (found.group(1) or "").replace("''", "'") or found.group(2)
            if title in sheets:
                out[defined.get("name", "")] = (sheets[title], found.group(3) + found.group(4))
    return out


def _cell_xml(ref: str, style: bytes, value: object) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return b'<c r="' + ref.encode() + b'"' + style + b' t="inlineStr"><is><t>' + _xml(str(value)) + b"</t></is></c>"
    number = repr(float(value)) if not float(value).is_integer() else str(int(value))
    return b'<c r="' + ref.encode() + b'"' + style + b"><v>" + number.encode() + b"</v></c>"


def _put_values(content: bytes, values: Mapping[str, object]) -> bytes:
    """A worksheet with values written into cells that the template leaves empty."""
    for ref, value in values.items():
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"((?: s="[0-9]+")?)(?: t="[a-z]+")?\s*(?:/>|></c>)')
        def cell(m: re.Match[bytes], ref: str = ref, value: object = value) -> bytes:
            return _cell_xml(ref, m.group(1), value)

        content, found = pattern.subn(cell, content, count=1)
        if not found:
            raise ValueError(f"ô {ref} của sổ mẫu không trống: không ghi được số liệu điền sẵn")
    return content


_CHARREF = re.compile(rb"&#(x[0-9A-Fa-f]+|[0-9]+);")
_KEEP = {"<": b"&lt;", ">": b"&gt;", "&": b"&amp;", '"': b"&quot;", "'": b"&apos;"}


def _utf8(content: bytes) -> bytes:
    """openpyxl writes every non-ASCII character as a character reference (&#7897;); write them
    as UTF-8 instead, as Excel and LibreOffice do: the files are smaller and read faster."""
    def char(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        text = chr(int(code[1:], 16) if code.startswith(b"x") else int(code))
        return _KEEP.get(text) or text.encode("utf-8")

    return _CHARREF.sub(char, content) if b"&#" in content else content


_HEADER_FOOTER = re.compile(rb"<(odd|even|first)(Header|Footer)>.*?</\1\2>", re.S)


def _replace(content: bytes, table: dict[str, bytes]) -> bytes:
    for key, token in TOKENS.items():
        content = content.replace(token.encode(), table[key])
    return content


def _fresh(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    return copy
