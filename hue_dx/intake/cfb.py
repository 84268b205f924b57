"""A small writer of Compound File Binary files ([MS-CFB] version 3: 512-byte sectors, streams
under 4,096 bytes in the mini stream), the container of Outlook's .msg and of old .xls files.

hue-dx reads compound files with olefile, which cannot write one. The walker needs to write
one when an Outlook message holds another message (or an embedded OLE object): that storage
is written out as a file of its own, so it can be archived, listed and opened like any .msg.
A tree is a dict: a name maps to bytes (a stream) or to another dict (a storage).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END, FAT_SECTOR, DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NO_ENTRY = 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NO_ENTRY
    right: int = NO_ENTRY
    child: int = NO_ENTRY
    red: bool = False
    start: int = END
    size: int = 0


def write(tree: Tree) -> bytes:
    """The compound file holding ``tree`` (names of at most 31 characters)."""
    entries = [_Entry("Root Entry", 5)]
    _flatten(tree, 0, entries)
    for entry in entries:
        if entry.children:
            entry.child = _siblings(entries, sorted(entry.children, key=lambda i: (len(entries[i].name), entries[i].name.upper())), 0)

    mini = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind == 2 and 0 < len(entry.data) < MINI_CUTOFF:
            first, count = len(mini) // MINI_SECTOR, -(-len(entry.data) // MINI_SECTOR)
            entry.start, entry.size = first, len(entry.data)
            mini_fat += [first + k + 1 for k in range(count - 1)] + [END]
            mini += entry.data + b"\x00" * (count * MINI_SECTOR - len(entry.data))

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = -(-len(data) // SECTOR)
        if not count:
            return END
        first = len(sectors)
        for k in range(count):
            sectors.append(data[k * SECTOR:(k + 1) * SECTOR].ljust(SECTOR, b"\x00"))
        fat.extend([first + k + 1 for k in range(count - 1)] + [END])
        return first

    for entry in entries:
        if entry.kind == 2 and len(entry.data) >= MINI_CUTOFF:
            entry.start, entry.size = place(entry.data), len(entry.data)
    entries[0].start, entries[0].size = place(bytes(mini)), len(mini)
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""
    first_mini_fat = place(mini_fat_bytes.ljust(-(-len(mini_fat_bytes) // SECTOR) * SECTOR, b"\xff"))
    first_directory = place(b"".join(_directory_entry(e) for e in entries).ljust(-(-len(entries) // 4) * SECTOR, b"\x00"))

    # FAT and DIFAT sectors describe every sector, themselves included.
    fat_count = difat_count = 0
    while True:
        difat_count = max(0, -(-(fat_count - _HEADER_DIFAT) // (_PER_SECTOR - 1)))
        needed = -(-(len(sectors) + fat_count + difat_count) // _PER_SECTOR)
        if needed <= fat_count:
            break
        fat_count = needed
    fat_at = list(range(len(sectors), len(sectors) + fat_count))
    difat_at = list(range(fat_at[-1] + 1 if fat_at else len(sectors), (fat_at[-1] + 1 if fat_at else len(sectors)) + difat_count))
    fat = fat + [FAT_SECTOR] * fat_count + [DIFAT_SECTOR] * difat_count
    fat += [FREE] * (fat_count * _PER_SECTOR - len(fat))
    for k in range(fat_count):
        sectors.append(struct.pack(f"<{_PER_SECTOR}I", *fat[k * _PER_SECTOR:(k + 1) * _PER_SECTOR]))
    rest = fat_at[_HEADER_DIFAT:]
    for k in range(difat_count):
        chunk = rest[k * (_PER_SECTOR - 1):(k + 1) * (_PER_SECTOR - 1)]
        chunk = chunk + [FREE] * (_PER_SECTOR - 1 - len(chunk))
        sectors.append(struct.pack(f"<{_PER_SECTOR}I", *chunk, difat_at[k + 1] if k + 1 < difat_count else END))

    header = bytearray(MAGIC + b"\x00" * 16)
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, fat_count, first_directory, 0, MINI_CUTOFF,
                          first_mini_fat, -(-len(mini_fat_bytes) // SECTOR), difat_at[0] if difat_at else END, difat_count)
    head = fat_at[:_HEADER_DIFAT]
    header += struct.pack(f"<{_HEADER_DIFAT}I", *(head + [FREE] * (_HEADER_DIFAT - len(head))))
    return bytes(header) + b"".join(sectors)


def _flatten(tree: Tree, parent: int, entries: list[_Entry]) -> None:
    for name, value in tree.items():
        if len(name) > 31:
            raise ValueError(f"tên quá 31 ký tự: {name}")
        index = len(entries)
        entries[parent].children.append(index)
        if isinstance(value, dict):
            entries.append(_Entry(name, 1))
            _flatten(value, index, entries)
        else:
            entries.append(_Entry(name, 2, bytes(value)))


def _siblings(entries: list[_Entry], ordered: list[int], depth: int, depths: dict[int, int] | None = None) -> int:
    """A balanced red-black tree of one storage's children (the spec's order: length, then upper
    case). All black, except the nodes of an incomplete last level (leaves, as the halves differ
    by at most one): red, so every path has one black height."""
    top = depths is None
    depths = {} if depths is None else depths
    if not ordered:
        return NO_ENTRY
    middle = len(ordered) // 2
    root = ordered[middle]
    depths[root] = depth
    entries[root].left = _siblings(entries, ordered[:middle], depth + 1, depths)
    entries[root].right = _siblings(entries, ordered[middle + 1:], depth + 1, depths)
    if top and (len(ordered) + 1) & len(ordered):  # not a perfect tree: its deepest level is red
        deepest = max(depths.values())
        for index, at in depths.items():
            entries[index].red = at == deepest
    return root


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack("<64sHBBIII16sIQQIII", name, len(name), entry.kind, 0 if entry.red else 1, entry.left, entry.right, entry.child,
                       b"\x00" * 16, 0, 0, 0, entry.start if entry.size or entry.kind == 5 else (0 if entry.kind == 1 else END), entry.size, 0)
