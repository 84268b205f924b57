"""E-mail as clients and mail servers deliver it: a message's envelope (sender, date, its own
Message-ID and the messages it replies to) and every part of it that is not the message's own
text, named even when the sender's program gave it no name.

Which parts are the message's text (not files): in ``multipart/alternative``, every rendering
of the body (plain, HTML, Outlook's RTF, a calendar); elsewhere, a text part (plain, HTML,
enriched, a delivery report's status) that has no file name, is not marked ``attachment`` and
does not hold a binary file (a workbook relabelled ``text/plain``). Everything else is a file:
attachments named or not, inline images, a part of a workbook's media type, a forwarded message
(``message/rfc822``, itself opened as a message by the walker).
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath

from .xlsx import OLE_MAGIC, ZIP_MAGIC

# The file name a nameless part is given: its position in the message and the extension of its
# media type (the OOXML and ODF types included: mimetypes' table depends on the machine).
NAMELESS = "tep-dinh-kem-{n}{suffix}"
MEDIA_SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template": ".xltx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.12": ".xlsb",
    "application/vnd.ms-excel": ".xls",
    "application/msexcel": ".xls",
    "application/x-msexcel": ".xls",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/x-zip": ".zip",
    "application/x-tar": ".tar",
    "application/x-gtar": ".tar",
    "application/x-compressed-tar": ".tgz",
    "application/gzip": ".gz",
    "application/x-gzip": ".gz",
    "application/vnd.rar": ".rar",
    "application/x-rar-compressed": ".rar",
    "application/x-7z-compressed": ".7z",
    "application/vnd.ms-outlook": ".msg",
    "application/mbox": ".mbox",
    "message/rfc822": ".eml",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pkcs7-mime": ".p7m",
    "application/x-pkcs7-mime": ".p7m",
    "application/ms-tnef": ".dat",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/webp": ".webp",
}
WORKBOOK_TYPES = {t for t, s in MEDIA_SUFFIXES.items() if s in (".xlsx", ".xltx", ".xlsm", ".xlsb", ".xls", ".ods")}
# Text that is the message itself (or a delivery report's own text), when it has no file name.
BODY_TYPES = {"text/plain", "text/html", "text/enriched", "text/richtext", "text/rfc822-headers",
              "message/delivery-status", "message/disposition-notification", "message/feedback-report"}
_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Envelope:
    """What a message says about itself; every file that came in it carries this."""

    sender: str = ""  # "Name <address>", or the address
    sent: str = ""  # its Date, ISO 8601
    message_id: str = ""  # its Message-ID, without angle brackets
    replies_to: tuple[str, ...] = ()  # In-Reply-To then References, without angle brackets, each once


@dataclass(frozen=True)
class Part:
    """A file found in a message: its name (given, or made), its bytes (transfer encoding undone)
    and, for a forwarded message, that message parsed."""

    name: str
    data: bytes
    named: bool = True
    message: Message | None = None


class MailError(ValueError):
    """The bytes are not a message the parser can read."""


def parse(data: bytes) -> Message:
    """The message in ``data``. Parsed with the compat32 policy: headers stay strings, decoded
    here only where they are read (``header``, ``words``); the default policy parses every
    header into objects on each access, which made a message of one attachment cost three times
    as much (measured: 28 of 41 ms a message under the profiler)."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as exc:  # noqa: BLE001  (the e-mail parser may fail in many ways on a damaged file)
        raise MailError(str(exc)) from exc
    if not message.keys() and not message.get_payload():
        raise MailError("không có tiêu đề thư")
    return message


# ------------------------------------------------------------------------------ the envelope


def envelope(message: Message, around: Envelope | None = None) -> Envelope:
    """The message's own envelope; a forwarded message without From or Date keeps those of the
    message it came in (``around``)."""
    sender = address(raw_header(message, "From"))
    sent = _date(header(message, "Date"))
    if around is not None:
        sender, sent = sender or around.sender, sent or around.sent
    own = ids(header(message, "Message-ID"))
    replies = ids(header(message, "In-Reply-To")) + ids(header(message, "References"))
    return Envelope(sender, sent, own[0] if own else "", tuple(dict.fromkeys(replies)))


def raw_header(message: Message, name: str) -> str:
    """A header's text as written, unfolded, encoded words left as they are; raw 8-bit bytes
    (old Vietnamese clients write windows-1258 there) read as UTF-8 or else windows-1258."""
    try:
        raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    except Exception:  # noqa: BLE001  (a damaged header block)
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        raw = eight_bit(raw.encode("utf-8", "surrogateescape"))
    return " ".join(str(raw).split())


def header(message: Message, name: str) -> str:
    """A header's text, decoded, NFC."""
    return words(raw_header(message, name))


def words(text: str) -> str:
    """Text with its RFC 2047 encoded words decoded, in any charset, the white space between two
    of them dropped as the RFC says (a long name is split into several; Python's own header
    parser keeps a space there, which cuts "Lưới" into "Lư ới"); NFC."""
    if "=?" in text:
        try:
            text = str(email.header.make_header(email.header.decode_header(text)))
        except Exception:  # noqa: BLE001  (a malformed encoded word: keep the text as it is)
            pass
    return unicodedata.normalize("NFC", text)


