"""Numbers the Vietnamese way, for a person to read: dot between thousands, decimal comma.

The one place every printed number of hue-dx is written (terminal lines, workbooks' texts,
reports, letters, issue messages): 1.234,5; 0,8721; 554.500.000.000; 27,5 giây. Machine
outputs (JSON, CSV) keep machine formats and never use it. Pure standard library.
"""

from __future__ import annotations

_MARKS = str.maketrans(",.", ".,")
BILLION = 1_000_000_000


def fixed(value: float | None, digits: int = 0, *, trim: bool = False, empty: str = "—") -> str:
    """``digits`` decimals: 5831 -> "5.831"; 1234.5, 2 -> "1.234,50"; ``trim`` drops trailing
    zeros (1234.5, 2 -> "1.234,5"); None -> ``empty``. A dot and a comma never break a line."""
    if value is None:
        return empty
    text = f"{value:,.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_MARKS)


def number(value: float | None, digits: int | None = None) -> str:
    """``digits=None``: at most 4 decimals, no trailing zeros (1.234,5; 0,75); ``digits=n``:
    exactly n decimals, for columns (0,7529; 29,25)."""
    return fixed(value, 4 if digits is None else digits, trim=digits is None)


def percent(fraction: float | None, digits: int | None = None) -> str:
    """A fraction as a percentage: 0.875 -> "87,5%" (``digits`` as in ``number``); None -> "—"."""
    return "—" if fraction is None else number(fraction * 100, digits) + "%"


def whole(value: float) -> str:
    """A whole number with dots between thousands: 554500000000 -> "554.500.000.000"."""
    return f"{int(value):,}".replace(",", ".")


def billions(amount: float) -> str:
    """An amount in đồng said in tỷ đồng, the unit people quote: 554500000000 -> "554,5 tỷ đồng"."""
    return fixed(amount / BILLION, 3, trim=True) + " tỷ đồng"


def found(value: object) -> str:
    """A cell's value as a message quotes what was found: a number with at most 4 decimals and
    no thousands dots, as a person would type it again (1234,5), text as it is, blank as ""."""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return "" if value is None else str(value)
