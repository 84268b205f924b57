"""One letter to one unit, and the RFC 5322 message it becomes (standard ``email`` package,
``email.policy.SMTP``: CRLF line ends, headers folded at 78 characters).

Names and subjects in Vietnamese are RFC 2047 encoded words. The attachment's Vietnamese file
name is written the way every client reads it: RFC 2231 (``filename*=utf-8''…``, read by
Thunderbird, Apple Mail, Python and recent Outlook) and, as the fallback for clients that do not
read RFC 2231 (older Outlook, some webmail), RFC 2047 encoded words in the quoted ``filename``
and in Content-Type's ``name`` — the form Outlook and Gmail write themselves. Text parts are
quoted-printable so that any server takes them (no 8BITMIME needed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import unicodedata
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from ..addresses import AddressError, address
from ..campaign import Campaign, CampaignError, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".xlsx": XLSX, ".pdf": "application/pdf", ".html": "text/html", ".txt": "text/plain"}
_WORD = 45  # bytes of a name per encoded word: "=?utf-8?b?" + base64 of 45 bytes (60) + "?=" stays within 75 (RFC 2047)
_UNSAFE = '\\/:*?"<>|'  # not allowed in a Windows file name


@dataclass(frozen=True)
class Sender:
    """Who writes (the recipe's [contact]): the address, the name shown, the signature."""

    address: str
    name: str
    signature: str

    @classmethod
    def of(cls, contact: Mapping[str, str], where: str, short_name: str = "") -> Sender:
        """From [contact]: ``email``, ``email_name`` (else ``short_name``, its name in the roster,
        else ``unit``), ``signature`` (else the drafting office, the body's name and the address);
        ``where`` says which file, for the error."""
        try:
            sender = address(contact.get("email", ""))
        except AddressError as exc:
            raise CampaignError(f"{where}: khóa email của mục [contact] ({exc}): địa chỉ thư của cơ quan gửi") from None
        name = contact.get("email_name") or short_name or contact.get("unit", "")
        office = f"Phòng {contact['drafting']}" if contact.get("drafting") else ""
        signature = contact.get("signature") or "\n".join(x for x in (office, contact.get("unit", ""), f"Thư điện tử: {sender}") if x)
        return cls(sender, nfc(name), nfc(signature))

    @classmethod
    def of_campaign(cls, campaign: Campaign) -> Sender:
        """The sender of a campaign's messages (its [contact], named as in the roster)."""
        own = campaign.sender()[2]
        return cls.of(campaign.contact, str(campaign.path), own.name if own else "")

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class Attachment:
    """The file a letter carries: its Vietnamese name, the ASCII name it has on disk, its bytes."""

    name: str
    fallback: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def media(self) -> str:
        suffix = "." + self.fallback.rpartition(".")[2].lower()
        return MEDIA.get(suffix, "application/octet-stream")


@dataclass(frozen=True)
class Letter:
    """What one unit is sent: kind (``ledger.MESSAGE_KINDS``), period, subject, the body as plain
    text and as HTML, the attached file. ``draft``: the attached document is still a draft (no
    signer's name): written, never sent."""

    unit: Unit
    kind: str
    period: str
    subject: str
    text: str
    html: str
    attachment: Attachment
    draft: str = ""  # why it is a draft, in words

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.unit.email


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def file_name(text: str) -> str:
    """A Vietnamese file name safe on every system (NFC, no character Windows refuses)."""
    return " ".join("".join(" " if ch in _UNSAFE or ch < " " else ch for ch in nfc(text)).split())


def message(letter: Letter, sender: Sender, message_id: str, *, draft: bool, when: dt.datetime) -> EmailMessage:
    """The message of a letter; ``draft``: marked ``X-Unsent: 1`` so that Outlook opens it as a
    draft ready to send (Thunderbird and webmail import it as a message)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg.set_raw("From", mailbox(sender.name, sender.address))
    if letter.recipients:
        msg.set_raw("To", ",\n ".join(mailbox(letter.unit.name, a) for a in letter.recipients))
    msg.set_raw("Subject", encoded_words(letter.subject) if not letter.subject.isascii() else letter.subject)
    msg["Date"] = when
    msg["Message-ID"] = f"<{message_id}>"
    msg["X-Mailer"] = "hue-dx"
    if draft:
        msg["X-Unsent"] = "1"
    msg.set_content(letter.text, cte="quoted-printable")
    msg.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    attach(msg, letter.attachment)
    return msg


def attach(msg: EmailMessage, file: Attachment) -> None:
    """Attach a file under its Vietnamese name, in both encodings (see the module's docstring).
    The headers are written folded by hand: the package would fold ``filename*`` into RFC 2231
    continuations (``filename*0*``), which older Outlook does not join."""
    maintype, _, subtype = file.media.partition("/")
    msg.add_attachment(file.data, maintype=maintype, subtype=subtype, filename=file.fallback)
    part = list(msg.iter_attachments())[-1]
    words = encoded_words(file.name)
    del part["Content-Type"], part["Content-Disposition"]
    part.set_raw("Content-Type", f"{file.media};\n name=\"{words}\"")
    part.set_raw("Content-Disposition", f"attachment;\n filename*=utf-8''{urllib.parse.quote(file.name, safe='')};\n filename=\"{words}\"")


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 encoded words (base64, UTF-8), each under 76 characters, folded one
    word a line. Words are cut before a space, the space kept inside the next encoded word: the
    folding between two encoded words is no text (RFC 2047, 6.2), so a space left there would
    be lost (the ``email`` package folds subjects so, and "chuyển đổi số năm" came back
    "chuyển đổi sốnăm")."""
    chunks: list[str] = []
    current = ""
    for word in _words(text):
        if current and len((current + word).encode("utf-8")) > _WORD:
            chunks.append(current)
            current = ""
        while len((current + word).encode("utf-8")) > _WORD:  # a single word longer than an encoded word: cut between letters
            cut = max(n for n in range(1, len(word) + 1) if len((current + word[:n]).encode("utf-8")) <= _WORD)
            chunks.append(current + word[:cut])
            current, word = "", word[cut:]
        current += word
    chunks.append(current)
    return "\n ".join(f"=?utf-8?b?{base64.b64encode(c.encode('utf-8')).decode('ascii')}?=" for c in chunks)


def _words(text: str) -> list[str]:
    """"a b c" -> ["a", " b", " c"]: each word with the space before it."""
    parts = text.split(" ")
    return [parts[0], *(" " + p for p in parts[1:])]


def mailbox(name: str, addr: str) -> str:
    """``Name <address>``, the name as RFC 2047 encoded words when it is not plain ASCII. The name
    shown is the unit's short name, which fits one encoded word (Python's own parser reads the
    folding between two encoded words of a display name as one more space)."""
    if name.isascii():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{addr}>' if quoted else addr
    return f"{encoded_words(name)} <{addr}>"


#: SMTP's policy, keeping the headers folded by hand as they are (each line under 998 characters)
OUTPUT = policy.SMTP.clone(refold_source="none")


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=OUTPUT)
