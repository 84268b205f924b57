"""What was received: files, folders, archives (also inside archives), e-mails and mailboxes,
walked into one flat list of items. Every file received is an item, workbook or not, so every
one can be archived, recorded and listed with what was done with it and why.

- a folder is searched recursively;
- a .zip is opened, and archives inside it too, up to ``MAX_DEPTH`` levels of containers
  (an attachment .zip inside a forwarded e-mail inside a mailbox counts three); what lies
  deeper is one item saying so;
- an e-mail saved as .eml, or a mailbox exported as .mbox, is read for its attachments
  (and for archives among them); each attachment carries the sender and date of its message,
  which become the file's received date;
- anything else is an item of kind "other" (a .docx or .pdf sent beside the workbooks), kept
  and listed, never checked.

The original files are only read. Members of nested containers and of e-mails are written
to a spool folder for the run (so worker processes read files, not the parent's memory).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import io
import mailbox
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path, PurePosixPath

from ..errors import HueDxError

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xlsb"}
ARCHIVE_SUFFIXES = {".zip"}
MAIL_SUFFIXES = {".eml"}
MAILBOX_SUFFIXES = {".mbox", ".mbx"}
MAX_DEPTH = 3  # containers opened one inside another (a zip in a zip in an e-mail); deeper is reported
MAX_MEMBERS = 10_000  # members of one container looked at (a zip of a million empty files is a bomb)
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # a member larger than this is not extracted (noted as too large)

OTHER_KINDS = {
    ".doc": "văn bản Word", ".docx": "văn bản Word", ".pdf": "tệp PDF", ".png": "ảnh", ".jpg": "ảnh", ".jpeg": "ảnh",
    ".gif": "ảnh", ".txt": "tệp văn bản", ".rar": "tệp nén RAR (hue-dx không mở được: nén lại bằng .zip)",
    ".7z": "tệp nén 7-Zip (hue-dx không mở được: nén lại bằng .zip)",
    ".msg": "thư Outlook .msg (lưu thư thành .eml để hue-dx mở tệp đính kèm)", ".csv": "tệp CSV", ".htm": "trang HTML", ".html": "trang HTML",
}


class InputError(HueDxError, ValueError):
    """An input named on the command line cannot be received (it does not exist, or an archive
    belongs to another kind of return)."""


@dataclass(frozen=True)
class Item:
    """One file received. ``source`` is how a person finds it again: a path, and inside
    containers ``!/`` and the member (``thu.eml!/dinh-kem.zip!/SYT.xlsx``)."""

    source: str
    path: str  # the file on disk to read (the original, or its copy in the spool folder)
    member: str | None = None  # a member of the .zip at ``path`` (archives read in place)
    kind: str = "workbook"  # "workbook", "maybe" (named otherwise: checked if it is one), "other" (kept, listed, not checked), "problem" (could not be read)
    note: str = ""  # for "other": what it seems to be; for "problem": the issue code
    detail: str = ""  # for "problem": what went wrong
    sender: str = ""  # of the e-mail it came in
    sent: str = ""  # date of that e-mail (ISO 8601)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.member or self.source.rsplit("!/", 1)[-1]).suffix.lower() or ".bin"

    @property
    def name(self) -> str:
        return file_name(self.source)


def file_name(source: str) -> str:
    """The file's own name from how it was received (a path, or archive.zip!/folder/member)."""
    return PurePosixPath(source.rsplit("!/", 1)[-1].replace("\\", "/")).name


