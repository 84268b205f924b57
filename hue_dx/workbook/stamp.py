"""Write one unit's workbook from its level's template by replacing tokens in the saved XML.

Building a workbook with openpyxl takes a few hundred milliseconds; the template is built
once per level and each unit's file is then a copy of its zip entries with three tokens
(unit code, unit name, generation id) replaced, escaped for the place they stand in.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .build import TOKENS, with_derived


def _xml(text: str) -> bytes:
    return escape(text, {'"': "&quot;"}).encode("utf-8")


@dataclass(frozen=True)
class Template:
    """A built workbook whose unit texts are tokens, split into zip entries once."""

    entries: tuple[tuple[zipfile.ZipInfo, bytes, bool], ...]  # info, data, whether it holds a token

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
        return cls(tuple(entries))

    def stamp(self, values: dict[str, str]) -> bytes:
        """The workbook of one unit: values for unit_code, unit_name and generation_id."""
        values = with_derived(values)
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
                zf.writestr(_fresh(info), content)
        return out.getvalue()


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
