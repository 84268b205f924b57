"""Which cell styles of a returned workbook show numbers as percentages (pure, bounded).

Excel, LibreOffice and WPS store a typed "70%" as the number 0.7 in a cell whose number format
is a percent format; only the style says it was typed as 70%. A cell's ``s`` attribute is an
index into ``cellXfs`` of the styles part; each ``xf`` names a ``numFmtId``: the built-in
percent formats are 9 ("0%") and 10 ("0.00%"); a custom format (``numFmts``) is a percent
format when its code holds a % that is neither quoted ("%") nor escaped (\\%), which is how
the format language itself decides that a number is shown times 100.

The styles part is read through the reader's zip (``xlsx.RawWorkbook.zip``: bomb-checked,
every DTD refused); a part that cannot be read means no percent style, never a failure.
"""

from __future__ import annotations

import html
import re

from . import xlsx

BUILTIN_PERCENT = frozenset({9, 10})  # ECMA-376 Part 1, 18.8.30: 9 "0%", 10 "0.00%"
MAX_STYLES = 65_536  # Excel allows about 64,000 cell formats; anything past that is not read

_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*?)/?>")
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*?)/?>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
# what the format language does not show as such: quoted text, an escaped character, a
# [colour], [condition] or [$-locale], the width of a character (_x) and a fill character (*x)
_NOT_SHOWN = re.compile(r'"[^"]*"?|\\.|\[[^\]]*\]?|_.|\*.', re.S)


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: v for k, v in _ATTR.findall(raw)}


def is_percent_format(code: str) -> bool:
    """True when a number format code shows the number as a percentage (an unquoted, unescaped %)."""
    return "%" in _NOT_SHOWN.sub("", code)


def percent_styles(styles_xml: bytes) -> frozenset[int]:
    """The indices into ``cellXfs`` whose number format is a percent format."""
    custom: dict[int, bool] = {}
    for raw in _NUMFMT.findall(styles_xml):
        a = _attrs(raw)
        try:
            number = int(a.get(b"numFmtId", b""))
        except ValueError:
            continue
        custom[number] = is_percent_format(html.unescape(a.get(b"formatCode", b"").decode("utf-8", "replace")))
    block = _CELL_XFS.search(styles_xml)
    if block is None:
        return frozenset()
    out = set()
    for index, raw in enumerate(_XF.findall(block.group(1))):
        if index >= MAX_STYLES:
            break
        try:
            number = int(_attrs(raw).get(b"numFmtId", b"0"))
        except ValueError:
            continue
        if custom.get(number, number in BUILTIN_PERCENT):
            out.add(index)
    return frozenset(out)


def of_workbook(book: xlsx.RawWorkbook) -> frozenset[int]:
    """The percent styles of a workbook read by ``xlsx.read`` (none when it has no readable styles part)."""
    if book.styles is None or book.zip is None:
        return frozenset()
    try:
        return percent_styles(book.zip.xml(book.styles))
    except xlsx.FileProblem:  # a DTD, a broken member: its styles are not read, the file still is
        return frozenset()