class _Walk:
    """The walk over everything named on the command line (one per run)."""

    def __init__(self, spool: Path):
        self.spool = spool
        self.items: list[Item] = []
        self._count = 0

    def _spooled(self, data: bytes, name: str) -> str:
        self._count += 1
        path = self.spool / f"{self._count:06d}{PurePosixPath(name).suffix.lower()[:12]}"
        path.write_bytes(data)
        return str(path)

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
            self.items.append(Item(source, source, kind="other", note=hidden))
            return
        suffix = path.suffix.lower()
        if suffix in ARCHIVE_SUFFIXES and not _is_workbook_zip(path):
            try:
                with zipfile.ZipFile(path) as zf:
                    self.zip_members(zf, source, str(path), 1, in_place=True, sender="", sent="")
            except (zipfile.BadZipFile, OSError, ValueError):
                self.items.append(Item(source, source))  # checked as a file: reported as a corrupt one
            return
        if suffix in MAIL_SUFFIXES:
            self.mail(path.read_bytes(), source, 1)
            return
        if suffix in MAILBOX_SUFFIXES:
            self.mailbox(path, source, 1)
            return
        self.items.append(self._leaf(source, source, None, "", ""))

    # ---------------------------------------------------------------- containers

    def zip_members(self, zf: zipfile.ZipFile, source: str, path: str, depth: int, *, in_place: bool, sender: str, sent: str) -> None:
        infos = [i for i in zf.infolist() if not i.is_dir()][:MAX_MEMBERS]
        for info in infos:
            member_source = f"{source}!/{info.filename}"
            name = PurePosixPath(info.filename).name
            hidden = _hidden(name) or ("tệp ẩn của macOS" if info.filename.startswith("__MACOSX/") else "")
            if hidden:
                self.items.append(Item(member_source, path, info.filename if in_place else None, "other", hidden, sender=sender, sent=sent))
                continue
            suffix = PurePosixPath(name).suffix.lower()
            container = suffix in ARCHIVE_SUFFIXES | MAIL_SUFFIXES | MAILBOX_SUFFIXES
            if info.file_size > MAX_MEMBER_BYTES:
                self.items.append(Item(member_source, path, kind="problem", note="file-too-large",
                                       detail=f"{info.file_size // 1024 // 1024} MB", sender=sender, sent=sent))
                continue
            if container or not in_place:
                try:
                    data = zf.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError):
                    self.items.append(Item(member_source, path, kind="problem", note="file-corrupt",
                                           detail="không giải nén được mục này", sender=sender, sent=sent))
                    continue
                self.contents(data, member_source, name, depth, sender, sent)
            else:
                self.items.append(self._leaf(member_source, path, info.filename, sender, sent))

    def contents(self, data: bytes, source: str, name: str, depth: int, sender: str, sent: str) -> None:
        """A file found inside a container (depth = containers around it)."""
        suffix = PurePosixPath(name).suffix.lower()
        container = (suffix in ARCHIVE_SUFFIXES and data[:4] == b"PK\x03\x04" and not _is_workbook_zip(data)) or \
            suffix in MAIL_SUFFIXES or suffix in MAILBOX_SUFFIXES
        if container and depth >= MAX_DEPTH:
            self.items.append(Item(source, "", kind="problem", note="archive-too-deep", detail=str(MAX_DEPTH), sender=sender, sent=sent))
            return
        if suffix in ARCHIVE_SUFFIXES and container:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    self.zip_members(zf, source, "", depth + 1, in_place=False, sender=sender, sent=sent)
            except (zipfile.BadZipFile, OSError, ValueError):
                self.items.append(Item(source, self._spooled(data, name), sender=sender, sent=sent))
            return
        if suffix in MAIL_SUFFIXES:
            self.mail(data, source, depth + 1)
            return
        if suffix in MAILBOX_SUFFIXES:
            path = Path(self._spooled(data, name))
            self.mailbox(path, source, depth + 1)
            return
        self.items.append(self._leaf(source, self._spooled(data, name), None, sender, sent))

    def mail(self, data: bytes, source: str, depth: int) -> None:
        """An e-mail: each attachment, with the message's sender and date."""
        try:
            message = email.message_from_bytes(data, policy=email.policy.default)
        except Exception:  # noqa: BLE001  (the e-mail parser may fail in many ways on a damaged file)
            self.items.append(Item(source, "", kind="problem", note="file-corrupt", detail="không đọc được thư điện tử"))
            return
        self._message(message, source, depth)  # type: ignore[arg-type]

    def _message(self, message: EmailMessage, source: str, depth: int) -> None:
        sender, sent = _sender(message), _date(message)
        found = 0
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            if part.get_content_type() == "message/rfc822":
                continue  # walk() goes into the attached message; its parts carry its own sender below
            filename = part.get_filename()
            if not filename:
                continue
            found += 1
            try:
                payload = part.get_payload(decode=True) or b""
            except Exception:  # noqa: BLE001  (a damaged encoding)
                payload = b""
            if not isinstance(payload, bytes):
                payload = str(payload).encode("utf-8")
            name = PurePosixPath(filename.replace("\\", "/")).name or f"tep-dinh-kem-{found}"
            self.contents(payload, f"{source}!/{name}", name, depth, sender, sent)
        if not found:
            self.items.append(Item(source, "", kind="other", note="thư điện tử không có tệp đính kèm", sender=sender, sent=sent))

    def mailbox(self, path: Path, source: str, depth: int) -> None:
        try:
            box = mailbox.mbox(str(path), create=False)
            keys = list(box.keys())
        except Exception:  # noqa: BLE001  (mailbox raises several kinds on a damaged file)
            self.items.append(Item(source, "", kind="problem", note="file-corrupt", detail="không đọc được hộp thư .mbox"))
            return
        for n, key in enumerate(keys, start=1):
            try:
                message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            except Exception:  # noqa: BLE001
                self.items.append(Item(f"{source}!/thư {n}", "", kind="problem", note="file-corrupt", detail="không đọc được thư"))
                continue
            self._message(message, f"{source}!/thư {n}", depth)  # type: ignore[arg-type]
        box.close()

    @staticmethod
    def _leaf(source: str, path: str, member: str | None, sender: str, sent: str) -> Item:
        suffix = PurePosixPath((member or source).replace("\\", "/")).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            return Item(source, path, member, sender=sender, sent=sent)
        note = OTHER_KINDS.get(suffix, f"tệp {suffix}" if suffix else "tệp không có phần mở rộng")
        # an .xlsx renamed to something else still is a workbook: checked, not passed over
        return Item(source, path, member, kind="maybe", note=note, sender=sender, sent=sent)


def _hidden(name: str) -> str:
    if name.startswith("~$"):
        return "tệp khóa tạm của Excel (không phải sổ)"
    if name.startswith("."):
        return "tệp ẩn của hệ điều hành"
    if name.lower() in ("thumbs.db", "desktop.ini"):
        return "tệp hệ thống của Windows"
    return ""


def _is_workbook_zip(source: bytes | Path) -> bool:
    """A .zip that is in fact a workbook (an .xlsx renamed): checked as one, not opened as an archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _sender(message: EmailMessage) -> str:
    raw = message.get("From", "")
    name, address = email.utils.parseaddr(str(raw))
    return f"{name} <{address}>" if name and address else (address or str(raw))


def _date(message: EmailMessage) -> str:
    raw = message.get("Date")
    if not raw:
        return ""
    try:
        when = email.utils.parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return ""
    return when.isoformat(timespec="seconds")


def walk(inputs: Iterable[Path], spool: Path) -> list[Item]:
    """Every file received, in a stable order (inputs as given, folders sorted)."""
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
