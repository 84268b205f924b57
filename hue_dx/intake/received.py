"""What was received: files, folders, archives (also inside archives), e-mails and mailboxes,
walked into one flat list of items. Every file received is an item, workbook or not, and so is
every container, so every one can be archived, recorded and listed with what was done with it
and why.

- a folder is searched recursively;
- a .zip, a .tar (``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``) is opened, and containers inside
  it too, up to ``MAX_DEPTH`` levels of containers (an attachment .zip inside a forwarded e-mail
  inside a mailbox counts three); what lies deeper is one item saying so; member names are read
  as their writer meant them (``archives``);
- an e-mail saved as .eml, a mailbox exported as .mbox (or as a .tgz of .eml files, as webmail
  exports a folder) and an Outlook .msg are read for every file they hold (``mail``, ``outlook``);
  each carries the sender, date, Message-ID and replied-to ids of its message;
- anything else is an item of kind "other" (a .docx or .pdf sent beside the workbooks), kept
  and listed, never checked.

The original files are only read. Members of nested containers and of e-mails are written
to a spool folder for the run under a number (so worker processes read files, not the parent's
memory, and no member's name decides where anything is written).
"""

from __future__ import annotations

import io
import itertools
import lzma
import mailbox
import os
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.message import Message
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import HueDxError
from . import mail, outlook, xlsx
from .archives import TAR_SUFFIXES, is_tar_name, tar_members, zip_name
from .mail import Envelope
from .xlsx import MAX_RATIO, OLE_MAGIC, ZIP_MAGIC

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xlsb"}
ARCHIVE_SUFFIXES = {".zip"}
MAIL_SUFFIXES = {".eml"}
MAILBOX_SUFFIXES = {".mbox", ".mbx"}
OUTLOOK_SUFFIXES = {".msg"}
MAX_DEPTH = 3  # containers opened one inside another (a zip in a zip in an e-mail); deeper is reported
MAX_MEMBERS = 10_000  # members of one container looked at (a zip of a million empty files is a bomb)
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # a member larger than this is not extracted (noted as too large)
BOMB_MEMBER_BYTES = 1024 * 1024  # a zip member larger than this, compressed more than MAX_RATIO:1, is not extracted

OTHER_KINDS = {
    ".doc": "văn bản Word", ".docx": "văn bản Word", ".odt": "văn bản OpenDocument", ".pdf": "tệp PDF", ".png": "ảnh", ".jpg": "ảnh",
    ".jpeg": "ảnh", ".gif": "ảnh", ".bmp": "ảnh", ".tif": "ảnh", ".webp": "ảnh", ".txt": "tệp văn bản",
    ".rar": "tệp nén RAR (hue-dx không mở được: nén lại bằng .zip)",
    ".7z": "tệp nén 7-Zip (hue-dx không mở được: nén lại bằng .zip)",
    ".csv": "tệp CSV", ".htm": "trang HTML", ".html": "trang HTML", ".rtf": "văn bản RTF", ".ics": "lịch hẹn",
    ".p7s": "chữ ký số của thư", ".p7m": "thư được mã hóa S/MIME (hue-dx không mở được: đơn vị gửi lại thư không mã hóa)",
    ".meta": "dữ liệu kèm theo của bản xuất hộp thư (Zimbra)",
    ".dat": "tệp .dat (nếu là winmail.dat của Outlook: đơn vị gửi lại thư ở dạng HTML hoặc văn bản thường để tệp đính kèm đến được)",
}
MSG_UNREADABLE = ("thư Outlook .msg không đọc được (trong Outlook: kéo tệp đính kèm ra thư mục rồi gửi tệp đó, "
                  "hoặc chuyển tiếp thư tới hộp thư của Sở)")


class InputError(HueDxError, ValueError):
    """An input named on the command line cannot be received (it does not exist, or an archive
    belongs to another kind of return)."""


