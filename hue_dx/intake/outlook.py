"""Outlook's .msg (what Outlook for Windows writes when a message is dragged to a folder), read
with olefile ([MS-OXMSG]): the sender, the date, the message's Message-ID and what it replies
to, and every attachment. An attached message (or OLE object) is written out as a .msg (or
compound file) of its own (``cfb``), so the walker opens, archives and lists it like any other.

Properties are streams ``__substg1.0_IIIITTTT`` (id, type: 001F UTF-16, 001E 8-bit, 0102 binary)
or 16-byte entries of the ``__properties_version1.0`` stream (fixed-size values: dates, numbers);
attachments are storages ``__attach_version1.0_#NNNNNNNN`` holding 3701 (data), 3707/3704/3001
(long, short, display name), 370E (media type), 3705 (method), and a message attached by value
in the storage ``__substg1.0_3701000D``.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import io
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import olefile

from . import cfb
from .mail import NAMELESS, Envelope, address, header, ids, raw_header, suffix_of

ATTACH = "__attach_version1.0_#"
RECIP = "__recip_version1.0_#"
PROPS = "__properties_version1.0"
NAMEID = "__nameid_version1.0"
EMBEDDED = "__substg1.0_3701000D"
# property ids
SUBMIT_TIME, DELIVERY_TIME, HEADERS = 0x0039, 0x0E06, 0x007D
SENDER_NAME, SENDER_ADDRESS, SENDER_SMTP = 0x0C1A, 0x0C1F, 0x5D01
FROM_NAME, FROM_ADDRESS, FROM_SMTP = 0x0042, 0x0065, 0x5D02
MESSAGE_ID, IN_REPLY_TO, REFERENCES = 0x1035, 0x1042, 0x1039
ATTACH_DATA, ATTACH_EXTENSION, ATTACH_SHORT_NAME, ATTACH_METHOD, ATTACH_LONG_NAME = 0x3701, 0x3703, 0x3704, 0x3705, 0x3707
ATTACH_PATH, ATTACH_MIME, DISPLAY_NAME, CODEPAGE, INTERNET_CODEPAGE = 0x370D, 0x370E, 0x3001, 0x3FFD, 0x3FDE
BY_REFERENCE = (2, 3, 4)  # ATTACH_BY_REFERENCE, _BY_REF_RESOLVE, _BY_REF_ONLY: a path on the sender's disk, no bytes
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
_CODEPAGES = {1258: "cp1258", 1252: "cp1252", 65001: "utf-8", 20127: "ascii", 28591: "latin-1"}


class MsgError(ValueError):
    """Not an Outlook message (not a compound file, or no message properties)."""


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    named: bool = True
    link: str = ""  # attached by reference: the path on the sender's disk (``data`` holds it)


@dataclass
class Msg:
    envelope: Envelope
    attachments: list[Attachment] = field(default_factory=list)


def read(data: bytes) -> Msg:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001  (olefile raises several kinds on a damaged file)
        raise MsgError(str(exc)) from exc
    try:
        return _Reader(ole).message([])
    except MsgError:
        raise
    except Exception as exc:  # noqa: BLE001  (a damaged stream inside)
        raise MsgError(str(exc)) from exc
    finally:
        ole.close()


class _Reader:
    def __init__(self, ole: olefile.OleFileIO):
        self.ole = ole
        self.entries = [tuple(e) for e in ole.listdir(streams=True, storages=True)]

    def message(self, at: list[str]) -> Msg:
        if (*at, PROPS) not in self.entries and \
                not any(len(e) == len(at) + 1 and e[:len(at)] == tuple(at) and e[-1].startswith("__substg1.0_") for e in self.entries):
            raise MsgError("không có thuộc tính thư")
        props = self.fixed(at, 32 if not at else 24)
        codepage = _CODEPAGES.get(int(props.get(INTERNET_CODEPAGE, props.get(CODEPAGE, 0)) or 0), "cp1258")
        text = lambda pid: self.text(at, pid, codepage)  # noqa: E731
        headers = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text(HEADERS)) if text(HEADERS) else None
        smtp = next((a for a in (text(SENDER_SMTP), text(FROM_SMTP), text(SENDER_ADDRESS), text(FROM_ADDRESS)) if "@" in a), "")
        name = text(SENDER_NAME) or text(FROM_NAME)
        sender = f"{name} <{smtp}>" if name and smtp and name != smtp else (smtp or name)
        if not sender and headers is not None:
            sender = address(raw_header(headers, "From"))
        when = props.get(SUBMIT_TIME) or props.get(DELIVERY_TIME)
        sent = (_FILETIME_EPOCH + dt.timedelta(microseconds=when // 10)).isoformat(timespec="seconds") if when else ""
        own = ids(text(MESSAGE_ID)) or (ids(header(headers, "Message-ID")) if headers is not None else [])
        replies = ids(text(IN_REPLY_TO)) + ids(text(REFERENCES))
        if not replies and headers is not None:
            replies = ids(header(headers, "In-Reply-To")) + ids(header(headers, "References"))
        found = Msg(Envelope(unicodedata.normalize("NFC", sender), sent, own[0] if own else "", tuple(dict.fromkeys(replies))))
        storages = sorted(e[-1] for e in self.entries if len(e) == len(at) + 1 and e[:len(at)] == tuple(at) and e[-1].startswith(ATTACH))
        for storage in storages:
            found.attachments.append(self.attachment([*at, storage], len(found.attachments) + 1, codepage))
        return found

    def attachment(self, at: list[str], position: int, codepage: str) -> Attachment:
        props = self.fixed(at, 8)
        text = lambda pid: self.text(at, pid, codepage)  # noqa: E731
        given = text(ATTACH_LONG_NAME) or text(ATTACH_SHORT_NAME) or text(DISPLAY_NAME)
        name = unicodedata.normalize("NFC", PurePosixPath(given.replace("\\", "/")).name.strip()) if given else ""
        if (*at, EMBEDDED) in self.entries:
            tree = self.tree([*at, EMBEDDED])
            message = PROPS in tree or any(k.startswith("__substg1.0_") for k in tree)
            if message:
                tree = self.standalone(tree)
            data = cfb.write(tree)
            if not name:
                name = NAMELESS.format(n=position, suffix=".msg" if message else suffix_of("application/octet-stream", data))
            elif message and not name.lower().endswith(".msg"):
                name += ".msg"  # an attached message is named by its subject
            return Attachment(name, data, bool(given))
        if int(props.get(ATTACH_METHOD, 1) or 1) in BY_REFERENCE and not self.has(at, ATTACH_DATA, 0x0102):
            link = text(ATTACH_PATH)
            return Attachment(name or NAMELESS.format(n=position, suffix=""), link.encode("utf-8"), bool(given), link=link or "?")
        data = self.binary(at, ATTACH_DATA)
        if not name:
            extension = text(ATTACH_EXTENSION)
            name = NAMELESS.format(n=position, suffix=extension if extension.startswith(".") else suffix_of(text(ATTACH_MIME), data))
        return Attachment(name, data, bool(given))

    # ------------------------------------------------------------------ properties

    def has(self, at: list[str], pid: int, kind: int) -> bool:
        return (*at, f"__substg1.0_{pid:04X}{kind:04X}") in self.entries

    def stream(self, path: list[str]) -> bytes:
        return bytes(self.ole.openstream(path).read())

    def binary(self, at: list[str], pid: int) -> bytes:
        return self.stream([*at, f"__substg1.0_{pid:04X}0102"]) if self.has(at, pid, 0x0102) else b""

    def text(self, at: list[str], pid: int, codepage: str) -> str:
        if self.has(at, pid, 0x001F):
            value = self.stream([*at, f"__substg1.0_{pid:04X}001F"]).decode("utf-16-le", "replace")
        elif self.has(at, pid, 0x001E):
            value = self.stream([*at, f"__substg1.0_{pid:04X}001E"]).decode(codepage, "replace")
        else:
            return ""
        return value.split("\x00", 1)[0].strip()

    def fixed(self, at: list[str], header: int) -> dict[int, int]:
        """Fixed-size property values (numbers, dates) by id, from the properties stream."""
        if (*at, PROPS) not in self.entries:
            return {}
        raw = self.stream([*at, PROPS])
        values: dict[int, int] = {}
        for offset in range(header, len(raw) - 15, 16):
            tag, _flags, value = struct.unpack_from("<IIQ", raw, offset)
            kind, pid = tag & 0xFFFF, tag >> 16
            if kind in (0x0040, 0x0014):  # PT_SYSTIME, PT_I8
                values[pid] = value
            elif kind in (0x0003, 0x000B, 0x0002):  # PT_LONG, PT_BOOLEAN, PT_SHORT
                values[pid] = value & 0xFFFFFFFF
        return values

    def tree(self, at: list[str]) -> cfb.Tree:
        out: cfb.Tree = {}
        for entry in self.entries:
            if len(entry) == len(at) + 1 and entry[:len(at)] == tuple(at):
                out[entry[-1]] = self.tree(list(entry)) if self.ole.get_type(list(entry)) == olefile.STGTY_STORAGE else self.stream(list(entry))
        return out

    def standalone(self, tree: cfb.Tree) -> cfb.Tree:
        """An attached message as Outlook saves it on its own: the top-level properties header
        (32 bytes, not 24) and the named-property map of the file it came in."""
        props = tree.get(PROPS)
        if isinstance(props, bytes) and len(props) >= 24:
            tree[PROPS] = props[:24] + b"\x00" * 8 + props[24:]
        if NAMEID not in tree and (NAMEID,) in self.entries:
            tree[NAMEID] = self.tree([NAMEID])
        return tree
