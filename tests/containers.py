"""Containers for the tests: tars as Python writes them, and Outlook .msg files written
as [MS-OXMSG] lays them out (Outlook is not at hand):
property streams ``__substg1.0_IIIITTTT``, the ``__properties_version1.0`` stream with its
header (32 bytes at the top, 24 in an attached message, 8 in attachments and recipients), the
named-property storage, recipients, attachments by value, by reference and attached messages
(``__substg1.0_3701000D``). The compound file itself is written by ``hue_dx.intake.cfb`` and read
back by olefile, an independent implementation."""

from __future__ import annotations

import datetime as dt
import io
import struct
import tarfile
import unicodedata
from dataclasses import dataclass, field

from hue_dx.intake import cfb

PT_LONG, PT_SYSTIME, PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x0003, 0x0040, 0x001E, 0x001F, 0x0102, 0x000D
EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def tarred(members: dict[str, bytes | tarfile.TarInfo], mode: str = "w:gz") -> bytes:
    """A tar (gzip-compressed unless ``mode`` says otherwise) of files, or of the links and
    devices ``TarInfo`` entries describe."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            if isinstance(data, tarfile.TarInfo):
                tf.addfile(data)
            else:
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 1_765_000_000
                tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258 as Vietnamese Windows writes it: tone marks as combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        split = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in split if c not in TONE_MARKS))
        out += base.encode("cp1258") + "".join(c for c in split if c in TONE_MARKS).encode("cp1258")
    return bytes(out)


@dataclass
class Attached:
    """An attachment: a file (``data``), a message (``message``), or a link to a path (``link``)."""

    name: str | None = None  # the long file name (3707); None: none given
    data: bytes = b""
    mime: str = ""
    short_name: str | None = None  # 3704, the 8.3 name older Outlook writes
    display: str | None = None  # 3001
    message: Outlook | None = None
    link: str | None = None


@dataclass
class Outlook:
    sender_name: str = ""
    smtp: str = ""  # 5D01
    exchange: str = ""  # 0C1F as Exchange writes it for internal senders (an X.500 address)
    submitted: dt.datetime | None = None  # 0039
    delivered: dt.datetime | None = None  # 0E06
    subject: str = ""
    body: str = ""
    message_id: str = ""  # 1035, with angle brackets as Outlook stores it
    in_reply_to: str = ""  # 1042
    references: str = ""  # 1039
    headers: str = ""  # 007D, the internet headers of a received message
    unicode: bool = True  # strings as 001F (UTF-16), else 001E in ``codepage``
    codepage: int = 1258
    attachments: list[Attached] = field(default_factory=list)


class _Props:
    def __init__(self, unicode: bool, codepage: int):
        self.unicode, self.codepage = unicode, codepage
        self.streams: dict[str, bytes] = {}
        self.entries: list[bytes] = []

    def fixed(self, pid: int, kind: int, value: int) -> None:
        self.entries.append(struct.pack("<IIQ", pid << 16 | kind, 6, value))

    def text(self, pid: int, value: str) -> None:
        if not value:
            return
        if self.unicode:
            raw, kind, size = value.encode("utf-16-le"), PT_UNICODE, len(value.encode("utf-16-le")) + 2
        else:
            raw = cp1258(value) if self.codepage == 1258 else value.encode(f"cp{self.codepage}")
            kind, size = PT_STRING8, len(raw) + 1
        self.streams[f"__substg1.0_{pid:04X}{kind:04X}"] = raw
        self.entries.append(struct.pack("<IIII", pid << 16 | kind, 6, size, 0))

    def binary(self, pid: int, value: bytes) -> None:
        self.streams[f"__substg1.0_{pid:04X}0102"] = value
        self.entries.append(struct.pack("<IIII", pid << 16 | PT_BINARY, 6, len(value), 0))

    def time(self, pid: int, when: dt.datetime | None) -> None:
        if when is not None:
            self.fixed(pid, PT_SYSTIME, int((when - EPOCH).total_seconds() * 10_000_000))

    def tree(self, header: bytes) -> cfb.Tree:
        out: cfb.Tree = dict(self.streams)
        out["__properties_version1.0"] = header + b"".join(self.entries)
        return out


def tree(message: Outlook, embedded: bool = False) -> cfb.Tree:
    props = _Props(message.unicode, message.codepage)
    props.text(0x001A, "IPM.Note")
    props.text(0x0037, message.subject)
    props.text(0x1000, message.body)
    props.text(0x0C1A, message.sender_name)
    props.text(0x0042, message.sender_name)
    props.text(0x0C1F, message.exchange or message.smtp)
    props.text(0x0065, message.exchange or message.smtp)
    props.text(0x5D01, message.smtp)
    props.text(0x1035, message.message_id)
    props.text(0x1042, message.in_reply_to)
    props.text(0x1039, message.references)
    props.text(0x007D, message.headers)
    props.time(0x0039, message.submitted)
    props.time(0x0E06, message.delivered)
    props.fixed(0x3FFD, PT_LONG, message.codepage)
    props.fixed(0x340D, PT_LONG, 0x00040000 if message.unicode else 0)  # PR_STORE_SUPPORT_MASK: STORE_UNICODE_OK
    recipient = _Props(message.unicode, message.codepage)
    recipient.text(0x3001, "Sở Thông tin và Truyền thông")
    recipient.text(0x39FE, "stttt@thuathienhue.gov.vn")
    recipient.fixed(0x0C15, PT_LONG, 1)  # MAPI_TO
    out: cfb.Tree = {}
    for n, attached in enumerate(message.attachments):
        out[f"__attach_version1.0_#{n:08X}"] = _attachment(attached, n, message)
    out["__recip_version1.0_#00000000"] = recipient.tree(b"\x00" * 8)
    count = len(message.attachments)
    if embedded:
        header = struct.pack("<8sIIII", b"", 1, count, 1, count)
    else:
        header = struct.pack("<8sIIII8s", b"", 1, count, 1, count, b"")
        out["__nameid_version1.0"] = {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"", "__substg1.0_00040102": b""}
    out.update(props.tree(header))
    return out


def _attachment(attached: Attached, n: int, around: Outlook) -> cfb.Tree:
    props = _Props(around.unicode, around.codepage)
    props.fixed(0x0E21, PT_LONG, n)  # PR_ATTACH_NUM
    if attached.name:
        props.text(0x3707, attached.name)
    if attached.short_name:
        props.text(0x3704, attached.short_name)
    props.text(0x3001, attached.display or "")
    props.text(0x370E, attached.mime)
    out: cfb.Tree = {}
    if attached.message is not None:
        props.fixed(0x3705, PT_LONG, 5)  # ATTACH_EMBEDDED_MSG
        props.entries.append(struct.pack("<IIII", 0x3701 << 16 | PT_OBJECT, 6, 0xFFFFFFFF, 0))
        out["__substg1.0_3701000D"] = tree(attached.message, embedded=True)
    elif attached.link is not None:
        props.fixed(0x3705, PT_LONG, 4)  # ATTACH_BY_REF_ONLY
        props.text(0x370D, attached.link)
    else:
        props.fixed(0x3705, PT_LONG, 1)  # ATTACH_BY_VALUE
        props.binary(0x3701, attached.data)
    out.update(props.tree(b"\x00" * 8))
    return out


def msg(message: Outlook) -> bytes:
    return cfb.write(tree(message))
