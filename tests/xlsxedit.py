"""Edit a workbook's XML directly, the way other programs and people leave cells: text where a
number belongs, booleans, error values, formulas with or without a stored result, characters
that XML cannot hold (escaped as Excel escapes them, _x000B_), renamed or deleted sheets,
deleted names. openpyxl cannot write most of these (it refuses control characters, always
drops stored results), so tests that need them use this module. Test-only code."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from hue_dx.intake import xlsx

# --------------------------------------------------------------------------- cell contents


@dataclass(frozen=True)
class Raw:
    """What a cell holds, as OOXML: its type attribute and its inner XML."""

    type: str  # "" (number), "inlineStr", "b", "e", "str"
    inner: str


def _escaped(text: str) -> str:
    """Text for a <t> element: XML-escaped, characters XML 1.0 forbids written as Excel does
    (_xHHHH_), a literal "_x" protected the same way (_x005F_)."""
    text = text.replace("_x", "_x005F_x")
    out = []
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return escape("".join(out))


def text(value: str) -> Raw:
    return Raw("inlineStr", f'<is><t xml:space="preserve">{_escaped(value)}</t></is>')


def number(value: float | int | str) -> Raw:
    return Raw("", f"<v>{value}</v>")


def boolean(value: bool) -> Raw:
    return Raw("b", f"<v>{int(value)}</v>")


def error(code: str = "#N/A", formula: str | None = "NA()") -> Raw:
    return Raw("e", (f"<f>{escape(formula)}</f>" if formula else "") + f"<v>{escape(code)}</v>")


def formula(text_: str, cached: float | str | None = None) -> Raw:
    """A formula (without "="), with the result a client stored, or none (as openpyxl writes).
    A formula cannot hold what XML forbids (no client writes one): such characters become "?"."""
    text_ = "".join("?" if (ord(ch) < 0x20 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) in (0xFFFE, 0xFFFF)
                    else ch for ch in text_)
    body = f"<f>{escape(text_)}</f>"
    if cached is None:
        return Raw("", body)
    if isinstance(cached, str):
        return Raw("str", body + f"<v>{_escaped(cached)}</v>")
    return Raw("", body + f"<v>{cached}</v>")


# --------------------------------------------------------------------------- the package


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def pack(parts: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return out.getvalue()


def rewrite(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    parts = members(data)
    parts[member] = change(parts[member])
    return pack(parts)


def sheet_paths(data: bytes) -> dict[str, str]:
    """Sheet name -> zip member."""
    raw = xlsx.read(data, formulas=False)
    return dict(raw.paths)


def destination(data: bytes, name: str) -> tuple[str, str]:
    raw = xlsx.read(data, formulas=False)
    found = xlsx.destination(raw.names[name.lower()])
    assert found, name
    return found


def set_cells(data: bytes, cells: Mapping[tuple[str, str], Raw]) -> bytes:
    """Cells {(sheet, ref): content}; each cell must exist in the sheet (hue-dx writes every
    input and evidence cell, styled)."""
    paths = sheet_paths(data)
    parts = members(data)
    by_sheet: dict[str, dict[str, Raw]] = {}
    for (sheet, ref), raw in cells.items():
        by_sheet.setdefault(sheet, {})[ref] = raw
    for sheet, wanted in by_sheet.items():
        path = paths[sheet]
        xml = parts[path].decode("utf-8")

        def put(match: re.Match[str], wanted=wanted) -> str:
            raw = wanted[match.group("ref")]
            attrs = re.sub(r'\s+t="[^"]*"', "", match.group("attrs"))
            kind = f' t="{raw.type}"' if raw.type else ""
            return f'<c r="{match.group("ref")}"{attrs}{kind}>{raw.inner}</c>'

        refs = "|".join(re.escape(ref) for ref in wanted)
        xml, found = re.subn(rf'<c r="(?P<ref>{refs})"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', put, xml, flags=re.S)
        assert found == len(wanted), (sheet, found, len(wanted))
        parts[path] = xml.encode("utf-8")
    return pack(parts)


def set_named(data: bytes, values: Mapping[str, Raw]) -> bytes:
    """Cells by defined name."""
    defined = xlsx.read(data, formulas=False).names
    places = {}
    for name, raw in values.items():
        place = xlsx.destination(defined[name.lower()])
        assert place, name
        places[place] = raw
    return set_cells(data, places)


# --------------------------------------------------------------------------- structure


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def rename_sheet(data: bytes, old: str, new: str, *, names: bool = True) -> bytes:
    """Rename a sheet as Excel does: the sheet list, and (names=True) every defined name and
    formula that points at it."""
    parts = members(data)
    old_x, new_x = escape(old, {'"': "&quot;"}), escape(new, {'"': "&quot;"})
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(f'name="{old_x}"'.encode(), f'name="{new_x}"'.encode())
    if names:
        refs = (escape(_quoted(old)) + "!", escape(_quoted(new)) + "!")
        for member in list(parts):
            if member == "xl/workbook.xml" or member.startswith("xl/worksheets/sheet"):
                parts[member] = parts[member].replace(refs[0].encode(), refs[1].encode())
    return pack(parts)


def delete_names(data: bytes, keep: Callable[[str], bool] = lambda name: False) -> bytes:
    """Delete defined names (all, or those ``keep`` refuses), as a person does in Name Manager."""
    def change(xml: bytes) -> bytes:
        def drop(match: re.Match[bytes]) -> bytes:
            name = re.search(rb'name="([^"]*)"', match.group(0))
            return match.group(0) if name and keep(name.group(1).decode()) else b""

        return re.sub(rb"<definedName\b[^>]*>.*?</definedName>", drop, xml, flags=re.S)

    return rewrite(data, "xl/workbook.xml", change)


def drop_custom_properties(data: bytes) -> bytes:
    parts = members(data)
    parts.pop("docProps/custom.xml", None)
    return pack(parts)


def remove_sheet(data: bytes, sheet: str) -> bytes:
    """Delete a sheet as Excel does: gone from the list, names pointing at it become #REF!."""
    parts = members(data)
    sheet_x = escape(sheet, {'"': "&quot;"})
    xml = parts["xl/workbook.xml"].decode("utf-8")
    xml = re.sub(rf'<sheet [^>]*name="{re.escape(sheet_x)}"[^>]*/>', "", xml)
    xml = re.sub(rf"(<definedName [^>]*>){re.escape(escape(_quoted(sheet)))}![^<]*(</definedName>)", r"\1#REF!\2", xml)
    parts["xl/workbook.xml"] = xml.encode("utf-8")
    return pack(parts)


def set_property(data: bytes, name: str, value: str) -> bytes:
    def change(xml: bytes) -> bytes:
        return re.sub(rb'(name="' + name.encode() + rb'"[^>]*>\s*<vt:lpwstr[^>]*>)[^<]*', rb"\g<1>" + escape(value).encode(), xml)

    return rewrite(data, "docProps/custom.xml", change)


def set_name_constant(data: bytes, name: str, value: str) -> bytes:
    def change(xml: bytes) -> bytes:
        return re.sub(rb'(<definedName name="' + name.encode() + rb'">)[^<]*(</definedName>)',
                      rb'\g<1>"' + escape(value).encode() + rb'"\g<2>', xml)

    return rewrite(data, "xl/workbook.xml", change)
