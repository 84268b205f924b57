"""Text made safe for each format hue-dx writes, in one place per format (pure, no I/O).

Returned files carry any text at all: a line break pasted from Word (Excel stores it as
_x000B_, a vertical tab), control characters, lone surrogates from a broken escape or a
file name in a foreign encoding, 100,000-character cells, text that looks like a formula.
Each output format holds a different subset of Unicode; writing a value it cannot hold
either crashes the writer (openpyxl's IllegalCharacterError, UTF-8 encoding of a surrogate)
or corrupts the file. Every writer passes its text through the function for its format:

- ``text``: any text as valid Unicode (lone surrogates become U+FFFD); the base of the others;
- ``for_xml``: XML 1.0 (xlsx, HTML, PDF): control characters other than tab and line breaks
  go; a vertical tab or form feed (a pasted line break) becomes a line break;
- ``for_xlsx_cell``: the above, cut to Excel's 32,767 characters per cell;
- ``for_csv``: Unicode without NUL; a cell a spreadsheet would run as a formula is prefixed
  with an apostrophe (OWASP's advice against CSV injection);
- ``for_json``: every string of a nested structure as valid Unicode;
- ``for_terminal``: control characters shown as visible symbols, so no value can act on a
  terminal (an escape sequence) or break a line.
"""

from __future__ import annotations

import re
from typing import Any

EXCEL_CELL_LIMIT = 32_767

_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # tab and line feed too: a value stays on its line


def text(value: str) -> str:
    """Valid Unicode: a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    if _SURROGATE.search(value):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def for_xml(value: str) -> str:
    value = text(value).translate(_LINE_BREAKS)
    return _XML_ILLEGAL.sub("", value) if _XML_ILLEGAL.search(value) else value


def for_xlsx_cell(value: str) -> str:
    value = for_xml(value)
    return value if len(value) <= EXCEL_CELL_LIMIT else value[: EXCEL_CELL_LIMIT - 1] + "…"


def for_csv(value: Any) -> Any:
    """A cell for a CSV file: numbers unchanged, text without NUL and never a formula."""
    if not isinstance(value, str):
        return value
    value = text(value).replace("\x00", "")
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def for_json(value: Any) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {for_json(k) if isinstance(k, str) else k: for_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_json(v) for v in value]
    return value


def for_terminal(value: str) -> str:
    """Text as printed for a person: control characters become the Unicode symbols for them."""
    value = text(value)
    if not _CONTROL.search(value):
        return value
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group(0))) if ord(m.group(0)) < 0x20 else "\ufffd", value)
