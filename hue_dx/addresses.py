"""E-mail addresses as the roster and the recipe write them: several in one cell, separated by
";" (or ","), each checked (pure standard library).

An address is kept as typed (lower-cased domain, NFC); a display name is never part of it (the
unit's name is the display name of its messages). Only ASCII addresses are accepted: every
mail server of the province takes them, and an address with Vietnamese letters (allowed by
RFC 6531 only where every server on the way supports SMTPUTF8) is almost always a typing slip.
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr

# dot-atom local part (RFC 5322 3.4.1) and a domain of labels with a dot: what a person types
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})+$")


class AddressError(ValueError):
    """A text that is not an e-mail address; the message says what is wrong, in Vietnamese."""


def address(text: str) -> str:
    """One address, checked: "Sở Tư pháp <stp@x.gov.vn>" and "stp@x.gov.vn" give stp@x.gov.vn."""
    typed = unicodedata.normalize("NFC", text).strip()
    if "<" in typed:
        typed = parseaddr(typed)[1] or typed
    typed = typed.strip().strip("<>").strip()
    if not typed:
        raise AddressError("địa chỉ thư trống")
    if not typed.isascii():
        raise AddressError(f"địa chỉ thư {typed!r} có chữ có dấu hoặc ký tự lạ (chỉ dùng chữ không dấu, số, '.', '-', '_')")
    if typed.count("@") != 1:
        raise AddressError(f"địa chỉ thư {typed!r} phải có đúng một ký tự '@'")
    if not _ADDRESS.match(typed) or len(typed) > 254:
        raise AddressError(f"địa chỉ thư {typed!r} không hợp lệ (dạng đúng: ten@coquan.gov.vn)")
    local, domain = typed.split("@")
    return f"{local}@{domain.lower()}"


def addresses(text: str) -> tuple[str, ...]:
    """The addresses of one cell, in order, each once whatever its case ("" gives none): "a@x.vn; b@x.vn"."""
    out: dict[str, str] = {}
    for piece in re.split(r"[;,\n]", text or ""):
        if piece.strip():
            found = address(piece)
            out.setdefault(found.casefold(), found)
    return tuple(out.values())


def plain(sender: str) -> str:
    """The address of a sender as the intake records it ("Name <a@x.vn>"), lower-cased; "" when none."""
    found = parseaddr(sender or "")[1].strip()
    return found.casefold() if "@" in found else ""


def domain(text: str) -> str:
    """The domain of an address (for Message-IDs made in the sender's name)."""
    return text.rpartition("@")[2]