def eight_bit(raw: bytes) -> str:
    """Bytes of a header or name with no declared charset: UTF-8 when they are, else windows-1258."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1258", "replace")


def address(raw: str) -> str:
    """"Name <address>" from a From header as written: the address found first, then the name's
    encoded words decoded (so a comma or bracket inside an encoded name cannot mislead it)."""
    name, addr = email.utils.parseaddr(raw)
    name = words(name)
    return f"{name} <{addr}>" if name and addr else (addr or words(raw))


def ids(text: str) -> list[str]:
    """Message ids in a header, in order, without angle brackets (a bare id is taken as one)."""
    found = _ID.findall(text)
    if not found and "@" in text and len(text.split()) == 1:
        found = [text.strip()]
    return found


def _date(raw: str) -> str:
    if not raw:
        return ""
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return ""
    return when.isoformat(timespec="seconds")


# ------------------------------------------------------------------------------ the parts


def parts(message: Message) -> list[Part]:
    """Every file of the message, in order, each once; nameless ones named from their position
    and media type (``tep-dinh-kem-2.xlsx``)."""
    found: list[Part] = []
    for part, alternative in _leaves(message, False):
        if alternative and not _named(part) and part.get_content_disposition() != "attachment":
            continue  # a rendering of the body (plain, HTML, RTF, calendar)
        if part.get_content_type() in ("message/rfc822", "message/global"):
            inner = _inner(part)
            if inner is not None:
                name = _name(part) or NAMELESS.format(n=len(found) + 1, suffix=".eml")
                found.append(Part(name, _message_bytes(inner), bool(_name(part)), inner))
                continue
        data = _payload(part)
        if _is_body(part, data):
            continue
        name = _name(part)
        found.append(Part(name or NAMELESS.format(n=len(found) + 1, suffix=suffix_of(part.get_content_type(), data)), data, bool(name)))
    return found


def _leaves(part: Message, alternative: bool) -> Iterator[tuple[Message, bool]]:
    """Leaf parts with whether they sit in a multipart/alternative; forwarded messages are leaves."""
    payload = part.get_payload()
    if part.get_content_maintype() != "multipart" or not isinstance(payload, list):  # a forwarded message too
        yield part, alternative
        return
    children = [child for child in payload if isinstance(child, Message)]
    kind = part.get_content_type()
    if kind == "multipart/related":  # the root renders the body; the rest (inline images) are files
        start = part.get_param("start")
        root = next((c for c in children if start and c.get("Content-ID", "").strip() == str(start).strip()), children[0] if children else None)
        for child in children:
            yield from _leaves(child, alternative and child is root)
        return
    for child in children:
        yield from _leaves(child, alternative or kind == "multipart/alternative")


def _inner(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    data = _payload(part)  # a forwarded message sent base64-encoded (some clients do)
    try:
        return parse(data) if data else None
    except MailError:
        return None


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:  # noqa: BLE001  (a message too damaged to write back)
        return bytes(str(message), "utf-8", "surrogateescape")


def _named(part: Message) -> bool:
    return bool(_name(part))


def _name(part: Message) -> str:
    """The file name the sender gave (Content-Disposition filename, RFC 2231 or encoded words,
    else Content-Type name), without folders, NFC; "" when none."""
    try:
        name = part.get_filename() or part.get_param("name", header="content-type") or ""
    except Exception:  # noqa: BLE001  (a malformed parameter)
        return ""
    if isinstance(name, tuple):  # an RFC 2231 value the parser left undecoded
        name = email.utils.collapse_rfc2231_value(name)
    name = str(name)
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        name = eight_bit(name.encode("utf-8", "surrogateescape"))
    name = words(" ".join(name.split()))  # encoded words in a quoted name (Outlook, Gmail write them)
    name = PurePosixPath(name.replace("\\", "/")).name.strip()
    return unicodedata.normalize("NFC", "".join(ch for ch in name if ch >= " "))


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001  (a damaged transfer encoding)
        return b""
    if data is None:
        return b""
    return data if isinstance(data, bytes) else str(data).encode("utf-8", "surrogateescape")


def _is_body(part: Message, data: bytes) -> bool:
    if part.get_content_type() not in BODY_TYPES or part.get_content_disposition() == "attachment" or _named(part):
        return False
    return not binary(data)


def binary(data: bytes) -> bool:
    """Bytes that are a file whatever the label says (a workbook sent as text/plain)."""
    head = data[:1024]
    return head.startswith((ZIP_MAGIC, OLE_MAGIC, b"%PDF", b"\x1f\x8b", b"\x89PNG")) or b"\x00" in head


def suffix_of(media_type: str, data: bytes) -> str:
    """The extension for a nameless part: from its content when the label says little, else
    from its media type."""
    sniffed = sniff(data)
    given = MEDIA_SUFFIXES.get(media_type.lower(), "")
    if sniffed and (not given or given in (".txt", ".html", ".gz", ".zip") or media_type.lower() == "application/octet-stream"):
        return sniffed
    return given or sniffed or ".bin"


def sniff(data: bytes) -> str:
    """An extension from the first bytes, for the kinds hue-dx opens or checks."""
    if data.startswith(ZIP_MAGIC):
        head = data[:256]
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            return ".ods"
        return ".xlsx" if b"xl/" in data[-65536:] else ".zip"
    if data.startswith(OLE_MAGIC):
        window = data[:65536]
        if "__substg1.0_".encode("utf-16-le") in window or "__properties_version1.0".encode("utf-16-le") in window:
            return ".msg"
        return ".xls" if "Workbook".encode("utf-16-le") in window or "Book".encode("utf-16-le") in window else ".doc"
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"\x1f\x8b"):
        return ".tgz"  # a gzip: the walker opens it as a tar and keeps it as it is when it is not one
    if len(data) > 262 and data[257:262] == b"ustar":
        return ".tar"
    return ""

