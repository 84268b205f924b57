"""Archives as other programs write them: member names read the way unzip, 7-Zip and tar read
them, and the members of a tar (``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``) read
one by one within the same bounds as a zip's.

Nothing is ever extracted under a member's name: a member's bytes are handed to the walker,
which writes them to the spool under a number, so ``../../x``, absolute paths, symbolic and
hard links and devices in an archive cannot reach outside it (links and devices are not
followed, only listed).
"""

from __future__ import annotations

import lzma
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .xlsx import MAX_RATIO, MAX_UNZIPPED_BYTES

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
_UTF8_FLAG = 0x800
_UNICODE_PATH = 0x7075  # Info-ZIP's Unicode Path extra field (a UTF-8 name beside a legacy one)


def display(name: str) -> str:
    """A member name as shown: folders with "/", NFC (macOS writes decomposed Vietnamese)."""
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it. Without the UTF-8 flag Python decodes names as
    CP437; macOS's Archive Utility writes UTF-8 there without the flag, so bytes that are valid
    UTF-8 (and not plain ASCII) are read as UTF-8, and CP437 is kept only where the bytes say so."""
    if info.flag_bits & _UTF8_FLAG:
        return display(info.filename)
    unicode_path = _unicode_path(info)
    if unicode_path:
        return display(unicode_path)
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # decoded with another metadata encoding: keep it
        return display(info.filename)
    if raw.isascii():
        return display(info.filename)
    try:
        return display(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return display(info.filename)


def _unicode_path(info: zipfile.ZipInfo) -> str:
    extra, at = info.extra, 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4:at + 4 + size]
        at += 4 + size
        if kind == _UNICODE_PATH and len(body) > 5 and body[0] == 1:
            try:
                raw = info.filename.encode("cp437")
            except UnicodeEncodeError:
                raw = None
            if raw is not None and struct.unpack_from("<I", body, 1)[0] != zlib.crc32(raw):
                return ""  # the name was changed after the field was written: the field is stale
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return ""
    return ""


def tar_name(name: str) -> str:
    """A tar member's name (read by tarfile as UTF-8 with escapes): UTF-8 when its bytes are,
    else windows-1258 (Vietnamese Windows); NFC."""
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return display(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return display(raw.decode("cp1258", "replace"))


def is_tar_name(name: str) -> bool:
    return name.lower().endswith(TAR_SUFFIXES)


@dataclass(frozen=True)
class TarMember:
    """One member of a tar: a file's bytes, or what it is instead."""

    name: str  # as shown (tar_name)
    data: bytes = b""
    other: str = ""  # not a file (a link, a device): what it is; data then holds the link's target
    problem: str = ""  # an issue code when it was not read
    detail: str = ""


def tar_members(raw: IO[bytes], max_members: int, max_member_bytes: int) -> Iterator[TarMember]:
    """The members of the tar in ``raw`` (compressed or not), in order, read as a stream.
    Raises ``tarfile.TarError`` when ``raw`` is no tar at all; a tar damaged part way ends with
    a ``file-corrupt`` member, a decompression bomb (more than MAX_UNZIPPED_BYTES unpacked at more
    than MAX_RATIO times what was read) with a ``file-zip-bomb`` one."""
    start = raw.tell()
    tf = tarfile.open(fileobj=raw, mode="r|*", encoding="utf-8", errors="surrogateescape")
    count = unpacked = 0
    try:
        for info in tf:
            if info.isdir():
                continue
            count += 1
            name = tar_name(info.name)
            if count > max_members:
                yield TarMember(name, problem="file-zip-bomb", detail=f"hơn {max_members:,} mục".replace(",", "."))
                return
            if not info.isreg():
                yield TarMember(name, info.linkname.encode("utf-8", "surrogateescape"), other=_not_a_file(info))
                continue
            if info.size > max_member_bytes:
                yield TarMember(name, problem="file-too-large", detail=f"{info.size // 1024 // 1024} MB")
                continue
            member = tf.extractfile(info)
            data = member.read() if member else b""
            unpacked += len(data)
            read = max(raw.tell() - start, 1)
            if unpacked > MAX_UNZIPPED_BYTES and unpacked > MAX_RATIO * read:
                yield TarMember(name, problem="file-zip-bomb", detail=f"giải nén {unpacked // 1024 // 1024} MB từ {read // 1024} KB")
                return
            yield TarMember(name, data)
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as exc:
        if count == 0 and isinstance(exc, tarfile.TarError):
            raise
        yield TarMember(f"(sau mục thứ {count})", problem="file-corrupt", detail="tệp nén bị cắt cụt hoặc hỏng từ đây")
    finally:
        tf.close()


def _not_a_file(info: tarfile.TarInfo) -> str:
    target = tar_name(info.linkname)
    if info.issym():
        return f"liên kết tượng trưng tới {target} trong tệp nén (không theo liên kết)"
    if info.islnk():
        return f"liên kết cứng tới {target} trong tệp nén (không theo liên kết)"
    return "thiết bị hoặc ống dẫn trong tệp nén (không phải tệp)"
