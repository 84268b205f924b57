"""Files hue-dx writes: atomically (no half-written file is ever seen) and with the usual
permissions, under names made from Vietnamese text (``slug``). Pure standard library."""

from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def slug(text: str) -> str:
    """ASCII, lower case, dashes: 'Sở Thông tin và Truyền thông' -> 'so-thong-tin-va-truyen-thong'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    out = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: colleagues on a shared drive can read outputs


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so no half-written file is ever seen.
    The file gets the usual permissions (mkstemp's own are 0600, readable by its owner only)."""
    with open_atomic(path) as f:
        f.write(data)


@contextlib.contextmanager
def open_atomic(path: Path) -> Iterator[BinaryIO]:
    """A file to write in pieces (outputs streamed from the ledger), put in place whole when the
    block ends, and never at all if it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