@dataclass(frozen=True)
class Item:
    """One file received. ``source`` is how a person finds it again: a path, and inside
    containers ``!/`` and the member (``thu.eml!/dinh-kem.zip!/SYT.xlsx``; a mailbox's messages
    are ``hop-thu.mbox!/thư 3``; a part sent without a name is named from its position and
    media type, ``thu.eml!/tep-dinh-kem-2.xlsx``).

    A container (a .zip, .tar, .eml, .mbox or .msg, given or found inside another, a message of
    a mailbox, a forwarded message) is an item of kind "container", listed before what it held,
    with ``note`` saying what it is and how many files it held ("tệp nén .zip, đã mở: 3 tệp");
    its ``path`` (and ``member``) are its own bytes, to be archived like any file. A message's
    container item carries that message's own sender, date and ids; every file that came in an
    e-mail carries those of the message it is attached to."""

    source: str
    path: str  # the file on disk to read (the original, or its copy in the spool folder)
    member: str | None = None  # a member of the .zip at ``path`` (archives read in place)
    # "workbook", "maybe" (named otherwise: checked if it is one), "other" (kept, listed, not checked),
    # "problem" (could not be read), "container" (a .zip, .tar, e-mail, mailbox, .msg opened: what it held follows it)
    kind: str = "workbook"
    note: str = ""  # for "other": what it seems to be; for "problem": the issue code; for "container": what it is, what it held
    detail: str = ""  # for "problem": what went wrong
    sender: str = ""  # of the e-mail it came in
    sent: str = ""  # date of that e-mail (ISO 8601)
    message_id: str = ""  # that e-mail's Message-ID, without angle brackets
    replies_to: tuple[str, ...] = ()  # the ids its In-Reply-To and References name, in order, without angle brackets

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.member or self.source.rsplit("!/", 1)[-1]).suffix.lower() or ".bin"

    @property
    def name(self) -> str:
        return file_name(self.source)


def file_name(source: str) -> str:
    """The file's own name from how it was received (a path, or archive.zip!/folder/member)."""
    return PurePosixPath(source.rsplit("!/", 1)[-1].replace("\\", "/")).name


def container_kind(name: str) -> str:
    """"zip", "tar", "mail", "mailbox", "outlook", or "" for a name that is no container."""
    if is_tar_name(name):
        return "tar"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        return "zip"
    if suffix in MAIL_SUFFIXES:
        return "mail"
    if suffix in MAILBOX_SUFFIXES:
        return "mailbox"
    return "outlook" if suffix in OUTLOOK_SUFFIXES else ""


def _with(envelope: Envelope) -> dict:
    return dict(sender=envelope.sender, sent=envelope.sent, message_id=envelope.message_id, replies_to=envelope.replies_to)


def _count(n: int, unit: str) -> str:
    return f"{n:,}".replace(",", ".") + f" {unit}"


def _held(what: str, n: int, unit: str) -> str:
    """What a container is and how many files (attachments, messages) it held, in words."""
    if n:
        return f"{what}, đã mở: {_count(n, unit)}"
    return f"{what}: không có {unit}" if unit == "tệp đính kèm" else f"{what}, đã mở: không có {unit} nào"


class _Walk:
    """The walk over everything named on the command line (one per run)."""

    def __init__(self, spool: Path):
        self.spool = spool
        self.items: list[Item] = []
        self._spooled_count = 0
        self._open: list[int] = []  # items added directly inside each container being walked

    def _spooled(self, data: bytes, name: str) -> str:
        self._spooled_count += 1
        lower = name.lower()
        suffix = next((s for s in TAR_SUFFIXES if lower.endswith(s)), PurePosixPath(lower).suffix)[:12]
        path = self.spool / f"{self._spooled_count:06d}{suffix}"
        path.write_bytes(data)
        return str(path)

    def _add(self, item: Item) -> None:
        self.items.append(item)
        if self._open:
            self._open[-1] += 1

    @contextmanager
    def _container(self, source: str, path: str, member: str | None, what: str, unit: str, envelope: Envelope) -> Iterator[None]:
        at = len(self.items)
        self._add(Item(source, path, member, kind="container", note=what, **_with(envelope)))
        self._open.append(0)
        try:
            yield
        finally:
            self.items[at] = replace(self.items[at], note=_held(what, self._open.pop(), unit))

    # ---------------------------------------------------------------- files on disk

    def path(self, given: Path) -> None:
        if given.is_dir():
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                self.file(path)
        elif given.is_file():
            self.file(given)
        else:
            raise InputError(f"Không tìm thấy: {given}")

    def file(self, path: Path) -> None:
        source, name = str(path), path.name
        hidden = _hidden(name)
        if hidden:
            self._add(Item(source, source, kind="other", note=hidden))
            return
        kind = container_kind(name)
        none = Envelope()
        if kind == "zip" and not _is_workbook_zip(path):
            try:
                zf = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError):
                self._add(Item(source, source))  # checked as a file: reported as a corrupt one
                return
            with zf, self._container(source, source, None, "tệp nén .zip", "tệp", none):
                self.zip_members(zf, source, source, 1, in_place=True, envelope=none)
        elif kind == "tar":
            with open(path, "rb") as raw:
                self.tar(raw, source, source, 1, none)
        elif kind == "mailbox":
            self.mailbox(path, source, source, 1, none)
        elif kind in ("mail", "outlook"):
            self.message_file(path.read_bytes(), source, source, kind, 1, none)
        else:
            self._add(self._leaf(source, source, None, none))

    # ---------------------------------------------------------------- containers

    def zip_members(self, zf: zipfile.ZipFile, source: str, path: str, depth: int, *, in_place: bool, envelope: Envelope) -> None:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            self._add(Item(f"{source}!/…", "", kind="problem", note="file-zip-bomb", detail=f"hơn {_count(MAX_MEMBERS, 'mục')}: chỉ mở "
                           f"{_count(MAX_MEMBERS, 'mục')} đầu", **_with(envelope)))
        used: set[str] = set()
        for info in infos[:MAX_MEMBERS]:
            shown = _unique(zip_name(info), used)
            member_source = f"{source}!/{shown}"
            name = PurePosixPath(shown).name
            # read in place only when the name finds this very entry (a zip may hold one name twice)
            here = in_place and zf.NameToInfo.get(info.filename) is info
            if info.file_size > MAX_MEMBER_BYTES:
                self._add(Item(member_source, path, kind="problem", note="file-too-large", detail=f"{info.file_size // 1024 // 1024} MB",
                               **_with(envelope)))
                continue
            if info.file_size > BOMB_MEMBER_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                self._add(Item(member_source, path, kind="problem", note="file-zip-bomb",
                               detail=f"{name}: tỷ lệ nén {info.file_size // max(info.compress_size, 1)}", **_with(envelope)))
                continue
            hidden = _hidden(name) or ("tệp ẩn của macOS" if shown.startswith("__MACOSX/") else "")
            if hidden and here:
                self._add(Item(member_source, path, info.filename, "other", hidden, **_with(envelope)))
                continue
            if container_kind(name) or not here:
                try:
                    data = zf.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError):
                    self._add(Item(member_source, path, kind="problem", note="file-corrupt", detail="không giải nén được mục này",
                                   **_with(envelope)))
                    continue
                if hidden:
                    self._add(Item(member_source, self._spooled(data, name), kind="other", note=hidden, **_with(envelope)))
                else:
                    self.found(data, member_source, name, depth, envelope)
            else:
                self._add(self._leaf(member_source, path, info.filename, envelope))

    def tar(self, raw: IO[bytes], source: str, path: str, depth: int, envelope: Envelope) -> None:
        """A tar (compressed or not), read as a stream: a webmail export (.tgz of .eml) too."""
        lower = source.lower()
        what = "tệp nén " + next((s for s in TAR_SUFFIXES if lower.endswith(s)), ".tar")
        members = tar_members(raw, MAX_MEMBERS, MAX_MEMBER_BYTES)
        try:
            first = next(members, None)
        except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
            self._add(Item(source, path, kind="maybe", note=f"{what} hỏng hoặc không phải tệp nén (đã lưu, không mở được)", **_with(envelope)))
            return
        used: set[str] = set()
        with self._container(source, path, None, what, "tệp", envelope):
            for member in itertools.chain([first] if first else [], members):
                shown = _unique(member.name, used)
                member_source = f"{source}!/{shown}"
                name = PurePosixPath(shown).name
                if member.problem:
                    self._add(Item(member_source, "", kind="problem", note=member.problem, detail=member.detail, **_with(envelope)))
                    continue
                hidden = member.other or _hidden(name) or ("tệp ẩn của macOS" if shown.startswith("__MACOSX/") else "")
                if hidden:
                    self._add(Item(member_source, self._spooled(member.data, name), kind="other", note=hidden, **_with(envelope)))
                else:
                    self.found(member.data, member_source, name, depth, envelope)

    def found(self, data: bytes, source: str, name: str, depth: int, envelope: Envelope) -> None:
        """A file found inside a container (depth = containers around it)."""
        kind = container_kind(name)
        if kind == "zip" and (not data.startswith(ZIP_MAGIC) or _is_workbook_zip(data)):
            kind = ""  # a workbook named .zip, or no zip at all: checked as a file
        if kind and depth >= MAX_DEPTH:
            self._add(Item(source, "", kind="problem", note="archive-too-deep", detail=str(MAX_DEPTH), **_with(envelope)))
            return
        if kind == "zip":
            try:
                zf = zipfile.ZipFile(io.BytesIO(data))
            except (zipfile.BadZipFile, OSError, ValueError):
                self._add(Item(source, self._spooled(data, name), **_with(envelope)))
                return
            with zf, self._container(source, self._spooled(data, name), None, "tệp nén .zip", "tệp", envelope):
                self.zip_members(zf, source, "", depth + 1, in_place=False, envelope=envelope)
        elif kind == "tar":
            self.tar(io.BytesIO(data), source, self._spooled(data, name), depth + 1, envelope)
        elif kind == "mailbox":
            path = self._spooled(data, name)
            self.mailbox(Path(path), source, path, depth + 1, envelope)
        elif kind in ("mail", "outlook"):
            self.message_file(data, source, self._spooled(data, name), kind, depth + 1, envelope)
        else:
            self._add(self._leaf(source, self._spooled(data, name), None, envelope))

    def message_file(self, data: bytes, source: str, path: str, kind: str, depth: int, around: Envelope) -> None:
        """A saved message: .eml, or Outlook's .msg (a .msg that is MIME text is read as .eml)."""
        if kind == "outlook" and data.startswith(OLE_MAGIC):
            self.outlook(data, source, path, depth, around)
            return
        try:
            message = mail.parse(data)
        except mail.MailError:
            self._add(Item(source, "", kind="problem", note="file-corrupt", detail="không đọc được thư điện tử", **_with(around)))
            return
        if kind == "outlook" and not any(mail.raw_header(message, h) for h in ("From", "Date", "Content-Type")):
            self._add(Item(source, path, kind="maybe", note=MSG_UNREADABLE, **_with(around)))
            return
        self.message(message, source, path, depth, "thư điện tử .eml" if kind == "mail" else "thư điện tử (lưu thành .msg)", around)

    def message(self, message: Message, source: str, path: str, depth: int, what: str, around: Envelope | None) -> None:
        """An e-mail: every file it holds (``mail.parts``), with the message's envelope."""
        envelope = mail.envelope(message, around)
        used: set[str] = set()
        with self._container(source, path, None, what, "tệp đính kèm", envelope):
            for part in mail.parts(message):
                name = _unique(part.name, used)
                part_source = f"{source}!/{name}"
                if part.message is None:
                    self.found(part.data, part_source, name, depth, envelope)
                elif depth >= MAX_DEPTH:
                    self._add(Item(part_source, "", kind="problem", note="archive-too-deep", detail=str(MAX_DEPTH), **_with(envelope)))
                else:
                    self.message(part.message, part_source, self._spooled(part.data, name), depth + 1, "thư chuyển tiếp", envelope)

    def outlook(self, data: bytes, source: str, path: str, depth: int, around: Envelope) -> None:
        try:
            found = outlook.read(data)
        except outlook.MsgError:
            self._add(Item(source, path, kind="maybe", note=MSG_UNREADABLE, **_with(around)))
            return
        envelope = replace(found.envelope, sender=found.envelope.sender or around.sender, sent=found.envelope.sent or around.sent)
        used: set[str] = set()
        with self._container(source, path, None, "thư Outlook .msg", "tệp đính kèm", envelope):
            for attachment in found.attachments:
                name = _unique(attachment.name, used)
                if attachment.link:
                    self._add(Item(f"{source}!/{name}", self._spooled(attachment.data, name), kind="other",
                                   note=f"tệp đính kèm dạng liên kết tới {attachment.link} (thư không chứa tệp: đơn vị đính kèm lại tệp)",
                                   **_with(envelope)))
                else:
                    self.found(attachment.data, f"{source}!/{name}", name, depth, envelope)

    def mailbox(self, path: Path, source: str, own: str, depth: int, around: Envelope) -> None:
        try:
            box = mailbox.mbox(str(path), create=False)
            keys = list(box.keys())
        except Exception:  # noqa: BLE001  (mailbox raises several kinds on a damaged file)
            self._add(Item(source, "", kind="problem", note="file-corrupt", detail="không đọc được hộp thư .mbox", **_with(around)))
            return
        try:
            with self._container(source, own, None, "hộp thư .mbox", "thư", around):
                for n, key in enumerate(keys, start=1):
                    try:
                        data = box.get_bytes(key)
                        message = mail.parse(data)
                    except Exception:  # noqa: BLE001
                        self._add(Item(f"{source}!/thư {n}", "", kind="problem", note="file-corrupt", detail="không đọc được thư",
                                       **_with(around)))
                        continue
                    self.message(message, f"{source}!/thư {n}", self._spooled(data, "thu.eml"), depth, "thư điện tử", around)
        finally:
            box.close()

    @staticmethod
    def _leaf(source: str, path: str, member: str | None, envelope: Envelope) -> Item:
        suffix = PurePosixPath((member or source).replace("\\", "/")).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            return Item(source, path, member, **_with(envelope))
        note = OTHER_KINDS.get(suffix, f"tệp {suffix}" if suffix else "tệp không có phần mở rộng")
        # an .xlsx renamed to something else still is a workbook: checked, not passed over
        return Item(source, path, member, kind="maybe", note=note, **_with(envelope))


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``name (2)`` (before its extension) when the container already held one of
    that name: two attachments called SYT.xlsx are two items, told apart by their source."""
    key, n = name.casefold(), 1
    lower = name.lower()
    suffix = next((s for s in TAR_SUFFIXES if lower.endswith(s)), PurePosixPath(name).suffix)
    stem = name[:len(name) - len(suffix)] if suffix else name
    candidate = name
    while key in used:
        n += 1
        candidate = f"{stem} ({n}){name[len(stem):]}"
        key = candidate.casefold()
    used.add(key)
    return candidate


def _hidden(name: str) -> str:
    if name.startswith("~$"):
        return "tệp khóa tạm của Excel (không phải sổ)"
    if name.startswith("._"):
        return "tệp phụ của macOS (AppleDouble)"
    if name.startswith("."):
        return "tệp ẩn của hệ điều hành"
    if name.lower() in ("thumbs.db", "desktop.ini"):
        return "tệp hệ thống của Windows"
    return ""


def _is_workbook_zip(source: bytes | Path) -> bool:
    """A .zip that is in fact a workbook (an .xlsx renamed): checked as one, not opened as an archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            return xlsx.is_workbook_package(zf)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def walk(inputs: Iterable[Path], spool: Path) -> list[Item]:
    """Every file received, in a stable order (inputs as given, folders sorted; a container
    before what it held)."""
    run = _Walk(spool)
    for given in inputs:
        run.path(given)
    return run.items


class Spool:
    """A temporary folder for the members of nested containers, removed after the run."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="hue-dx-nhan-")
        self.path = Path(self._dir.name)
        os.chmod(self.path, 0o700)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()
